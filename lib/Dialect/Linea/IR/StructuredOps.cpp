//===- StructuredOps.cpp - (being written) ---------------------------------------===//
