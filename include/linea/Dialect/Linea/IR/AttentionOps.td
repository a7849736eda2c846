//===- AttentionOps.td - softmax and linear attention ------*- tablegen -*-===//
//
// Scaled dot-product attention (with grouped-query heads, a broadcast
// additive mask and bottom-right causal masking) and its linearised form
// (REWRITES.md §7). Shared conventions:
//
// - Layout [B, H, S, D] for queries and [B, Hkv, T, D] for keys / values:
//   batch, heads, sequence (S queries, T keys), head dim.
// - B, S and T may be dynamic; wherever two operands or the result give one
//   of them statically, the sizes must agree. Head dims D, Dv and the head
//   counts H, Hkv must be static where a relation between them is checked.
// - q, k and v share one element type T (f32/f16/bf16); the result has it.
//   Arithmetic (scores, softmax, sums) is f32 and each output element is
//   rounded once to T.
//
//===----------------------------------------------------------------------===//

#ifndef LINEA_ATTENTION_OPS_TD
#define LINEA_ATTENTION_OPS_TD

include "linea/Dialect/Linea/IR/LineaAttrs.td"
include "linea/Dialect/Linea/IR/LineaBase.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

class Linea_AttentionOpBase<string mnemonic, list<Trait> traits = []>
    : Linea_Op<mnemonic, !listconcat(traits, [Pure])> {
  let results = (outs Linea_FloatTensor:$o);
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// linea.attention
//===----------------------------------------------------------------------===//

def Linea_AttentionOp : Linea_AttentionOpBase<"attention"> {
  let summary = "Scaled dot-product attention with grouped-query heads";
  let description = [{
    Softmax attention of multi-head (Hkv = H), grouped-query (Hkv divides H)
    and multi-query (Hkv = 1) models.

    Operands (T in f32/f16/bf16):
    - `q : tensor<BxHxSxDxT>`, `k : tensor<BxHkvxTkxDxT>`,
      `v : tensor<BxHkvxTkxDvxT>` (Tk is the key count, written T below);
    - optional `mask : tensor<MbxMhxMsxMtxTm>`, an additive float mask (Tm
      any of f32/f16/bf16; use −inf or a large negative value to hide a
      key) whose every dim is 1 (broadcast) or the corresponding size of
      [B, H, S, T];
    - attributes `scale` (f32 > 0, default `1/sqrt(D)`) and unit `causal`.

    Result `o : tensor<BxHxSxDvxT>`. For batch b, query head h, query i and
    key j, with `g = H / Hkv` and kv head `hk = h div g` (query heads
    `hk·g … hk·g + g − 1` share kv head hk), in f32:

    ```
    s[i, j]  = scale · Σ_d q[b, h, i, d] · k[b, hk, j, d] + mask[b', h', i', j']
               (mask indices are 0 on broadcast dims; no term when absent)
    visible(i, j) = !causal || j ≤ i + (T − S)
    p[i, j]  = exp(s[i, j] − m_i) / Σ_{j' visible} exp(s[i, j'] − m_i)
               over visible j, m_i = max_{j visible} s[i, j]; p = 0 otherwise
    o[b, h, i, e] = Σ_j p[i, j] · v[b, hk, j, e]
    ```

    The causal diagonal is bottom-right aligned, as with a KV cache: the
    last query sees every key. A query row with no visible key (causal with
    S > T, i < S − T) yields zeros. A row whose visible scores are all −inf
    (through the mask) is undefined: the reference lowering gives NaN, as
    PyTorch does; the CUDA kernels give zeros.

    With `quant = #linea.attn_quant<…>` (set by `linea-quantize-attention`)
    the op is the SageAttention variant: a lossy rewrite whose exact math,
    below, both lowerings implement (so the kernel equals the reference up
    to summation order and exp's polynomial). With Bq = `q_block`,
    Bk = `k_block`, L = log2(e), per batch b and kv head hk (and query head
    h, for q):

    ```
    k̃[j, :]  = k[j, :] − mean_{j'<T} k[j', :]       (softmax-invariant)
    s_K[c]   = max_{j∈block c, d} |k̃[j, d]| / 127   (block c: keys cBk …)
    k8[j, d] = clamp(roundEven(k̃[j, d] / s_K[c]), ±127)   (0 if s_K = 0)
    q'[i, d] = scale · L · q[i, d];  s_Q, q8 likewise per block of Bq queries
    s2[i, j] = (Σ_d q8[i, d] · k8[j, d]) · s_Q · s_K + L · mask   (log2 units;
               the integer sum is exact)
    m_i      = ceil(max_{j visible} s2[i, j])          (an integer)
    p̃[i, j]  = e4m3(256 · exp2(s2[i, j] − m_i)) / 256  (visible j; else 0)
    v̄[e]     = mean_j v[j, e] for fp8_e4m3_smoothed, else 0
    s_V[e]   = max_j |v[j, e] − v̄[e]| / 448
    v̂[j, e]  = e4m3((v[j, e] − v̄[e]) / s_V[e]) · s_V[e]   (0 if s_V = 0)
    o[i, e]  = Σ_j p̃[i, j] · v̂[j, e] / Σ_j p̃[i, j] + v̄[e]
    ```

    e4m3 rounds to the nearest fp8 E4M3 value (ties to even, saturating at
    448). With `values = exact`, p̃ = exp2(s2 − m_i) and v̂ = v (v̄ = 0).
    The integer m_i makes the online softmax's rescaling exact powers of
    two, so a streaming kernel rounds the same p̃. Errors against exact
    attention: docs/accuracy.md.

    ```mlir
    %o = linea.attention %q, %k, %v mask %m {causal}
        : (tensor<?x32x?x128xbf16>, tensor<?x8x?x128xbf16>,
           tensor<?x8x?x128xbf16>, tensor<?x1x?x?xf32>)
        -> tensor<?x32x?x128xbf16>
    ```
  }];
  let arguments = (ins Linea_FloatTensor:$q, Linea_FloatTensor:$k,
                       Linea_FloatTensor:$v,
                       Optional<Linea_FloatTensor>:$mask,
                       OptionalAttr<F32Attr>:$scale, UnitAttr:$causal,
                       OptionalAttr<Linea_AttnQuantAttr>:$quant);
  let assemblyFormat = [{
    $q `,` $k `,` $v (`mask` $mask^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let builders = [
    // Exact attention (no `quant`), as most producers build it.
    OpBuilder<(ins "mlir::Type":$o, "mlir::Value":$q, "mlir::Value":$k,
                   "mlir::Value":$v, "mlir::Value":$mask,
                   "mlir::FloatAttr":$scale, "bool":$causal), [{
      build($_builder, $_state, o, q, k, v, mask, scale, causal,
            AttnQuantAttr());
    }]>
  ];
  let extraClassDeclaration = [{
    /// The score scale: the `scale` attribute, or 1/sqrt(D) when absent.
    float getEffectiveScale();
    /// Query heads per kv head, H / Hkv.
    int64_t getGroupSize();
  }];
}

//===----------------------------------------------------------------------===//
// linea.latent_attention
//===----------------------------------------------------------------------===//

def Linea_LatentAttentionOp : Linea_AttentionOpBase<"latent_attention"> {
  let summary = "Attention over low-rank latent K/V caches (Palu decode)";
  let description = [{
    `linea.attention` whose keys and values are given by their low-rank
    latents, as `linea-lowrank-kv` produces them (REWRITES.md §1.2, Palu):
    a decoder caches `r` numbers per token instead of Hkv·D, and the kernel
    rebuilds K (then applies RoPE) and V from the latents as it streams the
    cache.

    Operands (T in f32/f16/bf16):
    - `q : tensor<BxHxSxDxT>`;
    - `k_latent : tensor<BxTkxRkxT>`, `k_up : tensor<GkxMkxrkxT>` with
      Rk = Gk·rk and Mk = (Hkv/Gk)·D: Gk groups of Hkv/Gk kv heads, group
      g's keys are `k_latent[..., g·rk : (g+1)·rk] · k_up[g]ᵀ` (the
      `u_g` of each `linea.lowrank_linear` of the K projection);
    - `v_latent : tensor<BxTkxRvxT>`, `v_up : tensor<GvxMvxrvxT>` likewise
      with Mv = (Hkv/Gv)·Dv;
    - optional `rope(%cos, %sin)`, each `tensor<TkxDxTr>` (Tr any float):
      rotary embedding of the keys at their positions;
    - attributes `kv_heads` (Hkv, dividing H), `scale` (default
      `1/sqrt(D)`) and unit `causal`, as for `linea.attention`.

    Result `o : tensor<BxHxSxDvxT>`. In f32, with gk = Hkv/Gk, gv = Hkv/Gv
    and rot(x)[d] = −x[d + D/2] for d < D/2, x[d − D/2] otherwise:

    ```
    K[b, hk, j, d] = Σ_r k_latent[b, j, (hk div gk)·rk + r]
                         · k_up[hk div gk, (hk mod gk)·D + d, r]
    K[b, hk, j, :] = K·cos[j, :] + rot(K)·sin[j, :]        (with rope)
    V[b, hk, j, e] = Σ_r v_latent[b, j, (hk div gv)·rv + r]
                         · v_up[hk div gv, (hk mod gv)·Dv + e, r]
    o = linea.attention(q, K, V) with scale and causal      (K, V in f32)
    ```

    K and V are not rounded to T: the op is the f32 arithmetic of
    `linea.attention` over the reconstruction, rounded once into o. RoPE is
    applied after the reconstruction, so the latent stays position-free
    (the reason K cannot be folded into q).

    ```mlir
    %o = linea.latent_attention %q, %hk, %uk, %hv, %uv rope(%cos, %sin)
           {kv_heads = 8 : i64}
        : (tensor<1x32x1x128xf32>, tensor<1x?x256xf32>,
           tensor<1x1024x256xf32>, tensor<1x?x256xf32>,
           tensor<1x1024x256xf32>, tensor<?x128xf32>, tensor<?x128xf32>)
        -> tensor<1x32x1x128xf32>
    ```
  }];
  let arguments = (ins Linea_FloatTensor:$q, Linea_FloatTensor:$k_latent,
                       Linea_FloatTensor:$k_up, Linea_FloatTensor:$v_latent,
                       Linea_FloatTensor:$v_up,
                       Variadic<Linea_FloatTensor>:$rope,
                       I64Attr:$kv_heads, OptionalAttr<F32Attr>:$scale,
                       UnitAttr:$causal);
  let assemblyFormat = [{
    $q `,` $k_latent `,` $k_up `,` $v_latent `,` $v_up
    (`rope` `(` $rope^ `)`)? attr-dict `:` functional-type(operands, results)
  }];
  let extraClassDeclaration = [{
    /// The score scale: the `scale` attribute, or 1/sqrt(D) when absent.
    float getEffectiveScale();
    /// RoPE's cos and sin tables, or null without rope.
    mlir::Value getCos() { return getRope().empty() ? mlir::Value() : getRope()[0]; }
    mlir::Value getSin() { return getRope().empty() ? mlir::Value() : getRope()[1]; }
  }];
}

//===----------------------------------------------------------------------===//
// linea.linear_attention
//===----------------------------------------------------------------------===//

def Linea_LinearAttentionOp : Linea_AttentionOpBase<"linear_attention"> {
  let summary = "Linearised attention with a feature map φ";
  let description = [{
    Attention whose softmax kernel `exp(q·k)` is replaced by `φ(q)·φ(k)`
    (Katharopoulos et al., 2020; REWRITES.md §7), so that it costs O(S·D·Dv)
    instead of O(S·T·D).

    Operands (T in f32/f16/bf16): `q : tensor<BxHxSxDxT>`,
    `k : tensor<BxHxTkxDxT>`, `v : tensor<BxHxTkxDvxT>` (Tk written T
    below). Attributes: `feature_map` φ, applied elementwise —
    `elu_plus_one` (x > 0 ? x + 1 : exp(x)), `relu` (max(x, 0)),
    `identity`, or `binary` (x > 0 ? 1 : 0: with binarised q and k every
    product in the formula below is a selection, so the layer needs only
    additions and one division per output — ShiftAddViT's add-only
    attention); unit `causal`, which requires S = T (checked when both are
    static, a precondition otherwise); `epsilon` (f32 > 0, default 1e-6).

    Result `o : tensor<BxHxSxDvxT>`. For every batch and head, with row
    vectors `q_i = q[b, h, i, :]`, `k_j`, `v_j`, in f32:

    ```
    J(i)  = { j : 0 ≤ j < T }               (non-causal)
          = { j : 0 ≤ j ≤ i }               (causal)
    S_i   = Σ_{j ∈ J(i)} φ(k_j)ᵀ · v_j       (a D×Dv matrix)
    z_i   = Σ_{j ∈ J(i)} φ(k_j)              (a D vector)
    o[b, h, i, :] = (φ(q_i) · S_i) / (φ(q_i) · z_i + epsilon)
    ```

    Non-causal, S_i and z_i do not depend on i. The causal form is the
    recurrence `S_t = S_{t−1} + φ(k_t)ᵀv_t`, `z_t = z_{t−1} + φ(k_t)`; the
    parallel form `[(φ(Q)φ(K)ᵀ) ⊙ M] V`, row-normalised, is equal up to
    rounding. With `identity` the denominator may vanish or change sign;
    that is the caller's concern.

    ```mlir
    %o = linea.linear_attention %q, %k, %v feature_map elu_plus_one {causal}
        : (tensor<?x8x?x64xf32>, tensor<?x8x?x64xf32>, tensor<?x8x?x64xf32>)
        -> tensor<?x8x?x64xf32>
    ```
  }];
  let arguments = (ins Linea_FloatTensor:$q, Linea_FloatTensor:$k,
                       Linea_FloatTensor:$v, Linea_FeatureMap:$feature_map,
                       UnitAttr:$causal,
                       DefaultValuedAttr<F32Attr, "1e-6">:$epsilon);
  let assemblyFormat = [{
    $q `,` $k `,` $v `feature_map` $feature_map attr-dict `:`
    functional-type(operands, results)
  }];
}

#endif // LINEA_ATTENTION_OPS_TD
