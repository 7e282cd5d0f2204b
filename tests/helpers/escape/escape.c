/* brick-escape: attack primitives run inside test containers by
 * tests/integration/test_escapes.py and test_landlock.py. Each subcommand
 * tries one thing and prints one line: "OK [detail]" or "ERR <errno> <text>",
 * exit status 0 either way (64 on usage errors). Built static by the tests. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static int res(int r)
{
    if (r < 0)
        printf("ERR %d %s\n", errno, strerror(errno));
    else
        printf("OK\n");
    return 0;
}

static int cmd_open(const char *path, int flags)
{
    int fd = open(path, flags | O_CLOEXEC);
    if (fd < 0)
        return res(-1);
    printf("OK fd=%d\n", fd);
    return 0;
}

static int cmd_write(const char *path, const char *data)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return res(-1);
    return res(write(fd, data, strlen(data)) < 0 ? -1 : 0);
}

static int cmd_tcp(int port, int do_bind)
{
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        return res(-1);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
    /* bind: any address (lo may be down in a new netns); connect: loopback.
     * Landlock decides before the address is looked at. */
    sa.sin_addr.s_addr = htonl(do_bind ? INADDR_ANY : INADDR_LOOPBACK);
    if (do_bind)
        return res(bind(s, (struct sockaddr *)&sa, sizeof(sa)));
    return res(connect(s, (struct sockaddr *)&sa, sizeof(sa)));
}

static int cmd_unix_abstract(const char *name)
{
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    size_t n = strlen(name);
    if (s < 0 || n + 1 > sizeof(sa.sun_path))
        return res(-1);
    memcpy(sa.sun_path + 1, name, n);
    return res(connect(s, (struct sockaddr *)&sa, offsetof(struct sockaddr_un, sun_path) + 1 + n));
}

/* TIOCSTI: push a byte into the input queue of the terminal on fd. */
static int cmd_tiocsti(int fd, const char *text)
{
    for (const char *c = text; *c; c++)
        if (ioctl(fd, TIOCSTI, c) < 0)
            return res(-1);
    return res(0);
}

/* Is fd our controlling terminal? TIOCGSID answers only for the caller's
 * own controlling terminal (ENOTTY otherwise): the precondition of a
 * TIOCSTI injection, whatever dev.tty.legacy_tiocsti says. */
static int cmd_ctty(int fd)
{
    pid_t sid;
    if (ioctl(fd, TIOCGSID, &sid) < 0)
        return res(-1);
    printf("OK sid=%d\n", (int)sid);
    return 0;
}

/* Look a "user" key up by description in our session keyring. */
static int cmd_key_search(const char *desc)
{
    long id = syscall(SYS_keyctl, 10 /* KEYCTL_SEARCH */, -3 /* KEY_SPEC_SESSION_KEYRING */, "user", desc, 0);
    if (id < 0)
        return res(-1);
    printf("OK key=%ld\n", id);
    return 0;
}

static int cmd_mknod_open(const char *path, int maj, int min)
{
    if (mknod(path, S_IFBLK | 0600, makedev(maj, min)) < 0 && errno != EEXIST)
        return res(-1);
    return cmd_open(path, O_RDONLY);
}

static int cmd_mount(const char *src, const char *dst, const char *type, const char *data)
{
    mkdir(dst, 0755);
    return res(mount(src, dst, type, 0, data));
}

static int cmd_socket(int family, int type)
{
    int s = socket(family, type | SOCK_CLOEXEC, 0);
    return res(s < 0 ? -1 : 0);
}

static int cmd_ptrace(pid_t pid)
{
    long r = ptrace(PTRACE_ATTACH, pid, 0, 0);
    if (r == 0)
        ptrace(PTRACE_DETACH, pid, 0, 0);
    return res((int)r);
}

/* CVE-2019-5736 probe: every way this process could reach an executable of
 * the runtime. Prints the target and whether it opened for writing. */
static int cmd_exe_write(const char *path)
{
    char buf[4096];
    ssize_t n = readlink(path, buf, sizeof(buf) - 1);
    buf[n < 0 ? 0 : n] = '\0';
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        printf("ERR %d %s target=%s\n", errno, strerror(errno), buf);
        return 0;
    }
    printf("OK target=%s\n", buf);
    return 0;
}

/* The CVE-2019-5736 pattern: hold an O_PATH handle on an executable while
 * it runs, and once nothing executes it any more (no ETXTBSY), reopen it for
 * writing through /proc/self/fd. Nothing is ever written. Runs in the
 * background; the verdict goes to outfile. */
static int cmd_exe_hold(const char *path, const char *outfile)
{
    int fd = open(path, O_PATH | O_CLOEXEC);
    FILE *out = fopen(outfile, "we");
    if (!out)
        return res(-1);
    setvbuf(out, NULL, _IONBF, 0);
    if (fd < 0) {
        fprintf(out, "ERR %d open O_PATH %s\n", errno, path);
        return 0;
    }
    if (fork() != 0)
        return 0;
    setsid();
    char p[64];
    snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
    int e = 0;
    for (int i = 0; i < 60; i++) { /* 3 s */
        int w = open(p, O_WRONLY | O_CLOEXEC);
        if (w >= 0) {
            fprintf(out, "OK opened the runtime binary for writing\n");
            _exit(0);
        }
        e = errno;
        usleep(50000);
    }
    fprintf(out, "ERR %d %s\n", e, strerror(e));
    _exit(0);
}

/* CVE-2016-9962: race every new process of this pid namespace while it is
 * still the runtime (comm "brick", before its execve) for /proc/PID/mem
 * (read-write) and /proc/PID/environ (looking for marker), or SIGSTOP it
 * (stop=1). Runs until the file `until` exists; prints
 * "OK seen=N runtime=N mem=N environ=N stopped=N". */
static int read_small(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, size - 1);
    close(fd);
    if (n < 0)
        return -1;
    buf[n] = '\0';
    return (int)n;
}

static int mem_has(int pid, int mfd, const char *marker)
{
    char path[64], maps[16384];
    snprintf(path, sizeof(path), "/proc/%d/maps", pid);
    if (read_small(path, maps, sizeof(maps)) <= 0)
        return 0;
    for (char *line = maps; line && *line;) {
        char *next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        unsigned long lo, hi;
        char perm[8];
        if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perm) == 3 && perm[0] == 'r' && perm[1] == 'w' &&
            hi - lo <= (64UL << 20)) {
            static char chunk[1 << 16];
            size_t ml = strlen(marker);
            for (unsigned long at = lo; at < hi; at += sizeof(chunk) - ml) {
                size_t len = hi - at < sizeof(chunk) ? hi - at : sizeof(chunk);
                ssize_t n = pread(mfd, chunk, len, (off_t)at);
                if (n <= 0)
                    break;
                if (memmem(chunk, (size_t)n, marker, ml))
                    return 1;
            }
        }
        line = next;
    }
    return 0;
}

/* One try at pid; 1 while it is still the runtime (try again), 0 once
 * done with it. */
/* SIGSTOP pid while it is still the runtime. A stop that lands after its
 * execve (the signal is acted on at the return to user space) stops the
 * program instead, which `brick exec` rightly waits for: once the process is
 * really stopped, a comm that no longer says "brick" means that happened,
 * and the stop is undone. 1: the runtime was stopped. */
static int stop_runtime(int pid)
{
    char path[64], buf[512];
    if (kill(pid, SIGSTOP) < 0)
        return 0;
    snprintf(path, sizeof(path), "/proc/%d/stat", pid);
    for (int i = 0; i < 2000; i++) { /* up to ~2 s */
        const char *rp = read_small(path, buf, sizeof(buf)) > 0 ? strrchr(buf, ')') : NULL;
        if (!rp)
            return 0; /* gone */
        if (rp[1] == ' ' && (rp[2] == 'T' || rp[2] == 't'))
            break;
        usleep(1000);
    }
    snprintf(path, sizeof(path), "/proc/%d/comm", pid);
    if (read_small(path, buf, sizeof(buf)) > 0 && strncmp(buf, "brick", 5) == 0)
        return 1;
    kill(pid, SIGCONT);
    return 0;
}

static int race_one(int pid, const char *marker, int stop, unsigned char *flags, unsigned long *c)
{
    char path[64], comm[64], data[16384];
    snprintf(path, sizeof(path), "/proc/%d/comm", pid);
    if (read_small(path, comm, sizeof(comm)) < 0 || strncmp(comm, "brick", 5) != 0)
        return 0;
    if (!(*flags & 1)) {
        *flags |= 1;
        c[1]++; /* runtime */
    }
    if (stop && !(*flags & 2)) {
        *flags |= 2; /* tried once */
        c[4] += (unsigned long)stop_runtime(pid);
    }
    snprintf(path, sizeof(path), "/proc/%d/mem", pid);
    int mfd = open(path, O_RDWR | O_CLOEXEC);
    if (mfd >= 0) {
        /* opened on the runtime's memory, or on the program it exec'd a
         * moment later? The fd keeps the memory map of its opening: the
         * runtime's heap holds the container's config (with marker in an
         * annotation), which no program of the container ever sees. */
        if (mem_has(pid, mfd, marker) && !(*flags & 4)) {
            *flags |= 4;
            c[2]++;
        }
        close(mfd);
    }
    snprintf(path, sizeof(path), "/proc/%d/cmdline", pid); /* no ptrace check: any user */
    int clen = read_small(path, data, sizeof(data));
    for (int i = 0; i < clen; i++)
        if (data[i] == '\0')
            data[i] = ' ';
    if (clen > 0 && strstr(data, marker) && !(*flags & 16)) {
        *flags |= 16;
        c[5]++;
    }
    snprintf(path, sizeof(path), "/proc/%d/environ", pid);
    int len = read_small(path, data, sizeof(data));
    for (int i = 0; i < len; i++)
        if (data[i] == '\0')
            data[i] = '\n';
    if (len > 0 && strstr(data, marker) && !(*flags & 8)) {
        *flags |= 8;
        c[3]++;
    }
    return 1;
}

static int cmd_race_proc(const char *until, const char *marker, int stop)
{
    static unsigned char state[1 << 22]; /* bit 0x80: seen */
    static int active[4096];
    int n_active = 0;
    unsigned long c[6] = {0}; /* seen runtime mem environ stopped cmdline */
    pid_t self = getpid();
    for (unsigned long loop = 0;; loop++) {
        if ((loop & 63) == 0 && access(until, F_OK) == 0)
            break;
        /* the runtime processes seen so far, again: each is tried until it
         * exec'd or died (the hole opens at its identity switch) */
        for (int i = 0; i < n_active;) {
            if (race_one(active[i], marker, stop, &state[active[i]], c))
                i++;
            else
                active[i] = active[--n_active];
        }
        int dfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
            return res(-1);
        char buf[8192];
        long n;
        while ((n = syscall(SYS_getdents64, dfd, buf, sizeof(buf))) > 0) {
            for (long off = 0; off < n;) {
                struct {
                    unsigned long long ino;
                    long long off;
                    unsigned short reclen;
                    unsigned char type;
                    char name[];
                } *d = (void *)(buf + off);
                off += d->reclen;
                int pid = atoi(d->name);
                if (pid <= 1 || pid == self || pid >= (int)sizeof(state) || (state[pid] & 0x80))
                    continue;
                state[pid] |= 0x80;
                c[0]++;
                if (race_one(pid, marker, stop, &state[pid], c) && n_active < 4096)
                    active[n_active++] = pid;
            }
        }
        close(dfd);
    }
    printf("OK seen=%lu runtime=%lu mem=%lu environ=%lu stopped=%lu cmdline=%lu\n", c[0], c[1], c[2], c[3],
           c[4], c[5]);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 64;
    const char *c = argv[1];
    setvbuf(stdout, NULL, _IONBF, 0);
    if (!strcmp(c, "open-read") && argc == 3)
        return cmd_open(argv[2], O_RDONLY);
    if (!strcmp(c, "open-write") && argc == 3)
        return cmd_open(argv[2], O_WRONLY);
    if (!strcmp(c, "write") && argc == 4)
        return cmd_write(argv[2], argv[3]);
    if (!strcmp(c, "exec") && argc >= 3) {
        execv(argv[2], argv + 2);
        return res(-1);
    }
    if (!strcmp(c, "tcp-bind") && argc == 3)
        return cmd_tcp(atoi(argv[2]), 1);
    if (!strcmp(c, "tcp-connect") && argc == 3)
        return cmd_tcp(atoi(argv[2]), 0);
    if (!strcmp(c, "unix-connect") && argc == 3)
        return cmd_unix_abstract(argv[2]);
    if (!strcmp(c, "kill") && argc == 4)
        return res(kill(atoi(argv[2]), atoi(argv[3])));
    if (!strcmp(c, "tiocsti") && argc == 4)
        return cmd_tiocsti(atoi(argv[2]), argv[3]);
    if (!strcmp(c, "ctty") && argc == 3)
        return cmd_ctty(atoi(argv[2]));
    if (!strcmp(c, "mkdir") && argc == 3)
        return res(mkdir(argv[2], 0755));
    if (!strcmp(c, "key-search") && argc == 3)
        return cmd_key_search(argv[2]);
    if (!strcmp(c, "mknod-open") && argc == 5)
        return cmd_mknod_open(argv[2], atoi(argv[3]), atoi(argv[4]));
    if (!strcmp(c, "mount") && argc == 6)
        return cmd_mount(argv[2], argv[3], argv[4], argv[5][0] ? argv[5] : NULL);
    if (!strcmp(c, "socket") && argc == 4)
        return cmd_socket(atoi(argv[2]), atoi(argv[3]));
    if (!strcmp(c, "ptrace") && argc == 3)
        return cmd_ptrace(atoi(argv[2]));
    if (!strcmp(c, "exe-write") && argc == 3)
        return cmd_exe_write(argv[2]);
    if (!strcmp(c, "exe-hold") && argc == 4)
        return cmd_exe_hold(argv[2], argv[3]);
    if (!strcmp(c, "race-proc") && argc == 5)
        return cmd_race_proc(argv[2], argv[3], atoi(argv[4]));
    fprintf(stderr, "brick-escape: bad usage\n");
    return 64;
}
