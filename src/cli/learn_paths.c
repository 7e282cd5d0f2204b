/* learn_paths.c — the files and ports a learning run touched, for its
 * Landlock policy (docs/PROFILES.md, docs/LANDLOCK.md).
 *
 * The supervisor already holds every notification of the run; for the
 * calls Landlock restricts (open*, execve*, mkdir*, mknod*, symlink*,
 * unlink*, rmdir, rename*, link*, truncate, bind, connect) it reads the
 * path or sockaddr argument from the task's memory (process_vm_readv,
 * at most PATH_MAX bytes, a page at a time, stopping at NUL) and, for a
 * relative path, the task's cwd or dirfd as the kernel names it
 * (readlink of /proc/PID/cwd, /proc/PID/fd/N: the link's text, never
 * followed) minus its root (/proc/PID/root), normalized lexically. To
 * learn only calls that can succeed (the supervisor answers before the
 * call runs and never sees its result), the path is looked up from the
 * task's root (probe(): openat2 RESOLVE_IN_ROOT, O_PATH, no magic links):
 * a name made that is there (EEXIST), one opened or removed that is not
 * (ENOENT), a change on a read-only file system (EROFS) give no right.
 * Nothing else the container names is opened, stat'ed or followed. The
 * notification is checked to be still valid after the reads (the pid was
 * not reused by a host process meanwhile); if not, what was read is
 * dropped. The call is answered CONTINUE
 * whatever was read: a thread of the container changing the string after
 * the read (TOCTOU) only makes the record wrong, never lets anything
 * through. Memory the container could make block a reader (userfaultfd)
 * is denied by the default profile learning runs within.
 *
 * Only the native architecture's calls are decoded. */
#include "cli/learn.h"
#include "core/cleanup.h"
#include "core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#ifndef O_PATH
#define O_PATH 010000000
#endif

enum kind {
    K_NONE,
    K_OPEN,
    K_OPENAT2,
    K_CREAT,
    K_EXEC,
    K_MAKE,
    K_REMOVE,
    K_RENAME,
    K_LINK,
    K_WRITE,
    K_BIND,
    K_CONNECT
};

/* Argument positions: dfd (-1: AT_FDCWD), path, second dfd/path, flags. */
static const struct pop {
    const char *name;
    int8_t dfd, path, dfd2, path2, flags;
    enum kind kind;
} ops[] = {
    {"open", -1, 0, -1, -1, 1, K_OPEN},         {"openat", 0, 1, -1, -1, 2, K_OPEN},
    {"openat2", 0, 1, -1, -1, 2, K_OPENAT2},    {"creat", -1, 0, -1, -1, -1, K_CREAT},
    {"execve", -1, 0, -1, -1, -1, K_EXEC},      {"execveat", 0, 1, -1, -1, -1, K_EXEC},
    {"mkdir", -1, 0, -1, -1, -1, K_MAKE},       {"mkdirat", 0, 1, -1, -1, -1, K_MAKE},
    {"mknod", -1, 0, -1, -1, -1, K_MAKE},       {"mknodat", 0, 1, -1, -1, -1, K_MAKE},
    {"symlink", -1, 1, -1, -1, -1, K_MAKE},     {"symlinkat", 1, 2, -1, -1, -1, K_MAKE},
    {"unlink", -1, 0, -1, -1, -1, K_REMOVE},    {"unlinkat", 0, 1, -1, -1, -1, K_REMOVE},
    {"rmdir", -1, 0, -1, -1, -1, K_REMOVE},     {"rename", -1, 0, -1, 1, -1, K_RENAME},
    {"renameat", 0, 1, 2, 3, -1, K_RENAME},     {"renameat2", 0, 1, 2, 3, -1, K_RENAME},
    {"link", -1, 0, -1, 1, -1, K_LINK},         {"linkat", 0, 1, 2, 3, -1, K_LINK},
    {"truncate", -1, 0, -1, -1, -1, K_WRITE},   {"bind", -1, -1, -1, -1, -1, K_BIND},
    {"connect", -1, -1, -1, -1, -1, K_CONNECT},
};

/* The op of a native syscall number; NULL for the others. */
static const struct pop *op_of(uint32_t arch, int nr)
{
    static uint32_t native;
    static int nrs[sizeof(ops) / sizeof(ops[0])];
    if (!native) {
        native = seccomp_arch_native();
        for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
            nrs[i] = seccomp_syscall_resolve_name_arch(native, ops[i].name);
    }
    if (arch != native || nr < 0)
        return NULL;
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
        if (nrs[i] == nr)
            return &ops[i];
    return NULL;
}

/* Up to len bytes at addr in pid, a page at a time (a string may end just
 * before an unmapped page); the count read, -1 on error. */
static ssize_t read_mem(pid_t pid, uint64_t addr, char *buf, size_t len)
{
    size_t got = 0;
    long page = sysconf(_SC_PAGESIZE);
    while (got < len) {
        size_t chunk = (size_t)page - (size_t)((addr + got) % (uint64_t)page);
        if (chunk > len - got)
            chunk = len - got;
        struct iovec l = {.iov_base = buf + got, .iov_len = chunk};
        struct iovec r = {.iov_base = (void *)(uintptr_t)(addr + got), .iov_len = chunk};
        ssize_t n = process_vm_readv(pid, &l, 1, &r, 1, 0);
        if (n <= 0)
            return got ? (ssize_t)got : -1;
        if (memchr(buf + got, 0, (size_t)n))
            return (ssize_t)(got + (size_t)n);
        got += (size_t)n;
    }
    return (ssize_t)got;
}

/* A NUL-terminated string of the task; false when unreadable, unterminated
 * within PATH_MAX or empty. */
static bool read_string(pid_t pid, uint64_t addr, char buf[PATH_MAX])
{
    ssize_t n = read_mem(pid, addr, buf, PATH_MAX);
    return n > 0 && memchr(buf, 0, (size_t)n) && buf[0];
}

/* The text of a /proc/PID link (not followed), bounded. */
static bool proc_link(pid_t pid, const char *what, char buf[PATH_MAX])
{
    char p[64];
    snprintf(p, sizeof(p), "/proc/%d/%s", (int)pid, what);
    ssize_t n = readlink(p, buf, PATH_MAX - 1);
    if (n <= 0)
        return false;
    buf[n] = 0;
    return buf[0] == '/';
}

/* buf (a path as the host names it) without root: false when not beneath it. */
static bool strip_root(char *buf, const char *root)
{
    if (streq(root, "/"))
        return true;
    size_t n = strlen(root);
    if (strncmp(buf, root, n) != 0 || (buf[n] != '/' && buf[n] != 0))
        return false;
    memmove(buf, buf + n, strlen(buf + n) + 1);
    if (!buf[0])
        strcpy(buf, "/");
    return true;
}

/* base (a cwd or dirfd of pid, as the host names it) in the container's
 * terms: without the task's root. */
static bool container_base(pid_t pid, int64_t dfd, char buf[PATH_MAX])
{
    char root[PATH_MAX], what[48];
    if (dfd == AT_FDCWD)
        snprintf(what, sizeof(what), "cwd");
    else if (dfd >= 0 && dfd < INT_MAX)
        snprintf(what, sizeof(what), "fd/%d", (int)dfd);
    else
        return false;
    return proc_link(pid, what, buf) && proc_link(pid, "root", root) && strip_root(buf, root);
}

/* rel joined to base and normalized lexically ("." and ".." and "//"): an
 * absolute path in out, false when too long. */
static bool normalize(const char *base, const char *rel, char out[PATH_MAX])
{
    char tmp[2 * PATH_MAX];
    if (rel[0] == '/')
        snprintf(tmp, sizeof(tmp), "%s", rel);
    else
        snprintf(tmp, sizeof(tmp), "%s/%s", base, rel);
    size_t o = 0;
    out[0] = 0;
    for (char *save = NULL, *c = strtok_r(tmp, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
        if (streq(c, "."))
            continue;
        if (streq(c, "..")) {
            char *slash = strrchr(out, '/');
            o = slash ? (size_t)(slash - out) : 0;
            out[o] = 0;
            continue;
        }
        size_t l = strlen(c);
        if (o + 1 + l + 1 > PATH_MAX)
            return false;
        out[o++] = '/';
        memcpy(out + o, c, l + 1);
        o += l;
    }
    if (!o)
        strcpy(out, "/");
    return true;
}

/* The path argument (dfd, path) of n in container terms. */
static bool arg_path(const struct seccomp_notif *n, int dfd_i, int path_i, char out[PATH_MAX])
{
    char rel[PATH_MAX], base[PATH_MAX] = "/";
    if (path_i < 0 || !read_string(n->pid, n->data.args[path_i], rel))
        return false;
    if (rel[0] != '/' &&
        !container_base(n->pid, dfd_i < 0 ? AT_FDCWD : (int64_t)(int)n->data.args[dfd_i], base))
        return false;
    return normalize(base, rel, out);
}

static void parent_of(const char *path, char out[PATH_MAX])
{
    snprintf(out, PATH_MAX, "%s", path);
    char *slash = strrchr(out, '/');
    if (slash == out)
        out[1] = 0;
    else if (slash)
        *slash = 0;
}

static bool beneath(const char *path, const char *dir);

/* What a call will find at path: nothing (it fails with ENOENT, or EEXIST
 * is impossible), a directory, something else; unknown when the probe
 * cannot tell (no access to /proc/PID/root: rootless; a magic link; /proc
 * and /dev, whose self links name the prober, not the task). */
enum found { F_UNKNOWN, F_ABSENT, F_OTHER, F_DIR };

/* path looked up in pid's root, as the task would: openat2 on
 * /proc/PID/root with RESOLVE_IN_ROOT (symlinks and ".." never leave it),
 * RESOLVE_NO_MAGICLINKS, O_PATH (nothing is opened: no FIFO blocks, no
 * device answers). *ro: the file system there is read-only (a write,
 * create or remove fails with EROFS whatever Landlock says). What is found
 * only trims the record (a call that will fail needs no right); it never
 * decides an answer. A task racing it only spoils its own record. */
static enum found probe(pid_t pid, const char *path, bool follow, bool *ro)
{
    *ro = false;
    if (beneath(path, "/proc") || beneath(path, "/dev"))
        return F_UNKNOWN;
    char root[64];
    snprintf(root, sizeof(root), "/proc/%d/root", (int)pid);
    _cleanup_close_ int rfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rfd < 0)
        return F_UNKNOWN;
    struct open_how how = {.flags = O_PATH | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW),
                           .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
    _cleanup_close_ int fd = (int)syscall(SYS_openat2, rfd, path, &how, sizeof(how));
    if (fd < 0)
        return errno == ENOENT || errno == ENOTDIR ? F_ABSENT : F_UNKNOWN;
    struct stat st;
    struct statvfs vfs;
    if (fstat(fd, &st) < 0)
        return F_UNKNOWN;
    *ro = fstatvfs(fd, &vfs) == 0 && (vfs.f_flag & ST_RDONLY);
    return S_ISDIR(st.st_mode) ? F_DIR : F_OTHER;
}

/* A name made in path's directory (mkdir, mknod, symlink, link, O_CREAT,
 * a socket bound): needed only if the name is not there yet, in a
 * directory that is there, on a writable file system. */
static bool make_needed(pid_t pid, const char *path)
{
    bool ro;
    char dir[PATH_MAX];
    enum found f = probe(pid, path, false, &ro);
    if (f != F_ABSENT && f != F_UNKNOWN)
        return false; /* EEXIST */
    snprintf(dir, sizeof(dir), "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash)
        slash[slash == dir ? 1 : 0] = 0;
    enum found d = probe(pid, dir, true, &ro);
    return d != F_ABSENT && !ro;
}

/* A name removed or renamed away (unlink, rmdir, rename's source), or a
 * file written (truncate): needed only if it is there, writable. */
static bool change_needed(pid_t pid, const char *path, bool follow)
{
    bool ro;
    enum found f = probe(pid, path, follow, &ro);
    return f != F_ABSENT && !ro;
}

static unsigned open_rights(uint64_t flags)
{
    if (flags & O_PATH)
        return 0;
    unsigned r = 0;
    int acc = (int)(flags & O_ACCMODE);
    /* without O_DIRECTORY the name may still be a directory (opened to
     * fsync it): read-dir too, on the rule's directory (rule_path) */
    if (acc == O_RDONLY || acc == O_RDWR)
        r |= flags & O_DIRECTORY ? LR_READ_DIR : LR_READ_FILE | LR_READ_DIR;
    if (acc == O_WRONLY || acc == O_RDWR || (flags & O_TRUNC))
        r |= LR_WRITE;
    return r;
}

/* A sockaddr's port (inet) or path (unix, not abstract). */
static void note_sockaddr(const struct seccomp_notif *n, bool bind_, char path[PATH_MAX], bool *has_path,
                          int *port)
{
    char sa[sizeof(struct sockaddr_un) + 1] = {0};
    uint64_t len = n->data.args[2];
    *has_path = false;
    *port = -1;
    if (len < sizeof(sa_family_t) || len > sizeof(struct sockaddr_un))
        return;
    if (read_mem(n->pid, n->data.args[1], sa, (size_t)len) != (ssize_t)len)
        return;
    sa_family_t fam;
    memcpy(&fam, sa, sizeof(fam));
    if ((fam == AF_INET || fam == AF_INET6) && len >= 4) {
        uint16_t p;
        memcpy(&p, sa + 2, sizeof(p));
        *port = ntohs(p);
    } else if (fam == AF_UNIX && bind_ && len > sizeof(sa_family_t) && sa[sizeof(sa_family_t)]) {
        char base[PATH_MAX] = "/";
        const char *rel = sa + sizeof(sa_family_t); /* NUL-terminated: sa is one byte longer */
        if (rel[0] == '/' || container_base(n->pid, AT_FDCWD, base))
            *has_path = normalize(base, rel, path);
    }
}

static void add_port(uint16_t *ports, size_t *n, int port, struct learn_record *rec)
{
    for (size_t i = 0; i < *n; i++)
        if (ports[i] == port)
            return;
    if (*n == LEARN_MAX_PORTS) {
        rec->paths_lost = true;
        rec->paths_why = "more than 256 ports";
        return;
    }
    ports[(*n)++] = (uint16_t)port;
}

/* What one call needs: up to two (path, rights) pairs and a port. */
struct need {
    pid_t pid;
    char made[PATH_MAX]; /* mkdir: the directory made */
    char path[2][PATH_MAX];
    unsigned rights[2];
    int port;
    bool bind_;
};

/* O_CREAT: the file may be made (`> /dev/null` opens with it too): create
 * on its directory, but not where files are not made (devices, /proc, /sys). */
static void note_creat(struct need *w, uint64_t flags)
{
    if (!(flags & O_CREAT) || beneath(w->path[0], "/dev") || beneath(w->path[0], "/proc") ||
        beneath(w->path[0], "/sys"))
        return;
    if (!make_needed(w->pid, w->path[0]))
        return; /* there already (or cannot be made): no create */
    parent_of(w->path[0], w->path[1]);
    w->rights[1] = LR_CREATE;
}

/* open*: the rights of what it opens, as found. */
static void open_needs(struct need *w, uint64_t flags)
{
    bool ro;
    enum found f = probe(w->pid, w->path[0], !(flags & O_NOFOLLOW), &ro);
    w->rights[0] = open_rights(flags);
    if (f == F_UNKNOWN) { /* as the flags say: read-file and read-dir without O_DIRECTORY */
        note_creat(w, flags);
        return;
    }
    if (f == F_DIR) /* read-dir on the directory itself; a write or O_CREAT fails (EISDIR) */
        w->rights[0] = (flags & (O_PATH | O_CREAT)) || (flags & O_ACCMODE) != O_RDONLY ? 0 : LR_READ_DIR;
    else if (f == F_OTHER && (flags & (O_CREAT | O_EXCL)) != (O_CREAT | O_EXCL))
        w->rights[0] &= ~(LR_READ_DIR | (ro ? LR_WRITE : 0)); /* a file; EROFS for a write */
    else if (f == F_OTHER || !(flags & O_CREAT) || !make_needed(w->pid, w->path[0]))
        w->rights[0] = 0; /* EEXIST (O_CREAT|O_EXCL), ENOENT, or nowhere to make it: the call fails */
    else {
        w->rights[0] &= ~LR_READ_DIR; /* a new file */
        note_creat(w, flags);
    }
}

static bool needs_of(const struct pop *op, const struct seccomp_notif *n, struct need *w)
{
    char p[PATH_MAX], p2[PATH_MAX];
    bool ro;
    w->port = -1;
    w->pid = (pid_t)n->pid;
    switch (op->kind) {
    case K_BIND:
    case K_CONNECT: {
        bool has_path;
        w->bind_ = op->kind == K_BIND;
        note_sockaddr(n, w->bind_, p, &has_path, &w->port);
        if (has_path && make_needed(w->pid, p)) { /* EADDRINUSE when the name is there */
            parent_of(p, w->path[0]);
            w->rights[0] = LR_CREATE;
        }
        return true;
    }
    case K_OPENAT2: {
        uint64_t flags = 0;
        if (!arg_path(n, op->dfd, op->path, w->path[0]) ||
            read_mem(n->pid, n->data.args[2], (char *)&flags, sizeof(flags)) != sizeof(flags))
            return false;
        open_needs(w, flags);
        return true;
    }
    case K_OPEN:
    case K_CREAT: {
        uint64_t flags = op->kind == K_CREAT ? (O_CREAT | O_WRONLY | O_TRUNC) : n->data.args[op->flags];
        if (!arg_path(n, op->dfd, op->path, w->path[0]))
            return false;
        open_needs(w, flags);
        return true;
    }
    case K_EXEC:
    case K_WRITE:
        if (!arg_path(n, op->dfd, op->path, w->path[0]))
            return false;
        /* execve opens the file for reading too (Landlock checks both) */
        w->rights[0] = op->kind == K_EXEC ? LR_EXECUTE | LR_READ_FILE : LR_WRITE;
        if (op->kind == K_EXEC ? probe(w->pid, w->path[0], true, &ro) == F_ABSENT
                               : !change_needed(w->pid, w->path[0], true))
            w->rights[0] = 0; /* ENOENT (a PATH search), EROFS: the call fails */
        return true;
    case K_MAKE:
    case K_REMOVE:
        if (!arg_path(n, op->dfd, op->path, p))
            return false;
        parent_of(p, w->path[0]);
        if (op->kind == K_MAKE ? !make_needed(w->pid, p) : !change_needed(w->pid, p, false))
            return true; /* EEXIST (mkdir -p of what is there), ENOENT, EROFS: the call fails */
        w->rights[0] = op->kind == K_MAKE ? LR_CREATE : LR_REMOVE;
        if (strncmp(op->name, "mkdir", 5) == 0)
            snprintf(w->made, sizeof(w->made), "%s", p);
        return true;
    case K_RENAME:
    case K_LINK: {
        if (!arg_path(n, op->dfd, op->path, p) || !arg_path(n, op->dfd2, op->path2, p2))
            return false;
        if (!change_needed(w->pid, p, false) || (op->kind == K_LINK && !make_needed(w->pid, p2)))
            return true; /* no source, EEXIST, EROFS: the call fails */
        parent_of(p, w->path[0]);
        parent_of(p2, w->path[1]);
        unsigned refer = streq(w->path[0], w->path[1]) ? 0 : LR_REFER;
        w->rights[0] = (op->kind == K_RENAME ? LR_REMOVE : 0) | refer;
        w->rights[1] = LR_CREATE | refer;
        return true;
    }
    case K_NONE: break;
    }
    return false;
}

static bool notif_valid(int nfd, uint64_t id) { return ioctl(nfd, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0; }

/* An execve whose path could not be read (the runtime's init is not
 * dumpable: a rootless supervisor may not read its memory): the binary is
 * the task's /proc/PID/exe at its next call. */
static void exec_pending(struct learn_record *rec, const struct seccomp_notif *n, int nfd)
{
    for (size_t i = 0; i < rec->n_exec_pending; i++) {
        if (rec->exec_pending[i] != (pid_t)n->pid)
            continue;
        rec->exec_pending[i] = rec->exec_pending[--rec->n_exec_pending];
        char exe[PATH_MAX], root[PATH_MAX];
        if (proc_link(n->pid, "exe", exe) && proc_link(n->pid, "root", root) && notif_valid(nfd, n->id) &&
            strip_root(exe, root))
            learn_path_add(rec, exe, LR_EXECUTE | LR_READ_FILE);
        return;
    }
}

void learn_paths_note(struct learn_record *rec, const struct seccomp_notif *n, int nfd)
{
    if (rec->paths_lost)
        return;
    exec_pending(rec, n, nfd);
    const struct pop *op = op_of(n->data.arch, n->data.nr);
    if (!op)
        return;
    _cleanup_free_ struct need *w = xcalloc(1, sizeof(*w));
    bool ok = needs_of(op, n, w);
    if (!ok && op->kind == K_EXEC && rec->n_exec_pending < sizeof(rec->exec_pending) / sizeof(pid_t))
        rec->exec_pending[rec->n_exec_pending++] = (pid_t)n->pid;
    /* The pid may have died and been reused by another process during the reads. */
    if (!ok || !notif_valid(nfd, n->id))
        return;
    for (int i = 0; i < 2; i++)
        if (w->rights[i])
            learn_path_add(rec, w->path[i], w->rights[i]);
    if (w->made[0])
        learn_made_add(rec, w->made);
    if (w->port >= 0)
        add_port(w->bind_ ? rec->bind : rec->connect, w->bind_ ? &rec->n_bind : &rec->n_connect, w->port,
                 rec);
}

/* Top-level directories of the system: reads and executes beneath them
 * collapse to one rule on the directory. */
static const char *const system_dirs[] = {"/usr",  "/lib", "/lib32", "/lib64", "/libx32", "/bin",
                                          "/sbin", "/etc", "/opt",   "/proc",  "/sys",    NULL};

static bool beneath(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    return strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == 0);
}

/* The path a rule for (path, rights) goes on. Only reads and executes
 * collapse to a system directory; a write stays on the file's directory. */
static void rule_path(const char *path, unsigned rights, char out[PATH_MAX])
{
    snprintf(out, PATH_MAX, "%s", path);
    bool dir_read = (rights & LR_READ_DIR) && !(rights & LR_READ_FILE); /* a directory opened */
    if (beneath(path, "/dev") || rights & (LR_CREATE | LR_REMOVE | LR_REFER) || dir_read)
        return; /* devices one by one; create/remove: already the directory; a directory read: itself */
    for (const char *const *d = system_dirs; *d && !(rights & LR_WRITE); d++)
        if (beneath(path, *d)) {
            snprintf(out, PATH_MAX, "%s", *d);
            return;
        }
    char *slash = strrchr(out, '/');
    if (slash && slash != out)
        *slash = 0; /* a file: its directory; a file right in / stays itself */
}

/* Length of the longest valid UTF-8 prefix of s (JSON strings are UTF-8). */
static size_t utf8_prefix(const unsigned char *s)
{
    size_t i = 0;
    while (s[i]) {
        unsigned char c = s[i];
        size_t n = c < 0x80                          ? 1
                   : (c & 0xE0) == 0xC0 && c >= 0xC2 ? 2
                   : (c & 0xF0) == 0xE0              ? 3
                   : (c & 0xF8) == 0xF0 && c <= 0xF4 ? 4
                                                     : 0;
        if (!n)
            return i;
        for (size_t k = 1; k < n; k++)
            if ((s[i + k] & 0xC0) != 0x80)
                return i;
        if ((n == 3 && ((c == 0xE0 && s[i + 1] < 0xA0) || (c == 0xED && s[i + 1] >= 0xA0))) ||
            (n == 4 && ((c == 0xF0 && s[i + 1] < 0x90) || (c == 0xF4 && s[i + 1] >= 0x90))))
            return i; /* overlong, surrogate, past U+10FFFF */
        i += n;
    }
    return i;
}

void learn_path_add(struct learn_record *rec, const char *path, unsigned rights)
{
    char p[PATH_MAX], valid[PATH_MAX];
    size_t ok = utf8_prefix((const unsigned char *)path);
    if (path[ok]) { /* a name that is not UTF-8: the rights go on the directory above it, as they are */
        snprintf(valid, sizeof(valid), "%.*s", (int)ok, path);
        char *slash = strrchr(valid, '/');
        if (slash)
            slash[slash == valid ? 1 : 0] = 0;
        learn_rule_add(rec, valid[0] ? valid : "/", rights);
        return;
    }
    if (beneath(path, "/dev") && rights & (LR_READ_FILE | LR_WRITE))
        rights |= LR_IOCTL_DEV;
    if ((rights & LR_WRITE) && (rights & (LR_READ_FILE | LR_READ_DIR | LR_EXECUTE)) &&
        !(rights & (LR_CREATE | LR_REMOVE | LR_REFER))) { /* the write apart: never collapsed */
        rule_path(path, rights & (LR_WRITE | LR_IOCTL_DEV), p);
        learn_rule_add(rec, p, rights & (LR_WRITE | LR_IOCTL_DEV));
        rights &= ~LR_WRITE;
    }
    rule_path(path, rights, p);
    learn_rule_add(rec, p, rights);
}

void learn_made_add(struct learn_record *rec, const char *path)
{
    for (size_t i = 0; i < rec->n_made; i++)
        if (streq(rec->made[i], path))
            return;
    if (rec->n_made == LEARN_MAX_PATHS) {
        rec->paths_lost = true;
        rec->paths_why = "more than 2048 directories made";
        return;
    }
    rec->made = xrealloc(rec->made, (rec->n_made + 1) * sizeof(*rec->made));
    rec->made[rec->n_made++] = xstrdup(path);
}

void learn_rule_add(struct learn_record *rec, const char *p, unsigned rights)
{
    for (size_t i = 0; i < rec->n_paths; i++)
        if (streq(rec->paths[i].path, p)) {
            rec->paths[i].rights |= rights;
            return;
        }
    if (rec->n_paths == LEARN_MAX_PATHS) {
        rec->paths_lost = true;
        rec->paths_why = "more than 2048 distinct paths";
        return;
    }
    rec->paths = xrealloc(rec->paths, (rec->n_paths + 1) * sizeof(*rec->paths));
    rec->paths[rec->n_paths++] = (struct learn_path){.path = xstrdup(p), .rights = rights};
}
