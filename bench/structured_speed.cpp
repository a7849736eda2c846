//===- structured_speed.cpp - timings of the structured projections -------===//
//
// Times the factorizations behind linea-lowrank, linea-monarch, linea-btt
// and linea-blockdiag on a random N×N weight (default 4096, the size of a
// 7B model's attention projection) and prints the relative Frobenius error
// of each, so that speed work cannot silently trade accuracy.
//
// Usage: linea-bench-structured [N] [lowrank-rank]
//
//===----------------------------------------------------------------------===//

#include "linea/Numerics/Structured.h"

#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <random>

using namespace linea::numerics;

namespace {

/// Wall-clock seconds taken by `f`; also prints its CPU seconds, which
/// stay meaningful on a loaded machine (the code is single-threaded).
double timeIt(const std::function<void()> &f) {
  auto start = std::chrono::steady_clock::now();
  std::clock_t cpuStart = std::clock();
  f();
  double cpu = double(std::clock() - cpuStart) / CLOCKS_PER_SEC;
  double wall = std::chrono::duration<double>(
                    std::chrono::steady_clock::now() - start)
                    .count();
  std::printf("[cpu %6.3f s] ", cpu);
  return wall;
}

/// A weight with a realistic decaying spectrum: Gaussian plus a stronger
/// low-rank part, so truncation errors are neither 0 nor 1.
Matrix testWeight(int64_t n) {
  std::mt19937 engine(42);
  std::normal_distribution<float> normal;
  Matrix noise(n, n), left(n, 32), right(32, n);
  for (Matrix *m : {&noise, &left, &right})
    for (float &x : m->data)
      x = normal(engine);
  Matrix w = matmul(left, right);
  for (size_t i = 0; i < w.data.size(); ++i)
    w.data[i] = w.data[i] / 8.0f + noise.data[i];
  return w;
}

/// Dense W of linea.monarch_linear (w1[k,q,p], w2[l,s,r]).
Matrix monarchDense(const MonarchFactors &f) {
  int64_t k = f.w1.dim0, q = f.w1.dim1, p = f.w1.dim2, l = f.w2.dim0,
          s = f.w2.dim1;
  Matrix w(l * s, k * p);
  for (int64_t kappa = 0; kappa < k; ++kappa)
    for (int64_t j = 0; j < q; ++j) {
      int64_t t = kappa * q + j, lambda = t % l, rho = t / l;
      for (int64_t sigma = 0; sigma < s; ++sigma) {
        float scale = f.w2.at(lambda, sigma, rho);
        float *row = &w.at(sigma * l + lambda, kappa * p);
        for (int64_t i = 0; i < p; ++i)
          row[i] += scale * f.w1.at(kappa, j, i);
      }
    }
  return w;
}

} // namespace

int main(int argc, char **argv) {
  int64_t n = argc > 1 ? std::atoll(argv[1]) : 4096;
  int64_t rank = argc > 2 ? std::atoll(argv[2]) : 256;
  Matrix w = testWeight(n);
  std::string why;
  std::printf("N = K = %lld\n", static_cast<long long>(n));

  std::optional<LowRankFactors> lowRank;
  LowRankOptions options;
  options.rank = rank;
  double seconds = timeIt([&] { lowRank = lowRankProjection(w, options, why); });
  if (!lowRank)
    return std::fprintf(stderr, "lowrank: %s\n", why.c_str()), 1;
  std::printf("lowrank  r=%-4lld %8.3f s  error %.4f (%s)\n",
              static_cast<long long>(rank), seconds,
              relativeFrobeniusError(matmul(lowRank->u, lowRank->v), w),
              preferRandomizedSvd(n, n, rank) ? "randomized" : "exact");

  for (int64_t blockRank : {1, 4}) {
    std::optional<MonarchFactors> monarch;
    seconds = timeIt([&] { monarch = monarchProjection(w, 64, blockRank, why); });
    if (!monarch)
      return std::fprintf(stderr, "monarch: %s\n", why.c_str()), 1;
    std::printf("monarch  b=64 r=%lld %6.3f s  error %.4f\n",
                static_cast<long long>(blockRank), seconds,
                relativeFrobeniusError(monarchDense(*monarch), w));
  }

  for (int64_t bttRank : {1, 4}) {
    std::optional<BTTFactors> btt;
    seconds = timeIt([&] { btt = bttProjection(w, defaultBTTCores(n, n), bttRank, why); });
    if (!btt)
      return std::fprintf(stderr, "btt: %s\n", why.c_str()), 1;
    std::printf("btt      c=%lld r=%lld %6.3f s\n",
                static_cast<long long>(defaultBTTCores(n, n)),
                static_cast<long long>(bttRank), seconds);
  }

  std::optional<Tensor3> blocks;
  seconds = timeIt([&] { blocks = blockDiagProjection(w, 8, why); });
  std::printf("blockdiag g=8   %6.3f s\n", seconds);
  return 0;
}
