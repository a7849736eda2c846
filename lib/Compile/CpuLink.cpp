//===- CpuLink.cpp - link a compiled module into a shared library ---------===//

#include "linea/Compile/CpuLink.h"
#include "linea/Conversion/CpuThreads.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"

using llvm::Error;
using llvm::StringRef;

namespace linea {

std::vector<std::string> cpuLinkFlags(bool threaded) {
  // -z defs: a symbol the code needs but nothing provides fails the link
  // here, not the dlopen later. libm: expf, tanhf, ... from math lowering.
  std::vector<std::string> flags = {"-shared", "-Wl,-z,defs", "-lm"};
  // OpenMP regions call libomp (__kmpc_fork_call, ...).
  if (threaded)
    llvm::append_range(flags, cpuThreadLinkFlags());
  return flags;
}

llvm::Expected<std::string> findCCompiler(StringRef override) {
  if (!override.empty()) {
    auto path = llvm::sys::findProgramByName(override);
    if (!path || !llvm::sys::fs::can_execute(*path))
      return llvm::createStringError("C compiler '" + override +
                                     "' not found or not executable");
    return *path;
  }
  for (StringRef name : {"cc", "clang-22", "gcc"})
    if (auto path = llvm::sys::findProgramByName(name))
      return *path;
  return llvm::createStringError(
      "no C compiler on PATH (tried cc, clang-22, gcc): install one (Debian "
      "or Ubuntu: apt-get install gcc) or name one with --cc");
}

Error linkSharedLibrary(StringRef cc, StringRef wrapperC, StringRef object,
                        StringRef library, bool threaded) {
  std::vector<std::string> args = {cc.str(),
                                   "-std=c11",
                                   "-O2",
                                   "-fPIC",
                                   "-fvisibility=hidden",
                                   "-o",
                                   library.str(),
                                   wrapperC.str(),
                                   object.str()};
  for (std::string &flag : cpuLinkFlags(threaded))
    args.push_back(std::move(flag));
  std::vector<StringRef> argRefs(args.begin(), args.end());

  llvm::SmallString<128> log;
  if (std::error_code ec =
          llvm::sys::fs::createTemporaryFile("linea-compile-cc", "log", log))
    return llvm::createStringError("cannot create a temporary file: " +
                                   ec.message());
  std::optional<StringRef> redirects[] = {std::nullopt, StringRef(log),
                                          StringRef(log)};
  std::string message;
  int status = llvm::sys::ExecuteAndWait(cc, argRefs, std::nullopt, redirects,
                                         0, 0, &message);
  std::string output;
  if (auto buffer = llvm::MemoryBuffer::getFile(log))
    output = (*buffer)->getBuffer().str();
  llvm::sys::fs::remove(log);
  if (status == 0)
    return Error::success();
  return llvm::createStringError(
      "linking failed (" +
      (message.empty() ? "exit status " + std::to_string(status) : message) +
      "): " + llvm::join(args, " ") + "\n" + output);
}

} // namespace linea
