//===- WeightsFile.h - constants in a side file mapped at load -*- C++ -*-===//
//
// linea-compile --weights=file moves the model's large constants out of
// lib<NAME>.so into <NAME>.weights, which the library maps at load: the
// library stays small, and a model can be re-exported with new weights of
// the same shapes without recompiling... only when the file matches (see
// below). The file, all integers little-endian:
//
//   offset 0   magic "LINEAWTS"
//          8   u32 version (kWeightsVersion)
//         12   u32 blob count
//         16   u64 data offset (from the start of the file, a multiple of 64)
//         24   u64 data size
//         32   u64 checksum of the data (weightsChecksum)
//         40   count × {u64 offset in the data, u64 size}
//   data offset: the blobs, each aligned to 64 bytes (or its own alignment).
//
// The library holds the expected count, table, size and checksum, and
// refuses a file that is missing, truncated, of another format or version,
// made for another compile, or whose data does not match the checksum.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_COMPILE_WEIGHTSFILE_H
#define LINEA_COMPILE_WEIGHTSFILE_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace linea {

inline constexpr uint32_t kWeightsVersion = 1;
/// The global the compiled code reads the data's address from (defined by
/// the C wrapper, set when the file is mapped).
inline constexpr const char *kWeightsBaseSymbol = "linea_weights";

struct WeightsBlob {
  /// The llvm.mlir.global it replaced, and where its bytes are in the data.
  std::string symbol;
  uint64_t offset = 0, size = 0;
};

struct WeightsFile {
  std::vector<WeightsBlob> blobs;
  /// The data section (blobs and the padding between them).
  std::string data;
  uint64_t checksum = 0;
  /// Where the data section starts in the file.
  uint64_t dataOffset() const;
};

/// The checksum of the data section: 64-bit words (the tail zero-padded),
/// each mixed in by h = rotl(h ^ w, 29) · 0x100000001b3 from h =
/// 0xcbf29ce484222325. Every step is a bijection of h, so a change to any
/// single word always changes the result. The C wrapper has the same loop.
uint64_t weightsChecksum(llvm::StringRef data);

/// Moves every constant llvm.mlir.global of `module` (LLVM dialect) whose
/// initializer is a dense array of at least `minBytes` bytes into the
/// returned data: its uses become `kWeightsBaseSymbol` + offset, and the
/// global is erased. Globals the data cannot represent byte for byte (i1,
/// sub-byte types, unknown attributes) stay in the module.
llvm::Expected<WeightsFile> moveWeightsToFile(mlir::ModuleOp module,
                                              uint64_t minBytes);

/// The bytes of the file: header, table, data.
std::string weightsFileBytes(const WeightsFile &weights);

} // namespace linea

#endif // LINEA_COMPILE_WEIGHTSFILE_H
