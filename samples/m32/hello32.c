/* A 32-bit program for the syscribe README demo: reads a file, prints a line.
 * Build: gcc -m32 -o hello32 hello32.c   (needs gcc-multilib) */
#include <stdio.h>

int main(void) {
  char host[256] = "";
  FILE *f = fopen("/etc/hostname", "r");
  if (f) {
    if (!fgets(host, sizeof host, f)) host[0] = 0;
    fclose(f);
  }
  printf("hello from 32-bit, host %s", host[0] ? host : "?\n");
  return 0;
}
