//===- CpuTarget.cpp - the CPU that generated code is compiled for --------===//

#include "linea/Conversion/CpuTarget.h"

#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"
#include "llvm/TargetParser/X86TargetParser.h"

namespace linea {

llvm::Expected<CpuTarget> resolveCpuTarget(llvm::StringRef name) {
  CpuTarget target;
  if (name.empty() || name == "native") {
    target.cpu = llvm::sys::getHostCPUName().str();
    target.features = llvm::sys::getHostCPUFeatures();
    target.native = true;
    return target;
  }
  const char *examples = "native, x86-64, x86-64-v2, x86-64-v3, x86-64-v4, "
                         "haswell, skylake-avx512, cascadelake, "
                         "sapphirerapids, znver3, znver4";
  if (!llvm::Triple(llvm::sys::getProcessTriple()).isX86())
    return llvm::createStringError(
        "CPU '" + name + "': only native is supported on this (non-x86) host");
  if (llvm::X86::parseArchX86(name, /*Only64Bit=*/true) ==
      llvm::X86::CK_None)
    return llvm::createStringError("unknown CPU '" + name +
                                   "' (examples: " + examples + ")");
  llvm::SmallVector<llvm::StringRef> features;
  llvm::X86::getFeaturesForCPU(name, features);
  target.cpu = name.str();
  for (llvm::StringRef feature : features)
    target.features[feature] = true;
  return target;
}

} // namespace linea
