//===- LineaAttrs.td - linea enums and attributes --------------*- tablegen -*-===//

#ifndef LINEA_ATTRS_TD
#define LINEA_ATTRS_TD

include "linea/Dialect/Linea/IR/LineaBase.td"
include "mlir/IR/EnumAttr.td"

//===----------------------------------------------------------------------===//
// Quantization format
//===----------------------------------------------------------------------===//

def Linea_QElement : I32EnumAttr<"QElement",
    "element encoding of a quantized weight", [
      I32EnumAttrCase<"int8", 0>,
      I32EnumAttrCase<"uint8", 1>,
      I32EnumAttrCase<"int4", 2>,
      I32EnumAttrCase<"uint4", 3>,
      I32EnumAttrCase<"int6", 4>,
      I32EnumAttrCase<"fp8_e4m3", 5>,
      I32EnumAttrCase<"fp8_e5m2", 6>,
      I32EnumAttrCase<"mxfp4", 7>,
      I32EnumAttrCase<"nvfp4", 8>,
      I32EnumAttrCase<"nf4", 9>]> {
  let cppNamespace = "::linea";
  let genSpecializedAttr = 0;
}

def Linea_Granularity : I32EnumAttr<"Granularity",
    "what one scale covers", [
      I32EnumAttrCase<"tensor", 0>,
      I32EnumAttrCase<"channel", 1>,
      I32EnumAttrCase<"group", 2>]> {
  let cppNamespace = "::linea";
  let genSpecializedAttr = 0;
}

def Linea_ActMode : I32EnumAttr<"ActMode",
    "how activations are quantized before the product", [
      I32EnumAttrCase<"weight_only", 0>,
      I32EnumAttrCase<"dynamic_int8_per_token", 1>,
      I32EnumAttrCase<"fp8_per_tensor", 2>,
      I32EnumAttrCase<"fp8_per_token", 3>]> {
  let cppNamespace = "::linea";
  let genSpecializedAttr = 0;
}

def Linea_QFormatAttr : Linea_Attr<"QFormat", "qformat"> {
  let summary = "Encoding of a quantized weight matrix";
  let description = [{
    Names everything needed to decode `linea.quant_linear`'s packed weight
    bit for bit (docs/formats.md is the normative description):

    - `element`: int8, uint8, int4, uint4, int6, fp8_e4m3, fp8_e5m2, mxfp4
      (e2m1 values), nvfp4 (e2m1 values), nf4 (16-entry normal codebook);
    - `granularity`: one scale per `tensor`, per output `channel` (row), or
      per `group` of `group_size` consecutive input features of a row;
    - `symmetric` (ŵ = s·q) or `asymmetric` (ŵ = s·(q − z), zero points
      given); unsigned elements are asymmetric, the others symmetric;
    - `scale`: the element type of the scales operand (f32, f16, bf16;
      f8E8M0FNU for mxfp4, f8E4M3FN for nvfp4);
    - `act`: weight_only, dynamic_int8_per_token, fp8_per_tensor (static
      scale operand) or fp8_per_token.

    Syntax: the element first, then optional `key`/`key value` entries in
    any order; omitted entries take the element's defaults (mxfp4: group 32,
    scale f8E8M0FNU; nvfp4: group 16, scale f8E4M3FN; nf4: group 64; others:
    channel; scale f32; symmetric unless unsigned; act weight_only):

    ```mlir
    #linea.qformat<int8>                                   // per channel
    #linea.qformat<uint4, group 128, scale f16>            // asymmetric
    #linea.qformat<int8, act dynamic_int8_per_token>       // W8A8
    #linea.qformat<mxfp4>
    #linea.qformat<fp8_e4m3, tensor, act fp8_per_tensor>
    ```
  }];
  let parameters = (ins "QElement":$element, "Granularity":$granularity,
                        "int64_t":$groupSize, "bool":$symmetric,
                        "mlir::Type":$scaleType, "ActMode":$act);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// Bits one element occupies in the packed stream (8, 6 or 4).
    unsigned getElementBits() const;
    /// Number of scales along K for a row of K input features.
    int64_t getScaleColumns(int64_t inFeatures) const;
    /// Number of scale rows for N output features.
    int64_t getScaleRows(int64_t outFeatures) const;
    /// Input features one scale covers (K for tensor and channel).
    int64_t getScaleSpan(int64_t inFeatures) const;
    /// The plain-C++ description of this format that lib/Numerics decodes
    /// and encodes with (for materializeDenseWeight and quantization
    /// passes).
    ::linea::numerics::QuantSpec toQuantSpec() const;
  }];
}

//===----------------------------------------------------------------------===//
// Quantized attention (SageAttention)
//===----------------------------------------------------------------------===//

def Linea_AttnValues : I32EnumAttr<"AttnValues",
    "precision of P and V in quantized attention's P·V product", [
      I32EnumAttrCase<"exact", 0>,
      I32EnumAttrCase<"fp8_e4m3", 1>,
      I32EnumAttrCase<"fp8_e4m3_smoothed", 2>]> {
  let cppNamespace = "::linea";
  let genSpecializedAttr = 0;
}

def Linea_AttnQuantAttr : Linea_Attr<"AttnQuant", "attn_quant"> {
  let summary = "SageAttention-style quantization of linea.attention";
  let description = [{
    Makes `linea.attention` compute its scores from int8 queries and keys
    and, optionally, its P·V product from fp8 E4M3 probabilities and values
    (REWRITES.md §7; SageAttention, Zhang et al., 2024/25). Set by
    `linea-quantize-attention`; the exact math is in `linea.attention`'s
    description. Parameters, all optional:

    - `q_block` (default 128): queries per int8 scale of q;
    - `k_block` (default 64): keys per int8 scale of the smoothed k;
    - `values` (default `fp8_e4m3`): `exact` (P and V in f32, SageAttention
      v1's P·V), `fp8_e4m3` (P and V rounded to fp8 E4M3, V per channel,
      SageAttention v2) or `fp8_e4m3_smoothed` (V's per-channel token mean
      subtracted before rounding and added back to o).

    ```mlir
    #linea.attn_quant<>
    #linea.attn_quant<q_block = 64, values = fp8_e4m3_smoothed>
    ```
  }];
  let parameters = (ins
      DefaultValuedParameter<"int64_t", "128">:$q_block,
      DefaultValuedParameter<"int64_t", "64">:$k_block,
      DefaultValuedParameter<"AttnValues", "AttnValues::fp8_e4m3">:$values);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

//===----------------------------------------------------------------------===//
// Other enums
//===----------------------------------------------------------------------===//

def Linea_FeatureMap : I32EnumAttr<"FeatureMap",
    "feature map φ of linear attention", [
      I32EnumAttrCase<"elu_plus_one", 0>,
      I32EnumAttrCase<"relu", 1>,
      I32EnumAttrCase<"identity", 2>,
      I32EnumAttrCase<"binary", 3>]> {
  let cppNamespace = "::linea";
}

#endif // LINEA_ATTRS_TD
