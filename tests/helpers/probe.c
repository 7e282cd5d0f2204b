/* brick-probe: a tiny static helper run inside test containers.
 * Each subcommand prints one machine-readable line on stdout and exits 0,
 * unless stated otherwise. Errors print "error <errno-name> <strerror>" and exit 2. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <unistd.h>

static int usage(void)
{
    fprintf(stderr, "usage: brick-probe fds|caps|ids|rlimits|cwd|umask|nnp|hostname|sleep-forever\n"
                    "       brick-probe mknod PATH | open PATH | write PATH | stat PATH\n"
                    "       brick-probe exit N | kill-self SIG\n");
    return 64;
}

static int fail(const char *what)
{
    int e = errno;
    printf("error %d %s: %s\n", e, what, strerror(e));
    fflush(stdout);
    return 2;
}

static int cmd_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return fail("opendir /proc/self/fd");
    int self = dirfd(d);
    int fds[4096], n = 0;
    struct dirent *de;
    while ((de = readdir(d)) && n < 4096) {
        if (de->d_name[0] == '.')
            continue;
        int fd = atoi(de->d_name);
        if (fd == self)
            continue;
        fds[n++] = fd;
    }
    closedir(d);
    /* sort ascending */
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && fds[j - 1] > fds[j]; j--) {
            int t = fds[j];
            fds[j] = fds[j - 1];
            fds[j - 1] = t;
        }
    printf("fds");
    for (int i = 0; i < n; i++)
        printf(" %d", fds[i]);
    printf("\n");
    return 0;
}

/* Print selected "Key:\tvalue" lines of /proc/self/status as "key=value". */
static int status_keys(const char *const *keys, int nkeys, const char *prefix)
{
    FILE *f = fopen("/proc/self/status", "re");
    if (!f)
        return fail("open /proc/self/status");
    char line[512];
    printf("%s", prefix);
    while (fgets(line, sizeof(line), f)) {
        for (int i = 0; i < nkeys; i++) {
            size_t kl = strlen(keys[i]);
            if (strncmp(line, keys[i], kl) == 0 && line[kl] == ':') {
                char *v = line + kl + 1;
                while (*v == '\t' || *v == ' ')
                    v++;
                v[strcspn(v, "\n")] = 0;
                printf(" %s=%s", keys[i], v);
            }
        }
    }
    fclose(f);
    printf("\n");
    return 0;
}

static int cmd_caps(void)
{
    static const char *const keys[] = {"CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"};
    return status_keys(keys, 5, "caps");
}

static int cmd_nnp(void)
{
    int r = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
    if (r < 0)
        return fail("prctl");
    printf("nnp %d\n", r);
    return 0;
}

static int cmd_ids(void)
{
    uid_t ru, eu, su;
    gid_t rg, eg, sg;
    gid_t groups[256];
    getresuid(&ru, &eu, &su);
    getresgid(&rg, &eg, &sg);
    int n = getgroups(256, groups);
    if (n < 0)
        return fail("getgroups");
    printf("ids uid=%u euid=%u suid=%u gid=%u egid=%u sgid=%u groups=", ru, eu, su, rg, eg, sg);
    for (int i = 0; i < n; i++)
        printf("%s%u", i ? "," : "", groups[i]);
    printf("\n");
    return 0;
}

static void print_lim(rlim_t v)
{
    if (v == RLIM_INFINITY)
        printf("unlimited");
    else
        printf("%llu", (unsigned long long)v);
}

static int cmd_rlimits(void)
{
    static const struct {
        const char *name;
        int res;
    } t[] = {
        {"CPU", RLIMIT_CPU},           {"FSIZE", RLIMIT_FSIZE},
        {"DATA", RLIMIT_DATA},         {"STACK", RLIMIT_STACK},
        {"CORE", RLIMIT_CORE},         {"RSS", RLIMIT_RSS},
        {"NPROC", RLIMIT_NPROC},       {"NOFILE", RLIMIT_NOFILE},
        {"MEMLOCK", RLIMIT_MEMLOCK},   {"AS", RLIMIT_AS},
        {"LOCKS", RLIMIT_LOCKS},       {"SIGPENDING", RLIMIT_SIGPENDING},
        {"MSGQUEUE", RLIMIT_MSGQUEUE}, {"NICE", RLIMIT_NICE},
        {"RTPRIO", RLIMIT_RTPRIO},     {"RTTIME", RLIMIT_RTTIME},
    };
    printf("rlimits");
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        struct rlimit rl;
        if (getrlimit(t[i].res, &rl) < 0)
            return fail("getrlimit");
        printf(" %s=", t[i].name);
        print_lim(rl.rlim_cur);
        printf(":");
        print_lim(rl.rlim_max);
    }
    printf("\n");
    return 0;
}

static int cmd_cwd(void)
{
    char buf[4096];
    if (!getcwd(buf, sizeof(buf)))
        return fail("getcwd");
    printf("cwd %s\n", buf);
    return 0;
}

static int cmd_umask(void)
{
    mode_t m = umask(0);
    umask(m);
    printf("umask %04o\n", (unsigned)m);
    return 0;
}

static int cmd_hostname(void)
{
    char h[256] = {0}, d[256] = {0};
    if (gethostname(h, sizeof(h) - 1) < 0)
        return fail("gethostname");
    if (getdomainname(d, sizeof(d) - 1) < 0)
        return fail("getdomainname");
    printf("hostname %s domainname %s\n", h, d);
    return 0;
}

/* Prints "ok" or "errno N NAME" — always exits 0 so callers parse the line. */
static void report(int r, const char *what)
{
    if (r >= 0)
        printf("%s ok\n", what);
    else
        printf("%s errno %d %s\n", what, errno, strerrorname_np(errno) ? strerrorname_np(errno) : "?");
}

static int cmd_open(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    report(fd, "open");
    if (fd >= 0)
        close(fd);
    return 0;
}

static int cmd_write(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd >= 0) {
        ssize_t n = write(fd, "probe\n", 6);
        close(fd);
        report(n < 0 ? -1 : 0, "write");
    } else {
        report(-1, "write");
    }
    return 0;
}

static int cmd_mknod(const char *path)
{
    report(mknod(path, S_IFCHR | 0666, makedev(1, 3)), "mknod");
    return 0;
}

static int cmd_stat(const char *path)
{
    struct stat st;
    if (lstat(path, &st) < 0) {
        report(-1, "stat");
        return 0;
    }
    const char *type = S_ISREG(st.st_mode)    ? "file"
                       : S_ISDIR(st.st_mode)  ? "dir"
                       : S_ISCHR(st.st_mode)  ? "char"
                       : S_ISBLK(st.st_mode)  ? "block"
                       : S_ISLNK(st.st_mode)  ? "link"
                       : S_ISFIFO(st.st_mode) ? "fifo"
                       : S_ISSOCK(st.st_mode) ? "socket"
                                              : "unknown";
    printf("stat type=%s dev=%u:%u mode=%04o uid=%u gid=%u size=%lld\n", type, major(st.st_rdev),
           minor(st.st_rdev), (unsigned)(st.st_mode & 07777), st.st_uid, st.st_gid, (long long)st.st_size);
    return 0;
}

static int cmd_sleep_forever(void)
{
    printf("sleeping %d\n", (int)getpid());
    fflush(stdout);
    for (;;)
        pause();
    return 0;
}

static int cmd_kill_self(const char *sig)
{
    int s = atoi(sig);
    fflush(stdout);
    signal(s, SIG_DFL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, s);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    kill(getpid(), s);
    raise(s);
    return 99; /* signal was ignored or blocked */
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc < 2)
        return usage();
    const char *c = argv[1];
    const char *arg = argc > 2 ? argv[2] : NULL;

    if (!strcmp(c, "fds"))
        return cmd_fds();
    if (!strcmp(c, "caps"))
        return cmd_caps();
    if (!strcmp(c, "ids"))
        return cmd_ids();
    if (!strcmp(c, "rlimits"))
        return cmd_rlimits();
    if (!strcmp(c, "cwd"))
        return cmd_cwd();
    if (!strcmp(c, "umask"))
        return cmd_umask();
    if (!strcmp(c, "nnp"))
        return cmd_nnp();
    if (!strcmp(c, "hostname"))
        return cmd_hostname();
    if (!strcmp(c, "sleep-forever"))
        return cmd_sleep_forever();
    if (!arg)
        return usage();
    if (!strcmp(c, "mknod"))
        return cmd_mknod(arg);
    if (!strcmp(c, "open"))
        return cmd_open(arg);
    if (!strcmp(c, "write"))
        return cmd_write(arg);
    if (!strcmp(c, "stat"))
        return cmd_stat(arg);
    if (!strcmp(c, "exit"))
        return atoi(arg);
    if (!strcmp(c, "kill-self"))
        return cmd_kill_self(arg);
    return usage();
}
