//===- Runner.cpp - run a function of a module on the CPU JIT -------------===//

#include "linea/Execution/Runner.h"
#include "linea/Conversion/CpuThreads.h"
#include "linea/Conversion/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/OpenMP/OpenMPDialect.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/OpenMP/OpenMPToLLVMIRTranslation.h"

#include "llvm/Support/FileSystem.h"

#include <cstring>
#include <random>

using namespace mlir;
using llvm::Error;
using llvm::Expected;

namespace linea {

std::optional<DType> dtypeOf(Type t) {
  if (t.isF32())
    return DType::f32;
  if (t.isF16())
    return DType::f16;
  if (t.isBF16())
    return DType::bf16;
  if (t.isInteger(8))
    return DType::i8;
  if (t.isInteger(32))
    return DType::i32;
  if (t.isInteger(64))
    return DType::i64;
  return std::nullopt;
}

static std::string typeString(Type t) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << t;
  return s;
}

/// Appends the tensor types of `types` to `out`, failing on anything else.
static Error collectTensorTypes(ArrayRef<Type> types, StringRef what,
                                StringRef name,
                                std::vector<RankedTensorType> &out) {
  for (auto [i, t] : llvm::enumerate(types)) {
    auto tensor = dyn_cast<RankedTensorType>(t);
    if (!tensor || !dtypeOf(tensor.getElementType()))
      return llvm::createStringError(
          "@" + name + ": " + what + " " + llvm::Twine(i) + " has type " +
          typeString(t) +
          "; linea-run supports ranked tensors of f32, f16, "
          "bf16, i8, i32 and i64");
    out.push_back(tensor);
  }
  return Error::success();
}

static std::string functionNames(ModuleOp module) {
  std::string names;
  module.walk([&](Operation *op) {
    if (isa<func::FuncOp, LLVM::LLVMFuncOp>(op))
      if (auto sym = op->getAttrOfType<StringAttr>("sym_name"))
        if (!sym.getValue().starts_with("_mlir_ciface_"))
          names += (names.empty() ? "@" : ", @") + sym.str();
  });
  return names.empty() ? "none" : names;
}

Expected<TensorSignature> getSignature(ModuleOp module, StringRef name) {
  TensorSignature sig;
  if (auto func = module.lookupSymbol<func::FuncOp>(name)) {
    if (func.isExternal())
      return llvm::createStringError("@" + name + " is only a declaration");
    FunctionType type = func.getFunctionType();
    if (Error e = collectTensorTypes(type.getInputs(), "argument", name,
                                     sig.inputs))
      return std::move(e);
    if (Error e = collectTensorTypes(type.getResults(), "result", name,
                                     sig.outputs))
      return std::move(e);
    return sig;
  }
  if (auto func = module.lookupSymbol<LLVM::LLVMFuncOp>(name)) {
    auto inputs = func->getAttrOfType<ArrayAttr>("linea.inputs");
    auto outputs = func->getAttrOfType<ArrayAttr>("linea.outputs");
    if (!inputs || !outputs)
      return llvm::createStringError(
          "@" + name +
          " is an llvm.func without linea.inputs/linea.outputs; "
          "lower it with linea-opt --linea-lower-to-llvm");
    auto types = [](ArrayAttr attr) {
      SmallVector<Type> out;
      for (Attribute a : attr)
        if (auto t = dyn_cast<TypeAttr>(a))
          out.push_back(t.getValue());
      return out;
    };
    if (Error e = collectTensorTypes(types(inputs), "argument", name,
                                     sig.inputs))
      return std::move(e);
    if (Error e = collectTensorTypes(types(outputs), "result", name,
                                     sig.outputs))
      return std::move(e);
    return sig;
  }
  return llvm::createStringError(
      "no function @" + name +
      " in the module (functions: " + functionNames(module) + ")");
}

Error checkInputs(const TensorSignature &sig, ArrayRef<HostTensor> inputs,
                  StringRef name) {
  if (inputs.size() != sig.inputs.size())
    return llvm::createStringError(
        "@" + name + " takes " + llvm::Twine(sig.inputs.size()) +
        " inputs, but " + llvm::Twine(inputs.size()) + " were given");
  for (auto [i, type] : llvm::enumerate(sig.inputs)) {
    const HostTensor &t = inputs[i];
    DType want = *dtypeOf(type.getElementType());
    bool shapeOk = t.shape.size() == size_t(type.getRank());
    for (int64_t d = 0; shapeOk && d < type.getRank(); ++d)
      shapeOk = type.isDynamicDim(d) || type.getDimSize(d) == t.shape[d];
    if (t.dtype != want || !shapeOk)
      return llvm::createStringError("input " + llvm::Twine(i) + " of @" +
                                     name + " must be " + typeString(type) +
                                     ", but is " + t.describe());
  }
  return Error::success();
}

Expected<std::vector<HostTensor>>
makeRandomInputs(const TensorSignature &sig, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<HostTensor> inputs;
  for (auto [i, type] : llvm::enumerate(sig.inputs)) {
    if (!type.hasStaticShape())
      return llvm::createStringError(
          "input " + llvm::Twine(i) + " has type " + typeString(type) +
          " with dynamic dimensions: give it with -i FILE.npy");
    DType dtype = *dtypeOf(type.getElementType());
    HostTensor t = makeTensor(
        dtype, std::vector<int64_t>(type.getShape().begin(),
                                    type.getShape().end()));
    bool isFloat = isa<FloatType>(type.getElementType());
    for (int64_t e = 0; e < t.numElements(); ++e) {
      // 53 random bits → [0, 1), mapped without library distributions so the
      // values are the same everywhere.
      double u = double(rng() >> 11) * 0x1.0p-53;
      t.setFromDouble(e, isFloat ? 2.0 * u - 1.0 : std::floor(16.0 * u) - 8.0);
    }
    inputs.push_back(std::move(t));
  }
  return inputs;
}

/// A memref descriptor as the C interface lays it out: allocated pointer,
/// aligned pointer, offset, sizes[rank], strides[rank] — all 8-byte words.
static std::vector<int64_t> makeDescriptor(const HostTensor &t) {
  int64_t rank = t.shape.size();
  std::vector<int64_t> words(3 + 2 * rank);
  auto ptr = reinterpret_cast<intptr_t>(t.bytes.data());
  words[0] = words[1] = ptr;
  words[2] = 0;
  int64_t stride = 1;
  for (int64_t d = rank - 1; d >= 0; --d) {
    words[3 + d] = t.shape[d];
    words[3 + rank + d] = stride;
    stride *= t.shape[d];
  }
  return words;
}

/// Copies the (possibly strided) memref described at `words` into a tensor.
static HostTensor readDescriptor(const int64_t *words, RankedTensorType type) {
  int64_t rank = type.getRank();
  DType dtype = *dtypeOf(type.getElementType());
  std::vector<int64_t> shape(words + 3, words + 3 + rank);
  const int64_t *strides = words + 3 + rank;
  HostTensor t = makeTensor(dtype, shape);
  unsigned bytes = dtypeBytes(dtype);
  auto *base = reinterpret_cast<const uint8_t *>(words[1]) + words[2] * bytes;
  std::vector<int64_t> index(rank, 0);
  for (int64_t e = 0, n = t.numElements(); e < n; ++e) {
    int64_t offset = 0;
    for (int64_t d = 0; d < rank; ++d)
      offset += index[d] * strides[d];
    std::memcpy(t.bytes.data() + e * bytes, base + offset * bytes, bytes);
    for (int64_t d = rank - 1; d >= 0; --d) {
      if (++index[d] < shape[d])
        break;
      index[d] = 0;
    }
  }
  return t;
}

CompiledFunction::CompiledFunction(std::shared_ptr<ExecutionEngine> engine,
                                   std::string name, TensorSignature signature,
                                   void (*packed)(void **))
    : engine(std::move(engine)), name(std::move(name)),
      signature(std::move(signature)), packed(packed) {}

/// Words of one result's memref descriptor.
static size_t descriptorWords(RankedTensorType type) {
  return 3 + 2 * type.getRank();
}

void CompiledFunction::invokeInPlace(MutableArrayRef<HostTensor> inputs,
                                     std::vector<int64_t> &resultWords) const {
  // _mlir_ciface_<name>(results*, desc0*, desc1*, ...): results come first as
  // one struct of descriptors (all 8-byte words, so they are contiguous).
  SmallVector<std::vector<int64_t>, 4> descriptors;
  for (const HostTensor &t : inputs)
    descriptors.push_back(makeDescriptor(t));
  SmallVector<void *, 4> descriptorPtrs;
  for (auto &d : descriptors)
    descriptorPtrs.push_back(d.data());
  size_t words = 0;
  for (RankedTensorType type : signature.outputs)
    words += descriptorWords(type);
  resultWords.assign(words, 0);
  void *resultPtr = resultWords.data();

  SmallVector<void *, 5> args;
  if (!signature.outputs.empty())
    args.push_back(&resultPtr);
  for (void *&p : descriptorPtrs)
    args.push_back(&p);
  packed(args.data());
}

std::vector<HostTensor>
CompiledFunction::readResults(ArrayRef<int64_t> resultWords) const {
  std::vector<HostTensor> outputs;
  const int64_t *cursor = resultWords.data();
  for (RankedTensorType type : signature.outputs) {
    outputs.push_back(readDescriptor(cursor, type));
    cursor += descriptorWords(type);
  }
  return outputs;
}

Expected<std::vector<HostTensor>>
CompiledFunction::invoke(ArrayRef<HostTensor> inputs) const {
  if (Error e = checkInputs(signature, inputs, name))
    return std::move(e);
  std::vector<HostTensor> owned(inputs.begin(), inputs.end());
  std::vector<int64_t> resultWords;
  invokeInPlace(owned, resultWords);
  return readResults(resultWords);
}

Expected<std::vector<CompiledFunction>>
compileFunctions(ModuleOp module, ArrayRef<std::string> names) {
  // Signatures first: lowering replaces the func.funcs.
  std::vector<TensorSignature> signatures;
  bool needsLowering = false;
  for (const std::string &name : names) {
    Expected<TensorSignature> sig = getSignature(module, name);
    if (!sig)
      return sig.takeError();
    signatures.push_back(std::move(*sig));
    needsLowering |= bool(module.lookupSymbol<func::FuncOp>(name));
  }

  MLIRContext *ctx = module.getContext();
  if (needsLowering) {
    PassManager pm(ctx);
    buildLowerToLLVMPipeline(pm);
    if (failed(pm.run(module)))
      return llvm::createStringError(
          "lowering @" + llvm::join(names, ", @") +
          " to the LLVM dialect failed (see the diagnostics)");
  }

  DialectRegistry registry;
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registerOpenMPDialectTranslation(registry);
  ctx->appendDialectRegistry(registry);

  ExecutionEngineOptions options;
  auto transformer = makeOptimizingTransformer(/*optLevel=*/2,
                                               /*sizeLevel=*/0, nullptr);
  options.transformer = transformer;
  // memrefCopy and friends, for copies between strided buffers.
  SmallVector<StringRef> libs;
  if (llvm::sys::fs::exists(LINEA_C_RUNNER_UTILS))
    libs.push_back(LINEA_C_RUNNER_UTILS);
  // Threaded code (omp.parallel, from scf.parallel) calls libomp.
  bool threaded = false;
  module.walk([&](Operation *op) {
    threaded |= isa_and_nonnull<omp::OpenMPDialect>(op->getDialect());
  });
  if (threaded) {
    if (cpuThreadRuntime().empty())
      return llvm::createStringError(
          "the lowered module runs on threads (OpenMP), but linea was built "
          "without LLVM's OpenMP runtime (libomp): install it and "
          "reconfigure, or lower with " +
          llvm::Twine(kNumThreadsEnv) + "=1");
    libs.push_back(cpuThreadRuntime());
  }
  options.sharedLibPaths = libs;
  auto created = ExecutionEngine::create(module, options);
  if (!created)
    return created.takeError();
  std::shared_ptr<ExecutionEngine> engine = std::move(*created);

  std::vector<CompiledFunction> functions;
  for (auto [name, sig] : llvm::zip(names, signatures)) {
    auto packed = engine->lookupPacked("_mlir_ciface_" + name);
    if (!packed)
      return packed.takeError();
    functions.emplace_back(engine, name, std::move(sig), *packed);
  }
  return functions;
}

Expected<CompiledFunction> compileFunction(ModuleOp module, StringRef name) {
  auto functions = compileFunctions(module, {name.str()});
  if (!functions)
    return functions.takeError();
  return std::move(functions->front());
}

Expected<std::vector<HostTensor>> runFunction(ModuleOp module, StringRef name,
                                              ArrayRef<HostTensor> inputs) {
  Expected<TensorSignature> sig = getSignature(module, name);
  if (!sig)
    return sig.takeError();
  if (Error e = checkInputs(*sig, inputs, name))
    return std::move(e);
  Expected<CompiledFunction> function = compileFunction(module, name);
  if (!function)
    return function.takeError();
  return function->invoke(inputs);
}

} // namespace linea
