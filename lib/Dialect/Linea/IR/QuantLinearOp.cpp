//===- QuantLinearOp.cpp - (being written) ---------------------------------------===//
