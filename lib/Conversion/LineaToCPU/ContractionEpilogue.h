//===- ContractionEpilogue.h - elementwise ops fused into a kernel's store ===//
//
// After bufferization a linear layer is a linalg.fill of y, the contraction
// y[m, n] += x[m, k]·w[n, k], then one elementwise linalg.generic per bias
// add, activation, cast and residual add, each a full pass over the M×N
// output. The contraction kernel computes every y[m, n] exactly once, in
// registers, so it can start from the fill's value instead of memory and
// apply the elementwise bodies to the scalar before its single store.
// ContractionEpilogue finds that chain next to one contraction and emits
// it per element; linea-cpu-contraction-kernels uses it.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_LIB_CONVERSION_LINEATOCPU_CONTRACTIONEPILOGUE_H
#define LINEA_LIB_CONVERSION_LINEATOCPU_CONTRACTIONEPILOGUE_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Builders.h"

namespace linea::cpu_kernels {

/// How a contraction kernel starts and ends each output element: the value
/// it starts from (the replaced linalg.fill's, else a load of y) and the
/// elementwise linalg.generic ops, in order, whose bodies it applies to the
/// sum before storing into the last one's output.
class ContractionEpilogue {
public:
  /// The fill before `contraction` (only allocations and pure ops between)
  /// and the longest chain of elementwise consumers after it that can be
  /// fused: each the next op with memory effects, all-parallel over y's
  /// two dims, pure arith/math body, reading the previous output with the
  /// identity map and anything else through projected permutations; an
  /// intermediate buffer it skips must have no other reader.
  static ContractionEpilogue analyze(mlir::linalg::GenericOp contraction);

  /// The value y[at] starts from.
  mlir::Value initial(mlir::OpBuilder &b, mlir::Location loc,
                      mlir::ValueRange at) const;
  /// Applies the fused bodies to `sum` (the contraction's y[at]) and
  /// stores the result into the output buffer at `at`.
  void store(mlir::OpBuilder &b, mlir::Location loc, mlir::Value sum,
             mlir::ValueRange at) const;

  /// True when storeVector may store whole vectors of sums: every fused
  /// op reads its other buffers either along y's columns in their last,
  /// unit-stride dim (a vector load: bias, residual) or not along them at
  /// all (a broadcast), and its body is elementwise-mappable arith/math.
  bool isVectorizable() const { return vectorizable; }
  /// Adds its starting values to `sum` (a vector of the contraction's
  /// y[at[0], at[1] + lane]), applies the fused bodies lane-wise (the same
  /// ops as store(), so the same results) and stores one vector into the
  /// last output. Only when isVectorizable().
  void storeVector(mlir::OpBuilder &b, mlir::Location loc, mlir::Value sum,
                   mlir::ValueRange at) const;

  /// Where the kernel must be emitted: at the last fused op (its output
  /// may be allocated after the contraction), else at the contraction.
  mlir::Operation *insertionPoint() const;
  /// Erases the fill and the fused ops, and y with its deallocation when
  /// nothing else uses it. Call after the kernel is emitted and the
  /// contraction erased.
  void eraseReplaced();

  /// Number of elementwise ops fused.
  size_t size() const { return chain.size(); }

private:
  mlir::Value y;
  mlir::Operation *contraction = nullptr;
  mlir::Operation *fill = nullptr; // a linalg.fill
  mlir::Value fillValue;
  llvm::SmallVector<mlir::Operation *> chain; // linalg.generic ops
  bool vectorizable = true;
};

} // namespace linea::cpu_kernels

#endif // LINEA_LIB_CONVERSION_LINEATOCPU_CONTRACTIONEPILOGUE_H
