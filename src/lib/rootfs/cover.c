/* cover.c — brick's two mount-table extensions (annotations other runtimes
 * ignore), what `brick do` needs to make a destination on a read-only root
 * without writing to it:
 *
 *   run.brick.cover     ["/srv", ...]: each names the destination of a tmpfs
 *                       mount over an existing directory. The tmpfs starts
 *                       with the directory's entries: its symlinks copied, and
 *                       every other entry bound (recursively, with its own
 *                       mounts and flags) from the directory it covers. New
 *                       mount points can then be made in it; once the mounts
 *                       are done it becomes read-only. For runc the mount is a
 *                       plain empty tmpfs.
 *   run.brick.symlinks  [{"path": "/srv/current", "target": "www"}, ...]:
 *                       symlinks made after the mounts (missing parents made
 *                       as directories); an existing symlink with the same
 *                       target is fine, as with bwrap's --symlink.
 *
 * The entries are cloned through an fd of the covered directory taken before
 * the tmpfs hides it, and attached onto fds in the tmpfs: no path is
 * re-resolved. Nothing of the covered directory is written. */
#include "rootfs/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/error.h"
#include "core/fd.h"
#include "core/strv.h"
#include "core/util.h"
#include "rootfs/resolve.h"
#include "rootfs/sys.h"
#include "spec/json.h"

#define ANN_COVER "annotations[\"" ROOTFS_ANN_COVER "\"]"
#define ANN_SYMLINKS "annotations[\"" ROOTFS_ANN_SYMLINKS "\"]"

static bool is_tmpfs_destination(const struct oci_spec *s, const char *dst)
{
    for (size_t i = 0; i < s->n_mounts; i++)
        if (s->mounts[i].type && streq(s->mounts[i].type, "tmpfs") && s->mounts[i].destination &&
            streq(s->mounts[i].destination, dst))
            return true;
    return false;
}

/* An absolute path other than "/" whose last component is a name. */
static bool valid_link_path(const char *p)
{
    const char *base = p ? strrchr(p, '/') : NULL;
    return p && p[0] == '/' && base && base[1] && !streq(base + 1, ".") && !streq(base + 1, "..");
}

static int parse_covers(const struct oci_spec *s, bjson *doc, struct rootfs_ext *e, struct brick_error *err)
{
    if (bjson_type_of(doc) != BJSON_ARRAY)
        return brick_err(err, EINVAL, ANN_COVER ": expected a JSON array of paths");
    for (size_t i = 0; i < bjson_array_len(doc); i++) {
        const char *p = bjson_string(bjson_array_get(doc, i));
        if (!p || p[0] != '/')
            return brick_err(err, EINVAL, ANN_COVER "[%zu]: expected an absolute path", i);
        if (!is_tmpfs_destination(s, p))
            return brick_err(err, EINVAL, ANN_COVER "[%zu]: \"%s\" is not the destination of a tmpfs mount",
                             i, p);
        strv_push(&e->cover, p);
    }
    return 0;
}

static int parse_symlinks(bjson *doc, struct rootfs_ext *e, struct brick_error *err)
{
    if (bjson_type_of(doc) != BJSON_ARRAY)
        return brick_err(err, EINVAL, ANN_SYMLINKS ": expected a JSON array of {\"path\", \"target\"}");
    size_t n = bjson_array_len(doc);
    e->symlinks = n ? xcalloc(n, sizeof(*e->symlinks)) : NULL;
    for (size_t i = 0; i < n; i++) {
        bjson *l = bjson_array_get(doc, i);
        const char *path = bjson_string(bjson_get(l, "path")), *target = bjson_string(bjson_get(l, "target"));
        if (!valid_link_path(path))
            return brick_err(err, EINVAL, ANN_SYMLINKS "[%zu].path: expected an absolute path to a name", i);
        if (!target || !*target)
            return brick_err(err, EINVAL, ANN_SYMLINKS "[%zu].target: expected a non-empty string", i);
        e->symlinks[i] = (struct rootfs_symlink){xstrdup(path), xstrdup(target)};
        e->n_symlinks = i + 1;
    }
    return 0;
}

static int parse_one(const struct oci_spec *s, const char *key, struct rootfs_ext *e, struct brick_error *err)
{
    const char *text = oci_kv_get(s->annotations, s->n_annotations, key);
    if (!text)
        return 0;
    bjson *doc = NULL;
    int r = bjson_parse(text, strlen(text), &doc, err);
    if (r < 0)
        return brick_err_prefix(err, "annotations[\"%s\"]", key);
    r = streq(key, ROOTFS_ANN_COVER) ? parse_covers(s, doc, e, err) : parse_symlinks(doc, e, err);
    bjson_free(doc);
    return r;
}

int rootfs_ext_parse(const struct oci_spec *s, struct rootfs_ext *ret, struct brick_error *err)
{
    *ret = (struct rootfs_ext){0};
    int r = parse_one(s, ROOTFS_ANN_COVER, ret, err);
    if (r >= 0)
        r = parse_one(s, ROOTFS_ANN_SYMLINKS, ret, err);
    if (r < 0)
        rootfs_ext_done(ret);
    return r;
}

void rootfs_ext_done(struct rootfs_ext *e)
{
    strv_free(e->cover);
    for (size_t i = 0; i < e->n_symlinks; i++) {
        free(e->symlinks[i].path);
        free(e->symlinks[i].target);
    }
    free(e->symlinks);
    *e = (struct rootfs_ext){0};
}

bool rootfs_is_cover(const struct rootfs_ctx *ctx, const char *dst)
{
    for (char **c = ctx->ext.cover; c && *c; c++)
        if (streq(*c, dst))
            return true;
    return false;
}

struct cover_fill {
    int lower, upper; /* the covered directory; the detached tmpfs's root */
    char **binds;     /* entries to bind once the tmpfs is attached */
    struct brick_error *err;
};

/* One entry of the covered directory in the new tmpfs: a symlink as itself,
 * anything else as an empty mount point of its kind. */
static int fill_entry(const char *name, void *data)
{
    struct cover_fill *f = data;
    struct stat st;
    int r = 0;
    if (fstatat(f->lower, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return brick_err_errno(f->err, errno, "stat %s", name);
    if (S_ISLNK(st.st_mode)) {
        r = rootfs_copy_symlink(f->lower, f->upper, name, &st, true);
        return r < 0 ? brick_err_errno(f->err, -r, "symlink %s", name) : 0;
    }
    if (S_ISDIR(st.st_mode)) {
        r = mkdirat(f->upper, name, 0755);
    } else {
        r = openat(f->upper, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (r >= 0)
            r = close(r);
    }
    if (r < 0)
        return brick_err_errno(f->err, errno, "mount point %s", name);
    strv_push(&f->binds, name);
    return 0;
}

/* Clone each entry (with the mounts under it) through the covered
 * directory's fd and attach it onto its mount point in the tmpfs. */
static int bind_entries(int lower, int upper, char **names, struct brick_error *err)
{
    for (char **n = names; n && *n; n++) {
        _cleanup_close_ int tree = mnt_clone_nofollow(lower, *n);
        if (tree < 0)
            return brick_err_errno(err, -tree, "clone %s", *n);
        _cleanup_close_ int at = openat(upper, *n, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (at < 0)
            return brick_err_errno(err, errno, "open mount point %s", *n);
        int r = mnt_attach(tree, at);
        if (r < 0)
            return brick_err_errno(err, -r, "bind %s", *n);
    }
    return 0;
}

int rootfs_cover_attach(struct rootfs_ctx *ctx, int dst, int mnt, struct brick_error *err)
{
    _cleanup_close_ int lower = openat(dst, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    _cleanup_close_ int upper = openat(mnt, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct stat st;
    if (lower < 0 || upper < 0 || fstat(lower, &st) < 0)
        return brick_err_errno(err, errno, "cover: open the directory");
    (void)fchown(upper, st.st_uid, st.st_gid); /* unmapped owner (rootless): keep ours */
    struct cover_fill f = {.lower = lower, .upper = upper, .err = err};
    err->msg[0] = '\0';
    int r = dir_for_each(lower, fill_entry, &f);
    if (r < 0 && !err->msg[0])
        r = brick_err_errno(err, -r, "list");
    if (r >= 0 && (r = mnt_attach(mnt, dst)) < 0)
        r = brick_err_errno(err, -r, "move_mount");
    if (r >= 0)
        r = bind_entries(lower, upper, f.binds, err);
    strv_free(f.binds);
    if (r < 0)
        return brick_err_prefix(err, "cover");
    ctx->cover_fds = xrealloc(ctx->cover_fds, (ctx->n_cover_fds + 1) * sizeof(int));
    ctx->cover_fds[ctx->n_cover_fds++] = fcntl(mnt, F_DUPFD_CLOEXEC, 3);
    return 0;
}

static int make_symlink(int root_fd, const struct rootfs_symlink *l, struct brick_error *err)
{
    const char *slash = strrchr(l->path, '/');
    _cleanup_free_ char *dir = slash == l->path ? xstrdup("/") : xstrndup(l->path, (size_t)(slash - l->path));
    _cleanup_close_ int parent = resolve_in_root(root_fd, dir, RESOLVE_MKDIR, err);
    if (parent < 0)
        return parent;
    if (symlinkat(l->target, parent, slash + 1) == 0)
        return 0;
    int e = errno;
    char have[PATH_MAX];
    ssize_t n = e == EEXIST ? readlinkat(parent, slash + 1, have, sizeof(have) - 1) : -1;
    if (n >= 0 && (size_t)n == strlen(l->target) && memcmp(have, l->target, (size_t)n) == 0)
        return 0;
    return brick_err_errno(err, e, "symlink");
}

int rootfs_ext_finish(struct rootfs_ctx *ctx, struct brick_error *err)
{
    for (size_t i = 0; i < ctx->ext.n_symlinks; i++)
        if (make_symlink(ctx->root_fd, &ctx->ext.symlinks[i], err) < 0)
            return brick_err_prefix(err, ANN_SYMLINKS "[%zu] %s", i, ctx->ext.symlinks[i].path);
    for (size_t i = 0; i < ctx->n_cover_fds; i++) {
        int r =
            ctx->cover_fds[i] < 0 ? -EBADF : mnt_setattr(ctx->cover_fds[i], MOUNT_ATTR_RDONLY, 0, 0, false);
        if (r < 0)
            return brick_err_errno(err, -r, "cover: make read-only");
    }
    return 0;
}
