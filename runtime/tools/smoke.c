/*===- smoke.c - run every kernel of a directory once ----------------------===
 *
 * linea-cuda-smoke DIR: loads DIR/manifest.json, fills each kernel's inputs
 * with finite random values, poisons the output (all bytes 0xFF, a NaN in
 * bf16/f16/f32), launches once and fails unless every output element was
 * written. Non-finite outputs are counted but do not fail: the inputs know
 * no argument roles, so a recurrence fed positive log-gates may overflow.
 * Numerical checks are the PyTorch driver's (scripts/cuda_device_check.py);
 * this needs only the runtime.
 *
 *===----------------------------------------------------------------------===*/

#include "linea_cuda.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned rng = 12345u;
static unsigned next(void) { return rng = rng * 1664525u + 1013904223u; }

/* Random finite values of magnitude in [1/8, 1) for 16-bit floats. */
static void fill(unsigned char *p, size_t bytes, const char *dtype) {
  if (!strcmp(dtype, "bf16") || !strcmp(dtype, "f16")) {
    unsigned short lo = !strcmp(dtype, "bf16") ? 0x3E00 : 0x3000;
    unsigned short span = !strcmp(dtype, "bf16") ? 0x0180 : 0x0C00;
    for (size_t i = 0; i + 1 < bytes; i += 2) {
      unsigned short v = (unsigned short)(lo + next() % span);
      if (next() & 1)
        v |= 0x8000;
      memcpy(p + i, &v, 2);
    }
  } else if (!strcmp(dtype, "f32")) {
    for (size_t i = 0; i + 3 < bytes; i += 4) {
      float v = (float)(next() % 1000) / 1000.0f - 0.5f;
      memcpy(p + i, &v, 4);
    }
  } else {
    for (size_t i = 0; i < bytes; ++i)
      p[i] = (unsigned char)(next() >> 24);
  }
}

static int finite16(unsigned short v, int bf16) {
  return bf16 ? (v & 0x7F80) != 0x7F80 : (v & 0x7C00) != 0x7C00;
}

/* True when an element still holds the 0xFF poison, i.e. was never written. */
static int poisoned(const unsigned char *p, size_t width) {
  for (size_t i = 0; i < width; ++i)
    if (p[i] != 0xFF)
      return 0;
  return 1;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  lcu_module *module;
  if (lcu_init(0) || lcu_module_load(argv[1], 0, &module)) {
    fprintf(stderr, "error: %s\n", lcu_last_error());
    return 1;
  }
  int failures = 0;
  for (int k = 0; k < lcu_num_kernels(module); ++k) {
    lcu_kernel_info info;
    lcu_kernel_info_get(module, k, &info);
    uint64_t ptrs[16] = {0};
    lcu_arg_info out;
    if (info.num_args > 16) {
      fprintf(stderr, "error: %s has %d arguments (at most 16)\n", info.symbol,
              info.num_args);
      return 1;
    }
    for (int a = 0; a < info.num_args; ++a) {
      lcu_arg_info arg;
      lcu_arg_info_get(module, k, a, &arg);
      unsigned char *host = malloc(arg.bytes);
      int isOut = a == info.num_args - 1;
      if (isOut)
        memset(host, 0xFF, arg.bytes), out = arg;
      else if (!strcmp(arg.name, "sync")) // a counter that starts at 0
        memset(host, 0, arg.bytes);
      else
        fill(host, arg.bytes, arg.dtype);
      if (lcu_alloc(arg.bytes, &ptrs[a]) ||
          lcu_upload(ptrs[a], host, arg.bytes)) {
        fprintf(stderr, "error: %s\n", lcu_last_error());
        return 1;
      }
      free(host);
    }
    unsigned char *y = malloc(out.bytes);
    if (lcu_launch(module, k, ptrs, info.num_args, NULL) ||
        lcu_download(y, ptrs[info.num_args - 1], out.bytes)) {
      fprintf(stderr, "error: %s\n", lcu_last_error());
      return 1;
    }
    size_t width = strcmp(out.dtype, "f32") ? 2 : 4;
    size_t bad = 0, nonfinite = 0, elems = out.bytes / width;
    for (size_t i = 0; i < elems; ++i) {
      bad += poisoned(y + width * i, width);
      if (width == 4) {
        float v;
        memcpy(&v, y + 4 * i, 4);
        nonfinite += !isfinite(v);
      } else {
        unsigned short v;
        memcpy(&v, y + 2 * i, 2);
        nonfinite += !finite16(v, !strcmp(out.dtype, "bf16"));
      }
    }
    printf("%-40s %s: %zu of %zu outputs unwritten (%zu not finite)\n",
           info.symbol, bad ? "FAIL" : "ok", bad, elems, nonfinite);
    failures += bad != 0;
    for (int a = 0; a < info.num_args; ++a)
      lcu_free(ptrs[a]);
    free(y);
  }
  lcu_module_unload(module);
  return failures ? 1 : 0;
}
