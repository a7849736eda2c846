//===- ScanOps.td - (being written) ------------------------------*- tablegen -*-===//

#ifndef LINEA_SCANOPS_TD
#define LINEA_SCANOPS_TD

include "linea/Dialect/Linea/IR/LinearOps.td"

#endif // LINEA_SCANOPS_TD
