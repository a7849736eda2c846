//===- BlockDiag.cpp - nearest block-diagonal matrix ----------------------===//
//
// Zeroing the off-diagonal blocks is the Frobenius-nearest block-diagonal
// matrix, so the projection is a copy of the diagonal blocks.
//
//===----------------------------------------------------------------------===//

#include "linea/Numerics/Structured.h"

#include <algorithm>
#include <sstream>

namespace linea::numerics {

std::string checkDivides(const char *option, int64_t count, int64_t rows,
                         int64_t cols) {
  std::ostringstream os;
  if (count < 1)
    os << option << " = " << count << " is not positive";
  else if (rows % count != 0)
    os << option << " = " << count << " does not divide N = " << rows
       << " (K = " << cols << ")";
  else if (cols % count != 0)
    os << option << " = " << count << " does not divide K = " << cols
       << " (N = " << rows << ")";
  return os.str();
}

std::optional<Tensor3> blockDiagProjection(const Matrix &w, int64_t blocks,
                                           std::string &why) {
  int64_t n = w.rows, k = w.cols;
  why = checkDivides("blocks", blocks, n, k);
  if (!why.empty())
    return std::nullopt;
  int64_t bn = n / blocks, bk = k / blocks;
  Tensor3 result(blocks, bn, bk);
  for (int64_t i = 0; i < blocks; ++i)
    for (int64_t a = 0; a < bn; ++a)
      std::copy_n(&w.data[static_cast<size_t>((i * bn + a) * k + i * bk)], bk,
                  &result.at(i, a, 0));
  return result;
}

} // namespace linea::numerics
