//===- json.cpp - a minimal JSON reader for manifest.json -----------------===//

#include "json.h"

#include <cstdlib>

namespace lcu {
namespace {

const Json &nullJson() {
  static const Json value;
  return value;
}

class Parser {
public:
  explicit Parser(const std::string &text) : s(text) {}

  bool parse(Json &out, std::string &error) {
    if (!value(out) || (skip(), pos != s.size())) {
      error = "manifest.json: bad JSON at byte " + std::to_string(pos);
      return false;
    }
    return true;
  }

private:
  void skip() {
    while (pos < s.size() && (s[pos] == ' ' || s[pos] == '\n' ||
                              s[pos] == '\t' || s[pos] == '\r'))
      ++pos;
  }
  bool literal(const char *word) {
    size_t n = std::char_traits<char>::length(word);
    if (s.compare(pos, n, word) != 0)
      return false;
    pos += n;
    return true;
  }
  bool str(std::string &out) {
    if (s[pos] != '"')
      return false;
    ++pos;
    while (pos < s.size() && s[pos] != '"') {
      char c = s[pos++];
      if (c == '\\') {
        if (pos >= s.size())
          return false;
        char e = s[pos++];
        // Only the escapes our manifest can contain; \u is kept verbatim.
        c = e == 'n' ? '\n' : e == 't' ? '\t' : e;
      }
      out.push_back(c);
    }
    if (pos >= s.size())
      return false;
    ++pos;
    return true;
  }
  bool value(Json &out) {
    skip();
    if (pos >= s.size())
      return false;
    char c = s[pos];
    if (c == '{') {
      out.kind = Json::Object;
      ++pos;
      skip();
      if (s[pos] == '}')
        return ++pos, true;
      while (true) {
        skip();
        std::string key;
        if (!str(key))
          return false;
        skip();
        if (s[pos++] != ':' || !value(out.object[key]))
          return false;
        skip();
        if (s[pos] == ',') {
          ++pos;
          continue;
        }
        return s[pos++] == '}';
      }
    }
    if (c == '[') {
      out.kind = Json::Array;
      ++pos;
      skip();
      if (s[pos] == ']')
        return ++pos, true;
      while (true) {
        out.array.emplace_back();
        if (!value(out.array.back()))
          return false;
        skip();
        if (s[pos] == ',') {
          ++pos;
          continue;
        }
        return s[pos++] == ']';
      }
    }
    if (c == '"') {
      out.kind = Json::String;
      return str(out.string);
    }
    if (literal("null"))
      return out.kind = Json::Null, true;
    if (literal("true"))
      return out.kind = Json::Bool, out.boolean = true, true;
    if (literal("false"))
      return out.kind = Json::Bool, out.boolean = false, true;
    char *end = nullptr;
    out.number = std::strtod(s.c_str() + pos, &end);
    if (end == s.c_str() + pos)
      return false;
    out.kind = Json::Number;
    pos = end - s.c_str();
    return true;
  }

  const std::string &s;
  size_t pos = 0;
};

} // namespace

const Json &Json::operator[](const std::string &key) const {
  auto it = object.find(key);
  return it == object.end() ? nullJson() : it->second;
}

const Json &Json::operator[](size_t i) const {
  return i < array.size() ? array[i] : nullJson();
}

bool parseJson(const std::string &text, Json &out, std::string &error) {
  return Parser(text).parse(out, error);
}

} // namespace lcu
