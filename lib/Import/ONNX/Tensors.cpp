//===- Tensors.cpp - ONNX TensorProto decoding and IR constants -----------===//
//
// Initializer payloads can be large (and, as external data, larger than
// 2 GB): they are never converted element by element. Raw bytes move out of
// the protobuf string, external data are mapped with MemoryBuffer, and the
// dense_resource blob references that storage directly.
//
//===----------------------------------------------------------------------===//

#include "Tensors.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <onnx/onnx_pb.h>

using namespace mlir;

namespace linea::onnx_import {

static llvm::Error invalid(const llvm::Twine &message) {
  return llvm::make_error<ImportError>(ImportErrorKind::Invalid,
                                       message.str());
}

static llvm::Error unsupported(const llvm::Twine &message) {
  return llvm::make_error<ImportError>(ImportErrorKind::Unsupported,
                                       message.str());
}

/// Copies typed repeated-field values into little-endian element bytes.
template <typename Field, typename Store>
static std::shared_ptr<ConstStorage> packField(const Field &field,
                                               unsigned bytes, Store store) {
  auto storage = std::make_shared<ConstStorage>();
  storage->vector.resize(size_t(field.size()) * bytes);
  for (int i = 0; i < field.size(); ++i)
    store(storage->vector.data() + size_t(i) * bytes, field.Get(i));
  storage->bytes = storage->vector;
  return storage;
}

/// Reads the external data of `tensor` (`expected` bytes).
static llvm::Expected<std::shared_ptr<ConstStorage>>
readExternal(const onnx::TensorProto &tensor, llvm::StringRef what,
             llvm::StringRef baseDir, uint64_t expected) {
  std::string location;
  std::optional<uint64_t> offset, length;
  for (const auto &entry : tensor.external_data()) {
    if (entry.key() == "location") {
      location = entry.value();
      continue;
    }
    if (entry.key() != "offset" && entry.key() != "length")
      continue;
    uint64_t v;
    if (llvm::StringRef(entry.value()).getAsInteger(10, v))
      return invalid(what + ": external data " + entry.key() + " '" +
                     entry.value() + "' is not a non-negative integer");
    (entry.key() == "offset" ? offset : length) = v;
  }
  if (location.empty())
    return invalid(what + ": external data without a 'location'");
  llvm::StringRef loc(location);
  bool escapes = llvm::sys::path::is_absolute(loc) ||
                 llvm::any_of(llvm::make_range(llvm::sys::path::begin(loc),
                                               llvm::sys::path::end(loc)),
                              [](llvm::StringRef c) { return c == ".."; });
  if (escapes)
    return invalid(what + ": external data location '" + location +
                   "' must be a relative path inside the model's directory");
  llvm::SmallString<256> path(baseDir);
  llvm::sys::path::append(path, loc);
  uint64_t start = offset.value_or(0);
  if (length && *length != expected)
    return invalid(what + ": external data length is " +
                   llvm::Twine(*length) + " bytes but the tensor needs " +
                   llvm::Twine(expected));
  uint64_t fileSize;
  if (std::error_code ec = llvm::sys::fs::file_size(path, fileSize))
    return invalid(what + ": cannot open external data file '" + path +
                   "': " + ec.message());
  if (start > fileSize || fileSize - start < expected)
    return invalid(what + ": short read: needs bytes [" + llvm::Twine(start) +
                   ", " + llvm::Twine(start + expected) + ") of '" + path +
                   "', which has " + llvm::Twine(fileSize) + " bytes");
  auto storage = std::make_shared<ConstStorage>();
  if (expected == 0)
    return storage;
  auto buffer = llvm::MemoryBuffer::getFileSlice(path, expected, start);
  if (!buffer)
    return invalid(what + ": cannot read external data file '" + path +
                   "': " + buffer.getError().message());
  storage->buffer = std::move(*buffer);
  storage->bytes = llvm::ArrayRef<char>(storage->buffer->getBufferStart(),
                                        storage->buffer->getBufferSize());
  if (storage->bytes.size() != expected)
    return invalid(what + ": short read of '" + path + "'");
  return storage;
}

llvm::Expected<ConstData> decodeTensor(onnx::TensorProto &tensor,
                                       llvm::StringRef what,
                                       llvm::StringRef baseDir, bool steal) {
  std::optional<ElemKind> kind = elemKindFromOnnx(tensor.data_type());
  if (!kind)
    return unsupported(what + " has element type " +
                       onnxTypeName(tensor.data_type()) +
                       ", which the importer does not support");
  if (tensor.has_segment())
    return unsupported(what + " is a segment of a tensor");
  SmallVector<int64_t> shape(tensor.dims().begin(), tensor.dims().end());
  std::optional<int64_t> numel = numElementsOf(shape);
  if (!numel)
    return invalid(what + " has invalid dimensions " +
                   llvm::join(llvm::map_range(shape,
                                              [](int64_t d) {
                                                return std::to_string(d);
                                              }),
                              "x"));
  unsigned bytes = elemBytes(*kind);
  uint64_t expected = uint64_t(*numel) * bytes;

  std::shared_ptr<ConstStorage> storage;
  if (tensor.data_location() == onnx::TensorProto::EXTERNAL) {
    auto external = readExternal(tensor, what, baseDir, expected);
    if (!external)
      return external.takeError();
    storage = std::move(*external);
  } else if (tensor.has_raw_data()) {
    if (tensor.raw_data().size() != expected)
      return invalid(what + " has " + llvm::Twine(tensor.raw_data().size()) +
                     " bytes of raw data but its shape needs " +
                     llvm::Twine(expected));
    storage = std::make_shared<ConstStorage>();
    if (steal)
      storage->string = std::move(*tensor.mutable_raw_data());
    else
      storage->string = tensor.raw_data();
    storage->bytes = llvm::ArrayRef<char>(storage->string.data(),
                                          storage->string.size());
  } else {
    auto count = [&](int n) -> llvm::Error {
      if (uint64_t(n) != uint64_t(*numel))
        return invalid(what + " has " + llvm::Twine(n) +
                       " values but its shape has " + llvm::Twine(*numel) +
                       " elements");
      return llvm::Error::success();
    };
    switch (*kind) {
    case ElemKind::F32:
      if (auto e = count(tensor.float_data_size()))
        return std::move(e);
      storage = packField(tensor.float_data(), 4, [](char *p, float v) {
        std::memcpy(p, &v, 4);
      });
      break;
    case ElemKind::F64:
      if (auto e = count(tensor.double_data_size()))
        return std::move(e);
      storage = packField(tensor.double_data(), 8, [](char *p, double v) {
        std::memcpy(p, &v, 8);
      });
      break;
    case ElemKind::I64:
      if (auto e = count(tensor.int64_data_size()))
        return std::move(e);
      storage = packField(tensor.int64_data(), 8, [](char *p, int64_t v) {
        std::memcpy(p, &v, 8);
      });
      break;
    case ElemKind::U32:
    case ElemKind::U64:
      if (auto e = count(tensor.uint64_data_size()))
        return std::move(e);
      storage = packField(tensor.uint64_data(), bytes,
                          [bytes](char *p, uint64_t v) {
                            std::memcpy(p, &v, bytes);
                          });
      break;
    default:
      // int32_data holds every narrower type, f16/bf16 as bit patterns.
      if (auto e = count(tensor.int32_data_size()))
        return std::move(e);
      storage = packField(tensor.int32_data(), bytes,
                          [bytes](char *p, int32_t v) {
                            std::memcpy(p, &v, bytes);
                          });
      break;
    }
  }
  if (*kind == ElemKind::Bool) {
    // Normalize to 0/1 so that every consumer can rely on it.
    bool clean = llvm::all_of(storage->bytes,
                              [](char c) { return c == 0 || c == 1; });
    if (!clean) {
      auto normalized = std::make_shared<ConstStorage>();
      for (char c : storage->bytes)
        normalized->vector.push_back(c != 0);
      normalized->bytes = normalized->vector;
      storage = std::move(normalized);
    }
  }
  return ConstData(*kind, std::move(shape), std::move(storage),
                   /*splat=*/false);
}

/// `name` with characters other than [A-Za-z0-9_.] replaced by '_', so that
/// the resource key prints without quotes.
static std::string sanitize(llvm::StringRef name) {
  std::string out;
  for (char c : name)
    out.push_back(llvm::isAlnum(c) || c == '_' || c == '.' ? c : '_');
  if (out.empty() || llvm::isDigit(out[0]))
    out.insert(out.begin(), '_');
  return out;
}

Value materializeConstant(OpBuilder &b, Location loc, const ConstData &c,
                          llvm::StringRef name, bool forceResource) {
  Type elem = mlirElemType(c.kind(), b.getContext());
  auto type = RankedTensorType::get(c.shape(), elem);
  int64_t numel = c.numElements();
  if (numel == 0)
    return tensor::EmptyOp::create(b, loc, c.shape(), elem);
  ElementsAttr attr;
  if (c.kind() == ElemKind::Bool) {
    SmallVector<bool> values;
    for (int64_t i = 0, e = c.isSplat() ? 1 : numel; i < e; ++i)
      values.push_back(c.getInt(i) != 0);
    attr = c.isSplat() ? DenseElementsAttr::get(type, values[0])
                       : DenseElementsAttr::get(type, values);
  } else if (c.isSplat() || numel == 1 || (!forceResource && numel <= 64)) {
    // Single elements stay inline even for initializers: the LLVM lowering
    // of a rank-0 memref.global reads its initializer as a splat, which a
    // dense_resource cannot provide.
    attr = DenseElementsAttr::getFromRawBuffer(type, c.bytes());
  } else {
    size_t align = elemBytes(c.kind());
    ArrayRef<char> bytes = c.bytes();
    AsmResourceBlob blob;
    if (reinterpret_cast<uintptr_t>(bytes.data()) % align == 0) {
      // Keep the storage (protobuf string or mapped file) alive as long as
      // the blob.
      blob = UnmanagedAsmResourceBlob::allocateWithAlign(
          bytes, align,
          [keep = c.getStorage()](void *, size_t, size_t) mutable {
            keep.reset();
          });
    } else {
      blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(bytes, align);
    }
    attr = DenseResourceElementsAttr::get(type, sanitize(name),
                                          std::move(blob));
  }
  return arith::ConstantOp::create(b, loc, cast<TypedAttr>(attr));
}

} // namespace linea::onnx_import
