//===- NmMmaKernel.cpp - 2:4 sparse layers on sparse tensor cores ---------===//
//
// y[M, N] = x[M, K]·Wᵀ (+ bias) for 2:4 `linea.nm_linear` (values and
// indices [N, K/2]) on `mma.sp.sync.aligned.m16n8k32` (sm_80+): W is the
// sparse A operand (16 rows of W, 32 columns of K stored as 16 kept values
// and their positions), x the dense B operand (8 rows of x), so each warp
// computes tiles of yᵀ. Per block BN rows of W × BM rows of x:
//
//   - K in steps of 64: each step's x tile (BM × 64, 128-byte rows), kept
//     values (BN × 32, 64-byte rows) and index bytes (BN × 32) go to
//     dynamic shared memory by cp.async (x rows past M zero-filled, W rows
//     past N read row N − 1, whose results are not stored), `stages` steps
//     in flight;
//   - x and value chunks are XOR-swizzled so the ldmatrix reads are free of
//     bank conflicts; the A fragment of the 16 kept values of a 32-column
//     window has the layout of a dense m16n8k16 A fragment;
//   - the metadata (the two 2-bit positions of group g at bits 4g … 4g + 3
//     of a row's 16-bit half window) is packed in registers from the stored
//     index bytes: lane (gid, t), t ∈ {0, 1}, holds half t of rows gid
//     (low 16 bits) and gid + 8 (high 16; sparsity selector 0) — no prep
//     kernel, the indices stay as nm_linear stores them;
//   - the epilogue adds the bias and stores rows < M, columns < N.
//
// Positions are used modulo 4, so a bad index array never reads out of
// bounds; a group naming one position twice is not a valid 2:4 pattern and
// gives undefined numbers (the GEMV would add both values).
//
//===----------------------------------------------------------------------===//

#include "BsrMmaKernel.h"

#include "SparseMmaBuild.h"

#include "mlir/Dialect/LLVMIR/NVVMDialect.h"

using namespace mlir;

namespace linea::gpu_codegen {
namespace {

constexpr int64_t kStepK = 64;

class NmMmaBuilder : MmaBuilder {
public:
  NmMmaBuilder(ImplicitLocOpBuilder &b, const GemvSpec &spec,
               const NmMmaTile &tile)
      : MmaBuilder(b, spec.wType), spec(spec), tile(tile),
        threads(tile.threads()), aTiles(tile.wn / 16), bTiles(tile.wm / 8),
        xBytes(tile.bm * 128), vBytes(tile.bn * 64) {}

  void build(ValueRange args);

private:
  /// cp.async of `total` 16-byte chunks, `perRow` per tile row: chunk q of
  /// this thread's passes from `src(row, chunk)` (i64 byte offset) to
  /// `dst(row, chunk)` (i32 shared offset), size from `size(row)` (null:
  /// 16). Offsets are recorded in `copies` for issueStep.
  struct Copy {
    Value src, dst, size;
  };
  void planCopies(int64_t rows, int64_t perRow, int64_t limit, Value row0,
                  int64_t rowBytes, int64_t dstBase, int64_t dstPitch,
                  bool swizzle, bool zeroFill, SmallVector<Copy> &out);
  void issueStep(Value kt, Value stage);
  void computeStage(Value stageOff, SmallVector<Value> &acc);
  Value asI32(Value v) {
    return isa<VectorType>(v.getType())
               ? Value(LLVM::BitcastOp::create(b, i32, v))
               : v;
  }
  /// 32-bit metadata from 8 index bytes (two i32) of rows gid and gid + 8.
  Value packMeta(Value lo, Value hi);
  /// acc (4 f32) += A (sparse, 4 regs) · B (4 regs) under `meta`.
  void mmaSp(ArrayRef<Value> a, ArrayRef<Value> bOp, Value meta,
             MutableArrayRef<Value> acc);

  const GemvSpec &spec;
  const NmMmaTile &tile;
  int64_t threads, aTiles, bTiles, xBytes, vBytes;
  GemvArgs ga;
  Value tid, lane, gid, tig, wm0, wn0, m0, n0;
  Value xAddr, vAddr, iAddr;
  SmallVector<Copy> xCopies, vCopies, iCopies;
};

void NmMmaBuilder::planCopies(int64_t rows, int64_t perRow, int64_t limit,
                              Value row0, int64_t rowBytes, int64_t dstBase,
                              int64_t dstPitch, bool swizzle, bool zeroFill,
                              SmallVector<Copy> &out) {
  const int64_t total = rows * perRow;
  for (int64_t p = 0; p < (total + threads - 1) / threads; ++p) {
    // Threads past the last chunk copy it again (same bytes, same place).
    Value q = minsi(add(tid, p * threads), ci(total - 1));
    Value r = divu(q, perRow), c = remu(q, perRow);
    Value row = add(row0, r);
    Copy copy;
    copy.src = arith::AddIOp::create(
        b,
        arith::MulIOp::create(b, toI64(minsi(row, ci(limit - 1))),
                              arith::ConstantIntOp::create(b, i64, rowBytes)),
        toI64(mul(c, 16)));
    // 64-byte rows: f(r) = (r / 2) mod 4; 128-byte rows: r mod 8.
    Value slot = c;
    if (swizzle)
      slot = arith::XOrIOp::create(
          b, c, perRow == 4 ? remu(divu(r, 2), 4) : remu(r, 8));
    copy.dst = add(add(mul(r, dstPitch), mul(slot, 16)), dstBase);
    if (zeroFill)
      copy.size =
          select(cmp(arith::CmpIPredicate::slt, row, ci(limit)), ci(16), ci(0));
    out.push_back(copy);
  }
}

void NmMmaBuilder::issueStep(Value kt, Value stage) {
  Value stageOff = mul(stage, tile.stageBytes());
  auto issue = [&](Value base, int64_t stepBytes, ArrayRef<Copy> copies) {
    Value at = arith::AddIOp::create(
        b, base,
        arith::MulIOp::create(b, toI64(kt),
                              arith::ConstantIntOp::create(b, i64, stepBytes)));
    for (const Copy &c : copies)
      NVVM::CpAsyncOp::create(
          b, sharedPtr(add(stageOff, c.dst)),
          LLVM::IntToPtrOp::create(b, ptrGlobal,
                                   Value(arith::AddIOp::create(b, at, c.src))),
          16, NVVM::LoadCacheModifierKind::CG, c.size);
  };
  issue(xAddr, kStepK * 2, xCopies);
  issue(vAddr, kStepK, vCopies);     // 32 kept 16-bit values
  issue(iAddr, kStepK / 2, iCopies); // 32 index bytes
}

Value NmMmaBuilder::packMeta(Value lo, Value hi) {
  // Byte j of word i of a row's 8 index bytes is the position of kept value
  // 4i + j of the half: 2 bits at 2·(4i + j); row gid in the low 16 bits,
  // row gid + 8 in the high 16.
  Value meta;
  for (auto [r, words] : llvm::enumerate(std::array<Value, 2>{lo, hi}))
    for (int64_t i = 0; i < 2; ++i) {
      Value w = vector::ExtractOp::create(b, words, i);
      auto bits = [&](int64_t shift, int64_t mask) -> Value {
        Value s = shift ? Value(arith::ShRUIOp::create(b, w, ci(shift))) : w;
        return arith::AndIOp::create(b, s, ci(mask));
      };
      Value byte = arith::OrIOp::create(
          b, arith::OrIOp::create(b, bits(0, 0x3), bits(6, 0xC)),
          arith::OrIOp::create(b, bits(12, 0x30), bits(18, 0xC0)));
      if (int64_t at = 16 * r + 8 * i)
        byte = arith::ShLIOp::create(b, byte, ci(at));
      meta = meta ? Value(arith::OrIOp::create(b, meta, byte)) : byte;
    }
  return meta;
}

void NmMmaBuilder::mmaSp(ArrayRef<Value> a, ArrayRef<Value> bOp, Value meta,
                         MutableArrayRef<Value> acc) {
  const char *t = isF16 ? "f16" : "bf16";
  std::string asmText =
      std::string("mma.sp.sync.aligned.m16n8k32.row.col.f32.") + t + "." + t +
      ".f32 {$0, $1, $2, $3}, {$4, $5, $6, $7}, {$8, $9, $10, $11}, "
      "{$12, $13, $14, $15}, $16, 0x0;";
  SmallVector<Value> operands;
  for (Value v : a)
    operands.push_back(asI32(v));
  for (Value v : bOp)
    operands.push_back(asI32(v));
  operands.append(acc.begin(), acc.end());
  operands.push_back(meta);
  Type f32x4 = LLVM::LLVMStructType::getLiteral(ctx, {f32, f32, f32, f32});
  Value res = LLVM::InlineAsmOp::create(
                  b, f32x4, operands, asmText,
                  "=f,=f,=f,=f,r,r,r,r,r,r,r,r,0,1,2,3,r",
                  /*has_side_effects=*/false, /*is_align_stack=*/false,
                  LLVM::tailcallkind::TailCallKind::None,
                  LLVM::AsmDialectAttr(), ArrayAttr())
                  .getResult(0);
  for (int64_t i = 0; i < 4; ++i)
    acc[i] = LLVM::ExtractValueOp::create(b, res, i);
}

void NmMmaBuilder::computeStage(Value stageOff, SmallVector<Value> &acc) {
  Type v2i32 = VectorType::get({2}, i32);
  Value l16 = remu(lane, 16), hi = divu(lane, 16), l8 = remu(lane, 8),
        q = divu(lane, 8);
  Value aSwz = remu(divu(l16, 2), 4);
  // Metadata (sparsity selector 0): lane (gid, t), t ∈ {0, 1}, holds the
  // positions of kept values 8t … 8t + 7 of the window for rows gid (low
  // 16 bits) and gid + 8 (high 16 bits); lanes t ∈ {2, 3} compute the
  // same unused value.
  Value metaOff = add(mul(add(wn0, gid), 32), mul(remu(tig, 2), 8));
  for (int64_t w = 0; w < 2; ++w) {
    SmallVector<SmallVector<Value, 4>> aOps;
    SmallVector<Value> metas;
    for (int64_t a = 0; a < aTiles; ++a) {
      Value row = add(wn0, add(l16, 16 * a));
      Value slot = arith::XOrIOp::create(b, add(hi, 2 * w), aSwz);
      aOps.push_back(ldmatrix4(
          add(stageOff, add(add(mul(row, 64), mul(slot, 16)), xBytes)),
          /*trans=*/false));
      auto indexBytes = [&](int64_t row) -> Value {
        return LLVM::LoadOp::create(
            b, v2i32,
            sharedPtr(add(stageOff, add(metaOff, xBytes + vBytes +
                                                     32 * row + 16 * w))),
            /*alignment=*/8);
      };
      metas.push_back(packMeta(indexBytes(16 * a), indexBytes(16 * a + 8)));
    }
    for (int64_t j = 0; j < bTiles; ++j) {
      Value row = add(wm0, add(l8, 8 * j));
      Value slot = arith::XOrIOp::create(b, add(q, 4 * w), l8);
      auto bOps = ldmatrix4(add(stageOff, add(mul(row, 128), mul(slot, 16))),
                            /*trans=*/false);
      for (int64_t a = 0; a < aTiles; ++a)
        mmaSp(aOps[a], bOps, metas[a],
              MutableArrayRef<Value>(acc).slice((a * bTiles + j) * 4, 4));
    }
  }
}

void NmMmaBuilder::build(ValueRange args) {
  ga = splitGemvArguments(args, spec);
  bindSmem();
  tid = id(false, gpu::Dimension::x);
  lane = remu(tid, 32);
  Value warp = divu(tid, 32);
  gid = divu(lane, 4);
  tig = remu(lane, 4);
  const int64_t warpsN = tile.bn / tile.wn;
  wm0 = mul(divu(warp, warpsN), tile.wm);
  wn0 = mul(remu(warp, warpsN), tile.wn);
  n0 = mul(id(true, gpu::Dimension::x), tile.bn);
  m0 = mul(id(true, gpu::Dimension::y), tile.bm);
  xAddr = baseAddress(ga.x);
  vAddr = baseAddress(ga.w);
  iAddr = baseAddress(ga.indices);
  planCopies(tile.bm, 8, spec.m, m0, spec.k * 2, 0, 128, /*swizzle=*/true,
             /*zeroFill=*/true, xCopies);
  planCopies(tile.bn, 4, spec.n, n0, spec.k, xBytes, 64, /*swizzle=*/true,
             /*zeroFill=*/false, vCopies);
  planCopies(tile.bn, 2, spec.n, n0, spec.k / 2, xBytes + vBytes, 32,
             /*swizzle=*/false, /*zeroFill=*/false, iCopies);

  SmallVector<Value> init(aTiles * bTiles * 4, cf(0.0));
  SmallVector<Value> acc = cpAsyncPipeline(
      spec.k / kStepK, tile.stages, init,
      [&](Value kt, Value slot) { issueStep(kt, slot); },
      [&](Value, Value slot, SmallVector<Value> &a) {
        computeStage(mul(slot, tile.stageBytes()), a);
      });

  // Epilogue: acc (a, j, i) is yᵀ[n][m] with n = 16a + gid (+8 for i ≥ 2),
  // m = 8j + 2·tig + (i mod 2).
  for (int64_t a = 0; a < aTiles; ++a)
    for (int64_t h = 0; h < 2; ++h) {
      Value n = add(add(n0, wn0), add(gid, 16 * a + 8 * h));
      Value nOk = cmp(arith::CmpIPredicate::slt, n, ci(spec.n));
      Value nIdx = toIndex(minsi(n, ci(spec.n - 1)));
      Value colBias =
          ga.bias ? toF32(b, memref::LoadOp::create(b, ga.bias, nIdx)) : Value();
      for (int64_t j = 0; j < bTiles; ++j)
        for (int64_t e = 0; e < 2; ++e) {
          Value m = add(add(m0, wm0), add(mul(tig, 2), 8 * j + e));
          Value v = acc[(a * bTiles + j) * 4 + 2 * h + e];
          if (colBias)
            v = arith::AddFOp::create(b, v, colBias);
          Value ok = arith::AndIOp::create(
              b, nOk, cmp(arith::CmpIPredicate::slt, m, ci(spec.m)));
          ifThen(b, ok, [&] {
            storeWithEpilogue(b, spec.epilogue, v, ga.residual, ga.y,
                              toIndex(m), nIdx);
          });
        }
    }
}

} // namespace

std::string nmMmaUnsupported(const GemvSpec &spec) {
  std::string why;
  llvm::raw_string_ostream os(why);
  if (!spec.nm24())
    os << spec.nmN << ":" << spec.nmM
       << " (the sparse tensor cores take 2:4 only)";
  else if (spec.xType != spec.wType)
    os << "x (" << spec.xType << ") must have the values' type ("
       << spec.wType << ")";
  else if (spec.k % kStepK != 0)
    os << "K = " << spec.k << " is not a multiple of " << kStepK;
  return why;
}

std::string nmMmaTileError(const GemvSpec &spec, const NmMmaTile &t) {
  std::string why = sparseWarpTileError(t.bm, t.bn, t.wm, t.wn, 8, 16);
  if (why.empty())
    why = sparseLaunchError(t.bm, t.bn, t.stages, t.threads(),
                            t.sharedBytes());
  return why;
}

gpu::GPUFuncOp buildNmMmaKernel(OpBuilder &builder, Location loc,
                                StringRef name, const GemvSpec &spec,
                                const NmMmaTile &tile) {
  return createSmemKernel(
      builder, loc, name, gemvArgumentTypes(builder, spec), tile.threads(),
      [&](ImplicitLocOpBuilder &b, ValueRange args) {
        NmMmaBuilder(b, spec, tile).build(args);
      });
}

} // namespace linea::gpu_codegen
