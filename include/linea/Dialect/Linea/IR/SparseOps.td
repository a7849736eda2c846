//===- SparseOps.td - (being written) ------------------------------*- tablegen -*-===//

#ifndef LINEA_SPARSEOPS_TD
#define LINEA_SPARSEOPS_TD

include "linea/Dialect/Linea/IR/LinearOps.td"

#endif // LINEA_SPARSEOPS_TD
