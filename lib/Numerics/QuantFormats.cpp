//===- QuantFormats.cpp - bit-level quantized weight formats --------------===//
//
// The decoders follow the bit layouts of docs/formats.md literally; the
// encoders round to nearest, ties to even, by searching the ascending table
// of a format's non-negative values, which is exact for every input
// (subnormals included) without format-specific bit tricks.
//
//===----------------------------------------------------------------------===//

#include "linea/Numerics/QuantFormats.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

namespace linea::numerics {

//===----------------------------------------------------------------------===//
// Format description
//===----------------------------------------------------------------------===//

unsigned elementBits(QuantElement element) {
  switch (element) {
  case QuantElement::int8:
  case QuantElement::uint8:
  case QuantElement::fp8_e4m3:
  case QuantElement::fp8_e5m2:
    return 8;
  case QuantElement::int6:
    return 6;
  case QuantElement::int4:
  case QuantElement::uint4:
  case QuantElement::mxfp4:
  case QuantElement::nvfp4:
  case QuantElement::nf4:
    return 4;
  }
  return 8;
}

bool isIntegerElement(QuantElement element) {
  switch (element) {
  case QuantElement::int8:
  case QuantElement::uint8:
  case QuantElement::int4:
  case QuantElement::uint4:
  case QuantElement::int6:
    return true;
  default:
    return false;
  }
}

bool isSignedIntegerElement(QuantElement element) {
  return element == QuantElement::int8 || element == QuantElement::int4 ||
         element == QuantElement::int6;
}

int64_t packedRowBytes(int64_t k, unsigned bits) {
  return (k * int64_t(bits) + 7) / 8;
}

int64_t scaleSpan(const QuantSpec &spec, int64_t k) {
  return spec.granularity == ScaleGranularity::group ? spec.groupSize : k;
}

int64_t scaleColumns(const QuantSpec &spec, int64_t k) {
  int64_t span = scaleSpan(spec, k);
  return span <= 0 ? 0 : (k + span - 1) / span;
}

int64_t scaleRows(const QuantSpec &spec, int64_t n) {
  return spec.granularity == ScaleGranularity::tensor ? 1 : n;
}

//===----------------------------------------------------------------------===//
// Decoders
//===----------------------------------------------------------------------===//

static float withSign(bool negative, float magnitude) {
  return negative ? -magnitude : magnitude;
}

float decodeE2M1(uint8_t nibble) {
  unsigned exponent = (nibble >> 1) & 0x3, mantissa = nibble & 0x1;
  float magnitude = exponent == 0 ? 0.5f * float(mantissa)
                                  : std::ldexp(1.0f + 0.5f * float(mantissa),
                                               int(exponent) - 1);
  return withSign(nibble & 0x8, magnitude);
}

float decodeFp8E4M3(uint8_t code) {
  unsigned exponent = (code >> 3) & 0xF, mantissa = code & 0x7;
  bool negative = code & 0x80;
  if (exponent == 0xF && mantissa == 0x7)
    return withSign(negative, std::numeric_limits<float>::quiet_NaN());
  float magnitude =
      exponent == 0
          ? std::ldexp(float(mantissa), -9) // m/8 · 2^(1−7)
          : std::ldexp(1.0f + float(mantissa) / 8.0f, int(exponent) - 7);
  return withSign(negative, magnitude);
}

float decodeFp8E5M2(uint8_t code) {
  unsigned exponent = (code >> 2) & 0x1F, mantissa = code & 0x3;
  bool negative = code & 0x80;
  if (exponent == 0x1F)
    return withSign(negative, mantissa == 0
                                  ? std::numeric_limits<float>::infinity()
                                  : std::numeric_limits<float>::quiet_NaN());
  float magnitude =
      exponent == 0
          ? std::ldexp(float(mantissa), -16) // m/4 · 2^(1−15)
          : std::ldexp(1.0f + float(mantissa) / 4.0f, int(exponent) - 15);
  return withSign(negative, magnitude);
}

float decodeE8M0(uint8_t code) {
  if (code == 0xFF)
    return std::numeric_limits<float>::quiet_NaN();
  return std::ldexp(1.0f, int(code) - 127); // 2^−127 is an exact f32 subnormal
}

// QLoRA's NormalFloat4 levels (Dettmers et al. 2023), as stored by
// bitsandbytes; every literal is exactly an f32 value.
const float kNF4Codebook[16] = {
    -1.0f,
    -0.6961928009986877f,
    -0.5250730514526367f,
    -0.39491748809814453f,
    -0.28444138169288635f,
    -0.18477343022823334f,
    -0.09105003625154495f,
    0.0f,
    0.07958029955625534f,
    0.16093020141124725f,
    0.24611230194568634f,
    0.33791524171829224f,
    0.44070982933044434f,
    0.5626170039176941f,
    0.7229568362236023f,
    1.0f,
};

float decodeNF4(uint8_t code) { return kNF4Codebook[code & 0xF]; }

//===----------------------------------------------------------------------===//
// Encoders
//===----------------------------------------------------------------------===//

namespace {

/// The non-negative values of a small float format, indexed by code
/// 0..maxCode, which are ascending in all formats here.
template <unsigned Count> struct MagnitudeTable {
  std::array<float, Count> values;

  template <typename Decode> explicit MagnitudeTable(Decode decode) {
    for (unsigned i = 0; i < Count; ++i)
      values[i] = decode(uint8_t(i));
  }

  /// Code of the magnitude nearest to `m` ≥ 0, ties to the even code (the
  /// code's low bit is the mantissa's), saturating at the largest.
  uint8_t nearest(float m) const {
    if (!(m < values[Count - 1]))
      return uint8_t(Count - 1);
    // values[lo] <= m < values[lo + 1].
    unsigned lo = unsigned(std::upper_bound(values.begin(), values.end(), m) -
                           values.begin()) -
                  1;
    // The midpoint of two f32 values is exact in double.
    double mid = (double(values[lo]) + double(values[lo + 1])) / 2.0;
    if (double(m) < mid)
      return uint8_t(lo);
    if (double(m) > mid)
      return uint8_t(lo + 1);
    return uint8_t(lo % 2 == 0 ? lo : lo + 1);
  }
};

} // namespace

/// Sign bit `signBit` set when `value` is negative (−0 included).
static uint8_t signOf(float value, unsigned signBit) {
  return std::signbit(value) ? uint8_t(1u << signBit) : uint8_t(0);
}

uint8_t encodeE2M1(float value) {
  static const MagnitudeTable<8> table(decodeE2M1);
  if (std::isnan(value))
    return 0;
  return signOf(value, 3) | table.nearest(std::fabs(value));
}

uint8_t encodeFp8E4M3(float value) {
  // Codes 0x00..0x7E: 0 .. 448; 0x7F is NaN.
  static const MagnitudeTable<0x7F> table(decodeFp8E4M3);
  if (std::isnan(value))
    return 0x7F;
  return signOf(value, 7) | table.nearest(std::fabs(value));
}

uint8_t encodeFp8E5M2(float value) {
  // Codes 0x00..0x7B: 0 .. 57344; 0x7C is inf, 0x7D..0x7F NaN.
  static const MagnitudeTable<0x7C> table(decodeFp8E5M2);
  if (std::isnan(value))
    return 0x7E;
  return signOf(value, 7) | table.nearest(std::fabs(value));
}

uint8_t encodeE8M0(float value) {
  if (!std::isfinite(value))
    return 0xFF;
  float magnitude = std::fabs(value);
  if (magnitude == 0.0f)
    return 0;
  int exponent = 0;
  std::frexp(magnitude, &exponent); // magnitude = f · 2^exponent, f ∈ [.5, 1)
  int e = std::clamp(exponent - 1, -127, 127);
  return uint8_t(e + 127);
}

uint8_t encodeNF4(float value) {
  if (std::isnan(value))
    return 7;
  unsigned best = 0;
  double bestDistance = std::numeric_limits<double>::infinity();
  for (unsigned i = 0; i < 16; ++i) {
    double distance = std::fabs(double(value) - double(kNF4Codebook[i]));
    if (distance < bestDistance ||
        (distance == bestDistance &&
         std::fabs(kNF4Codebook[i]) < std::fabs(kNF4Codebook[best]))) {
      best = i;
      bestDistance = distance;
    }
  }
  return uint8_t(best);
}

//===----------------------------------------------------------------------===//
// The packed bit stream
//===----------------------------------------------------------------------===//

uint8_t unpackElement(const uint8_t *row, int64_t k, unsigned bits) {
  int64_t bit = k * int64_t(bits);
  int64_t byte = bit / 8;
  unsigned shift = unsigned(bit % 8);
  unsigned window = row[byte];
  // Only touch the next byte when the element straddles it (int6), so that
  // the last element of a row never reads past the row.
  if (shift + bits > 8)
    window |= unsigned(row[byte + 1]) << 8;
  return uint8_t((window >> shift) & ((1u << bits) - 1));
}

void packElement(uint8_t *row, int64_t k, unsigned bits, uint8_t code) {
  int64_t bit = k * int64_t(bits);
  int64_t byte = bit / 8;
  unsigned shift = unsigned(bit % 8);
  unsigned mask = ((1u << bits) - 1) << shift;
  unsigned value = (unsigned(code) << shift) & mask;
  row[byte] = uint8_t((row[byte] & ~mask) | value);
  if (shift + bits > 8)
    row[byte + 1] = uint8_t((row[byte + 1] & ~(mask >> 8)) | (value >> 8));
}

int32_t signExtend(uint8_t code, unsigned bits) {
  int32_t value = int32_t(code & ((1u << bits) - 1));
  if (value & (1 << (bits - 1)))
    value -= 1 << bits;
  return value;
}

float decodeElement(QuantElement element, uint8_t code) {
  switch (element) {
  case QuantElement::int8:
  case QuantElement::int4:
  case QuantElement::int6:
    return float(signExtend(code, elementBits(element)));
  case QuantElement::uint8:
  case QuantElement::uint4:
    return float(code);
  case QuantElement::fp8_e4m3:
    return decodeFp8E4M3(code);
  case QuantElement::fp8_e5m2:
    return decodeFp8E5M2(code);
  case QuantElement::mxfp4:
  case QuantElement::nvfp4:
    return decodeE2M1(code);
  case QuantElement::nf4:
    return decodeNF4(code);
  }
  return 0.0f;
}

//===----------------------------------------------------------------------===//
// Dequantization and activation modes
//===----------------------------------------------------------------------===//

Matrix dequantize(const QuantSpec &spec, int64_t n, int64_t k,
                  const std::vector<uint8_t> &packed,
                  const std::vector<float> &scales,
                  const std::vector<uint8_t> &zeroPoints, float tensorScale) {
  unsigned bits = elementBits(spec.element);
  int64_t rowBytes = packedRowBytes(k, bits);
  int64_t span = scaleSpan(spec, k);
  int64_t columns = scaleColumns(spec, k);
  bool perRow = spec.granularity != ScaleGranularity::tensor;
  assert(int64_t(packed.size()) == n * rowBytes && "packed size mismatch");
  assert(int64_t(scales.size()) == scaleRows(spec, n) * columns &&
         "scales size mismatch");
  assert((spec.symmetric || zeroPoints.size() == scales.size()) &&
         "zero points size mismatch");
  bool integer = isIntegerElement(spec.element);

  Matrix w(n, k);
  for (int64_t r = 0; r < n; ++r) {
    const uint8_t *row = packed.data() + r * rowBytes;
    for (int64_t c = 0; c < k; ++c) {
      uint8_t code = unpackElement(row, c, bits);
      int64_t si = (perRow ? r : 0) * columns + c / span;
      float s = scales[size_t(si)];
      float value;
      if (integer) {
        int32_t q = isSignedIntegerElement(spec.element)
                        ? signExtend(code, bits)
                        : int32_t(code);
        int32_t z = spec.symmetric ? 0 : int32_t(zeroPoints[size_t(si)]);
        value = float(q - z) * s;
      } else {
        value = decodeElement(spec.element, code) * s;
        if (spec.element == QuantElement::nvfp4)
          value = value * tensorScale;
      }
      w.at(r, c) = value;
    }
  }
  return w;
}

/// max |x[r, :]|, ignoring NaNs.
static float rowAbsMax(const Matrix &x, int64_t r) {
  float amax = 0.0f;
  for (int64_t c = 0; c < x.cols; ++c)
    amax = std::max(amax, std::fabs(x.at(r, c)));
  return amax;
}

Matrix quantizeActivations(ActQuantMode mode, const Matrix &x, float actScale) {
  Matrix out = x;
  switch (mode) {
  case ActQuantMode::weight_only:
    break;
  case ActQuantMode::dynamic_int8_per_token:
    for (int64_t r = 0; r < x.rows; ++r) {
      float amax = rowAbsMax(x, r);
      float s = amax == 0.0f ? 1.0f : amax / 127.0f;
      for (int64_t c = 0; c < x.cols; ++c) {
        float q = std::clamp(std::nearbyint(x.at(r, c) / s), -127.0f, 127.0f);
        out.at(r, c) = q * s;
      }
    }
    break;
  case ActQuantMode::fp8_per_tensor:
    for (float &v : out.data)
      v = decodeFp8E4M3(encodeFp8E4M3(v / actScale)) * actScale;
    break;
  case ActQuantMode::fp8_per_token:
    for (int64_t r = 0; r < x.rows; ++r) {
      float amax = rowAbsMax(x, r);
      float s = amax == 0.0f ? 1.0f : amax / 448.0f;
      for (int64_t c = 0; c < x.cols; ++c)
        out.at(r, c) = decodeFp8E4M3(encodeFp8E4M3(x.at(r, c) / s)) * s;
    }
    break;
  }
  return out;
}

} // namespace linea::numerics
