/*===- linea_cuda.h - C API of linea's CUDA runtime -------------*- C -*-===//
 *
 * Loads the kernels linea-compile --target=cuda (or linea-opt's CUDA
 * pipeline) wrote into a directory — manifest.json plus linea_kernels.cubin
 * or .ptx — over the CUDA driver API, keeps weights on the device and
 * launches kernels by name with the grid and block the manifest gives.
 * Every function returns 0 on success and a non-zero code otherwise;
 * lcu_last_error() then says what failed (thread-local). See docs/cuda.md.
 *
 *===------------------------------------------------------------------===*/

#ifndef LINEA_CUDA_H
#define LINEA_CUDA_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lcu_module lcu_module;

/// Description of one argument of a kernel (from the manifest).
typedef struct lcu_arg_info {
  const char *name;  /* x, qweight, scales, zero_points, w, bias, y */
  const char *dtype; /* bf16, f16, f32, i8 */
  int rank;
  int64_t shape[4];
  size_t bytes; /* bytes of the buffer the kernel reads or writes */
} lcu_arg_info;

/// Description of one kernel (from the manifest).
typedef struct lcu_kernel_info {
  const char *symbol;
  const char *layer;
  const char *op; /* quant_linear, linear, selective_scan, … */
  int64_t m, n, k;
  unsigned grid[3], block[3], shared_bytes;
  int num_args;
} lcu_kernel_info;

/// Message of the last failure on this thread ("" if none).
const char *lcu_last_error(void);

/// Initializes the driver and makes `device`'s primary context current
/// (the context the CUDA runtime and PyTorch use, so pointers are shared).
int lcu_init(int device);

/// Reads `dir`/manifest.json and loads its cubin (its PTX when the cubin is
/// missing or `prefer_ptx` is set, JIT-compiled by the driver).
int lcu_module_load(const char *dir, int prefer_ptx, lcu_module **out);
void lcu_module_unload(lcu_module *module);

int lcu_num_kernels(const lcu_module *module);
/// Index of the kernel named `symbol`, or -1.
int lcu_find_kernel(const lcu_module *module, const char *symbol);
int lcu_kernel_info_get(const lcu_module *module, int kernel,
                        lcu_kernel_info *info);
int lcu_arg_info_get(const lcu_module *module, int kernel, int arg,
                     lcu_arg_info *info);

/// Launches `kernel` on `stream` (a CUstream; NULL: the legacy default
/// stream) with device pointers `args` in manifest order. An entry with
/// "launches" (the phases of a chunked scan) runs each of them in order
/// with the same arguments.
int lcu_launch(const lcu_module *module, int kernel, const uint64_t *args,
               int num_args, void *stream);

/// Times `kernel`: `warmup` launches, then `iters` launches each between
/// two events, cycling through `num_sets` argument sets (`arg_sets` holds
/// num_sets × num_args pointers; rotating weights keeps them out of L2).
/// Writes each launch's milliseconds to `ms` (iters entries).
int lcu_time(const lcu_module *module, int kernel, const uint64_t *arg_sets,
             int num_sets, int num_args, int warmup, int iters, void *stream,
             float *ms);

/// Device memory for weights and activations.
int lcu_alloc(size_t bytes, uint64_t *ptr);
int lcu_free(uint64_t ptr);
int lcu_upload(uint64_t dst, const void *src, size_t bytes);
int lcu_download(void *dst, uint64_t src, size_t bytes);

#ifdef __cplusplus
}
#endif

#endif /* LINEA_CUDA_H */
