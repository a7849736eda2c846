//===- AttentionOps.td - (being written) ------------------------------*- tablegen -*-===//

#ifndef LINEA_ATTENTIONOPS_TD
#define LINEA_ATTENTIONOPS_TD

include "linea/Dialect/Linea/IR/LinearOps.td"

#endif // LINEA_ATTENTIONOPS_TD
