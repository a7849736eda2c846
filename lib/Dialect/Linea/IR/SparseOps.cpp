//===- SparseOps.cpp - (being written) ---------------------------------------===//
