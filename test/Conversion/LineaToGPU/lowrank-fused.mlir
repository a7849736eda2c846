// lowrank_linear in one kernel (lowrank-fused=1, GemvKernel.cpp): blocks
// 0 … r/8 − 1 compute t = x·vᵀ and count themselves done (membar.gl, then
// one atomic add per block); the N/8 blocks after them wait on that count
// (atomic read, nanosleep), the last one past resets the counter, and all
// compute y = t·uᵀ + bias with the fused epilogue. The manifest adds the
// i32 [2] workspace `sync` before y; lowrank-fused=0,1 builds both forms.
// RUN: rm -rf %t && linea-opt %s --pass-pipeline='builtin.module(linea-to-gpu{lowrank-fused=0,1},gpu.module(convert-scf-to-cf,convert-gpu-to-nvvm{use-bare-ptr-memref-call-conv=true}),reconcile-unrealized-casts,gpu-module-to-binary{format=isa},linea-write-cuda-artifacts{out-dir=%t ptxas=none})' -o /dev/null
// RUN: FileCheck %s --input-file %t/manifest.json
// RUN: FileCheck %s --check-prefix=PTX --input-file %t/linea_kernels.ptx
// RUN: linea-opt %s --linea-to-gpu | FileCheck %s --check-prefix=DEFAULT

// The fused entry: one launch of 16/8 + 64/8 = 10 blocks.
// CHECK: "name": "t",
// CHECK: "dtype": "i32",
// CHECK-NEXT: "name": "sync",
// CHECK: "name": "y",
// CHECK: "epilogue": {
// CHECK-NEXT: "combine": "add"
// CHECK: "grid": [
// CHECK-NEXT: 10,
// CHECK: "kind": "lowrank_fused",
// CHECK-NOT: "launches"
// CHECK: "symbol": "linea_0_lr_r2u1_fused",
// The two-launch entry after it.
// CHECK: "launches": [
// CHECK: "symbol": "linea_0_lr_r2u1_p1"
// CHECK: "symbol": "linea_0_lr_r2u1_p2"

// PTX-LABEL: .visible .entry linea_0_lr_r2u1_fused(
// PTX: membar.gl;
// PTX: bar.sync 0;
// PTX: atom.global.add.u32 {{.*}}, 1;
// PTX: atom.global.or.b32 {{.*}}, 0;
// PTX: nanosleep.u32
// PTX: atom.global.exch.b32
// PTX: membar.gl;
// PTX: bar.sync 0;
// PTX: ld.global.b16
// PTX: st.global.b16

// Without the option: only the two launches.
// DEFAULT-NOT: _fused
// DEFAULT: gpu.func @linea_0_lr_r2u1_p1
// DEFAULT-NOT: _fused

#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @lr(%x: tensor<1x256xbf16>, %u: tensor<64x16xbf16>,
              %v: tensor<16x256xbf16>, %b: tensor<64xbf16>,
              %r: tensor<1x64xbf16>) -> tensor<1x64xbf16> {
  %y = linea.lowrank_linear %x, %u, %v bias %b {name = "lr"}
      : (tensor<1x256xbf16>, tensor<64x16xbf16>, tensor<16x256xbf16>, tensor<64xbf16>) -> tensor<1x64xbf16>
  %e = tensor.empty() : tensor<1x64xbf16>
  %s = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%r, %y : tensor<1x64xbf16>, tensor<1x64xbf16>) outs(%e : tensor<1x64xbf16>) {
  ^bb0(%a: bf16, %c: bf16, %o: bf16):
    %z = arith.addf %a, %c : bf16
    linalg.yield %z : bf16
  } -> tensor<1x64xbf16>
  return %s : tensor<1x64xbf16>
}
