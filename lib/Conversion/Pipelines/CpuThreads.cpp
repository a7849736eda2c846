//===- CpuThreads.cpp - thread count and runtime of generated CPU code ----===//

#include "linea/Conversion/CpuThreads.h"

#include "llvm/Support/Path.h"
#include "llvm/Support/Threading.h"

#include <cstdlib>

namespace linea {

llvm::Expected<unsigned> cpuThreadCount(int64_t requested) {
  if (requested > 1024)
    return llvm::createStringError("num-threads (" + llvm::Twine(requested) +
                                   ") is above 1024");
  if (requested > 0)
    return unsigned(requested);
  // Set but empty counts as unset, as for OMP_NUM_THREADS.
  const char *env = std::getenv(kNumThreadsEnv);
  if (env && !llvm::StringRef(env).trim().empty()) {
    unsigned count;
    if (llvm::StringRef(env).trim().getAsInteger(10, count) || count < 1 ||
        count > 1024)
      return llvm::createStringError(
          llvm::Twine(kNumThreadsEnv) + "='" + env +
          "' is not a thread count: give an integer from 1 to 1024");
    return count;
  }
  if (cpuThreadRuntime().empty())
    return 1u;
  // Physical cores in this process's affinity mask: a second hyperthread
  // adds no FMA units to these kernels.
  return llvm::heavyweight_hardware_concurrency().compute_thread_count();
}

llvm::StringRef cpuThreadRuntime() {
#ifdef LINEA_OPENMP_RUNTIME
  return LINEA_OPENMP_RUNTIME;
#else
  return "";
#endif
}

std::vector<std::string> cpuThreadLinkFlags() {
  llvm::StringRef runtime = cpuThreadRuntime();
  if (runtime.empty())
    return {};
  return {runtime.str(),
          ("-Wl,-rpath," + llvm::sys::path::parent_path(runtime)).str()};
}

} // namespace linea
