// RUN: linea-opt %s -split-input-file -verify-diagnostics

// One case per rule of #linea.qformat's parser and verifier.

// Unknown element.
// expected-error @+1 {{unknown qformat element 'int3'}}
func.func private @f() attributes {fmt = #linea.qformat<int3>}

// -----

// Unknown entry.
// expected-error @+1 {{unknown qformat entry 'blocked' (expected tensor, channel, group N, symmetric, asymmetric, scale TYPE or act MODE)}}
func.func private @f() attributes {fmt = #linea.qformat<int8, blocked>}

// -----

// Unknown activation mode.
// expected-error @+1 {{unknown activation mode 'int4_per_token'}}
func.func private @f() attributes {fmt = #linea.qformat<int8, act int4_per_token>}

// -----

// Group without a size.
// expected-error @+1 {{expected integer value}}
func.func private @f() attributes {fmt = #linea.qformat<int4, group>}

// -----

// Group size zero.
// expected-error @+1 {{qformat group size must be positive, got 0}}
func.func private @f() attributes {fmt = #linea.qformat<int4, group 0>}

// -----

// Negative group size.
// expected-error @+1 {{qformat group size must be positive, got -64}}
func.func private @f() attributes {fmt = #linea.qformat<int4, group -64>}

// -----

// Granularity given twice.
// expected-error @+1 {{qformat granularity given twice}}
func.func private @f() attributes {fmt = #linea.qformat<int8, tensor, channel>}

// -----

// Symmetry given twice.
// expected-error @+1 {{qformat symmetry given twice}}
func.func private @f() attributes {fmt = #linea.qformat<uint4, asymmetric, symmetric>}

// -----

// Scale given twice.
// expected-error @+1 {{qformat scale given twice}}
func.func private @f() attributes {fmt = #linea.qformat<int8, scale f16, scale f32>}

// -----

// Mxfp4 scales per 32, not 16.
// expected-error @+1 {{qformat mxfp4 needs group 32, got group 16}}
func.func private @f() attributes {fmt = #linea.qformat<mxfp4, group 16>}

// -----

// Mxfp4 per channel.
// expected-error @+1 {{qformat mxfp4 needs group 32, got channel}}
func.func private @f() attributes {fmt = #linea.qformat<mxfp4, channel>}

// -----

// Mxfp4 needs e8m0 scales.
// expected-error @+1 {{qformat mxfp4 needs f8E8M0FNU scales, got 'f32'}}
func.func private @f() attributes {fmt = #linea.qformat<mxfp4, scale f32>}

// -----

// Nvfp4 scales per 16, not 32.
// expected-error @+1 {{qformat nvfp4 needs group 16, got group 32}}
func.func private @f() attributes {fmt = #linea.qformat<nvfp4, group 32>}

// -----

// Nvfp4 needs e4m3 scales.
// expected-error @+1 {{qformat nvfp4 needs f8E4M3FN scales, got 'f16'}}
func.func private @f() attributes {fmt = #linea.qformat<nvfp4, scale f16>}

// -----

// E4m3 scales belong to nvfp4.
// expected-error @+1 {{qformat int8 needs f32, f16 or bf16 scales, got 'f8E4M3FN'}}
func.func private @f() attributes {fmt = #linea.qformat<int8, scale f8E4M3FN>}

// -----

// Integer scales.
// expected-error @+1 {{qformat int4 needs f32, f16 or bf16 scales, got 'i8'}}
func.func private @f() attributes {fmt = #linea.qformat<int4, group 128, scale i8>}

// -----

// Unsigned codes need zero points.
// expected-error @+1 {{qformat element uint4 must be asymmetric (unsigned codes need zero points)}}
func.func private @f() attributes {fmt = #linea.qformat<uint4, group 128, symmetric>}

// -----

// Signed integers are symmetric.
// expected-error @+1 {{qformat element int8 must be symmetric}}
func.func private @f() attributes {fmt = #linea.qformat<int8, asymmetric>}

// -----

// Float codes are symmetric.
// expected-error @+1 {{qformat element fp8_e4m3 must be symmetric}}
func.func private @f() attributes {fmt = #linea.qformat<fp8_e4m3, asymmetric>}

// -----

// Nf4 is symmetric.
// expected-error @+1 {{qformat element nf4 must be symmetric}}
func.func private @f() attributes {fmt = #linea.qformat<nf4, asymmetric>}

// -----

// Int8 activations need integer weights.
// expected-error @+1 {{qformat activation mode dynamic_int8_per_token needs an integer element, got fp8_e4m3}}
func.func private @f() attributes {fmt = #linea.qformat<fp8_e4m3, act dynamic_int8_per_token>}

// -----

// Int8 activations need integer weights (mxfp4).
// expected-error @+1 {{qformat activation mode dynamic_int8_per_token needs an integer element, got mxfp4}}
func.func private @f() attributes {fmt = #linea.qformat<mxfp4, act dynamic_int8_per_token>}

// -----

// Fp8 activations with int8 weights.
// expected-error @+1 {{qformat activation mode fp8_per_tensor pairs with fp8, fp4 or 4-bit integer weights, got int8}}
func.func private @f() attributes {fmt = #linea.qformat<int8, act fp8_per_tensor>}

// -----

// Fp8 activations with int6 weights.
// expected-error @+1 {{qformat activation mode fp8_per_token pairs with fp8, fp4 or 4-bit integer weights, got int6}}
func.func private @f() attributes {fmt = #linea.qformat<int6, act fp8_per_token>}

// -----

// Entries are separated by commas.
// expected-error @+1 {{expected '>'}}
func.func private @f() attributes {fmt = #linea.qformat<int8 channel>}
