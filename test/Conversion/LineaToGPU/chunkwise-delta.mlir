// Chunkwise (WY) tensor-core kernel of linea.delta_rule (ChunkwiseKernels.cpp):
// the β-scaled K Kᵀ on mma.sync, the f32 forward substitution for
// T = (I + A)⁻¹ diag(β), then W = T K, U = T V, U' = U − W S, the outputs and
// the state update on mma.sync. One launch per value tile (64 and 32 columns)
// with chunkwise=1; chunkwise=0,1 keeps the recurrent kernel beside it; the
// default is the chunkwise kernel with 32-column tiles from T = 64 on and the
// recurrent one below (decode).
// RUN: linea-opt %s --linea-to-gpu="chunkwise=1" | FileCheck %s
// RUN: linea-opt %s --linea-to-gpu="chunkwise=0,1" | FileCheck %s --check-prefix=BOTH
// RUN: linea-opt %s --linea-to-gpu | FileCheck %s --check-prefix=DEFAULT
// RUN: linea-opt %s --linea-to-gpu | FileCheck %s --check-prefix=DEFNOT
// RUN: rm -rf %t && linea-opt %s --pass-pipeline='builtin.module(linea-to-gpu{chunkwise=1},gpu.module(convert-scf-to-cf,convert-gpu-to-nvvm{use-bare-ptr-memref-call-conv=true}),reconcile-unrealized-casts,gpu-module-to-binary{format=isa},linea-write-cuda-artifacts{out-dir=%t ptxas=none})' -o /dev/null
// RUN: FileCheck %s --check-prefix=PTX --input-file %t/linea_kernels.ptx
// RUN: FileCheck %s --check-prefix=MANIFEST --input-file %t/manifest.json

// CHECK: form = "chunkwise", {{.*}}grid = [4, 1, 1], {{.*}}shared_bytes = {{[0-9]+}} : i64, {{.*}}symbol = "linea_s0_delta", value_tile = 64 : i64}
// CHECK: form = "chunkwise", {{.*}}grid = [4, 2, 1], {{.*}}symbol = "linea_s0_delta_v32", value_tile = 32 : i64}
// Two launches: T, W, U of all 5 chunks in parallel into ws_wu, then the walk.
// CHECK: form = "chunkwise", {{.*}}launches = [{block = [128, 1, 1], grid = [4, 5, 1], shared_bytes = {{[0-9]+}} : i64, symbol = "linea_s0_delta_2l_p1"}, {block = [128, 1, 1], grid = [4, 2, 1], shared_bytes = {{[0-9]+}} : i64, symbol = "linea_s0_delta_2l_p2"}]{{.*}}symbol = "linea_s0_delta_2l", value_tile = 32 : i64}
// CHECK: form = "chunkwise", {{.*}}grid = [2, 2, 1], {{.*}}symbol = "linea_s1_delta128", value_tile = 64 : i64}
// CHECK: form = "chunkwise", {{.*}}grid = [2, 4, 1], {{.*}}symbol = "linea_s1_delta128_v32", value_tile = 32 : i64}
// CHECK: form = "chunkwise", {{.*}}symbol = "linea_s2_decode", value_tile = 64 : i64}
// CHECK-LABEL: gpu.func @linea_s0_delta(
// CHECK-SAME: memref<2x2x300x8xvector<8xbf16>, #gpu.address_space<global>>
// CHECK-SAME: memref<2x2x300xbf16, #gpu.address_space<global>>
// CHECK-SAME: memref<2x2x64x64xf32, #gpu.address_space<global>>
// CHECK-SAME: known_block_size = array<i32: 128, 1, 1>
// β K Kᵀ, then the forward substitution (f32 FMAs), then T K, T V.
// CHECK: nvvm.mma.sync
// CHECK: gpu.barrier
// CHECK: llvm.intr.fma
// CHECK: gpu.barrier
// CHECK: nvvm.ldmatrix {{.*}}layout = #nvvm.mma_layout<col>
// CHECK: nvvm.mma.sync
// CHECK-LABEL: gpu.func @linea_s0_delta_v32(
// CHECK: nvvm.mma.sync
// CHECK-LABEL: gpu.func @linea_s0_delta_2l_p1(
// CHECK-SAME: memref<2x2x320x64xvector<2xbf16>, #gpu.address_space<global>>
// CHECK: gpu.shuffle  idx
// CHECK: memref.store {{.*}} : memref<2x2x320x64xvector<2xbf16>
// CHECK-LABEL: gpu.func @linea_s0_delta_2l_p2(
// CHECK-SAME: memref<2x2x320x16xvector<8xbf16>, #gpu.address_space<global>>
// CHECK-NOT: gpu.shuffle  idx
// CHECK: memref.load {{.*}} : memref<2x2x320x16xvector<8xbf16>
// CHECK: nvvm.mma.sync
// CHECK-LABEL: gpu.func @linea_s1_delta128(
// CHECK-SAME: memref<1x2x130xf32, #gpu.address_space<global>>
// CHECK: nvvm.mma.sync

// BOTH-DAG: symbol = "linea_s0_delta_cw"
// BOTH-DAG: symbol = "linea_s0_delta_cw_v32"
// BOTH-DAG: symbol = "linea_s0_delta"
// BOTH-DAG: symbol = "linea_s1_delta128_cw"
// BOTH-DAG: symbol = "linea_s1_delta128"
// BOTH-DAG: symbol = "linea_s1_delta128_cw_2l"

// DEFNOT-NOT: _cw
// DEFAULT: form = "chunkwise"{{.*}}symbol = "linea_s0_delta"{{.*}}value_tile = 16{{.*}}form = "chunkwise"{{.*}}symbol = "linea_s1_delta128"{{.*}}value_tile = 16{{.*}}form = "recurrent"{{.*}}symbol = "linea_s2_decode"

// PTX: .visible .entry linea_s0_delta(
// PTX: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// PTX: fma.rn.f32
// PTX: ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16
// PTX: .visible .entry linea_s1_delta128(
// PTX: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32

// MANIFEST: "form": "chunkwise"
// MANIFEST: "op": "delta_rule"
// MANIFEST: "name": "ws_wu"

func.func @delta(%q: tensor<2x2x300x64xbf16>, %k: tensor<2x2x300x64xbf16>,
                 %v: tensor<2x2x300x64xbf16>, %beta: tensor<2x2x300xbf16>,
                 %s0: tensor<2x2x64x64xf32>)
    -> (tensor<2x2x300x64xbf16>, tensor<2x2x64x64xf32>) {
  %o, %s = linea.delta_rule %q, %k, %v, %beta initial_state %s0 {name = "delta"}
      : (tensor<2x2x300x64xbf16>, tensor<2x2x300x64xbf16>, tensor<2x2x300x64xbf16>,
         tensor<2x2x300xbf16>, tensor<2x2x64x64xf32>)
      -> (tensor<2x2x300x64xbf16>, tensor<2x2x64x64xf32>)
  return %o, %s : tensor<2x2x300x64xbf16>, tensor<2x2x64x64xf32>
}

func.func @delta128(%q: tensor<1x2x130x128xf16>, %k: tensor<1x2x130x128xf16>,
                    %v: tensor<1x2x130x128xf16>, %beta: tensor<1x2x130xf32>)
    -> (tensor<1x2x130x128xf16>, tensor<1x2x128x128xf32>) {
  %o, %s = linea.delta_rule %q, %k, %v, %beta {name = "delta128"}
      : (tensor<1x2x130x128xf16>, tensor<1x2x130x128xf16>, tensor<1x2x130x128xf16>,
         tensor<1x2x130xf32>) -> (tensor<1x2x130x128xf16>, tensor<1x2x128x128xf32>)
  return %o, %s : tensor<1x2x130x128xf16>, tensor<1x2x128x128xf32>
}

// Decode (T = 1): below one chunk; chunkwise=1 still builds the chunkwise
// kernel, the default keeps the recurrent one.
func.func @decode(%q: tensor<4x2x1x64xbf16>, %k: tensor<4x2x1x64xbf16>,
                  %v: tensor<4x2x1x64xbf16>, %beta: tensor<4x2x1xbf16>,
                  %s0: tensor<4x2x64x64xf32>)
    -> (tensor<4x2x1x64xbf16>, tensor<4x2x64x64xf32>) {
  %o, %s = linea.delta_rule %q, %k, %v, %beta initial_state %s0 {name = "decode"}
      : (tensor<4x2x1x64xbf16>, tensor<4x2x1x64xbf16>, tensor<4x2x1x64xbf16>,
         tensor<4x2x1xbf16>, tensor<4x2x64x64xf32>)
      -> (tensor<4x2x1x64xbf16>, tensor<4x2x64x64xf32>)
  return %o, %s : tensor<4x2x1x64xbf16>, tensor<4x2x64x64xf32>
}
