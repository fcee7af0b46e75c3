/* Prints the kernel set ("core") the system OpenBLAS picks in this environment.
   Used by bench/compare.sh to report the BLAS kernels of gmm, Armadillo (both
   link the system libopenblas). Build: cc corename.c -lopenblas */
#include <stdio.h>
char *openblas_get_corename(void);
int main(void) { printf("%s\n", openblas_get_corename()); return 0; }
