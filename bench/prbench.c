/*
 * Closed-loop load generator for the pr-helper protocol: N connections, each on its own thread,
 * send PERSISTENT RESERVE IN / READ KEYS with a descriptor attached and wait for the reply.
 * Prints one line: connections, requests, errors, ops/s, latency p50/p99/p999/max in microseconds.
 *
 *   prbench SOCKET DEVICE CONNECTIONS SECONDS
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define MAX_SAMPLES (1 << 22)

struct worker {
    const char *sock;
    int devfd;
    double seconds;
    long done, errors;
    uint32_t *lat_us;  /* samples, shared array slice */
    long cap;
    pthread_barrier_t *start;
};

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static int read_full(int fd, void *buf, size_t n) {
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, (char *)buf + got, n - got);
        if (r <= 0) {
            if (r < 0 && errno == EINTR) continue;
            return -1;
        }
        got += r;
    }
    return 0;
}

static int connect_to(const char *path) {
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    strncpy(a.sun_path, path, sizeof a.sun_path - 1);
    if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof a) < 0) return -1;
    uint32_t flags;
    if (read_full(s, &flags, 4) < 0) return -1;
    flags = 0;
    if (write(s, &flags, 4) != 4) return -1;
    return s;
}

static void *run(void *arg) {
    struct worker *w = arg;
    int s = connect_to(w->sock);
    pthread_barrier_wait(w->start);
    if (s < 0) {
        w->errors++;
        return NULL;
    }
    unsigned char cdb[16] = {0x5e, 0, 0, 0, 0, 0, 0, 0x20, 0x00};
    static __thread unsigned char reply[8 + 96 + 8192];
    char cbuf[CMSG_SPACE(sizeof(int))];
    double end = now() + w->seconds;
    while (1) {
        double t0 = now();
        if (t0 >= end) break;
        struct iovec iov = {cdb, sizeof cdb};
        struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf};
        struct cmsghdr *c = CMSG_FIRSTHDR(&m);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &w->devfd, sizeof(int));
        if (sendmsg(s, &m, 0) != sizeof cdb || read_full(s, reply, 104) < 0) {
            w->errors++;
            break;
        }
        uint32_t size = (reply[4] << 24) | (reply[5] << 16) | (reply[6] << 8) | reply[7];
        if (size && read_full(s, reply + 104, size) < 0) {
            w->errors++;
            break;
        }
        double dt = now() - t0;
        if (w->done < w->cap) w->lat_us[w->done] = (uint32_t)(dt * 1e6 + 0.5);
        w->done++;
    }
    close(s);
    return NULL;
}

static int cmp(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: %s SOCKET DEVICE CONNECTIONS SECONDS\n", argv[0]);
        return 2;
    }
    int n = atoi(argv[3]);
    double secs = atof(argv[4]);
    int devfd = open(argv[2], O_RDWR);
    if (devfd < 0) {
        perror(argv[2]);
        return 2;
    }
    struct worker *w = calloc(n, sizeof *w);
    pthread_t *t = calloc(n, sizeof *t);
    uint32_t *samples = malloc(sizeof(uint32_t) * MAX_SAMPLES);
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, n + 1);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 256 * 1024);
    long cap = MAX_SAMPLES / n;
    for (int i = 0; i < n; i++) {
        w[i] = (struct worker){argv[1], devfd, secs, 0, 0, samples + i * cap, cap, &start};
        pthread_create(&t[i], &attr, run, &w[i]);
    }
    pthread_barrier_wait(&start);
    double t0 = now();
    long done = 0, errors = 0, kept = 0;
    for (int i = 0; i < n; i++) {
        pthread_join(t[i], NULL);
        done += w[i].done;
        errors += w[i].errors;
    }
    double elapsed = now() - t0;
    /* Compact the per-thread slices into one array of samples. */
    for (int i = 0; i < n; i++) {
        long k = w[i].done < cap ? w[i].done : cap;
        memmove(samples + kept, w[i].lat_us, k * sizeof(uint32_t));
        kept += k;
    }
    qsort(samples, kept, sizeof(uint32_t), cmp);
#define PCT(p) (kept ? samples[(long)((kept - 1) * (p))] : 0)
    printf("conns=%d requests=%ld errors=%ld ops/s=%.0f p50_us=%u p99_us=%u p999_us=%u max_us=%u\n", n, done,
           errors, done / elapsed, PCT(0.50), PCT(0.99), PCT(0.999), kept ? samples[kept - 1] : 0);
    return errors ? 1 : 0;
}
