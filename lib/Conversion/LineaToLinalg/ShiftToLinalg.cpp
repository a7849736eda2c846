//===- ShiftToLinalg.cpp - reference lowering (being written) -------------===//

#include "LoweringUtils.h"
#include "linea/Conversion/LineaToLinalg/LineaToLinalg.h"
#include "linea/Dialect/Linea/IR/LineaOps.h"

using namespace mlir;

namespace linea {

void populateShiftToLinalgPatterns(RewritePatternSet &patterns) {}

} // namespace linea
