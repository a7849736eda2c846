//===- onednn_peer.cpp - oneDNN matmul as a peer of linea-bench-cpu -------===//
//
// dnnl.hpp reports failures by exceptions; they are caught here and turned
// into an error string, so that a missing ISA or an unsupported data type
// makes the peer "unavailable" instead of ending the benchmark.
//
//===----------------------------------------------------------------------===//

#include "onednn_peer.h"

#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <cmath>
#include <dlfcn.h>
#include <vector>

using namespace dnnl;

namespace linea::bench {

struct OneDnnLinear::Impl {
  engine eng{engine::kind::cpu, 0};
  stream strm{eng};
  matmul prim;
  memory src, weights, dst;
  int64_t m = 0, n = 0, k = 0;
  // W8A8 only: the per-call quantized x.
  bool w8a8 = false;
  std::vector<int8_t> xq;
  std::vector<float> rowScales;
};

OneDnnLinear::OneDnnLinear(std::unique_ptr<Impl> impl)
    : impl(std::move(impl)) {}
OneDnnLinear::~OneDnnLinear() = default;

void OneDnnLinear::run(const float *x, float *y) {
  Impl &p = *impl;
  p.dst.set_data_handle(y);
  if (!p.w8a8) {
    p.src.set_data_handle(const_cast<float *>(x));
    p.prim.execute(p.strm, {{DNNL_ARG_SRC, p.src},
                            {DNNL_ARG_WEIGHTS, p.weights},
                            {DNNL_ARG_DST, p.dst}});
    p.strm.wait();
    return;
  }
  // Dynamic symmetric quantization of x, one absmax scale per row (token),
  // as linea's w8a8 mode does; part of the peer's time as it is of ONNX
  // Runtime's DynamicQuantizeMatMul.
  p.rowScales.resize(p.m);
  for (int64_t i = 0; i < p.m; ++i) {
    const float *row = x + i * p.k;
    float absMax = 0;
    for (int64_t j = 0; j < p.k; ++j)
      absMax = std::max(absMax, std::fabs(row[j]));
    float sx = absMax > 0 ? absMax / 127.0f : 1.0f;
    for (int64_t j = 0; j < p.k; ++j)
      p.xq[i * p.k + j] =
          int8_t(std::clamp(std::nearbyint(row[j] / sx), -127.0f, 127.0f));
    p.rowScales[i] = sx;
  }
  p.prim.execute(p.strm, {{DNNL_ARG_SRC, p.src},
                          {DNNL_ARG_WEIGHTS, p.weights},
                          {DNNL_ARG_DST, p.dst}});
  p.strm.wait();
  // The weight scales are compile-time output scales (oneDNN 2.6 takes its
  // AMX / VNNI kernels only for those; runtime scales fall back to a slow
  // gemm); the per-row activation scales are applied here.
  for (int64_t i = 0; i < p.m; ++i)
    for (int64_t j = 0; j < p.n; ++j)
      y[i * p.n + j] *= p.rowScales[i];
}

namespace {

/// Builds the matmul for [M,K] × [K,N] (weights "any": oneDNN's own packed
/// layout for this M) and reorders the user's [N,K] row-major weights
/// (a [K,N] matrix in layout "ba") into it once, outside the timing.
std::unique_ptr<OneDnnLinear::Impl> build(int64_t m, int64_t n, int64_t k,
                                          memory::data_type srcType,
                                          memory::data_type weightType,
                                          const void *userWeights,
                                          const float *weightScales) {
  bool w8a8 = weightScales != nullptr;
  auto p = std::make_unique<OneDnnLinear::Impl>();
  p->m = m, p->n = n, p->k = k, p->w8a8 = w8a8;
  using tag = memory::format_tag;
  memory::desc srcMd({m, k}, srcType, tag::ab);
  memory::desc anyWeights({k, n}, weightType, tag::any);
  memory::desc dstMd({m, n}, memory::data_type::f32, tag::ab);
  primitive_attr attr;
  if (w8a8)
    attr.set_output_scales(/*mask=*/1 << 1,
                           std::vector<float>(weightScales, weightScales + n));
  matmul::primitive_desc pd(matmul::desc(srcMd, anyWeights, dstMd), attr,
                            p->eng);
  p->prim = matmul(pd);
  memory user({{k, n}, weightType, tag::ba}, p->eng,
              const_cast<void *>(userWeights));
  p->weights = memory(pd.weights_desc(), p->eng);
  reorder(user, p->weights).execute(p->strm, user, p->weights);
  p->strm.wait();
  p->dst = memory(dstMd, p->eng, DNNL_MEMORY_NONE);
  if (w8a8) {
    p->xq.resize(m * k);
    p->src = memory(srcMd, p->eng, p->xq.data());
  } else {
    p->src = memory(srcMd, p->eng, DNNL_MEMORY_NONE);
  }
  return p;
}

} // namespace

std::unique_ptr<OneDnnLinear> makeOneDnnF32(int64_t m, int64_t n, int64_t k,
                                            const float *w,
                                            std::string &error) {
  try {
    return std::make_unique<OneDnnLinear>(build(m, n, k, memory::data_type::f32,
                                                memory::data_type::f32, w,
                                                /*weightScales=*/nullptr));
  } catch (const dnnl::error &e) {
    error = e.what();
    return nullptr;
  }
}

std::unique_ptr<OneDnnLinear> makeOneDnnW8A8(int64_t m, int64_t n, int64_t k,
                                             const int8_t *codes,
                                             const float *scales,
                                             std::string &error) {
  try {
    return std::make_unique<OneDnnLinear>(build(
        m, n, k, memory::data_type::s8, memory::data_type::s8, codes, scales));
  } catch (const dnnl::error &e) {
    error = e.what();
    return nullptr;
  }
}

bool setOneDnnThreads(int threads) {
  // Debian's oneDNN runs on libgomp; its loader already mapped it, so the
  // OpenMP entry point is found without linking the bench to OpenMP.
  using SetThreads = void (*)(int);
  auto set =
      reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "omp_set_num_threads"));
  if (!set)
    return false;
  set(threads);
  return true;
}

std::string oneDnnVersion() {
  const dnnl_version_t *v = dnnl_version();
  return "onednn-" + std::to_string(v->major) + "." + std::to_string(v->minor) +
         "." + std::to_string(v->patch);
}

} // namespace linea::bench
