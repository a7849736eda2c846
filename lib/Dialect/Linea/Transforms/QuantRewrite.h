//===- QuantRewrite.h - what the quantization passes share ------*- C++ -*-===//
//
// linea-quantize, linea-gptq and linea-sinq differ only in how they choose
// codes and scales. They read the target format from the same options and
// hand the packed weight to the structured-rewrite driver in the same way.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_DIALECT_LINEA_TRANSFORMS_QUANTREWRITE_H
#define LINEA_DIALECT_LINEA_TRANSFORMS_QUANTREWRITE_H

#include "CalibrationLookup.h"
#include "StructuredRewrite.h"

#include "linea/Dialect/Linea/IR/LineaAttrs.h"
#include "linea/Numerics/Quantize.h"

namespace linea {

/// The format options every quantization pass takes (see Passes.td).
struct QuantFormatOptions {
  std::string element;     ///< int8, uint4, fp8_e4m3, mxfp4, ...
  int64_t groupSize = 0;   ///< 0: the element's default granularity
  std::string granularity; ///< "", tensor, channel or group
  std::string symmetric;   ///< "", true or false
  std::string scaleType;   ///< "", f32, f16 or bf16
  std::string act;         ///< weight_only, dynamic_int8_per_token, ...
};

/// The #linea.qformat the options name, or failure after an error at
/// `module` prefixed by `passName` (unknown element, invalid combination —
/// the attribute's own verifier explains which). `symmetric=false` on int8
/// or int4 selects uint8 / uint4, the asymmetric elements with zero points.
mlir::FailureOr<QFormatAttr> buildQuantFormat(mlir::ModuleOp module,
                                              llvm::StringRef passName,
                                              const QuantFormatOptions &options);

/// The proposal storing `q` as a `linea.quant_linear` of `format`, with
/// `actScale` as its static activation scale (fp8_per_tensor only).
StructuredProposal quantProposal(QFormatAttr format,
                                 const numerics::QuantizedWeight &q,
                                 std::optional<float> actScale);

/// fp8_per_tensor's static activation scale: max |x| / 448 (1 when the
/// layer only ever saw zeros).
float staticFp8ActScale(const LayerStats &stats);

} // namespace linea

#endif // LINEA_DIALECT_LINEA_TRANSFORMS_QUANTREWRITE_H
