//===- NormOps.td - (being written) ------------------------------*- tablegen -*-===//

#ifndef LINEA_NORMOPS_TD
#define LINEA_NORMOPS_TD

include "linea/Dialect/Linea/IR/LinearOps.td"

#endif // LINEA_NORMOPS_TD
