//===- LinearKernelCall.h - linear layers as calls to buffer kernels -*- C++
//-*-===//
//
// The shift, BSR and N:M kernel passes replace a linear layer, still at
// tensor level, by a call to a generated private function on buffers, the
// same way for all three: x[..., K] flattened to rows × K (the row count
// dynamic in the kernel's signature, so one kernel serves every M), the
// weight operands at their static shapes, and a fresh rows × N f32 output
// reshaped back to the result type. This holds that plumbing once, and
// `DotTileEmitter` the loop nests their kernels share: tiles of rows of x
// × rows of W with vector<lanes × f32> accumulators, summed once per
// output.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_LIB_CONVERSION_LINEATOCPU_LINEARKERNELCALL_H
#define LINEA_LIB_CONVERSION_LINEATOCPU_LINEARKERNELCALL_H

#include "KernelEmitterBase.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/DenseMap.h"

#include <string>

namespace linea::cpu_kernels {

/// x[..., K] as the rank-2 rows × K a linear-layer kernel takes.
mlir::Value toRows(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x);
/// A kernel's rows × N result `y` as `type` (x's leading dims × N).
mlir::Value fromRows(mlir::OpBuilder &b, mlir::Location loc, mlir::Value y,
                     mlir::Value x, mlir::RankedTensorType type);

/// The tiling options the shift, BSR and N:M kernel passes share.
struct KernelTiling {
  int64_t vectorWidth = 16, tileM = 4, tileN = 4, blockBytes = 262144,
          minParallelWeights = 1 << 20;
  /// Reports options out of range on `module`, naming `pass`.
  mlir::LogicalResult verify(mlir::Operation *module,
                             llvm::StringRef pass) const;
};

/// Replaces linear layers by calls to generated kernels named `name`
/// (renamed on collision), one kernel per distinct (signature, key).
class LinearKernelCalls {
public:
  LinearKernelCalls(mlir::ModuleOp module, llvm::StringRef name)
      : module(module), symbols(module), name(name.str()) {}

  /// Replaces `op` (one f32 result y[..., N] = f(x[..., K], operands)) by
  /// `call kernel(x as rows × K, operands..., y rows × N)`. `emitBody`
  /// fills the kernel's entry block (its arguments in that order) the
  /// first time the signature and `key` are seen; the return is added.
  void replace(mlir::Operation *op, mlir::Value x,
               llvm::ArrayRef<mlir::Value> operands, int64_t n,
               mlir::Attribute key,
               llvm::function_ref<void(mlir::OpBuilder &, mlir::Location,
                                       mlir::ValueRange)>
                   emitBody);

  /// Builds `call kernel(rows, operands..., y)` at `b` and returns y as a
  /// rows × n f32 tensor (`rows` rank 2, its dim 0 dynamic in the kernel);
  /// the kernel is generated as in `replace`.
  mlir::Value call(mlir::OpBuilder &b, mlir::Location loc, mlir::Value rows,
                   llvm::ArrayRef<mlir::Value> operands, int64_t n,
                   mlir::Attribute key,
                   llvm::function_ref<void(mlir::OpBuilder &, mlir::Location,
                                           mlir::ValueRange)>
                       emitBody);

private:
  mlir::ModuleOp module;
  mlir::SymbolTable symbols;
  std::string name;
  llvm::DenseMap<std::pair<mlir::Type, mlir::Attribute>, mlir::func::FuncOp>
      kernels;
};

/// For every OpTy in `module`: `analyze(op, shape)` returns "" when the
/// kernel applies (then `replace(op, shape)`), else why not, which becomes a
/// remark naming `pass` when `reportSkipped`.
template <typename OpTy, typename Shape>
void forEachLayer(mlir::ModuleOp module, llvm::StringRef pass,
                  bool reportSkipped,
                  llvm::function_ref<std::string(OpTy, Shape &)> analyze,
                  llvm::function_ref<void(OpTy, const Shape &)> replace) {
  llvm::SmallVector<OpTy> ops;
  module.walk([&](OpTy op) { ops.push_back(op); });
  for (OpTy op : ops) {
    Shape shape;
    std::string why = analyze(op, shape);
    if (why.empty())
      replace(op, shape);
    else if (reportSkipped)
      op.emitRemark() << pass << ": left to the reference lowering: " << why;
  }
}

/// Loop nests of y[m, n] = epilogue(Σ_k x[m, k]·w[n, k]) where each kernel
/// supplies how its w vectors are loaded or decoded.
class DotTileEmitter : protected KernelEmitterBase {
protected:
  DotTileEmitter(mlir::OpBuilder &b, mlir::Location loc, int64_t lanes)
      : KernelEmitterBase(b, loc), f32(b.getF32Type()),
        vecType(mlir::VectorType::get({lanes}, b.getF32Type())) {}

  /// for each tile of `tileM` rows of x (then the rows left, one by one)
  /// in [0, mSize): fn(rows).
  void forRowTiles(mlir::Value mSize, int64_t tileM,
                   llvm::function_ref<void(llvm::ArrayRef<mlir::Value>)> fn);

  /// Rows of W [0, n) in blocks of `blockRows` (a multiple of tileN; an
  /// scf.parallel over blocks when `parallel`), each block as tiles of
  /// tileM rows of x × tileN rows of W; then the n mod tileN rows left,
  /// one at a time. fn(rows of x, rows of W).
  void forOutputTiles(mlir::Value mSize, int64_t n, int64_t tileM,
                      int64_t tileN, int64_t blockRows, bool parallel,
                      llvm::function_ref<void(llvm::ArrayRef<mlir::Value>,
                                              llvm::ArrayRef<mlir::Value>)>
                          fn);

  /// for iv in [lb, ub) step `step`: an scf.parallel when `parallel`.
  void parallelLoop(mlir::Value lb, mlir::Value ub, int64_t step, bool parallel,
                    llvm::function_ref<void(mlir::Value)> fn);

  /// `count` zero vectors of `type` (vecType when null).
  llvm::SmallVector<mlir::Value> zeros(size_t count,
                                       mlir::VectorType type = {});

  /// A vector of `type` from buffer[indices...]; with `valid` > 0 only its
  /// first `valid` lanes are read (masked load), the others are 0.
  mlir::Value load(mlir::VectorType type, mlir::Value buffer,
                   mlir::ValueRange indices, int64_t valid = 0);

  /// Chunks of `width` along [0, k): body(column, valid) for the whole
  /// chunks (valid = 0, an scf.for carrying `acc`), then the last partial
  /// one (valid = its width). Returns the carried values.
  llvm::SmallVector<mlir::Value> forChunks(
      int64_t k, int64_t width, mlir::ValueRange acc,
      llvm::function_ref<llvm::SmallVector<mlir::Value>(mlir::Value, int64_t,
                                                        mlir::ValueRange)>
          body);

  /// acc[i·|w| + j] += x[i] · w[j] (vector FMAs, all pairs).
  llvm::SmallVector<mlir::Value> fmaAll(llvm::ArrayRef<mlir::Value> x,
                                        llvm::ArrayRef<mlir::Value> w,
                                        mlir::ValueRange acc);

  /// Σ of the lanes of `acc` (in any order).
  mlir::Value laneSum(mlir::Value acc);

  /// float(buffer[index]) widened to f32.
  mlir::Value loadF32(mlir::Value buffer, mlir::ValueRange indices);

  mlir::Type f32;
  mlir::VectorType vecType;
};

} // namespace linea::cpu_kernels

#endif // LINEA_LIB_CONVERSION_LINEATOCPU_LINEARKERNELCALL_H
