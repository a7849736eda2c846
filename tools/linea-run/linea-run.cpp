//===- linea-run.cpp - run a function of a module on the CPU JIT ----------===//
//
//   linea-run MODULE [-e FUNC] [-i in0.npy ...] [--random-inputs --seed N]
//             [-o OUTDIR] [--compare OTHER --rtol R --atol A]
//   linea-run MODULE --collect-stats STATS.npz [-i ... | --random-inputs
//             --calib-samples N] [--stats-xtx=false] [--append-stats]
//
// Exit status: 0 on success, 1 when --compare finds an output outside the
// tolerances, 2 on any error (bad input, missing function, failed lowering).
//
//===----------------------------------------------------------------------===//

#include "linea/Conversion/Passes.h"
#include "linea/Dialect/Linea/IR/LineaDialect.h"
#include "linea/Execution/CalibrationStats.h"
#include "linea/Execution/Compare.h"
#include "linea/Execution/Runner.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/WithColor.h"

#include <cmath>

using namespace mlir;
using namespace linea;
namespace cl = llvm::cl;

/// The tool's own options: --help lists these, not the ~380 LLVM and MLIR
/// options linked in (still accepted, just not listed).
static cl::OptionCategory runOptions("linea-run options");

static cl::opt<std::string> modulePath(cl::cat(runOptions), cl::Positional,
                                       cl::Required, cl::desc("<module.mlir>"));
static cl::opt<std::string>
    entry(cl::cat(runOptions), "e",
          cl::desc("Function to run (default: the module's only public "
                   "function)"),
          cl::value_desc("name"));
static cl::list<std::string>
    inputPaths(cl::cat(runOptions), "i",
               cl::desc("Input .npy, in argument order"),
               cl::value_desc("file.npy"));
static cl::opt<bool> randomInputs(cl::cat(runOptions), "random-inputs",
                                  cl::desc("Generate random inputs"));
static cl::opt<uint64_t> seed(cl::cat(runOptions), "seed",
                              cl::desc("Seed of --random-inputs"), cl::init(0));
static cl::opt<std::string>
    outDir(cl::cat(runOptions), "o",
           cl::desc("Write outputs as OUTDIR/out<i>.npy (and generated "
                    "inputs as in<i>.npy)"),
           cl::value_desc("dir"));
static cl::opt<std::string>
    comparePath(cl::cat(runOptions), "compare",
                cl::desc("Also run this module on the same inputs and compare "
                         "outputs (it is the reference)"),
                cl::value_desc("other.mlir"));
static cl::opt<double> relTol(cl::cat(runOptions), "rtol",
                              cl::desc("Relative tolerance"), cl::init(1e-4));
static cl::opt<double> absTol(cl::cat(runOptions), "atol",
                              cl::desc("Absolute tolerance"), cl::init(1e-5));

static cl::OptionCategory statsCategory("Calibration statistics");
static cl::opt<std::string> collectStats(
    "collect-stats",
    cl::desc("Record the input statistics of every named linear layer (max "
             "|x| per channel, XᵀX, token count) into this .npz instead of "
             "printing outputs"),
    cl::value_desc("stats.npz"), cl::cat(statsCategory));
static cl::opt<bool> statsXtx("stats-xtx",
                              cl::desc("Also record XᵀX (K×K f64 per layer)"),
                              cl::init(true), cl::cat(statsCategory));
static cl::opt<bool> appendStats(
    "append-stats",
    cl::desc("Merge into the existing --collect-stats file (created when "
             "missing)"),
    cl::cat(statsCategory));
static cl::opt<unsigned> calibSamples(
    "calib-samples",
    cl::desc("With --random-inputs: run this many input sets, seeds "
             "seed..seed+N-1"),
    cl::init(1), cl::cat(statsCategory));

static int fail(const llvm::Twine &message) {
  llvm::WithColor::error(llvm::errs(), "linea-run") << message << "\n";
  return 2;
}

static int fail(llvm::Error error) {
  return fail(llvm::toString(std::move(error)));
}

static OwningOpRef<ModuleOp> parseModule(StringRef path, MLIRContext &ctx) {
  std::string message;
  auto file = openInputFile(path, &message);
  if (!file) {
    llvm::WithColor::error(llvm::errs(), "linea-run") << message << "\n";
    return {};
  }
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  return parseSourceFile<ModuleOp>(sourceMgr, &ctx);
}

/// The function to run: -e, else the only public function with a body.
static std::optional<std::string> pickEntry(ModuleOp module) {
  if (!entry.empty())
    return entry.getValue();
  SmallVector<std::string> publics;
  module.walk([&](FunctionOpInterface func) {
    if (!func.isExternal() && func.isPublic() &&
        !func.getName().starts_with("_mlir_ciface_"))
      publics.push_back(func.getName().str());
  });
  if (publics.size() == 1)
    return publics.front();
  fail("the module has " + llvm::Twine(publics.size()) +
       " public functions; choose one with -e");
  return std::nullopt;
}

static void printSummary(StringRef label, const HostTensor &t) {
  double sum = 0, maxAbs = 0;
  for (int64_t i = 0; i < t.numElements(); ++i) {
    double v = t.getAsDouble(i);
    sum += v;
    maxAbs = std::max(maxAbs, std::fabs(v));
  }
  llvm::outs() << label << ": " << t.describe()
               << llvm::format("  sum=%.6g  max|x|=%.6g", sum, maxAbs) << "\n";
}

/// --collect-stats: runs `name` on every input set, merges with the existing
/// file when asked, writes the file and prints one line per layer.
static int collectStatistics(ModuleOp module, StringRef name,
                             ArrayRef<std::vector<HostTensor>> inputSets) {
  auto stats = collectCalibrationStats(module, name, inputSets, statsXtx);
  if (!stats)
    return fail(stats.takeError());
  for (const std::string &why : stats->skipped)
    llvm::WithColor::note(llvm::errs(), "linea-run")
        << "no statistics for layer " << why << "\n";
  if (appendStats && llvm::sys::fs::exists(collectStats)) {
    auto existing = readCalibrationStats(collectStats);
    if (!existing)
      return fail(existing.takeError());
    if (llvm::Error e = mergeCalibrationStats(*existing, *stats))
      return fail("cannot append to '" + collectStats +
                  "': " + llvm::toString(std::move(e)));
    existing->skipped = std::move(stats->skipped);
    *stats = std::move(*existing);
  }
  if (llvm::Error e = writeCalibrationStats(*stats, collectStats))
    return fail(std::move(e));
  for (const LayerStats &layer : stats->layers) {
    float maxAbs = 0;
    for (float v : layer.absMax)
      maxAbs = std::isnan(v) || std::isnan(maxAbs) ? NAN : std::max(maxAbs, v);
    llvm::outs() << layer.name << ": K=" << layer.channels
                 << " tokens=" << layer.tokens
                 << llvm::format(" max|x|=%.6g", maxAbs) << "\n";
  }
  llvm::outs() << "wrote " << stats->layers.size() << " layers ("
               << inputSets.size() << " new sample"
               << (inputSets.size() == 1 ? "" : "s") << ") to " << collectStats
               << "\n";
  return 0;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  registerLineaConversionPasses();
  cl::HideUnrelatedOptions({&runOptions, &statsCategory});
  cl::ParseCommandLineOptions(argc, argv, "linea CPU JIT runner\n");

  if (randomInputs && !inputPaths.empty())
    return fail("give either -i files or --random-inputs, not both");
  if (calibSamples.getNumOccurrences() && !randomInputs)
    return fail("--calib-samples needs --random-inputs (with -i files, run "
                "once per sample with --append-stats)");
  if (calibSamples == 0)
    return fail("--calib-samples must be at least 1");
  if (collectStats.empty() &&
      (appendStats.getNumOccurrences() || statsXtx.getNumOccurrences() ||
       calibSamples.getNumOccurrences()))
    return fail("--append-stats, --stats-xtx and --calib-samples go with "
                "--collect-stats");
  if (!collectStats.empty() && (!outDir.empty() || !comparePath.empty()))
    return fail("--collect-stats does not combine with -o or --compare");

  DialectRegistry registry;
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registry.insert<LineaDialect>();
  MLIRContext ctx(registry), refCtx(registry);

  OwningOpRef<ModuleOp> module = parseModule(modulePath, ctx);
  if (!module)
    return 2;
  std::optional<std::string> name = pickEntry(*module);
  if (!name)
    return 2;
  auto sig = getSignature(*module, *name);
  if (!sig)
    return fail(sig.takeError());

  std::vector<HostTensor> inputs;
  if (randomInputs) {
    auto generated = makeRandomInputs(*sig, seed);
    if (!generated)
      return fail(generated.takeError());
    inputs = std::move(*generated);
  } else {
    for (const std::string &path : inputPaths) {
      auto t = readNpy(path);
      if (!t)
        return fail(t.takeError());
      inputs.push_back(std::move(*t));
    }
  }
  if (llvm::Error e = checkInputs(*sig, inputs, *name))
    return fail(std::move(e));

  if (!collectStats.empty()) {
    std::vector<std::vector<HostTensor>> inputSets{std::move(inputs)};
    for (unsigned s = 1; s < calibSamples; ++s) {
      auto generated = makeRandomInputs(*sig, seed + s);
      if (!generated)
        return fail(generated.takeError());
      inputSets.push_back(std::move(*generated));
    }
    return collectStatistics(*module, *name, inputSets);
  }

  OwningOpRef<ModuleOp> reference;
  if (!comparePath.empty()) {
    reference = parseModule(comparePath, refCtx);
    if (!reference)
      return 2;
  }

  auto outputs = runFunction(*module, *name, inputs);
  if (!outputs)
    return fail(outputs.takeError());

  if (!outDir.empty()) {
    if (std::error_code ec = llvm::sys::fs::create_directories(outDir))
      return fail("cannot create '" + outDir + "': " + ec.message());
    auto write = [&](StringRef stem, size_t i, const HostTensor &t) {
      llvm::SmallString<128> path(outDir);
      llvm::sys::path::append(path, stem + std::to_string(i) + ".npy");
      return writeNpy(path, t);
    };
    for (auto [i, t] : llvm::enumerate(*outputs))
      if (llvm::Error e = write("out", i, t))
        return fail(std::move(e));
    if (randomInputs)
      for (auto [i, t] : llvm::enumerate(inputs))
        if (llvm::Error e = write("in", i, t))
          return fail(std::move(e));
  }

  if (!reference) {
    for (auto [i, t] : llvm::enumerate(*outputs))
      printSummary("out" + std::to_string(i), t);
    return 0;
  }

  auto refOutputs = runFunction(*reference, *name, inputs);
  if (!refOutputs)
    return fail(refOutputs.takeError());
  if (refOutputs->size() != outputs->size())
    return fail("@" + *name + " returns " + llvm::Twine(outputs->size()) +
                " outputs, but the reference returns " +
                llvm::Twine(refOutputs->size()));
  bool ok = true;
  for (size_t i = 0; i < outputs->size(); ++i) {
    const HostTensor &a = (*outputs)[i], &r = (*refOutputs)[i];
    if (a.shape != r.shape)
      return fail("out" + llvm::Twine(i) + " is " + a.describe() +
                  ", but the reference's is " + r.describe());
    Comparison c = compareTensors(a, r, relTol, absTol);
    bool pass = c.violations == 0;
    ok &= pass;
    llvm::outs() << "out" << i << ": " << a.describe()
                 << llvm::format("  max_abs=%.3e  rel=%.3e  ", c.maxAbsError,
                                 c.relError)
                 << (pass ? "OK" : "FAIL") << " (" << c.violations << "/"
                 << c.numElements << " outside atol=" << absTol.getValue()
                 << " rtol=" << relTol.getValue() << ")\n";
  }
  return ok ? 0 : 1;
}
