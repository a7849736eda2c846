//===- ShiftLinearOp.cpp - (being written) ---------------------------------------===//
