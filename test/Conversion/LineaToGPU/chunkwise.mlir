// Chunkwise tensor-core kernels of gated_linear_attention and causal
// linear_attention (ChunkwiseKernels.cpp, linea-to-gpu{chunkwise=1}):
// ldmatrix fragments, mma.sync m16n8k16, one launch per op and value tile
// (64 and 32 columns) with dynamic shared memory; chunkwise=0,1 keeps the recurrent kernel beside it.
// RUN: linea-opt %s --linea-to-gpu="chunkwise=1" | FileCheck %s
// RUN: linea-opt %s --linea-to-gpu="chunkwise=0,1" | FileCheck %s --check-prefix=BOTH
// RUN: linea-opt %s --linea-to-gpu | FileCheck %s --check-prefix=DEFAULT
// RUN: linea-opt %s --linea-to-gpu | FileCheck %s --check-prefix=DEFNOT
// RUN: rm -rf %t && linea-opt %s --pass-pipeline='builtin.module(linea-to-gpu{chunkwise=1},gpu.module(convert-scf-to-cf,convert-gpu-to-nvvm{use-bare-ptr-memref-call-conv=true}),reconcile-unrealized-casts,gpu-module-to-binary{format=isa},linea-write-cuda-artifacts{out-dir=%t ptxas=none})' -o /dev/null
// RUN: FileCheck %s --check-prefix=PTX --input-file %t/linea_kernels.ptx
// RUN: FileCheck %s --check-prefix=MANIFEST --input-file %t/manifest.json

// The manifest (a module attribute, printed first): one launch each, for
// value tiles of 64 and 32 columns.
// CHECK: form = "chunkwise", {{.*}}grid = [4, 1, 1], {{.*}}shared_bytes = {{[0-9]+}} : i64, {{.*}}symbol = "linea_s0_gla", value_tile = 64 : i64}
// CHECK: form = "chunkwise", {{.*}}grid = [4, 2, 1], {{.*}}symbol = "linea_s0_gla_v32", value_tile = 32 : i64}
// CHECK: form = "chunkwise", {{.*}}grid = [2, 2, 1], {{.*}}symbol = "linea_s1_la", value_tile = 64 : i64}
// CHECK: form = "chunkwise", {{.*}}grid = [2, 4, 1], {{.*}}symbol = "linea_s1_la_v32", value_tile = 32 : i64}
// CHECK-LABEL: gpu.func @linea_s0_gla(
// CHECK-SAME: memref<2x2x300x8xvector<8xbf16>, #gpu.address_space<global>>
// CHECK-SAME: known_block_size = array<i32: 128, 1, 1>
// The gate pass: exp of cumulative log-gates.
// CHECK: llvm.nvvm.ex2.approx.ftz.f
// CHECK: nvvm.ldmatrix
// CHECK: nvvm.mma.sync
// K̃ᵀ fragments of the state update: ldmatrix .trans (layout col).
// CHECK: nvvm.ldmatrix {{.*}}layout = #nvvm.mma_layout<col>
// CHECK-LABEL: gpu.func @linea_s0_gla_v32(
// CHECK: nvvm.mma.sync
// CHECK-LABEL: gpu.func @linea_s1_la(
// CHECK: nvvm.mma.sync

// BOTH-DAG: symbol = "linea_s0_gla_cw"
// BOTH-DAG: symbol = "linea_s0_gla_cw_v32"
// BOTH-DAG: symbol = "linea_s0_gla"
// BOTH-DAG: symbol = "linea_s1_la_cw"
// BOTH-DAG: symbol = "linea_s1_la"

// Without the option: the chunkwise kernel with 32-column value tiles,
// under the plain symbol, and no recurrent kernel.
// DEFAULT: form = "chunkwise"{{.*}}symbol = "linea_s0_gla"{{.*}}value_tile = 32{{.*}}form = "chunkwise"{{.*}}symbol = "linea_s1_la"{{.*}}value_tile = 32
// DEFNOT-NOT: _cw
// DEFNOT-NOT: value_tile = 64

// PTX: .visible .entry linea_s0_gla(
// PTX: ldmatrix.sync.aligned.m8n8.x4.shared.b16
// PTX: ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16
// PTX: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// PTX: .visible .entry linea_s0_gla_v32(
// PTX: .visible .entry linea_s1_la(
// PTX: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32

// MANIFEST: "form": "chunkwise"
// MANIFEST: "op": "gated_linear_attention"
// MANIFEST: "form": "chunkwise"
// MANIFEST: "op": "linear_attention"

func.func @gla(%q: tensor<2x2x300x64xbf16>, %k: tensor<2x2x300x64xbf16>,
               %v: tensor<2x2x300x64xbf16>, %g: tensor<2x2x300x64xf32>,
               %s0: tensor<2x2x64x64xf32>)
    -> (tensor<2x2x300x64xbf16>, tensor<2x2x64x64xf32>) {
  %o, %s = linea.gated_linear_attention %q, %k, %v, %g initial_state %s0 {name = "gla"}
      : (tensor<2x2x300x64xbf16>, tensor<2x2x300x64xbf16>, tensor<2x2x300x64xbf16>,
         tensor<2x2x300x64xf32>, tensor<2x2x64x64xf32>)
      -> (tensor<2x2x300x64xbf16>, tensor<2x2x64x64xf32>)
  return %o, %s : tensor<2x2x300x64xbf16>, tensor<2x2x64x64xf32>
}

func.func @la(%q: tensor<1x2x200x128xf16>, %k: tensor<1x2x200x128xf16>,
              %v: tensor<1x2x200x128xf16>) -> tensor<1x2x200x128xf16> {
  %o = linea.linear_attention %q, %k, %v feature_map elu_plus_one {causal, name = "la"}
      : (tensor<1x2x200x128xf16>, tensor<1x2x200x128xf16>, tensor<1x2x200x128xf16>)
      -> tensor<1x2x200x128xf16>
  return %o : tensor<1x2x200x128xf16>
}
