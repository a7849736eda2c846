//===- Npz.h - uncompressed .npz archives of .npy arrays --------*- C++ -*-===//
//
// An .npz is a zip archive whose entries are `<key>.npy` files; np.load opens
// it as a mapping from key to array. Only stored (uncompressed) entries are
// written and read, which is what np.savez produces: no zlib is needed, and a
// np.savez_compressed file is rejected with a message saying so.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_EXECUTION_NPZ_H
#define LINEA_EXECUTION_NPZ_H

#include "linea/Execution/Npy.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>
#include <utility>
#include <vector>

namespace linea {

/// One array of an archive: its key (the entry name without ".npy").
using NpzEntry = std::pair<std::string, HostTensor>;

/// Writes `entries`, in order, as a stored zip archive. Fails on duplicate
/// keys and on archives past the 4 GiB a zip without zip64 records holds.
llvm::Error writeNpz(llvm::StringRef path, llvm::ArrayRef<NpzEntry> entries);

/// Reads every entry of a stored zip archive (zip64 records accepted) and
/// checks its CRC. Errors name the file and the entry.
llvm::Expected<std::vector<NpzEntry>> readNpz(llvm::StringRef path);

} // namespace linea

#endif // LINEA_EXECUTION_NPZ_H
