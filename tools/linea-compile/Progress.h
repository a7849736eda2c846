//===- Progress.h - linea-compile's stage and pass progress ----*- C++ -*-===//
//
// Long compiles (a rewrite of every layer of a large model, LLVM codegen)
// should show what is running: each stage with its time and, for the
// --passes pipeline, each pass with how many layers it rewrote. Shown on
// stderr when it is a terminal or with --progress; --timing keeps its
// one-line-per-stage format.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_COMPILE_PROGRESS_H
#define LINEA_COMPILE_PROGRESS_H

#include "mlir/Pass/PassInstrumentation.h"
#include "llvm/ADT/StringRef.h"

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace linea {

class Progress {
public:
  Progress(bool show, bool timing);

  /// Starts `stage`; the previous one, if any, must have ended.
  void begin(llvm::StringRef stage);
  /// Ends the current stage; `detail` follows its time.
  void end(llvm::StringRef detail = "");

  /// Shows each top-level pass of the --passes pipeline with its time and
  /// how many layers it changed.
  std::unique_ptr<mlir::PassInstrumentation> userPassesInstrumentation();
  /// On a terminal, names the pass running inside the current stage.
  std::unique_ptr<mlir::PassInstrumentation> stageInstrumentation();

  /// (stage, seconds) of every ended stage.
  const std::vector<std::pair<std::string, double>> &stages() const {
    return times;
  }

  /// Writes `line` (with its newline) above the terminal's status line.
  void print(llvm::StringRef line);
  /// Replaces the terminal's status line (no-op off a terminal).
  void status(llvm::StringRef text);
  double elapsed() const;
  llvm::StringRef currentStage() const { return stage; }
  /// Whether progress is shown at all (a terminal or --progress).
  bool shown() const { return show; }

private:
  using Clock = std::chrono::steady_clock;
  bool show, timing, terminal;
  Clock::time_point begun = Clock::now(), stageBegun = begun;
  std::string stage;
  std::vector<std::pair<std::string, double>> times;
};

} // namespace linea

#endif // LINEA_COMPILE_PROGRESS_H
