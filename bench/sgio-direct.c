/*
 * The device's own latency, without a helper: N threads in a closed loop, each issuing PERSISTENT
 * RESERVE IN / READ KEYS (or PR OUT REGISTER AND IGNORE EXISTING KEY with a key already
 * registered, which changes nothing) with the SG_IO ioctl itself, thread i on device i % ndevices.
 * Prints the same line as prbench (latency.h): connections, requests, errors, ops/s, latency
 * p50/p99/p999/max in microseconds. An error is an ioctl that fails or a reply that is not GOOD
 * (status, host_status or driver_status not 0); the first few are described on stderr.
 *
 *   sgio-direct [-c readkeys|regignore] [-k KEY] [-t MS] [-s] [-r] [-b] [-L LEN] [-w SECONDS]
 *               CONNECTIONS SECONDS DEVICE...
 *
 * By default every thread opens each device it uses itself (O_RDWR) and has its own sg_io_hdr,
 * sense and data buffers, with an SG_IO timeout of 30000 ms. For the investigation of lost
 * commands (e2e/README.md, "The SAN lab"): -s one descriptor per device shared by its threads
 * (what a helper does: every descriptor QEMU passes is the same open file), -r open
 * O_RDONLY|O_NONBLOCK, -t MS the SG_IO timeout (qemu-pr-helper asks 1), -b ONE sg_io_hdr, sense
 * and data buffer shared by all threads (a client bug, to show what it does), -L LEN the cmd_len
 * (default 16 like qemu-pr-helper; the PR CDBs are 10 bytes).
 * A thread that has not come back SECONDS + -w (default 30) seconds after the start is reported
 * stuck with its kernel stack (/proc/self/task/TID/stack), and the program exits with status 3
 * without waiting for it (the thread stays in the kernel until its command completes).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <scsi/sg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "latency.h"

static struct histogram total;
static enum command command = READ_KEYS;
static uint64_t key;
static unsigned timeout_ms = 30000;
static int shared_fd, read_only, shared_buffers, cmd_len = 16;
static int reported;

/* The buffers of -b: one set for every thread. */
static struct sg_io_hdr shared_hdr;
static unsigned char shared_sense[96], shared_data[8192];

struct worker {
    const char *device;
    int fd;              /* the shared descriptor (-s), else -1: the thread opens its own */
    double end;
    pthread_barrier_t *start;
    int done;            /* set (atomically) when the thread leaves its loop */
    pid_t tid;
};

static void error_once(const char *device, const char *what, const struct sg_io_hdr *h, const unsigned char *sense) {
    if (__atomic_fetch_add(&reported, 1, __ATOMIC_RELAXED) >= 5) return;
    if (h)
        fprintf(stderr, "%s: %s status=0x%x host_status=0x%x driver_status=0x%x sense=%02x/%02x/%02x duration=%u ms\n",
                device, what, h->status, h->host_status, h->driver_status, sense[2] & 0xf, sense[12], sense[13],
                h->duration);
    else
        fprintf(stderr, "%s: %s: %s\n", device, what, strerror(errno));
}

static void *run(void *arg) {
    struct worker *w = arg;
    w->tid = (pid_t)syscall(SYS_gettid);
    int fd = w->fd;
    if (fd < 0 && (fd = open(w->device, read_only ? O_RDONLY | O_NONBLOCK : O_RDWR)) < 0) error_once(w->device, "open", NULL, NULL);
    unsigned char cdb[16], param[PR_OUT_PARAM_LEN];
    build_command(command, key, cdb, param);
    static __thread unsigned char own_sense[96], own_data[8192];
    struct sg_io_hdr own_hdr;
    struct sg_io_hdr *h = shared_buffers ? &shared_hdr : &own_hdr;
    unsigned char *sense = shared_buffers ? shared_sense : own_sense;
    unsigned char *data = shared_buffers ? shared_data : own_data;
    pthread_barrier_wait(w->start);
    while (fd >= 0) {
        double t0 = now();
        if (t0 >= w->end) break;
        /* Filled like qemu-pr-helper's do_sgio_worker: cmd_len 16, a 96-byte sense buffer. */
        memset(h, 0, sizeof *h);
        h->interface_id = 'S';
        h->cmd_len = cmd_len;
        h->cmdp = cdb;
        h->mx_sb_len = sizeof own_sense;
        h->sbp = sense;
        h->timeout = timeout_ms;
        if (command == READ_KEYS) {
            h->dxfer_direction = SG_DXFER_FROM_DEV;
            h->dxferp = data;
            h->dxfer_len = 8192;
        } else {
            h->dxfer_direction = SG_DXFER_TO_DEV;
            h->dxferp = param;
            h->dxfer_len = PR_OUT_PARAM_LEN;
        }
        if (ioctl(fd, SG_IO, h) < 0) {
            error_once(w->device, "SG_IO", NULL, NULL);
            __atomic_fetch_add(&total.errors, 1, __ATOMIC_RELAXED);
            usleep(10000);
            continue;
        }
        uint32_t us = (uint32_t)((now() - t0) * 1e6 + 0.5);
        if (h->status || h->host_status || h->driver_status) {
            error_once(w->device, "not GOOD:", h, sense);
            __atomic_fetch_add(&total.errors, 1, __ATOMIC_RELAXED);
            continue;
        }
        record(&total, us);
    }
    if (fd < 0) __atomic_fetch_add(&total.errors, 1, __ATOMIC_RELAXED);
    if (fd >= 0 && w->fd < 0) close(fd);
    __atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
    return NULL;
}

static void usage(const char *me) {
    fprintf(stderr, "usage: %s [-c readkeys|regignore] [-k KEY] [-t MS] [-s] [-r] [-b] [-L LEN] [-w SECONDS] CONNECTIONS SECONDS"
            " DEVICE...\n", me);
    exit(2);
}

int main(int argc, char **argv) {
    double grace = 30;
    for (int o; (o = getopt(argc, argv, "c:k:t:srbL:w:")) != -1;) {
        if (o == 'c' && parse_command(optarg, &command) == 0) continue;
        else if (o == 'k') key = strtoull(optarg, NULL, 0);
        else if (o == 't') timeout_ms = (unsigned)strtoul(optarg, NULL, 0);
        else if (o == 's') shared_fd = 1;
        else if (o == 'r') read_only = 1;
        else if (o == 'b') shared_buffers = 1;
        else if (o == 'L') cmd_len = atoi(optarg);
        else if (o == 'w') grace = atof(optarg);
        else usage(argv[0]);
    }
    if (argc - optind < 3) usage(argv[0]);
    int n = atoi(argv[optind]);
    double secs = atof(argv[optind + 1]);
    char **devices = argv + optind + 2;
    int ndev = argc - optind - 2;
    if (n < 1) usage(argv[0]);
    int *fds = calloc(ndev, sizeof *fds);
    for (int d = 0; d < ndev; d++) {
        fds[d] = -1;
        if (shared_fd && (fds[d] = open(devices[d], read_only ? O_RDONLY | O_NONBLOCK : O_RDWR)) < 0) {
            perror(devices[d]);
            return 2;
        }
    }
    struct worker *w = calloc(n, sizeof *w);
    pthread_t *t = calloc(n, sizeof *t);
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, n + 1);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 256 * 1024);
    double t0 = now();
    for (int i = 0; i < n; i++) {
        w[i] = (struct worker){devices[i % ndev], fds[i % ndev], t0 + secs, &start, 0, 0};
        pthread_create(&t[i], &attr, run, &w[i]);
    }
    pthread_barrier_wait(&start);
    t0 = now();
    for (int i = 0; i < n; i++) w[i].end = t0 + secs;   /* thread start-up not counted */
    /* Wait for every thread, but not for ever: a command the kernel never completes keeps its
     * thread in the kernel (uninterruptible), and that is what we want to see. */
    int stuck = 0;
    for (int i = 0; i < n; i++) {
        while (!__atomic_load_n(&w[i].done, __ATOMIC_ACQUIRE) && now() < t0 + secs + grace) usleep(20000);
        if (!__atomic_load_n(&w[i].done, __ATOMIC_ACQUIRE)) stuck++;
    }
    double elapsed = now() - t0;
    if (stuck) elapsed = secs;
    printf("conns=%d ", n);
    print_figures(&total, elapsed);
    if (stuck) printf(" stuck=%d", stuck);
    printf("\n");
    fflush(stdout);
    if (stuck) {
        for (int i = 0, shown = 0; i < n && shown < 4; i++) {
            if (__atomic_load_n(&w[i].done, __ATOMIC_ACQUIRE)) continue;
            shown++;
            char path[64], buf[4096];
            snprintf(path, sizeof path, "/proc/self/task/%d/stack", w[i].tid);
            FILE *f = fopen(path, "r");
            size_t len = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
            buf[len] = 0;
            if (f) fclose(f);
            fprintf(stderr, "stuck: thread %d (tid %d, %s), kernel stack:\n%s", i, w[i].tid, w[i].device, buf);
        }
        fflush(stderr);
        _exit(3);
    }
    for (int i = 0; i < n; i++) pthread_join(t[i], NULL);
    return total.errors ? 1 : 0;
}
