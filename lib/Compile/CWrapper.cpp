//===- CWrapper.cpp - the C wrapper of a compiled library -----------------===//
//
// The wrapper turns the plain pointers of the C API into the memref
// descriptors of the MLIR C interface: one descriptor per input, and one
// struct of result descriptors that `_mlir_ciface_<fn>` fills. Code from
// linea-lower-to-llvm returns buffers it malloc'ed (the caller owns them);
// the wrapper copies each result into the caller's array (static shape) or
// a fresh buffer (dynamic shape) and frees the code's buffer.
//
//===----------------------------------------------------------------------===//

#include "linea/Compile/CInterface.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace linea {

/// The helpers every wrapper starts with (all `lw_`, all static).
static const char *const kHelpers = R"C(
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LW_API __attribute__((visibility("default")))

static _Thread_local char lw_error[512];

static int lw_vfail(int code, const char *format, va_list args) {
  vsnprintf(lw_error, sizeof lw_error, format, args);
  return code;
}

static int lw_fail(const char *format, ...) {
  va_list args;
  va_start(args, format);
  int code = lw_vfail(1, format, args);
  va_end(args);
  return code;
}

/* The descriptor of a dense array: allocated and aligned pointer, offset,
   sizes[rank], strides[rank], all 8-byte words. */
static void lw_describe(int64_t *d, const void *data, int64_t rank,
                        const int64_t *shape) {
  int64_t stride = 1;
  d[0] = d[1] = (int64_t)(intptr_t)data;
  d[2] = 0;
  for (int64_t i = rank - 1; i >= 0; --i) {
    d[3 + i] = shape[i];
    d[3 + rank + i] = stride;
    stride *= shape[i];
  }
}

/* Copies a strided array (strides in elements) into another. */
static void lw_copy(char *dst, const int64_t *dstStrides, const char *src,
                    const int64_t *srcStrides, int64_t rank,
                    const int64_t *sizes, size_t elem) {
  int64_t index[LW_MAX_RANK] = {0};
  for (int64_t i = 0; i < rank; ++i)
    if (sizes[i] == 0)
      return;
  if (rank == 0) {
    memcpy(dst, src, elem);
    return;
  }
  int64_t last = rank - 1, n = sizes[last];
  for (;;) {
    int64_t s = 0, d = 0;
    for (int64_t i = 0; i < last; ++i) {
      s += index[i] * srcStrides[i];
      d += index[i] * dstStrides[i];
    }
    if (srcStrides[last] == 1 && dstStrides[last] == 1) {
      memcpy(dst + d * elem, src + s * elem, (size_t)n * elem);
    } else {
      for (int64_t j = 0; j < n; ++j)
        memcpy(dst + (d + j * dstStrides[last]) * elem,
               src + (s + j * srcStrides[last]) * elem, elem);
    }
    int64_t i = last - 1;
    for (; i >= 0; --i) {
      if (++index[i] < sizes[i])
        break;
      index[i] = 0;
    }
    if (i < 0)
      return;
  }
}

/* Copies result descriptor `d` to `dst` (the caller's array of shape
   `expect`) or, when dst is NULL, to a new buffer in `out`. */
static int lw_output(const char *fn, const char *name, const int64_t *d,
                     int64_t rank, size_t elem, const int64_t *expect,
                     void *dst, linea_tensor *out) {
  const int64_t *sizes = d + 3, *strides = d + 3 + rank;
  int64_t dense[LW_MAX_RANK], count = 1;
  for (int64_t i = rank - 1; i >= 0; --i) {
    if (expect && sizes[i] != expect[i])
      return lw_fail("%s: output %s has size %lld in dimension %lld, "
                     "expected %lld", fn, name, (long long)sizes[i],
                     (long long)i, (long long)expect[i]);
    dense[i] = count;
    count *= sizes[i];
  }
  if (!dst) {
    dst = malloc(count ? (size_t)count * elem : 1);
    if (!dst)
      return lw_fail("%s: cannot allocate %lld bytes for output %s", fn,
                     (long long)count * (long long)elem, name);
    out->data = dst;
    out->rank = rank;
    for (int64_t i = 0; i < rank; ++i)
      out->shape[i] = sizes[i];
  }
  const char *src = (const char *)(intptr_t)d[1] + d[2] * (int64_t)elem;
  lw_copy((char *)dst, dense, src, strides, rank, sizes, elem);
  return 0;
}

/* Frees the buffers the compiled code returned: each once, and never an
   input (a result that aliases one) or a constant (memref.get_global
   marks those with 0xdeadbeef). */
static void lw_release(const int64_t *results, const int64_t *at, int count,
                       const void *const *inputs, int numInputs) {
  for (int r = 0; r < count; ++r) {
    void *p = (void *)(intptr_t)results[at[r]];
    int skip = !p || p == (void *)(intptr_t)0xdeadbeef;
    for (int i = 0; !skip && i < numInputs; ++i)
      skip = p == inputs[i];
    for (int q = 0; !skip && q < r; ++q)
      skip = p == (void *)(intptr_t)results[at[q]];
    if (!skip)
      free(p);
  }
}
)C";

/// The team size of the code's OpenMP regions (linea-runtime-thread-count
/// calls linea_num_threads) and the API that sets it. @LIB@: the library
/// name, @MAX@: the compile-time thread count.
static const char *const kThreads = R"C(
#include <sched.h>

#define LW_MAX_THREADS @MAX@

/* 0 until chosen: by @LIB@_set_num_threads, else at the first call. */
static _Atomic int lw_threads;

/* Hidden, like every symbol of the library but its API: a second linea
   library in the process has its own. */
int32_t linea_num_threads(void) {
  int n = lw_threads;
  return n > 0 ? n : 1;
}

/* $LINEA_NUM_THREADS, else the CPUs this process may run on; never more
   than the code was split for (more threads would only wait). */
static int lw_choose_threads(void) {
  if (lw_threads > 0)
    return 0;
  int n = LW_MAX_THREADS;
  const char *env = getenv("LINEA_NUM_THREADS");
  while (env && *env == ' ')
    ++env;
  if (env && *env) {
    char *end;
    long v = strtol(env, &end, 10);
    while (*end == ' ')
      ++end;
    if (end == env || *end || v < 1 || v > 1024)
      return lw_fail("LINEA_NUM_THREADS='%s' is not a thread count: give an "
                     "integer from 1 to 1024", env);
    if (v < n)
      n = (int)v;
  } else {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0 &&
        CPU_COUNT(&set) < n)
      n = CPU_COUNT(&set);
  }
  lw_threads = n;
  return 0;
}

LW_API int @LIB@_set_num_threads(int n) {
  if (n < 0)
    return lw_fail("@LIB@_set_num_threads: %d threads; give 1 to %d, or 0 "
                   "for automatic", n, LW_MAX_THREADS);
  lw_threads = n > LW_MAX_THREADS ? LW_MAX_THREADS : n;
  return 0;
}

LW_API int @LIB@_get_num_threads(void) {
  return lw_choose_threads() ? -1 : (int)lw_threads;
}
)C";

/// Maps and checks <lib>.weights (WeightsFile.h); `linea_weights` is where
/// the compiled code finds its constants. @COUNT@, @SIZE@, @CHECKSUM@,
/// @BLOBS@: what the compile wrote.
static const char *const kWeights = R"C(
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

void *linea_weights;

#define LW_WEIGHTS_COUNT @COUNT@u
#define LW_WEIGHTS_SIZE @SIZE@ull
#define LW_WEIGHTS_CHECKSUM @CHECKSUM@ull
static const uint64_t lw_blobs[][2] = @BLOBS@;

static _Atomic int lw_weights_ready;
static pthread_mutex_t lw_weights_lock = PTHREAD_MUTEX_INITIALIZER;

static int lw_failc(int code, const char *format, ...) {
  va_list args;
  va_start(args, format);
  code = lw_vfail(code, format, args);
  va_end(args);
  return code;
}

static uint64_t lw_le64(const unsigned char *p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i)
    v = v << 8 | p[i];
  return v;
}

/* WeightsFile.h's checksum: 64-bit words, the tail zero-padded. */
static uint64_t lw_checksum(const unsigned char *p, uint64_t n) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (uint64_t i = 0; i < n; i += 8) {
    unsigned char word[8] = {0};
    memcpy(word, p + i, n - i < 8 ? (size_t)(n - i) : 8);
    uint64_t x = h ^ lw_le64(word);
    h = (x << 29 | x >> 35) * 0x100000001b3ull;
  }
  return h;
}

/* Maps `path` and checks it against what this library was compiled with;
   on success the compiled code reads its constants from it. */
static int lw_map_weights(const char *path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return lw_failc(LINEA_ERR_WEIGHTS_MISSING,
                    "@LIB@: cannot open weights file '%s': %s (pass its path "
                    "to @LIB@_load_weights)", path, strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int err = errno;
    close(fd);
    return lw_failc(LINEA_ERR_WEIGHTS_MISSING,
                    "@LIB@: cannot stat weights file '%s': %s", path,
                    strerror(err));
  }
  if (st.st_size < 40) {
    close(fd);
    return lw_failc(LINEA_ERR_WEIGHTS_TRUNCATED,
                    "@LIB@: weights file '%s' is truncated: %lld bytes, "
                    "shorter than its header", path, (long long)st.st_size);
  }
  size_t size = (size_t)st.st_size;
  unsigned char *p = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
  close(fd);
  if (p == MAP_FAILED)
    return lw_failc(LINEA_ERR_WEIGHTS_MISSING, "@LIB@: cannot map '%s': %s",
                    path, strerror(errno));
  int code = 0;
  uint32_t version = (uint32_t)lw_le64(p + 8), count = (uint32_t)(lw_le64(p + 8) >> 32);
  uint64_t offset = lw_le64(p + 16), bytes = lw_le64(p + 24);
  if (memcmp(p, "LINEAWTS", 8) != 0)
    code = lw_failc(LINEA_ERR_WEIGHTS_FORMAT,
                    "@LIB@: '%s' is not a linea weights file", path);
  else if (version != 1)
    code = lw_failc(LINEA_ERR_WEIGHTS_FORMAT,
                    "@LIB@: weights file '%s' has format version %u; this "
                    "library reads version 1", path, version);
  else if (count != LW_WEIGHTS_COUNT || bytes != LW_WEIGHTS_SIZE ||
           lw_le64(p + 32) != LW_WEIGHTS_CHECKSUM)
    code = lw_failc(LINEA_ERR_WEIGHTS_MISMATCH,
                    "@LIB@: weights file '%s' was written for another compile "
                    "(%u constants, %llu bytes; this library needs %u, %llu "
                    "bytes and its checksum)", path, count,
                    (unsigned long long)bytes, LW_WEIGHTS_COUNT,
                    (unsigned long long)LW_WEIGHTS_SIZE);
  else if (offset < 40 + 16ull * count || offset % 64 || offset > size ||
           size - offset < bytes)
    code = lw_failc(LINEA_ERR_WEIGHTS_TRUNCATED,
                    "@LIB@: weights file '%s' is truncated: %llu bytes, "
                    "expected %llu", path, (unsigned long long)size,
                    (unsigned long long)(offset + bytes));
  for (uint32_t i = 0; !code && i < count; ++i)
    if (lw_le64(p + 40 + 16 * i) != lw_blobs[i][0] ||
        lw_le64(p + 48 + 16 * i) != lw_blobs[i][1])
      code = lw_failc(LINEA_ERR_WEIGHTS_MISMATCH,
                      "@LIB@: weights file '%s' was written for another "
                      "compile (constant %u differs)", path, i);
  if (!code && lw_checksum(p + offset, bytes) != LW_WEIGHTS_CHECKSUM)
    code = lw_failc(LINEA_ERR_WEIGHTS_CORRUPT,
                    "@LIB@: weights file '%s' is corrupted: its data does not "
                    "match its checksum", path);
  if (code) {
    munmap(p, size);
    return code;
  }
  /* An earlier mapping is never unmapped: calls running in other threads
     may still read it, and every accepted file holds the same bytes. */
  linea_weights = p + offset;
  lw_weights_ready = 1;
  return 0;
}

/* `path`, or @LIB@.weights next to this library; the lock is held. */
static int lw_load_weights_locked(const char *path) {
  char found[4096];
  if (!path) {
    Dl_info info;
    if (!dladdr((void *)&lw_map_weights, &info) || !info.dli_fname)
      return lw_failc(LINEA_ERR_WEIGHTS_MISSING,
                      "@LIB@: cannot find the directory of the library; pass "
                      "the weights path to @LIB@_load_weights");
    const char *slash = strrchr(info.dli_fname, '/');
    int dir = slash ? (int)(slash - info.dli_fname) : 1;
    snprintf(found, sizeof found, "%.*s/@LIB@.weights", dir,
             slash ? info.dli_fname : ".");
    path = found;
  }
  return lw_map_weights(path);
}

LW_API int @LIB@_load_weights(const char *path) {
  pthread_mutex_lock(&lw_weights_lock);
  int code = lw_load_weights_locked(path);
  pthread_mutex_unlock(&lw_weights_lock);
  return code;
}
)C";

/// `text` with each placeholder of `values` replaced.
static std::string
substitute(StringRef text,
           ArrayRef<std::pair<StringRef, std::string>> values) {
  std::string out = text.str();
  for (auto [key, value] : values)
    for (size_t at = out.find(key); at != std::string::npos;
         at = out.find(key, at + value.size()))
      out.replace(at, key.size(), value);
  return out;
}

/// MLIR's `memrefCopy(elemSize, UnrankedMemRef *src, UnrankedMemRef *dst)`.
static const char *const kMemrefCopy = R"C(
/* What MLIR's C runner library provides to lowered code: a copy between
   two strided memrefs, passed unranked as {rank, descriptor *}. */
typedef struct { int64_t rank; int64_t *descriptor; } lw_unranked;

void memrefCopy(int64_t elem, lw_unranked *src, lw_unranked *dst) {
  const int64_t *s = src->descriptor, *d = dst->descriptor;
  int64_t rank = src->rank;
  lw_copy((char *)(intptr_t)d[1] + d[2] * elem, d + 3 + rank,
          (const char *)(intptr_t)s[1] + s[2] * elem, s + 3 + rank, rank,
          s + 3, (size_t)elem);
}
)C";

/// Words of a rank-`rank` memref descriptor.
static size_t descriptorWords(size_t rank) { return 3 + 2 * rank; }

/// `{a, b, c}` of `values`, or `{0}` when empty (C has no empty arrays).
template <typename Range> static std::string initList(const Range &values) {
  std::string s = "{";
  bool first = true;
  for (const auto &v : values) {
    s += (first ? "" : ", ") + v;
    first = false;
  }
  return s + (first ? "0}" : "}");
}

static void emitFunction(raw_ostream &os, const BoundaryFunction &f) {
  size_t nin = f.inputs.size(), nout = f.outputs.size();
  // The C interface: void _mlir_ciface_f([results *,] inputs *...); an
  // asm label because MLIR symbols may hold characters C names cannot.
  std::string entry = "lw_entry_" + f.symbol;
  os << "\nextern void " << entry << "(";
  for (size_t i = 0; i < nin + (nout ? 1 : 0); ++i)
    os << (i ? ", " : "") << "void *";
  os << (nin + nout ? "" : "void") << ") __asm__(\"_mlir_ciface_" << f.name
     << "\");\n\n";

  os << "LW_API int " << f.symbol << "(";
  SmallVector<std::string> params;
  for (const BoundaryTensor &t : f.inputs) {
    params.push_back(("const " + cElementType(t.dtype) + " *" + t.cName).str());
    for (const std::string &d : t.dimArgs)
      params.push_back("int64_t " + d);
  }
  for (const BoundaryTensor &t : f.outputs)
    params.push_back(t.isStatic()
                         ? (cElementType(t.dtype) + " *" + t.cName).str()
                         : "linea_tensor *" + t.cName);
  os << (params.empty() ? "void" : llvm::join(params, ", ")) << ") {\n";

  std::string fn = "\"" + f.symbol + "\"";
  for (const BoundaryTensor &t : f.inputs) {
    os << "  if (!" << t.cName << ")\n    return lw_fail(\"%s: input "
       << t.cName << " is NULL\", " << fn << ");\n";
    for (const std::string &d : t.dimArgs)
      os << "  if (" << d << " < 0)\n    return lw_fail(\"%s: " << d
         << " is %lld, must be >= 0\", " << fn << ", (long long)" << d
         << ");\n";
  }
  for (const BoundaryTensor &t : f.outputs) {
    os << "  if (!" << t.cName << ")\n    return lw_fail(\"%s: output "
       << t.cName << " is NULL\", " << fn << ");\n";
    if (!t.isStatic())
      os << "  " << t.cName << "->data = NULL;\n";
  }

  // Weights mapped and thread count chosen (lw_prepare), once.
  os << "  {\n    int lw_ready = lw_prepare();\n    if (lw_ready)\n"
     << "      return lw_ready;\n  }\n";

  // Input descriptors.
  SmallVector<std::string> descPtrs;
  for (auto [i, t] : llvm::enumerate(f.inputs)) {
    SmallVector<std::string> dims;
    size_t dynamic = 0;
    for (int64_t d : t.shape)
      dims.push_back(d >= 0 ? std::to_string(d) : t.dimArgs[dynamic++]);
    std::string desc = "lw_in" + std::to_string(i);
    os << "  int64_t " << desc << "[" << descriptorWords(t.shape.size())
       << "];\n  {\n    const int64_t lw_shape[] = " << initList(dims)
       << ";\n    lw_describe(" << desc << ", " << t.cName << ", "
       << t.shape.size() << ", lw_shape);\n  }\n";
    descPtrs.push_back(desc);
  }

  // The results' descriptors, back to back, and where each starts.
  SmallVector<std::string> offsets;
  size_t words = 0;
  for (const BoundaryTensor &t : f.outputs) {
    offsets.push_back(std::to_string(words));
    words += descriptorWords(t.shape.size());
  }
  if (nout) {
    os << "  int64_t lw_res[" << words << "];\n";
    descPtrs.insert(descPtrs.begin(), "lw_res");
  }
  os << "  " << entry << "(" << llvm::join(descPtrs, ", ") << ");\n";
  if (!nout)
    return void(os << "  return 0;\n}\n");

  os << "  int lw_rc = 0;\n";
  for (auto [i, t] : llvm::enumerate(f.outputs)) {
    std::string rank = std::to_string(t.shape.size());
    std::string elem = "sizeof(" + cElementType(t.dtype).str() + ")";
    std::string desc = "lw_res + " + offsets[i];
    std::string name = "\"" + t.cName + "\"";
    if (t.isStatic()) {
      SmallVector<std::string> dims;
      for (int64_t d : t.shape)
        dims.push_back(std::to_string(d));
      os << "  {\n    const int64_t lw_shape[] = " << initList(dims)
         << ";\n    if (!lw_rc)\n      lw_rc = lw_output(" << fn << ", " << name
         << ", " << desc << ", " << rank << ", " << elem << ", lw_shape, "
         << t.cName << ", NULL);\n  }\n";
    } else {
      os << "  if (!lw_rc)\n    lw_rc = lw_output(" << fn << ", " << name
         << ", " << desc << ", " << rank << ", " << elem << ", NULL, NULL, "
         << t.cName << ");\n";
    }
  }
  SmallVector<std::string> inputPtrs;
  for (const BoundaryTensor &t : f.inputs)
    inputPtrs.push_back("(const void *)" + t.cName);
  os << "  {\n    const int64_t lw_at[] = " << initList(offsets)
     << ";\n    const void *lw_inputs[] = " << initList(inputPtrs)
     << ";\n    lw_release(lw_res, lw_at, " << nout << ", lw_inputs, " << nin
     << ");\n  }\n";
  // On failure, release what was already allocated for the caller.
  for (const BoundaryTensor &t : f.outputs)
    if (!t.isStatic())
      os << "  if (lw_rc) {\n    free(" << t.cName << "->data);\n    "
         << t.cName << "->data = NULL;\n  }\n";
  os << "  return lw_rc;\n}\n";
}

std::string emitCWrapper(StringRef lib, ArrayRef<BoundaryFunction> functions,
                         bool defineMemrefCopy, const LibraryRuntime &runtime) {
  std::string text;
  raw_string_ostream os(text);
  // sched_getaffinity, dladdr.
  os << "#define _GNU_SOURCE\n";
  os << "/* The C API of lib" << lib
     << ".so over the MLIR C interface of the compiled module.\n"
     << "   Generated by linea-compile; see " << lib << ".h. */\n"
     << "#include \"" << lib << ".h\"\n\n#define LW_MAX_RANK "
     << kMaxBoundaryRank << "\n"
     << kHelpers;
  if (defineMemrefCopy)
    os << kMemrefCopy;
  os << substitute(kThreads, {{"@LIB@", lib.str()},
                              {"@MAX@", std::to_string(runtime.maxThreads)}});
  if (const WeightsFile *w = runtime.weights) {
    SmallVector<std::string> blobs;
    for (const WeightsBlob &blob : w->blobs)
      blobs.push_back("{" + std::to_string(blob.offset) + "ull, " +
                      std::to_string(blob.size) + "ull}");
    os << substitute(kWeights,
                     {{"@LIB@", lib.str()},
                      {"@COUNT@", std::to_string(w->blobs.size())},
                      {"@SIZE@", std::to_string(w->data.size())},
                      {"@CHECKSUM@", std::to_string(w->checksum)},
                      {"@BLOBS@", initList(blobs)}});
  }
  os << "\n/* What every function does first. */\nstatic int lw_prepare(void) "
        "{\n";
  if (runtime.weights)
    os << "  if (!lw_weights_ready) {\n"
       << "    pthread_mutex_lock(&lw_weights_lock);\n"
       << "    int code = lw_weights_ready ? 0 : "
          "lw_load_weights_locked(NULL);\n"
       << "    pthread_mutex_unlock(&lw_weights_lock);\n"
       << "    if (code)\n      return code;\n  }\n";
  if (runtime.maxThreads > 1)
    os << "  if (lw_choose_threads())\n    return 1;\n";
  os << "  return 0;\n}\n";
  os << "\nLW_API const char *" << lib
     << "_last_error(void) { return lw_error; }\n\n"
     << "LW_API void " << lib << "_free(linea_tensor *tensor) {\n"
     << "  if (tensor) {\n    free(tensor->data);\n    tensor->data = NULL;\n"
     << "  }\n}\n";
  for (const BoundaryFunction &f : functions)
    emitFunction(os, f);
  return text;
}

} // namespace linea
