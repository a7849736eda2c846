//===- Runner.h - run a function of a module on the CPU JIT -----*- C++ -*-===//
//
// linea-run's engine: lowers a module at any stage (linea, linalg on
// tensors, or LLVM dialect produced by linea-lower-to-llvm) and calls one of
// its functions through MLIR's ExecutionEngine on host tensors.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_EXECUTION_RUNNER_H
#define LINEA_EXECUTION_RUNNER_H

#include "linea/Execution/Npy.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/Support/Error.h"

#include <vector>

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

/// Lowers `module` in place (when not yet in the LLVM dialect), JIT-compiles
/// it and calls `name` on `inputs`; returns the results.
llvm::Expected<std::vector<HostTensor>>
runFunction(mlir::ModuleOp module, llvm::StringRef name,
            llvm::ArrayRef<HostTensor> inputs);

} // namespace linea

#endif // LINEA_EXECUTION_RUNNER_H
