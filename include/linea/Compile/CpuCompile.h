//===- CpuCompile.h - LLVM-dialect module -> host object --------*- C++ -*-===//
//
// linea-compile's code generation for --target=cpu: the module (already in
// the LLVM dialect) is translated to LLVM IR, optimized at O3 for the host
// CPU (or the one --cpu names) and written as a position-independent object file, ready to be linked
// into a shared library (see CpuLink.h).
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_COMPILE_CPUCOMPILE_H
#define LINEA_COMPILE_CPUCOMPILE_H

#include "linea/Conversion/CpuTarget.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"

namespace linea {

/// Writes the object file of `module` (LLVM dialect) for `target` (the
/// host CPU by default) to `objectPath`. Every symbol it defines gets
/// hidden visibility: the library exports only the C wrapper's functions,
/// and a function called `main` cannot clash with the program's.
llvm::Error emitHostObject(mlir::ModuleOp module, llvm::StringRef objectPath,
                           const CpuTarget &target);

} // namespace linea

#endif // LINEA_COMPILE_CPUCOMPILE_H
