//===- Runner.h - run a function of a module on the CPU JIT -----*- C++ -*-===//
//
// linea-run's engine: lowers a module at any stage (linea, linalg on
// tensors, or LLVM dialect produced by linea-lower-to-llvm) and calls one of
// its functions through MLIR's ExecutionEngine on host tensors. A module can
// be compiled once and its functions called many times (CompiledFunction).
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_EXECUTION_RUNNER_H
#define LINEA_EXECUTION_RUNNER_H

#include "linea/Execution/Npy.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>
#include <vector>

namespace mlir {
class ExecutionEngine;
} // namespace mlir

namespace linea {

/// The tensor types a function takes and returns.
struct TensorSignature {
  std::vector<mlir::RankedTensorType> inputs;
  std::vector<mlir::RankedTensorType> outputs;
};

/// The dtype of a tensor element type, if linea-run supports it.
std::optional<DType> dtypeOf(mlir::Type elementType);

/// Signature of function `name`: from a func.func on tensors, or from the
/// `linea.inputs`/`linea.outputs` attributes of a lowered llvm.func.
llvm::Expected<TensorSignature> getSignature(mlir::ModuleOp module,
                                             llvm::StringRef name);

/// Checks that `inputs` match `signature` (count, dtype, static dims).
llvm::Error checkInputs(const TensorSignature &signature,
                        llvm::ArrayRef<HostTensor> inputs,
                        llvm::StringRef name);

/// Deterministic random inputs for `signature`: floats uniform in [-1, 1),
/// integers uniform in [-8, 8). Fails on dynamic dimensions.
llvm::Expected<std::vector<HostTensor>>
makeRandomInputs(const TensorSignature &signature, uint64_t seed);

/// One function of a JIT-compiled module, callable many times (benchmarks
/// compile once and time the calls). Copies share the compiled code.
class CompiledFunction {
public:
  CompiledFunction(std::shared_ptr<mlir::ExecutionEngine> engine,
                   std::string name, TensorSignature signature,
                   void (*packed)(void **));

  llvm::StringRef getName() const { return name; }
  const TensorSignature &getSignature() const { return signature; }

  /// Calls the function on copies of `inputs` (the code may write into its
  /// arguments) and returns copies of the results (the code's own result
  /// buffers are left allocated: a module lowered elsewhere may return
  /// memory it does not own).
  llvm::Expected<std::vector<HostTensor>>
  invoke(llvm::ArrayRef<HostTensor> inputs) const;

  /// Calls the function on `inputs` themselves, without copying or checking
  /// them (callers check once with checkInputs); the code may overwrite
  /// them. The results' memref descriptors are written to `resultWords` (per
  /// result: allocated pointer, aligned pointer, offset, sizes, strides).
  /// Code from linea-lower-to-llvm returns buffers it malloc'ed (views of
  /// arguments are cloned), which the caller frees. For timing loops.
  void invokeInPlace(llvm::MutableArrayRef<HostTensor> inputs,
                     std::vector<int64_t> &resultWords) const;

  /// Copies the results described by `resultWords` into host tensors.
  std::vector<HostTensor>
  readResults(llvm::ArrayRef<int64_t> resultWords) const;

private:
  std::shared_ptr<mlir::ExecutionEngine> engine;
  std::string name;
  TensorSignature signature;
  void (*packed)(void **);
};

/// Lowers `module` in place (when not yet in the LLVM dialect) and
/// JIT-compiles it once; returns one callable per name in `names`.
llvm::Expected<std::vector<CompiledFunction>>
compileFunctions(mlir::ModuleOp module, llvm::ArrayRef<std::string> names);

/// compileFunctions for a single function.
llvm::Expected<CompiledFunction> compileFunction(mlir::ModuleOp module,
                                                 llvm::StringRef name);

/// Lowers `module` in place (when not yet in the LLVM dialect), JIT-compiles
/// it and calls `name` on `inputs`; returns the results.
llvm::Expected<std::vector<HostTensor>>
runFunction(mlir::ModuleOp module, llvm::StringRef name,
            llvm::ArrayRef<HostTensor> inputs);

} // namespace linea

#endif // LINEA_EXECUTION_RUNNER_H
