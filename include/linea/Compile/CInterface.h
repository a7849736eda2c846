//===- CInterface.h - C header, wrapper and manifest ------------*- C++ -*-===//
//
// The text files linea-compile writes next to lib<NAME>.so, all generated
// from the module's boundary (Boundary.h):
//   <NAME>.h          the C API: one `int <NAME>_<fn>(...)` per function;
//   <NAME>_wrapper.c  its implementation over the MLIR C interface
//                     (`_mlir_ciface_<fn>`, memref descriptors), linked into
//                     the library;
//   <NAME>.json       the manifest the Python runtime (linea.runtime) reads.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_COMPILE_CINTERFACE_H
#define LINEA_COMPILE_CINTERFACE_H

#include "linea/Compile/Boundary.h"
#include "linea/Compile/WeightsFile.h"

#include <string>

namespace linea {

/// What the library does at run time around the compiled code.
struct LibraryRuntime {
  /// Threads the code was compiled for: its OpenMP regions take their team
  /// from linea_num_threads(), which the wrapper defines (1..maxThreads,
  /// from <lib>_set_num_threads or LINEA_NUM_THREADS). 1: no threads.
  unsigned maxThreads = 1;
  /// With --weights=file: the layout of <lib>.weights (WeightsFile.h),
  /// which the wrapper maps and checks at the first call.
  const WeightsFile *weights = nullptr;
};

/// The C header `<lib>.h`; `source` (the model file) goes into its banner.
std::string emitCHeader(llvm::StringRef lib,
                        llvm::ArrayRef<BoundaryFunction> functions,
                        llvm::StringRef source,
                        const LibraryRuntime &runtime);

/// The C wrapper `<lib>_wrapper.c`. With `defineMemrefCopy`, it also defines
/// `memrefCopy` (which lowered code calls for strided copies and which
/// otherwise lives in MLIR's C runner library).
std::string emitCWrapper(llvm::StringRef lib,
                         llvm::ArrayRef<BoundaryFunction> functions,
                         bool defineMemrefCopy, const LibraryRuntime &runtime);

/// The manifest `<lib>.json`.
std::string emitManifest(llvm::StringRef lib,
                         llvm::ArrayRef<BoundaryFunction> functions,
                         llvm::StringRef source, llvm::StringRef target,
                         const LibraryRuntime &runtime);

} // namespace linea

#endif // LINEA_COMPILE_CINTERFACE_H
