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

#include <string>

namespace linea {

/// The C header `<lib>.h`; `source` (the model file) goes into its banner.
std::string emitCHeader(llvm::StringRef lib,
                        llvm::ArrayRef<BoundaryFunction> functions,
                        llvm::StringRef source);

/// The C wrapper `<lib>_wrapper.c`. With `defineMemrefCopy`, it also defines
/// `memrefCopy` (which lowered code calls for strided copies and which
/// otherwise lives in MLIR's C runner library).
std::string emitCWrapper(llvm::StringRef lib,
                         llvm::ArrayRef<BoundaryFunction> functions,
                         bool defineMemrefCopy);

/// The manifest `<lib>.json`.
std::string emitManifest(llvm::StringRef lib,
                         llvm::ArrayRef<BoundaryFunction> functions,
                         llvm::StringRef source, llvm::StringRef target);

} // namespace linea

#endif // LINEA_COMPILE_CINTERFACE_H
