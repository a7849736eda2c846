//===- linea_cuda.cpp - linea's CUDA runtime over the driver API ----------===//

#include "linea_cuda.h"

#include "json.h"

#include <cuda.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

thread_local std::string lastError;

int fail(const std::string &message) {
  lastError = message;
  return 1;
}

/// Checks a driver call; records "what: CUDA_ERROR_X (description)".
bool ok(CUresult rc, const char *what) {
  if (rc == CUDA_SUCCESS)
    return true;
  const char *name = "?", *text = "?";
  cuGetErrorName(rc, &name);
  cuGetErrorString(rc, &text);
  lastError = std::string(what) + ": " + name + " (" + text + ")";
  return false;
}

size_t dtypeBytes(const std::string &dtype) {
  if (dtype == "f32")
    return 4;
  if (dtype == "bf16" || dtype == "f16")
    return 2;
  if (dtype == "i32")
    return 4;
  if (dtype == "i64")
    return 8;
  return 1; // i8
}

struct Arg {
  std::string name, dtype;
  std::vector<int64_t> shape;
  size_t bytes = 0;
};

struct Kernel {
  std::string symbol, layer, op;
  int64_t m = 0, n = 0, k = 0;
  unsigned grid[3] = {1, 1, 1}, block[3] = {1, 1, 1}, shared = 0;
  bool gridStride = false;
  std::vector<Arg> args;
  CUfunction function = nullptr;
  /// Kernels launched in order for one call (manifest "launches", e.g. the
  /// phases of a chunked scan), all with the same arguments; empty: the
  /// entry's own symbol, grid and block.
  struct Step {
    CUfunction function = nullptr;
    unsigned grid[3] = {1, 1, 1}, block[3] = {1, 1, 1}, shared = 0;
  };
  std::vector<Step> steps;
};

bool readFile(const std::string &path, std::string &out) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return true;
}

} // namespace

struct lcu_module {
  CUmodule module = nullptr;
  std::vector<Kernel> kernels;
};

extern "C" {

const char *lcu_last_error(void) { return lastError.c_str(); }

int lcu_init(int device) {
  CUdevice dev;
  CUcontext ctx;
  if (!ok(cuInit(0), "cuInit") ||
      !ok(cuDeviceGet(&dev, device), "cuDeviceGet") ||
      !ok(cuDevicePrimaryCtxRetain(&ctx, dev), "cuDevicePrimaryCtxRetain") ||
      !ok(cuCtxSetCurrent(ctx), "cuCtxSetCurrent"))
    return 1;
  return 0;
}

int lcu_module_load(const char *dir, int prefer_ptx, lcu_module **out) {
  std::string base(dir), text, error;
  if (!readFile(base + "/manifest.json", text))
    return fail("cannot read " + base + "/manifest.json");
  lcu::Json manifest;
  if (!lcu::parseJson(text, manifest, error))
    return fail(error);
  const lcu::Json &kernels = manifest["kernels"];
  if (kernels.kind != lcu::Json::Array)
    return fail(base + "/manifest.json: no \"kernels\" array");

  const lcu::Json &cubin = manifest["cubin"];
  bool useCubin = !prefer_ptx && cubin.kind == lcu::Json::String;
  std::string image;
  std::string imagePath =
      base + "/" + (useCubin ? cubin.string : manifest["ptx"].string);
  if (!readFile(imagePath, image))
    return fail("cannot read " + imagePath);
  if (!useCubin)
    image.push_back('\0'); // cuModuleLoadData wants NUL-terminated PTX

  auto module = std::make_unique<lcu_module>();
  if (!ok(cuModuleLoadData(&module->module, image.data()),
          ("cuModuleLoadData(" + imagePath + ")").c_str()))
    return 1;
  for (const lcu::Json &entry : kernels.array) {
    Kernel kernel;
    kernel.symbol = entry["symbol"].string;
    kernel.layer = entry["layer"].string;
    kernel.op = entry["op"].string;
    kernel.m = entry["m"].asInt();
    kernel.n = entry["n"].asInt();
    kernel.k = entry["k"].asInt();
    for (int d = 0; d < 3; ++d) {
      kernel.grid[d] = static_cast<unsigned>(entry["grid"][d].asInt());
      kernel.block[d] = static_cast<unsigned>(entry["block"][d].asInt());
    }
    kernel.shared = static_cast<unsigned>(entry["shared_bytes"].asInt());
    for (const lcu::Json &a : entry["args"].array) {
      Arg arg;
      arg.name = a["name"].string;
      arg.dtype = a["dtype"].string;
      arg.bytes = dtypeBytes(arg.dtype);
      for (const lcu::Json &d : a["shape"].array) {
        arg.shape.push_back(d.asInt());
        arg.bytes *= static_cast<size_t>(d.asInt());
      }
      kernel.args.push_back(arg);
    }
    const lcu::Json &launches = entry["launches"];
    if (launches.kind == lcu::Json::Array) {
      for (const lcu::Json &l : launches.array) {
        Kernel::Step step;
        for (int d = 0; d < 3; ++d) {
          step.grid[d] = static_cast<unsigned>(l["grid"][d].asInt());
          step.block[d] = static_cast<unsigned>(l["block"][d].asInt());
        }
        step.shared = static_cast<unsigned>(l["shared_bytes"].asInt());
        const std::string &name = l["symbol"].string;
        if (!ok(cuModuleGetFunction(&step.function, module->module,
                                    name.c_str()),
                ("cuModuleGetFunction(" + name + ")").c_str())) {
          cuModuleUnload(module->module);
          return 1;
        }
        if (step.shared > 48 * 1024 && // opt in to large dynamic smem
            !ok(cuFuncSetAttribute(
                    step.function,
                    CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                    static_cast<int>(step.shared)),
                ("cuFuncSetAttribute(" + name + ")").c_str())) {
          cuModuleUnload(module->module);
          return 1;
        }
        kernel.steps.push_back(step);
      }
      module->kernels.push_back(std::move(kernel));
      continue;
    }
    if (!ok(cuModuleGetFunction(&kernel.function, module->module,
                                kernel.symbol.c_str()),
            ("cuModuleGetFunction(" + kernel.symbol + ")").c_str())) {
      cuModuleUnload(module->module);
      return 1;
    }
    // Above 48 KB of dynamic shared memory (attention tiles) a kernel must
    // opt in before its launch.
    if (kernel.shared > 48 * 1024 &&
        !ok(cuFuncSetAttribute(kernel.function,
                               CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                               static_cast<int>(kernel.shared)),
            ("cuFuncSetAttribute(" + kernel.symbol + ")").c_str())) {
      cuModuleUnload(module->module);
      return 1;
    }
    // A grid-stride kernel covers every row group with any grid.x: launch
    // only the blocks that are resident at once (no partial last wave).
    kernel.gridStride = entry["grid_stride"].boolean;
    if (kernel.gridStride) {
      int perSM = 0, sms = 0;
      CUdevice dev;
      if (!ok(cuCtxGetDevice(&dev), "cuCtxGetDevice") ||
          !ok(cuDeviceGetAttribute(
                  &sms, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, dev),
              "cuDeviceGetAttribute") ||
          !ok(cuOccupancyMaxActiveBlocksPerMultiprocessor(
                  &perSM, kernel.function,
                  static_cast<int>(kernel.block[0] * kernel.block[1] *
                                   kernel.block[2]),
                  kernel.shared),
              "cuOccupancyMaxActiveBlocksPerMultiprocessor")) {
        cuModuleUnload(module->module);
        return 1;
      }
      unsigned resident = static_cast<unsigned>(perSM * sms);
      if (resident > 0 && resident < kernel.grid[0])
        kernel.grid[0] = resident;
    }
    module->kernels.push_back(std::move(kernel));
  }
  *out = module.release();
  return 0;
}

void lcu_module_unload(lcu_module *module) {
  if (!module)
    return;
  if (module->module)
    cuModuleUnload(module->module);
  delete module;
}

int lcu_num_kernels(const lcu_module *module) {
  return static_cast<int>(module->kernels.size());
}

int lcu_find_kernel(const lcu_module *module, const char *symbol) {
  for (size_t i = 0; i < module->kernels.size(); ++i)
    if (module->kernels[i].symbol == symbol)
      return static_cast<int>(i);
  return -1;
}

int lcu_kernel_info_get(const lcu_module *module, int kernel,
                        lcu_kernel_info *info) {
  if (kernel < 0 || kernel >= lcu_num_kernels(module))
    return fail("kernel index " + std::to_string(kernel) + " out of range");
  const Kernel &k = module->kernels[kernel];
  info->symbol = k.symbol.c_str();
  info->layer = k.layer.c_str();
  info->op = k.op.c_str();
  info->m = k.m;
  info->n = k.n;
  info->k = k.k;
  for (int d = 0; d < 3; ++d) {
    info->grid[d] = k.grid[d];
    info->block[d] = k.block[d];
  }
  info->shared_bytes = k.shared;
  info->num_args = static_cast<int>(k.args.size());
  return 0;
}

int lcu_arg_info_get(const lcu_module *module, int kernel, int arg,
                     lcu_arg_info *info) {
  if (kernel < 0 || kernel >= lcu_num_kernels(module))
    return fail("kernel index " + std::to_string(kernel) + " out of range");
  const Kernel &k = module->kernels[kernel];
  if (arg < 0 || arg >= static_cast<int>(k.args.size()))
    return fail(k.symbol + ": argument " + std::to_string(arg) +
                " out of range");
  const Arg &a = k.args[arg];
  info->name = a.name.c_str();
  info->dtype = a.dtype.c_str();
  info->rank = static_cast<int>(a.shape.size());
  for (size_t d = 0; d < a.shape.size() && d < 4; ++d)
    info->shape[d] = a.shape[d];
  info->bytes = a.bytes;
  return 0;
}

int lcu_launch(const lcu_module *module, int kernel, const uint64_t *args,
               int num_args, void *stream) {
  if (kernel < 0 || kernel >= lcu_num_kernels(module))
    return fail("kernel index " + std::to_string(kernel) + " out of range");
  const Kernel &k = module->kernels[kernel];
  if (num_args != static_cast<int>(k.args.size()))
    return fail(k.symbol + " takes " + std::to_string(k.args.size()) +
                " arguments, got " + std::to_string(num_args));
  // Bare-pointer convention: each parameter is one 8-byte device pointer.
  std::vector<CUdeviceptr> values(args, args + num_args);
  std::vector<void *> params;
  for (CUdeviceptr &v : values)
    params.push_back(&v);
  for (const Kernel::Step &s : k.steps)
    if (!ok(cuLaunchKernel(s.function, s.grid[0], s.grid[1], s.grid[2],
                           s.block[0], s.block[1], s.block[2], s.shared,
                           static_cast<CUstream>(stream), params.data(),
                           nullptr),
            ("cuLaunchKernel(" + k.symbol + ")").c_str()))
      return 1;
  if (!k.steps.empty())
    return 0;
  if (!ok(cuLaunchKernel(k.function, k.grid[0], k.grid[1], k.grid[2],
                         k.block[0], k.block[1], k.block[2], k.shared,
                         static_cast<CUstream>(stream), params.data(), nullptr),
          ("cuLaunchKernel(" + k.symbol + ")").c_str()))
    return 1;
  return 0;
}

int lcu_time(const lcu_module *module, int kernel, const uint64_t *arg_sets,
             int num_sets, int num_args, int warmup, int iters, void *stream,
             float *ms) {
  if (num_sets < 1 || iters < 1)
    return fail("lcu_time: need at least one argument set and iteration");
  auto s = static_cast<CUstream>(stream);
  for (int i = 0; i < warmup; ++i)
    if (lcu_launch(module, kernel, arg_sets + (i % num_sets) * num_args,
                   num_args, stream))
      return 1;
  std::vector<CUevent> events(2 * iters);
  for (CUevent &e : events)
    if (!ok(cuEventCreate(&e, CU_EVENT_DEFAULT), "cuEventCreate"))
      return 1;
  int rc = 0;
  for (int i = 0; i < iters && rc == 0; ++i) {
    const uint64_t *set = arg_sets + ((warmup + i) % num_sets) * num_args;
    if (!ok(cuEventRecord(events[2 * i], s), "cuEventRecord") ||
        lcu_launch(module, kernel, set, num_args, stream) ||
        !ok(cuEventRecord(events[2 * i + 1], s), "cuEventRecord"))
      rc = 1;
  }
  if (rc == 0 && ok(cuStreamSynchronize(s), "cuStreamSynchronize"))
    for (int i = 0; i < iters && rc == 0; ++i)
      if (!ok(cuEventElapsedTime(&ms[i], events[2 * i], events[2 * i + 1]),
              "cuEventElapsedTime"))
        rc = 1;
  for (CUevent e : events)
    cuEventDestroy(e);
  return rc;
}

int lcu_alloc(size_t bytes, uint64_t *ptr) {
  CUdeviceptr p;
  if (!ok(cuMemAlloc(&p, bytes), "cuMemAlloc"))
    return 1;
  *ptr = p;
  return 0;
}

int lcu_free(uint64_t ptr) { return ok(cuMemFree(ptr), "cuMemFree") ? 0 : 1; }

int lcu_upload(uint64_t dst, const void *src, size_t bytes) {
  return ok(cuMemcpyHtoD(dst, src, bytes), "cuMemcpyHtoD") ? 0 : 1;
}

int lcu_download(void *dst, uint64_t src, size_t bytes) {
  return ok(cuMemcpyDtoH(dst, src, bytes), "cuMemcpyDtoH") ? 0 : 1;
}

} // extern "C"
