//===- CpuLink.h - link a compiled module into a shared library -*- C++ -*-===//
//
// linea-compile links the object of the compiled module and its generated C
// wrapper into lib<NAME>.so with the system C compiler.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_COMPILE_CPULINK_H
#define LINEA_COMPILE_CPULINK_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace linea {

/// Every flag of the link step that depends on what the compiled code needs
/// (shared library, libraries such as -lm and, for `threaded` code with
/// OpenMP regions, libomp), placed after the input files. The one place
/// that chooses link flags.
std::vector<std::string> cpuLinkFlags(bool threaded);

/// The C compiler: `override` (a name on PATH or a path) when not empty,
/// else the first of cc, clang-22, gcc on PATH.
llvm::Expected<std::string> findCCompiler(llvm::StringRef override);

/// Compiles `wrapperC` and links it with `object` into `library` with the C
/// compiler `cc` (flags: cpuLinkFlags(threaded)). On failure the error holds
/// the command and the compiler's messages.
llvm::Error linkSharedLibrary(llvm::StringRef cc, llvm::StringRef wrapperC,
                              llvm::StringRef object, llvm::StringRef library,
                              bool threaded);

} // namespace linea

#endif // LINEA_COMPILE_CPULINK_H
