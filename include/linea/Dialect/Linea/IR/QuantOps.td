//===- QuantOps.td - (being written) ------------------------------*- tablegen -*-===//

#ifndef LINEA_QUANTOPS_TD
#define LINEA_QUANTOPS_TD

include "linea/Dialect/Linea/IR/LinearOps.td"

#endif // LINEA_QUANTOPS_TD
