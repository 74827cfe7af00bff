/* mpath-out-cost: what one PR OUT through libmpathpersist costs (docs/multipath.md).
 * N REGISTER AND IGNORE EXISTING KEY calls through libmpathpersist on one map, with
 * fresh vectors per call (mpath_persistent_reserve_out) or kept ones (init_vecs + __...out), and the
 * wall and CPU time per call (this process, the library's threads included; and multipathd's). */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
int libmpathpersist_init(void);
int mpath_persistent_reserve_out(int, int, int, unsigned int, void *, int, int);
int mpath_persistent_reserve_init_vecs(int);
int __mpath_persistent_reserve_out(int, int, int, unsigned int, void *, int);
extern unsigned int mpath_mx_alloc_len;
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
static double cpu(void) { struct rusage r; getrusage(RUSAGE_SELF, &r);
    return r.ru_utime.tv_sec + r.ru_stime.tv_sec + (r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e6; }
static double pidcpu(const char *pid) {
    char p[64], b[1024]; snprintf(p, sizeof p, "/proc/%s/stat", pid); FILE *f = fopen(p, "r");
    if (!f || !fgets(b, sizeof b, f)) { if (f) fclose(f); return 0; } fclose(f);
    char *s = strrchr(b, ')'); unsigned long u, st; int i; char *t = strtok(s + 2, " ");
    for (i = 3; t && i < 14; i++)   /* fields 14 and 15 of /proc/PID/stat: utime, stime */
        t = strtok(NULL, " ");
    u = strtoul(t, 0, 10); t = strtok(NULL, " "); st = strtoul(t, 0, 10);
    return (u + st) / (double) sysconf(_SC_CLK_TCK); }
int main(int argc, char **argv) {
    if (argc < 5) { fprintf(stderr, "usage: %s MAP KEY N fresh|vecs [multipathd-pid]\n", argv[0]); return 2; }
    int fd = open(argv[1], O_RDWR), n = atoi(argv[3]), vecs = !strcmp(argv[4], "vecs"), i, bad = 0;
    uint64_t key = strtoull(argv[2], 0, 0);
    static unsigned char param[8224 + 32 * 8 + 32 * 258];
    for (i = 0; i < 8; i++) param[8 + i] = key >> (56 - 8 * i);   /* sa_key, big-endian bytes */
    if (fd < 0 || libmpathpersist_init()) { perror("open/init"); return 1; }
    mpath_mx_alloc_len = 8192;
    if (vecs && mpath_persistent_reserve_init_vecs(0)) { fprintf(stderr, "init_vecs failed\n"); return 1; }
    double w0 = now(), c0 = cpu(), m0 = argc > 5 ? pidcpu(argv[5]) : 0;
    for (i = 0; i < n; i++) {
        int rc = vecs ? __mpath_persistent_reserve_out(fd, 6, 0, 0, param, 0)
                      : mpath_persistent_reserve_out(fd, 6, 0, 0, param, 0, 0);
        if (rc) bad++;
    }
    double w = now() - w0, c = cpu() - c0, m = argc > 5 ? pidcpu(argv[5]) - m0 : 0;
    printf("%s %s: %d calls, %d failed, wall %.1f ms/call, our CPU %.1f ms/call, multipathd CPU %.1f ms/call\n",
           argv[1], argv[4], n, bad, 1000 * w / n, 1000 * c / n, 1000 * m / n);
    return 0;
}
