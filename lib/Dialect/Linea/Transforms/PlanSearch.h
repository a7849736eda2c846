//===- PlanSearch.h - linea-plan's error measure and search -----*- C++ -*-===//
//
// The part of linea-plan that needs no IR: the exact relative output error
// of an approximate weight on the calibration inputs, from their XᵀX, and
// the choice of one option per layer that minimises stored bytes under a
// budget on the mean of those errors.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_DIALECT_LINEA_TRANSFORMS_PLANSEARCH_H
#define LINEA_DIALECT_LINEA_TRANSFORMS_PLANSEARCH_H

#include "linea/Numerics/Matrix.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>
#include <string>
#include <vector>

namespace linea {

/// One way to store a layer: "dense" or a candidate's name, with what it
/// stores, the output error it causes and the cost the plan minimises
/// (the bytes, or an estimated time).
struct PlanOption {
  std::string name;
  int64_t bytes = 0;
  double error = 0.0;
  double cost = 0.0;
};

/// ‖X(W−Ŵ)ᵀ‖_F / ‖XWᵀ‖_F = sqrt(tr(ΔW·H·ΔWᵀ) / tr(W·H·Wᵀ)) with H = XᵀX
/// (K×K, row-major), in f64. std::nullopt with `why` when XWᵀ = 0 but
/// X(W−Ŵ)ᵀ is not (the ratio is undefined).
std::optional<double> relativeOutputError(const numerics::Matrix &w,
                                          const numerics::Matrix &approx,
                                          llvm::ArrayRef<double> xtx,
                                          std::string &why);

/// The chosen option of every layer and why.
struct PlanResult {
  llvm::SmallVector<size_t> choice;
  llvm::SmallVector<std::string> reason;
  double meanError = 0.0;
  int64_t bytes = 0;
  double cost = 0.0;
};

/// Chooses one option per layer (options[l][0] must be dense, error 0)
/// minimising Σ cost subject to mean_l error ≤ budget. Two stages:
///  1. from every layer's most accurate option, a greedy along each layer's
///     lower convex hull of (cost, error): repeatedly take the step, among
///     those that fit the remaining error, saving most cost per unit of
///     error added (the Lagrangian solution at the budget, up to one step);
///  2. then, while some layer can move to a cheaper option on its Pareto
///     front within what is left, take the move saving most cost (this
///     recovers points inside the hull and the budget the greedy left).
/// `costName` ("bytes", "time") words the reasons.
PlanResult choosePlan(llvm::ArrayRef<llvm::ArrayRef<PlanOption>> options,
                      double budget, llvm::StringRef costName);

} // namespace linea

#endif // LINEA_DIALECT_LINEA_TRANSFORMS_PLANSEARCH_H
