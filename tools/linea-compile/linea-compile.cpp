//===- linea-compile.cpp - ahead-of-time compiler to a shared library -----===//
//
//   linea-compile MODEL.onnx|MODEL.mlir --target=cpu [--passes PIPELINE]
//                 [--name NAME] [--cc COMPILER] [--dim NAME=VALUE ...]
//                 [--report FILE.json] [--quiet] [--progress]
//                 [--weights=embed|file] [--max-threads N]
//                 [--autotune [--autotune-rows M] | --tile-table FILE]
//                 [--cpu=NAME|native] -o OUTDIR
//
// Writes OUTDIR/lib<NAME>.so with one C function per public function of the
// module, OUTDIR/<NAME>.h (its C API), OUTDIR/<NAME>_wrapper.c (the C side of
// the library, kept for reading) and OUTDIR/<NAME>.json (the manifest
// linea.runtime loads). ONNX models are imported and raised (linea-raise)
// first; PIPELINE (linea-opt syntax, e.g. "linea-quantize{format=int8}")
// runs before lowering with linea-lower-to-llvm. stdout gets a table of
// every linear layer before and after PIPELINE (--quiet drops it), FILE.json
// the same as data (see CompileReport.h); stderr shows the progress of each
// stage on a terminal or with --progress. Exit status: 0 on success, 1 on
// any error. --weights=file moves the constants into OUTDIR/<NAME>.weights,
// which the library maps at its first call (WeightsFile.h). The library
// runs on 1..N threads, N from --max-threads (default: LINEA_NUM_THREADS, else
// the physical cores), chosen at run time (<NAME>_set_num_threads).
// --autotune times tile candidates per layer shape and writes the best to
// OUTDIR/<NAME>.tiles.json, which --tile-table reuses (Autotune.h).
// --cpu picks the CPU the library runs on (CpuTarget.h): the kernels'
// vector width and instructions and LLVM's code generation follow it.
//
//===----------------------------------------------------------------------===//

#include "linea/Compile/Autotune.h"
#include "linea/Compile/Boundary.h"
#include "linea/Compile/CInterface.h"
#include "linea/Compile/CompileReport.h"
#include "linea/Compile/CpuCompile.h"
#include "linea/Compile/CpuLink.h"
#include "linea/Compile/WeightsFile.h"
#include "linea/Conversion/CpuTarget.h"
#include "linea/Conversion/CpuThreads.h"
#include "linea/Conversion/LineaToGPU/CudaArtifacts.h"
#include "linea/Conversion/Passes.h"
#include "linea/Dialect/Linea/IR/ConstantWeights.h"
#include "linea/Dialect/Linea/IR/LineaDialect.h"
#include "linea/Dialect/Linea/IR/LineaOps.h"
#include "linea/Execution/Npz.h"
#include "linea/Dialect/Linea/Transforms/Passes.h"
#include "linea/Import/ONNX/Importer.h"

#include "Progress.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/OpenMP/OpenMPDialect.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/WithColor.h"

using namespace mlir;
using namespace linea;
namespace cl = llvm::cl;

/// The tool's own options: --help lists these, not the ~380 LLVM and MLIR
/// options linked in (still accepted, just not listed).
static cl::OptionCategory compileOptions("linea-compile options");

static cl::opt<std::string> modelPath(cl::cat(compileOptions), cl::Positional,
                                      cl::Required,
                                      cl::desc("<model.onnx | model.mlir>"));
static cl::opt<std::string> outDir(cl::cat(compileOptions), "o", cl::Required,
                                   cl::desc("Output directory"),
                                   cl::value_desc("dir"));
static cl::opt<std::string>
    target(cl::cat(compileOptions), "target",
           cl::desc("Code generation target (cpu, cuda)"),
           cl::value_desc("target"), cl::init("cpu"));
static cl::opt<std::string>
    passes(cl::cat(compileOptions), "passes",
           cl::desc("linea-opt pass pipeline to run before lowering, e.g. "
                    "\"linea-quantize{format=int4 group-size=128}\""),
           cl::value_desc("pipeline"));
static cl::opt<std::string>
    libName(cl::cat(compileOptions), "name",
            cl::desc("Library name: lib<NAME>.so, <NAME>.h, C functions "
                     "<NAME>_<fn> (default: the model file's stem)"),
            cl::value_desc("NAME"));
static cl::opt<std::string>
    ccOption(cl::cat(compileOptions), "cc",
             cl::desc("C compiler that links the library (default: the "
                      "first of cc, clang-22, gcc on PATH)"),
             cl::value_desc("compiler"));
static cl::list<std::string>
    dims(cl::cat(compileOptions), "dim",
         cl::desc("ONNX: size of a symbolic input dimension"),
         cl::value_desc("NAME=VALUE"));
static cl::opt<bool> timing(cl::cat(compileOptions), "timing",
                            cl::desc("Print the time of each stage"));
static cl::opt<std::string>
    reportPath(cl::cat(compileOptions), "report",
               cl::desc("Write every linear layer before and after --passes, "
                        "and the stage times, as JSON to this file"),
               cl::value_desc("file.json"));
static cl::opt<bool>
    quiet(cl::cat(compileOptions), "quiet",
          cl::desc("Print nothing on stdout (no layer table)"));
static cl::opt<bool>
    progressOption(cl::cat(compileOptions), "progress",
                   cl::desc("Show each stage and pass on stderr (default: "
                            "only when stderr is a terminal)"));

static cl::opt<std::string>
    weightsMode(cl::cat(compileOptions), "weights",
                cl::desc("Where the constants go: embed (in lib<NAME>.so) or "
                         "file (<NAME>.weights, mapped at the first call)"),
                cl::value_desc("embed|file"), cl::init("embed"));
static cl::opt<int64_t> threadsOption(
    cl::cat(compileOptions), "max-threads",
    cl::desc("Most threads the library runs on (chosen at run time up to "
             "this; default 0: $LINEA_NUM_THREADS, else the physical cores)"),
    cl::value_desc("N"), cl::init(0));
static cl::opt<bool> autotune(
    cl::cat(compileOptions), "autotune",
    cl::desc("Time tile candidates for each dense layer shape, use "
             "the fastest and write them to OUTDIR/<NAME>.tiles.json"));
static cl::opt<int64_t> autotuneRows(
    cl::cat(compileOptions), "autotune-rows",
    cl::desc("Rows of x to time a layer with when its row count is dynamic"),
    cl::value_desc("M"), cl::init(16));
static cl::opt<std::string>
    tileTable(cl::cat(compileOptions), "tile-table",
              cl::desc("Tiles per layer shape from a table --autotune wrote"),
              cl::value_desc("file.json"));
static cl::opt<std::string> cpuOption(
    cl::cat(compileOptions), "cpu",
    cl::desc("CPU the library is compiled for: native (this machine, the "
             "default) or an LLVM x86 CPU name, e.g. x86-64-v3 (AVX2 + FMA, "
             "no AVX-512), x86-64-v4, skylake-avx512, znver4; it sets the "
             "kernels' vector width and VNNI use and LLVM's code generation"),
    cl::value_desc("NAME|native"), cl::init("native"));

static cl::opt<bool> hostFallback(
    cl::cat(compileOptions), "host-fallback",
    cl::desc("--target=cuda: layers and attention without a CUDA kernel are "
             "left for the host (manifest.json's host_ops) instead of "
             "failing the compile"));

/// Writes the constant operands of every named linear layer of `module` to `path` as an .npz keyed
/// "<layer>/<operand index>" (manifest.json lists a kernel's operands in
/// the same order), so a host program can upload them: the CUDA artifacts
/// hold no weights.
static llvm::Error writeLayerWeights(ModuleOp module, llvm::StringRef path) {
  std::vector<NpzEntry> entries;
  std::string why;
  llvm::StringSet<> seen;
  module.walk([&](Operation *op) {
    auto name = op->getAttrOfType<StringAttr>("name");
    if (!name || !isa<LinearLayerOpInterface>(op) || !why.empty())
      return;
    for (auto [index, operand] : llvm::enumerate(op->getOperands())) {
      auto type = dyn_cast<RankedTensorType>(operand.getType());
      if (!type || !getConstantElements(operand))
        continue;
      Type element = type.getElementType();
      // 8-bit float scales (e8m0, e4m3) travel as their raw codes.
      unsigned bitsPerElement = element.getIntOrFloatBitWidth();
      DType dtype = element.isF32()             ? DType::f32
                    : element.isF16()           ? DType::f16
                    : element.isBF16()          ? DType::bf16
                    : bitsPerElement == 8       ? DType::i8
                    : element.isInteger(32)     ? DType::i32
                    : element.isInteger(64)     ? DType::i64
                                                : DType::f64;
      std::string key = (name.getValue() + "/" + llvm::Twine(index)).str();
      if (!seen.insert(key).second) {
        why = "two layers are named '" + name.getValue().str() +
              "'; the weights file is keyed by layer name";
        return;
      }
      if (dtype == DType::f64) {
        // No kernel takes such an operand; a host program that needs it
        // gets a clear missing-key error from linea.cuda.
        llvm::errs() << "linea-compile: warning: " << key
                     << " not written to weights.npz (element type "
                     << element << ")\n";
        continue;
      }
      FailureOr<std::vector<uint64_t>> bits =
          readConstantBits(operand, key, &why);
      if (failed(bits))
        return;
      HostTensor tensor = makeTensor(
          dtype, std::vector<int64_t>(type.getShape().begin(),
                                      type.getShape().end()));
      unsigned width = dtypeBytes(dtype);
      for (auto [i, v] : llvm::enumerate(*bits))
        for (unsigned b = 0; b < width; ++b)
          tensor.bytes[i * width + b] = uint8_t(v >> (8 * b));
      entries.push_back({key, std::move(tensor)});
    }
  });
  if (!why.empty())
    return llvm::createStringError("cannot write layer weights: " + why);
  return writeNpz(path, entries);
}

/// Constants smaller than this stay in the library with --weights=file.
static constexpr uint64_t kSideFileMinBytes = 64;

static int fail(const llvm::Twine &message) {
  // Replace a pending progress status line rather than append to it.
  if (llvm::errs().is_displayed())
    llvm::errs() << "\r\033[K";
  llvm::WithColor::error(llvm::errs(), "linea-compile") << message << "\n";
  return 1;
}

static int fail(llvm::Error error) {
  return fail(llvm::toString(std::move(error)));
}

/// The --passes pipeline, with or without a `builtin.module(...)` anchor.
static LogicalResult parsePasses(StringRef text, PassManager &pm) {
  text = text.trim();
  if (text.consume_front("builtin.module(") && !text.consume_back(")")) {
    fail("--passes: unbalanced 'builtin.module(' in '" + passes + "'");
    return failure();
  }
  std::string message;
  llvm::raw_string_ostream os(message);
  if (failed(parsePassPipeline(text, pm, os))) {
    fail("--passes '" + passes + "': " + StringRef(message).trim() +
         "\n(linea-opt --help lists the passes and their options)");
    return failure();
  }
  return success();
}

static OwningOpRef<ModuleOp> importOnnx(StringRef path, MLIRContext &ctx) {
  onnx_import::ImportOptions options;
  for (const std::string &d : dims) {
    auto [name, value] = StringRef(d).split('=');
    int64_t v;
    if (name.empty() || value.getAsInteger(10, v) || v < 0) {
      fail("--dim expects NAME=VALUE with VALUE >= 0, not '" + d + "'");
      return nullptr;
    }
    options.dimValues[name] = v;
  }
  auto module = onnx_import::importOnnxFile(path, ctx, options);
  if (!module) {
    fail(path + ": " + llvm::toString(module.takeError()));
    return nullptr;
  }
  return std::move(*module);
}

/// linea's rewrites and kernels work on linea ops.
static LogicalResult raise(ModuleOp module) {
  PassManager pm(module.getContext());
  pm.addPass(createRaise());
  if (failed(pm.run(module))) {
    fail("linea-raise failed on the imported model");
    return failure();
  }
  return success();
}

static OwningOpRef<ModuleOp> parseMlir(StringRef path, MLIRContext &ctx) {
  std::string message;
  auto file = openInputFile(path, &message);
  if (!file) {
    fail(message);
    return nullptr;
  }
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  // Syntax errors quote the offending line.
  SourceMgrDiagnosticHandler handler(sourceMgr, &ctx);
  return parseSourceFile<ModuleOp>(sourceMgr, &ctx);
}

/// MLIR drops remarks and warnings that no handler takes: with the progress
/// shown (--progress, or stderr a terminal), those of --passes (a rewrite
/// that skips a layer says why in a remark) are shown among its lines, as
/// linea-opt shows them. Errors go on to the default handler.
static LogicalResult showRemarkOrWarning(Progress &progress, Diagnostic &diag) {
  bool remark = diag.getSeverity() == DiagnosticSeverity::Remark;
  if (!remark && diag.getSeverity() != DiagnosticSeverity::Warning)
    return failure();
  std::string line;
  llvm::raw_string_ostream os(line);
  if (auto loc = diag.getLocation()->findInstanceOf<FileLineColLoc>())
    os << loc.getFilename().getValue() << ":" << loc.getLine() << ":"
       << loc.getColumn() << ": ";
  os << (remark ? "remark: " : "warning: ") << diag;
  progress.print(line);
  return success();
}

/// The inputs of the exported functions are the caller's, read only: one-
/// shot bufferization must not write into them.
static void markInputsReadOnly(ModuleOp module) {
  auto readOnly = BoolAttr::get(module.getContext(), false);
  for (auto func : module.getOps<func::FuncOp>())
    if (!func.isExternal() && func.isPublic())
      for (unsigned i = 0; i < func.getNumArguments(); ++i)
        func.setArgAttr(i,
                        bufferization::BufferizationDialect::kWritableAttrName,
                        readOnly);
}

/// Writes through a temporary and a rename, so a process that has the old
/// file mapped (a weights file) keeps reading intact bytes.
static llvm::Error writeFile(StringRef dir, StringRef file, StringRef text) {
  llvm::SmallString<128> path(dir);
  llvm::sys::path::append(path, file);
  std::string temporary = (path + ".tmp").str();
  std::error_code ec;
  {
    llvm::raw_fd_ostream os(temporary, ec, llvm::sys::fs::OF_None);
    if (!ec) {
      os << text;
      os.close();
      ec = os.error();
    }
  }
  if (!ec)
    ec = llvm::sys::fs::rename(temporary, path);
  if (ec)
    llvm::sys::fs::remove(temporary);
  if (ec)
    return llvm::createStringError("cannot write '" + path +
                                   "': " + ec.message());
  return llvm::Error::success();
}

/// Writes --report's JSON and, unless --quiet, the layer table on stdout.
static LogicalResult finishReport(CompileReport &report,
                                  const Progress &progress,
                                  StringRef artifact) {
  report.library = artifact.str();
  report.stages = progress.stages();
  if (!reportPath.empty()) {
    std::string json;
    llvm::raw_string_ostream(json)
        << llvm::formatv("{0:2}", compileReportJson(report)) << "\n";
    llvm::SmallString<128> dir(reportPath);
    llvm::sys::path::remove_filename(dir);
    if (llvm::Error e =
            writeFile(dir, llvm::sys::path::filename(reportPath), json)) {
      fail(std::move(e));
      return failure();
    }
  }
  if (!quiet && (!report.before.empty() || !report.after.empty()))
    printCompileTable(report, llvm::outs());
  return success();
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  registerAllPasses();
  registerLineaPasses();
  registerLineaConversionPasses();
  registerLineaConversionPipelines();
  cl::HideUnrelatedOptions({&compileOptions});
  cl::ParseCommandLineOptions(argc, argv, "linea ahead-of-time compiler\n");
  Progress progress(
      progressOption || llvm::sys::Process::StandardErrIsDisplayed(), timing);

  if (target != "cpu" && target != "cuda")
    return fail("unknown --target '" + target + "' (supported: cpu, cuda)");
  StringRef ext = llvm::sys::path::extension(modelPath);
  bool isOnnx = ext == ".onnx";
  if (!isOnnx && ext != ".mlir")
    return fail("'" + modelPath +
                "': unknown file type; expected a .onnx or .mlir file");
  if (!llvm::sys::fs::exists(modelPath))
    return fail("'" + modelPath + "': no such file");
  if (!dims.empty() && !isOnnx)
    return fail("--dim applies to ONNX models only");
  if (weightsMode != "embed" && weightsMode != "file")
    return fail("unknown --weights '" + weightsMode +
                "' (supported: embed, file)");
  if (autotune && !tileTable.empty())
    return fail("--autotune writes a tile table; --tile-table reads one: "
                "give only one of them");
  if (target != "cpu" && (autotune || !tileTable.empty() ||
                          weightsMode != "embed" || threadsOption != 0))
    return fail("--autotune, --tile-table, --weights and --max-threads apply to "
                "--target=cpu");
  if (target != "cuda" && hostFallback)
    return fail("--host-fallback applies to --target=cuda");
  if (target != "cpu" && cpuOption != "native")
    return fail("--cpu applies to --target=cpu");
  auto cpuTarget = resolveCpuTarget(cpuOption);
  if (!cpuTarget)
    return fail("--cpu: " + llvm::toString(cpuTarget.takeError()));
  if (autotune && !cpuTarget->native)
    return fail("--autotune times candidates on this machine: use it with "
                "--cpu=native, or pass a --tile-table measured on the "
                "target");
  if (autotuneRows < 1)
    return fail("--autotune-rows must be at least 1, not " +
                llvm::Twine(int64_t(autotuneRows)));
  if (threadsOption < 0)
    return fail("--max-threads must be 0 (automatic) or more, not " +
                llvm::Twine(int64_t(threadsOption)));
  auto maxThreads = cpuThreadCount(threadsOption);
  if (!maxThreads)
    return fail("--max-threads: " + llvm::toString(maxThreads.takeError()));
  if (!tileTable.empty()) {
    // Diagnose a bad table before the long stages.
    if (auto table = readTileTable(tileTable); !table)
      return fail(table.takeError());
  }

  std::string name = libName;
  if (name.empty()) {
    // The stem, made an identifier: "llama-block.v2" → "llama_block_v2".
    for (char c : llvm::sys::path::stem(modelPath))
      name += llvm::isAlnum(c) ? c : '_';
    if (!name.empty() && llvm::isDigit(name.front()))
      name = "m_" + name;
  }
  if (!isCIdentifier(name))
    return fail("library name '" + name +
                "' is not a C identifier; choose one with --name");
  // The wrapper's own helpers are lw_*.
  if (name == "lw" || StringRef(name).starts_with("lw_"))
    return fail("library name '" + name +
                "' is reserved (lw_*); choose another with --name");
  auto cc = findCCompiler(ccOption);
  if (!cc)
    return fail(cc.takeError());

  DialectRegistry registry;
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerCudaCodegen(registry);
  registry.insert<LineaDialect>();
  MLIRContext ctx(registry);
  if (isOnnx)
    onnx_import::loadImportDialects(ctx);

  PassManager userPasses(&ctx);
  if (!passes.empty() && failed(parsePasses(passes, userPasses)))
    return 1;
  // A plan evaluates every candidate on every layer, the longest pass of a
  // compile: with progress shown it says how many layers it has done.
  if (progress.shown())
    for (Pass &pass : userPasses.getPasses())
      if (pass.getArgument() == "linea-plan" &&
          failed(pass.initializeOptions(
              "progress=true", [](const Twine &) { return failure(); })))
        return fail("--passes: cannot turn on linea-plan's progress");
  userPasses.addInstrumentation(progress.userPassesInstrumentation());

  progress.begin(isOnnx ? "import" : "parse");
  OwningOpRef<ModuleOp> module =
      isOnnx ? importOnnx(modelPath, ctx) : parseMlir(modelPath, ctx);
  if (!module)
    return 1;
  progress.end(modelPath);
  if (isOnnx) {
    progress.begin("raise");
    if (failed(raise(*module)))
      return 1;
    progress.end();
  }

  CompileReport report;
  report.model = modelPath;
  report.passes = passes;
  report.target = target;
  report.before = collectLayerRows(*module);
  if (!passes.empty()) {
    progress.begin("passes");
    ScopedDiagnosticHandler remarks(&ctx, [&](Diagnostic &diag) {
      return showRemarkOrWarning(progress, diag);
    });
    if (failed(userPasses.run(*module)))
      return fail("--passes '" + passes + "' failed (see the diagnostics)");
    progress.end();
  }
  report.after = collectLayerRows(*module);

  if (target == "cuda") {
    // Kernels, PTX, cubin (ptxas) and manifest.json for runtime/; the host
    // side is the runtime, not a library (docs/cuda.md).
    progress.begin("cuda");
    CudaEmitOptions cudaOptions;
    cudaOptions.hostFallback = hostFallback;
    if (failed(emitCudaArtifacts(*module, outDir, cudaOptions)))
      return fail("CUDA code generation failed (see the diagnostics)" +
                  llvm::Twine(hostFallback ? ""
                                           : "; --host-fallback leaves "
                                             "layers without a kernel to "
                                             "the host"));
    llvm::SmallString<256> weightsPath(outDir);
    llvm::sys::path::append(weightsPath, "weights.npz");
    if (llvm::Error error = writeLayerWeights(*module, weightsPath))
      return fail(llvm::toString(std::move(error)));
    progress.end();
    if (failed(finishReport(report, progress, outDir)))
      return 1;
    if (quiet)
      return 0;
    llvm::outs() << "wrote " << outDir
                 << "/linea_kernels.ptx, manifest.json, weights.npz (and "
                    "linea_kernels.cubin when ptxas was found)\n";
    return 0;
  }

  auto functions = collectBoundary(*module, name);
  if (!functions)
    return fail(modelPath + ": " + llvm::toString(functions.takeError()));

  if (std::error_code ec = llvm::sys::fs::create_directories(outDir))
    return fail("cannot create '" + outDir + "': " + ec.message());
  std::string tiles = tileTable;
  if (autotune) {
    progress.begin("autotune");
    AutotuneOptions options;
    options.threads = *maxThreads;
    options.dynamicRows = autotuneRows;
    if (!quiet)
      options.progress = [](StringRef line) {
        llvm::outs() << "autotune " << line << "\n";
      };
    auto tuned = autotuneContractions(*module, options);
    if (!tuned)
      return fail(tuned.takeError());
    std::string json;
    llvm::raw_string_ostream(json)
        << llvm::formatv("{0:2}", tileTableJson(*tuned, *maxThreads)) << "\n";
    if (llvm::Error e = writeFile(outDir, name + ".tiles.json", json))
      return fail(std::move(e));
    llvm::SmallString<128> path(outDir);
    llvm::sys::path::append(path, name + ".tiles.json");
    tiles = path.str().str();
    progress.end(llvm::formatv("{0} shape{1}", tuned->size(),
                               tuned->size() == 1 ? "" : "s")
                     .str());
  }

  if (!module->getOps<func::FuncOp>().empty()) {
    markInputsReadOnly(*module);
    progress.begin("lower");
    PassManager pm(&ctx);
    LowerToLLVMOptions lowering;
    lowering.numThreads = *maxThreads;
    lowering.runtimeThreads = true;
    lowering.tileTable = tiles;
    lowering.targetCpu = cpuOption;
    buildLowerToLLVMPipeline(pm, lowering);
    pm.addInstrumentation(progress.stageInstrumentation());
    if (failed(pm.run(*module)))
      return fail("lowering to the LLVM dialect failed (see the diagnostics)");
  } else {
    llvm::WithColor::warning(llvm::errs(), "linea-compile")
        << "the module is already lowered: compiled as it is, without the "
           "guarantee that its functions leave their inputs unchanged\n";
    progress.begin("lower");
  }
  progress.end();

  llvm::SmallString<128> object(outDir), wrapper(outDir), library(outDir);
  llvm::sys::path::append(object, name + ".o");
  llvm::sys::path::append(wrapper, name + "_wrapper.c");
  llvm::sys::path::append(library, "lib" + name + ".so");

  bool needsMemrefCopy = bool(module->lookupSymbol("memrefCopy"));
  // Threaded code holds OpenMP regions (omp.parallel) until translation.
  bool threaded = module
                      ->walk([](Operation *op) {
                        return isa<omp::OpenMPDialect>(op->getDialect())
                                   ? WalkResult::interrupt()
                                   : WalkResult::advance();
                      })
                      .wasInterrupted();
  LibraryRuntime runtime;
  runtime.maxThreads = threaded ? *maxThreads : 1;
  WeightsFile weights;
  if (weightsMode == "file") {
    auto moved = moveWeightsToFile(*module, kSideFileMinBytes);
    if (!moved)
      return fail(moved.takeError());
    weights = std::move(*moved);
    runtime.weights = &weights;
    if (llvm::Error e =
            writeFile(outDir, name + ".weights", weightsFileBytes(weights)))
      return fail(std::move(e));
  }
  progress.begin("codegen");
  if (llvm::Error e = emitHostObject(*module, object, *cpuTarget))
    return fail(std::move(e));
  progress.end(cpuTarget->native ? "LLVM, host CPU"
                                 : "LLVM, " + cpuTarget->cpu);

  StringRef source = llvm::sys::path::filename(modelPath);
  for (auto [file, text] :
       {std::pair{name + ".h", emitCHeader(name, *functions, source, runtime)},
        std::pair{name + "_wrapper.c",
                  emitCWrapper(name, *functions, needsMemrefCopy, runtime)},
        std::pair{name + ".json",
                  emitManifest(name, *functions, source, target, runtime)}})
    if (llvm::Error e = writeFile(outDir, file, text))
      return fail(std::move(e));

  progress.begin("link");
  llvm::Error linked =
      linkSharedLibrary(*cc, wrapper, object, library, threaded);
  llvm::sys::fs::remove(object);
  if (linked)
    return fail(std::move(linked));
  progress.end(*cc);

  if (failed(finishReport(report, progress, library)))
    return 1;
  if (quiet)
    return 0;
  llvm::outs() << "wrote " << library << " (" << functions->size()
               << " function" << (functions->size() == 1 ? "" : "s") << "), "
               << name << ".h, " << name << ".json"
               << (runtime.weights ? ", " + name + ".weights" : "") << "\n";
  return 0;
}
