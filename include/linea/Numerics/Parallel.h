//===- Parallel.h - a minimal parallel loop for the weight arithmetic -*- C++ -*-===//
//
// The factorizations split naturally into independent pieces (sub-blocks,
// column panels of a product). Eigen's own threading needs OpenMP, which
// the project's compiler does not ship; this plain std::thread loop is
// enough for those coarse pieces.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_NUMERICS_PARALLEL_H
#define LINEA_NUMERICS_PARALLEL_H

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <functional>
#include <thread>
#include <vector>

namespace linea::numerics {

/// Threads to use when the caller asks for 0 ("all"): the hardware threads.
inline int64_t defaultThreadCount() {
  return std::max<int64_t>(std::thread::hardware_concurrency(), 1);
}

/// Runs body(0) … body(count − 1) on up to `threads` threads (0: all
/// hardware threads), handing out indices dynamically; returns when all
/// are done. Bodies must not share mutable state.
inline void parallelFor(int64_t count, int64_t threads,
                        const std::function<void(int64_t)> &body) {
  if (threads <= 0)
    threads = defaultThreadCount();
  threads = std::min(threads, count);
  if (threads <= 1) {
    for (int64_t i = 0; i < count; ++i)
      body(i);
    return;
  }
  std::atomic<int64_t> next{0};
  auto worker = [&] {
    for (int64_t i = next++; i < count; i = next++)
      body(i);
  };
  std::vector<std::thread> pool;
  for (int64_t t = 1; t < threads; ++t)
    pool.emplace_back(worker);
  worker();
  for (std::thread &t : pool)
    t.join();
}

} // namespace linea::numerics

#endif // LINEA_NUMERICS_PARALLEL_H
