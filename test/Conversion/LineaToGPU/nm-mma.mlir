// 2:4 nm_linear on the sparse tensor cores (NmMmaKernel.cpp) with
// nm-mma-tiles: cp.async stages of x, kept values and index bytes,
// ldmatrix, the metadata packed from the index bytes (shifts and masks),
// mma.sp m16n8k32 as inline PTX with f32 accumulators.
// RUN: rm -rf %t && linea-opt %s --pass-pipeline='builtin.module(linea-to-gpu{nm-mma-tiles=64x128x32x32x4,16x32x16x16x6},gpu.module(convert-scf-to-cf,convert-gpu-to-nvvm{use-bare-ptr-memref-call-conv=true}),reconcile-unrealized-casts,gpu-module-to-binary{format=isa},linea-write-cuda-artifacts{out-dir=%t ptxas=none})' -o /dev/null 2>&1 | FileCheck %s --check-prefix=REMARK
// RUN: FileCheck %s --input-file %t/linea_kernels.ptx
// RUN: FileCheck %s --check-prefix=MANIFEST --input-file %t/manifest.json
// Without the option (the default) and below M = 16: the GEMV.
// RUN: linea-opt %s --linea-to-gpu | FileCheck %s --check-prefix=OFF
// RUN: linea-opt %s --linea-to-gpu='nm-mma-tiles=64x128x32x32 rows-per-warp=2' | FileCheck %s --check-prefix=BOTH
// RUN: not linea-opt %s --linea-to-gpu='nm-mma-tiles=64x128x32x24' 2>&1 | FileCheck %s --check-prefix=WARP
// RUN: not linea-opt %s --linea-to-gpu='nm-mma-tiles=256x256x64x64x5' 2>&1 | FileCheck %s --check-prefix=SMEM
// RUN: not linea-opt %s --linea-to-gpu='nm-mma-tiles=64x128' 2>&1 | FileCheck %s --check-prefix=SYNTAX

// CHECK-LABEL: .visible .entry linea_0_nm_m64_sp64x128x32x32s4(
// CHECK: cp.async.cg.shared.global [{{.*}}], [{{.*}}], 16, {{.*}};
// CHECK: cp.async.cg.shared.global [{{.*}}], [{{.*}}], 16;
// CHECK: cp.async.commit_group;
// CHECK-DAG: cp.async.wait_group 2;
// CHECK-DAG: ldmatrix.sync.aligned.m8n8.x4.shared.b16
// CHECK-DAG: ld.shared.v2.b32
// CHECK-DAG: mma.sp.sync.aligned.m16n8k32.row.col.f32.bf16.bf16.f32
// CHECK: st.global.b16
// CHECK-LABEL: .visible .entry linea_0_nm_m64_sp16x32x16x16s6(
// f16 with bias.
// CHECK-LABEL: .visible .entry linea_1_nm_f16_sp64x128x32x32s4(
// CHECK: mma.sp.sync.aligned.m16n8k32.row.col.f32.f16.f16.f32
// CHECK: st.global.b16

// MANIFEST: "block": [
// MANIFEST-NEXT: 256,
// MANIFEST: "grid": [
// MANIFEST-NEXT: 2,
// MANIFEST-NEXT: 1,
// MANIFEST: "kind": "nm_mma_sp",
// MANIFEST: "shared_bytes": 81920,

// K = 96 is not a multiple of 64; 1:4 is not 2:4; M = 8 is below 16 (no
// remark).
// REMARK-DAG: remark: linea-to-gpu: layer 'k96' (M = 32, N = 64, K = 96) keeps the GEMV, not the sparse tensor cores: K = 96 is not a multiple of 64
// REMARK-DAG: remark: linea-to-gpu: layer 'nm14' (M = 32, N = 64, K = 256) keeps the GEMV, not the sparse tensor cores: 1:4 (the sparse tensor cores take 2:4 only)
// REMARK-NOT: 'm8'

// OFF-NOT: _nm_m64_sp
// OFF-NOT: llvm.inline_asm
// BOTH-DAG: gpu.func @linea_0_nm_m64_sp64x128x32x32s3(
// BOTH-DAG: gpu.func @linea_0_nm_m64_r2u{{[12]}}_gs(
// WARP: error: linea-to-gpu: nm-mma-tiles 64x128x32x24s3 for layer 'nm_m64': warp tile 32x24 must be multiples of 8x16 dividing the block tile 64x128
// SMEM: error: linea-to-gpu: nm-mma-tiles 256x256x64x64s5 for layer 'nm_m64': block tile 256x256 with 5 stages needs 286720 bytes of shared memory (at most 232448)
// SYNTAX: error: linea-to-gpu: nm-mma-tiles entry '64x128' is not BMxBNxWMxWN[xSTAGES] (integers in [1, 1024])
func.func @f(%x: tensor<64x512xbf16>, %v: tensor<200x256xbf16>,
             %i: tensor<200x256xi8>, %xh: tensor<37x256xf16>,
             %vh: tensor<96x128xf16>, %ih: tensor<96x128xi8>,
             %bh: tensor<96xf16>, %xk: tensor<32x96xbf16>,
             %vk: tensor<64x48xbf16>, %ik: tensor<64x48xi8>,
             %x14: tensor<32x256xbf16>, %v14: tensor<64x64xbf16>,
             %i14: tensor<64x64xi8>, %x8: tensor<8x512xbf16>)
    -> (tensor<64x200xbf16>, tensor<37x96xf16>, tensor<32x64xbf16>,
        tensor<32x64xbf16>, tensor<8x200xbf16>) {
  %a = linea.nm_linear 2:4 %x, %v, %i {name = "nm_m64"}
      : (tensor<64x512xbf16>, tensor<200x256xbf16>, tensor<200x256xi8>) -> tensor<64x200xbf16>
  %b = linea.nm_linear 2:4 %xh, %vh, %ih bias %bh {name = "nm_f16"}
      : (tensor<37x256xf16>, tensor<96x128xf16>, tensor<96x128xi8>,
         tensor<96xf16>) -> tensor<37x96xf16>
  %c = linea.nm_linear 2:4 %xk, %vk, %ik {name = "k96"}
      : (tensor<32x96xbf16>, tensor<64x48xbf16>, tensor<64x48xi8>) -> tensor<32x64xbf16>
  %d = linea.nm_linear 1:4 %x14, %v14, %i14 {name = "nm14"}
      : (tensor<32x256xbf16>, tensor<64x64xbf16>, tensor<64x64xi8>) -> tensor<32x64xbf16>
  %e = linea.nm_linear 2:4 %x8, %v, %i {name = "m8"}
      : (tensor<8x512xbf16>, tensor<200x256xbf16>, tensor<200x256xi8>) -> tensor<8x200xbf16>
  return %a, %b, %c, %d, %e : tensor<64x200xbf16>, tensor<37x96xf16>,
      tensor<32x64xbf16>, tensor<32x64xbf16>, tensor<8x200xbf16>
}
