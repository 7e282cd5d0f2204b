/* seccomp_cache.c — compiled filters kept under the state root, so a
 * profile is compiled by libseccomp once, not at every create.
 *
 * Compiling the default profile (about 370 syscalls, three architectures)
 * costs 15-20 ms on the 2-core dev VM: more than the rest of `brick run`
 * together (docs/PERFORMANCE.md). The BPF only depends on the seccomp plan,
 * on libseccomp (version and the kernel API level it detected), on the
 * kernel and on the brick binary, so all of those form the cache key.
 *
 * Layout: <root>/.seccomp@cache/<fnv1a-64 of the key, hex>, written to a temp
 * name and renamed into place (readers see a whole file or none). The file
 * holds the complete key, compared byte for byte on lookup: the hash only
 * names the file, so a collision (even a crafted one) is a miss, never the
 * wrong filter. '@' cannot occur in a container id, so the directory never
 * clashes with a container. Any problem (read-only root, foreign owner,
 * short file) is a miss: the cache can make create faster, never fail. */
#include "security/seccomp.h"
#include "core/cleanup.h"
#include "core/fd.h"
#include "core/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "brick-config.h"

#define CACHE_DIR ".seccomp@cache"
#define MAGIC "brksc1\n"
#define MAX_FILE (1u << 20)
/* Entries kept: every brick build and kernel makes new keys, so without a
 * bound the directory would grow with each upgrade. Oldest first out. */
#define CACHE_MAX 64

struct file_header {
    char magic[8];
    uint32_t key_len;
    uint32_t n_insns;
    uint32_t flags;
    uint32_t n_skipped;
    uint64_t insns_hash; /* FNV-1a of the program: a damaged body is a miss too */
};

struct keybuf {
    char *p;
    size_t len, cap;
};

static void kb_add(struct keybuf *k, const void *data, size_t n)
{
    if (k->len + n > k->cap) {
        k->cap = (k->len + n) * 2 + 256;
        k->p = xrealloc(k->p, k->cap);
    }
    memcpy(k->p + k->len, data, n);
    k->len += n;
}

#define KB_VAL(k, v)                                                                                         \
    do {                                                                                                     \
        __typeof__(v) v_ = (v);                                                                              \
        kb_add(k, &v_, sizeof(v_));                                                                          \
    } while (0)

static void kb_str(struct keybuf *k, const char *s) { kb_add(k, s ? s : "", strlen(s ? s : "") + 1); }

/* Everything the compiled program depends on. */
static void build_key(const struct seccomp_plan *plan, struct keybuf *k)
{
    kb_str(k, MAGIC BRICK_VERSION " " BRICK_COMMIT);
    struct stat st;
    if (stat("/proc/self/exe", &st) == 0) {
        KB_VAL(k, (uint64_t)st.st_dev);
        KB_VAL(k, (uint64_t)st.st_ino);
        KB_VAL(k, (int64_t)st.st_mtim.tv_sec);
        KB_VAL(k, (int64_t)st.st_mtim.tv_nsec);
        KB_VAL(k, (int64_t)st.st_size);
    }
    const struct scmp_version *v = seccomp_version();
    KB_VAL(k, v->major);
    KB_VAL(k, v->minor);
    KB_VAL(k, v->micro);
    KB_VAL(k, seccomp_api_get());
    struct utsname u;
    if (uname(&u) == 0) {
        kb_str(k, u.release);
        kb_str(k, u.version);
        kb_str(k, u.machine);
    }
    KB_VAL(k, plan->default_action);
    KB_VAL(k, (uint64_t)plan->n_arches);
    for (size_t i = 0; i < plan->n_arches; i++)
        KB_VAL(k, plan->arches[i]);
    KB_VAL(k, plan->flags);
    KB_VAL(k, (uint8_t)plan->notify);
    KB_VAL(k, (uint64_t)plan->n_rules);
    for (size_t i = 0; i < plan->n_rules; i++) {
        const struct seccomp_rule *r = &plan->rules[i];
        kb_str(k, r->name);
        KB_VAL(k, r->action);
        KB_VAL(k, r->n_conds);
        for (unsigned c = 0; c < r->n_conds; c++) {
            KB_VAL(k, r->conds[c].arg);
            KB_VAL(k, r->conds[c].op);
            KB_VAL(k, r->conds[c].a);
            KB_VAL(k, r->conds[c].b);
        }
    }
}

static uint64_t fnv1a(const void *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ ((const unsigned char *)p)[i]) * 0x100000001b3ULL;
    return h;
}

static void file_name(const struct keybuf *k, char name[17])
{
    snprintf(name, 17, "%016llx", (unsigned long long)fnv1a(k->p, k->len));
}

/* The cache directory, created on first use; -1 when unusable. */
static int cache_open(const char *root)
{
    if (!root)
        return -1;
    (void)mkdir(root, 0700); /* as state_root_open will, right after */
    _cleanup_close_ int rfd = private_dir_open(root);
    if (rfd < 0)
        return -1;
    (void)mkdirat(rfd, CACHE_DIR, 0700);
    int fd = openat(rfd, CACHE_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    if (fd >= 0 && (fstat(fd, &st) < 0 || st.st_uid != geteuid() || (st.st_mode & 0022))) {
        close(fd);
        return -1;
    }
    return fd;
}

static bool lookup(int dfd, const char *name, const struct keybuf *k, struct seccomp_prog *prog)
{
    _cleanup_close_ int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    _cleanup_free_ char *buf = NULL;
    size_t len = 0;
    if (fd < 0 || read_all_fd(fd, MAX_FILE, &buf, &len) < 0)
        return false;
    struct file_header h;
    if (len < sizeof(h))
        return false;
    memcpy(&h, buf, sizeof(h));
    size_t insn_bytes = (size_t)h.n_insns * sizeof(struct sock_filter);
    if (memcmp(h.magic, MAGIC, sizeof(h.magic)) != 0 || h.key_len != k->len || h.n_insns == 0 ||
        h.n_insns > 4096 || len != sizeof(h) + k->len + insn_bytes ||
        memcmp(buf + sizeof(h), k->p, k->len) != 0 ||
        fnv1a(buf + sizeof(h) + k->len, insn_bytes) != h.insns_hash)
        return false;
    prog->insns = xmalloc(insn_bytes);
    memcpy(prog->insns, buf + sizeof(h) + k->len, insn_bytes);
    prog->n_insns = h.n_insns;
    prog->flags = h.flags;
    prog->n_skipped = h.n_skipped;
    return true;
}

static void store(int dfd, const char *name, const struct keybuf *k, const struct seccomp_prog *prog)
{
    struct file_header h = {.key_len = (uint32_t)k->len,
                            .n_insns = (uint32_t)prog->n_insns,
                            .flags = prog->flags,
                            .n_skipped = (uint32_t)prog->n_skipped,
                            .insns_hash = fnv1a(prog->insns, prog->n_insns * sizeof(struct sock_filter))};
    memcpy(h.magic, MAGIC, sizeof(h.magic));
    char tmp[64];
    snprintf(tmp, sizeof(tmp), ".%s.%d", name, (int)getpid());
    _cleanup_close_ int fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return;
    if (write_all(fd, &h, sizeof(h)) < 0 || write_all(fd, k->p, k->len) < 0 ||
        write_all(fd, prog->insns, prog->n_insns * sizeof(struct sock_filter)) < 0 ||
        renameat(dfd, tmp, dfd, name) < 0)
        unlinkat(dfd, tmp, 0);
}

struct entry {
    char name[32];
    struct timespec mtime;
};

static int by_age(const void *a, const void *b)
{
    const struct timespec *x = &((const struct entry *)a)->mtime, *y = &((const struct entry *)b)->mtime;
    if (x->tv_sec != y->tv_sec)
        return x->tv_sec < y->tv_sec ? -1 : 1;
    return x->tv_nsec < y->tv_nsec ? -1 : x->tv_nsec > y->tv_nsec;
}

/* After a store (a miss: the rare path), keep the newest CACHE_MAX entries.
 * Only names this file writes (16 hex digits) are considered; temp files
 * and anything else are left alone. */
static void evict(int dfd, const char *keep)
{
    int d2 = fcntl(dfd, F_DUPFD_CLOEXEC, 3);
    DIR *d = d2 >= 0 ? fdopendir(d2) : NULL;
    if (!d) {
        if (d2 >= 0)
            close(d2);
        return;
    }
    struct entry *v = NULL;
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        struct stat st;
        if (strlen(de->d_name) != 16 || strspn(de->d_name, "0123456789abcdef") != 16 ||
            streq(de->d_name, keep) || fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
            !S_ISREG(st.st_mode))
            continue;
        v = xrealloc(v, (n + 1) * sizeof(*v));
        snprintf(v[n].name, sizeof(v[n].name), "%s", de->d_name);
        v[n++].mtime = st.st_mtim;
    }
    closedir(d);
    if (n + 1 > CACHE_MAX) {
        qsort(v, n, sizeof(*v), by_age);
        for (size_t i = 0; i < n + 1 - CACHE_MAX; i++)
            (void)unlinkat(dfd, v[i].name, 0);
    }
    free(v);
}

int sc_compile_cached(const struct seccomp_plan *plan, const char *cache_root, struct seccomp_prog *prog,
                      struct brick_error *err)
{
    _cleanup_close_ int dfd = cache_open(cache_root);
    if (dfd < 0)
        return sc_compile(plan, prog, err);
    struct keybuf k = {0};
    build_key(plan, &k);
    char name[17];
    file_name(&k, name);
    int r = 0;
    if (!lookup(dfd, name, &k, prog)) {
        r = sc_compile(plan, prog, err);
        if (r >= 0) {
            store(dfd, name, &k, prog);
            evict(dfd, name);
        }
    }
    free(k.p);
    return r;
}
