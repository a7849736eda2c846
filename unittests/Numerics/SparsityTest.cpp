//===- SparsityTest.cpp - BSR and N:M magnitude pruning -------------------===//

#include "linea/Numerics/Sparsity.h"

#include <gtest/gtest.h>
#include <cmath>
#include <random>

using namespace linea::numerics;

namespace {
Matrix randomMatrix(int64_t rows, int64_t cols, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal;
  Matrix w(rows, cols);
  for (float &v : w.data)
    v = normal(rng);
  return w;
}
} // namespace

TEST(Sparsity, BlocksKeepLargestNorms) {
  // 4×4 in 2×2 blocks with norms² 4·1, 4·9, 4·4, 4·0.25: 50% keeps the
  // blocks (0,1) and (1,0).
  Matrix w(4, 4);
  w.data = {1, 1, 3, 3,  //
            1, 1, 3, 3,  //
            2, 2, .5, .5, //
            2, 2, .5, .5};
  BsrCode code = pruneBlocks(w, 2, 2, 0.5);
  EXPECT_EQ(code.rowOffsets, (std::vector<int32_t>{0, 1, 2}));
  EXPECT_EQ(code.colIndices, (std::vector<int32_t>{1, 0}));
  EXPECT_EQ(code.values, (std::vector<float>{3, 3, 3, 3, 2, 2, 2, 2}));
  Matrix back = decodeBsr(code, 4, 4);
  EXPECT_EQ(back.data, (std::vector<float>{0, 0, 3, 3, 0, 0, 3, 3, //
                                           2, 2, 0, 0, 2, 2, 0, 0}));
}

TEST(Sparsity, BlockSparseWeightIsRecovered) {
  // A matrix that is already 75% block-sparse is reproduced exactly.
  Matrix w = randomMatrix(16, 32, 1);
  for (int64_t r = 0; r < 16; ++r)
    for (int64_t c = 0; c < 32; ++c)
      if (((r / 4) + (c / 8)) % 4 != 0)
        w.at(r, c) = 0;
  BsrCode code = pruneBlocks(w, 4, 8, 0.75);
  EXPECT_EQ(code.numBlocks(), 4);
  EXPECT_EQ(decodeBsr(code, 16, 32).data, w.data);
}

TEST(Sparsity, TwoFourKeepsTopTwoInOrder) {
  Matrix w(1, 8);
  w.data = {0.1f, -5, 3, 0.2f, 1, 1, 0, -1};
  NmCode code = pruneNM(w, 2, 4);
  EXPECT_EQ(code.values, (std::vector<float>{-5, 3, 1, 1}));
  EXPECT_EQ(code.indices, (std::vector<int8_t>{1, 2, 0, 1}));
  EXPECT_EQ(decodeNM(code, 1, 8).data,
            (std::vector<float>{0, -5, 3, 0, 1, 1, 0, 0}));
}

TEST(Sparsity, PruningIsFrobeniusOptimalForTheMask) {
  // Every kept entry equals W's and the error is the norm of what was
  // dropped: ‖W − Ŵ‖² = Σ dropped w².
  Matrix w = randomMatrix(8, 16, 2);
  Matrix back = decodeNM(pruneNM(w, 2, 4), 8, 16);
  double dropped = 0, total = 0;
  int64_t nonzero = 0;
  for (size_t i = 0; i < w.data.size(); ++i) {
    total += double(w.data[i]) * w.data[i];
    if (back.data[i] == 0)
      dropped += double(w.data[i]) * w.data[i];
    else {
      EXPECT_EQ(back.data[i], w.data[i]);
      ++nonzero;
    }
  }
  EXPECT_EQ(nonzero, 8 * 16 / 2);
  EXPECT_NEAR(relativeFrobeniusError(back, w), std::sqrt(dropped / total),
              1e-6);
}
