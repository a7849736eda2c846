//===- QuantOps.td - quantized linear layer ---------------*- tablegen -*-===//

#ifndef LINEA_QUANTOPS_TD
#define LINEA_QUANTOPS_TD

include "linea/Dialect/Linea/IR/LinearOps.td"
include "linea/Dialect/Linea/IR/LineaAttrs.td"

/// A scalar f32 operand given as tensor<f32> or tensor<1xf32> (the verifier
/// checks the shape).
def Linea_F32ScalarTensor : RankedTensorOf<[F32]>;

def Linea_QuantLinearOp : Linea_LinearLayerOp<"quant_linear", "",
                                              [AttrSizedOperandSegments]> {
  let summary = "Linear layer with a packed quantized weight";
  let description = [{
    `y = x̂ · Ŵᵀ + bias`, accumulated in f32, where `Ŵ[N, K]` is the packed
    weight `qweight` decoded under `format` (a `#linea.qformat`, written
    after the keyword `format` without its `#linea.qformat` prefix) and `x̂`
    is `x` as the format's activation mode sees it. docs/formats.md is the
    normative description of every bit; this is a summary.

    Operands (K is the last dimension of `x`, N the rows of `qweight`, b the
    element bits of the format: 8, 6 or 4):
    - `x : tensor<...xKxT>`, T in f32/f16/bf16;
    - `qweight : tensor<Nx(ceil(K·b/8))xi8>`: row n is a little-endian,
      LSB-first bit stream; element k occupies stream bits [b·k, b·k + b),
      stream bit i being bit (i mod 8) of byte (i div 8) of the row; unused
      high bits are zero (4-bit: element 2j in the low nibble of byte j);
    - `scales : tensor<RxCxS>` with S the format's scale type and
      [R, C] = [1, 1] (tensor), [N, 1] (channel) or [N, ceil(K/G)] (group
      G; the last group may be partial); element (n, k) uses
      s = scales[R == 1 ? 0 : n, k div span], span = G for groups, else K;
    - `zero_points : tensor<RxCxi8>`, present iff the format is asymmetric,
      holding unsigned codes (the i8 bit pattern read as uint8);
    - `tensor_scale : tensor<f32>` or `tensor<1xf32>`, present iff the
      element is nvfp4;
    - `act_scale : tensor<f32>` or `tensor<1xf32>`, the static activation
      scale, present iff the activation mode is fp8_per_tensor;
    - optional `bias : tensor<NxT>`; result `y : tensor<...xNxT>`.

    Dequantization, in f32: integers ŵ = float(code − z) · float(s) (z = 0
    when symmetric; int8/int4/int6 codes are two's complement, uint8/uint4
    unsigned); fp8 e4m3 / e5m2 and nf4 ŵ = decode(code) · float(s); mxfp4
    ŵ = e2m1(code) · 2^(e − 127); nvfp4 ŵ = (e2m1(code) · float(s)) ·
    tensor_scale.

    Activation modes: weight_only x̂ = x; dynamic_int8_per_token
    x̂ = clamp(roundEven(x / s_t), −127, 127) · s_t with s_t = max|x_t| / 127
    per token (row) t; fp8_per_tensor x̂ = e4m3(x / a) · a with a =
    act_scale; fp8_per_token x̂ = e4m3(x / s_t) · s_t, s_t = max|x_t| / 448
    (s_t = 1 for an all-zero token; e4m3 rounds to nearest even and
    saturates).

    ```mlir
    // uint4, groups of 128 along K, f16 scales, asymmetric (W4A16).
    %y = linea.quant_linear %x, %qw, %s zero_points %z bias %b
        format <uint4, group 128, scale f16> {name = "fc1"}
        : (tensor<8x256xf32>, tensor<64x128xi8>, tensor<64x2xf16>,
           tensor<64x2xi8>, tensor<64xf32>) -> tensor<8x64xf32>
    // nvfp4 with its per-tensor f32 scale.
    %y2 = linea.quant_linear %x, %qw2, %s2 tensor_scale %t
        format <nvfp4>
        : (tensor<8x256xf32>, tensor<64x128xi8>, tensor<64x16xf8E4M3FN>,
           tensor<f32>) -> tensor<8x64xf32>
    ```

    `materializeDenseWeight` returns Ŵ; the activation mode is not part of
    W (linea-densify replaces only weight-only layers: activation
    quantization has no dense equivalent).
  }];
  let arguments = (ins Linea_FloatTensor:$x, Linea_ByteTensor:$qweight,
                       Linea_ScaleTensor:$scales,
                       Optional<Linea_ByteTensor>:$zero_points,
                       Optional<Linea_F32ScalarTensor>:$tensor_scale,
                       Optional<Linea_F32ScalarTensor>:$act_scale,
                       Optional<Linea_FloatTensor>:$bias,
                       Linea_QFormatAttr:$format,
                       OptionalAttr<StrAttr>:$name);
  // The format reads best last, next to the types it explains, in the
  // stripped form `format <int8, channel, ...>` (custom<QFormat>): a fully
  // qualified dialect attribute right before `:` would take the type list
  // as its own type.
  let assemblyFormat = [{
    $x `,` $qweight `,` $scales
    (`zero_points` $zero_points^)? (`tensor_scale` $tensor_scale^)?
    (`act_scale` $act_scale^)? (`bias` $bias^)?
    `format` custom<QFormat>($format) attr-dict
    `:` functional-type(operands, results)
  }];
  let extraClassDeclaration = [{
    /// Stored scalars: the N·K codes plus every scale, zero point and the
    /// tensor scale (qweight's bytes are not weights one by one).
    int64_t getParameterCount();

    /// custom<QFormat>: the format as `<entries>` (#linea.qformat without
    /// its prefix). Members, so that the generated code finds them.
    static ::mlir::ParseResult parseQFormat(::mlir::OpAsmParser &parser,
                                            QFormatAttr &format);
    static void printQFormat(::mlir::OpAsmPrinter &printer,
                             ::mlir::Operation *op, QFormatAttr format);
  }];
}

#endif // LINEA_QUANTOPS_TD
