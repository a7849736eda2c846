//===- onednn_peer.h - oneDNN matmul as a peer of linea-bench-cpu ---------===//
//
// oneDNN's matmul primitive on the weights linea-bench-cpu generates: f32
// (x · Wᵀ, W prepacked into the layout oneDNN picks for that M), and int8
// W8A8 (x quantized per call to s8 with one absmax scale per row, s8 × s8
// codes, y = acc · sw[n] · sx[m]: the dynamic-quantization path an inference
// engine would run on linea's int8 weights). oneDNN 2.6 (Debian) has no
// weight-only int8 or int4 matmul; callers report those peers as missing.
//
// Compiled only where oneDNN is found (LINEA_BENCH_HAVE_ONEDNN); the
// implementation keeps dnnl.hpp and its exceptions inside onednn_peer.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_BENCH_CPU_ONEDNN_PEER_H
#define LINEA_BENCH_CPU_ONEDNN_PEER_H

#include <cstdint>
#include <memory>
#include <string>

namespace linea::bench {

/// One prepared layer y[M, N] = x[M, K] · Ŵᵀ for a fixed M.
class OneDnnLinear {
public:
  struct Impl;
  explicit OneDnnLinear(std::unique_ptr<Impl> impl);
  ~OneDnnLinear();
  /// Runs the layer on x (row-major [M, K]) into y (row-major [M, N]).
  void run(const float *x, float *y);

private:
  std::unique_ptr<Impl> impl;
};

/// f32 weights `w` [N, K] row-major. Returns null and sets `error` when
/// oneDNN cannot build the primitive.
std::unique_ptr<OneDnnLinear> makeOneDnnF32(int64_t m, int64_t n, int64_t k,
                                            const float *w, std::string &error);

/// int8 codes [N, K] row-major with per-row f32 scales [N]: Ŵ = code · s.
std::unique_ptr<OneDnnLinear> makeOneDnnW8A8(int64_t m, int64_t n, int64_t k,
                                             const int8_t *codes,
                                             const float *scales,
                                             std::string &error);

/// Threads oneDNN's OpenMP runtime uses from now on (false if unknown).
bool setOneDnnThreads(int threads);

/// "oneDNN 2.6.3 (cpu isa ...)" for the peer's name.
std::string oneDnnVersion();

} // namespace linea::bench

#endif // LINEA_BENCH_CPU_ONEDNN_PEER_H
