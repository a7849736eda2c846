/* tiny.h from weights-file.mlir (y = x·wᵀ, w all 0.25): the weights load
   from next to the library at the first call; then each bad file given to
   tiny_load_weights fails with its code and message, and the thread API
   refuses a negative count and caps a large one. argv: bad weight files. */
#include "tiny.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  float x[2][8];
  for (int i = 0; i < 2; ++i)
    for (int k = 0; k < 8; ++k)
      x[i][k] = (float)(i + k);
  linea_tensor y;
  int rc = tiny_main(&x[0][0], 2, &y);
  if (rc) {
    printf("first call: %d %s\n", rc, tiny_last_error());
    return 1;
  }
  double error = 0;
  for (int i = 0; i < 2; ++i)
    for (int n = 0; n < 16; ++n) {
      double want = 0;
      for (int k = 0; k < 8; ++k)
        want += 0.25 * x[i][k];
      error = fmax(error, fabs(((float *)y.data)[i * 16 + n] - want));
    }
  tiny_free(&y);
  printf("default path: max error %g %s\n", error, error < 1e-5 ? "OK" : "BAD");
  for (int i = 1; i < argc; ++i) {
    rc = tiny_load_weights(argv[i]);
    printf("%d: %s\n", rc, tiny_last_error());
  }
  /* The library keeps the good mapping after a failed load. */
  rc = tiny_main(&x[0][0], 2, &y);
  printf("after failed loads: %d\n", rc);
  if (!rc)
    tiny_free(&y);
  printf("set -1: %d: %s\n", tiny_set_num_threads(-1), tiny_last_error());
  tiny_set_num_threads(1000);
  printf("set 1000: %s\n",
         tiny_get_num_threads() == TINY_MAX_THREADS ? "capped" : "not capped");
  tiny_set_num_threads(1);
  printf("set 1: %d\n", tiny_get_num_threads());
  return 0;
}
