//===- ScanKernels.h - CUDA kernels for scans and recurrences ---*- C++ -*-===//
//
// Kernel descriptions and builders for the sequence-mixing ops of
// ScanOps.td / AttentionOps.td: the diagonal scans (linear_scan,
// selective_scan) and the matrix-state recurrences (gated_linear_attention,
// causal linear_attention, delta_rule). Internal to lib/Conversion/LineaToGPU.
//
// Every op becomes one or three kernels with the same argument list (bare
// pointers in manifest order), launched one after the other: a chunked scan
// splits T into chunks, summarises each chunk (phase 1), carries the state
// across chunks (phase 2) and re-runs each chunk from its true initial
// state (phase 3); with a single chunk only phase 3 exists.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_LIB_CONVERSION_LINEATOGPU_SCANKERNELS_H
#define LINEA_LIB_CONVERSION_LINEATOGPU_SCANKERNELS_H

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

#include <array>

namespace linea::gpu_codegen {

/// Threads per block of the scan kernels (one channel per thread).
constexpr int64_t kScanBlock = 128;

/// One launch of a multi-kernel op.
struct LaunchStep {
  std::string symbol;
  std::array<int64_t, 3> grid{1, 1, 1}, block{1, 1, 1};
  int64_t sharedBytes = 0;
};

/// linea.selective_scan (selective = true) or linea.linear_scan.
struct ScanSpec {
  bool selective = false;
  int64_t batch = 1, time = 1, dim = 1, state = 1; // Bt, T, D, N (N: selective)
  mlir::Type elemType;  // u, delta, B, C, z, y (selective); a, b, h (linear)
  mlir::Type paramType; // A, D_skip, delta_bias (selective)
  bool hasSkip = false, hasGate = false, hasDeltaBias = false;
  bool hasInit = false, softplus = false;
  // Launch variant.
  int64_t chunkLen = 0; // time steps per chunk; ≥ T: one pass
  int64_t unroll = 4;   // time steps whose loads are issued together

  int64_t numChunks() const { return (time + chunkLen - 1) / chunkLen; }
  int64_t channelBlocks() const { return (dim + kScanBlock - 1) / kScanBlock; }
};

/// Chunk length for `spec` when the caller asked for none (0): enough
/// chunks that the scan fills an H100 (~128K threads), each ≥ 64 steps.
int64_t chooseScanChunk(const ScanSpec &spec);

/// Builds the kernels of `spec` (named `prefix`_p1/_p2/_p3, or `prefix`
/// alone with one chunk) at the builder's insertion point inside a
/// gpu.module and returns their launches in order. Arguments:
///   selective: u, delta, A, B, C, [D_skip], [z], [delta_bias],
///              [initial_state], [ws_state, ws_decay], final_state, y
///   linear:    a, b, [initial_state], [ws_state, ws_decay], h
/// (ws_*: f32 workspaces of chunked scans, shapes from scanWorkspaces).
llvm::SmallVector<LaunchStep> buildScanKernels(mlir::OpBuilder &b,
                                               mlir::Location loc,
                                               llvm::StringRef prefix,
                                               const ScanSpec &spec);

/// Shapes of the f32 workspaces ws_state and ws_decay of a chunked scan.
std::array<llvm::SmallVector<int64_t>, 2>
scanWorkspaces(const ScanSpec &spec);

/// The matrix-state recurrences, per (batch, head) a Dk×Dv f32 state S.
enum class RecurrenceKind { GatedLinearAttention, LinearAttention, DeltaRule };
enum class FeatureMapKind { EluPlusOne, Relu, Identity, Binary };

struct RecurrenceSpec {
  RecurrenceKind kind = RecurrenceKind::GatedLinearAttention;
  int64_t batch = 1, heads = 1, time = 1, dk = 1, dv = 1;
  mlir::Type elemType; // q, k, v, o
  mlir::Type gateType; // g (GLA) or beta (delta rule)
  bool hasInit = false;
  float scale = 1.0f;   // GLA, delta rule
  float epsilon = 1e-6f; // linear attention
  FeatureMapKind featureMap = FeatureMapKind::EluPlusOne;
  // Launch variant.
  int64_t rowsPerLane = 8; // rows of S per thread; Dk / rowsPerLane lanes
                           // share one column
  int64_t stepsPerTile = 16; // time steps staged in shared memory at once
  int64_t chunkLen = 0; // time steps per chunk (GLA, linear attention); ≥ T
                        // or 0: one pass
  bool chunkwise = false; // the tensor-core chunkwise kernel instead
                          // (ChunkwiseKernels.cpp)
  int64_t valueTile = 64;  // chunkwise: columns of v per block (64, 32;
                           // 16 for the two-launch delta rule)
  bool deltaTwoLaunches = false; // chunkwise delta rule: T, W, U of all
                                 // chunks by a parallel first launch
  bool prefetch = false; // chunkwise GLA / linear attention / two-launch
                         // delta rule: cp.async of the next chunk's tiles
                         // into a second buffer while one is used

  int64_t numChunks() const {
    return chunkLen <= 0 || chunkLen >= time ? 1
                                             : (time + chunkLen - 1) / chunkLen;
  }
  /// Columns of the workspace state: z rides along as column Dv for linear
  /// attention.
  int64_t wsColumns() const {
    return dv + (kind == RecurrenceKind::LinearAttention ? 1 : 0);
  }

  int64_t lanesPerColumn() const { return dk / rowsPerLane; }
  /// Columns of S per block: the largest divisor of Dv with ≤ 128 threads.
  int64_t columnsPerBlock() const {
    for (int64_t c = std::min<int64_t>(dv, 128 / lanesPerColumn()); c > 1; --c)
      if (dv % c == 0)
        return c;
    return 1;
  }
  bool hasFinalState() const { return kind != RecurrenceKind::LinearAttention; }
};

/// Builds the recurrent kernels of `spec` (`name`, or `name`_p1/_p2/_p3
/// when T is chunked: GLA and linear attention, whose state recurrence is
/// diagonal, S_t = diag(d_t) S_{t−1} + k_tᵀ v_t, so chunks combine like a
/// linear_scan) and returns their launches: grid (B·H, Dv / columns per
/// block, chunks), one group of Dk / rowsPerLane lanes per column of S.
/// Arguments: q, k, v, [g | beta], [initial_state], [ws_state, [ws_decay]],
/// [final_state], o.
llvm::SmallVector<LaunchStep> buildRecurrenceKernels(mlir::OpBuilder &b,
                                                     mlir::Location loc,
                                                     llvm::StringRef name,
                                                     const RecurrenceSpec &spec);

/// φ of causal linear attention applied to one f32 value.
mlir::Value featureMap(mlir::ImplicitLocOpBuilder &b, FeatureMapKind kind,
                       mlir::Value x);

/// Succeeds when the chunkwise tensor-core kernel takes `spec` (GLA, causal
/// linear attention or the delta rule, bf16/f16 q, k, v, Dk and Dv in
/// {64, 128});
/// otherwise, with `remark`, a remark on `op` says why it stays recurrent.
mlir::LogicalResult checkChunkwise(const RecurrenceSpec &spec,
                                   mlir::Operation *op, bool remark = true);

/// Shape (f32 units) of the ws_wu workspace of the two-launch chunkwise
/// delta rule: [B, H, T rounded up to 64, (Dk + Dv) / 2].
llvm::SmallVector<int64_t> chunkwiseWorkspace(const RecurrenceSpec &spec);

/// Builds the chunkwise kernel of a checked `spec` (one launch: grid
/// (B·H, Dv / valueTile), 128 threads, dynamic shared memory). Arguments as the
/// recurrent one-pass kernel's: q, k, v, [g | beta, [initial_state],
/// final_state], o. With deltaTwoLaunches (delta rule): launches `name`_p1,
/// grid (B·H, chunks), writing T·K and T·V of every chunk to ws_wu (an
/// argument after initial_state), and `name`_p2 walking the chunks.
llvm::SmallVector<LaunchStep> buildChunkwiseKernel(mlir::OpBuilder &b,
                                                   mlir::Location loc,
                                                   llvm::StringRef name,
                                                   const RecurrenceSpec &spec);

} // namespace linea::gpu_codegen

#endif // LINEA_LIB_CONVERSION_LINEATOGPU_SCANKERNELS_H
