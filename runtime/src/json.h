//===- json.h - a minimal JSON reader for manifest.json ----------*- C++
//-*-===//
//
// The runtime builds with the CUDA toolkit alone, so it reads its manifest
// with this small recursive-descent parser instead of a library.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_RUNTIME_JSON_H
#define LINEA_RUNTIME_JSON_H

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace lcu {

struct Json {
  enum Kind { Null, Bool, Number, String, Array, Object } kind = Null;
  bool boolean = false;
  double number = 0;
  std::string string;
  std::vector<Json> array;
  std::map<std::string, Json> object;

  /// Member `key` of an object, or a null value.
  const Json &operator[](const std::string &key) const;
  const Json &operator[](size_t i) const;
  int64_t asInt() const { return static_cast<int64_t>(number); }
};

/// Parses `text`; on failure returns false and sets `error`.
bool parseJson(const std::string &text, Json &out, std::string &error);

} // namespace lcu

#endif // LINEA_RUNTIME_JSON_H
