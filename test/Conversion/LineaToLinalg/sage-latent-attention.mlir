// RUN: linea-opt %s --split-input-file --linea-to-linalg | FileCheck %s
// (numerics: python/tests/test_sage_attention.py, test_latent_attention.py)

// The reference SageAttention: block scales read through floordiv maps,
// round-to-even int8 values, an integer row max, exp2 and fp8 rounding.
// CHECK-DAG: #[[QBLOCK:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2 floordiv 32)>
// CHECK-DAG: #[[KBLOCK:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1 floordiv 2, d3 floordiv 64)>
// CHECK-LABEL: func.func @sage
// CHECK: math.roundeven
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[QBLOCK]], #[[KBLOCK]], #{{.*}}]
// CHECK: math.ceil
// CHECK: math.exp2
// CHECK-NOT: linea.attention
func.func @sage(%q: tensor<1x4x40x16xf32>, %k: tensor<1x2x70x16xf32>, %v: tensor<1x2x70x16xf32>) -> tensor<1x4x40x16xf32> {
  %o = linea.attention %q, %k, %v {quant = #linea.attn_quant<q_block = 32>}
      : (tensor<1x4x40x16xf32>, tensor<1x2x70x16xf32>, tensor<1x2x70x16xf32>) -> tensor<1x4x40x16xf32>
  return %o : tensor<1x4x40x16xf32>
}

// -----

// Latent attention: the reconstruction contracts the latent slice of the
// kv head's group with its rows of the up-projection, RoPE reads the
// partner feature (d + D/2) mod D, then plain attention in f32.
// CHECK-DAG: #[[LAT:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d2, (d1 floordiv 2) * 12 + d4)>
// CHECK-DAG: #[[UP:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d1 floordiv 2, (d1 mod 2) * 16 + d3, d4)>
// CHECK-DAG: #[[ROT:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, (d3 + 8) mod 16)>
// CHECK-LABEL: func.func @latent
// CHECK: linalg.generic {indexing_maps = [#[[LAT]], #[[UP]], #{{.*}}]
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[ROT]],
// CHECK-NOT: linea.
func.func @latent(%q: tensor<1x8x1x16xf32>, %hk: tensor<1x?x24xf32>,
                  %uk: tensor<2x32x12xf32>, %hv: tensor<1x?x16xf32>,
                  %uv: tensor<1x64x16xf32>, %cos: tensor<?x16xf32>,
                  %sin: tensor<?x16xf32>) -> tensor<1x8x1x16xf32> {
  %o = linea.latent_attention %q, %hk, %uk, %hv, %uv rope(%cos, %sin) {kv_heads = 4 : i64}
      : (tensor<1x8x1x16xf32>, tensor<1x?x24xf32>, tensor<2x32x12xf32>,
         tensor<1x?x16xf32>, tensor<1x64x16xf32>, tensor<?x16xf32>,
         tensor<?x16xf32>) -> tensor<1x8x1x16xf32>
  return %o : tensor<1x8x1x16xf32>
}
