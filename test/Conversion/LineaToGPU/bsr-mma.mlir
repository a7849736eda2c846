// The tensor-core BSR kernel (BsrMmaKernel.cpp) down to PTX: the block
// row's stored blocks walked with a run-time trip count, W and x tiles by
// cp.async into dynamic shared memory (x rows past M zero-filled), ldmatrix,
// mma.sync m16n8k16 with f32 accumulators, clamped indices.
// RUN: rm -rf %t && linea-opt %s --pass-pipeline='builtin.module(linea-to-gpu,gpu.module(convert-scf-to-cf,convert-gpu-to-nvvm{use-bare-ptr-memref-call-conv=true}),reconcile-unrealized-casts,gpu-module-to-binary{format=isa},linea-write-cuda-artifacts{out-dir=%t ptxas=none})' -o /dev/null
// RUN: FileCheck %s --input-file %t/linea_kernels.ptx
// RUN: FileCheck %s --check-prefix=MANIFEST --input-file %t/manifest.json
// Below bsr-mma-min-rows (default 16: M = 8 here) and with 0 the GEMV stays.
// RUN: linea-opt %s --linea-to-gpu | FileCheck %s --check-prefix=IR
// RUN: linea-opt %s --linea-to-gpu='bsr-mma-min-rows=0' | FileCheck %s --check-prefix=OFF
// Listed tiles with GEMV options: both; a tile a layer cannot take is skipped.
// RUN: linea-opt %s --linea-to-gpu='bsr-mma-tiles=16x64x16x32x3,64x32x32x16 rows-per-warp=2' 2>&1 | FileCheck %s --check-prefix=BOTH

// CHECK: .extern .shared .align 16 .b8 linea_attention_smem[];
// CHECK-LABEL: .visible .entry linea_0_m16_bm16x32x16x16s6(
// CHECK: cp.async.cg.shared.global [{{.*}}], [{{.*}}], 16;
// CHECK: cp.async.cg.shared.global [{{.*}}], [{{.*}}], 16, {{.*}};
// CHECK: cp.async.commit_group;
// CHECK-DAG: min.u32
// CHECK-DAG: cp.async.wait_group 4;
// CHECK-DAG: bar.sync 0;
// CHECK-DAG: ldmatrix.sync.aligned.m8n8.x4.shared.b16
// CHECK-DAG: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// CHECK: cp.async.wait_group 0;
// CHECK: st.global.b16
// f16, i64 indices, bias, M = 37 > 32: the 64-row tile.
// CHECK-LABEL: .visible .entry linea_1_m37_bm64x32x32x32s4(
// CHECK: min.u64
// CHECK: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// CHECK: add.rn.f32
// CHECK: st.global.b16
// CHECK-LABEL: .visible .entry linea_2_m8_r2u1_gs(
// CHECK-NOT: mma.sync

// MANIFEST: "block": [
// MANIFEST-NEXT: 64,
// MANIFEST: "grid": [
// MANIFEST-NEXT: 6,
// MANIFEST-NEXT: 1,
// MANIFEST: "kind": "bsr_mma",
// MANIFEST: "shared_bytes": 36864,
// MANIFEST: "symbol": "linea_0_m16_bm16x32x16x16s6",
// MANIFEST: "tensor_cores": true,
// MANIFEST: "tile": [
// MANIFEST-NEXT: 16,
// MANIFEST-NEXT: 32,
// MANIFEST: "block_size": [
// MANIFEST: "grid": [
// MANIFEST-NEXT: 10,
// MANIFEST-NEXT: 1,
// MANIFEST: "kind": "bsr_mma",
// MANIFEST: "symbol": "linea_1_m37_bm64x32x32x32s4",

// IR-LABEL: gpu.func @linea_0_m16_bm16x32x16x16s6(
// IR-SAME: known_block_size = array<i32: 64, 1, 1>
// IR: nvvm.cp.async.shared.global
// IR: scf.for
// IR: nvvm.ldmatrix
// IR: nvvm.mma.sync
// IR-NOT: gpu.func @linea_0_m16_r
// IR-LABEL: gpu.func @linea_2_m8_r2u1_gs(
// IR-NOT: nvvm.mma.sync
// OFF-NOT: _bm
// OFF-NOT: nvvm.mma.sync

// BOTH-DAG: remark: linea-to-gpu: bsr-mma-tiles 16x64x16x32s3 skipped for layer 'm37': BN = 64 does not divide the block rows bn = 32
// BOTH-DAG: gpu.func @linea_0_m16_bm16x64x16x32s3(
// BOTH-DAG: gpu.func @linea_0_m16_bm64x32x32x16s3(
// BOTH-DAG: gpu.func @linea_0_m16_r2u1_gs(
// BOTH-DAG: gpu.func @linea_1_m37_bm64x32x32x16s3(
// BOTH-DAG: gpu.func @linea_1_m37_r2u1_gs(
func.func @f(%x: tensor<16x512xbf16>, %v: tensor<10x64x64xbf16>,
             %c: tensor<10xi32>, %r: tensor<4xi32>,
             %xh: tensor<37x256xf16>, %vh: tensor<12x32x32xf16>,
             %ch: tensor<12xi64>, %rh: tensor<11xi64>, %bh: tensor<320xf16>,
             %x8: tensor<8x512xbf16>)
    -> (tensor<16x192xbf16>, tensor<37x320xf16>, tensor<8x192xbf16>) {
  %a = linea.bsr_linear %x, %v, %c, %r {name = "m16"}
      : (tensor<16x512xbf16>, tensor<10x64x64xbf16>, tensor<10xi32>,
         tensor<4xi32>) -> tensor<16x192xbf16>
  %b = linea.bsr_linear %xh, %vh, %ch, %rh bias %bh {name = "m37"}
      : (tensor<37x256xf16>, tensor<12x32x32xf16>, tensor<12xi64>,
         tensor<11xi64>, tensor<320xf16>) -> tensor<37x320xf16>
  %d = linea.bsr_linear %x8, %v, %c, %r {name = "m8"}
      : (tensor<8x512xbf16>, tensor<10x64x64xbf16>, tensor<10xi32>,
         tensor<4xi32>) -> tensor<8x192xbf16>
  return %a, %b, %d : tensor<16x192xbf16>, tensor<37x320xf16>, tensor<8x192xbf16>
}
