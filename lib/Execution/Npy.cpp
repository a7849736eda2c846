//===- Npy.cpp - a small .npy reader and writer ---------------------------===//

#include "linea/Execution/Npy.h"

#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>

using namespace llvm;

namespace linea {

unsigned dtypeBytes(DType dtype) {
  switch (dtype) {
  case DType::f32:
  case DType::i32:
    return 4;
  case DType::f16:
  case DType::bf16:
    return 2;
  case DType::i8:
    return 1;
  case DType::i64:
  case DType::f64:
    return 8;
  }
  llvm_unreachable("unknown dtype");
}

StringRef dtypeName(DType dtype) {
  switch (dtype) {
  case DType::f32:
    return "f32";
  case DType::f16:
    return "f16";
  case DType::bf16:
    return "bf16";
  case DType::i8:
    return "i8";
  case DType::i32:
    return "i32";
  case DType::i64:
    return "i64";
  case DType::f64:
    return "f64";
  }
  llvm_unreachable("unknown dtype");
}

int64_t HostTensor::numElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

static const fltSemantics &halfSemantics(DType dtype) {
  return dtype == DType::f16 ? APFloat::IEEEhalf() : APFloat::BFloat();
}

double HostTensor::getAsDouble(int64_t i) const {
  const uint8_t *p = bytes.data() + i * dtypeBytes(dtype);
  switch (dtype) {
  case DType::f32: {
    float v;
    std::memcpy(&v, p, 4);
    return v;
  }
  case DType::f16:
  case DType::bf16: {
    uint16_t bits = uint16_t(p[0]) | uint16_t(p[1]) << 8;
    return APFloat(halfSemantics(dtype), APInt(16, bits)).convertToDouble();
  }
  case DType::i8:
    return static_cast<int8_t>(p[0]);
  case DType::i32: {
    int32_t v;
    std::memcpy(&v, p, 4);
    return v;
  }
  case DType::i64: {
    int64_t v;
    std::memcpy(&v, p, 8);
    return static_cast<double>(v);
  }
  case DType::f64: {
    double v;
    std::memcpy(&v, p, 8);
    return v;
  }
  }
  llvm_unreachable("unknown dtype");
}

void HostTensor::setFromDouble(int64_t i, double value) {
  uint8_t *p = bytes.data() + i * dtypeBytes(dtype);
  switch (dtype) {
  case DType::f32: {
    float v = static_cast<float>(value);
    std::memcpy(p, &v, 4);
    return;
  }
  case DType::f16:
  case DType::bf16: {
    APFloat v(value);
    bool losesInfo = false;
    v.convert(halfSemantics(dtype), APFloat::rmNearestTiesToEven, &losesInfo);
    uint16_t bits = static_cast<uint16_t>(v.bitcastToAPInt().getZExtValue());
    p[0] = bits & 0xff;
    p[1] = bits >> 8;
    return;
  }
  case DType::i8:
    p[0] = static_cast<uint8_t>(static_cast<int8_t>(value));
    return;
  case DType::i32: {
    int32_t v = static_cast<int32_t>(value);
    std::memcpy(p, &v, 4);
    return;
  }
  case DType::i64: {
    int64_t v = static_cast<int64_t>(value);
    std::memcpy(p, &v, 8);
    return;
  }
  case DType::f64:
    std::memcpy(p, &value, 8);
    return;
  }
}

std::string HostTensor::describe() const {
  std::string s = dtypeName(dtype).str() + "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? "x" : "") + std::to_string(shape[i]);
  return s + "]";
}

HostTensor makeTensor(DType dtype, std::vector<int64_t> shape) {
  HostTensor t;
  t.dtype = dtype;
  t.shape = std::move(shape);
  t.bytes.assign(static_cast<size_t>(t.numElements()) * dtypeBytes(dtype), 0);
  return t;
}

/// Maps a numpy `descr` to a dtype. '|' and '<' byte orders are accepted;
/// '>' (big-endian) is not.
static std::optional<DType> parseDescr(StringRef descr) {
  if (descr.size() < 2 || descr[0] == '>')
    return std::nullopt;
  StringRef code = descr.drop_front();
  if (code == "f4")
    return DType::f32;
  if (code == "f2")
    return DType::f16;
  if (code == "V2" || code == "u2")
    return DType::bf16;
  if (code == "i1")
    return DType::i8;
  if (code == "i4")
    return DType::i32;
  if (code == "i8")
    return DType::i64;
  if (code == "f8")
    return DType::f64;
  return std::nullopt;
}

static StringRef descrOf(DType dtype) {
  switch (dtype) {
  case DType::f32:
    return "<f4";
  case DType::f16:
    return "<f2";
  case DType::bf16:
    return "<V2";
  case DType::i8:
    return "|i1";
  case DType::i32:
    return "<i4";
  case DType::i64:
    return "<i8";
  case DType::f64:
    return "<f8";
  }
  llvm_unreachable("unknown dtype");
}

/// The value text of `key` in the header dict, up to the next top-level ','.
static std::optional<StringRef> headerValue(StringRef header, StringRef key) {
  std::string quoted = "'" + key.str() + "'";
  size_t pos = header.find(quoted);
  if (pos == StringRef::npos)
    return std::nullopt;
  StringRef rest = header.drop_front(pos + quoted.size()).ltrim();
  if (!rest.consume_front(":"))
    return std::nullopt;
  rest = rest.ltrim();
  if (rest.starts_with("(")) {
    size_t close = rest.find(')');
    if (close == StringRef::npos)
      return std::nullopt;
    return rest.take_front(close + 1);
  }
  return rest.take_until([](char c) { return c == ',' || c == '}'; }).trim();
}

Expected<HostTensor> readNpy(StringRef path) {
  ErrorOr<std::unique_ptr<MemoryBuffer>> file = MemoryBuffer::getFile(path);
  if (!file)
    return createStringError(inconvertibleErrorCode(),
                             "'" + path + "': cannot read: " +
                                 file.getError().message());
  return parseNpy((*file)->getBuffer(), "'" + path + "'");
}

Expected<HostTensor> parseNpy(StringRef data, const Twine &what) {
  auto fail = [&](const Twine &why) -> Error {
    return createStringError(inconvertibleErrorCode(), what + ": " + why);
  };
  if (data.size() < 10 || !data.starts_with("\x93NUMPY"))
    return fail("not a .npy file (bad magic)");
  unsigned major = static_cast<uint8_t>(data[6]);
  size_t headerLen, headerStart;
  if (major == 1) {
    headerLen = uint8_t(data[8]) | uint8_t(data[9]) << 8;
    headerStart = 10;
  } else if (major == 2 || major == 3) {
    if (data.size() < 12)
      return fail("truncated header");
    headerLen = uint32_t(uint8_t(data[8])) | uint32_t(uint8_t(data[9])) << 8 |
                uint32_t(uint8_t(data[10])) << 16 |
                uint32_t(uint8_t(data[11])) << 24;
    headerStart = 12;
  } else {
    return fail("unsupported .npy version " + Twine(major));
  }
  if (headerStart + headerLen > data.size())
    return fail("truncated header");
  StringRef header = data.substr(headerStart, headerLen);

  std::optional<StringRef> descr = headerValue(header, "descr");
  std::optional<StringRef> order = headerValue(header, "fortran_order");
  std::optional<StringRef> shapeText = headerValue(header, "shape");
  if (!descr || !order || !shapeText)
    return fail("malformed header: " + header.trim());
  StringRef descrText = descr->trim("'\" ");
  std::optional<DType> dtype = parseDescr(descrText);
  if (!dtype)
    return fail("unsupported dtype '" + descrText +
                "' (supported: f32, f16, bf16 as <V2, i8, i32, i64, f64)");
  if (*order != "False")
    return fail("Fortran-order arrays are not supported");

  std::vector<int64_t> shape;
  SmallVector<StringRef> dims;
  shapeText->trim("() ").split(dims, ',', -1, /*KeepEmpty=*/false);
  for (StringRef d : dims) {
    int64_t v;
    if (d.trim().getAsInteger(10, v) || v < 0)
      return fail("malformed shape " + *shapeText);
    shape.push_back(v);
  }
  HostTensor tensor = makeTensor(*dtype, shape);
  size_t payload = data.size() - headerStart - headerLen;
  if (payload != tensor.bytes.size())
    return fail("holds " + Twine(payload) + " data bytes, but " +
                tensor.describe() + " needs " + Twine(tensor.bytes.size()));
  std::memcpy(tensor.bytes.data(), data.data() + headerStart + headerLen,
              payload);
  return tensor;
}

std::string serializeNpy(const HostTensor &tensor) {
  std::string header = "{'descr': '" + descrOf(tensor.dtype).str() +
                       "', 'fortran_order': False, 'shape': (";
  for (size_t i = 0; i < tensor.shape.size(); ++i)
    header += (i ? ", " : "") + std::to_string(tensor.shape[i]);
  if (tensor.shape.size() == 1)
    header += ","; // a 1-tuple
  header += "), }";
  // Pad with spaces so that the data starts 64-byte aligned, end with '\n'.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';

  std::string out = "\x93NUMPY";
  out += {char(1), char(0), char(header.size() & 0xff),
          char(header.size() >> 8)};
  out += header;
  out.append(reinterpret_cast<const char *>(tensor.bytes.data()),
             tensor.bytes.size());
  return out;
}

Error writeNpy(StringRef path, const HostTensor &tensor) {
  std::error_code ec;
  raw_fd_ostream os(path, ec);
  if (ec)
    return createStringError(ec, "cannot write '" + path + "': " +
                                     ec.message());
  os << serializeNpy(tensor);
  return Error::success();
}

} // namespace linea
