//===- CalibratedQuant.h - GPTQ and SINQ weight quantizers ------*- C++ -*-===//
//
// Quantizers that choose codes better than round to nearest, producing the
// same QuantizedWeight (same formats, same block rules, see Quantize.h):
//
// - GPTQ (Frantar et al. 2023, REWRITES.md §3.4): columns are quantized in
//   order and each one's rounding error is fed back into the columns not yet
//   quantized, weighted by the inverse Hessian H = XᵀX of the layer's
//   calibration inputs, which minimises ‖XWᵀ − XŴᵀ‖ rather than ‖W − Ŵ‖.
// - SINQ (REWRITES.md §3.3): calibration-free. A Sinkhorn-style iteration
//   balances the row and column spreads of each group tile; the column
//   factors μ become a per-input-channel scale of the activations
//   (x·diag(μ)) and W·diag(1/μ) is quantized by round to nearest; the row
//   factors fold exactly into the per-row block scales, so only μ is kept.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_NUMERICS_CALIBRATEDQUANT_H
#define LINEA_NUMERICS_CALIBRATEDQUANT_H

#include "linea/Numerics/Quantize.h"

#include <optional>
#include <string>

namespace linea::numerics {

struct GptqOptions {
  /// Columns updated together before the lazy batch update of the rest.
  int64_t blockSize = 128;
  /// Added to H's diagonal, as a fraction of its mean diagonal.
  double damp = 0.01;
};

/// GPTQ of w[N, K] with the Hessian `xtx` = XᵀX (K×K, row-major, f64).
/// Channels that never saw a nonzero input (H[k, k] = 0) get Ŵ[:, k] = 0.
/// Group scales are chosen from the error-updated weights when the group
/// starts; channel and tensor scales (and nvfp4's tensor scale) from w.
/// Fails (std::nullopt, `why` set) when H + damping is not positive
/// definite.
std::optional<QuantizedWeight> gptqQuantize(const QuantSpec &spec,
                                            const Matrix &w,
                                            const std::vector<double> &xtx,
                                            const GptqOptions &options,
                                            std::string &why);

/// SINQ's column factors μ[K] for w under `spec`: one tile per scale block
/// column (groupSize wide for groups, all of K otherwise), `iterations`
/// Sinkhorn steps each.
std::vector<float> sinqColumnScales(const QuantSpec &spec, const Matrix &w,
                                    int64_t iterations);

/// w·diag(1/μ), the matrix SINQ quantizes.
Matrix divideColumns(const Matrix &w, const std::vector<float> &mu);

} // namespace linea::numerics

#endif // LINEA_NUMERICS_CALIBRATEDQUANT_H
