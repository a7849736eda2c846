//===- ReportOutputError.cpp - linea-report's output comparison -----------===//
//
// The report pass runs inside linea-opt on the module being transformed;
// lowering for the JIT rewrites a module in place and loads dialects, so
// both modules are re-created in a private single-threaded context (the
// current one through its printed form) and lowered there.
//
//===----------------------------------------------------------------------===//

#include "ReportOutputError.h"

#include "linea/Dialect/Linea/IR/LineaDialect.h"
#include "linea/Execution/Compare.h"
#include "linea/Execution/Runner.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Parser/Parser.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/TargetSelect.h"

#include <cmath>

using namespace mlir;
using namespace linea;

namespace {

/// A private context that can parse and lower anything linea-opt can.
std::unique_ptr<MLIRContext> makeContext() {
  DialectRegistry registry;
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registry.insert<LineaDialect>();
  return std::make_unique<MLIRContext>(registry,
                                       MLIRContext::Threading::DISABLED);
}

/// The function to compare: `entry`, else the only public function.
FailureOr<std::string> pickEntry(ModuleOp module, StringRef entry,
                                 std::string &why) {
  if (!entry.empty())
    return entry.str();
  SmallVector<std::string> publics;
  module.walk([&](FunctionOpInterface func) {
    if (!func.isExternal() && func.isPublic() &&
        !func.getName().starts_with("_mlir_ciface_"))
      publics.push_back(func.getName().str());
  });
  if (publics.size() == 1)
    return publics.front();
  why = "the module has " + std::to_string(publics.size()) +
        " public functions; choose one with entry=NAME";
  return failure();
}

/// ‖a − r‖_F / ‖r‖_F (0 when both are zero, ∞ when only r is).
double relativeFrobenius(const HostTensor &a, const HostTensor &r) {
  double diff = 0.0, ref = 0.0;
  for (int64_t i = 0, e = r.numElements(); i < e; ++i) {
    double d = a.getAsDouble(i) - r.getAsDouble(i);
    diff += d * d;
    ref += r.getAsDouble(i) * r.getAsDouble(i);
  }
  if (ref == 0.0)
    return diff == 0.0 ? 0.0 : INFINITY;
  return std::sqrt(diff / ref);
}

} // namespace

FailureOr<OutputErrorReport>
linea::measureOutputError(ModuleOp module, StringRef referencePath,
                          ArrayRef<std::string> inputPaths, uint64_t seed,
                          StringRef entry) {
  auto fail = [&](const Twine &why) {
    module.emitError() << "linea-report: cannot compare outputs against '"
                       << referencePath << "': " << why;
    return failure();
  };
  OutputErrorReport report;
  report.referencePath = referencePath.str();
  report.inputPaths.assign(inputPaths.begin(), inputPaths.end());
  report.seed = seed;

  // Parse errors of the private context would otherwise go to stderr
  // without saying which step they belong to.
  std::unique_ptr<MLIRContext> ctx = makeContext();
  std::string diagnostics;
  ScopedDiagnosticHandler collect(ctx.get(), [&](Diagnostic &diag) {
    diagnostics += "\n  " + diag.str();
    return success();
  });

  if (!llvm::sys::fs::exists(referencePath))
    return fail("no such file");
  OwningOpRef<ModuleOp> reference =
      parseSourceFile<ModuleOp>(referencePath, ParserConfig(ctx.get()));
  if (!reference)
    return fail("it does not parse:" + diagnostics);

  std::string text;
  llvm::raw_string_ostream os(text);
  module->print(os);
  OwningOpRef<ModuleOp> current =
      parseSourceString<ModuleOp>(text, ParserConfig(ctx.get()));
  if (!current)
    return fail("the current module does not re-parse:" + diagnostics);

  std::string why;
  FailureOr<std::string> name = pickEntry(*current, entry, why);
  if (failed(name))
    return fail(why);
  report.function = *name;
  llvm::Expected<TensorSignature> sig = getSignature(*current, *name);
  if (!sig)
    return fail(llvm::toString(sig.takeError()));

  std::vector<HostTensor> inputs;
  if (inputPaths.empty()) {
    auto generated = makeRandomInputs(*sig, seed);
    if (!generated)
      return fail(llvm::toString(generated.takeError()));
    inputs = std::move(*generated);
  } else {
    for (const std::string &path : inputPaths) {
      llvm::Expected<HostTensor> t = readNpy(path);
      if (!t)
        return fail(llvm::toString(t.takeError()));
      inputs.push_back(std::move(*t));
    }
  }

  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  auto outputs = runFunction(*current, *name, inputs);
  if (!outputs)
    return fail("running the current module: " +
                llvm::toString(outputs.takeError()) + diagnostics);
  auto refOutputs = runFunction(*reference, *name, inputs);
  if (!refOutputs)
    return fail("running the reference: " +
                llvm::toString(refOutputs.takeError()) + diagnostics);
  if (outputs->size() != refOutputs->size())
    return fail("@" + *name + " returns " + Twine(outputs->size()) +
                " outputs, the reference's " + Twine(refOutputs->size()));

  for (size_t i = 0; i < outputs->size(); ++i) {
    const HostTensor &a = (*outputs)[i], &r = (*refOutputs)[i];
    if (a.shape != r.shape)
      return fail("output " + Twine(i) + " is " + a.describe() +
                  ", the reference's " + r.describe());
    Comparison c = compareTensors(a, r, /*rtol=*/0.0, /*atol=*/0.0);
    report.outputs.push_back({a.describe(), a.shape, c.maxAbsError, c.relError,
                              relativeFrobenius(a, r)});
  }
  return report;
}

void linea::printOutputError(const OutputErrorReport &report,
                             llvm::raw_ostream &os) {
  os << "output error of @" << report.function << " against "
     << report.referencePath << " (";
  if (report.inputPaths.empty())
    os << "random inputs, seed " << report.seed;
  else
    os << llvm::join(report.inputPaths, ", ");
  os << "):\n";
  for (auto [i, row] : llvm::enumerate(report.outputs))
    os << "out" << i << "  " << row.type
       << llvm::format("  max_abs=%.3e  rel=%.3e  rel_fro=%.3e\n",
                       row.maxAbsError, row.relError, row.relFrobeniusError);
}
