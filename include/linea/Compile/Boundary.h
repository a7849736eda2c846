//===- Boundary.h - the C boundary of a compiled module ---------*- C++ -*-===//
//
// linea-compile gives every public function of a module a plain C entry
// point: pointers to the inputs (plus one int64_t per dynamic dimension) and
// to the outputs, no memref descriptors. This describes that boundary; the C
// header, the C wrapper and the JSON manifest are all generated from it.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_COMPILE_BOUNDARY_H
#define LINEA_COMPILE_BOUNDARY_H

#include "linea/Execution/Npy.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace linea {

/// Largest rank the C boundary passes (the size of linea_tensor::shape).
constexpr int64_t kMaxBoundaryRank = 8;

/// One input or output tensor at the C boundary.
struct BoundaryTensor {
  /// The name the model gives it (ONNX name), else "in<i>" / "out<i>".
  std::string name;
  /// A C identifier derived from `name`, unique within its function.
  std::string cName;
  DType dtype = DType::f32;
  /// -1 for a dynamic dimension.
  std::vector<int64_t> shape;
  /// C names of the int64_t size arguments of the dynamic dimensions
  /// (inputs only; one per -1 in `shape`, in order).
  std::vector<std::string> dimArgs;

  bool isStatic() const;
};

/// One public function of the module.
struct BoundaryFunction {
  /// The MLIR symbol (its C interface is `_mlir_ciface_<name>`).
  std::string name;
  /// The exported C symbol: `<lib>_<name>`.
  std::string symbol;
  std::vector<BoundaryTensor> inputs;
  std::vector<BoundaryTensor> outputs;
};

/// Whether `name` is a valid C identifier (and not a C keyword).
bool isCIdentifier(llvm::StringRef name);

/// The boundary of every public function of `module` (func.func on ranked
/// tensors, or llvm.func lowered by linea-lower-to-llvm). Call it before
/// lowering: names come from `onnx.name` argument/result attributes. Fails,
/// naming the function and operand, on an unsupported type or rank, or when
/// the module has no public function.
llvm::Expected<std::vector<BoundaryFunction>>
collectBoundary(mlir::ModuleOp module, llvm::StringRef libName);

/// The C element type of `dtype` (f16/bf16 travel as uint16_t bits).
llvm::StringRef cElementType(DType dtype);

} // namespace linea

#endif // LINEA_COMPILE_BOUNDARY_H
