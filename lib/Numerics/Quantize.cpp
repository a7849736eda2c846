//===- Quantize.cpp - float weights to packed quantized formats -----------===//
//
// Every rule here has a twin in python/linea/formats.py `quantize`, which the
// tests compare against bit for bit; change both together.
//
//===----------------------------------------------------------------------===//

#include "linea/Numerics/Quantize.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace linea::numerics {

int64_t QuantizedWeight::scaleIndex(int64_t r, int64_t c) const {
  int64_t row = spec.granularity == ScaleGranularity::tensor ? 0 : r;
  return row * scaleColumns(spec, k) + c / scaleSpan(spec, k);
}

Matrix QuantizedWeight::dequantize() const {
  return numerics::dequantize(spec, n, k, packed, scales, zeroPoints,
                              tensorScale);
}

/// f32 → bf16 → f32 with round to nearest even (finite inputs).
static float roundToBf16(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  bits = (bits + 0x7FFFu + ((bits >> 16) & 1u)) & 0xFFFF0000u;
  std::memcpy(&value, &bits, sizeof bits);
  return value;
}

float roundScale(ScaleEncoding encoding, float scale) {
  switch (encoding) {
  case ScaleEncoding::f32:
    return scale;
  case ScaleEncoding::f16:
    return static_cast<float>(static_cast<_Float16>(scale));
  case ScaleEncoding::bf16:
    return roundToBf16(scale);
  case ScaleEncoding::e8m0:
    return decodeE8M0(encodeE8M0(scale));
  case ScaleEncoding::e4m3:
    return decodeFp8E4M3(encodeFp8E4M3(scale));
  }
  return scale;
}

float nvfp4TensorScale(float amax) {
  return std::max(amax, 1e-30f) / static_cast<float>(448 * 6);
}

/// Largest code magnitude of a symmetric integer element: 2^(b−1) − 1.
static int32_t symmetricMax(unsigned bits) { return (1 << (bits - 1)) - 1; }
/// Largest code of an unsigned integer element: 2^b − 1.
static int32_t unsignedMax(unsigned bits) { return (1 << bits) - 1; }

BlockQuant chooseBlockQuant(const QuantSpec &spec, float lo, float hi,
                            float tensorScale) {
  lo = std::min(lo, 0.0f);
  hi = std::max(hi, 0.0f);
  float amax = std::max(-lo, hi);
  unsigned bits = elementBits(spec.element);
  BlockQuant block;
  auto absmaxOver = [&](float top) {
    return roundScale(spec.scale, amax == 0.0f ? 1.0f : amax / top);
  };
  switch (spec.element) {
  case QuantElement::int8:
  case QuantElement::int4:
  case QuantElement::int6:
  case QuantElement::uint8:
  case QuantElement::uint4:
    if (spec.symmetric) {
      block.scale = absmaxOver(static_cast<float>(symmetricMax(bits)));
    } else {
      int32_t levels = unsignedMax(bits);
      float width = hi > lo ? hi - lo : 1.0f;
      block.scale = roundScale(spec.scale, width / static_cast<float>(levels));
      float z = std::nearbyint(-lo / block.scale);
      block.zeroPoint =
          static_cast<uint8_t>(std::clamp(z, 0.0f, static_cast<float>(levels)));
    }
    break;
  case QuantElement::fp8_e4m3:
    block.scale = absmaxOver(448.0f);
    break;
  case QuantElement::fp8_e5m2:
    block.scale = absmaxOver(57344.0f);
    break;
  case QuantElement::nf4:
    block.scale = absmaxOver(1.0f);
    break;
  case QuantElement::mxfp4: {
    // The MX rule: shared exponent floor(log2 amax) − 2, e2m1's emax.
    int code = std::max(int(encodeE8M0(amax)) - 2, 0);
    block.scale = decodeE8M0(static_cast<uint8_t>(code));
    break;
  }
  case QuantElement::nvfp4:
    block.scale =
        roundScale(ScaleEncoding::e4m3, amax / 6.0f / tensorScale);
    break;
  }
  return block;
}

uint8_t encodeWeight(const QuantSpec &spec, float value, BlockQuant block,
                     float tensorScale) {
  unsigned bits = elementBits(spec.element);
  float s = block.scale;
  switch (spec.element) {
  case QuantElement::int8:
  case QuantElement::int4:
  case QuantElement::int6:
  case QuantElement::uint8:
  case QuantElement::uint4: {
    float q = std::nearbyint(value / s);
    if (spec.symmetric) {
      float top = static_cast<float>(symmetricMax(bits));
      auto code = static_cast<int32_t>(std::clamp(q, -top - 1.0f, top));
      return static_cast<uint8_t>(code & unsignedMax(bits));
    }
    float top = static_cast<float>(unsignedMax(bits));
    return static_cast<uint8_t>(
        std::clamp(q + static_cast<float>(block.zeroPoint), 0.0f, top));
  }
  case QuantElement::fp8_e4m3:
    return encodeFp8E4M3(value / s);
  case QuantElement::fp8_e5m2:
    return encodeFp8E5M2(value / s);
  case QuantElement::nf4:
    return encodeNF4(value / s);
  case QuantElement::mxfp4:
    return encodeE2M1(value / s);
  case QuantElement::nvfp4:
    // A zero block scale gives ±inf (saturated) or NaN (encoded as +0),
    // both of which decode to 0 under that scale.
    return encodeE2M1(value / (s * tensorScale));
  }
  return 0;
}

float decodeWeight(const QuantSpec &spec, uint8_t code, BlockQuant block,
                   float tensorScale) {
  unsigned bits = elementBits(spec.element);
  if (isIntegerElement(spec.element)) {
    int32_t q = isSignedIntegerElement(spec.element) ? signExtend(code, bits)
                                                     : int32_t(code);
    int32_t z = spec.symmetric ? 0 : int32_t(block.zeroPoint);
    return float(q - z) * block.scale;
  }
  float value = decodeElement(spec.element, code) * block.scale;
  if (spec.element == QuantElement::nvfp4)
    value = value * tensorScale;
  return value;
}

QuantizedWeight makeQuantizedWeight(const QuantSpec &spec, int64_t n,
                                    int64_t k) {
  QuantizedWeight q;
  q.spec = spec;
  q.n = n;
  q.k = k;
  q.packed.assign(size_t(n * packedRowBytes(k, elementBits(spec.element))),
                  0);
  q.scales.assign(size_t(scaleRows(spec, n) * scaleColumns(spec, k)), 1.0f);
  if (!spec.symmetric)
    q.zeroPoints.assign(q.scales.size(), 0);
  return q;
}

QuantizedWeight quantizeWeight(const QuantSpec &spec, const Matrix &w) {
  QuantizedWeight q = makeQuantizedWeight(spec, w.rows, w.cols);
  if (spec.element == QuantElement::nvfp4) {
    float amax = 0.0f;
    for (float v : w.data)
      amax = std::max(amax, std::fabs(v));
    q.tensorScale = nvfp4TensorScale(amax);
  }
  std::vector<BlockQuant> blocks(q.scales.size());
  // Range of every block, then its parameters.
  std::vector<float> lo(blocks.size(), 0.0f), hi(blocks.size(), 0.0f);
  for (int64_t r = 0; r < w.rows; ++r)
    for (int64_t c = 0; c < w.cols; ++c) {
      auto i = size_t(q.scaleIndex(r, c));
      lo[i] = std::min(lo[i], w.at(r, c));
      hi[i] = std::max(hi[i], w.at(r, c));
    }
  for (size_t i = 0; i < blocks.size(); ++i) {
    blocks[i] = chooseBlockQuant(spec, lo[i], hi[i], q.tensorScale);
    q.scales[i] = blocks[i].scale;
    if (!spec.symmetric)
      q.zeroPoints[i] = blocks[i].zeroPoint;
  }
  unsigned bits = elementBits(spec.element);
  int64_t rowBytes = packedRowBytes(w.cols, bits);
  for (int64_t r = 0; r < w.rows; ++r)
    for (int64_t c = 0; c < w.cols; ++c)
      packElement(q.packed.data() + r * rowBytes, c, bits,
                  encodeWeight(spec, w.at(r, c),
                               blocks[size_t(q.scaleIndex(r, c))],
                               q.tensorScale));
  return q;
}

} // namespace linea::numerics
