/*
 * prhelper-vm: the per-VM pr-helper process for libvirt's qemu.conf pr_helper.
 *
 * libvirt starts one helper per VM and counts it against the VM's cgroup, so this process stays tiny:
 * it binds the VM's socket, hands the listening descriptor to the shared prhelper agent over the
 * agent's control socket (SCM_RIGHTS) and waits. The agent serves it; this process only keeps the
 * socket (and its file) alive, so QEMU's connections wait in the backlog whenever the agent restarts,
 * and hands it over again when the agent is back. SIGTERM ends the control connection (the agent
 * stops serving the socket and closes its connections), removes the socket file and exits 0.
 *
 * Control protocol (agent side: bundles/handoff): one message "PRVM", version 1, uint16 big-endian
 * length, the socket path, with the listening socket as the only SCM_RIGHTS descriptor; the agent
 * answers one line, "OK <name>" or "ERR <reason>"; end of stream on either side ends the handoff.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PROG "prhelper-vm"
#define DEFAULT_SOCKET "/var/run/qemu-pr-helper.sock"
#define DEFAULT_PIDFILE "/var/run/qemu-pr-helper.pid"
#define DEFAULT_CONTROL "/run/prhelper/control.sock"
#define CONTROL_ENV "PRHELPER_CONTROL_SOCKET"
#define BACKLOG 128
/* A JVM agent started on demand takes about 1.5 s here; allow for a loaded machine. */
#define AGENT_START_MS 60000
#define RETRY_MS 200
#define REPLY_MS 10000
/* An agent being restarted (systemd, an admin) is back within this; only then start one ourselves. */
#define RESTART_GRACE_MS 3000

static int verbosity = 1; /* 0 -q, 1 default, 2 and more -v */
static sigset_t run_mask;  /* the mask we run with: stop signals blocked, taken only in ppoll */
static sigset_t orig_mask; /* the inherited mask, restored for the agent we may start */
static volatile sig_atomic_t stop_signal;

static void say(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(int level, const char *fmt, ...)
{
    va_list ap;
    if (level > verbosity) {
        return;
    }
    va_start(ap, fmt);
    fputs(PROG ": ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static void on_signal(int sig)
{
    stop_signal = sig;
}

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void usage(void)
{
    printf("Usage: " PROG " [OPTIONS]\n"
           "Per-VM persistent reservation helper for QEMU: serves the socket through the shared\n"
           "prhelper agent (qemu-pr-helper's options, for libvirt's pr_helper)\n"
           "\n"
           "  -h, --help                display this help and exit\n"
           "  -V, --version             output version information and exit\n"
           "\n"
           "  -d, --daemon              run in the background\n"
           "  -f, --pidfile=PATH        PID file when running as a daemon\n"
           "                            (default '" DEFAULT_PIDFILE "')\n"
           "  -k, --socket=PATH         path to the unix socket\n"
           "                            (default '" DEFAULT_SOCKET "')\n"
           "  -T, --trace=...           accepted; tracing is the agent's (its log, -T of qemu-pr-helper)\n"
           "  -u, --user=USER           checked, then ignored: the agent does the privileged work\n"
           "  -g, --group=GROUP         checked, then ignored\n"
           "  -v, --verbose             report handoffs and reconnections\n"
           "  -q, --quiet               errors only\n"
           "  -c, --control=PATH        the agent's control socket (default $" CONTROL_ENV
           ", else '" DEFAULT_CONTROL "')\n"
           "\n"
           "When no agent answers on the control socket, " PROG " starts one: bin/qemu-pr-helper next\n"
           "to it, in a session of its own, serving <control folder>/agent.sock.\n");
}

static int valid_user(const char *u)
{
    char *end;
    errno = 0;
    strtoul(u, &end, 10);
    return (*u && !*end && !errno) || getpwnam(u) != NULL;
}

static int valid_group(const char *g)
{
    char *end;
    errno = 0;
    strtoul(g, &end, 10);
    return (*g && !*end && !errno) || getgrnam(g) != NULL;
}

static int fill_address(struct sockaddr_un *a, const char *path)
{
    memset(a, 0, sizeof(*a));
    a->sun_family = AF_UNIX;
    if (strlen(path) >= sizeof(a->sun_path)) {
        return -1;
    }
    strcpy(a->sun_path, path);
    return 0;
}

/* A connected control socket, or -1 with errno (ENOENT, ECONNREFUSED: no agent). */
static int connect_control(const char *control)
{
    struct sockaddr_un a;
    int fd;
    if (fill_address(&a, control) < 0) {
        errno = ENAMETOOLONG;
        return -1;
    }
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return -1;
    }
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

/* Our cgroup line(s) from /proc/self/cgroup; empty when unreadable. */
static void read_cgroup(char *buf, size_t size)
{
    ssize_t n = -1;
    int fd = open("/proc/self/cgroup", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        n = read(fd, buf, size - 1);
        close(fd);
    }
    buf[n > 0 ? n : 0] = '\0';
}

/*
 * Starts bin/qemu-pr-helper as the shared agent, detached: a session of its own, reparented to init
 * (double fork), init's mount namespace, no descriptor of ours (the pidfile lock libvirt gave us must
 * die with us), the inherited signal mask and dispositions. It lands in our cgroup as of now: the caller makes sure
 * that is not the VM's (see main).
 */
static int start_agent(const char *control)
{
    char exe[PATH_MAX], launcher[PATH_MAX + 32], agent_socket[PATH_MAX + 32];
    char *slash;
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    pid_t child;
    int status;

    if (n < 0) {
        say(0, "cannot find my own program (/proc/self/exe): %s", strerror(errno));
        return -1;
    }
    exe[n] = '\0';
    slash = strrchr(exe, '/');
    *slash = '\0';
    snprintf(launcher, sizeof(launcher), "%s/qemu-pr-helper", exe);
    snprintf(agent_socket, sizeof(agent_socket), "%s", control);
    slash = strrchr(agent_socket, '/');
    strcpy(slash + 1, "agent.sock");
    if (access(launcher, X_OK) < 0) {
        say(0, "no agent answers on %s, and it cannot be started: %s: %s", control, launcher, strerror(errno));
        return -1;
    }
    say(1, "no agent answers on %s: starting %s -k %s", control, launcher, agent_socket);
    child = fork();
    if (child < 0) {
        say(0, "fork: %s", strerror(errno));
        return -1;
    }
    if (child == 0) {
        int null;
        pid_t agent;
        if (setsid() < 0 || (agent = fork()) < 0) {
            _exit(1);
        }
        if (agent > 0) {
            _exit(0); /* the intermediate exits, so the agent is nobody's child here */
        }
        /* libvirt runs the helper in the VM's mount namespace, whose /dev holds that VM's devices
         * only; the agent serves every VM (and the multipath backend opens path devices), so it goes
         * back to init's mount namespace where it may (root; not inside a restricted container). */
        null = open("/proc/1/ns/mnt", O_RDONLY | O_CLOEXEC);
        if (null < 0) {
            say(2, "the agent stays in this mount namespace: /proc/1/ns/mnt: %s", strerror(errno));
        } else {
            if (setns(null, CLONE_NEWNS) < 0) {
                say(1, "the agent stays in this mount namespace: setns: %s", strerror(errno));
            }
            close(null);
        }
        null = open("/dev/null", O_RDWR);
        if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0 || chdir("/") < 0) {
            _exit(127);
        }
        if (close_range(3, ~0U, 0) < 0) {
            for (int fd = 3; fd < 1024; fd++) {
                close(fd);
            }
        }
        signal(SIGPIPE, SIG_DFL);
        sigprocmask(SIG_SETMASK, &orig_mask, NULL);
        if (setenv(CONTROL_ENV, control, 1) < 0) {
            _exit(127);
        }
        execl(launcher, "qemu-pr-helper", "-k", agent_socket, (char *)NULL);
        _exit(127);
    }
    while (waitpid(child, &status, 0) < 0) {
        if (errno != EINTR) {
            say(0, "waitpid: %s", strerror(errno));
            return -1;
        }
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        say(0, "could not start %s: setsid or fork failed", launcher);
        return -1;
    }
    return 0;
}

/* Sleeps up to ms, returning early (1) when a stop signal arrives. */
static int pause_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    ppoll(NULL, 0, &ts, &orig_mask);
    return stop_signal != 0;
}

/*
 * Sends the handoff and reads the agent's answer. 0: served; 1: the agent went away meanwhile (try
 * again); 2: a stop signal came while waiting for the answer; -1: refused (printed) or failed.
 */
static int hand_over(int control, int listening, const char *path)
{
    unsigned char msg[7 + sizeof(((struct sockaddr_un *)0)->sun_path)];
    size_t len = strlen(path);
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } u;
    struct iovec iov;
    struct msghdr mh;
    struct cmsghdr *cm;
    char reply[512];
    size_t got = 0;
    long deadline = now_ms() + REPLY_MS;

    memcpy(msg, "PRVM", 4);
    msg[4] = 1;
    msg[5] = (unsigned char)(len >> 8);
    msg[6] = (unsigned char)len;
    memcpy(msg + 7, path, len);
    iov.iov_base = msg;
    iov.iov_len = 7 + len;
    memset(&mh, 0, sizeof(mh));
    memset(&u, 0, sizeof(u));
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    mh.msg_control = u.buf;
    mh.msg_controllen = sizeof(u.buf);
    cm = CMSG_FIRSTHDR(&mh);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cm), &listening, sizeof(int));
    /* One message of at most 114 bytes: a Unix stream socket takes it whole or fails. */
    if (sendmsg(control, &mh, MSG_NOSIGNAL) != (ssize_t)iov.iov_len) {
        if (errno == EPIPE || errno == ECONNRESET) {
            return 1;
        }
        say(0, "sending the socket to the agent: %s", strerror(errno));
        return -1;
    }
    while (got < sizeof(reply) - 1 && !memchr(reply, '\n', got)) {
        struct pollfd p = {control, POLLIN, 0};
        long left = deadline - now_ms();
        struct timespec ts = {left / 1000, (left % 1000) * 1000000L};
        ssize_t n;
        if (left <= 0) {
            say(0, "the agent did not answer the handoff within %d s", REPLY_MS / 1000);
            return -1;
        }
        if (ppoll(&p, 1, &ts, &orig_mask) < 0) {
            if (errno == EINTR && stop_signal) {
                return 2; /* a stop like any other, not a failure: exit 0 after the usual clean-up */
            }
            continue;
        }
        n = read(control, reply + got, sizeof(reply) - 1 - got);
        if (n == 0 || (n < 0 && errno == ECONNRESET)) {
            return 1;
        }
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN) {
                continue;
            }
            say(0, "reading the agent's answer: %s", strerror(errno));
            return -1;
        }
        got += (size_t)n;
        reply[got] = '\0';
    }
    reply[got] = '\0';
    reply[strcspn(reply, "\n")] = '\0';
    if (strncmp(reply, "OK ", 3) == 0) {
        say(2, "the agent serves %s as socket %s", path, reply + 3);
        return 0;
    }
    say(0, "the agent refused %s: %s", path, strncmp(reply, "ERR ", 4) == 0 ? reply + 4 : reply);
    return -1;
}

/* Writes our pid to path under an fcntl lock held until exit, as qemu-pr-helper does. */
static int write_pidfile(const char *path)
{
    struct flock lock = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
    char line[32];
    int len = snprintf(line, sizeof(line), "%ld\n", (long)getpid());
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        say(0, "cannot open pid file %s: %s", path, strerror(errno));
        return -1;
    }
    /* fcntl locks belong to the process: the lock libvirt's daemonizing step took for us is ours. */
    if (fcntl(fd, F_SETLK, &lock) < 0) {
        say(0, "cannot lock pid file %s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    if (ftruncate(fd, 0) < 0 || write(fd, line, (size_t)len) != len) {
        say(0, "cannot write pid file %s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    return fd; /* kept open: closing any descriptor of the file would drop the lock */
}

/*
 * A listening socket whose path appears only once it listens: libvirt waits for the path, and QEMU
 * connects the moment it exists; between bind and listen a connect would be refused. So bind to a
 * temporary name in the same folder, listen, then rename into place, which also replaces a stale
 * file atomically (qemu-pr-helper unlinks it). A path too long for the temporary name is bound
 * directly after unlinking, with that short window.
 */
static int bind_listening(const char *path, struct stat *st)
{
    struct sockaddr_un a;
    const char *slash = strrchr(path, '/');
    char tmp[sizeof(a.sun_path)];
    int n = snprintf(tmp, sizeof(tmp), "%.*s/.prhelper-vm.%ld", (int)(slash - path), path, (long)getpid());
    const char *bound = n > 0 && (size_t)n < sizeof(tmp) ? tmp : path;
    int fd;

    if ((unlink(bound) < 0 && errno != ENOENT) || fill_address(&a, bound) < 0) {
        say(0, "Failed to remove %s: %s", bound, strerror(errno));
        return -1;
    }
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        say(0, "socket: %s", strerror(errno));
        return -1;
    }
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
        say(0, "Failed to bind socket to %s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    if (listen(fd, BACKLOG) < 0 || (bound != path && rename(bound, path) < 0) || lstat(path, st) < 0) {
        say(0, "Failed to listen on %s: %s", path, strerror(errno));
        unlink(bound);
        close(fd);
        return -1;
    }
    return fd;
}

/* Removes path only if it is still the file we created (dev and inode), not a successor's. */
static void unlink_if_ours(const char *path, const struct stat *ours)
{
    struct stat now;
    if (lstat(path, &now) == 0 && now.st_dev == ours->st_dev && now.st_ino == ours->st_ino
        && unlink(path) < 0) {
        say(1, "cannot remove %s: %s", path, strerror(errno));
    }
}

int main(int argc, char **argv)
{
    static const struct option longs[] = {
        {"help", no_argument, NULL, 'h'},       {"version", no_argument, NULL, 'V'},
        {"daemon", no_argument, NULL, 'd'},     {"pidfile", required_argument, NULL, 'f'},
        {"socket", required_argument, NULL, 'k'}, {"trace", required_argument, NULL, 'T'},
        {"user", required_argument, NULL, 'u'}, {"group", required_argument, NULL, 'g'},
        {"verbose", no_argument, NULL, 'v'},    {"quiet", no_argument, NULL, 'q'},
        {"control", required_argument, NULL, 'c'}, {NULL, 0, NULL, 0},
    };
    const char *socket_path = DEFAULT_SOCKET, *pidfile = DEFAULT_PIDFILE, *control = NULL;
    const char *user = NULL, *group = NULL;
    int daemonize = 0, socket_set = 0, pidfile_set = 0, failed = 0, opt;
    int listening = -1, control_fd, pid_fd = -1, activated = 0, ready[2] = {-1, -1};
    struct stat socket_stat, pid_stat;
    struct sockaddr_un addr;
    struct sigaction sa;
    char cgroup_at_start[4096], cgroup_now[4096];
    long started_agent_at = -1, lost_at = 0;
    const char *listen_pid = getenv("LISTEN_PID"), *listen_fds = getenv("LISTEN_FDS");

    while ((opt = getopt_long(argc, argv, "hVdf:k:T:u:g:vqc:", longs, NULL)) != -1) {
        switch (opt) {
        case 'h': usage(); return 0;
        case 'V': printf(PROG " (prhelper) " PRHELPER_VERSION "\n"); return 0;
        case 'd': daemonize = 1; break;
        case 'f': pidfile = optarg; pidfile_set = 1; break;
        case 'k': socket_path = optarg; socket_set = 1; break;
        case 'T': break; /* QEMU trace events name nothing here; the agent logs (and traces) requests */
        case 'u': user = optarg; break;
        case 'g': group = optarg; break;
        case 'v': verbosity++; break;
        case 'q': verbosity = 0; break;
        case 'c': control = optarg; break;
        default:
            fprintf(stderr, "%s: Try `%s --help' for more information.\n", argv[0], argv[0]);
            return 1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "%s: unexpected argument '%s'\n", PROG, argv[optind]);
        return 1;
    }
    if (user && !valid_user(user)) {
        say(0, "invalid user '%s'", user);
        return 1;
    }
    if (group && !valid_group(group)) {
        say(0, "invalid group '%s'", group);
        return 1;
    }
    if (!control) {
        control = getenv(CONTROL_ENV) && *getenv(CONTROL_ENV) ? getenv(CONTROL_ENV) : DEFAULT_CONTROL;
    }
    if (control[0] != '/' || strlen(control) >= sizeof(addr.sun_path)) {
        say(0, "control socket path must be absolute and at most %zu bytes", sizeof(addr.sun_path) - 1);
        return 1;
    }
    if (listen_fds && listen_pid && strtol(listen_pid, NULL, 10) == (long)getpid()) {
        /* systemd socket activation, as qemu-pr-helper: serve descriptor 3 */
        if (strcmp(listen_fds, "1") != 0) {
            say(0, "does not support socket activation with LISTEN_FDS > 1");
            return 1;
        }
        if (socket_set) {
            say(0, "Unix socket can't be set when using socket activation");
            return 1;
        }
        activated = 1;
        listening = 3;
    } else if (socket_path[0] != '/') {
        say(0, "socket path must be absolute");
        return 1;
    } else if (fill_address(&addr, socket_path) < 0) {
        say(0, "socket path too long: %s", socket_path);
        return 1;
    }
    if (user || group) {
        say(2, "-u/-g: the shared agent does the privileged work with its own credentials; ignored");
    }

    /* Stop signals are taken only inside ppoll, so none is lost between a check and a wait. */
    sigemptyset(&run_mask);
    sigaddset(&run_mask, SIGTERM);
    sigaddset(&run_mask, SIGINT);
    sigaddset(&run_mask, SIGHUP);
    if (sigprocmask(SIG_BLOCK, &run_mask, &orig_mask) < 0) {
        say(0, "sigprocmask: %s", strerror(errno));
        return 1;
    }
    sigdelset(&orig_mask, SIGTERM);
    sigdelset(&orig_mask, SIGINT);
    sigdelset(&orig_mask, SIGHUP);
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGTERM, &sa, NULL) < 0 || sigaction(SIGINT, &sa, NULL) < 0
        || sigaction(SIGHUP, &sa, NULL) < 0 || signal(SIGPIPE, SIG_IGN) == SIG_ERR) {
        say(0, "sigaction: %s", strerror(errno));
        return 1;
    }

    /*
     * The agent is found, or started, before our socket path exists: libvirt moves this process into
     * the VM's cgroup only once the path appears, so an agent started now stays where we were started
     * (libvirtd's cgroup) instead of counting against, and being killed with, the VM.
     */
    read_cgroup(cgroup_at_start, sizeof(cgroup_at_start));
    control_fd = connect_control(control);
    if (control_fd < 0) {
        if (errno != ENOENT && errno != ECONNREFUSED) {
            say(0, "cannot connect to the agent's control socket %s: %s", control, strerror(errno));
            return 1;
        }
        if (start_agent(control) < 0) {
            return 1;
        }
        started_agent_at = now_ms();
    }

    if (!activated && (listening = bind_listening(socket_path, &socket_stat)) < 0) {
        return 1;
    }
    if (pidfile_set && !daemonize) {
        pid_fd = write_pidfile(pidfile);
        if (pid_fd < 0 || fstat(pid_fd, &pid_stat) < 0) {
            if (!activated) {
                unlink_if_ours(socket_path, &socket_stat);
            }
            return 1;
        }
    }

    for (;;) {
        int r;
        while (control_fd < 0 && !stop_signal) {
            control_fd = connect_control(control);
            if (control_fd >= 0) {
                break;
            }
            read_cgroup(cgroup_now, sizeof(cgroup_now));
            if (started_agent_at >= 0 && now_ms() - started_agent_at > AGENT_START_MS) {
                say(0, "no agent answers on %s; started one %d s ago (its log: data/qemu-pr-helper/*/log of "
                       "the distribution, or $TMPDIR/prhelper-UID)", control, AGENT_START_MS / 1000);
                started_agent_at = -2; /* said once; keep waiting, the socket file stays */
            } else if (started_agent_at == -1 && now_ms() - lost_at > RESTART_GRACE_MS
                       && strcmp(cgroup_now, cgroup_at_start) == 0) {
                /* The agent went away and nobody has restarted it: start it, unless we were moved
                 * into the VM's cgroup meanwhile (libvirt always moves us), then wait for a restart. */
                if (start_agent(control) == 0) {
                    started_agent_at = now_ms();
                }
            }
            if (pause_ms(RETRY_MS)) {
                break;
            }
        }
        if (stop_signal) {
            break;
        }
        r = hand_over(control_fd, listening, activated ? "/run/qemu-pr-helper.sock" : socket_path);
        if (r == 2) {
            break;
        }
        if (r < 0) {
            close(control_fd);
            if (!activated) {
                unlink_if_ours(socket_path, &socket_stat);
            }
            if (pid_fd >= 0) {
                unlink_if_ours(pidfile, &pid_stat);
            }
            return 1;
        }
        if (r == 1) {
            lost_at = now_ms();
        }
        if (r == 0) {
            started_agent_at = -1;
            if (daemonize) {
                /* -d: the parent returns once the socket is served; the child writes the pidfile (an
                 * fcntl lock is not inherited across fork) and tells the parent. */
                pid_t child;
                char ok = 0;
                int null = -1;
                if (pipe2(ready, O_CLOEXEC) < 0 || (child = fork()) < 0) {
                    say(0, "cannot daemonize: %s", strerror(errno));
                    failed = 1;
                    break;
                }
                if (child > 0) {
                    close(ready[1]);
                    _exit(read(ready[0], &ok, 1) == 1 ? 0 : 1);
                }
                close(ready[0]);
                daemonize = 0;
                if (setsid() < 0 || (pid_fd = write_pidfile(pidfile)) < 0 || fstat(pid_fd, &pid_stat) < 0
                    || (null = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0 || dup2(null, 0) < 0
                    || dup2(null, 1) < 0 || dup2(null, 2) < 0 || write(ready[1], "1", 1) != 1) {
                    say(0, "cannot daemonize: %s", strerror(errno));
                    failed = 1;
                    break; /* the parent sees no byte and exits 1; the files are removed below */
                }
                close(null);
                close(ready[1]);
            }
            /* Served: wait for a stop signal or the agent's end of the connection. */
            for (;;) {
                struct pollfd p = {control_fd, POLLIN, 0};
                char byte;
                ssize_t n;
                if (ppoll(&p, 1, NULL, &orig_mask) < 0) {
                    if (errno == EINTR && stop_signal) {
                        break;
                    }
                    continue;
                }
                n = read(control_fd, &byte, 1);
                if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) {
                    break;
                }
            }
            if (stop_signal) {
                break;
            }
            say(1, "the agent ended the handoff of %s; handing it off again when an agent answers on %s",
                socket_path, control);
            lost_at = now_ms();
        }
        close(control_fd);
        control_fd = -1;
    }

    /* Closing the control connection tells the agent to stop serving the socket and drop its clients. */
    if (control_fd >= 0) {
        close(control_fd);
    }
    if (!activated) {
        unlink_if_ours(socket_path, &socket_stat);
    }
    if (pid_fd >= 0) {
        unlink_if_ours(pidfile, &pid_stat);
    }
    if (!failed) {
        say(2, "stopped by signal %d", (int)stop_signal);
    }
    return failed;
}
