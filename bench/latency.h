/*
 * The latency histogram and the result line shared by bench/prbench.c (through a helper) and
 * bench/sgio-direct.c (SG_IO issued by the client itself), so that both print the same figures.
 * Latencies go into a log-linear histogram (exact below 128 us, then within 1/64 = 1.6 %; the
 * upper bound of a bucket is reported), so a run of any length keeps every sample.
 */
#ifndef PRBENCH_LATENCY_H
#define PRBENCH_LATENCY_H
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* Values below 2^SUB_BITS+1 us have a bucket each; above, each power of two has 2^SUB_BITS. */
#define SUB_BITS 6
#define EXACT (2 << SUB_BITS)
#define BUCKETS (EXACT + (32 - SUB_BITS - 1) * (1 << SUB_BITS))

struct histogram {
    uint64_t count[BUCKETS];
    uint64_t errors;
    uint32_t max;
};

static inline int bucket_of(uint32_t us) {
    if (us < EXACT) return us;
    int e = 31 - __builtin_clz(us);
    return EXACT + (e - SUB_BITS - 1) * (1 << SUB_BITS) + ((us >> (e - SUB_BITS)) & ((1 << SUB_BITS) - 1));
}

/* The largest value that falls into bucket b. */
static inline uint64_t upper_of(int b) {
    if (b < EXACT) return b;
    int e = (b - EXACT) / (1 << SUB_BITS) + SUB_BITS + 1, sub = (b - EXACT) % (1 << SUB_BITS);
    return ((uint64_t)((1 << SUB_BITS) + sub + 1) << (e - SUB_BITS)) - 1;
}

static inline void record(struct histogram *h, uint32_t us) {
    __atomic_fetch_add(&h->count[bucket_of(us)], 1, __ATOMIC_RELAXED);
    uint32_t m = __atomic_load_n(&h->max, __ATOMIC_RELAXED);
    while (us > m && !__atomic_compare_exchange_n(&h->max, &m, us, 1, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
    }
}

/* Moves h's counts into out (h is left empty while workers keep adding to it). */
static inline void drain(struct histogram *h, struct histogram *out) {
    for (int i = 0; i < BUCKETS; i++) out->count[i] = __atomic_exchange_n(&h->count[i], 0, __ATOMIC_RELAXED);
    out->errors = __atomic_exchange_n(&h->errors, 0, __ATOMIC_RELAXED);
    out->max = __atomic_exchange_n(&h->max, 0, __ATOMIC_RELAXED);
}

static inline uint64_t requests_in(const struct histogram *h) {
    uint64_t n = 0;
    for (int i = 0; i < BUCKETS; i++) n += h->count[i];
    return n;
}

static inline uint64_t percentile(const struct histogram *h, double p) {
    uint64_t n = requests_in(h), seen = 0;
    if (n == 0) return 0;
    uint64_t rank = (uint64_t)((n - 1) * p);
    for (int i = 0; i < BUCKETS; i++) {
        seen += h->count[i];
        if (seen > rank) return upper_of(i);
    }
    return 0;
}

static inline void print_figures(const struct histogram *h, double seconds) {
    uint64_t n = requests_in(h);
    printf("requests=%llu errors=%llu ops/s=%.0f p50_us=%llu p99_us=%llu p999_us=%llu max_us=%u",
           (unsigned long long)n, (unsigned long long)h->errors, n / seconds, (unsigned long long)percentile(h, 0.50),
           (unsigned long long)percentile(h, 0.99), (unsigned long long)percentile(h, 0.999), h->max);
}

static inline double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

/* The PR commands the benchmarks send: PR IN READ KEYS with an 8 KiB allocation length, or PR OUT
 * REGISTER AND IGNORE EXISTING KEY (service action 6) whose service action reservation key is the
 * key already registered, which changes nothing (the key must have been registered before). */
enum command { READ_KEYS, REGISTER_IGNORE };
#define PR_OUT_PARAM_LEN 24

static inline void build_command(enum command c, uint64_t key, unsigned char cdb[16], unsigned char param[PR_OUT_PARAM_LEN]) {
    for (int i = 0; i < 16; i++) cdb[i] = 0;
    for (int i = 0; i < PR_OUT_PARAM_LEN; i++) param[i] = 0;
    if (c == READ_KEYS) {
        cdb[0] = 0x5e;          /* PERSISTENT RESERVE IN, service action 0 READ KEYS */
        cdb[7] = 0x20;          /* allocation length 8192 */
    } else {
        cdb[0] = 0x5f;          /* PERSISTENT RESERVE OUT */
        cdb[1] = 0x06;          /* REGISTER AND IGNORE EXISTING KEY */
        cdb[8] = PR_OUT_PARAM_LEN;
        for (int i = 0; i < 8; i++) param[8 + i] = (unsigned char)(key >> (56 - 8 * i));  /* SA RESERVATION KEY */
    }
}

static inline int parse_command(const char *s, enum command *c) {
    if (!strcmp(s, "readkeys")) *c = READ_KEYS;
    else if (!strcmp(s, "regignore")) *c = REGISTER_IGNORE;
    else return -1;
    return 0;
}
#endif
