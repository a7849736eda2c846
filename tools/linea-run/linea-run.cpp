//===- linea-run.cpp - run a function of a module on the CPU JIT ----------===//
//
//   linea-run MODULE [-e FUNC] [-i in0.npy ...] [--random-inputs --seed N]
//             [-o OUTDIR] [--compare OTHER --rtol R --atol A]
//
// Exit status: 0 on success, 1 when --compare finds an output outside the
// tolerances, 2 on any error (bad input, missing function, failed lowering).
//
//===----------------------------------------------------------------------===//

#include "linea/Conversion/Passes.h"
#include "linea/Dialect/Linea/IR/LineaDialect.h"
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

using namespace mlir;
using namespace linea;
namespace cl = llvm::cl;

static cl::opt<std::string> modulePath(cl::Positional, cl::Required,
                                       cl::desc("<module.mlir>"));
static cl::opt<std::string>
    entry("e", cl::desc("Function to run (default: the module's only public "
                        "function)"),
          cl::value_desc("name"));
static cl::list<std::string> inputPaths("i",
                                        cl::desc("Input .npy, in argument order"),
                                        cl::value_desc("file.npy"));
static cl::opt<bool> randomInputs("random-inputs",
                                  cl::desc("Generate random inputs"));
static cl::opt<uint64_t> seed("seed", cl::desc("Seed of --random-inputs"),
                              cl::init(0));
static cl::opt<std::string>
    outDir("o", cl::desc("Write outputs as OUTDIR/out<i>.npy (and generated "
                         "inputs as in<i>.npy)"),
           cl::value_desc("dir"));
static cl::opt<std::string>
    comparePath("compare",
                cl::desc("Also run this module on the same inputs and compare "
                         "outputs (it is the reference)"),
                cl::value_desc("other.mlir"));
static cl::opt<double> relTol("rtol", cl::desc("Relative tolerance"),
                            cl::init(1e-4));
static cl::opt<double> absTol("atol", cl::desc("Absolute tolerance"),
                            cl::init(1e-5));

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

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  registerLineaConversionPasses();
  cl::ParseCommandLineOptions(argc, argv, "linea CPU JIT runner\n");

  if (randomInputs && !inputPaths.empty())
    return fail("give either -i files or --random-inputs, not both");

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
