//===- LineaBase.td - linea dialect definition and shared constraints -----===//
//
// The linea dialect: linear layers (dense and rewritten forms), norms,
// attention and state-space ops of neural networks.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_BASE_TD
#define LINEA_BASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"

def Linea_Dialect : Dialect {
  let name = "linea";
  let cppNamespace = "::linea";
  let summary = "Linear layers, norms, attention and scans of neural networks";
  let description = [{
    linea holds the linear layers of a neural network in the forms a compiler
    can rewrite them into: dense, low-rank, block-diagonal, Monarch,
    Block-Tensor-Train, Kronecker, BLAST, quantized, shift-add, block-sparse
    and N:M sparse. Every linear-layer op computes `y = x · Wᵀ + bias` for the
    dense `W[N, K]` (PyTorch layout: out features × in features) that its
    weight operands describe, with f32 accumulation; all of them implement
    `LinearLayerOpInterface`. Norms, attention and linear-recurrence ops sit
    beside them so that passes can fold, fuse and lower them together.
    See docs/dialect.md for the conventions and docs/formats.md for the
    bit-level encodings of quantized weights.
  }];
  let useDefaultAttributePrinterParser = 1;
  let usePropertiesForAttributes = 1;
}

class Linea_Op<string mnemonic, list<Trait> traits = []>
    : Op<Linea_Dialect, mnemonic, traits>;

class Linea_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<Linea_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

/// Activations and outputs: ranked tensors of f32, f16 or bf16.
def Linea_FloatTensor : RankedTensorOf<[F32, F16, BF16]>;
/// Packed bytes of quantized or sparse weights, and integer metadata.
def Linea_ByteTensor : RankedTensorOf<[I8]>;
def Linea_IndexTensor : RankedTensorOf<[I32, I64]>;
/// Scales may be any float type a format names (f32, f16, bf16, e8m0, e4m3).
def Linea_ScaleTensor : RankedTensorOf<[F32, F16, BF16, F8E8M0FNU, F8E4M3FN]>;

#endif // LINEA_BASE_TD
