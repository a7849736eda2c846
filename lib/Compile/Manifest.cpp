//===- Manifest.cpp - the JSON manifest of a compiled library -------------===//
//
// What linea.runtime (python/linea/runtime.py) needs to call the library
// through ctypes without parsing the C header.
//
//===----------------------------------------------------------------------===//

#include "linea/Compile/CInterface.h"

#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace linea {

static json::Array tensors(ArrayRef<BoundaryTensor> list, bool outputs) {
  json::Array out;
  for (const BoundaryTensor &t : list) {
    json::Object o{{"name", t.name},
                   {"c_name", t.cName},
                   {"dtype", dtypeName(t.dtype)},
                   {"shape", json::Array(t.shape)}};
    if (outputs)
      o["allocated_by"] = t.isStatic() ? "caller" : "library";
    else
      o["dim_args"] = json::Array(t.dimArgs);
    out.push_back(std::move(o));
  }
  return out;
}

std::string emitManifest(StringRef lib, ArrayRef<BoundaryFunction> functions,
                         StringRef source, StringRef target,
                         const LibraryRuntime &runtime) {
  json::Array fns;
  for (const BoundaryFunction &f : functions)
    fns.push_back(json::Object{{"name", f.name},
                               {"symbol", f.symbol},
                               {"inputs", tensors(f.inputs, false)},
                               {"outputs", tensors(f.outputs, true)}});
  json::Object manifest{{"name", lib},
                        {"library", ("lib" + lib + ".so").str()},
                        {"header", (lib + ".h").str()},
                        {"source", source},
                        {"target", target},
                        {"max_rank", kMaxBoundaryRank},
                        {"free_symbol", (lib + "_free").str()},
                        {"error_symbol", (lib + "_last_error").str()},
                        {"functions", std::move(fns)}};
  // The thread and weight API of the library (see <lib>.h).
  manifest["max_threads"] = runtime.maxThreads;
  manifest["threads_symbols"] =
      json::Array{(lib + "_set_num_threads").str(),
                  (lib + "_get_num_threads").str()};
  if (runtime.weights)
    manifest["weights"] =
        json::Object{{"file", (lib + ".weights").str()},
                     {"load_symbol", (lib + "_load_weights").str()},
                     {"blobs", int64_t(runtime.weights->blobs.size())},
                     {"bytes", int64_t(runtime.weights->data.size())}};
  std::string text;
  raw_string_ostream os(text);
  os << formatv("{0:2}", json::Value(std::move(manifest))) << "\n";
  return text;
}

} // namespace linea
