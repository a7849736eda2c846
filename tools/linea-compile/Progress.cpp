//===- Progress.cpp - linea-compile's stage and pass progress -------------===//

#include "Progress.h"

#include "linea/Dialect/Linea/Transforms/LayerReport.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace linea {

Progress::Progress(bool show, bool timing)
    : show(show), timing(timing),
      terminal(show && llvm::sys::Process::StandardErrIsDisplayed()) {}

double Progress::elapsed() const {
  return std::chrono::duration<double>(Clock::now() - begun).count();
}

void Progress::print(llvm::StringRef line) {
  if (!show)
    return;
  if (terminal)
    llvm::errs() << "\r\033[K";
  llvm::errs() << "linea-compile: " << llvm::format("[%6.1fs] ", elapsed())
               << line << "\n";
  if (terminal && !stage.empty())
    status(stage + " ...");
}

void Progress::status(llvm::StringRef text) {
  if (!terminal)
    return;
  llvm::errs() << "\r\033[K"
               << "linea-compile: " << llvm::format("[%6.1fs] ", elapsed())
               << text;
  llvm::errs().flush();
}

void Progress::begin(llvm::StringRef name) {
  stage = name.str();
  stageBegun = Clock::now();
  status(stage + " ...");
}

void Progress::end(llvm::StringRef detail) {
  double seconds =
      std::chrono::duration<double>(Clock::now() - stageBegun).count();
  times.emplace_back(stage, seconds);
  if (timing)
    llvm::errs() << llvm::format("%-10s %7.3f s\n", stage.c_str(), seconds);
  std::string line = stage;
  stage.clear();
  llvm::raw_string_ostream os(line);
  os << llvm::format(": %.2f s", seconds);
  if (!detail.empty())
    os << " (" << detail << ")";
  print(line);
}

static std::string passLabel(Pass *pass) {
  return (pass->getArgument().empty() ? pass->getName() : pass->getArgument())
      .str();
}

namespace {
/// Per top-level pass of --passes: its time and the layers whose form it
/// changed (a rewrite pass reports nothing per layer, so this is the count
/// of layers it processed).
class UserPasses : public PassInstrumentation {
public:
  explicit UserPasses(Progress &progress) : progress(progress) {}

  void runBeforePass(Pass *pass, Operation *op) override {
    // Only the passes of --passes themselves: a pass running a pipeline of
    // its own (linea-plan applies its choices with the rewrite passes)
    // reports once, for all of it.
    if (!isa<ModuleOp>(op) || op->getParentOp() || depth++ > 0)
      return;
    forms.clear();
    for (const LayerRow &row : collectLayerRows(op))
      forms[row.name] = row.form;
    started = progress.elapsed();
    progress.status("pass " + passLabel(pass) + " on " +
                    std::to_string(forms.size()) + " layers ...");
  }

  void runAfterPassFailed(Pass *pass, Operation *op) override {
    if (isa<ModuleOp>(op) && !op->getParentOp())
      --depth;
  }

  void runAfterPass(Pass *pass, Operation *op) override {
    if (!isa<ModuleOp>(op) || op->getParentOp() || --depth > 0)
      return;
    SmallVector<LayerRow> rows = collectLayerRows(op);
    unsigned changed = 0;
    for (const LayerRow &row : rows) {
      auto it = forms.find(row.name);
      changed += it == forms.end() || it->second != row.form;
    }
    std::string line;
    llvm::raw_string_ostream(line)
        << "pass " << passLabel(pass)
        << llvm::format(": %.2f s, ", progress.elapsed() - started) << changed
        << " of " << rows.size() << " layers changed form";
    progress.print(line);
  }

private:
  Progress &progress;
  llvm::StringMap<std::string> forms;
  double started = 0;
  unsigned depth = 0; // top-level module passes running, nested included
};

/// The pass running inside a stage, on the terminal's status line.
class StagePasses : public PassInstrumentation {
public:
  StagePasses(Progress &progress) : progress(progress) {}
  void runBeforePass(Pass *pass, Operation *op) override {
    // Not the adaptors that run nested pipelines (they have no argument).
    if (isa<ModuleOp>(op) && !op->getParentOp() && !pass->getArgument().empty())
      progress.status(progress.currentStage().str() + ": " + passLabel(pass) +
                      " ...");
  }

private:
  Progress &progress;
};
} // namespace

std::unique_ptr<PassInstrumentation> Progress::userPassesInstrumentation() {
  return std::make_unique<UserPasses>(*this);
}

std::unique_ptr<PassInstrumentation> Progress::stageInstrumentation() {
  return std::make_unique<StagePasses>(*this);
}

} // namespace linea
