//===- Boundary.cpp - the C boundary of an ahead-of-time compiled module --===//

#include "linea/Compile/Boundary.h"
#include "linea/Execution/Runner.h" // dtypeOf

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"

using namespace mlir;
using llvm::Expected;

namespace linea {

bool BoundaryTensor::isStatic() const {
  return llvm::all_of(shape, [](int64_t d) { return d >= 0; });
}

static const llvm::StringSet<> &cKeywords() {
  static const llvm::StringSet<> words = {
      "auto", "break", "case", "char", "const", "continue", "default", "do",
      "double", "else", "enum", "extern", "float", "for", "goto", "if",
      "inline", "int", "long", "register", "restrict", "return", "short",
      "signed", "sizeof", "static", "struct", "switch", "typedef", "union",
      "unsigned", "void", "volatile", "while", "_Bool", "_Complex", "bool",
      "true", "false", "alignas", "alignof",
      // Names the generated wrapper uses inside the exported functions.
      "int8_t", "int32_t", "int64_t", "uint16_t", "size_t", "linea_tensor",
      "free", "NULL"};
  return words;
}

bool isCIdentifier(llvm::StringRef name) {
  if (name.empty() || llvm::isDigit(name.front()) || cKeywords().contains(name))
    return false;
  return llvm::all_of(name,
                      [](char c) { return llvm::isAlnum(c) || c == '_'; });
}

/// `name` made a C identifier: other characters become '_', a leading digit
/// or keyword gets a prefix.
static std::string sanitize(StringRef name, StringRef fallback) {
  std::string out;
  for (char c : name)
    out += llvm::isAlnum(c) ? c : '_';
  if (out.empty())
    out = fallback.str();
  // "lw_" is the prefix of the C wrapper's own helpers and locals.
  if (llvm::isDigit(out.front()) || cKeywords().contains(out) ||
      StringRef(out).starts_with("lw_"))
    out = "t_" + out;
  return out;
}

/// `base`, or `base_<n>` for the first n that is not taken yet.
static std::string unique(std::string base, llvm::StringSet<> &taken) {
  std::string name = base;
  for (int n = 2; taken.contains(name); ++n)
    name = base + "_" + std::to_string(n);
  taken.insert(name);
  return name;
}

StringRef cElementType(DType dtype) {
  switch (dtype) {
  case DType::f32:
    return "float";
  case DType::f16:
  case DType::bf16:
    return "uint16_t";
  case DType::i8:
    return "int8_t";
  case DType::i32:
    return "int32_t";
  case DType::i64:
    return "int64_t";
  case DType::f64:
    return "double";
  }
  llvm_unreachable("unknown dtype");
}

static std::string typeString(Type t) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << t;
  return s;
}

/// Boundary tensors of `types`; `names[i]` is the model's name or empty.
static Expected<std::vector<BoundaryTensor>>
makeTensors(ArrayRef<Type> types, ArrayRef<std::string> names, StringRef prefix,
            StringRef function, llvm::StringSet<> &taken) {
  std::vector<BoundaryTensor> out;
  StringRef what = prefix == "in" ? "input" : "output";
  for (auto [i, anyType] : llvm::enumerate(types)) {
    BoundaryTensor t;
    std::string fallback = (prefix + llvm::Twine(i)).str();
    t.name = names[i].empty() ? fallback : names[i];
    auto type = dyn_cast<RankedTensorType>(anyType);
    std::optional<DType> dtype =
        type ? dtypeOf(type.getElementType()) : std::nullopt;
    if (!dtype)
      return llvm::createStringError(
          "@" + function + ": " + what + " " + llvm::Twine(i) + " ('" + t.name +
          "') has type " + typeString(anyType) +
          "; linea-compile supports ranked tensors of f32, f16, bf16, i8, "
          "i32 and i64");
    if (type.getRank() > kMaxBoundaryRank)
      return llvm::createStringError("@" + function + ": " + what + " '" +
                                     t.name + "' has rank " +
                                     llvm::Twine(type.getRank()) +
                                     "; the C boundary supports ranks up to " +
                                     llvm::Twine(kMaxBoundaryRank));
    t.cName = unique(sanitize(t.name, fallback), taken);
    t.dtype = *dtype;
    for (int64_t d : type.getShape())
      t.shape.push_back(ShapedType::isDynamic(d) ? -1 : d);
    out.push_back(std::move(t));
  }
  return out;
}

/// The `onnx.name` string attributes of a func's arguments or results.
static std::vector<std::string> onnxNames(ArrayAttr dicts, size_t count) {
  std::vector<std::string> names(count);
  if (!dicts)
    return names;
  for (auto [i, a] : llvm::enumerate(dicts))
    if (auto dict = dyn_cast<DictionaryAttr>(a))
      if (auto name = dict.getAs<StringAttr>("onnx.name"); name && i < count)
        names[i] = name.str();
  return names;
}

/// The types in a `linea.inputs`/`linea.outputs` array of a lowered func.
static SmallVector<Type> recordedTypes(Operation *op, StringRef attr) {
  SmallVector<Type> types;
  if (auto array = op->getAttrOfType<ArrayAttr>(attr))
    for (Attribute a : array)
      if (auto t = dyn_cast<TypeAttr>(a))
        types.push_back(t.getValue());
  return types;
}

Expected<std::vector<BoundaryFunction>> collectBoundary(ModuleOp module,
                                                        StringRef libName) {
  std::vector<BoundaryFunction> functions;
  // The library's own symbols are taken first.
  llvm::StringSet<> symbols;
  for (StringRef api : {"_free", "_last_error", "_set_num_threads",
                        "_get_num_threads", "_load_weights"})
    symbols.insert((libName + api).str());
  for (Operation &op : module.getBody()->getOperations()) {
    ArrayAttr argAttrs, resAttrs;
    SmallVector<Type> inTypes, outTypes;
    if (auto func = dyn_cast<func::FuncOp>(op)) {
      if (func.isExternal() || !func.isPublic())
        continue;
      argAttrs = func.getAllArgAttrs();
      resAttrs = func.getAllResultAttrs();
      llvm::append_range(inTypes, func.getArgumentTypes());
      llvm::append_range(outTypes, func.getResultTypes());
    } else if (auto func = dyn_cast<LLVM::LLVMFuncOp>(op)) {
      // Lowered by linea-lower-to-llvm: only the functions it recorded
      // (their C interface wrappers carry the attributes too).
      if (func.isExternal() || !func->hasAttr("linea.inputs") ||
          func.getName().starts_with("_mlir_ciface_"))
        continue;
      inTypes = recordedTypes(func, "linea.inputs");
      outTypes = recordedTypes(func, "linea.outputs");
    } else {
      continue;
    }
    StringRef name = SymbolTable::getSymbolName(&op).getValue();
    // The wrapper names `_mlir_ciface_<name>` in a C string.
    if (llvm::any_of(name, [](char c) {
          return c == '"' || c == '\\' || !llvm::isPrint(c);
        }))
      return llvm::createStringError("function name '" + name +
                                     "' cannot be exported to C");
    BoundaryFunction f;
    f.name = name.str();
    f.symbol = unique(libName.str() + "_" + sanitize(name, "fn"), symbols);
    llvm::StringSet<> taken;
    auto inputs = makeTensors(inTypes, onnxNames(argAttrs, inTypes.size()),
                              "in", name, taken);
    if (!inputs)
      return inputs.takeError();
    auto outputs = makeTensors(outTypes, onnxNames(resAttrs, outTypes.size()),
                               "out", name, taken);
    if (!outputs)
      return outputs.takeError();
    f.inputs = std::move(*inputs);
    f.outputs = std::move(*outputs);
    for (BoundaryTensor &t : f.inputs)
      for (auto [d, size] : llvm::enumerate(t.shape))
        if (size < 0)
          t.dimArgs.push_back(
              unique(t.cName + "_dim" + std::to_string(d), taken));
    functions.push_back(std::move(f));
  }
  if (functions.empty())
    return llvm::createStringError(
        "the module has no public function with a body to compile");
  return functions;
}

} // namespace linea
