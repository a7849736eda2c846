//===- AttentionOps.cpp - (being written) ---------------------------------------===//
