//===- ConstData.cpp - ONNX element types and host constants --------------===//

#include "ConstData.h"

#include "llvm/ADT/APFloat.h"
#include "llvm/Support/MathExtras.h"
#include <cassert>
#include <cstring>

using namespace mlir;

namespace linea::onnx_import {

// TensorProto::DataType numbers, spelled out so that types newer than the
// installed onnx.proto (float8, int4) still get readable names.
namespace dt {
enum : int {
  Float = 1, Uint8 = 2, Int8 = 3, Uint16 = 4, Int16 = 5, Int32 = 6,
  Int64 = 7, String = 8, Bool = 9, Float16 = 10, Double = 11, Uint32 = 12,
  Uint64 = 13, Complex64 = 14, Complex128 = 15, BFloat16 = 16
};
} // namespace dt

std::optional<ElemKind> elemKindFromOnnx(int dataType) {
  switch (dataType) {
  case dt::Float: return ElemKind::F32;
  case dt::Float16: return ElemKind::F16;
  case dt::BFloat16: return ElemKind::BF16;
  case dt::Double: return ElemKind::F64;
  case dt::Int8: return ElemKind::I8;
  case dt::Uint8: return ElemKind::U8;
  case dt::Int16: return ElemKind::I16;
  case dt::Uint16: return ElemKind::U16;
  case dt::Int32: return ElemKind::I32;
  case dt::Uint32: return ElemKind::U32;
  case dt::Int64: return ElemKind::I64;
  case dt::Uint64: return ElemKind::U64;
  case dt::Bool: return ElemKind::Bool;
  default: return std::nullopt;
  }
}

int onnxDataType(ElemKind kind) {
  switch (kind) {
  case ElemKind::F32: return dt::Float;
  case ElemKind::F16: return dt::Float16;
  case ElemKind::BF16: return dt::BFloat16;
  case ElemKind::F64: return dt::Double;
  case ElemKind::I8: return dt::Int8;
  case ElemKind::U8: return dt::Uint8;
  case ElemKind::I16: return dt::Int16;
  case ElemKind::U16: return dt::Uint16;
  case ElemKind::I32: return dt::Int32;
  case ElemKind::U32: return dt::Uint32;
  case ElemKind::I64: return dt::Int64;
  case ElemKind::U64: return dt::Uint64;
  case ElemKind::Bool: return dt::Bool;
  }
  return 0;
}

std::string onnxTypeName(int dataType) {
  static const char *names[] = {
      "undefined", "float",          "uint8",          "int8",
      "uint16",    "int16",          "int32",          "int64",
      "string",    "bool",           "float16",        "double",
      "uint32",    "uint64",         "complex64",      "complex128",
      "bfloat16",  "float8e4m3fn",   "float8e4m3fnuz", "float8e5m2",
      "float8e5m2fnuz", "uint4",     "int4",           "float4e2m1"};
  if (dataType >= 0 && dataType < int(std::size(names)))
    return names[dataType];
  return "data type " + std::to_string(dataType);
}

std::string elemName(ElemKind kind) { return onnxTypeName(onnxDataType(kind)); }

unsigned elemBytes(ElemKind kind) {
  switch (kind) {
  case ElemKind::F64: case ElemKind::I64: case ElemKind::U64: return 8;
  case ElemKind::F32: case ElemKind::I32: case ElemKind::U32: return 4;
  case ElemKind::F16: case ElemKind::BF16: case ElemKind::I16:
  case ElemKind::U16: return 2;
  case ElemKind::I8: case ElemKind::U8: case ElemKind::Bool: return 1;
  }
  return 1;
}

bool isFloat(ElemKind kind) {
  return kind == ElemKind::F32 || kind == ElemKind::F16 ||
         kind == ElemKind::BF16 || kind == ElemKind::F64;
}

bool isUnsigned(ElemKind kind) {
  return kind == ElemKind::U8 || kind == ElemKind::U16 ||
         kind == ElemKind::U32 || kind == ElemKind::U64 ||
         kind == ElemKind::Bool;
}

bool isInteger(ElemKind kind) { return !isFloat(kind) && kind != ElemKind::Bool; }

Type mlirElemType(ElemKind kind, MLIRContext *context) {
  switch (kind) {
  case ElemKind::F32: return Float32Type::get(context);
  case ElemKind::F16: return Float16Type::get(context);
  case ElemKind::BF16: return BFloat16Type::get(context);
  case ElemKind::F64: return Float64Type::get(context);
  case ElemKind::Bool: return IntegerType::get(context, 1);
  default: return IntegerType::get(context, 8 * elemBytes(kind));
  }
}

std::optional<int64_t> numElementsOf(ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0)
      return std::nullopt;
    if (d != 0 && n > (int64_t(1) << 62) / d)
      return std::nullopt;
    n *= d;
  }
  return n;
}

double roundToFloat(ElemKind kind, double v) {
  switch (kind) {
  case ElemKind::F32: return double(float(v));
  case ElemKind::F16:
  case ElemKind::BF16: {
    llvm::APFloat f(v);
    bool lost;
    f.convert(kind == ElemKind::F16 ? llvm::APFloat::IEEEhalf()
                                    : llvm::APFloat::BFloat(),
              llvm::APFloat::rmNearestTiesToEven, &lost);
    f.convert(llvm::APFloat::IEEEdouble(), llvm::APFloat::rmNearestTiesToEven,
              &lost);
    return f.convertToDouble();
  }
  default: return v;
  }
}

ConstData::ConstData(ElemKind kind, SmallVector<int64_t> shape,
                     std::shared_ptr<const ConstStorage> storage, bool splat)
    : elemKind(kind), dims(std::move(shape)), storage(std::move(storage)),
      splat(splat) {}

ConstData ConstData::zeros(ElemKind kind, ArrayRef<int64_t> shape,
                           bool splat) {
  auto storage = std::make_shared<ConstStorage>();
  int64_t n = splat ? 1 : numElementsOf(shape).value_or(0);
  storage->vector.assign(n * elemBytes(kind), 0);
  storage->bytes = storage->vector;
  return ConstData(kind, SmallVector<int64_t>(shape), std::move(storage),
                   splat);
}

ConstData ConstData::ofInts(ElemKind kind, ArrayRef<int64_t> values) {
  ConstData c = zeros(kind, {int64_t(values.size())});
  for (auto [i, v] : llvm::enumerate(values))
    c.setInt(i, v);
  return c;
}

int64_t ConstData::numElements() const {
  return numElementsOf(dims).value_or(0);
}

char *ConstData::mutableElement(int64_t i) {
  // Only constants made by zeros() are written, and they own their vector.
  auto *owned = const_cast<ConstStorage *>(storage.get());
  assert(!owned->vector.empty() && "writing a borrowed constant");
  return owned->vector.data() + (splat ? 0 : i) * elemBytes(elemKind);
}

/// Loads a `T` from possibly unaligned bytes.
template <typename T> static T load(const char *p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

template <typename T> static void store(char *p, T v) {
  std::memcpy(p, &v, sizeof(T));
}

static double halfToDouble(uint16_t bits, bool bf16) {
  llvm::APFloat f(bf16 ? llvm::APFloat::BFloat() : llvm::APFloat::IEEEhalf(),
                  llvm::APInt(16, bits));
  bool lost;
  f.convert(llvm::APFloat::IEEEdouble(), llvm::APFloat::rmNearestTiesToEven,
            &lost);
  return f.convertToDouble();
}

static uint16_t doubleToHalf(double v, bool bf16) {
  llvm::APFloat f(v);
  bool lost;
  f.convert(bf16 ? llvm::APFloat::BFloat() : llvm::APFloat::IEEEhalf(),
            llvm::APFloat::rmNearestTiesToEven, &lost);
  return uint16_t(f.bitcastToAPInt().getZExtValue());
}

double ConstData::getDouble(int64_t i) const {
  const char *p = element(i);
  switch (elemKind) {
  case ElemKind::F32: return load<float>(p);
  case ElemKind::F64: return load<double>(p);
  case ElemKind::F16: return halfToDouble(load<uint16_t>(p), false);
  case ElemKind::BF16: return halfToDouble(load<uint16_t>(p), true);
  case ElemKind::U64: return double(load<uint64_t>(p));
  default: return double(getInt(i));
  }
}

int64_t ConstData::getInt(int64_t i) const {
  const char *p = element(i);
  switch (elemKind) {
  case ElemKind::I8: return load<int8_t>(p);
  case ElemKind::U8: return load<uint8_t>(p);
  case ElemKind::Bool: return load<uint8_t>(p) != 0;
  case ElemKind::I16: return load<int16_t>(p);
  case ElemKind::U16: return load<uint16_t>(p);
  case ElemKind::I32: return load<int32_t>(p);
  case ElemKind::U32: return load<uint32_t>(p);
  case ElemKind::I64: return load<int64_t>(p);
  case ElemKind::U64: return int64_t(load<uint64_t>(p));
  default: {
    double d = getDouble(i);
    // Float → int conversion of out-of-range values is undefined in C++;
    // clamp first (ONNX leaves the result unspecified as well).
    if (!(d == d))
      return 0;
    if (d >= 9.2e18)
      return INT64_MAX;
    if (d <= -9.2e18)
      return INT64_MIN;
    return int64_t(d);
  }
  }
}

SmallVector<int64_t> ConstData::getInts() const {
  SmallVector<int64_t> out;
  for (int64_t i = 0, e = numElements(); i < e; ++i)
    out.push_back(getInt(i));
  return out;
}

void ConstData::setDouble(int64_t i, double v) {
  char *p = mutableElement(i);
  switch (elemKind) {
  case ElemKind::F32: return store<float>(p, float(v));
  case ElemKind::F64: return store<double>(p, v);
  case ElemKind::F16: return store<uint16_t>(p, doubleToHalf(v, false));
  case ElemKind::BF16: return store<uint16_t>(p, doubleToHalf(v, true));
  case ElemKind::Bool: return store<uint8_t>(p, v != 0);
  default: {
    int64_t x = 0;
    if (v == v)
      x = v >= 9.2e18 ? INT64_MAX : v <= -9.2e18 ? INT64_MIN : int64_t(v);
    if (elemKind == ElemKind::U64 && v >= 9.2e18 && v < 1.8e19)
      x = int64_t(uint64_t(v));
    return setInt(i, x);
  }
  }
}

void ConstData::setInt(int64_t i, int64_t v) {
  char *p = mutableElement(i);
  switch (elemKind) {
  case ElemKind::I8: case ElemKind::U8: return store<uint8_t>(p, uint8_t(v));
  case ElemKind::Bool: return store<uint8_t>(p, v != 0);
  case ElemKind::I16: case ElemKind::U16:
    return store<uint16_t>(p, uint16_t(v));
  case ElemKind::I32: case ElemKind::U32:
    return store<uint32_t>(p, uint32_t(v));
  case ElemKind::I64: case ElemKind::U64:
    return store<uint64_t>(p, uint64_t(v));
  default: return setDouble(i, double(v));
  }
}

void ConstData::copyElement(int64_t i, const ConstData &src,
                            int64_t srcIndex) {
  std::memcpy(mutableElement(i), src.element(srcIndex), elemBytes(elemKind));
}

ConstData ConstData::reshaped(ArrayRef<int64_t> newShape) const {
  ConstData c = *this;
  c.dims.assign(newShape.begin(), newShape.end());
  return c;
}

} // namespace linea::onnx_import
