//===- CpuThreads.h - thread count and runtime of generated CPU code -*- C++
//-*-===//
//
// linea-lower-to-llvm turns scf.parallel loops (the block loop of the
// contraction kernels, the quantized kernels' outer loop) into OpenMP
// regions that call LLVM's OpenMP runtime (libomp). This is where the
// thread count comes from and where that runtime lives, for the JIT
// (linea-run) and for shared objects built ahead of time (linea-compile).
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_CONVERSION_CPUTHREADS_H
#define LINEA_CONVERSION_CPUTHREADS_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace linea {

/// The environment variable that sets the thread count of generated code.
inline constexpr const char *kNumThreadsEnv = "LINEA_NUM_THREADS";

/// Threads that generated CPU code runs on: `requested` when positive, else
/// $LINEA_NUM_THREADS, else the physical cores this process may run on (1
/// when linea was built without an OpenMP runtime). 1 means no threads at
/// all. Fails when `requested` is above 1024 or LINEA_NUM_THREADS (set and
/// not empty) is not an integer in [1, 1024].
llvm::Expected<unsigned> cpuThreadCount(int64_t requested = 0);

/// The OpenMP runtime threaded code calls (__kmpc_fork_call, ...): the path
/// of libomp found when linea was configured, or "" without one.
llvm::StringRef cpuThreadRuntime();

/// What a shared object holding threaded code must be linked with: libomp
/// and an rpath to its directory. Empty without a runtime.
std::vector<std::string> cpuThreadLinkFlags();

} // namespace linea

#endif // LINEA_CONVERSION_CPUTHREADS_H
