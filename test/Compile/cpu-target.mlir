// linea-compile --cpu: the kernels' vector width and VNNI use and LLVM's
// code generation follow the named CPU, not the machine that compiles.
// x86-64-v3 (AVX2 + FMA) gets 8-lane ymm code and no AVX-512 instruction
// anywhere; cascadelake (AVX-512 + VNNI) gets zmm code and the W8A8
// layer's vpdpwssd. The disassembly of the whole library is checked, so
// neither the kernels nor LLVM's own vectorisation may use zmm on v3.
// Numerics of a v3 library: python/tests/test_aot_runtime.py.
// RUN: rm -rf %t && mkdir -p %t
// RUN: linea-compile %s --name v3 --cpu=x86-64-v3 -o %t/v3 | FileCheck %s --check-prefix=DONE
// RUN: llvm-objdump -d --no-show-raw-insn %t/v3/libv3.so | FileCheck %s --check-prefix=V3 --implicit-check-not=zmm --implicit-check-not=vpdpwssd
// RUN: linea-compile %s --name clx --cpu=cascadelake --progress -o %t/clx 2>%t/clx.err | FileCheck %s --check-prefix=DONE
// RUN: FileCheck %s --check-prefix=PROGRESS --input-file=%t/clx.err
// RUN: llvm-objdump -d --no-show-raw-insn %t/clx/libclx.so | FileCheck %s --check-prefix=CLX
// RUN: not linea-compile %s --cpu=pentium-9000 -o %t/bad 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// RUN: not linea-compile %s --cpu=x86-64-v3 --autotune -o %t/bad 2>&1 | FileCheck %s --check-prefix=AUTOTUNE
// RUN: not linea-compile %s --cpu=x86-64-v3 --target=cuda -o %t/bad 2>&1 | FileCheck %s --check-prefix=CUDA
// RUN: not linea-opt %s --linea-lower-to-llvm=target-cpu=pentium-9000 2>&1 | FileCheck %s --check-prefix=PIPELINE
// DONE: wrote {{.*}}.so (1 function)
// V3: vfmadd{{[0-9]+}}ps {{.*}}%ymm
// CLX: vfmadd{{[0-9]+}}ps {{.*}}%zmm
// CLX: vpdpwssd
// PROGRESS: codegen: {{.*}} (LLVM, cascadelake)
// UNKNOWN: error: --cpu: unknown CPU 'pentium-9000' (examples: native, x86-64, x86-64-v2, x86-64-v3, x86-64-v4, haswell, skylake-avx512, cascadelake, sapphirerapids, znver3, znver4)
// AUTOTUNE: error: --autotune times candidates on this machine: use it with --cpu=native, or pass a --tile-table measured on the target
// CUDA: error: --cpu applies to --target=cpu
// PIPELINE: error: linea-lower-to-llvm: target-cpu: unknown CPU 'pentium-9000'
func.func @main(%x: tensor<?x256xf32>, %q: tensor<64x256xi8>, %s: tensor<64x1xf32>, %w: tensor<64x256xf32>) -> (tensor<?x64xf32>, tensor<?x64xf32>) {
  %a = linea.quant_linear %x, %q, %s format <int8, act dynamic_int8_per_token> : (tensor<?x256xf32>, tensor<64x256xi8>, tensor<64x1xf32>) -> tensor<?x64xf32>
  %b = linea.linear %x, %w : (tensor<?x256xf32>, tensor<64x256xf32>) -> tensor<?x64xf32>
  return %a, %b : tensor<?x64xf32>, tensor<?x64xf32>
}
