//===- Match.h - reading the importer's upstream IR for linea-raise -*- C++
//-*-===//
//
// linea-raise recognises computations written as upstream ops, mostly the way
// linea-import-onnx writes them:
//
// - every elementwise ONNX op is one `linalg.generic` with all-parallel
//   iterators, an identity output map and numpy-broadcasting input maps
//   (each map result is a loop dim or the constant 0 of a size-1 dim); f16
//   and bf16 bodies widen their inputs with `arith.extf`, compute in f32 and
//   narrow the result with `arith.truncf`;
// - constants are `arith.constant dense<...>` (splat or not, any rank),
//   `dense_resource<...>` blobs, or scalars created inside the body;
// - a reduction is a `linalg.generic` with reduction iterators over a
//   `linalg.fill`-ed accumulator; keepdims is a `tensor.expand_shape` that
//   adds the unit dim back; ReduceMean divides the sum by the count.
//
// These helpers read that IR and nothing more: they never create ops, so the
// pattern files decide what to rewrite.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_LIB_DIALECT_LINEA_TRANSFORMS_RAISE_MATCH_H
#define LINEA_LIB_DIALECT_LINEA_TRANSFORMS_RAISE_MATCH_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/Value.h"

#include <optional>

namespace linea::raise {

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

/// The value of a float or integer constant that holds one value: a scalar
/// `arith.constant` (e.g. inside a generic's body) or a splat
/// `arith.constant dense<v>` of any shape (also tensor<f32>, tensor<1x1xf32>
/// and non-splat constants whose elements are all equal). Converted to
/// double; nullopt otherwise.
std::optional<double> getSplatValue(mlir::Value value);

//===----------------------------------------------------------------------===//
// Scalar values inside a linalg.generic body
//===----------------------------------------------------------------------===//

/// `scalar` with any chain of `arith.extf` / `arith.truncf` removed (the f32
/// compute casts of f16/bf16 bodies).
mlir::Value stripFloatCasts(mlir::Value scalar);

/// The generic input (index into getDpsInputOperands) whose block argument
/// `scalar` is, looking through float casts; nullopt for anything else
/// (output block arguments included).
std::optional<unsigned> getBodyInputIndex(mlir::linalg::GenericOp op,
                                          mlir::Value scalar);

//===----------------------------------------------------------------------===//
// Elementwise generics
//===----------------------------------------------------------------------===//

/// One operand of the scalar op of an elementwise generic.
struct ElementwiseOperand {
  /// The generic's input tensor this operand reads; null when the operand is
  /// a scalar constant of the body.
  mlir::Value tensor;
  /// Its indexing map (empty map when `tensor` is null).
  mlir::AffineMap map;
  /// The operand's value when it is constant: an inline scalar, or `tensor`
  /// is a splat constant (getSplatValue).
  std::optional<double> constant;
};

/// An elementwise linalg.generic whose body computes one scalar op.
struct Elementwise {
  mlir::linalg::GenericOp op;
  /// The one computing op of the body (e.g. arith.addf, math.sqrt,
  /// math.powf, arith.divf); casts around it are not counted.
  mlir::Operation *scalarOp = nullptr;
  /// The scalar op's operands, in its operand order.
  llvm::SmallVector<ElementwiseOperand> operands;

  /// The index of the only operand without a `constant` value; nullopt when
  /// none or several are non-constant (binary ops with one constant side).
  std::optional<unsigned> singleVaryingOperand() const;
};

/// Classifies the producer of `value` (result 0 of a linalg.generic) as an
/// elementwise op: all iterators parallel, one output with an identity map
/// that is not read by the body, one yielded value computed by exactly one
/// non-cast op from block arguments of inputs and scalar constants (an op
/// whose operands are cast from f16/bf16 and whose result is truncated back
/// counts as one op). A body that is only a cast is classified as that cast.
std::optional<Elementwise> matchElementwise(mlir::Value value);

/// matchElementwise, additionally requiring the scalar op to be `OpTy`.
template <typename OpTy>
std::optional<Elementwise> matchElementwiseOf(mlir::Value value) {
  std::optional<Elementwise> e = matchElementwise(value);
  if (!e || !llvm::isa<OpTy>(e->scalarOp))
    return std::nullopt;
  return e;
}

/// True for a map whose results are distinct loop dims in increasing order
/// or the constant 0: the numpy-broadcasting maps the importer writes.
bool isBroadcastMap(mlir::AffineMap map);

/// Bit i set when loop dim i appears in `map`'s results: which loops an
/// operand varies along (a feature vector of a rank-3 generic varies only
/// along dim 2, a row statistic along dims 0 and 1).
uint64_t usedLoopDims(mlir::AffineMap map);

/// True when `operand` reads a full tensor of the iteration space (identity
/// map, no broadcast).
bool isFullOperand(const ElementwiseOperand &operand);

/// True when `operand` of generic `op` varies along every loop but the last
/// and is broadcast along the last (a per-row statistic such as a mean).
/// Loops of extent 1 do not count either way.
bool isRowOperand(mlir::linalg::GenericOp op,
                  const ElementwiseOperand &operand);

/// True when `operand` of generic `op` varies only along the last loop (a
/// per-feature vector such as a norm weight or a bias). Loops of extent 1 do
/// not count.
bool isFeatureOperand(mlir::linalg::GenericOp op,
                      const ElementwiseOperand &operand);

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

/// A linalg.generic reducing its one input over its last dim.
struct LastDimReduction {
  mlir::linalg::GenericOp op;
  /// The reduced tensor x[..., D].
  mlir::Value input;
  /// The combining op of the body (arith.addf, arith.maximumf, ...) applied
  /// to the (possibly widened) element and the accumulator.
  mlir::Operation *combiner = nullptr;
  /// The accumulator's initial value (the linalg.fill value).
  double init = 0.0;
};

/// Matches the producer of `value` as the reduction of an input over its
/// last dim: input map identity, iterators [parallel..., reduction], output
/// map dropping the last dim (or keeping it as constant 0), output filled by
/// linalg.fill with a constant, body = one combiner of the (extf'd) element
/// and the accumulator. Looks through unit-dim reshapes of `value`.
std::optional<LastDimReduction> matchLastDimReduction(mlir::Value value);

/// Matches mean(x, axis = -1) as the importer writes ReduceMean (keepdims or
/// not): a last-dim add reduction with init 0 whose result is divided by D
/// (or multiplied by 1/D) in an elementwise generic; looks through unit-dim
/// reshapes on both sides. Returns x.
std::optional<mlir::Value> matchLastDimMean(mlir::Value value);

//===----------------------------------------------------------------------===//
// Reshapes
//===----------------------------------------------------------------------===//

/// True when `op` is a tensor.expand_shape or collapse_shape that only adds
/// or removes dims of size 1.
bool isUnitDimReshape(mlir::Operation *op);

/// Walks up from `value` through unit-dim reshapes to their source.
mlir::Value skipUnitReshapes(mlir::Value value);

} // namespace linea::raise

#endif // LINEA_LIB_DIALECT_LINEA_TRANSFORMS_RAISE_MATCH_H
