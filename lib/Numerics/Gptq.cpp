//===- Gptq.cpp - Hessian-aware rounding with error feedback --------------===//
//
// The GPTQ loop over the upper Cholesky factor U of H⁻¹ (H⁻¹ = UᵀU): column
// k is rounded, its error divided by U[k, k] is subtracted from the later
// columns along U's row k — within a block of columns immediately, for the
// columns after the block in one matrix product at the block's end.
//
//===----------------------------------------------------------------------===//

#include "linea/Numerics/CalibratedQuant.h"

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <sstream>

namespace linea::numerics {

namespace {
using RowMajorF =
    Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
} // namespace

std::optional<QuantizedWeight> gptqQuantize(const QuantSpec &spec,
                                            const Matrix &w,
                                            const std::vector<double> &xtx,
                                            const GptqOptions &options,
                                            std::string &why) {
  const int64_t n = w.rows, k = w.cols;
  assert(int64_t(xtx.size()) == k * k && "Hessian must be K×K");
  Eigen::MatrixXd h = Eigen::Map<const Eigen::Matrix<
      double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(xtx.data(), k,
                                                                k);
  RowMajorF current = Eigen::Map<const RowMajorF>(w.data.data(), n, k);
  // A channel that was always zero carries no information: its weights
  // cannot matter, so they become exact zeros.
  for (int64_t c = 0; c < k; ++c)
    if (h(c, c) == 0.0) {
      h(c, c) = 1.0;
      current.col(c).setZero();
    }
  h.diagonal().array() += options.damp * h.diagonal().mean();
  Eigen::LLT<Eigen::MatrixXd> hFactor(h);
  if (hFactor.info() != Eigen::Success) {
    std::ostringstream os;
    os << "the Hessian XᵀX + " << options.damp
       << "·mean(diag) is not positive definite (K = " << k
       << "); raise damp";
    why = os.str();
    return std::nullopt;
  }
  Eigen::MatrixXd hInverse =
      hFactor.solve(Eigen::MatrixXd::Identity(k, k));
  Eigen::LLT<Eigen::MatrixXd> inverseFactor(hInverse);
  if (inverseFactor.info() != Eigen::Success) {
    why = "the inverse Hessian lost positive definiteness in rounding; "
          "raise damp";
    return std::nullopt;
  }
  Eigen::MatrixXf u = inverseFactor.matrixU().toDenseMatrix().cast<float>();

  QuantizedWeight q = makeQuantizedWeight(spec, n, k);
  if (spec.element == QuantElement::nvfp4)
    q.tensorScale = nvfp4TensorScale(current.cwiseAbs().maxCoeff());
  std::vector<BlockQuant> blocks(q.scales.size());
  const bool groups = spec.granularity == ScaleGranularity::group;
  const int64_t span = scaleSpan(spec, k);
  // Tensor and channel scales are fixed by the weights before any update.
  auto chooseBlocks = [&](auto value, int64_t c0, int64_t c1) {
    std::vector<float> lo(blocks.size(), 0.0f), hi(blocks.size(), 0.0f);
    std::vector<bool> touched(blocks.size(), false);
    for (int64_t r = 0; r < n; ++r)
      for (int64_t c = c0; c < c1; ++c) {
        auto i = size_t(q.scaleIndex(r, c));
        lo[i] = std::min(lo[i], value(r, c));
        hi[i] = std::max(hi[i], value(r, c));
        touched[i] = true;
      }
    for (size_t i = 0; i < blocks.size(); ++i)
      if (touched[i])
        blocks[i] = chooseBlockQuant(spec, lo[i], hi[i], q.tensorScale);
  };
  if (!groups)
    chooseBlocks([&](int64_t r, int64_t c) { return current(r, c); }, 0, k);

  const unsigned bits = elementBits(spec.element);
  const int64_t rowBytes = packedRowBytes(k, bits);
  const int64_t blockSize = std::max<int64_t>(options.blockSize, 1);
  for (int64_t b0 = 0; b0 < k; b0 += blockSize) {
    const int64_t b1 = std::min(b0 + blockSize, k), width = b1 - b0;
    RowMajorF block = current.middleCols(b0, width);
    Eigen::MatrixXf errors(n, width);
    for (int64_t j = 0; j < width; ++j) {
      const int64_t col = b0 + j;
      if (groups && col % span == 0)
        chooseBlocks(
            [&](int64_t r, int64_t c) {
              return c < b1 ? block(r, c - b0) : current(r, c);
            },
            col, std::min(col + span, k));
      const float d = u(col, col);
      for (int64_t r = 0; r < n; ++r) {
        const BlockQuant &bq = blocks[size_t(q.scaleIndex(r, col))];
        float value = block(r, j);
        uint8_t code = encodeWeight(spec, value, bq, q.tensorScale);
        packElement(q.packed.data() + r * rowBytes, col, bits, code);
        errors(r, j) = (value - decodeWeight(spec, code, bq, q.tensorScale)) / d;
      }
      const int64_t rest = width - j - 1;
      if (rest > 0)
        block.rightCols(rest).noalias() -=
            errors.col(j) * u.row(col).segment(col + 1, rest);
    }
    if (b1 < k)
      current.rightCols(k - b1).noalias() -=
          errors * u.block(b0, b1, width, k - b1);
  }
  for (size_t i = 0; i < blocks.size(); ++i) {
    q.scales[i] = blocks[i].scale;
    if (!spec.symmetric)
      q.zeroPoints[i] = blocks[i].zeroPoint;
  }
  return q;
}

} // namespace linea::numerics
