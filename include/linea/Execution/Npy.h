//===- Npy.h - a small .npy reader and writer -------------------*- C++ -*-===//
//
// linea-run exchanges tensors with numpy as .npy files (format versions 1-3,
// little-endian, C order). bf16 has no numpy dtype: it is read from and
// written as 2-byte void ('<V2', what ml_dtypes produces) or accepted as
// '<u2' bit patterns.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_EXECUTION_NPY_H
#define LINEA_EXECUTION_NPY_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include <cstdint>
#include <string>
#include <vector>

namespace linea {

/// f64 is for files only (calibration statistics): linea-run's functions take
/// and return the others.
enum class DType { f32, f16, bf16, i8, i32, i64, f64 };

/// Bytes per element of `dtype`.
unsigned dtypeBytes(DType dtype);
/// Readable name: "f32", "bf16", ...
llvm::StringRef dtypeName(DType dtype);

/// A host tensor: element type, shape and row-major bytes.
struct HostTensor {
  DType dtype = DType::f32;
  std::vector<int64_t> shape;
  std::vector<uint8_t> bytes;

  int64_t numElements() const;
  /// Element `i` converted to double (exact for every supported dtype).
  double getAsDouble(int64_t i) const;
  /// Stores `value` into element `i`, rounding to nearest-even for f16/bf16.
  void setFromDouble(int64_t i, double value);
  /// "f32[2x3]".
  std::string describe() const;
};

/// Allocates a zero-filled tensor.
HostTensor makeTensor(DType dtype, std::vector<int64_t> shape);

llvm::Expected<HostTensor> readNpy(llvm::StringRef path);
llvm::Error writeNpy(llvm::StringRef path, const HostTensor &tensor);

/// The .npy bytes of `tensor` (what writeNpy writes).
std::string serializeNpy(const HostTensor &tensor);
/// Parses .npy bytes; errors start with `what` (a file or archive entry).
llvm::Expected<HostTensor> parseNpy(llvm::StringRef data,
                                    const llvm::Twine &what);

} // namespace linea

#endif // LINEA_EXECUTION_NPY_H
