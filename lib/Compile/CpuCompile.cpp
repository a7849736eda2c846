//===- CpuCompile.cpp - LLVM-dialect module -> host object ----------------===//

#include "linea/Compile/CpuCompile.h"

#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/OpenMP/OpenMPToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"

#include <memory>

using namespace mlir;
using llvm::Error;

namespace linea {

/// A target machine for `cpu` (the host's with all its detected features,
/// or a named CPU with its own), emitting position-independent code (the
/// object goes into a shared library).
static llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
hostMachine(const CpuTarget &cpu) {
  llvm::Triple triple(llvm::sys::getProcessTriple());
  std::string message;
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, message);
  if (!target)
    return llvm::createStringError("no LLVM target for the host (" +
                                   triple.str() + "): " + message);
  // A named CPU implies its features; the host's are passed as detected
  // (getHostCPUName alone may not know a newer host's features).
  llvm::SubtargetFeatures features;
  if (cpu.native)
    for (const auto &feature : cpu.features)
      features.AddFeature(feature.first(), feature.second);
  std::unique_ptr<llvm::TargetMachine> machine(target->createTargetMachine(
      triple, cpu.cpu, features.getString(),
      llvm::TargetOptions(), llvm::Reloc::PIC_, std::nullopt,
      llvm::CodeGenOptLevel::Aggressive));
  if (!machine)
    return llvm::createStringError("cannot create an LLVM target machine for " +
                                   triple.str());
  return machine;
}

/// Hides every symbol `module` defines (local ones are hidden already).
static void hideDefinitions(llvm::Module &module) {
  for (llvm::GlobalValue &value : module.global_values())
    if (!value.isDeclaration() && !value.hasLocalLinkage())
      value.setVisibility(llvm::GlobalValue::HiddenVisibility);
}

Error emitHostObject(ModuleOp module, llvm::StringRef objectPath,
                     const CpuTarget &target) {
  DialectRegistry registry;
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registerOpenMPDialectTranslation(registry);
  module.getContext()->appendDialectRegistry(registry);

  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, llvmContext, "linea");
  if (!llvmModule)
    return llvm::createStringError(
        "translating the module to LLVM IR failed (see the diagnostics)");

  auto machine = hostMachine(target);
  if (!machine)
    return machine.takeError();
  llvmModule->setDataLayout((*machine)->createDataLayout());
  llvmModule->setTargetTriple((*machine)->getTargetTriple());
  hideDefinitions(*llvmModule);

  // O3 with the host's cost model (vectorization widths, unrolling).
  auto optimize = makeOptimizingTransformer(/*optLevel=*/3, /*sizeLevel=*/0,
                                            machine->get());
  if (Error e = optimize(llvmModule.get()))
    return e;

  std::error_code ec;
  llvm::raw_fd_ostream out(objectPath, ec, llvm::sys::fs::OF_None);
  if (ec)
    return llvm::createStringError("cannot write '" + objectPath +
                                   "': " + ec.message());
  llvm::legacy::PassManager codegen;
  if ((*machine)->addPassesToEmitFile(codegen, out, nullptr,
                                      llvm::CodeGenFileType::ObjectFile))
    return llvm::createStringError("the host target cannot emit object files");
  codegen.run(*llvmModule);
  out.close();
  if (out.has_error())
    return llvm::createStringError("cannot write '" + objectPath +
                                   "': " + out.error().message());
  return Error::success();
}

} // namespace linea
