//===- WriteCudaArtifacts.cpp - PTX, cubin and manifest on disk
//------------===//
//
// The last step of the CUDA path: the PTX that gpu-module-to-binary
// {format=isa} left in gpu.binary @linea_kernels goes to a file, ptxas
// turns it into a cubin for the target chip (the runtime loads the cubin
// when present, else JITs the PTX), and the launch descriptions that
// linea-to-gpu recorded become manifest.json.
//
//===----------------------------------------------------------------------===//

#include "linea/Conversion/LineaToGPU/CudaArtifacts.h"
#include "linea/Conversion/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdlib>

namespace linea {
#define GEN_PASS_DEF_WRITECUDAARTIFACTS
#include "linea/Conversion/Passes.h.inc"
} // namespace linea

using namespace mlir;

namespace linea {

std::optional<std::string> findPtxas(llvm::StringRef hint) {
  if (!hint.empty())
    return llvm::sys::fs::can_execute(hint) ? std::optional(hint.str())
                                            : std::nullopt;
  llvm::SmallVector<std::string> candidates;
  if (const char *home = std::getenv("CUDA_HOME"))
    candidates.push_back(std::string(home) + "/bin/ptxas");
  candidates.push_back("/usr/local/cuda/bin/ptxas");
  for (const std::string &c : candidates)
    if (llvm::sys::fs::can_execute(c))
      return c;
  if (auto found = llvm::sys::findProgramByName("ptxas"))
    return *found;
  return std::nullopt;
}

namespace {

/// The manifest attributes (strings, integers, arrays, dictionaries) as JSON.
llvm::json::Value toJson(Attribute attr) {
  if (auto s = dyn_cast<StringAttr>(attr))
    return s.str();
  if (auto bl = dyn_cast<BoolAttr>(attr)) // before IntegerAttr: i1 is one
    return bl.getValue();
  if (auto i = dyn_cast<IntegerAttr>(attr))
    return i.getInt();
  if (auto f = dyn_cast<FloatAttr>(attr))
    return f.getValueAsDouble();
  if (auto a = dyn_cast<ArrayAttr>(attr)) {
    llvm::json::Array out;
    for (Attribute e : a)
      out.push_back(toJson(e));
    return out;
  }
  if (auto d = dyn_cast<DictionaryAttr>(attr)) {
    llvm::json::Object out;
    for (NamedAttribute e : d)
      out[e.getName().str()] = toJson(e.getValue());
    return out;
  }
  std::string s;
  llvm::raw_string_ostream os(s);
  attr.print(os);
  return s;
}

LogicalResult writeFile(Operation *anchor, llvm::StringRef path,
                        llvm::StringRef data) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (ec)
    return anchor->emitError("linea-write-cuda-artifacts: cannot write ")
           << path << ": " << ec.message();
  os << data;
  return success();
}

struct WriteCudaArtifactsPass
    : impl::WriteCudaArtifactsBase<WriteCudaArtifactsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (outDir.empty()) {
      module.emitError("linea-write-cuda-artifacts: out-dir is required");
      return signalPassFailure();
    }
    auto binary = module.lookupSymbol<gpu::BinaryOp>("linea_kernels");
    auto kernels = module->getAttrOfType<ArrayAttr>("linea.cuda_kernels");
    auto hostOps = module->getAttrOfType<ArrayAttr>("linea.cuda_host_ops");
    if ((!binary || !kernels) && hostOps) {
      module.emitError("linea-write-cuda-artifacts: no op has a CUDA kernel (")
          << hostOps.size() << " left for the host by host-fallback=1)";
      return signalPassFailure();
    }
    if (!binary || !kernels) {
      module.emitError("linea-write-cuda-artifacts: no gpu.binary "
                       "@linea_kernels with linea.cuda_kernels; run "
                       "linea-to-gpu and gpu-module-to-binary first");
      return signalPassFailure();
    }
    auto object = dyn_cast<gpu::ObjectAttr>(binary.getObjects()[0]);
    if (!object || object.getFormat() != gpu::CompilationTarget::Assembly) {
      binary.emitError("linea-write-cuda-artifacts: expected PTX "
                       "(gpu-module-to-binary format=isa)");
      return signalPassFailure();
    }
    std::string chip = "sm_90a";
    if (auto target = dyn_cast<NVVM::NVVMTargetAttr>(object.getTarget()))
      chip = target.getChip().str();

    if (std::error_code ec = llvm::sys::fs::create_directories(outDir)) {
      module.emitError("linea-write-cuda-artifacts: cannot create ")
          << outDir << ": " << ec.message();
      return signalPassFailure();
    }
    llvm::SmallString<256> ptxPath(outDir), cubinPath(outDir),
        manifestPath(outDir);
    llvm::sys::path::append(ptxPath, "linea_kernels.ptx");
    llvm::sys::path::append(cubinPath, "linea_kernels.cubin");
    llvm::sys::path::append(manifestPath, "manifest.json");
    if (failed(writeFile(module, ptxPath, object.getObject().getValue())))
      return signalPassFailure();

    std::optional<std::string> tool;
    if (ptxas != "none")
      tool = findPtxas(ptxas);
    if (ptxas != "none" && !ptxas.empty() && !tool) {
      module.emitError("linea-write-cuda-artifacts: ptxas '")
          << ptxas << "' is not executable";
      return signalPassFailure();
    }
    bool haveCubin = false;
    if (tool) {
      std::string arch = "-arch=" + chip;
      llvm::SmallVector<llvm::StringRef> argv = {
          *tool, arch, "-O3", ptxPath.str(), "-o", cubinPath.str()};
      std::string message;
      int rc = llvm::sys::ExecuteAndWait(*tool, argv, std::nullopt, {}, 0, 0,
                                         &message);
      if (rc != 0) {
        module.emitError("linea-write-cuda-artifacts: ptxas failed on ")
            << ptxPath << " (exit " << rc << ") " << message;
        return signalPassFailure();
      }
      haveCubin = true;
    }

    llvm::json::Object manifest;
    manifest["chip"] = chip;
    manifest["ptx"] = "linea_kernels.ptx";
    manifest["cubin"] = haveCubin ? llvm::json::Value("linea_kernels.cubin")
                                  : llvm::json::Value(nullptr);
    manifest["kernels"] = toJson(kernels);
    // linea-to-gpu{host-fallback=1}: what the host must run itself.
    if (hostOps)
      manifest["host_ops"] = toJson(hostOps);
    std::string text;
    llvm::raw_string_ostream os(text);
    os << llvm::formatv("{0:2}", llvm::json::Value(std::move(manifest)))
       << "\n";
    if (failed(writeFile(module, manifestPath, text)))
      return signalPassFailure();
  }
};

} // namespace
} // namespace linea
