// RUN: not linea-opt %s --linea-quantize 2>&1 | FileCheck %s --check-prefix=NONE
// RUN: not linea-opt %s --linea-quantize="format=int3" 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// RUN: not linea-opt %s --linea-quantize="format=mxfp4 group-size=16" 2>&1 | FileCheck %s --check-prefix=MXGROUP
// RUN: not linea-opt %s --linea-quantize="format=int6 symmetric=false" 2>&1 | FileCheck %s --check-prefix=INT6ASYM
// RUN: not linea-opt %s --linea-quantize="format=int8 group-size=4 granularity=tensor" 2>&1 | FileCheck %s --check-prefix=CONTRA
// RUN: not linea-opt %s --linea-quantize="format=int8 granularity=group" 2>&1 | FileCheck %s --check-prefix=NOGROUP
// RUN: not linea-opt %s --linea-quantize="format=int8 scale-type=f8E4M3FN" 2>&1 | FileCheck %s --check-prefix=SCALE
// RUN: not linea-opt %s --linea-quantize="format=int8 act=int4_per_token" 2>&1 | FileCheck %s --check-prefix=ACT
// RUN: not linea-opt %s --linea-quantize="format=fp8_e4m3 act=dynamic_int8_per_token" 2>&1 | FileCheck %s --check-prefix=ACTMISMATCH
// RUN: not linea-opt %s --linea-quantize="format=fp8_e4m3 act=fp8_per_tensor" 2>&1 | FileCheck %s --check-prefix=NOSTATS
// RUN: not linea-opt %s --linea-quantize="format=int8 symmetric=maybe" 2>&1 | FileCheck %s --check-prefix=SYM
// RUN: linea-opt %s --linea-quantize="format=int8 except=fc" 2>&1 | FileCheck %s --check-prefix=EXCEPT
// RUN: linea-opt %s --linea-quantize="format=int8 scale-type=f16" -o /dev/null 2>&1 | FileCheck %s --check-prefix=F16 --allow-empty

// NONE: error: linea-quantize: no format given
// UNKNOWN: error: linea-quantize: unknown format 'int3'
// MXGROUP: error: linea-quantize: invalid format #linea.qformat<mxfp4, group 16>: qformat mxfp4 needs group 32, got group 16
// INT6ASYM: error: linea-quantize: invalid format #linea.qformat<int6, asymmetric>: qformat element int6 must be symmetric
// CONTRA: error: linea-quantize: group-size=4 contradicts granularity=tensor
// NOGROUP: error: linea-quantize: granularity=group needs group-size=N
// SCALE: error: linea-quantize: scale-type='f8E4M3FN' is not f32, f16 or bf16
// ACT: error: linea-quantize: invalid format {{.*}}: unknown activation mode 'int4_per_token'
// ACTMISMATCH: qformat activation mode dynamic_int8_per_token needs an integer element, got fp8_e4m3
// NOSTATS: error: linea-quantize: act=fp8_per_tensor needs a static activation scale from calibration: give stats=FILE
// SYM: error: linea-quantize: symmetric='maybe' is not true or false
// EXCEPT: remark: linea-quantize: skipped layer 'fc': name matches except='fc'
// The 2x3 f16 weight: 6 bytes of int8 codes + 2 f16 scales = 10 < 12 bytes.
// F16-NOT: skipped
func.func @layer(%x: tensor<4x3xf16>) -> tensor<4x2xf16> {
  %w = arith.constant dense<[[0.75, -0.3, 0.01], [-3.0, 1.0, 0.0]]> : tensor<2x3xf16>
  %y = linea.linear %x, %w {name = "fc"} : (tensor<4x3xf16>, tensor<2x3xf16>) -> tensor<4x2xf16>
  return %y : tensor<4x2xf16>
}
