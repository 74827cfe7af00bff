/*
 * Closed-loop load generator for the pr-helper protocol: N connections, each on its own thread,
 * send PERSISTENT RESERVE IN / READ KEYS with a descriptor attached and wait for the reply.
 * Prints one line: connections, requests, errors, ops/s, latency p50/p99/p999/max in microseconds.
 * Latencies go into a log-linear histogram (exact below 128 us, then within 1/64 = 1.6 %; the
 * upper bound of a bucket is reported), so a run of any length keeps every sample.
 *
 *   prbench SOCKET DEVICE CONNECTIONS SECONDS [INTERVAL [PID]]
 *
 * With INTERVAL (seconds) it also prints a line per interval with that interval's figures, and
 * with PID the server's open descriptors and RSS at that moment (for soak runs). A request that
 * fails counts as an error; the connection is then opened again, so a soak keeps its load.
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

#include <dirent.h>

/* Values below 2^SUB_BITS+1 us have a bucket each; above, each power of two has 2^SUB_BITS. */
#define SUB_BITS 6
#define EXACT (2 << SUB_BITS)
#define BUCKETS (EXACT + (32 - SUB_BITS - 1) * (1 << SUB_BITS))

struct histogram {
    uint64_t count[BUCKETS];
    uint64_t errors;
    uint32_t max;
};

/* The whole run, and the current interval (emptied by each interval's report). */
static struct histogram total, interval;

struct worker {
    const char *sock;
    int devfd;
    double seconds;
    pthread_barrier_t *start;
};

static int bucket_of(uint32_t us) {
    if (us < EXACT) return us;
    int e = 31 - __builtin_clz(us);
    return EXACT + (e - SUB_BITS - 1) * (1 << SUB_BITS) + ((us >> (e - SUB_BITS)) & ((1 << SUB_BITS) - 1));
}

/* The largest value that falls into bucket b. */
static uint64_t upper_of(int b) {
    if (b < EXACT) return b;
    int e = (b - EXACT) / (1 << SUB_BITS) + SUB_BITS + 1, sub = (b - EXACT) % (1 << SUB_BITS);
    return ((uint64_t)((1 << SUB_BITS) + sub + 1) << (e - SUB_BITS)) - 1;
}

static void record(struct histogram *h, uint32_t us) {
    __atomic_fetch_add(&h->count[bucket_of(us)], 1, __ATOMIC_RELAXED);
    uint32_t m = __atomic_load_n(&h->max, __ATOMIC_RELAXED);
    while (us > m && !__atomic_compare_exchange_n(&h->max, &m, us, 1, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
    }
}

static void fail_one(void) {
    __atomic_fetch_add(&total.errors, 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&interval.errors, 1, __ATOMIC_RELAXED);
}

/* Moves h's counts into out (h is left empty while workers keep adding to it). */
static void drain(struct histogram *h, struct histogram *out) {
    for (int i = 0; i < BUCKETS; i++) out->count[i] = __atomic_exchange_n(&h->count[i], 0, __ATOMIC_RELAXED);
    out->errors = __atomic_exchange_n(&h->errors, 0, __ATOMIC_RELAXED);
    out->max = __atomic_exchange_n(&h->max, 0, __ATOMIC_RELAXED);
}

static uint64_t requests_in(const struct histogram *h) {
    uint64_t n = 0;
    for (int i = 0; i < BUCKETS; i++) n += h->count[i];
    return n;
}

static uint64_t percentile(const struct histogram *h, double p) {
    uint64_t n = requests_in(h), rank = (uint64_t)((n - 1) * p), seen = 0;
    if (n == 0) return 0;
    for (int i = 0; i < BUCKETS; i++) {
        seen += h->count[i];
        if (seen > rank) return upper_of(i);
    }
    return 0;
}

static void print_figures(const struct histogram *h, double seconds) {
    uint64_t n = requests_in(h);
    printf("requests=%llu errors=%llu ops/s=%.0f p50_us=%llu p99_us=%llu p999_us=%llu max_us=%u",
           (unsigned long long)n, (unsigned long long)h->errors, n / seconds, (unsigned long long)percentile(h, 0.50),
           (unsigned long long)percentile(h, 0.99), (unsigned long long)percentile(h, 0.999), h->max);
}

/* Open descriptors and VmRSS (KiB) of process pid, -1 if it is gone. */
static void server_state(long pid, long *fds, long *rss_kb) {
    char path[64];
    *fds = *rss_kb = -1;
    snprintf(path, sizeof path, "/proc/%ld/fd", pid);
    DIR *d = opendir(path);
    if (d) {
        *fds = 0;
        for (struct dirent *e; (e = readdir(d));) if (e->d_name[0] != '.') (*fds)++;
        closedir(d);
    }
    snprintf(path, sizeof path, "/proc/%ld/status", pid);
    FILE *f = fopen(path, "r");
    if (f) {
        char line[256];
        while (fgets(line, sizeof line, f)) sscanf(line, "VmRSS: %ld", rss_kb);
        fclose(f);
    }
}

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
    unsigned char cdb[16] = {0x5e, 0, 0, 0, 0, 0, 0, 0x20, 0x00};
    static __thread unsigned char reply[8 + 96 + 8192];
    char cbuf[CMSG_SPACE(sizeof(int))];
    double end = now() + w->seconds;
    while (1) {
        double t0 = now();
        if (t0 >= end) break;
        if (s < 0) {
            /* A failed connect or request: count it, pause so a dead server is not spun on, retry. */
            fail_one();
            usleep(10000);
            s = connect_to(w->sock);
            continue;
        }
        struct iovec iov = {cdb, sizeof cdb};
        struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf};
        struct cmsghdr *c = CMSG_FIRSTHDR(&m);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &w->devfd, sizeof(int));
        uint32_t size = 0;
        if (sendmsg(s, &m, MSG_NOSIGNAL) != sizeof cdb || read_full(s, reply, 104) < 0
            || ((size = (reply[4] << 24) | (reply[5] << 16) | (reply[6] << 8) | reply[7]) > 8192)
            || (size && read_full(s, reply + 104, size) < 0)) {
            close(s);
            s = -1;
            continue;
        }
        uint32_t us = (uint32_t)((now() - t0) * 1e6 + 0.5);
        record(&total, us);
        record(&interval, us);
    }
    if (s >= 0) close(s);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 5 || argc > 7) {
        fprintf(stderr, "usage: %s SOCKET DEVICE CONNECTIONS SECONDS [INTERVAL [PID]]\n", argv[0]);
        return 2;
    }
    int n = atoi(argv[3]);
    double secs = atof(argv[4]);
    double every = argc > 5 ? atof(argv[5]) : 0;
    long pid = argc > 6 ? atol(argv[6]) : 0;
    int devfd = open(argv[2], O_RDWR);
    if (devfd < 0) {
        perror(argv[2]);
        return 2;
    }
    struct worker *w = calloc(n, sizeof *w);
    pthread_t *t = calloc(n, sizeof *t);
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, n + 1);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 256 * 1024);
    for (int i = 0; i < n; i++) {
        w[i] = (struct worker){argv[1], devfd, secs, &start};
        pthread_create(&t[i], &attr, run, &w[i]);
    }
    pthread_barrier_wait(&start);
    double t0 = now();
    if (every > 0) {
        static struct histogram slice;
        long fds, rss_kb;
        for (double next = t0 + every; next <= t0 + secs + every / 2; next += every) {
            double left = next - now();
            if (left > 0) usleep((useconds_t)(left * 1e6));
            drain(&interval, &slice);
            printf("interval t_s=%.0f conns=%d ", now() - t0, n);
            print_figures(&slice, every);
            if (pid > 0) {
                server_state(pid, &fds, &rss_kb);
                printf(" server_fds=%ld server_rss_kb=%ld", fds, rss_kb);
            }
            printf("\n");
            fflush(stdout);
        }
    }
    for (int i = 0; i < n; i++) pthread_join(t[i], NULL);
    double elapsed = now() - t0;
    printf("conns=%d ", n);
    print_figures(&total, elapsed);
    printf("\n");
    return total.errors ? 1 : 0;
}
