// RUN: linea-opt %s --linea-to-gpu -split-input-file | FileCheck %s
// RUN: linea-opt %s --linea-to-gpu="rows-per-warp=1,4 unroll=1 grid-stride=0" -split-input-file | FileCheck %s --check-prefix=VARIANTS

// int4 g128, M = 1: one warp per 2 rows (default), 16-byte code loads,
// nibbles or-ed into 2^23 (1258291200 = 0x4B000000), the group scale applied
// to the chunk's partial sum, shuffle reduction, one store per row.
// CHECK: module attributes {gpu.container_module, linea.cuda_kernels = [{
// CHECK-SAME: args = [{dtype = "bf16", name = "x", shape = [1, 256]}, {dtype = "i8", name = "qweight", shape = [64, 128]}, {dtype = "bf16", name = "scales", shape = [64, 2]}, {dtype = "bf16", name = "y", shape = [1, 64]}]
// CHECK-SAME: block = [128, 1, 1]
// CHECK-SAME: element = "int4", grid = [8, 1, 1], grid_stride = true, group = 128 : i64, k = 256 : i64, layer = "fc", m = 1 : i64, m_tile = 1 : i64, n = 64 : i64, op = "quant_linear", rows_per_warp = 2 : i64, shared_bytes = 0 : i64, symbol = "linea_0_fc_r2u1_gs", tensor_cores = false, unroll = 1 : i64
// CHECK: gpu.module @linea_kernels [#nvvm.target<O = 3, chip = "sm_90a", features = "+ptx80">]
// CHECK-LABEL: gpu.func @linea_0_fc_r2u1_gs(
// CHECK-SAME: %{{.*}}: memref<1x32xvector<8xbf16>, #gpu.address_space<global>>
// CHECK-SAME: %{{.*}}: memref<64x8xvector<4xi32>, #gpu.address_space<global>>
// CHECK-SAME: %{{.*}}: memref<64x2xbf16, #gpu.address_space<global>>
// CHECK-SAME: %{{.*}}: memref<1x64xbf16, #gpu.address_space<global>>) kernel
// CHECK-SAME: known_block_size = array<i32: 128, 1, 1>
// CHECK: %[[MAGIC:.+]] = arith.constant dense<1258291200> : vector<8xi32>
// Grid-stride loop over groups of 4 warps × 2 rows: 64 rows = 8 groups.
// CHECK: %[[GRID:.+]] = gpu.grid_dim x
// CHECK: scf.for %{{.*}} = %{{.*}} to %c8{{.*}} step %[[GRID]]
// CHECK: %[[FLIP:.+]] = arith.constant dense<-2004318072> : vector<4xi32>
// CHECK: scf.for
// CHECK: memref.load %{{.*}} : memref<64x8xvector<4xi32>, #gpu.address_space<global>>
// CHECK: arith.xori %{{.*}}, %[[FLIP]] : vector<4xi32>
// CHECK: arith.ori %{{.*}}, %[[MAGIC]] : vector<8xi32>
// CHECK: arith.bitcast %{{.*}} : vector<8xi32> to vector<8xf32>
// CHECK: vector.fma
// CHECK: scf.yield
// CHECK: gpu.shuffle xor %{{.*}}, %{{.*}}, %{{.*}} : f32
// CHECK: memref.store %{{.*}} : memref<1x64xbf16, #gpu.address_space<global>>
// The linea op stays: the runtime, not the host IR, launches the kernel.
// CHECK: linea.quant_linear

// VARIANTS: grid_stride = false
// VARIANTS-SAME: symbol = "linea_0_fc_r1u1"
// VARIANTS: symbol = "linea_0_fc_r4u1"
// VARIANTS: gpu.func @linea_0_fc_r1u1
// VARIANTS: gpu.func @linea_0_fc_r4u1
func.func @int4(%x: tensor<1x256xbf16>, %qw: tensor<64x128xi8>,
                %s: tensor<64x2xbf16>) -> tensor<1x64xbf16> {
  %y = linea.quant_linear %x, %qw, %s format <int4, group 128, scale bf16>
      {name = "fc"}
      : (tensor<1x256xbf16>, tensor<64x128xi8>, tensor<64x2xbf16>) -> tensor<1x64xbf16>
  return %y : tensor<1x64xbf16>
}

// -----

// uint4 with zero points and bias, M = 6 (one block row of x per 6): the
// zero point enters the offset 2^23 + z, the scale multiplies the decoded
// weights once for all rows of x; grid.y = 1.
// CHECK-LABEL: gpu.func @linea_0_layer0_r2u1_gs(
// CHECK-SAME: memref<6x128xvector<8xf16>, #gpu.address_space<global>>
// CHECK-SAME: memref<40x32xvector<4xi32>, #gpu.address_space<global>>
// CHECK-SAME: memref<40x8xf16, #gpu.address_space<global>>
// CHECK-SAME: memref<40x8xi8, #gpu.address_space<global>>
// CHECK-SAME: memref<40xf16, #gpu.address_space<global>>
// CHECK-SAME: memref<6x40xf16, #gpu.address_space<global>>
// CHECK: scf.for
// CHECK: arith.extui %{{.*}} : i8 to i32
// CHECK: arith.uitofp
// CHECK: arith.mulf %{{.*}} : vector<8xf32>
// CHECK: vector.fma
// CHECK: gpu.shuffle xor
// CHECK: arith.addf
// CHECK: memref.store %{{.*}} : memref<6x40xf16, #gpu.address_space<global>>
func.func @uint4(%x: tensor<2x3x1024xf16>, %qw: tensor<40x512xi8>,
                 %s: tensor<40x8xf16>, %z: tensor<40x8xi8>,
                 %b: tensor<40xf16>) -> tensor<2x3x40xf16> {
  %y = linea.quant_linear %x, %qw, %s zero_points %z bias %b
      format <uint4, group 128, scale f16>
      : (tensor<2x3x1024xf16>, tensor<40x512xi8>, tensor<40x8xf16>,
         tensor<40x8xi8>, tensor<40xf16>) -> tensor<2x3x40xf16>
  return %y : tensor<2x3x40xf16>
}

// -----

// Dense bf16: 8 values per 16-byte load, M = 32 tiled by 16 over grid.y;
// 16×2 accumulators are scalars (vector<8> ones would not fit in registers).
// CHECK: grid = [1, 2, 1]
// CHECK-SAME: m_tile = 16
// CHECK-LABEL: gpu.func @linea_0_dense_r2u1_gs(
// CHECK-SAME: memref<32x8xvector<8xbf16>, #gpu.address_space<global>>
// CHECK-SAME: memref<8x8xvector<8xbf16>, #gpu.address_space<global>>
// CHECK: arith.extf %{{.*}} : vector<8xbf16> to vector<8xf32>
// CHECK: arith.mulf %{{.*}} : vector<8xf32>
// CHECK: vector.reduction <add>, %{{.*}} : vector<8xf32> into f32
func.func @dense(%x: tensor<32x64xbf16>, %w: tensor<8x64xbf16>) -> tensor<32x8xbf16> {
  %y = linea.linear %x, %w {name = "dense"}
      : (tensor<32x64xbf16>, tensor<8x64xbf16>) -> tensor<32x8xbf16>
  return %y : tensor<32x8xbf16>
}
