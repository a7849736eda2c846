//===- Npz.cpp - uncompressed .npz archives of .npy arrays ----------------===//
//
// The zip layout (PKWARE APPNOTE 6.3): per entry a local header, the name and
// the data; then the central directory (one record per entry, pointing back
// at its local header) and the end-of-central-directory record. Readers are
// driven by the central directory, so that is what readNpz trusts; the local
// header only tells where the data starts (numpy's local headers carry zip64
// extra fields even for small entries).
//
//===----------------------------------------------------------------------===//

#include "linea/Execution/Npz.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/CRC.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;
namespace endian = llvm::support::endian;

namespace linea {

namespace {
constexpr uint32_t kLocalHeaderSig = 0x04034b50;
constexpr uint32_t kCentralHeaderSig = 0x02014b50;
constexpr uint32_t kEndOfCentralDirSig = 0x06054b50;
constexpr uint32_t kZip64EndSig = 0x06064b50;
constexpr uint32_t kZip64LocatorSig = 0x07064b50;
constexpr size_t kLocalHeaderSize = 30;
constexpr size_t kCentralHeaderSize = 46;
constexpr size_t kEndOfCentralDirSize = 22;
constexpr uint16_t kZip64ExtraId = 0x0001;
/// 1980-01-01 00:00, the earliest DOS date: fixed so that equal statistics
/// give byte-identical files.
constexpr uint16_t kDosDate = (0 << 9) | (1 << 5) | 1;

/// Appends little-endian integers to a byte string.
struct ByteWriter {
  std::string bytes;
  void u16(uint16_t v) { bytes.append({char(v), char(v >> 8)}); }
  void u32(uint32_t v) {
    u16(v & 0xffff);
    u16(v >> 16);
  }
};
} // namespace

Error writeNpz(StringRef path, ArrayRef<NpzEntry> entries) {
  StringSet<> keys;
  for (const NpzEntry &entry : entries)
    if (!keys.insert(entry.first).second)
      return llvm::createStringError("cannot write '" + path +
                                     "': two arrays are named '" + entry.first +
                                     "'");

  ByteWriter body, central;
  for (const NpzEntry &entry : entries) {
    std::string name = entry.first + ".npy";
    if (name.size() > 0xffff)
      return llvm::createStringError(
          "cannot write '" + path + "': the key '" + entry.first.substr(0, 40) +
          "...' is " + Twine(entry.first.size()) +
          " bytes long; zip names hold at most 65531");
    std::string data = serializeNpy(entry.second);
    uint32_t crc = crc32(arrayRefFromStringRef(data));
    uint64_t offset = body.bytes.size();
    if (offset + data.size() + name.size() + kLocalHeaderSize >= UINT32_MAX)
      return llvm::createStringError(
          "cannot write '" + path +
          "': the arrays take more "
          "than the 4 GiB of a zip without zip64 records");
    auto common = [&](ByteWriter &w) {
      w.u16(20); // version needed: 2.0
      // Bit 11: the name is UTF-8 (else readers decode it as CP437).
      w.u16(isASCII(name) ? 0 : 1 << 11);
      w.u16(0); // method: stored
      w.u16(0); // time
      w.u16(kDosDate);
      w.u32(crc);
      w.u32(data.size()); // compressed size
      w.u32(data.size()); // uncompressed size
      w.u16(name.size());
      w.u16(0); // extra field length
    };
    body.u32(kLocalHeaderSig);
    common(body);
    body.bytes += name;
    body.bytes += data;

    central.u32(kCentralHeaderSig);
    central.u16(20); // made by: 2.0, MS-DOS attributes
    common(central);
    central.u16(0); // comment length
    central.u16(0); // disk number
    central.u16(0); // internal attributes
    central.u32(0); // external attributes
    central.u32(offset);
    central.bytes += name;
  }
  if (entries.size() >= 0xffff ||
      body.bytes.size() + central.bytes.size() >= UINT32_MAX)
    return llvm::createStringError(
        "cannot write '" + path + "': " + Twine(entries.size()) +
        " arrays in " + Twine(body.bytes.size()) +
        " bytes need zip64 records, which are not implemented");

  ByteWriter end;
  end.u32(kEndOfCentralDirSig);
  end.u16(0); // this disk
  end.u16(0); // disk of the central directory
  end.u16(entries.size());
  end.u16(entries.size());
  end.u32(central.bytes.size());
  end.u32(body.bytes.size());
  end.u16(0); // comment length

  // Write beside the target and rename, so that a failed write never
  // destroys the statistics an --append-stats run started from.
  std::string temp = (path + ".tmp").str();
  std::error_code ec;
  {
    raw_fd_ostream os(temp, ec);
    if (ec)
      return llvm::createStringError("cannot write '" + temp +
                                     "': " + ec.message());
    os << body.bytes << central.bytes << end.bytes;
    os.close();
    if (os.has_error()) {
      sys::fs::remove(temp);
      return llvm::createStringError("cannot write '" + temp +
                                     "': " + os.error().message());
    }
  }
  if ((ec = sys::fs::rename(temp, path))) {
    sys::fs::remove(temp);
    return llvm::createStringError("cannot rename '" + temp + "' to '" + path +
                                   "': " + ec.message());
  }
  return Error::success();
}

namespace {
/// Bounds-checked little-endian reads from the archive bytes.
class ByteReader {
public:
  explicit ByteReader(StringRef data) : data(data) {}
  bool has(uint64_t offset, uint64_t size) const {
    return offset <= data.size() && size <= data.size() - offset;
  }
  uint16_t u16(uint64_t offset) const {
    return endian::read16le(data.data() + offset);
  }
  uint32_t u32(uint64_t offset) const {
    return endian::read32le(data.data() + offset);
  }
  uint64_t u64(uint64_t offset) const {
    return endian::read64le(data.data() + offset);
  }
  StringRef slice(uint64_t offset, uint64_t size) const {
    return data.substr(offset, size);
  }
  uint64_t size() const { return data.size(); }

private:
  StringRef data;
};

/// Where the central directory is, from the end records.
struct CentralDirectory {
  uint64_t count = 0, offset = 0, size = 0;
};
} // namespace

/// Finds the end-of-central-directory record (it ends the file, followed
/// only by an archive comment) and, when its fields overflowed, the zip64
/// record it points to.
static Expected<CentralDirectory> findCentralDirectory(const ByteReader &in,
                                                       const Twine &file) {
  auto fail = [&](const Twine &why) {
    return llvm::createStringError(file + ": " + why);
  };
  if (in.size() < kEndOfCentralDirSize)
    return fail("not a zip archive (" + Twine(in.size()) +
                " bytes; truncated?)");
  uint64_t lowest = in.size() > kEndOfCentralDirSize + 0xffff
                        ? in.size() - kEndOfCentralDirSize - 0xffff
                        : 0;
  uint64_t eocd = in.size() - kEndOfCentralDirSize;
  while (in.u32(eocd) != kEndOfCentralDirSig ||
         eocd + kEndOfCentralDirSize + in.u16(eocd + 20) != in.size()) {
    if (eocd == lowest)
      return fail("not a zip archive, or truncated: no end-of-central-"
                  "directory record");
    --eocd;
  }
  CentralDirectory dir;
  dir.count = in.u16(eocd + 10);
  dir.size = in.u32(eocd + 12);
  dir.offset = in.u32(eocd + 16);
  if (in.u16(eocd + 4) != 0 || in.u16(eocd + 6) != 0)
    return fail("multi-disk zip archives are not supported");
  if (dir.count == 0xffff || dir.size == UINT32_MAX ||
      dir.offset == UINT32_MAX) {
    if (eocd < 20 || in.u32(eocd - 20) != kZip64LocatorSig)
      return fail("the end-of-central-directory record overflows but no "
                  "zip64 locator precedes it");
    uint64_t zip64 = in.u64(eocd - 20 + 8);
    if (!in.has(zip64, 56) || in.u32(zip64) != kZip64EndSig)
      return fail("the zip64 end record at offset " + Twine(zip64) +
                  " is missing or truncated");
    dir.count = in.u64(zip64 + 32);
    dir.size = in.u64(zip64 + 40);
    dir.offset = in.u64(zip64 + 48);
  }
  if (!in.has(dir.offset, dir.size))
    return fail("truncated: the central directory (" + Twine(dir.size) +
                " bytes at offset " + Twine(dir.offset) + ") lies past the " +
                Twine(in.size()) + "-byte file");
  return dir;
}

/// Replaces the 32-bit sizes/offset that overflowed (0xffffffff) by the
/// values of the entry's zip64 extra field, which lists only those, in order.
static bool applyZip64Extra(StringRef extra, uint64_t &uncompressed,
                            uint64_t &compressed, uint64_t &offset) {
  while (extra.size() >= 4) {
    uint16_t id = endian::read16le(extra.data());
    uint16_t len = endian::read16le(extra.data() + 2);
    if (extra.size() < 4u + len)
      return false;
    StringRef field = extra.substr(4, len);
    extra = extra.drop_front(4 + len);
    if (id != kZip64ExtraId)
      continue;
    for (uint64_t *value : {&uncompressed, &compressed, &offset}) {
      if (*value != UINT32_MAX)
        continue;
      if (field.size() < 8)
        return false;
      *value = endian::read64le(field.data());
      field = field.drop_front(8);
    }
    return true;
  }
  return uncompressed != UINT32_MAX && compressed != UINT32_MAX &&
         offset != UINT32_MAX;
}

Expected<std::vector<NpzEntry>> readNpz(StringRef path) {
  ErrorOr<std::unique_ptr<MemoryBuffer>> file =
      MemoryBuffer::getFile(path, /*IsText=*/false,
                            /*RequiresNullTerminator=*/false);
  if (!file)
    return llvm::createStringError(
        "'" + path + "': cannot read: " + file.getError().message());
  ByteReader in((*file)->getBuffer());
  std::string fileName = ("'" + path + "'").str();
  auto fail = [&](const Twine &why) {
    return llvm::createStringError(fileName + ": " + why);
  };

  Expected<CentralDirectory> dir = findCentralDirectory(in, fileName);
  if (!dir)
    return dir.takeError();

  std::vector<NpzEntry> entries;
  StringSet<> keys;
  uint64_t cursor = dir->offset, end = dir->offset + dir->size;
  for (uint64_t i = 0; i < dir->count; ++i) {
    if (!in.has(cursor, kCentralHeaderSize) ||
        cursor + kCentralHeaderSize > end ||
        in.u32(cursor) != kCentralHeaderSig)
      return fail("central directory record " + Twine(i) + " of " +
                  Twine(dir->count) + " is malformed or truncated");
    uint16_t flags = in.u16(cursor + 8), method = in.u16(cursor + 10);
    uint32_t crc = in.u32(cursor + 16);
    uint64_t compressed = in.u32(cursor + 20);
    uint64_t uncompressed = in.u32(cursor + 24);
    uint16_t nameLen = in.u16(cursor + 28), extraLen = in.u16(cursor + 30),
             commentLen = in.u16(cursor + 32);
    uint64_t local = in.u32(cursor + 42);
    uint64_t next =
        cursor + kCentralHeaderSize + nameLen + extraLen + commentLen;
    if (next > end)
      return fail("central directory record " + Twine(i) + " is truncated");
    std::string name = in.slice(cursor + kCentralHeaderSize, nameLen).str();
    if (!applyZip64Extra(
            in.slice(cursor + kCentralHeaderSize + nameLen, extraLen),
            uncompressed, compressed, local))
      return fail("entry '" + name + "' has a malformed zip64 extra field");
    cursor = next;

    if (flags & 1)
      return fail("entry '" + name + "' is encrypted");
    if (method != 0)
      return fail("entry '" + name + "' is compressed (zip method " +
                  Twine(method) + (method == 8 ? ", deflate" : "") +
                  "); only stored entries are read: write the file with "
                  "np.savez, not np.savez_compressed");
    if (compressed != uncompressed)
      return fail("entry '" + name + "' is stored but its sizes differ (" +
                  Twine(compressed) + " vs " + Twine(uncompressed) + ")");
    StringRef key(name);
    if (!key.consume_back(".npy"))
      return fail("entry '" + name + "' is not a .npy array");
    if (!keys.insert(key).second)
      return fail("two entries are named '" + name + "'");

    if (!in.has(local, kLocalHeaderSize) || in.u32(local) != kLocalHeaderSig)
      return fail("truncated or malformed: the local header of entry '" + name +
                  "' (offset " + Twine(local) + ") is missing");
    uint64_t start =
        local + kLocalHeaderSize + in.u16(local + 26) + in.u16(local + 28);
    if (!in.has(start, compressed))
      return fail("truncated: entry '" + name + "' needs " + Twine(compressed) +
                  " bytes at offset " + Twine(start) + ", but the file has " +
                  Twine(in.size()) + " bytes");
    StringRef data = in.slice(start, compressed);
    if (uint32_t actual = crc32(arrayRefFromStringRef(data)); actual != crc)
      return fail("entry '" + name + "' is corrupt (CRC32 " +
                  utohexstr(actual) + ", expected " + utohexstr(crc) + ")");
    Expected<HostTensor> tensor =
        parseNpy(data, fileName + ", entry '" + name + "'");
    if (!tensor)
      return tensor.takeError();
    entries.emplace_back(key.str(), std::move(*tensor));
  }
  return entries;
}

} // namespace linea
