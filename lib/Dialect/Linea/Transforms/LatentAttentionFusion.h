//===- LatentAttentionFusion.h - Palu projections into latent_attention ---===//
//
// The latent-attention option of linea-lowrank-kv: an attention whose keys
// and values are rebuilt from grouped low-rank projections becomes one
// linea.latent_attention over the latents.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_LIB_DIALECT_LINEA_TRANSFORMS_LATENTATTENTIONFUSION_H
#define LINEA_LIB_DIALECT_LINEA_TRANSFORMS_LATENTATTENTIONFUSION_H

#include "linea/Dialect/Linea/IR/LineaOps.h"

#include <string>

namespace linea {

/// Replaces `attention` by a linea.latent_attention when its k and v are
/// each the head split ([B, T, Hkv·D] → [B, Hkv, T, D]) of a projection
/// linea-lowrank-kv wrote (one linea.lowrank_linear, or a concat of one per
/// group, carrying linea.kv_latent; no bias; one rank for all groups), the
/// keys optionally through RoPE as k·cos + rotate_half(k)·sin with [T, D]
/// tables (`rotate_half(k) = concat(−k[…, D/2:], k[…, :D/2])`), and the
/// attention has no mask and no quant. Ops left without users are erased.
/// Returns "" on success; otherwise why not, with the module unchanged.
std::string fuseLatentAttention(AttentionOp attention);

} // namespace linea

#endif // LINEA_LIB_DIALECT_LINEA_TRANSFORMS_LATENTATTENTIONFUSION_H
