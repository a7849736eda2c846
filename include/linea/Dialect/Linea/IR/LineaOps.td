//===- LineaOps.td - all linea ops -----------------------------*- tablegen -*-===//

#ifndef LINEA_OPS_TD
#define LINEA_OPS_TD

include "linea/Dialect/Linea/IR/LineaBase.td"
include "linea/Dialect/Linea/IR/LineaAttrs.td"
include "linea/Dialect/Linea/IR/LineaInterfaces.td"
include "linea/Dialect/Linea/IR/LinearOps.td"
include "linea/Dialect/Linea/IR/StructuredOps.td"
include "linea/Dialect/Linea/IR/SparseOps.td"
include "linea/Dialect/Linea/IR/ShiftOps.td"
include "linea/Dialect/Linea/IR/QuantOps.td"
include "linea/Dialect/Linea/IR/NormOps.td"
include "linea/Dialect/Linea/IR/AttentionOps.td"
include "linea/Dialect/Linea/IR/ScanOps.td"

#endif // LINEA_OPS_TD
