//===- CpuTarget.h - the CPU that generated code is compiled for -*- C++ -*-===//
//
// The CPU kernel passes choose their vector width, register tiles and
// instructions (AVX512-VNNI for W8A8) from the target CPU's features, and
// LLVM's code generation needs the same CPU and features: a library
// compiled for the build machine's AVX-512 stops with SIGILL on an AVX2
// machine. `native` (the JIT's and linea-compile's default) is the host
// CPU with every feature it has; any other name is an LLVM x86 CPU
// (x86-64-v3, skylake-avx512, znver4, ...) with its documented features.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_CONVERSION_CPUTARGET_H
#define LINEA_CONVERSION_CPUTARGET_H

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>

namespace linea {

/// A CPU to compile for: LLVM's name for it and its features.
struct CpuTarget {
  /// LLVM's CPU name (the host's for `native`).
  std::string cpu;
  /// Every feature the CPU has ("avx512f", "avx512vnni", "fma", ...).
  llvm::StringMap<bool> features;
  /// True for `native`: the host's detected features, passed to LLVM as
  /// they are.
  bool native = false;

  bool has(llvm::StringRef feature) const { return features.lookup(feature); }
};

/// The CPU `name` stands for: "native" (or "") is the host; otherwise an
/// x86 CPU LLVM knows. Fails, listing examples, on an unknown name or when
/// the host is not x86 and `name` is not native.
llvm::Expected<CpuTarget> resolveCpuTarget(llvm::StringRef name);

} // namespace linea

#endif // LINEA_CONVERSION_CPUTARGET_H
