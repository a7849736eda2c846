// A module whose only layer is called 'proj' (calibrated-quant-options.mlir
// uses its statistics as a file that lacks the layer 'fc').
func.func @main(%x: tensor<2x4xf32>) -> tensor<2x2xf32> {
  %w = arith.constant dense<1.0> : tensor<2x4xf32>
  %y = linea.linear %x, %w {name = "proj"} : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}
