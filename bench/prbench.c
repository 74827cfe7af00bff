/*
 * Closed-loop load generator for the pr-helper protocol: N connections, each on its own thread,
 * send PERSISTENT RESERVE IN / READ KEYS (or PR OUT REGISTER AND IGNORE EXISTING KEY) with a
 * descriptor attached and wait for the reply.
 * Prints one line: connections, requests, errors, ops/s, latency p50/p99/p999/max in microseconds
 * (latency.h, the same line as sgio-direct.c).
 *
 *   prbench [-c readkeys|regignore] [-k KEY] [-g] SOCKET DEVICE[,DEVICE...] CONNECTIONS SECONDS [INTERVAL [PID]]
 *
 * -c regignore sends REGISTER AND IGNORE EXISTING KEY with service action key KEY (-k, default 0;
 * register KEY on every device and path first, then it changes nothing). With several devices,
 * connection i sends the descriptor of device i % ndevices (each device opened once, O_RDWR).
 * -g counts a reply whose SCSI status is not GOOD as an error (without it only a broken
 * connection is one: on /dev/null every reply is CHECK CONDITION).
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

#include "latency.h"

/* The whole run, and the current interval (emptied by each interval's report). */
static struct histogram total, interval;

static enum command command = READ_KEYS;
static uint64_t key;
static int need_good;   /* -g: a reply whose SCSI status is not GOOD counts as an error */

struct worker {
    const char *sock;
    int devfd;
    double seconds;
    pthread_barrier_t *start;
};

static void fail_one(void) {
    __atomic_fetch_add(&total.errors, 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&interval.errors, 1, __ATOMIC_RELAXED);
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
    unsigned char req[16 + PR_OUT_PARAM_LEN];
    build_command(command, key, req, req + 16);
    size_t reqlen = command == READ_KEYS ? 16 : 16 + PR_OUT_PARAM_LEN;
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
        struct iovec iov = {req, reqlen};
        struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf};
        struct cmsghdr *c = CMSG_FIRSTHDR(&m);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &w->devfd, sizeof(int));
        uint32_t size = 0;
        if (sendmsg(s, &m, MSG_NOSIGNAL) != (ssize_t)reqlen || read_full(s, reply, 104) < 0
            || ((size = (reply[4] << 24) | (reply[5] << 16) | (reply[6] << 8) | reply[7]) > 8192)
            || (size && read_full(s, reply + 104, size) < 0)) {
            close(s);
            s = -1;
            continue;
        }
        uint32_t us = (uint32_t)((now() - t0) * 1e6 + 0.5);
        if (need_good && (reply[0] | reply[1] | reply[2] | reply[3])) {
            fail_one();
            continue;
        }
        record(&total, us);
        record(&interval, us);
    }
    if (s >= 0) close(s);
    return NULL;
}

static void usage(const char *me) {
    fprintf(stderr, "usage: %s [-c readkeys|regignore] [-k KEY] [-g] SOCKET DEVICE[,DEVICE...] CONNECTIONS SECONDS"
            " [INTERVAL [PID]]\n", me);
    exit(2);
}

int main(int argc, char **argv) {
    for (int o; (o = getopt(argc, argv, "c:k:g")) != -1;) {
        if (o == 'c' && parse_command(optarg, &command) == 0) continue;
        else if (o == 'k') key = strtoull(optarg, NULL, 0);
        else if (o == 'g') need_good = 1;
        else usage(argv[0]);
    }
    argc -= optind - 1;
    argv += optind - 1;
    if (argc < 5 || argc > 7) usage(argv[0]);
    int n = atoi(argv[3]);
    double secs = atof(argv[4]);
    double every = argc > 5 ? atof(argv[5]) : 0;
    long pid = argc > 6 ? atol(argv[6]) : 0;
    int devfds[256], ndev = 0;
    for (char *save = NULL, *d = strtok_r(argv[2], ",", &save); d; d = strtok_r(NULL, ",", &save)) {
        if (ndev == 256) {
            fprintf(stderr, "at most 256 devices\n");
            return 2;
        }
        if ((devfds[ndev++] = open(d, O_RDWR)) < 0) {
            perror(d);
            return 2;
        }
    }
    if (ndev == 0) usage(argv[0]);
    struct worker *w = calloc(n, sizeof *w);
    pthread_t *t = calloc(n, sizeof *t);
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, n + 1);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 256 * 1024);
    for (int i = 0; i < n; i++) {
        w[i] = (struct worker){argv[1], devfds[i % ndev], secs, &start};
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
