//===- linea_bench_cpu.cpp - linea's CPU linear layers against OpenBLAS ---===//
//
// For each case (weight shape N×K, storage dtype, batch M) builds a linea
// module in memory — one func.func per weight copy, each a single
// linea.linear or linea.quant_linear on constant weights and a dynamic M —
// compiles it once through linea-run's path (linea → linalg → LLVM → JIT),
// checks the output against OpenBLAS cblas_sgemm on the same (dequantized)
// weights, then times both sides in the same process as docs/PERF.md asks:
// warm-up, median of ≥ 20 runs, weights rotated over copies totalling ≥ 4×
// the L3 for memory-bound cases (M ≤ 16), next to a read-bandwidth probe.
// One JSON line per case goes to stdout; progress goes to stderr.
// Where oneDNN is built in (onednn_peer.h), its matmul is timed on the same
// x and weights as a second peer, one JSON line per (case, peer).
//
// Usage: linea-bench-cpu [--full] [--check-only] [--runs N] [--threads N]
//          [--shapes NxK,...] [--m 1,16,...]
//          [--dtypes f32,int8,int4,uint4,w8a8] [--l3-mib N]
//
// --threads N (default 1) gives both sides N threads: OpenBLAS through
// openblas_set_num_threads, linea through LINEA_NUM_THREADS, which the
// lowering reads (docs/passes.md). With N > 1 each side gets a pause before
// it is timed, so that the other runtime's spinning workers have gone idle.
//
//===----------------------------------------------------------------------===//

#include "linea/Conversion/CpuThreads.h"
#include "linea/Dialect/Linea/IR/LineaDialect.h"
#include "linea/Dialect/Linea/IR/LineaOps.h"
#include "linea/Execution/Runner.h"
#ifdef LINEA_BENCH_HAVE_ONEDNN
#include "onednn_peer.h"
#endif

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Parser/Parser.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/TargetSelect.h"

#include <cblas.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <thread>
#include <vector>

using namespace mlir;
using namespace linea;

namespace {

//===----------------------------------------------------------------------===//
// Options
//===----------------------------------------------------------------------===//

struct Options {
  std::vector<std::pair<int64_t, int64_t>> shapes{{4096, 4096}};
  std::vector<int64_t> batches{1, 16, 128};
  std::vector<std::string> dtypes{"f32", "int8", "uint4"};
  int runs = 20;
  int threads = 1;
  int64_t l3Bytes = int64_t(32) << 20;
  bool checkOnly = false;
};

[[noreturn]] void usage(const char *message) {
  std::fprintf(
      stderr,
      "linea-bench-cpu: %s\nusage: linea-bench-cpu [--full] "
      "[--check-only] [--runs N] [--threads N] [--shapes NxK,...] "
      "[--m 1,16,...] [--dtypes f32,int8,int4,uint4,w8a8] [--l3-mib N]\n",
      message);
  std::exit(2);
}

std::vector<std::string> splitList(const char *text) {
  SmallVector<StringRef> parts;
  StringRef(text).split(parts, ',', -1, /*KeepEmpty=*/false);
  std::vector<std::string> out;
  for (StringRef p : parts)
    out.push_back(p.trim().str());
  return out;
}

int64_t parseInt(StringRef text, const char *what) {
  int64_t value;
  if (text.getAsInteger(10, value) || value <= 0)
    usage((std::string("bad ") + what + ": '" + text.str() + "'").c_str());
  return value;
}

Options parseOptions(int argc, char **argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    StringRef arg = argv[i];
    auto next = [&]() -> const char * {
      if (i + 1 >= argc)
        usage((arg + " needs a value").str().c_str());
      return argv[++i];
    };
    if (arg == "--full") {
      o.shapes = {{4096, 4096}, {11008, 4096}};
    } else if (arg == "--check-only") {
      o.checkOnly = true;
    } else if (arg == "--runs") {
      o.runs = parseInt(next(), "--runs");
    } else if (arg == "--threads") {
      o.threads = parseInt(next(), "--threads");
      if (o.threads > 1024)
        usage("--threads must be at most 1024");
    } else if (arg == "--l3-mib") {
      o.l3Bytes = parseInt(next(), "--l3-mib") << 20;
    } else if (arg == "--m") {
      o.batches.clear();
      for (const std::string &s : splitList(next()))
        o.batches.push_back(parseInt(s, "--m"));
    } else if (arg == "--dtypes") {
      o.dtypes = splitList(next());
      for (const std::string &d : o.dtypes)
        if (d != "f32" && d != "int8" && d != "int4" && d != "uint4" &&
            d != "w8a8")
          usage(("unknown dtype '" + d + "'").c_str());
    } else if (arg == "--shapes") {
      o.shapes.clear();
      for (const std::string &s : splitList(next())) {
        auto [n, k] = StringRef(s).split('x');
        o.shapes.push_back(
            {parseInt(n, "--shapes N"), parseInt(k, "--shapes K")});
      }
    } else {
      usage(("unknown argument '" + arg + "'").str().c_str());
    }
  }
  if (o.runs < 20 && !o.checkOnly)
    std::fprintf(stderr,
                 "linea-bench-cpu: note: --runs %d is below the "
                 "protocol's 20\n",
                 o.runs);
  return o;
}

//===----------------------------------------------------------------------===//
// Weights: one stored copy in linea's format plus its f32 reading
//===----------------------------------------------------------------------===//

/// How a dtype is stored (docs/formats.md): bits per code, group along K
/// (0: one scale per row), f16 scales and zero points or f32 scales.
struct Format {
  std::string dtype;
  unsigned bits = 32;
  int64_t group = 0;
  bool asymmetric = false;
  /// The `format <...>` of linea.quant_linear (empty for f32).
  std::string mlir;
};

Format formatOf(StringRef dtype) {
  if (dtype == "int8")
    return {"int8", 8, 0, false, "<int8, channel, symmetric, scale f32>"};
  if (dtype == "int4")
    return {"int4", 4, 128, false, "<int4, group 128, symmetric, scale f16>"};
  // W8A8: the int8 weight with x quantized per token on every call (§6).
  if (dtype == "w8a8")
    return {"w8a8", 8, 0, false,
            "<int8, channel, symmetric, scale f32, act "
            "dynamic_int8_per_token>"};
  if (dtype == "uint4")
    return {"uint4", 4, 128, true, "<uint4, group 128, asymmetric, scale f16>"};
  return {"f32", 32, 0, false, ""};
}

/// The operands of one layer as stored bytes, plus the dequantized f32
/// weight every side computes with (OpenBLAS reads it; linea decodes the
/// stored bytes itself).
struct WeightCopy {
  std::vector<float> dense;        // [N, K] f32: the f32 weight, or Ŵ
  std::vector<int8_t> codes;       // [N, ceil(K·bits/8)]
  std::vector<float> scalesF32;    // [N, 1] (int8)
  std::vector<_Float16> scalesF16; // [N, K/group] (4-bit)
  std::vector<int8_t> zeros;       // [N, K/group] (uint4)

  int64_t storedBytes() const {
    if (codes.empty())
      return int64_t(dense.size() * sizeof(float));
    return int64_t(codes.size() + scalesF32.size() * 4 + scalesF16.size() * 2 +
                   zeros.size());
  }
};

/// Uniform random weights (or codes, scales and zero points), deterministic
/// per `seed`; Ŵ follows docs/formats.md: float(code − z) · float(s) in f32.
WeightCopy makeWeights(const Format &f, int64_t n, int64_t k, uint64_t seed,
                       bool needDense) {
  std::mt19937_64 rng(seed);
  auto uniform = [&]() { return double(rng() >> 11) * 0x1.0p-53; };
  WeightCopy w;
  if (f.bits == 32) {
    w.dense.resize(n * k);
    for (float &v : w.dense)
      v = float(2.0 * uniform() - 1.0) / std::sqrt(float(k));
    return w;
  }
  int64_t rowBytes = (k * f.bits + 7) / 8;
  int64_t groups = f.group ? (k + f.group - 1) / f.group : 1;
  int64_t span = f.group ? f.group : k;
  w.codes.assign(n * rowBytes, 0);
  if (f.group)
    w.scalesF16.resize(n * groups);
  else
    w.scalesF32.resize(n * groups);
  if (f.asymmetric)
    w.zeros.resize(n * groups);
  for (int64_t g = 0; g < n * groups; ++g) {
    float s = float(0.5 + uniform()) / (8.0f * std::sqrt(float(k)));
    if (f.group)
      w.scalesF16[g] = _Float16(s);
    else
      w.scalesF32[g] = s;
    if (f.asymmetric)
      w.zeros[g] = int8_t(rng() % 16);
  }
  if (needDense)
    w.dense.resize(n * k);
  for (int64_t r = 0; r < n; ++r) {
    uint8_t *row = reinterpret_cast<uint8_t *>(w.codes.data() + r * rowBytes);
    for (int64_t c = 0; c < k; ++c) {
      int32_t code;
      if (f.bits == 8)
        code = int32_t(rng() % 255) - 127;
      else if (f.asymmetric)
        code = int32_t(rng() % 16);
      else
        code = int32_t(rng() % 16) - 8;
      if (f.bits == 8)
        row[c] = uint8_t(code);
      else
        row[c / 2] |= uint8_t((code & 0xF) << (4 * (c % 2)));
      if (!needDense)
        continue;
      int64_t g = r * groups + c / span;
      float s = f.group ? float(w.scalesF16[g]) : w.scalesF32[g];
      int32_t z = f.asymmetric ? int32_t(uint8_t(w.zeros[g])) : 0;
      w.dense[r * k + c] = float(code - z) * s;
    }
  }
  return w;
}

//===----------------------------------------------------------------------===//
// The linea module
//===----------------------------------------------------------------------===//

std::string tensorType(ArrayRef<int64_t> shape, StringRef element) {
  std::string s = "tensor<";
  for (int64_t d : shape)
    s += (d == ShapedType::kDynamic ? std::string("?") : std::to_string(d)) +
         "x";
  return s + element.str() + ">";
}

/// MLIR text of functions @w0 … @w<copies−1>, each `y = layer(x)` on
/// placeholder constants that attachWeights replaces by the real bytes
/// (keeping megabytes of weights out of the text).
std::string moduleText(const Format &f, int64_t n, int64_t k, int copies) {
  int64_t dyn = ShapedType::kDynamic;
  std::string x = tensorType({dyn, k}, "f32"), y = tensorType({dyn, n}, "f32");
  std::string text = "module {\n";
  for (int c = 0; c < copies; ++c) {
    text +=
        "func.func @w" + std::to_string(c) + "(%x: " + x + ") -> " + y + " {\n";
    if (f.bits == 32) {
      std::string wt = tensorType({n, k}, "f32");
      text += "  %w = arith.constant dense<0.0> : " + wt + "\n";
      text +=
          "  %y = linea.linear %x, %w : (" + x + ", " + wt + ") -> " + y + "\n";
    } else {
      int64_t groups = f.group ? (k + f.group - 1) / f.group : 1;
      std::string qt = tensorType({n, (k * f.bits + 7) / 8}, "i8");
      std::string st = tensorType({n, groups}, f.group ? "f16" : "f32");
      std::string zt = tensorType({n, groups}, "i8");
      text += "  %q = arith.constant dense<0> : " + qt + "\n";
      text += "  %s = arith.constant dense<1.0> : " + st + "\n";
      std::string operands = "%x, %q, %s", types = x + ", " + qt + ", " + st;
      if (f.asymmetric) {
        text += "  %z = arith.constant dense<0> : " + zt + "\n";
        operands += " zero_points %z";
        types += ", " + zt;
      }
      text += "  %y = linea.quant_linear " + operands + " format " + f.mlir +
              " : (" + types + ") -> " + y + "\n";
    }
    text += "  return %y : " + y + "\n}\n";
  }
  return text + "}\n";
}

/// Replaces the constant defining `operand` by a dense_resource that points
/// at `bytes` without copying them (they must outlive the compilation).
template <typename T>
void setConstant(Value operand, const std::vector<T> &values) {
  auto constant = operand.getDefiningOp<arith::ConstantOp>();
  auto type = cast<ShapedType>(constant.getType());
  ArrayRef<char> bytes(reinterpret_cast<const char *>(values.data()),
                       values.size() * sizeof(T));
  auto blob = UnmanagedAsmResourceBlob::allocateWithAlign(bytes, alignof(T));
  constant.setValueAttr(cast<TypedAttr>(
      DenseResourceElementsAttr::get(type, "weight", std::move(blob))));
}

/// Gives function @w<c> the bytes of `weights[c]`.
void attachWeights(ModuleOp module, const std::vector<WeightCopy> &weights) {
  for (size_t c = 0; c < weights.size(); ++c) {
    const WeightCopy &w = weights[c];
    auto func = module.lookupSymbol<func::FuncOp>("w" + std::to_string(c));
    func.walk([&](Operation *op) {
      if (auto linear = dyn_cast<LinearOp>(op)) {
        setConstant(linear.getW(), w.dense);
      } else if (auto quant = dyn_cast<QuantLinearOp>(op)) {
        setConstant(quant.getQweight(), w.codes);
        if (!w.scalesF16.empty())
          setConstant(quant.getScales(), w.scalesF16);
        else
          setConstant(quant.getScales(), w.scalesF32);
        if (quant.getZeroPoints())
          setConstant(quant.getZeroPoints(), w.zeros);
      }
    });
  }
}

//===----------------------------------------------------------------------===//
// Timing
//===----------------------------------------------------------------------===//

double nowMs() {
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t h = v.size() / 2;
  return v.size() % 2 ? v[h] : 0.5 * (v[h - 1] + v[h]);
}

/// Threads of both sides (--threads).
int benchThreads = 1;

/// Median time of `runs` calls of `body(i)` after `warmup` untimed ones.
double timeMedian(int warmup, int runs, const std::function<void(int)> &body) {
  // libomp and OpenBLAS workers spin for up to ~0.2 s after their last
  // region; let them sleep before the other side is timed.
  if (benchThreads > 1)
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  for (int i = 0; i < warmup; ++i)
    body(i);
  std::vector<double> times;
  for (int i = 0; i < runs; ++i) {
    double start = nowMs();
    body(warmup + i);
    times.push_back(nowMs() - start);
  }
  return median(times);
}

/// Read bandwidth in GB/s of a buffer of 8× the L3, the ceiling for
/// M ≤ 16: the better of one sequential stream and four concurrent ones
/// (a 4-row register tile reads four rows of w at once, which the hardware
/// prefetchers serve faster than one stream). Median of 5 passes each.
double probeReadBandwidth(int64_t l3Bytes) {
  int64_t words = 8 * l3Bytes / int64_t(sizeof(uint64_t));
  words -= words % 32;
  std::vector<uint64_t> buffer(words);
  for (int64_t i = 0; i < words; ++i)
    buffer[i] = uint64_t(i) * 0x9E3779B97F4A7C15ull;
  volatile uint64_t sink = 0;
  const uint64_t *data = buffer.data();
  // Eight independent sums per stream so that the loop is bound by loads.
  auto oneStream = [&](int) {
    uint64_t s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    for (int64_t i = 0; i < words; i += 8)
      for (int j = 0; j < 8; ++j)
        s[j] += data[i + j];
    sink = sink + s[0] + s[1] + s[2] + s[3] + s[4] + s[5] + s[6] + s[7];
  };
  auto fourStreams = [&](int) {
    int64_t quarter = words / 4;
    uint64_t s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    for (int64_t i = 0; i < quarter; i += 8)
      for (int64_t q = 0; q < 4; ++q)
        for (int j = 0; j < 8; ++j)
          s[j] += data[q * quarter + i + j];
    sink = sink + s[0] + s[1] + s[2] + s[3] + s[4] + s[5] + s[6] + s[7];
  };
  double ms =
      std::min(timeMedian(1, 5, oneStream), timeMedian(1, 5, fourStreams));
  return double(words * sizeof(uint64_t)) / (ms * 1e6);
}

//===----------------------------------------------------------------------===//
// One case
//===----------------------------------------------------------------------===//

/// Error of `ours` against `ref`: max |a − b| over max |b|.
double maxRelError(const float *ours, const float *ref, int64_t count) {
  double diff = 0, scale = 0;
  for (int64_t i = 0; i < count; ++i) {
    diff = std::max(diff, std::fabs(double(ours[i]) - double(ref[i])));
    scale = std::max(scale, std::fabs(double(ref[i])));
  }
  return scale > 0 ? diff / scale : diff;
}

/// x̂ of `dynamic_int8_per_token` (docs/formats.md §6) for x[m, k]:
/// clamp(roundEven(x / s_t), −127, 127) · s_t, s_t = max|x_t| / 127.
std::vector<float> quantizePerToken(const float *x, int64_t m, int64_t k) {
  std::vector<float> xHat(x, x + m * k);
  for (int64_t i = 0; i < m; ++i) {
    float amax = 0;
    for (int64_t j = 0; j < k; ++j)
      amax = std::max(amax, std::fabs(x[i * k + j]));
    float s = amax == 0 ? 1.0f : amax / 127.0f;
    for (int64_t j = 0; j < k; ++j) {
      float q = std::nearbyint(x[i * k + j] / s);
      xHat[i * k + j] = std::min(std::max(q, -127.0f), 127.0f) * s;
    }
  }
  return xHat;
}

void peerLinear(int64_t m, int64_t n, int64_t k, const float *x, const float *w,
                float *y) {
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, int(m), int(n), int(k),
              1.0f, x, int(k), w, int(k), 0.0f, y, int(n));
}

void printCase(const std::string &shape, const std::string &dtype,
               const char *peerRoutine, double oursMs, double peerMs,
               double oursGbps, double peerGbps, double probeGbps, int copies,
               double err);

/// Copies needed so that rotating over them touches ≥ 4× the L3.
int copiesFor(int64_t bytes, int64_t l3Bytes) {
  return int(std::max<int64_t>(1, (4 * l3Bytes + bytes - 1) / bytes));
}

//===----------------------------------------------------------------------===//
// oneDNN peers (onednn_peer.h; built where libdnnl-dev is found)
//===----------------------------------------------------------------------===//

/// What linea measured for one (case, M), for the peer lines next to it.
struct OursTiming {
  std::string shape;
  double ms, gbps, probeGbps;
  int copies, runs;
};

/// One JSON line against a named peer; peerMs < 0: the peer is missing and
/// `note` says why (docs/PERF.md: never invent a peer).
void printPeer(const OursTiming &ours, const std::string &dtype,
               const std::string &peer, double peerMs, double peerGbps,
               int peerCopies, double err, const char *note = nullptr) {
  // JSON numbers, or null for a missing peer.
  auto number = [&](const char *format, double value) {
    char text[64] = "null";
    if (peerMs >= 0)
      std::snprintf(text, sizeof(text), format, value);
    return std::string(text);
  };
  std::printf("{\"bench\": \"linear\", \"shape\": \"%s\", \"dtype\": \"%s\", "
              "\"peer\": \"%s\", \"ours_ms\": %.4f, \"peer_ms\": %s, "
              "\"speedup\": %s, \"ours_gbps\": %.2f, \"peer_gbps\": %s, "
              "\"probe_gbps\": %.2f, \"threads\": %d, \"weight_copies\": %d, "
              "\"peer_weight_copies\": %d, \"max_rel_err\": %s%s%s%s}\n",
              ours.shape.c_str(), dtype.c_str(), peer.c_str(), ours.ms,
              number("%.4f", peerMs).c_str(),
              number("%.4f", peerMs / ours.ms).c_str(), ours.gbps,
              number("%.2f", peerGbps).c_str(), ours.probeGbps, benchThreads,
              ours.copies, peerCopies, number("%.3g", err).c_str(),
              note ? ", \"note\": \"" : "", note ? note : "", note ? "\"" : "");
  std::fflush(stdout);
}

/// oneDNN on the same x and weights as linea for one M: its f32 matmul for
/// f32 weights, its s8 × s8 (W8A8, x quantized per token and call) matmul
/// for int8 ones; 4-bit and weight-only int8 have no oneDNN 2.6 peer, printed
/// as missing. Checks copy 0 against OpenBLAS first. `ours` null: check
/// only (CTest). `f32Copies` / `int8Copies`: the rotation for M ≤ 16.
bool oneDnnPeers(const Format &f, int64_t m, int64_t n, int64_t k,
                 const float *x, const std::vector<WeightCopy> &weights,
                 int f32Copies, int int8Copies, const OursTiming *ours) {
#ifdef LINEA_BENCH_HAVE_ONEDNN
  using namespace linea::bench;
  std::string version = oneDnnVersion();
  if (f.bits == 4) {
    if (ours)
      printPeer(*ours, f.dtype, version + "-int4:missing", -1, 0, 0, 0,
                "oneDNN 2.6 has no 4-bit matmul");
    return true;
  }
  bool w8a8 = f.bits == 8;
  if (w8a8 && weights[0].scalesF32.size() != size_t(n)) {
    if (ours)
      printPeer(*ours, f.dtype, version + "-int8:missing", -1, 0, 0, 0,
                "oneDNN's int8 matmul here takes per-channel f32 scales");
    return true;
  }
  int copies = ours ? (w8a8 ? int8Copies : f32Copies) : 1;
  std::vector<std::unique_ptr<OneDnnLinear>> layers;
  for (int c = 0; c < copies; ++c) {
    const WeightCopy &w = weights[c];
    std::string error;
    layers.push_back(w8a8 ? makeOneDnnW8A8(m, n, k, w.codes.data(),
                                           w.scalesF32.data(), error)
                          : makeOneDnnF32(m, n, k, w.dense.data(), error));
    if (!layers.back()) {
      std::fprintf(stderr, "[%s] oneDNN: %s\n", f.dtype.c_str(), error.c_str());
      if (ours)
        printPeer(*ours, f.dtype, version + ":unavailable", -1, 0, 0, 0,
                  "oneDNN could not build the matmul (see stderr)");
      return true;
    }
  }
  // W8A8 is checked against OpenBLAS on x̂ (x rounded per token as the
  // peer rounds it), so that both paths must agree to f32 rounding.
  std::vector<float> xRef =
      w8a8 ? quantizePerToken(x, m, k) : std::vector<float>(x, x + m * k);
  std::vector<float> yRef(m * n), y(m * n);
  peerLinear(m, n, k, xRef.data(), weights[0].dense.data(), yRef.data());
  layers[0]->run(x, y.data());
  double err = maxRelError(y.data(), yRef.data(), m * n);
  bool pass = err <= 1e-4;
  std::fprintf(stderr,
               "[%s %ldx%ldx%ld] oneDNN %s max rel error vs OpenBLAS "
               "%.3g (%s)\n",
               f.dtype.c_str(), long(m), long(n), long(k),
               w8a8 ? "W8A8" : "f32", err, pass ? "ok" : "FAIL");
  if (!ours || !pass)
    return pass;
  double ms = timeMedian(std::max(copies, 3), ours->runs,
                         [&](int i) { layers[i % copies]->run(x, y.data()); });
  int64_t bytes = w8a8 ? n * k + 4 * n : 4 * n * k;
  std::string peer = version + (w8a8 ? "-matmul-w8a8-s8s8" : "-matmul-f32");
  printPeer(*ours, f.dtype, peer, ms, double(bytes) / (ms * 1e6), copies, err);
  if (w8a8 && f.dtype == "int8")
    printPeer(*ours, f.dtype, version + "-weight-only-int8:missing", -1, 0, 0,
              0, "oneDNN 2.6 has no weight-only int8 matmul");
  return true;
#else
  if (ours)
    printPeer(*ours, f.dtype, "onednn:unavailable", -1, 0, 0, 0,
              "linea-bench-cpu was built without oneDNN (libdnnl-dev)");
  return true;
#endif
}

/// Benchmarks one (shape, dtype) for every batch; returns false when a
/// correctness check or the compilation failed.
bool runShape(MLIRContext &ctx, const Options &o, int64_t n, int64_t k,
              const Format &f, double probeGbps) {
  int64_t denseBytes = n * k * int64_t(sizeof(float));
  bool memoryBound = llvm::any_of(o.batches, [](int64_t m) { return m <= 16; });
  WeightCopy probe = makeWeights(f, n, k, 0, /*needDense=*/false);
  int oursCopies = memoryBound && !o.checkOnly
                       ? copiesFor(probe.storedBytes(), o.l3Bytes)
                       : 1;
  int peerCopies = memoryBound && !o.checkOnly
                       ? std::min(oursCopies, copiesFor(denseBytes, o.l3Bytes))
                       : 1;

  std::vector<WeightCopy> weights;
  for (int c = 0; c < oursCopies; ++c)
    weights.push_back(
        makeWeights(f, n, k, 1000 + c, /*needDense=*/c < peerCopies));

  std::fprintf(stderr, "[%s %ldx%ld] compiling %d weight cop%s (%.1f MiB)...\n",
               f.dtype.c_str(), long(n), long(k), oursCopies,
               oursCopies == 1 ? "y" : "ies",
               double(oursCopies * probe.storedBytes()) / (1 << 20));
  double compileStart = nowMs();
  OwningOpRef<ModuleOp> module =
      parseSourceString<ModuleOp>(moduleText(f, n, k, oursCopies), &ctx);
  if (!module) {
    std::fprintf(stderr, "linea-bench-cpu: the generated module does not "
                         "parse\n");
    return false;
  }
  attachWeights(*module, weights);
  std::vector<std::string> names;
  for (int c = 0; c < oursCopies; ++c)
    names.push_back("w" + std::to_string(c));
  auto compiled = compileFunctions(*module, names);
  if (!compiled) {
    std::fprintf(stderr, "linea-bench-cpu: %s\n",
                 llvm::toString(compiled.takeError()).c_str());
    return false;
  }
  std::fprintf(stderr, "[%s %ldx%ld] compiled in %.1f s\n", f.dtype.c_str(),
               long(n), long(k), (nowMs() - compileStart) / 1000);
  // The peer keeps only Ŵ; the stored copies stay for linea's blobs, which
  // the JIT has copied by now.
  module = nullptr;

  bool ok = true;
  std::mt19937_64 rng(7);
  for (int64_t m : o.batches) {
    HostTensor x = makeTensor(DType::f32, {m, k});
    auto *xData = reinterpret_cast<float *>(x.bytes.data());
    for (int64_t i = 0; i < m * k; ++i)
      xData[i] = float(double(rng() >> 11) * 0x1.0p-52 - 1.0);
    std::vector<float> yPeer(m * n);
    std::vector<HostTensor> inputs{x};
    std::vector<int64_t> resultWords;

    // One call of ours on copy `c`; frees the result the code allocated.
    auto callOurs = [&](int c, std::vector<float> *keep) {
      (*compiled)[c].invokeInPlace(inputs, resultWords);
      if (keep) {
        HostTensor y = (*compiled)[c].readResults(resultWords).front();
        keep->assign(reinterpret_cast<float *>(y.bytes.data()),
                     reinterpret_cast<float *>(y.bytes.data()) + m * n);
      }
      void *allocated = reinterpret_cast<void *>(resultWords[0]);
      if (allocated != inputs[0].bytes.data())
        std::free(allocated);
    };

    // Correctness on the first and the last copy that the peer holds.
    double err = 0;
    // W8A8 is checked on x̂, the activations as its mode sees them.
    std::vector<float> xHat = f.dtype == "w8a8"
                                  ? quantizePerToken(xData, m, k)
                                  : std::vector<float>(xData, xData + m * k);
    for (int c : {0, peerCopies - 1}) {
      std::vector<float> yOurs;
      callOurs(c, &yOurs);
      peerLinear(m, n, k, xHat.data(), weights[c].dense.data(), yPeer.data());
      err = std::max(err, maxRelError(yOurs.data(), yPeer.data(), m * n));
    }
    bool pass = err <= 1e-4;
    ok &= pass;
    std::string shape =
        std::to_string(m) + "x" + std::to_string(n) + "x" + std::to_string(k);
    std::fprintf(stderr, "[%s %s] max rel error vs OpenBLAS %.3g (%s)\n",
                 f.dtype.c_str(), shape.c_str(), err, pass ? "ok" : "FAIL");
    if (o.checkOnly)
      ok &= oneDnnPeers(f, m, n, k, xData, weights, 1, 1, nullptr);
    if (o.checkOnly || !pass)
      continue;

    bool rotate = m <= 16;
    int oc = rotate ? oursCopies : 1, pc = rotate ? peerCopies : 1;
    double oursMs = timeMedian(std::max(oc, 3), o.runs,
                               [&](int i) { callOurs(i % oc, nullptr); });
    double peerMs = timeMedian(std::max(pc, 3), o.runs, [&](int i) {
      peerLinear(m, n, k, xData, weights[i % pc].dense.data(), yPeer.data());
    });
    double oursGbps = double(probe.storedBytes()) / (oursMs * 1e6);
    printCase(shape, f.dtype, "sgemm", oursMs, peerMs, oursGbps,
              double(denseBytes) / (peerMs * 1e6), probeGbps, oc, err);
    if (m == 1) {
      // OpenBLAS's sgemm packs W even for one row; its matrix-vector
      // product is the better peer there, and is reported too.
      double gemvMs = timeMedian(std::max(pc, 3), o.runs, [&](int i) {
        cblas_sgemv(CblasRowMajor, CblasNoTrans, int(n), int(k), 1.0f,
                    weights[i % pc].dense.data(), int(k), xData, 1, 0.0f,
                    yPeer.data(), 1);
      });
      printCase(shape, f.dtype, "sgemv", oursMs, gemvMs, oursGbps,
                double(denseBytes) / (gemvMs * 1e6), probeGbps, oc, err);
    }
    OursTiming ours{shape, oursMs, oursGbps, probeGbps, oc, o.runs};
    ok &= oneDnnPeers(f, m, n, k, xData, weights, pc, oc, &ours);
  }
  return ok;
}

/// One JSON line (docs/PERF.md's fields, then the context of the numbers).
void printCase(const std::string &shape, const std::string &dtype,
               const char *peerRoutine, double oursMs, double peerMs,
               double oursGbps, double peerGbps, double probeGbps, int copies,
               double err) {
  std::printf("{\"bench\": \"linear\", \"shape\": \"%s\", \"dtype\": \"%s\", "
              "\"peer\": \"openblas-%s-f32:%s\", \"ours_ms\": %.4f, "
              "\"peer_ms\": %.4f, \"speedup\": %.4f, \"ours_gbps\": %.2f, "
              "\"peer_gbps\": %.2f, \"probe_gbps\": %.2f, \"threads\": %d, "
              "\"weight_copies\": %d, \"max_rel_err\": %.3g}\n",
              shape.c_str(), dtype.c_str(), peerRoutine,
              openblas_get_corename(), oursMs, peerMs, peerMs / oursMs,
              oursGbps, peerGbps, probeGbps, benchThreads, copies, err);
  std::fflush(stdout);
}

} // namespace

int main(int argc, char **argv) {
  Options o = parseOptions(argc, argv);
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();

  DialectRegistry registry;
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registry.insert<LineaDialect>();
  MLIRContext ctx(registry);
  ctx.loadAllAvailableDialects();

  // The same thread count on both sides; linea's lowering (run by
  // compileFunctions) reads it from the environment.
  benchThreads = o.threads;
  openblas_set_num_threads(o.threads);
#ifdef LINEA_BENCH_HAVE_ONEDNN
  if (!linea::bench::setOneDnnThreads(o.threads))
    std::fprintf(stderr, "linea-bench-cpu: could not set oneDNN's threads\n");
#endif
  setenv(kNumThreadsEnv, std::to_string(o.threads).c_str(),
         /*overwrite=*/1);
  // OpenBLAS picks its kernels by CPU model at load time (Debian's 0.3.21
  // takes Zen 5 for Haswell, AVX2); OPENBLAS_CORETYPE=SkylakeX selects the
  // AVX-512 ones. The choice is part of the peer's name in every line.
  std::fprintf(stderr, "OpenBLAS: %s\n", openblas_get_config());
  double probeGbps = o.checkOnly ? 0 : probeReadBandwidth(o.l3Bytes);
  if (!o.checkOnly)
    std::fprintf(stderr, "read-bandwidth probe (1 thread): %.1f GB/s\n",
                 probeGbps);

  bool ok = true;
  for (auto [n, k] : o.shapes)
    for (const std::string &dtype : o.dtypes) {
      Format f = formatOf(dtype);
      if (f.group && k % f.group) {
        std::fprintf(stderr,
                     "skipping %s for K = %ld (not a multiple of %ld)\n",
                     dtype.c_str(), long(k), long(f.group));
        continue;
      }
      ok &= runShape(ctx, o, n, k, f, probeGbps);
    }
  if (!ok)
    std::fprintf(stderr, "linea-bench-cpu: some cases FAILED\n");
  return ok ? 0 : 1;
}
