/* dest.c — where `brick do`'s destinations land on the host's read-only
 * root, and which directories must be covered to make the missing ones
 * (pure: the host is seen through o->probe).
 *
 * The runtime makes a missing mount point (or a --symlink) in the directory
 * it resolves to inside the container. On the host's root that directory is
 * the host's, read-only: brick never writes there. So each destination is
 * resolved here as the runtime will resolve it — symlinks followed inside
 * the root, through the mounts made before it (the private /tmp, /run, the
 * homes, --tmpfs, earlier -v) — and when it ends in a missing name on the
 * host's tree, its deepest existing directory is "covered": a tmpfs over it
 * holding its entries, bound back in (annotation run.brick.cover, rootfs/
 * cover.c), where the mount point can be made. Under a tmpfs of brick's own
 * the runtime makes it there; in a read-write -v volume too (as Docker and
 * bwrap do); a read-only one, or the host's "/" itself, is an error naming
 * the flag. */
#include "compose/dest.h"
#include "core/cleanup.h"
#include "core/error.h"
#include "core/strv.h"
#include "core/util.h"
#include "spec/json.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#define MAX_SYMLINKS 40 /* the kernel's own limit */

enum view_kind { VIEW_TMPFS, VIEW_BIND, VIEW_OTHER };

struct view_mount {
    char *dest, *src; /* dest: as resolved in the container; src: a bind's host path */
    enum view_kind kind;
    bool ro;
};

struct plan {
    const struct compose_probe *probe;
    struct view_mount *m; /* the mounts made so far, in order */
    size_t n;
    char **covers;
};

static void view_add(struct plan *p, const char *dest, enum view_kind kind, const char *src, bool ro)
{
    p->m = xrealloc(p->m, (p->n + 1) * sizeof(*p->m));
    p->m[p->n++] = (struct view_mount){xstrdup(dest), src ? xstrdup(src) : NULL, kind, ro};
}

static bool has_opt(const bjson *opts, const char *s)
{
    for (size_t i = 0; i < bjson_array_len(opts); i++)
        if (streq(bjson_string(bjson_array_get(opts, i)), s))
            return true;
    return false;
}

static void view_from_mounts(struct plan *p, const bjson *mounts)
{
    for (size_t i = 0; i < bjson_array_len(mounts); i++) {
        const bjson *m = bjson_array_get(mounts, i), *opts = bjson_get(m, "options");
        const char *type = bjson_string(bjson_get(m, "type"));
        bool bind = streq(type, "bind") || has_opt(opts, "bind") || has_opt(opts, "rbind");
        view_add(p, bjson_string(bjson_get(m, "destination")),
                 bind                   ? VIEW_BIND
                 : streq(type, "tmpfs") ? VIEW_TMPFS
                                        : VIEW_OTHER,
                 bjson_string(bjson_get(m, "source")), has_opt(opts, "ro"));
    }
}

/* path is dest or below it */
static bool under(const char *dest, const char *path)
{
    size_t n = strlen(dest);
    return streq(dest, "/") || (strncmp(path, dest, n) == 0 && (path[n] == '\0' || path[n] == '/'));
}

/* The mount path is on: the last one made at or above it (a later mount
 * hides what earlier ones put below its destination); -1: the host's tree. */
static ssize_t view_find(const struct plan *p, const char *path)
{
    for (size_t i = p->n; i-- > 0;)
        if (under(p->m[i].dest, path))
            return (ssize_t)i;
    return -1;
}

struct walk {
    ssize_t on; /* the mount the path is on; -1: the host's tree */
    bool fresh; /* on a mount brick makes afresh (tmpfs, proc): the runtime makes it there */
    bool exists;
    char *path;   /* resolved in the container (a missing rest appended as given) */
    char *parent; /* missing: the deepest existing directory */
    char *link;   /* the last component a symlink, not followed: its target */
    int kind;     /* exists, not fresh: enum compose_kind of the last component */
};

static void walk_done(struct walk *w)
{
    free(w->path);
    free(w->parent);
    free(w->link);
}

static char *join(const char *dir, const char *rest)
{
    while (*rest == '/')
        rest++;
    if (!*rest)
        return xstrdup(dir);
    return streq(dir, "/") ? xasprintf("/%s", rest) : xasprintf("%s/%s", dir, rest);
}

/* The first component of *rest, which moves past it; NULL when none is left. */
static char *pop(char **rest)
{
    const char *p = *rest;
    while (*p == '/')
        p++;
    size_t n = strcspn(p, "/");
    char *c = n ? xstrndup(p, n) : NULL, *tail = xstrdup(p + n);
    free(*rest);
    *rest = tail;
    return c;
}

static bool more(const char *rest) { return rest[strspn(rest, "/")] != '\0'; }

/* One component: lstat it through the mount it is on (a bind: in its
 * source). Returns 1 to go on with *cur = next, 0 when w is final. */
static int step(const struct plan *p, char **cur, char **rest, const char *c, bool follow_last, int *links,
                struct walk *w, struct brick_error *err)
{
    _cleanup_free_ char *next = join(*cur, c), *target = NULL;
    ssize_t on = view_find(p, next);
    if (on >= 0 && p->m[on].kind != VIEW_BIND) {
        *w = (struct walk){.on = on, .fresh = true, .exists = true, .path = join(next, *rest)};
        return 0;
    }
    _cleanup_free_ char *host =
        on >= 0 ? xasprintf("%s%s", p->m[on].src, next + strlen(p->m[on].dest)) : xstrdup(next);
    int kind = p->probe->lookup(p->probe->data, host, &target);
    if (kind < 0)
        return brick_err_errno(err, -kind, "%s", host);
    bool last = !more(*rest);
    if (kind == COMPOSE_LINK && (!last || follow_last)) {
        if (++*links > MAX_SYMLINKS)
            return brick_err(err, ELOOP, "%s: too many levels of symbolic links", next);
        char *r = xasprintf("%s/%s", target, *rest);
        free(*rest);
        *rest = r;
        if (target[0] == '/') {
            free(*cur);
            *cur = xstrdup("/");
        }
        return 1;
    }
    if (kind == COMPOSE_MISSING) {
        *w = (struct walk){.on = on, .path = join(next, *rest), .parent = xstrdup(*cur)};
        return 0;
    }
    if (!last && kind != COMPOSE_DIR)
        return brick_err(err, ENOTDIR, "%s: Not a directory", next);
    if (kind == COMPOSE_LINK)
        w->link = TAKE_PTR(target);
    w->kind = kind;
    free(*cur);
    *cur = TAKE_PTR(next);
    return 1;
}

/* Resolve path as the runtime will, inside the root and through the mounts
 * so far; the last component is followed when it is a symlink unless
 * !follow_last (a --symlink's own name). */
static int walk(const struct plan *p, const char *path, bool follow_last, struct walk *w,
                struct brick_error *err)
{
    _cleanup_free_ char *cur = xstrdup("/"), *rest = xstrdup(path);
    int links = 0;
    *w = (struct walk){.on = -1};
    for (;;) {
        _cleanup_free_ char *c = pop(&rest);
        if (!c) {
            w->on = view_find(p, cur);
            w->exists = true;
            w->path = TAKE_PTR(cur);
            return 0;
        }
        if (streq(c, "..")) { /* from a symlink's target: up from where it led, never above "/" */
            char *slash = strrchr(cur, '/');
            slash[slash == cur] = '\0';
        }
        if (streq(c, "..") || streq(c, "."))
            continue;
        int r = step(p, &cur, &rest, c, follow_last, &links, w, err);
        if (r <= 0)
            return r;
    }
}

static void add_cover(struct plan *p, const char *dir)
{
    for (char **c = p->covers; c && *c; c++)
        if (streq(*c, dir))
            return;
    strv_push(&p->covers, dir);
}

/* What dst needs: nothing, a cover, or it cannot be made (err). link: the
 * target of a --symlink (its name must be free, or that very link); dir: a
 * --tmpfs (an existing dst must be a directory). */
static int need(struct plan *p, const char *flag, const char *dst, const char *link, bool dir,
                char **ret_path, struct brick_error *err)
{
    struct walk w;
    int r = walk(p, dst, !link, &w, err);
    if (r < 0)
        return brick_err_prefix(err, "%s", flag);
    if (w.fresh) {
        r = 0;
    } else if (w.exists && dir && w.kind != COMPOSE_DIR) {
        r = brick_err(err, ENOTDIR, "%s: %s is not a directory", flag, w.path);
    } else if (w.exists) {
        r = link && !streq(w.link, link) ? brick_err(err, EEXIST, "%s: %s exists", flag, w.path) : 0;
    } else if (w.on >= 0) {
        r = p->m[w.on].ro ? brick_err(err, EROFS, "%s: %s does not exist in the read-only bind at %s", flag,
                                      w.path, p->m[w.on].dest)
                          : 0;
    } else if (streq(w.parent, "/")) {
        r = brick_err(err, EROFS,
                      "%s: %s does not exist, and a new name in the host's / cannot be made "
                      "(use a directory below one, or --rootfs)",
                      flag, w.path);
    } else {
        add_cover(p, w.parent);
    }
    if (r >= 0)
        *ret_path = TAKE_PTR(w.path);
    walk_done(&w);
    return r;
}

static int depth_cmp(const void *a, const void *b)
{
    const char *x = *(char *const *)a, *y = *(char *const *)b;
    int dx = 0, dy = 0;
    for (const char *s = x; *s; s++)
        dx += *s == '/';
    for (const char *s = y; *s; s++)
        dy += *s == '/';
    return dx != dy ? dx - dy : strcmp(x, y);
}

static int plan_all(struct plan *p, const struct compose_opts *o, struct brick_error *err)
{
    int r = 0;
    for (char **t = o->tmpfs; r >= 0 && t && *t; t++) {
        _cleanup_free_ char *flag = xasprintf("--tmpfs %s", *t), *at = NULL;
        if ((r = need(p, flag, *t, NULL, true, &at, err)) >= 0)
            view_add(p, at, VIEW_TMPFS, NULL, false);
    }
    for (size_t i = 0; r >= 0 && i < o->n_volumes; i++) {
        const struct compose_volume *v = &o->volumes[i];
        _cleanup_free_ char *at = NULL;
        if ((r = need(p, v->flag, v->dst, NULL, false, &at, err)) >= 0)
            view_add(p, at, VIEW_BIND, v->src, v->ro);
    }
    for (size_t i = 0; r >= 0 && i < o->n_symlinks; i++) {
        const struct compose_symlink *l = &o->symlinks[i];
        _cleanup_free_ char *flag = xasprintf("--symlink %s %s", l->target, l->dst), *at = NULL;
        r = need(p, flag, l->dst, l->target, false, &at, err);
    }
    return r;
}

int compose_plan_covers(const struct compose_opts *o, const bjson *mounts, char ***ret_covers,
                        struct brick_error *err)
{
    *ret_covers = NULL;
    if (o->rootfs || !o->probe)
        return 0; /* a rootfs of one's own is written to, as with runc */
    struct plan p = {.probe = o->probe};
    view_from_mounts(&p, mounts);
    int r = plan_all(&p, o, err);
    for (size_t i = 0; i < p.n; i++) {
        free(p.m[i].dest);
        free(p.m[i].src);
    }
    free(p.m);
    if (r < 0) {
        strv_free(p.covers);
        return r;
    }
    if (p.covers)
        qsort(p.covers, strv_length(p.covers), sizeof(char *), depth_cmp);
    *ret_covers = p.covers;
    return 0;
}
