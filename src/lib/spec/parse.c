/* parse.c — config.json top level: ociVersion, root, hostname, mounts, hooks,
 * annotations; the public entry points. process and linux live in their own
 * files (parse_process.c, parse_linux.c). */
#include "spec/spec.h"
#include "core/cleanup.h"
#include "core/error.h"
#include "core/util.h"
#include "spec/parse.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Larger than any sane config (runc's biggest seccomp profiles are ~30 KiB)
 * and small enough that a hostile file cannot exhaust memory. */
#define SPEC_MAX_SIZE (16u << 20)

static bool span(const char **s, const char *set, bool nonempty)
{
    size_t n = strspn(*s, set);
    *s += n;
    return !nonempty || n > 0;
}

/* SemVer 2.0.0: MAJOR.MINOR.PATCH[-pre][+build]; sets *major. */
static bool semver(const char *s, unsigned long *major)
{
    static const char digits[] = "0123456789";
    static const char ident[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-.";
    const char *p = s;
    if (!span(&p, digits, true) || p - s > 9)
        return false;
    *major = strtoul(s, NULL, 10);
    if (*p++ != '.' || !span(&p, digits, true) || *p++ != '.' || !span(&p, digits, true))
        return false;
    if (*p == '-' && (p++, !span(&p, ident, true)))
        return false;
    if (*p == '+' && (p++, !span(&p, ident, true)))
        return false;
    return *p == '\0';
}

static int pc_oci_version(struct pctx *c, const bjson *v, void *dst)
{
    char **ver = dst;
    unsigned long major;
    int r = pc_str(c, v, ver);
    if (r < 0)
        return r;
    if (!semver(*ver, &major))
        return pc_err(c, "invalid ociVersion \"%s\": expected MAJOR.MINOR.PATCH", *ver);
    /* Minor versions are backward compatible by the spec's own rules. */
    if (major != 1)
        return pc_err(c, "unsupported ociVersion \"%s\": brick supports 1.x", *ver);
    return 0;
}

static int pc_root(struct pctx *c, const bjson *v, void *dst)
{
    static const struct pfield fields[] = {
        FREQ("path", PF_STR, struct oci_root, path),
        F("readonly", PF_BOOL, struct oci_root, readonly),
    };
    struct oci_root *root = dst;
    int r = PC_FIELDS(c, v, fields, root);
    if (r == 0 && !*root->path) {
        size_t old = pc_key(c, "path");
        r = pc_err(c, "must not be empty");
        pc_pop(c, old);
    }
    return r;
}

static int pc_mount(struct pctx *c, const bjson *v, void *dst)
{
    static const struct pfield fields[] = {
        FREQ("destination", PF_PATH, struct oci_mount, destination),
        F("type", PF_STR, struct oci_mount, type),
        F("source", PF_STR, struct oci_mount, source),
        F("options", PF_STRV, struct oci_mount, options),
        FARR("uidMappings", struct oci_mount, uid_mappings, n_uid_mappings, pc_id_mapping),
        FARR("gidMappings", struct oci_mount, gid_mappings, n_gid_mappings, pc_id_mapping),
    };
    return PC_FIELDS(c, v, fields, dst);
}

static int pc_hook(struct pctx *c, const bjson *v, void *dst)
{
    static const struct pfield fields[] = {
        FREQ("path", PF_PATH, struct oci_hook, path),
        F("args", PF_STRV, struct oci_hook, args),
        F("env", PF_STRV, struct oci_hook, env),
        FHAS("timeout", PF_INT, struct oci_hook, timeout, has_timeout),
    };
    struct oci_hook *h = dst;
    int r = PC_FIELDS(c, v, fields, h);
    if (r == 0 && h->has_timeout && h->timeout <= 0) {
        size_t old = pc_key(c, "timeout");
        r = pc_err(c, "must be greater than 0");
        pc_pop(c, old);
    }
    return r;
}

#define HOOK(name, k)                                                                                        \
    {                                                                                                        \
        name, PF_ARRAY, false, (k) * sizeof(struct oci_hook_list) + offsetof(struct oci_hook_list, hooks),   \
            (ptrdiff_t)((k) * sizeof(struct oci_hook_list) + offsetof(struct oci_hook_list, n)), pc_hook,    \
            sizeof(struct oci_hook)                                                                          \
    }

static int pc_hooks(struct pctx *c, const bjson *v, void *dst)
{
    static const struct pfield fields[] = {
        HOOK("prestart", OCI_HOOK_PRESTART),
        HOOK("createRuntime", OCI_HOOK_CREATE_RUNTIME),
        HOOK("createContainer", OCI_HOOK_CREATE_CONTAINER),
        HOOK("startContainer", OCI_HOOK_START_CONTAINER),
        HOOK("poststart", OCI_HOOK_POSTSTART),
        HOOK("poststop", OCI_HOOK_POSTSTOP),
    };
    return PC_FIELDS(c, v, fields, dst);
}

static const struct pfield spec_fields[] = {
    FOBJ_REQ("ociVersion", struct oci_spec, oci_version, pc_oci_version),
    FOBJ_REQ("root", struct oci_spec, root, pc_root),
    FOBJ("process", struct oci_spec, process, pc_process),
    F("hostname", PF_STR, struct oci_spec, hostname),
    F("domainname", PF_STR, struct oci_spec, domainname),
    FARR("mounts", struct oci_spec, mounts, n_mounts, pc_mount),
    FOBJ("hooks", struct oci_spec, hooks, pc_hooks),
    FMAP("annotations", struct oci_spec, annotations, n_annotations),
    FOBJ("linux", struct oci_spec, linux_, pc_linux),
};

int oci_spec_parse(const char *text, size_t len, struct oci_spec **ret, struct brick_error *err)
{
    _cleanup_bjson_ bjson *doc = NULL;
    int r = bjson_parse(text, len, &doc, err);
    if (r < 0)
        return r;
    return oci_spec_from_json(doc, ret, err);
}

int oci_spec_from_json(const bjson *doc, struct oci_spec **ret, struct brick_error *err)
{
    int r;
    struct pctx c = {.err = err};
    struct oci_spec *s = xcalloc(1, sizeof(*s));
    r = PC_FIELDS(&c, doc, spec_fields, s);
    s->has_root = s->root.path != NULL;
    if (r == 0)
        r = oci_spec_validate(s, err);
    if (r < 0) {
        oci_spec_free(s);
        return r;
    }
    *ret = s;
    return 0;
}

int oci_process_parse(const char *text, size_t len, struct oci_process **ret, struct brick_error *err)
{
    _cleanup_bjson_ bjson *doc = NULL;
    int r = bjson_parse(text, len, &doc, err);
    if (r < 0)
        return r;
    struct pctx c = {.err = err};
    struct oci_process *p = NULL;
    r = pc_process(&c, doc, &p);
    if (r == 0)
        r = oci_process_validate(p, "", err);
    if (r < 0) {
        oci_process_free(p);
        return r;
    }
    *ret = p;
    return 0;
}

static int read_all(int fd, char **ret, size_t *ret_len, struct brick_error *err)
{
    size_t cap = 4096, len = 0;
    _cleanup_free_ char *buf = xmalloc(cap);
    for (;;) {
        if (len == cap) {
            if (cap >= SPEC_MAX_SIZE)
                return brick_err(err, EFBIG, "file larger than %u bytes", SPEC_MAX_SIZE);
            cap *= 2;
            buf = xrealloc(buf, cap);
        }
        ssize_t n = read(fd, buf + len, cap - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return brick_err_errno(err, errno, "read");
        if (n == 0)
            break;
        len += (size_t)n;
    }
    *ret = TAKE_PTR(buf);
    *ret_len = len;
    return 0;
}

int oci_spec_load(int dirfd, const char *path, struct oci_spec **ret, struct brick_error *err)
{
    _cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return brick_err_errno(err, errno, "%s", path);
    _cleanup_free_ char *text = NULL;
    size_t len = 0;
    int r = read_all(fd, &text, &len, err);
    if (r == 0)
        r = oci_spec_parse(text, len, ret, err);
    if (r < 0)
        return brick_err_prefix(err, "%s", path);
    return 0;
}
