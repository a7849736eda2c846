/* Calls libtiny.so (test/Compile/c-driver.mlir) through tiny.h and checks
   its outputs against a plain C evaluation of the same layers. */
#include "tiny.h"

#include <math.h>
#include <stdio.h>

static const double W1[3][4] = {{1, 0, -1, 2}, {0.5, 1, 0, -1}, {2, -1, 1, 0}};
static const double B1[3] = {0.1, -0.2, 0.3};
static const double G[3] = {1, 2, 0.5};
static const double W2[2][3] = {{1, -1, 0.5}, {0, 2, -1}};

static void rms_norm(const double h[3], double n[3]) {
  double ms = (h[0] * h[0] + h[1] * h[1] + h[2] * h[2]) / 3;
  for (int j = 0; j < 3; ++j)
    n[j] = h[j] / sqrt(ms + 1e-5) * G[j];
}

static void linear2(const double n[3], double y[2]) {
  for (int i = 0; i < 2; ++i)
    y[i] = W2[i][0] * n[0] + W2[i][1] * n[1] + W2[i][2] * n[2];
}

static void report(const char *what, double err) {
  printf("%s: max error %.3g %s\n", what, err, err < 1e-5 ? "OK" : "FAIL");
}

static int check_main(int64_t m) {
  float x[5][4];
  for (int r = 0; r < m; ++r)
    for (int k = 0; k < 4; ++k)
      x[r][k] = (float)((r + 1) * 0.25 - k * 0.5);
  linea_tensor y;
  if (tiny_main(&x[0][0], m, &y) != 0) {
    printf("main failed: %s\n", tiny_last_error());
    return 1;
  }
  double err = 0;
  if (y.rank != 2 || y.shape[0] != m || y.shape[1] != 2)
    err = 1e9;
  for (int r = 0; r < m && err < 1e9; ++r) {
    double h[3], n[3], ref[2];
    for (int i = 0; i < 3; ++i) {
      h[i] = B1[i];
      for (int k = 0; k < 4; ++k)
        h[i] += W1[i][k] * x[r][k];
    }
    rms_norm(h, n);
    linear2(n, ref);
    for (int i = 0; i < 2; ++i)
      err = fmax(err, fabs(((float *)y.data)[r * 2 + i] - ref[i]));
  }
  tiny_free(&y);
  char what[32];
  snprintf(what, sizeof what, "main M=%lld", (long long)m);
  report(what, err);
  return y.data != NULL;
}

int main(void) {
  int status = check_main(1) | check_main(5);

  float a[2][3] = {{1, -2, 3}, {0.5, 0.25, -4}}, y[2][2], n[2][3];
  if (tiny_pair(&a[0][0], &y[0][0], &n[0][0]) != 0) {
    printf("pair failed: %s\n", tiny_last_error());
    return 1;
  }
  double err = 0;
  for (int r = 0; r < 2; ++r) {
    double ar[3] = {a[r][0], a[r][1], a[r][2]}, refy[2], refn[3];
    linear2(ar, refy);
    rms_norm(ar, refn);
    for (int i = 0; i < 2; ++i)
      err = fmax(err, fabs(y[r][i] - refy[i]));
    for (int i = 0; i < 3; ++i)
      err = fmax(err, fabs(n[r][i] - refn[i]));
  }
  report("pair", err);

  /* Bad arguments are reported, not crashed on. */
  linea_tensor out;
  if (tiny_main(&a[0][0], -1, &out) == 0)
    return 1;
  printf("negative size: %s\n", tiny_last_error());
  if (tiny_pair(&a[0][0], &y[0][0], NULL) == 0)
    return 1;
  printf("NULL output: %s\n", tiny_last_error());
  return status;
}
