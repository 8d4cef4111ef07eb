/* A small threaded program for the syscribe README demo: four worker threads
 * each write a line; the main thread joins them.
 * Build: gcc -O1 -pthread -o threads threads.c */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void *worker(void *arg) {
  char buf[32];
  int n = snprintf(buf, sizeof buf, "worker %ld\n", (long)arg);
  write(STDOUT_FILENO, buf, (size_t)n);
  return NULL;
}

int main(void) {
  pthread_t t[4];
  for (long i = 0; i < 4; i++) pthread_create(&t[i], NULL, worker, (void *)i);
  for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
  return 0;
}
