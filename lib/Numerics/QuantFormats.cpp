//===- QuantFormats.cpp - (being written) -----------------------------===//
