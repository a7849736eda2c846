//===- W8A8Kernels.cpp - quant_linear with quantized activations ----------===//
//
// y = x̂ · Ŵᵀ + bias for the activation modes of docs/formats.md §6, as one
// manifest entry of two launches over one argument list
//
//   x, qweight, scales, [act_scale], [bias], xq, [xs], y
//
// (xq, xs: workspaces the caller allocates, as a low-rank layer's t):
//
//   1. prep (a block of 128 threads per token): s_t = max_k |x_t[k]| / 127
//      (int8) or / 448 (fp8_per_token), 1 for an all-zero token, or the
//      static act_scale (fp8_per_tensor); then per element r = x / s_t
//      (IEEE division), q = clamp(roundEven(r), −127, 127) (cvt.rni) or
//      q = e4m3(r) (cvt.rn.satfinite.e4m3x2.f32: nearest, ties to even,
//      saturating to ±448). It writes either the codes (xq i8 [M, K]) and
//      s_t (xs f32 [M]) or, for the GEMV, x̂ = q · s_t itself (xq f32
//      [M, K]), exactly the reference's x̂.
//   2a. prefill (M ≥ 64 on sm_90a, channel or tensor weight scales): the
//      wgmma GEMM of WgmmaGemmKernel.cpp on 8-bit operands (m64nBNk32
//      .s32.s8.s8 or .f32.e4m3.e4m3, both K-major, 128 K per 128-byte
//      swizzle row) with epilogue y = acc · s_x[m] · s_w[n] + bias;
//   2b. otherwise: the weight-only GEMV (GemvKernel.cpp's int8 / e4m3 decode)
//      on x̂ in f32.
//
//===----------------------------------------------------------------------===//

#include "W8A8Kernels.h"
#include "KernelBuild.h"
#include "MmaBuild.h"
#include "WgmmaBuild.h"

#include "linea/Dialect/Linea/IR/LineaOps.h"

#include "mlir/Dialect/LLVMIR/NVVMDialect.h"

using namespace mlir;

namespace linea::gpu_codegen {
namespace {

constexpr int64_t kPrepThreads = 128;

/// Roles of the shared argument list.
struct ArgIndex {
  unsigned x = 0, qweight = 1, scales = 2, actScale = 0, bias = 0,
           residual = 0, xq, xs = 0, y, count;
  bool hasActScale = false, hasBias = false, hasResidual = false,
       hasXs = false;
};

ArgIndex argIndex(const W8A8Spec &spec, bool codes) {
  ArgIndex a;
  unsigned n = 3;
  if ((a.hasActScale = spec.act == ActQuant::Fp8PerTensor))
    a.actScale = n++;
  if ((a.hasBias = spec.gemv.hasBias))
    a.bias = n++;
  if ((a.hasResidual = spec.gemv.epilogue.hasResidual()))
    a.residual = n++;
  a.xq = n++;
  if ((a.hasXs = codes))
    a.xs = n++;
  a.y = n++;
  a.count = n;
  return a;
}

/// The prep kernel: quantizes x per token into xq (codes + xs, or x̂ f32).
class PrepBuilder : public KernelBuilder {
public:
  PrepBuilder(ImplicitLocOpBuilder &b, const W8A8Spec &spec, bool codes,
              Value red)
      : KernelBuilder(b), spec(spec), g(spec.gemv), codes(codes), red(red) {}

  void build(ValueRange args, const ArgIndex &ai) {
    const int64_t chunks = g.k / 8;
    Value x = args[ai.x], xq = args[ai.xq];
    Value tid = id(false, gpu::Dimension::x);
    Value row = toIndex(id(true, gpu::Dimension::x));
    VectorType v8 = VectorType::get({8}, f32);
    auto loadX = [&](Value c) {
      return toF32(b, memref::LoadOp::create(b, x, ValueRange{row, toIndex(c)}));
    };
    auto chunkLoop = [&](ValueRange init,
                         function_ref<SmallVector<Value>(Value, ValueRange)>
                             body) {
      return forLoop(b, tid, ci(chunks), ci(kPrepThreads), init, body);
    };

    Value scale;
    if (spec.act == ActQuant::Fp8PerTensor) {
      scale = memref::LoadOp::create(b, args[ai.actScale], cIdx(b, 0));
    } else {
      // max |x_t| over the row: per thread, warp (shuffles), block (shared).
      Value amax = chunkLoop({cf(0.0)}, [&](Value c, ValueRange acc) {
        // |x| as max(x, −x): convert-gpu-to-nvvm rejects llvm.intr.fabs.
        Value v = loadX(c);
        Value a = arith::MaximumFOp::create(b, v, arith::NegFOp::create(b, v));
        Value m = vector::ReductionOp::create(
            b, vector::CombiningKind::MAXIMUMF, a);
        return SmallVector<Value>{arith::MaximumFOp::create(b, acc[0], m)};
      })[0];
      for (int32_t off = 16; off > 0; off /= 2)
        amax = arith::MaximumFOp::create(b, amax, warpXor(amax, off));
      Value lane = remu(tid, 32), warp = divu(tid, 32);
      ifThen(b, cmp(arith::CmpIPredicate::eq, lane, ci(0)), [&] {
        memref::StoreOp::create(b, amax, red, toIndex(warp));
      });
      gpu::BarrierOp::create(b);
      amax = memref::LoadOp::create(b, red, cIdx(b, 0));
      for (int64_t w = 1; w < kPrepThreads / 32; ++w)
        amax = arith::MaximumFOp::create(
            b, amax, memref::LoadOp::create(b, red, cIdx(b, w)));
      double qmax = spec.act == ActQuant::Int8PerToken ? 127.0 : 448.0;
      Value s = arith::DivFOp::create(b, amax, cf(qmax));
      Value zero = arith::CmpFOp::create(b, arith::CmpFPredicate::OEQ, amax,
                                         cf(0.0));
      scale = arith::SelectOp::create(b, zero, cf(1.0), s);
    }
    if (codes)
      ifThen(b, cmp(arith::CmpIPredicate::eq, tid, ci(0)), [&] {
        memref::StoreOp::create(b, scale, args[ai.xs], row);
      });
    Value sv = vector::BroadcastOp::create(b, v8, scale);
    chunkLoop({}, [&](Value c, ValueRange) {
      Value r = arith::DivFOp::create(b, loadX(c), sv);
      Value out;
      if (spec.act == ActQuant::Int8PerToken) {
        // roundEven (cvt.rni) through llvm.call_intrinsic: the
        // llvm.intr.roundeven op is illegal in convert-gpu-to-nvvm.
        Value clamped = arith::MinimumFOp::create(
            b, arith::MaximumFOp::create(b, r, splat(v8, -127.0)),
            splat(v8, 127.0));
        Value q = LLVM::CallIntrinsicOp::create(
                      b, v8, b.getStringAttr("llvm.roundeven.v8f32"),
                      ValueRange{clamped})
                      .getResult(0);
        out = codes ? Value(arith::FPToSIOp::create(
                          b, VectorType::get({8}, b.getI8Type()), q))
                    : Value(arith::MulFOp::create(b, q, sv));
      } else {
        out = e4m3(r, sv);
      }
      memref::StoreOp::create(b, out, xq, ValueRange{row, toIndex(c)});
      return SmallVector<Value>{};
    });
  }

private:
  Value splat(VectorType t, double v) {
    return arith::ConstantOp::create(
        b, DenseElementsAttr::get(t, b.getF32FloatAttr(v)));
  }
  Value asmOp(Type res, StringRef text, StringRef constraints,
              ValueRange operands) {
    return LLVM::InlineAsmOp::create(
               b, res, operands, text, constraints,
               /*has_side_effects=*/false, /*is_align_stack=*/false,
               LLVM::tailcallkind::TailCallKind::None, LLVM::AsmDialectAttr(),
               ArrayAttr())
        .getResult(0);
  }
  /// The 8 e4m3 codes of r (vector<8xi8>), or (not `codes`) their values
  /// times s.
  Value e4m3(Value r, Value sv) {
    Type i16 = b.getI16Type();
    SmallVector<Value> pairs;
    for (int64_t i = 0; i < 4; ++i) {
      Value lo = vector::ExtractOp::create(b, r, 2 * i);
      Value hi = vector::ExtractOp::create(b, r, 2 * i + 1);
      // The first source goes to the upper byte.
      pairs.push_back(asmOp(i16, "cvt.rn.satfinite.e4m3x2.f32 $0, $1, $2;",
                            "=h,f,f", ValueRange{hi, lo}));
    }
    Value packed = vector::FromElementsOp::create(
        b, VectorType::get({4}, i16), pairs);
    if (codes)
      return vector::BitCastOp::create(
          b, VectorType::get({8}, b.getI8Type()), packed);
    SmallVector<Value> vals;
    VectorType h2 = VectorType::get({2}, b.getF16Type());
    for (Value p : pairs) {
      Value h = asmOp(i32, "cvt.rn.f16x2.e4m3x2 $0, $1;", "=r,h", p);
      Value half = LLVM::BitcastOp::create(b, h2, h);
      Value f = arith::ExtFOp::create(b, VectorType::get({2}, f32), half);
      vals.push_back(vector::ExtractOp::create(b, f, 0));
      vals.push_back(vector::ExtractOp::create(b, f, 1));
    }
    Value q = vector::FromElementsOp::create(b, VectorType::get({8}, f32), vals);
    return arith::MulFOp::create(b, q, sv);
  }

  const W8A8Spec &spec;
  const GemvSpec &g;
  bool codes;
  Value red;
};

/// Argument types of a launch: `typed` by role, the rest unused bytes.
SmallVector<Type> launchTypes(OpBuilder &b, const ArgIndex &ai,
                              ArrayRef<std::pair<unsigned, Type>> typed) {
  SmallVector<Type> types(ai.count, globalMemRef({1}, b.getI8Type()));
  for (auto [i, t] : typed)
    types[i] = t;
  return types;
}

void buildPrep(OpBuilder &builder, Location loc, StringRef name,
               const W8A8Spec &spec, bool codes, const ArgIndex &ai) {
  const GemvSpec &g = spec.gemv;
  Type f32 = builder.getF32Type();
  SmallVector<std::pair<unsigned, Type>> typed = {
      {ai.x, globalMemRef({g.m, g.k / 8}, VectorType::get({8}, g.xType))},
      {ai.xq, globalMemRef({g.m, g.k / 8},
                           VectorType::get({8}, codes ? builder.getI8Type()
                                                      : f32))}};
  if (ai.hasActScale)
    typed.push_back({ai.actScale, globalMemRef({1}, f32)});
  if (ai.hasXs)
    typed.push_back({ai.xs, globalMemRef({g.m}, f32)});
  auto func = createKernel(builder, loc, name, launchTypes(builder, ai, typed),
                           kPrepThreads);
  Value red = func.addWorkgroupAttribution(
      sharedMemRef({kPrepThreads / 32}, f32), loc);
  ImplicitLocOpBuilder b(loc, builder.getContext());
  Block &entry = func.getBody().front();
  b.setInsertionPointToStart(&entry);
  PrepBuilder(b, spec, codes, red).build(entry.getArguments(), ai);
  gpu::ReturnOp::create(b);
}

void buildW8A8Wgmma(OpBuilder &builder, Location loc, StringRef name,
                    const W8A8Spec &spec, const WgmmaTile &tile,
                    const ArgIndex &ai) {
  const GemvSpec &g = spec.gemv;
  Type i8 = builder.getI8Type(), f32 = builder.getF32Type();
  SmallVector<std::pair<unsigned, Type>> typed = {
      {ai.qweight, globalMemRef({g.n, g.k}, i8)},
      {ai.scales, globalMemRef({g.scaleRows, g.scaleCols}, g.scaleType)},
      {ai.xq, globalMemRef({g.m, g.k}, i8)},
      {ai.xs, globalMemRef({g.m}, f32)},
      {ai.y, g.n % 2 == 0 ? globalMemRef({g.m, g.n / 2},
                                         VectorType::get({2}, g.yType))
                          : globalMemRef({g.m, g.n}, g.yType)}};
  if (ai.hasBias)
    typed.push_back({ai.bias, globalMemRef({g.n}, g.biasType)});
  if (ai.hasResidual) // pairs, like y, when N is even
    typed.push_back({ai.residual,
                     g.n % 2 == 0 ? residualPairType(g.m, g.n, g.epilogue)
                                  : globalMemRef(
                                        residualShape(g.m, g.n, g.epilogue),
                                        g.epilogue.residualType)});
  declareDynamicSmem(builder, loc);
  auto func = createKernel(builder, loc, name, launchTypes(builder, ai, typed),
                           tile.threads());
  ImplicitLocOpBuilder b(loc, builder.getContext());
  Block &entry = func.getBody().front();
  b.setInsertionPointToStart(&entry);
  auto args = entry.getArguments();
  WgmmaBuilder wb(b, g, tile,
                  spec.act == ActQuant::Int8PerToken ? WgmmaOperands::S8
                                                     : WgmmaOperands::E4M3);
  wb.setScales(args[ai.xs], args[ai.scales], spec.tensorScales);
  if (ai.hasResidual)
    wb.setResidual(args[ai.residual]);
  wb.buildGemm(args[ai.xq], args[ai.qweight],
               ai.hasBias ? args[ai.bias] : Value(), args[ai.y]);
  gpu::ReturnOp::create(b);
}

/// The GEMV on x̂ (f32): GemvKernel.cpp with x = xq.
GemvSpec buildW8A8Gemv(OpBuilder &builder, Location loc, StringRef name,
                       const W8A8Spec &spec, const ArgIndex &ai) {
  GemvSpec g = spec.gemv;
  g.xType = builder.getF32Type();
  g.rowsPerWarp = 2;
  g.unroll = g.chunks() % (32 * 2) == 0 ? 2 : 1;
  g.gridStride = false;
  g.tensorCores = false;
  g.mTile = 1;
  for (int64_t t = std::min<int64_t>(g.m, 16); t > 1; --t)
    if (g.m % t == 0) {
      g.mTile = t;
      break;
    }
  // x, qw, scales, [bias], [residual], y
  SmallVector<Type> t = gemvArgumentTypes(builder, g);
  SmallVector<std::pair<unsigned, Type>> typed = {
      {ai.xq, t[0]}, {ai.qweight, t[1]}, {ai.scales, t[2]}, {ai.y, t.back()}};
  SmallVector<unsigned> use = {ai.xq, ai.qweight, ai.scales};
  unsigned next = 3;
  if (ai.hasBias) {
    typed.push_back({ai.bias, t[next++]});
    use.push_back(ai.bias);
  }
  if (ai.hasResidual) {
    typed.push_back({ai.residual, t[next++]});
    use.push_back(ai.residual);
  }
  use.push_back(ai.y);
  buildGemvKernelOn(builder, loc, name, g, launchTypes(builder, ai, typed),
                    use);
  return g;
}

const char *actName(ActQuant a) {
  switch (a) {
  case ActQuant::Int8PerToken:
    return "dynamic_int8_per_token";
  case ActQuant::Fp8PerTensor:
    return "fp8_per_tensor";
  case ActQuant::Fp8PerToken:
    return "fp8_per_token";
  }
  return "";
}

} // namespace

bool isW8A8(Operation *op) {
  auto q = dyn_cast<QuantLinearOp>(op);
  return q && q.getFormat().getAct() != ActMode::weight_only;
}

FailureOr<W8A8Spec> readW8A8Spec(Operation *op, const GemvSpec &weights) {
  auto q = cast<QuantLinearOp>(op);
  QFormatAttr format = q.getFormat();
  W8A8Spec spec;
  spec.gemv = weights;
  QElement element = format.getElement();
  switch (format.getAct()) {
  case ActMode::dynamic_int8_per_token:
    spec.act = ActQuant::Int8PerToken;
    break;
  case ActMode::fp8_per_tensor:
    spec.act = ActQuant::Fp8PerTensor;
    break;
  default:
    spec.act = ActQuant::Fp8PerToken;
    break;
  }
  QElement want = spec.act == ActQuant::Int8PerToken ? QElement::int8
                                                     : QElement::fp8_e4m3;
  if (element != want)
    return op->emitError("linea-to-gpu: act ")
           << actName(spec.act) << " needs " << stringifyQElement(want)
           << " weights on CUDA, got " << stringifyQElement(element);
  if (spec.gemv.k % 16 != 0)
    return op->emitError("linea-to-gpu: act ")
           << actName(spec.act) << " needs K a multiple of 16, got K = "
           << spec.gemv.k;
  spec.tensorScales = spec.gemv.scaleCols == 1 && spec.gemv.scaleRows == 1;
  spec.channelScales = spec.gemv.scaleCols == 1 && !spec.tensorScales;
  return spec;
}

void emitW8A8Kernels(OpBuilder &b, Operation *op, StringRef prefix,
                     StringRef layer, const W8A8Spec &spec, bool wgmma,
                     ArrayRef<WgmmaTile> tiles,
                     SmallVectorImpl<Attribute> &manifest) {
  const GemvSpec &g = spec.gemv;
  const bool wantWgmma = wgmma && g.m >= kW8A8MinRows &&
                         (spec.channelScales || spec.tensorScales);
  if (wgmma && g.m >= kW8A8MinRows && !wantWgmma)
    op->emitRemark("linea-to-gpu: layer '")
        << layer << "' (M = " << g.m
        << ") takes the GEMV, not the wgmma GEMM: group-wise weight scales "
           "(group "
        << g.scaleSpan << ") need per-group partial sums";
  SmallVector<WgmmaTile> variants(tiles);
  if (variants.empty())
    variants.push_back(chooseWgmmaTile(g));
  if (!wantWgmma)
    variants.assign(1, WgmmaTile{});
  const ArgIndex ai = argIndex(spec, wantWgmma);
  QFormatAttr format = cast<QuantLinearOp>(op).getFormat();

  auto arg = [&](StringRef name, Type elem, ArrayRef<int64_t> shape) {
    return b.getDictionaryAttr(
        {b.getNamedAttr("name", b.getStringAttr(name)),
         b.getNamedAttr("dtype", b.getStringAttr(dtypeName(elem))),
         b.getNamedAttr("shape", b.getI64ArrayAttr(shape))});
  };
  Type i8 = b.getI8Type(), f32 = b.getF32Type();
  SmallVector<Attribute> args = {
      arg("x", g.xType, {g.m, g.k}), arg("qweight", i8, {g.n, g.k}),
      arg("scales", g.scaleType, {g.scaleRows, g.scaleCols})};
  if (ai.hasActScale)
    args.push_back(arg("act_scale", f32, {1}));
  if (ai.hasBias)
    args.push_back(arg("bias", g.biasType, {g.n}));
  if (ai.hasResidual)
    args.push_back(arg("residual", g.epilogue.residualType,
                       residualShape(g.m, g.n, g.epilogue)));
  args.push_back(arg("xq", wantWgmma ? i8 : f32, {g.m, g.k}));
  if (ai.hasXs)
    args.push_back(arg("xs", f32, {g.m}));
  args.push_back(arg("y", g.yType, {g.m, g.n}));

  auto launch = [&](StringRef symbol, ArrayRef<int64_t> grid,
                    ArrayRef<int64_t> block, int64_t shared) {
    return b.getDictionaryAttr(
        {b.getNamedAttr("symbol", b.getStringAttr(symbol)),
         b.getNamedAttr("grid", b.getI64ArrayAttr(grid)),
         b.getNamedAttr("block", b.getI64ArrayAttr(block)),
         b.getNamedAttr("shared_bytes", b.getI64IntegerAttr(shared))});
  };
  for (const WgmmaTile &tile : variants) {
    std::string symbol =
        (prefix + (wantWgmma ? "_w8a8wg" + tile.name() : "_w8a8gemv")).str();
    buildPrep(b, op->getLoc(), symbol + "_prep", spec, wantWgmma, ai);
    SmallVector<Attribute> launches = {
        launch(symbol + "_prep", {g.m, 1, 1}, {kPrepThreads, 1, 1}, 0)};
    NamedAttrList entry;
    if (wantWgmma) {
      buildW8A8Wgmma(b, op->getLoc(), symbol + "_gemm", spec, tile, ai);
      launches.push_back(launch(symbol + "_gemm", {wgmmaGrid(g, tile), 1, 1},
                                {tile.threads(), 1, 1}, tile.sharedBytes()));
      entry.set("kind", b.getStringAttr("w8a8_wgmma"));
      entry.set("tile", b.getI64ArrayAttr({tile.bm, tile.bn, tile.stages}));
      entry.set("rows_per_warp", b.getI64IntegerAttr(1));
      entry.set("unroll", b.getI64IntegerAttr(1));
      entry.set("m_tile", b.getI64IntegerAttr(tile.bm));
      entry.set("tensor_cores", b.getBoolAttr(true));
    } else {
      GemvSpec gv = buildW8A8Gemv(b, op->getLoc(), symbol + "_gemv", spec, ai);
      launches.push_back(launch(symbol + "_gemv", {gv.gridX(), gv.gridY(), 1},
                                {kWarpsPerBlock * 32, 1, 1}, 0));
      entry.set("kind", b.getStringAttr("w8a8_gemv"));
      entry.set("rows_per_warp", b.getI64IntegerAttr(gv.rowsPerWarp));
      entry.set("unroll", b.getI64IntegerAttr(gv.unroll));
      entry.set("m_tile", b.getI64IntegerAttr(gv.mTile));
      entry.set("tensor_cores", b.getBoolAttr(false));
    }
    auto last = cast<DictionaryAttr>(launches.back());
    entry.set("symbol", b.getStringAttr(symbol));
    entry.set("layer", b.getStringAttr(layer));
    entry.set("op", b.getStringAttr(op->getName().stripDialect()));
    entry.set("m", b.getI64IntegerAttr(g.m));
    entry.set("n", b.getI64IntegerAttr(g.n));
    entry.set("k", b.getI64IntegerAttr(g.k));
    entry.set("grid", last.get("grid"));
    entry.set("block", last.get("block"));
    entry.set("shared_bytes", last.get("shared_bytes"));
    entry.set("grid_stride", b.getBoolAttr(false));
    entry.set("args", b.getArrayAttr(args));
    entry.set("element",
              b.getStringAttr(stringifyQElement(format.getElement())));
    entry.set("group", b.getI64IntegerAttr(g.scaleSpan));
    entry.set("act", b.getStringAttr(actName(spec.act)));
    entry.set("launches", b.getArrayAttr(launches));
    if (!g.epilogue.empty())
      entry.set("epilogue", describeEpilogue(b, g.epilogue));
    manifest.push_back(entry.getDictionary(b.getContext()));
  }
}

} // namespace linea::gpu_codegen
