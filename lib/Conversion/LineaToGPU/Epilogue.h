//===- Epilogue.h - activations and residuals fused into a layer's store --===//
//
// A linear layer's output is usually consumed at once by elementwise ops:
// an activation (ReLU, GELU, SiLU, ...) and a residual add, or SwiGLU's
// product with another projection. Each is a full pass over the M×N
// output in memory; a kernel that already holds y[m, n] in a register can
// apply them before its one store. EpilogueSpec says what to apply,
// applyEpilogue emits it, and matchEpilogue finds it in the IR: the
// linalg.generic ops (ONNX import, linea-opt) after the layer.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_LIB_CONVERSION_LINEATOGPU_EPILOGUE_H
#define LINEA_LIB_CONVERSION_LINEATOGPU_EPILOGUE_H

#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SmallVector.h"

namespace linea::gpu_codegen {

enum class Activation { None, Relu, Gelu, GeluTanh, Silu, Sigmoid, Tanh };
/// How the other [M, N] operand (`residual`) joins: y = act(v) + r or · r.
enum class Combine { None, Add, Mul };

/// y[m, n] = combine(act(acc + bias), residual[m, n]), in f32 before the
/// rounding to y's type; with `rowBroadcast` the operand is one [1, N] row
/// shared by every m (a per-channel scale or shift).
struct EpilogueSpec {
  Activation act = Activation::None;
  Combine combine = Combine::None;
  mlir::Type residualType; // element type of the [M, N] / [1, N] operand
  bool rowBroadcast = false;
  bool hasResidual() const { return combine != Combine::None; }
  bool empty() const { return act == Activation::None && !hasResidual(); }
};

/// The residual argument's shape: [M, N], or [1, N] for a row broadcast.
llvm::SmallVector<int64_t, 2> residualShape(int64_t m, int64_t n,
                                            const EpilogueSpec &spec);

/// "relu", "gelu" (erf), "gelu_tanh", "silu", "sigmoid", "tanh", "" (none).
llvm::StringRef activationName(Activation act);
/// "add", "mul", "" (none).
llvm::StringRef combineName(Combine combine);

/// The manifest's "epilogue": {activation, combine, broadcast} (names as
/// above, broadcast "row"; a key only when set).
mlir::DictionaryAttr describeEpilogue(mlir::Builder &b,
                                      const EpilogueSpec &spec);

/// The epilogue on `v` (f32, after scales and bias) for output element
/// (m, n) (index values; `residual` a [M, N] memref, null without one).
/// Call it where the element is stored (inside the row/column guards), so
/// the residual is read only for elements that exist.
mlir::Value applyEpilogue(mlir::ImplicitLocOpBuilder &b,
                          const EpilogueSpec &spec, mlir::Value v,
                          mlir::Value residual, mlir::Value m, mlir::Value n);

/// applyEpilogue, then the rounding to y's element type and the store of
/// y[m, n]: the last step of every scalar-storing kernel.
void storeWithEpilogue(mlir::ImplicitLocOpBuilder &b, const EpilogueSpec &spec,
                       mlir::Value v, mlir::Value residual, mlir::Value y,
                       mlir::Value m, mlir::Value n);

/// The same for the elements (m, 2j) and (m, 2j + 1) of a kernel that
/// stores pairs: `residualPairs` is the residual as [M, N/2] vector<2>
/// (residualPairType), read once for both.
std::pair<mlir::Value, mlir::Value>
applyEpiloguePair(mlir::ImplicitLocOpBuilder &b, const EpilogueSpec &spec,
                  mlir::Value v0, mlir::Value v1, mlir::Value residualPairs,
                  mlir::Value m, mlir::Value j);
/// The residual argument as pairs ([M or 1, N/2] of vector<2>; N even).
mlir::MemRefType residualPairType(int64_t m, int64_t n,
                                  const EpilogueSpec &spec);

/// The elementwise ops after a layer that its kernel takes over.
struct EpilogueMatch {
  EpilogueSpec spec;
  /// The fused linalg.generic ops, in order; their last result is what
  /// the kernel writes.
  llvm::SmallVector<mlir::Operation *> ops;
  mlir::Value residual; // the combine's other operand
  mlir::Value output;   // the value the kernel's y now stands for
};

/// Follows `y` (a layer's result, through reshapes that keep its last
/// dim) into: an activation (one unary elementwise generic whose body
/// evaluates to one of Activation, or SiLU written as y · sigmoid(y)),
/// then a binary add or multiply with another tensor of y's shape or one
/// broadcast along y's last dim (shape [..., 1, N], a row). Each
/// fused value must have no other user, every op all-parallel with
/// identity maps and y's element type; ops in `claimed` (another layer's)
/// are never taken. Empty when nothing fuses.
EpilogueMatch matchEpilogue(mlir::Value y,
                            const llvm::DenseSet<mlir::Operation *> &claimed);

} // namespace linea::gpu_codegen

#endif // LINEA_LIB_CONVERSION_LINEATOGPU_EPILOGUE_H
