//===- SparseMmaBuild.h - shared pieces of the sparse tensor-core kernels -===//
//
// Tile checks and kernel creation shared by BsrMmaKernel.cpp and
// NmMmaKernel.cpp. Internal to lib/Conversion/LineaToGPU.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_LIB_CONVERSION_LINEATOGPU_SPARSEMMABUILD_H
#define LINEA_LIB_CONVERSION_LINEATOGPU_SPARSEMMABUILD_H

#include "KernelBuild.h"
#include "MmaBuild.h"

#include "llvm/Support/raw_ostream.h"

#include <string>

namespace linea::gpu_codegen {

/// Dynamic shared memory one block may use on an H100/H200.
constexpr int64_t kSparseMaxShared = 227 * 1024;

/// Why a block tile bm × bn with warp tiles wm × wn (multiples of
/// wmUnit × wnUnit dividing it) cannot be built, or "".
inline std::string sparseWarpTileError(int64_t bm, int64_t bn, int64_t wm,
                                       int64_t wn, int64_t wmUnit,
                                       int64_t wnUnit) {
  std::string why;
  llvm::raw_string_ostream os(why);
  if (wm <= 0 || wn <= 0 || wm % wmUnit || wn % wnUnit || bm % wm || bn % wn)
    os << "warp tile " << wm << "x" << wn << " must be multiples of "
       << wmUnit << "x" << wnUnit << " dividing the block tile " << bm << "x"
       << bn;
  return why;
}

/// Why `stages`, `threads` and `sharedBytes` do not fit a block, or "".
inline std::string sparseLaunchError(int64_t bm, int64_t bn, int64_t stages,
                                     int64_t threads, int64_t sharedBytes) {
  std::string why;
  llvm::raw_string_ostream os(why);
  if (stages < 2 || stages > 8)
    os << "stages = " << stages << " must be in [2, 8]";
  else if (threads > 1024)
    os << "block tile " << bm << "x" << bn << " needs " << threads
       << " threads (at most 1024)";
  else if (sharedBytes > kSparseMaxShared)
    os << "block tile " << bm << "x" << bn << " with " << stages
       << " stages needs " << sharedBytes
       << " bytes of shared memory (at most " << kSparseMaxShared << ")";
  return why;
}

/// A kernel of `threads` threads using the dynamic shared memory, its body
/// from `body(builder, arguments)`.
inline mlir::gpu::GPUFuncOp createSmemKernel(
    mlir::OpBuilder &builder, mlir::Location loc, llvm::StringRef name,
    llvm::ArrayRef<mlir::Type> argTypes, int64_t threads,
    llvm::function_ref<void(mlir::ImplicitLocOpBuilder &, mlir::ValueRange)>
        body) {
  auto func = createKernel(builder, loc, name, argTypes, threads);
  mlir::ImplicitLocOpBuilder b(loc, builder.getContext());
  {
    mlir::OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(func);
    declareDynamicSmem(b, loc);
  }
  mlir::Block &entry = func.getBody().front();
  b.setInsertionPointToStart(&entry);
  body(b, entry.getArguments());
  mlir::gpu::ReturnOp::create(b);
  return func;
}

} // namespace linea::gpu_codegen

#endif // LINEA_LIB_CONVERSION_LINEATOGPU_SPARSEMMABUILD_H
