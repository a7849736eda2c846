//===- ScanLowering.cpp - linea sequence ops to scan/recurrence kernels ---===//
//
// The op side of ScanKernels.h: reads linea.selective_scan, linea.linear_scan,
// linea.gated_linear_attention, causal linea.linear_attention and
// linea.delta_rule into kernel specs (static shapes; anything the kernels
// cannot do is a diagnostic naming the op, operand and number), builds
// their kernels and describes them for manifest.json. Entries of ops with
// several kernels list them under "launches", run in order with the same
// arguments; the runtime treats such an entry as one kernel.
//
//===----------------------------------------------------------------------===//

#include "ScanLowering.h"

#include "ScanKernels.h"
#include "linea/Dialect/Linea/IR/LineaOps.h"

using namespace mlir;

namespace linea::gpu_codegen {
namespace {

std::string dtype(Type t) {
  if (t.isBF16())
    return "bf16";
  if (t.isF16())
    return "f16";
  return "f32";
}

RankedTensorType tensorType(Value v) {
  return cast<RankedTensorType>(v.getType());
}

/// Fails unless every operand and result of `op` has a static, non-empty
/// shape.
LogicalResult checkStatic(Operation *op) {
  StringRef name = op->getName().stripDialect();
  for (auto [i, v] : llvm::enumerate(
           llvm::concat<Value>(op->getOperands(), op->getResults()))) {
    auto t = tensorType(v);
    bool isResult = i >= op->getNumOperands();
    unsigned pos = isResult ? i - op->getNumOperands() : i;
    if (!t.hasStaticShape())
      return op->emitError("linea-to-gpu: ")
             << name << " needs static shapes, got " << t << " for "
             << (isResult ? "result #" : "operand #") << pos;
    if (t.getNumElements() == 0 && !isResult)
      return op->emitError("linea-to-gpu: ")
             << name << " has an empty operand #" << pos << " (" << t << ")";
  }
  return success();
}

FailureOr<ScanSpec> specFor(SelectiveScanOp op) {
  if (failed(checkStatic(op)))
    return failure();
  auto u = tensorType(op.getU());
  ScanSpec spec;
  spec.selective = true;
  spec.batch = u.getDimSize(0);
  spec.time = u.getDimSize(1);
  spec.dim = u.getDimSize(2);
  spec.state = tensorType(op.getA()).getDimSize(1);
  spec.elemType = u.getElementType();
  spec.paramType = tensorType(op.getA()).getElementType();
  spec.hasSkip = bool(op.getDSkip());
  spec.hasGate = bool(op.getZ());
  spec.hasDeltaBias = bool(op.getDeltaBias());
  spec.hasInit = bool(op.getInitialState());
  spec.softplus = op.getDeltaSoftplus();
  for (Value p : {op.getDSkip(), op.getDeltaBias()})
    if (p && tensorType(p).getElementType() != spec.paramType)
      return op.emitError("linea-to-gpu: selective_scan parameters A, D_skip "
                          "and delta_bias must share one element type, got ")
             << spec.paramType << " and " << tensorType(p).getElementType();
  if (spec.state > 64)
    return op.emitError("linea-to-gpu: selective_scan state size N = ")
           << spec.state
           << " exceeds 64 (a channel's N states live in one thread's "
              "registers)";
  return spec;
}

FailureOr<ScanSpec> specFor(LinearScanOp op) {
  if (failed(checkStatic(op)))
    return failure();
  auto a = tensorType(op.getA());
  ScanSpec spec;
  spec.batch = a.getDimSize(0);
  spec.time = a.getDimSize(1);
  spec.dim = a.getDimSize(2);
  spec.elemType = a.getElementType();
  spec.hasInit = bool(op.getInitialState());
  spec.unroll = 8;
  return spec;
}

/// Dk must give a power-of-two lane group of 8-row slices within a warp.
LogicalResult checkHeadDims(Operation *op, int64_t dk) {
  if (dk % 8 == 0 && llvm::isPowerOf2_64(dk / 8) && dk <= 256)
    return success();
  return op->emitError("linea-to-gpu: ")
         << op->getName().stripDialect()
         << " needs a key dim Dk in {8, 16, 32, 64, 128, 256} (8 rows of the "
            "state per lane, a power-of-two lane group), got Dk = "
         << dk;
}

FailureOr<RecurrenceSpec> recurrenceSpec(Operation *op, Value q, Value v,
                                         Value gate, Value init) {
  if (failed(checkStatic(op)))
    return failure();
  auto qt = tensorType(q);
  RecurrenceSpec spec;
  spec.batch = qt.getDimSize(0);
  spec.heads = qt.getDimSize(1);
  spec.time = qt.getDimSize(2);
  spec.dk = qt.getDimSize(3);
  spec.dv = tensorType(v).getDimSize(3);
  spec.elemType = qt.getElementType();
  if (gate)
    spec.gateType = tensorType(gate).getElementType();
  spec.hasInit = bool(init);
  if (failed(checkHeadDims(op, spec.dk)))
    return failure();
  return spec;
}

/// Sets rows per lane (when Dk allows it) and the time steps per shared
/// tile: q, k (and gate) slots of R + 4 floats per lane, ≤ 36 KiB.
bool setRowsPerLane(RecurrenceSpec &spec, int64_t rows) {
  if (rows % 4 != 0 || spec.dk % rows != 0 ||
      !llvm::isPowerOf2_64(spec.dk / rows) || spec.dk / rows > 32)
    return false;
  spec.rowsPerLane = rows;
  int64_t perStep = 3 * (spec.dk / rows) * (rows + 4) * 4;
  spec.stepsPerTile = 16;
  while (spec.stepsPerTile > 4 && spec.stepsPerTile * perStep > 36 * 1024)
    spec.stepsPerTile /= 2;
  return true;
}

FailureOr<RecurrenceSpec> specFor(GatedLinearAttentionOp op) {
  auto spec = recurrenceSpec(op, op.getQ(), op.getV(), op.getG(),
                             op.getInitialState());
  if (succeeded(spec)) {
    spec->kind = RecurrenceKind::GatedLinearAttention;
    spec->scale = op.getEffectiveScale();
  }
  return spec;
}

FailureOr<RecurrenceSpec> specFor(DeltaRuleOp op) {
  auto spec = recurrenceSpec(op, op.getQ(), op.getV(), op.getBeta(),
                             op.getInitialState());
  if (succeeded(spec)) {
    spec->kind = RecurrenceKind::DeltaRule;
    spec->scale = op.getEffectiveScale();
  }
  return spec;
}

FailureOr<RecurrenceSpec> specFor(LinearAttentionOp op) {
  if (!op.getCausal())
    return op.emitError("linea-to-gpu: only causal linear_attention has a "
                        "CUDA kernel (the non-causal form is two reductions "
                        "over T, not a recurrence)");
  auto spec = recurrenceSpec(op, op.getQ(), op.getV(), Value(), Value());
  if (failed(spec))
    return failure();
  if (tensorType(op.getK()).getDimSize(2) != spec->time)
    return op.emitError("linea-to-gpu: causal linear_attention needs S = T, "
                        "got S = ")
           << spec->time << ", T = " << tensorType(op.getK()).getDimSize(2);
  spec->kind = RecurrenceKind::LinearAttention;
  spec->epsilon = op.getEpsilon().convertToFloat();
  switch (op.getFeatureMap()) {
  case FeatureMap::elu_plus_one:
    spec->featureMap = FeatureMapKind::EluPlusOne;
    break;
  case FeatureMap::relu:
    spec->featureMap = FeatureMapKind::Relu;
    break;
  case FeatureMap::identity:
    spec->featureMap = FeatureMapKind::Identity;
    break;
  case FeatureMap::binary:
    spec->featureMap = FeatureMapKind::Binary;
    break;
  }
  return spec;
}

/// Manifest description of one argument.
DictionaryAttr argAttr(Builder &b, StringRef name, Type elem,
                       ArrayRef<int64_t> shape) {
  return b.getDictionaryAttr(
      {b.getNamedAttr("name", b.getStringAttr(name)),
       b.getNamedAttr("dtype", b.getStringAttr(dtype(elem))),
       b.getNamedAttr("shape", b.getI64ArrayAttr(shape))});
}

/// Arguments in kernel order: the op's operands under their names, then
/// workspaces, then results.
SmallVector<Attribute> describeArgs(Builder &b, Operation *op,
                                    ArrayRef<std::pair<StringRef, Value>> ins,
                                    ArrayRef<std::pair<StringRef, Value>> outs,
                                    ArrayRef<std::pair<StringRef,
                                                       SmallVector<int64_t>>>
                                        workspaces) {
  SmallVector<Attribute> args;
  auto add = [&](StringRef name, Value v) {
    if (!v)
      return;
    auto t = tensorType(v);
    args.push_back(argAttr(b, name, t.getElementType(), t.getShape()));
  };
  for (auto [name, v] : ins)
    add(name, v);
  for (auto &[name, shape] : workspaces)
    args.push_back(argAttr(b, name, b.getF32Type(), shape));
  for (auto [name, v] : outs)
    add(name, v);
  return args;
}

DictionaryAttr describe(Builder &b, StringRef symbol, StringRef layer,
                        Operation *op, ArrayRef<LaunchStep> steps,
                        SmallVector<Attribute> args,
                        ArrayRef<NamedAttribute> extra) {
  SmallVector<Attribute> launches;
  for (const LaunchStep &s : steps)
    launches.push_back(b.getDictionaryAttr(
        {b.getNamedAttr("symbol", b.getStringAttr(s.symbol)),
         b.getNamedAttr("grid", b.getI64ArrayAttr(s.grid)),
         b.getNamedAttr("block", b.getI64ArrayAttr(s.block)),
         b.getNamedAttr("shared_bytes", b.getI64IntegerAttr(s.sharedBytes))}));
  SmallVector<NamedAttribute> entries = {
      b.getNamedAttr("symbol", b.getStringAttr(symbol)),
      b.getNamedAttr("layer", b.getStringAttr(layer)),
      b.getNamedAttr("op", b.getStringAttr(op->getName().stripDialect())),
      b.getNamedAttr("grid", b.getI64ArrayAttr(steps.back().grid)),
      b.getNamedAttr("block", b.getI64ArrayAttr(steps.back().block)),
      b.getNamedAttr("shared_bytes",
                     b.getI64IntegerAttr(steps.back().sharedBytes)),
      b.getNamedAttr("grid_stride", b.getBoolAttr(false)),
      b.getNamedAttr("launches", b.getArrayAttr(launches)),
      b.getNamedAttr("args", b.getArrayAttr(args))};
  entries.append(extra.begin(), extra.end());
  return b.getDictionaryAttr(entries);
}

void buildScan(OpBuilder &b, Location loc, Operation *op, ScanSpec spec,
               StringRef symbol, StringRef layer,
               SmallVectorImpl<Attribute> &manifest) {
  SmallVector<LaunchStep> steps = buildScanKernels(b, loc, symbol, spec);
  auto ws = scanWorkspaces(spec);
  SmallVector<std::pair<StringRef, SmallVector<int64_t>>> workspaces;
  if (spec.numChunks() > 1)
    workspaces = {{"ws_state", ws[0]}, {"ws_decay", ws[1]}};
  SmallVector<Attribute> args;
  if (auto s = dyn_cast<SelectiveScanOp>(op))
    args = describeArgs(b, op,
                        {{"u", s.getU()},
                         {"delta", s.getDelta()},
                         {"A", s.getA()},
                         {"B", s.getB()},
                         {"C", s.getC()},
                         {"D_skip", s.getDSkip()},
                         {"z", s.getZ()},
                         {"delta_bias", s.getDeltaBias()},
                         {"initial_state", s.getInitialState()}},
                        {{"final_state", s.getFinalState()}, {"y", s.getY()}},
                        workspaces);
  else {
    auto l = cast<LinearScanOp>(op);
    args = describeArgs(
        b, op,
        {{"a", l.getA()}, {"b", l.getB()},
         {"initial_state", l.getInitialState()}},
        {{"h", l.getH()}}, workspaces);
  }
  SmallVector<NamedAttribute> extra = {
      b.getNamedAttr("dims", b.getI64ArrayAttr({spec.batch, spec.time,
                                                spec.dim, spec.state})),
      b.getNamedAttr("chunk_len", b.getI64IntegerAttr(spec.chunkLen)),
      b.getNamedAttr("chunks", b.getI64IntegerAttr(spec.numChunks())),
      b.getNamedAttr("unroll", b.getI64IntegerAttr(spec.unroll)),
      b.getNamedAttr("delta_softplus", b.getBoolAttr(spec.softplus))};
  manifest.push_back(describe(b, symbol, layer, op, steps, args, extra));
}

void buildRecurrence(OpBuilder &b, Location loc, Operation *op,
                     const RecurrenceSpec &spec, StringRef symbol,
                     StringRef layer, SmallVectorImpl<Attribute> &manifest) {
  SmallVector<LaunchStep> steps =
      spec.chunkwise ? buildChunkwiseKernel(b, loc, symbol, spec)
                     : buildRecurrenceKernels(b, loc, symbol, spec);
  const int64_t nc = spec.chunkwise ? 1 : spec.numChunks();
  SmallVector<std::pair<StringRef, SmallVector<int64_t>>> ws;
  if (nc > 1) {
    ws.push_back({"ws_state", {spec.batch, spec.heads, nc, spec.dk,
                               spec.wsColumns()}});
    if (spec.kind == RecurrenceKind::GatedLinearAttention)
      ws.push_back({"ws_decay", {spec.batch, spec.heads, nc, spec.dk}});
  }
  if (spec.chunkwise && spec.deltaTwoLaunches)
    ws.push_back({"ws_wu", chunkwiseWorkspace(spec)});
  SmallVector<Attribute> args;
  StringRef featureMap = "";
  if (auto g = dyn_cast<GatedLinearAttentionOp>(op))
    args = describeArgs(b, op,
                        {{"q", g.getQ()},
                         {"k", g.getK()},
                         {"v", g.getV()},
                         {"g", g.getG()},
                         {"initial_state", g.getInitialState()}},
                        {{"final_state", g.getFinalState()}, {"o", g.getO()}},
                        ws);
  else if (auto d = dyn_cast<DeltaRuleOp>(op))
    args = describeArgs(b, op,
                        {{"q", d.getQ()},
                         {"k", d.getK()},
                         {"v", d.getV()},
                         {"beta", d.getBeta()},
                         {"initial_state", d.getInitialState()}},
                        {{"final_state", d.getFinalState()}, {"o", d.getO()}},
                        ws);
  else {
    auto l = cast<LinearAttentionOp>(op);
    args = describeArgs(b, op, {{"q", l.getQ()}, {"k", l.getK()},
                                {"v", l.getV()}},
                        {{"o", l.getO()}}, ws);
    featureMap = stringifyFeatureMap(l.getFeatureMap());
  }
  SmallVector<NamedAttribute> extra = {
      b.getNamedAttr("dims", b.getI64ArrayAttr({spec.batch, spec.heads,
                                                spec.time, spec.dk, spec.dv})),
      b.getNamedAttr("scale", b.getF32FloatAttr(spec.scale)),
      b.getNamedAttr("epsilon", b.getF32FloatAttr(spec.epsilon)),
      b.getNamedAttr("feature_map", b.getStringAttr(featureMap)),
      b.getNamedAttr("steps_per_tile",
                     b.getI64IntegerAttr(spec.stepsPerTile)),
      b.getNamedAttr("rows_per_lane", b.getI64IntegerAttr(spec.rowsPerLane)),
      b.getNamedAttr("chunk_len",
                     b.getI64IntegerAttr(spec.chunkwise ? 64
                                         : nc > 1   ? spec.chunkLen
                                                    : spec.time)),
      b.getNamedAttr("chunks", b.getI64IntegerAttr(nc)),
      b.getNamedAttr("form", b.getStringAttr(spec.chunkwise ? "chunkwise"
                                                            : "recurrent")),
      b.getNamedAttr("value_tile",
                     b.getI64IntegerAttr(spec.chunkwise ? spec.valueTile : 0))};
  manifest.push_back(describe(b, symbol, layer, op, steps, args, extra));
}

} // namespace

bool isSequenceOp(Operation *op) {
  return isa<SelectiveScanOp, LinearScanOp, GatedLinearAttentionOp,
             DeltaRuleOp, LinearAttentionOp>(op);
}

LogicalResult checkSequenceOp(Operation *op) {
  if (auto s = dyn_cast<SelectiveScanOp>(op))
    return specFor(s);
  if (auto s = dyn_cast<LinearScanOp>(op))
    return specFor(s);
  if (auto s = dyn_cast<GatedLinearAttentionOp>(op))
    return specFor(s);
  if (auto s = dyn_cast<DeltaRuleOp>(op))
    return specFor(s);
  return specFor(cast<LinearAttentionOp>(op));
}

void buildSequenceOp(OpBuilder &b, Operation *op, StringRef symbol,
                     StringRef layer, ArrayRef<int64_t> chunkOptions,
                     ArrayRef<int64_t> rowOptions,
                     ArrayRef<int64_t> formOptions,
                     SmallVectorImpl<Attribute> &manifest) {
  Location loc = op->getLoc();
  if (isa<SelectiveScanOp, LinearScanOp>(op)) {
    FailureOr<ScanSpec> base = isa<SelectiveScanOp>(op)
                                   ? specFor(cast<SelectiveScanOp>(op))
                                   : specFor(cast<LinearScanOp>(op));
    SmallVector<int64_t> chunks(chunkOptions.begin(), chunkOptions.end());
    if (chunks.empty())
      chunks = {0};
    llvm::SmallSetVector<int64_t, 4> lens;
    for (int64_t c : chunks) {
      ScanSpec probe = *base;
      probe.chunkLen = c > 0 ? std::min(c, probe.time) : chooseScanChunk(probe);
      lens.insert(probe.chunkLen);
    }
    for (int64_t len : lens) {
      ScanSpec spec = *base;
      spec.chunkLen = len;
      std::string name = symbol.str();
      if (lens.size() > 1)
        name += "_c" + std::to_string(len);
      buildScan(b, loc, op, spec, name, layer, manifest);
    }
    return;
  }
  FailureOr<RecurrenceSpec> spec =
      isa<GatedLinearAttentionOp>(op)
          ? specFor(cast<GatedLinearAttentionOp>(op))
      : isa<DeltaRuleOp>(op) ? specFor(cast<DeltaRuleOp>(op))
                             : specFor(cast<LinearAttentionOp>(op));
  // Without the option: the chunkwise kernel with 32-column value tiles
  // where it applies (it beat the recurrent kernels 1.1–4.2× and the
  // 64-column tiles in every H100 case, docs/cuda.md), except f16 GLA,
  // whose rescaled keys overflow f16 under strong gates (log-decay > ~10
  // over 16 tokens); no remark where it does not apply.
  if (formOptions.empty()) {
    RecurrenceSpec cw = *spec;
    cw.chunkwise = true;
    cw.valueTile = 32;
    bool f16Gates = cw.kind == RecurrenceKind::GatedLinearAttention &&
                    !cw.elemType.isBF16();
    // The delta rule keeps the recurrent kernel below one chunk (decode).
    bool shortDelta =
        cw.kind == RecurrenceKind::DeltaRule && cw.time < 64;
    // The delta rule's two-launch form (the solves of all chunks in
    // parallel first) beat the one-launch kernel 1.3–2.5× on an H100.
    cw.deltaTwoLaunches = cw.kind == RecurrenceKind::DeltaRule;
    // The next chunk prefetched by cp.async (_pf) beat the plain kernels in
    // all 16 H100 cases (1.1–1.5×); 16-column value tiles win for the
    // delta rule's walk when 32-column ones make at most 64 blocks (half
    // the SMs: 2.50× vs 2.06× SDPA at 1×16×8192×128, 3.17× vs 2.34× at
    // 1×8×16384×128) and lose above (2.29× vs 2.80× at 1×32×8192×128).
    cw.prefetch = true;
    if (cw.deltaTwoLaunches && cw.batch * cw.heads * cw.dv / 32 <= 64)
      cw.valueTile = 16;
    if (!f16Gates && !shortDelta &&
        succeeded(checkChunkwise(cw, op, /*remark=*/false))) {
      buildRecurrence(b, loc, op, cw, symbol.str(), layer, manifest);
      return;
    }
  }
  bool recurrent = formOptions.empty() || llvm::is_contained(formOptions, 0);
  if (llvm::is_contained(formOptions, 1)) {
    RecurrenceSpec cw = *spec;
    cw.chunkwise = true;
    if (succeeded(checkChunkwise(cw, op))) {
      // Two value tiles: 64 columns, and 32 (twice the blocks, for few
      // heads; the q/k work is repeated per tile).
      std::string name = recurrent ? symbol.str() + "_cw" : symbol.str();
      buildRecurrence(b, loc, op, cw, name, layer, manifest);
      cw.valueTile = 32;
      buildRecurrence(b, loc, op, cw, name + "_v32", layer, manifest);
      // Suffix _pf: the next chunk's tiles prefetched by cp.async into a
      // second buffer.
      RecurrenceSpec pf = cw;
      pf.prefetch = true;
      if (cw.kind == RecurrenceKind::DeltaRule) {
        // T, W and U of every chunk first, in parallel (ws_wu), then the
        // walk over the chunks without the solve; also with 16-column
        // value tiles (twice the blocks of the walk).
        cw.deltaTwoLaunches = pf.deltaTwoLaunches = true;
        buildRecurrence(b, loc, op, cw, name + "_2l", layer, manifest);
        buildRecurrence(b, loc, op, pf, name + "_2l_pf", layer, manifest);
        cw.valueTile = pf.valueTile = 16;
        buildRecurrence(b, loc, op, cw, name + "_2l_v16", layer, manifest);
        buildRecurrence(b, loc, op, pf, name + "_2l_v16_pf", layer, manifest);
      } else {
        buildRecurrence(b, loc, op, pf, name + "_v32_pf", layer, manifest);
      }
    } else {
      recurrent = true;
    }
  }
  if (!recurrent)
    return;
  SmallVector<int64_t> rows(rowOptions.begin(), rowOptions.end());
  if (rows.empty())
    rows = {8};
  SmallVector<int64_t> valid;
  for (int64_t r : rows) {
    RecurrenceSpec probe = *spec;
    if (setRowsPerLane(probe, r) && !llvm::is_contained(valid, r))
      valid.push_back(r);
  }
  if (valid.empty()) // Dk = 8·2^k always allows 8 rows per lane
    valid.push_back(8);
  SmallVector<int64_t> chunks(chunkOptions.begin(), chunkOptions.end());
  if (chunks.empty())
    chunks = {0};
  for (int64_t r : valid) {
    RecurrenceSpec variant = *spec;
    setRowsPerLane(variant, r);
    llvm::SmallSetVector<int64_t, 4> lens;
    // T-chunked GLA / linear attention only on request (scan-chunk = L):
    // not yet checked on the device, so the default stays one pass.
    for (int64_t c : chunks)
      lens.insert(variant.kind == RecurrenceKind::DeltaRule || c <= 0
                      ? variant.time
                      : std::min(c, variant.time));
    for (int64_t len : lens) {
      variant.chunkLen = len;
      std::string name = symbol.str();
      if (valid.size() > 1)
        name += "_r" + std::to_string(r);
      if (lens.size() > 1)
        name += "_c" + std::to_string(len);
      buildRecurrence(b, loc, op, variant, name, layer, manifest);
    }
  }
}

} // namespace linea::gpu_codegen
