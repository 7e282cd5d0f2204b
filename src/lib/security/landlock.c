/* landlock.c — the run.brick.landlock annotation: parse, negotiate with the
 * kernel's ABI, build and enforce the ruleset (see landlock.h and
 * docs/LANDLOCK.md). The uapi constants are spelled out here because
 * distribution headers lag the kernel (Debian 12's stop at ABI 2). */
#include "security/landlock.h"
#include "core/cleanup.h"
#include "core/error.h"
#include "core/util.h"
#include "spec/json.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#define SYS_landlock_add_rule 445
#define SYS_landlock_restrict_self 446
#endif

#define LL_CREATE_RULESET_VERSION (1U << 0)
#define LL_RULE_PATH_BENEATH 1
#define LL_RULE_NET_PORT 2

#define FS_EXECUTE (1ULL << 0)
#define FS_WRITE_FILE (1ULL << 1)
#define FS_READ_FILE (1ULL << 2)
#define FS_READ_DIR (1ULL << 3)
#define FS_REMOVE_DIR (1ULL << 4)
#define FS_REMOVE_FILE (1ULL << 5)
#define FS_MAKE_CHAR (1ULL << 6)
#define FS_MAKE_DIR (1ULL << 7)
#define FS_MAKE_REG (1ULL << 8)
#define FS_MAKE_SOCK (1ULL << 9)
#define FS_MAKE_FIFO (1ULL << 10)
#define FS_MAKE_BLOCK (1ULL << 11)
#define FS_MAKE_SYM (1ULL << 12)
#define FS_REFER (1ULL << 13)     /* ABI 2 */
#define FS_TRUNCATE (1ULL << 14)  /* ABI 3 */
#define FS_IOCTL_DEV (1ULL << 15) /* ABI 5 */
#define FS_ABI1 ((1ULL << 13) - 1)
#define FS_ALL ((1ULL << 16) - 1)
/* Rights that make sense on a non-directory (others are refused there). */
#define FS_FILE_RIGHTS (FS_EXECUTE | FS_WRITE_FILE | FS_READ_FILE | FS_TRUNCATE | FS_IOCTL_DEV)

#define NET_BIND_TCP (1ULL << 0)        /* ABI 4 */
#define NET_CONNECT_TCP (1ULL << 1)     /* ABI 4 */
#define SCOPE_ABSTRACT_UNIX (1ULL << 0) /* ABI 6 */
#define SCOPE_SIGNAL (1ULL << 1)        /* ABI 6 */

struct ll_ruleset_attr {
    uint64_t handled_access_fs;
    uint64_t handled_access_net;
    uint64_t scoped;
};
struct ll_path_beneath_attr {
    uint64_t allowed_access;
    int32_t parent_fd;
} __attribute__((packed));
struct ll_net_port_attr {
    uint64_t allowed_access;
    uint64_t port;
};

#define P "annotations[\"" LANDLOCK_ANNOTATION "\"]"

/* Access names: a few groups for the common cases and one name per right.
 * min_abi is the ABI of the group's core right; a group's newer members
 * (truncate in "write") are refinements dropped on older kernels, where the
 * operation is not restricted at all. */
static const struct access_name {
    const char *name;
    uint64_t mask;
    int min_abi;
} access_names[] = {
    {"read", FS_READ_FILE | FS_READ_DIR, 1},
    {"write", FS_WRITE_FILE | FS_TRUNCATE, 1},
    {"execute", FS_EXECUTE, 1},
    {"create", FS_MAKE_REG | FS_MAKE_DIR | FS_MAKE_SYM | FS_MAKE_SOCK | FS_MAKE_FIFO, 1},
    {"remove", FS_REMOVE_FILE | FS_REMOVE_DIR, 1},
    {"all", FS_ALL, 1},
    {"read-file", FS_READ_FILE, 1},
    {"read-dir", FS_READ_DIR, 1},
    {"write-file", FS_WRITE_FILE, 1},
    {"remove-file", FS_REMOVE_FILE, 1},
    {"remove-dir", FS_REMOVE_DIR, 1},
    {"make-reg", FS_MAKE_REG, 1},
    {"make-dir", FS_MAKE_DIR, 1},
    {"make-sym", FS_MAKE_SYM, 1},
    {"make-sock", FS_MAKE_SOCK, 1},
    {"make-fifo", FS_MAKE_FIFO, 1},
    {"make-char", FS_MAKE_CHAR, 1},
    {"make-block", FS_MAKE_BLOCK, 1},
    {"refer", FS_REFER, 2},
    {"truncate", FS_TRUNCATE, 3},
    {"ioctl-dev", FS_IOCTL_DEV, 5},
};

static const struct access_name *access_lookup(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(access_names); i++)
        if (streq(access_names[i].name, name))
            return &access_names[i];
    return NULL;
}

uint64_t landlock_access_from_name(const char *name)
{
    const struct access_name *a = access_lookup(name);
    return a ? a->mask : 0;
}

/* Every right the given ABI knows (fs only). */
static uint64_t fs_rights_of_abi(int abi)
{
    uint64_t m = abi >= 1 ? FS_ABI1 : 0;
    if (abi >= 2)
        m |= FS_REFER;
    if (abi >= 3)
        m |= FS_TRUNCATE;
    if (abi >= 5)
        m |= FS_IOCTL_DEV;
    return m;
}

void landlock_policy_free(struct landlock_policy *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n_fs; i++)
        free(p->fs[i].path);
    free(p->fs);
    free(p->bind);
    free(p->connect);
    free(p);
}

static int get_bool(const bjson *v, const char *path, bool *ret, struct brick_error *err)
{
    if (!v)
        return 0;
    if (bjson_type_of(v) != BJSON_BOOL)
        return brick_err(err, EINVAL, "%s: expected a boolean, got %s", path,
                         bjson_type_name(bjson_type_of(v)));
    *ret = bjson_bool(v);
    return 0;
}

/* Unknown keys are errors: a misspelled "requred" must not weaken a policy. */
static int check_keys(const bjson *obj, const char *path, const char *const *known, struct brick_error *err)
{
    if (bjson_type_of(obj) != BJSON_OBJECT)
        return brick_err(err, EINVAL, "%s: expected an object, got %s", path,
                         bjson_type_name(bjson_type_of(obj)));
    bjson_iter it = bjson_object_iter(obj);
    bjson *v;
    const char *k;
    while (bjson_object_next(&it, &k, &v)) {
        bool ok = false;
        for (const char *const *n = known; *n; n++)
            ok = ok || streq(*n, k);
        if (!ok)
            return brick_err(err, EINVAL, "%s: unknown key \"%s\"", path, k);
    }
    return 0;
}

static int expect_array(const bjson *v, const char *path, struct brick_error *err)
{
    if (bjson_type_of(v) != BJSON_ARRAY)
        return brick_err(err, EINVAL, "%s: expected an array, got %s", path,
                         bjson_type_name(bjson_type_of(v)));
    return 0;
}

static int parse_access(const bjson *arr, const char *path, struct landlock_fs_rule *rule,
                        struct brick_error *err)
{
    int r = expect_array(arr, path, err);
    if (r < 0)
        return r;
    if (bjson_array_len(arr) == 0)
        return brick_err(err, EINVAL, "%s: must name at least one access", path);
    for (size_t i = 0; i < bjson_array_len(arr); i++) {
        const char *name = bjson_string(bjson_array_get(arr, i));
        if (!name)
            return brick_err(err, EINVAL, "%s[%zu]: expected a string", path, i);
        const struct access_name *a = access_lookup(name);
        if (!a)
            return brick_err(err, EINVAL, "%s[%zu]: unknown access \"%s\"", path, i, name);
        rule->access |= a->mask;
        if (a->min_abi > rule->min_abi) {
            rule->min_abi = a->min_abi;
            rule->min_name = a->name;
        }
    }
    return 0;
}

static int parse_fs_rule(const bjson *obj, const char *path, bool dflt_required,
                         struct landlock_fs_rule *rule, struct brick_error *err)
{
    static const char *const keys[] = {"path", "access", "required", NULL};
    int r = check_keys(obj, path, keys, err);
    if (r < 0)
        return r;
    const char *p = bjson_string(bjson_get(obj, "path"));
    if (!p || p[0] != '/' || strlen(p) != bjson_string_len(bjson_get(obj, "path")))
        return brick_err(err, EINVAL, "%s.path: expected an absolute path", path);
    rule->path = xstrdup(p);
    rule->required = dflt_required;
    rule->min_abi = 1;
    rule->min_name = "";
    _cleanup_free_ char *sub = xasprintf("%s.access", path);
    bjson *acc = bjson_get(obj, "access");
    if (!acc)
        return brick_err(err, EINVAL, "%s: is required", sub);
    r = parse_access(acc, sub, rule, err);
    if (r < 0)
        return r;
    free(sub);
    sub = xasprintf("%s.required", path);
    return get_bool(bjson_get(obj, "required"), sub, &rule->required, err);
}

static int parse_fs(const bjson *arr, struct landlock_policy *p, struct brick_error *err)
{
    int r = expect_array(arr, P ".fs", err);
    if (r < 0)
        return r;
    p->has_fs = true;
    p->fs = xcalloc(bjson_array_len(arr) + 1, sizeof(*p->fs));
    for (size_t i = 0; i < bjson_array_len(arr); i++) {
        char path[96];
        snprintf(path, sizeof(path), P ".fs[%zu]", i);
        p->n_fs++;
        r = parse_fs_rule(bjson_array_get(arr, i), path, p->required, &p->fs[i], err);
        if (r < 0)
            return r;
    }
    return 0;
}

static int parse_ports(const bjson *arr, const char *path, uint16_t **ret, size_t *ret_n,
                       struct brick_error *err)
{
    int r = expect_array(arr, path, err);
    if (r < 0)
        return r;
    *ret = xcalloc(bjson_array_len(arr) + 1, sizeof(**ret));
    for (size_t i = 0; i < bjson_array_len(arr); i++) {
        uint64_t port;
        if (bjson_u64(bjson_array_get(arr, i), &port) < 0 || port > 65535)
            return brick_err(err, EINVAL, "%s[%zu]: expected a TCP port (0-65535)", path, i);
        (*ret)[(*ret_n)++] = (uint16_t)port;
    }
    return 0;
}

static int parse_net(const bjson *obj, struct landlock_policy *p, struct brick_error *err)
{
    static const char *const keys[] = {"bind", "connect", "required", NULL};
    int r = check_keys(obj, P ".net", keys, err);
    if (r < 0)
        return r;
    p->net_required = p->required;
    r = get_bool(bjson_get(obj, "required"), P ".net.required", &p->net_required, err);
    if (r >= 0 && bjson_get(obj, "bind")) {
        p->has_bind = true;
        r = parse_ports(bjson_get(obj, "bind"), P ".net.bind", &p->bind, &p->n_bind, err);
    }
    if (r >= 0 && bjson_get(obj, "connect")) {
        p->has_connect = true;
        r = parse_ports(bjson_get(obj, "connect"), P ".net.connect", &p->connect, &p->n_connect, err);
    }
    return r;
}

static int parse_scope(const bjson *arr, struct landlock_policy *p, struct brick_error *err)
{
    int r = expect_array(arr, P ".scope", err);
    for (size_t i = 0; r >= 0 && i < bjson_array_len(arr); i++) {
        const char *s = bjson_string(bjson_array_get(arr, i));
        if (streq(s, "abstract-unix-socket"))
            p->scope |= SCOPE_ABSTRACT_UNIX;
        else if (streq(s, "signal"))
            p->scope |= SCOPE_SIGNAL;
        else
            r = brick_err(err, EINVAL,
                          P ".scope[%zu]: unknown scope %s%s%s (known: "
                            "\"abstract-unix-socket\", \"signal\")",
                          i, s ? "\"" : "", s ? s : "(not a string)", s ? "\"" : "");
    }
    return r;
}

static int parse_root(const bjson *root, struct landlock_policy *p, struct brick_error *err)
{
    static const char *const keys[] = {"required", "fs", "net", "scope", NULL};
    int r = check_keys(root, P, keys, err);
    if (r < 0)
        return r;
    r = get_bool(bjson_get(root, "required"), P ".required", &p->required, err);
    if (r >= 0 && bjson_get(root, "fs"))
        r = parse_fs(bjson_get(root, "fs"), p, err);
    if (r >= 0 && bjson_get(root, "net"))
        r = parse_net(bjson_get(root, "net"), p, err);
    if (r >= 0 && bjson_get(root, "scope"))
        r = parse_scope(bjson_get(root, "scope"), p, err);
    return r;
}

int landlock_policy_parse(const char *json, struct landlock_policy **ret, struct brick_error *err)
{
    bjson *root = NULL;
    int r = bjson_parse(json, strlen(json), &root, err);
    if (r < 0)
        return brick_err_prefix(err, P);
    struct landlock_policy *p = xcalloc(1, sizeof(*p));
    r = parse_root(root, p, err);
    bjson_free(root);
    if (r < 0) {
        landlock_policy_free(p);
        return r;
    }
    *ret = p;
    return 0;
}

int landlock_policy_from_spec(const struct oci_spec *spec, struct landlock_policy **ret,
                              struct brick_error *err)
{
    *ret = NULL;
    const char *v = oci_kv_get(spec->annotations, spec->n_annotations, LANDLOCK_ANNOTATION);
    return v ? landlock_policy_parse(v, ret, err) : 0;
}

static int too_old(int need, int abi, const char *what, struct brick_error *err)
{
    if (!abi)
        return brick_err(err, EOPNOTSUPP, "%s needs Landlock, which this kernel does not enable", what);
    return brick_err(err, EOPNOTSUPP, "%s needs Landlock ABI %d, this kernel has ABI %d", what, need, abi);
}

static int negotiate_fs(struct landlock_policy *p, int abi, struct brick_error *err)
{
    uint64_t known = fs_rights_of_abi(abi);
    p->handled_fs = p->has_fs ? known : 0;
    for (size_t i = 0; i < p->n_fs; i++) {
        struct landlock_fs_rule *r = &p->fs[i];
        if (r->required && abi < r->min_abi) {
            char what[128];
            if (abi)
                snprintf(what, sizeof(what), P ".fs[%zu]: access \"%s\"", i, r->min_name);
            else
                snprintf(what, sizeof(what), P ".fs[%zu] (required)", i);
            return too_old(r->min_abi, abi, what, err);
        }
        r->access &= known;
    }
    return 0;
}

int landlock_negotiate(struct landlock_policy *p, int abi, struct brick_error *err)
{
    p->abi = abi;
    if (abi < 1 && p->required)
        return too_old(1, abi, P " (required)", err);
    int r = negotiate_fs(p, abi, err);
    if (r < 0)
        return r;
    bool net = p->has_bind || p->has_connect;
    if (net && abi < 4 && p->net_required)
        return too_old(4, abi, P ".net", err);
    if (p->scope && abi < 6 && p->required)
        return too_old(6, abi, P ".scope", err);
    p->handled_net = abi >= 4 ? (p->has_bind ? NET_BIND_TCP : 0) | (p->has_connect ? NET_CONNECT_TCP : 0) : 0;
    p->scoped = abi >= 6 ? p->scope : 0;
    return 0;
}

int landlock_abi_version(void)
{
    long v = syscall(SYS_landlock_create_ruleset, NULL, 0, LL_CREATE_RULESET_VERSION);
    return v < 0 ? 0 : (int)v;
}

/* Paths are opened in the container's root (we run after pivot_root), as
 * the container would see them; a missing path drops its rule unless the
 * rule is required. Rights that only apply to directories are masked off for
 * a file, which the kernel would otherwise refuse. */
static int add_fs_rule(int ruleset, const struct landlock_policy *p, size_t i, struct brick_error *err)
{
    const struct landlock_fs_rule *rule = &p->fs[i];
    _cleanup_close_ int fd = open(rule->path, O_PATH | O_CLOEXEC);
    if (fd < 0) {
        if (!rule->required)
            return 0;
        return brick_err_errno(err, errno, P ".fs[%zu]: path \"%s\"", i, rule->path);
    }
    struct stat st;
    if (fstat(fd, &st) < 0)
        return brick_err_errno(err, errno, P ".fs[%zu]: stat \"%s\"", i, rule->path);
    uint64_t access = rule->access & p->handled_fs;
    if (!S_ISDIR(st.st_mode))
        access &= FS_FILE_RIGHTS;
    if (!access)
        return 0;
    struct ll_path_beneath_attr attr = {.allowed_access = access, .parent_fd = fd};
    if (syscall(SYS_landlock_add_rule, ruleset, LL_RULE_PATH_BENEATH, &attr, 0) < 0)
        return brick_err_errno(err, errno, P ".fs[%zu]: add rule for \"%s\"", i, rule->path);
    return 0;
}

static int add_port_rule(int ruleset, uint16_t port, uint64_t access, const char *list,
                         struct brick_error *err)
{
    struct ll_net_port_attr attr = {.allowed_access = access, .port = port};
    if (syscall(SYS_landlock_add_rule, ruleset, LL_RULE_NET_PORT, &attr, 0) < 0)
        return brick_err_errno(err, errno, P ".net.%s: add rule for port %u", list, port);
    return 0;
}

static int add_net_rules(int ruleset, const struct landlock_policy *p, struct brick_error *err)
{
    int r = 0;
    for (size_t i = 0; r >= 0 && (p->handled_net & NET_BIND_TCP) && i < p->n_bind; i++)
        r = add_port_rule(ruleset, p->bind[i], NET_BIND_TCP, "bind", err);
    for (size_t i = 0; r >= 0 && (p->handled_net & NET_CONNECT_TCP) && i < p->n_connect; i++)
        r = add_port_rule(ruleset, p->connect[i], NET_CONNECT_TCP, "connect", err);
    return r;
}

int landlock_prepare(const struct landlock_policy *p, int *ret_fd, struct brick_error *err)
{
    *ret_fd = -1;
    if (!p || p->abi < 1 || !(p->handled_fs || p->handled_net || p->scoped))
        return 0;
    /* The full struct is accepted by older kernels as long as the fields
     * they do not know are zero, which negotiation guarantees. */
    struct ll_ruleset_attr attr = {
        .handled_access_fs = p->handled_fs,
        .handled_access_net = p->handled_net,
        .scoped = p->scoped,
    };
    _cleanup_close_ int fd = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);
    if (fd < 0)
        return brick_err_errno(err, errno, P ": create ruleset");
    for (size_t i = 0; i < p->n_fs; i++) {
        int r = add_fs_rule(fd, p, i, err);
        if (r < 0)
            return r;
    }
    int r = add_net_rules(fd, p, err);
    if (r < 0)
        return r;
    *ret_fd = TAKE_FD(fd);
    return 0;
}

int landlock_enforce(int ruleset_fd, struct brick_error *err)
{
    if (ruleset_fd < 0)
        return 0;
    long r = syscall(SYS_landlock_restrict_self, ruleset_fd, 0);
    int e = errno;
    close(ruleset_fd);
    if (r < 0)
        return brick_err_errno(err, e, P ": landlock_restrict_self");
    return 0;
}
