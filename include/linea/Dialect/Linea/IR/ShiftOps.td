//===- ShiftOps.td - (being written) ------------------------------*- tablegen -*-===//

#ifndef LINEA_SHIFTOPS_TD
#define LINEA_SHIFTOPS_TD

include "linea/Dialect/Linea/IR/LinearOps.td"

#endif // LINEA_SHIFTOPS_TD
