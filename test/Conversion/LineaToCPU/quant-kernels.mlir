// RUN: linea-opt %s --split-input-file --linea-cpu-quant-kernels="vector-width=16 tile-m=2 tile-n=2 min-parallel-weights=0 panel-min-rows=0" | FileCheck %s
// RUN: linea-opt %s --split-input-file --linea-lower-to-llvm | FileCheck %s --check-prefix=LLVM
// RUN: linea-opt %s --split-input-file --linea-cpu-quant-kernels="vector-width=16 int-dot=true min-parallel-weights=0" | FileCheck %s --check-prefix=INTDOT
// RUN: linea-opt %s --split-input-file --linea-cpu-quant-kernels | FileCheck %s --check-prefix=SERIAL
// These layers are small (N·K < min-parallel-weights): no threads.
// SERIAL-NOT: scf.parallel

// int4 groups of 128 at K = 200: the layer becomes a call on buffers; the
// kernel splits x into even/odd planes (100 bytes padded to 112), loops over
// blocks of W rows in an scf.parallel, decodes 16 packed bytes at a time
// (two nibble planes, one scale per group) and ends the partial last group
// (72 codes = 36 bytes = 2 whole vectors + 4 bytes) with a masked load. No
// dense f32 weight (13x200xf32) exists anywhere.
// (numerics: python/tests/test_quant_kernels.py)
// CHECK-LABEL: func.func @int4_group
// CHECK-NOT: 13x200xf32
// CHECK-DAG: %[[X:.*]] = bufferization.to_buffer %arg0 read_only : tensor<?x200xf32> to memref<?x200xf32>
// CHECK-DAG: %[[Q:.*]] = bufferization.to_buffer %arg1 read_only : tensor<13x100xi8> to memref<13x100xi8>
// CHECK-DAG: %[[S:.*]] = bufferization.to_buffer %arg2 read_only : tensor<13x2xf16> to memref<13x2xf16>
// CHECK: %[[Y:.*]] = memref.alloc(%{{.*}}) : memref<?x13xf32>
// CHECK: call @[[KERNEL:__linea_quant_kernel[_0-9]*]](%[[X]], %[[Q]], %[[S]], %[[Y]])
// CHECK: %[[T:.*]] = bufferization.to_tensor %[[Y]] restrict writable
// CHECK: return %[[T]]
// CHECK: func.func private @[[KERNEL]](%{{.*}}: memref<?x200xf32>, %{{.*}}: memref<13x100xi8>, %{{.*}}: memref<13x2xf16>, %{{.*}}: memref<?x13xf32>)
// CHECK-NOT: 13x200xf32
// CHECK: memref.alloc(%{{.*}}) : memref<?x2x112xf32>
// CHECK: scf.parallel
// CHECK: memref.load {{.*}} : memref<13x2xf16>
// CHECK: arith.extf {{.*}} : f16 to f32
// CHECK: vector.load {{.*}} : memref<13x100xi8>, vector<16xi8>
// CHECK: arith.extsi {{.*}} : vector<16xi8> to vector<16xi32>
// CHECK: arith.shli
// CHECK: arith.shrsi
// CHECK: arith.shrsi
// CHECK: arith.sitofp {{.*}} : vector<16xi32> to vector<16xf32>
// CHECK: arith.mulf {{.*}} : vector<16xf32>
// CHECK: vector.load {{.*}} : memref<?x2x112xf32>, vector<16xf32>
// CHECK: vector.fma {{.*}} : vector<16xf32>
// CHECK: vector.maskedload {{.*}} : memref<13x100xi8>, vector<16xi1>, vector<16xi8> into vector<16xi8>
// CHECK: vector.reduction <add>, {{.*}} fastmath<reassoc> : vector<16xf32> into f32
// CHECK-NOT: 13x200xf32
// LLVM-LABEL: llvm.func @int4_group
// LLVM: llvm.call @__linea_quant_kernel
// LLVM: llvm.intr.masked.load {{.*}} -> vector<16xi8>
// LLVM: llvm.intr.fmuladd({{.*}}) : (vector<16xf32>, vector<16xf32>, vector<16xf32>) -> vector<16xf32>
func.func @int4_group(%x: tensor<?x200xf32>, %q: tensor<13x100xi8>, %s: tensor<13x2xf16>) -> tensor<?x13xf32> {
  %y = linea.quant_linear %x, %q, %s format <int4, group 128, scale f16> : (tensor<?x200xf32>, tensor<13x100xi8>, tensor<13x2xf16>) -> tensor<?x13xf32>
  return %y : tensor<?x13xf32>
}

// -----

// uint8 per channel with zero points and bias, static M: unsigned widening,
// q − z in f32, the one scale applied to the finished sum, the bias as the
// reduction's start. K = 40 bytes: 2 whole vectors and a masked 8-byte
// tail; x has one plane.
// CHECK-LABEL: func.func @uint8_bias
// CHECK: %[[X:.*]] = bufferization.to_buffer %arg0 read_only : tensor<3x40xf32> to memref<3x40xf32>
// CHECK: memref.cast %[[X]] : memref<3x40xf32> to memref<?x40xf32>
// CHECK: memref.alloc() : memref<3x13xf32>
// CHECK: func.func private @__linea_quant_kernel
// CHECK: memref.alloc(%{{.*}}) : memref<?x1x48xf32>
// CHECK: %[[S:.*]] = memref.load {{.*}} : memref<13x1xf32>
// CHECK: %[[SCALE:.*]] = vector.broadcast %[[S]]
// CHECK: memref.load {{.*}} : memref<13x1xi8>
// CHECK: arith.uitofp {{.*}} : i8 to f32
// CHECK: vector.load {{.*}} : memref<13x40xi8>, vector<16xi8>
// CHECK: arith.extui {{.*}} : vector<16xi8> to vector<16xi32>
// CHECK: arith.sitofp
// CHECK: arith.subf
// CHECK-NOT: arith.mulf
// CHECK: vector.fma
// CHECK: vector.maskedload
// CHECK: vector.fma
// CHECK: vector.fma %{{.*}}, %[[SCALE]], %{{.*}} : vector<16xf32>
// CHECK: %[[B:.*]] = memref.load {{.*}} : memref<13xf32>
// CHECK: vector.reduction <add>, %{{.*}}, %[[B]]
func.func @uint8_bias(%x: tensor<3x40xf32>, %q: tensor<13x40xi8>, %s: tensor<13x1xf32>, %z: tensor<13x1xi8>, %b: tensor<13xf32>) -> tensor<3x13xf32> {
  %y = linea.quant_linear %x, %q, %s zero_points %z bias %b format <uint8> : (tensor<3x40xf32>, tensor<13x40xi8>, tensor<13x1xf32>, tensor<13x1xi8>, tensor<13xf32>) -> tensor<3x13xf32>
  return %y : tensor<3x13xf32>
}

// -----

// W8A8: x̂ = clamp(roundEven(x / s_t), −127, 127) · s_t per token in the
// prologue, with s_t = max|x_t| / 127 (1 for a zero token).
// CHECK-LABEL: func.func @w8a8
// CHECK: func.func private @__linea_quant_kernel
// CHECK: math.absf
// CHECK: arith.maximumf
// CHECK: arith.divf
// CHECK: math.roundeven
// CHECK: arith.maximumf
// CHECK: arith.minimumf
// CHECK: arith.mulf
// CHECK: scf.parallel
// CHECK: vector.load {{.*}} : memref<8x64xi8>, vector<16xi8>
// With int-dot, x̂'s integer codes are stored as i16 with their s_t, and
// 32 codes a step are multiplied as i16 pairs summed in 16 i32 lanes; the
// per-channel scale meets the integer sum once, s_t at the end.
// INTDOT-LABEL: func.func @w8a8
// INTDOT: func.func private @__linea_quant_kernel
// INTDOT-DAG: %[[XS:.*]] = memref.alloc(%{{.*}}) : memref<?x1x64xi16>
// INTDOT-DAG: %[[ST:.*]] = memref.alloc(%{{.*}}) : memref<?xf32>
// INTDOT: math.roundeven
// INTDOT: arith.fptosi {{.*}} : f32 to i16
// INTDOT: vector.load {{.*}} : memref<8x64xi8>, vector<32xi8>
// INTDOT: arith.extsi {{.*}} : vector<32xi8> to vector<32xi16>
// INTDOT: vector.load %[[XS]]{{.*}} : memref<?x1x64xi16>, vector<32xi16>
// INTDOT: vector.shuffle
// INTDOT: arith.muli {{.*}} : vector<16xi32>
// INTDOT: arith.addi {{.*}} : vector<16xi32>
// INTDOT: arith.sitofp {{.*}} : vector<16xi32> to vector<16xf32>
// INTDOT: vector.fma
// INTDOT: vector.reduction <add>
// INTDOT: memref.load %[[ST]]
// INTDOT-NOT: memref<8x64xf32>
func.func @w8a8(%x: tensor<?x64xf32>, %q: tensor<8x64xi8>, %s: tensor<8x1xf32>) -> tensor<?x8xf32> {
  %y = linea.quant_linear %x, %q, %s format <int8, act dynamic_int8_per_token> : (tensor<?x64xf32>, tensor<8x64xi8>, tensor<8x1xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

// -----

// Two layers of one type and format share one kernel.
// CHECK-LABEL: func.func @shared
// CHECK: call @[[K:__linea_quant_kernel[_0-9]*]](
// CHECK: call @[[K]](
// CHECK: func.func private @[[K]]
// CHECK-NOT: func.func private
func.func @shared(%x: tensor<?x32xf32>, %q: tensor<8x16xi8>, %s: tensor<8x1xf32>) -> tensor<?x8xf32> {
  %y0 = linea.quant_linear %x, %q, %s format <int4> : (tensor<?x32xf32>, tensor<8x16xi8>, tensor<8x1xf32>) -> tensor<?x8xf32>
  %y1 = linea.quant_linear %x, %q, %s format <int4> : (tensor<?x32xf32>, tensor<8x16xi8>, tensor<8x1xf32>) -> tensor<?x8xf32>
  %y = arith.addf %y0, %y1 : tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

// -----

// int6 per channel at K = 200: four codes per 3-byte unit, so x is split into
// four planes of 50 units (padded to 64), 16 units (48 bytes) are loaded at a
// time as 12 i32 words, permuted and shifted into one unit per lane, and the
// four sign-extended 6-bit codes are shifted out of each lane; the last 2
// units (6 bytes) are a masked load.
// CHECK-LABEL: func.func @int6_channel
// CHECK: func.func private @[[KERNEL:__linea_quant_kernel[_0-9]*]](%{{.*}}: memref<?x200xf32>, %{{.*}}: memref<13x150xi8>
// CHECK: memref.alloc(%{{.*}}) : memref<?x4x64xf32>
// CHECK: vector.load {{.*}} : memref<13x150xi8>, vector<48xi8>
// CHECK: vector.bitcast {{.*}} : vector<48xi8> to vector<12xi32>
// CHECK: vector.shuffle {{.*}} : vector<12xi32>, vector<12xi32>
// CHECK: arith.shrui {{.*}} : vector<16xi32>
// CHECK: vector.shuffle {{.*}} : vector<12xi32>, vector<12xi32>
// CHECK: arith.shli {{.*}} : vector<16xi32>
// CHECK: arith.ori
// CHECK-COUNT-4: arith.shrsi
// CHECK: vector.maskedload {{.*}} : memref<13x150xi8>, vector<48xi1>, vector<48xi8> into vector<48xi8>
// LLVM-LABEL: llvm.func @int6_channel
// LLVM: llvm.call @__linea_quant_kernel
func.func @int6_channel(%x: tensor<?x200xf32>, %q: tensor<13x150xi8>, %s: tensor<13x1xf32>) -> tensor<?x13xf32> {
  %y = linea.quant_linear %x, %q, %s format <int6> : (tensor<?x200xf32>, tensor<13x150xi8>, tensor<13x1xf32>) -> tensor<?x13xf32>
  return %y : tensor<?x13xf32>
}
