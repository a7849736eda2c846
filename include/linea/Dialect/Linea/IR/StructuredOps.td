//===- StructuredOps.td - (being written) ------------------------------*- tablegen -*-===//

#ifndef LINEA_STRUCTUREDOPS_TD
#define LINEA_STRUCTUREDOPS_TD

include "linea/Dialect/Linea/IR/LinearOps.td"

#endif // LINEA_STRUCTUREDOPS_TD
