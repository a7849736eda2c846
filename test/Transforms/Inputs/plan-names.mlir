// Layers linea-plan cannot select one by one (plan-options.mlir).
func.func @main(%x: tensor<8x4xf32>) -> (tensor<8x3xf32>, tensor<8x3xf32>) {
  %w = arith.constant dense<1.0> : tensor<3x4xf32>
  %a = linea.linear %x, %w {name = "fc"} : (tensor<8x4xf32>, tensor<3x4xf32>) -> tensor<8x3xf32>
  %b = linea.linear %x, %w {name = "fc"} : (tensor<8x4xf32>, tensor<3x4xf32>) -> tensor<8x3xf32>
  return %a, %b : tensor<8x3xf32>, tensor<8x3xf32>
}

// -----

func.func @main(%x: tensor<8x4xf32>) -> tensor<8x3xf32> {
  %w = arith.constant dense<1.0> : tensor<3x4xf32>
  %a = linea.linear %x, %w {name = "f,c"} : (tensor<8x4xf32>, tensor<3x4xf32>) -> tensor<8x3xf32>
  return %a : tensor<8x3xf32>
}
