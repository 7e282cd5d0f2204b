/* detect.c — which cgroup layout the host has, where each hierarchy is
 * mounted, where the container's cgroup goes in each, and the state.json
 * record of all that (so later commands never re-detect: the host may be
 * remounted, the record stays true to what was created). */
#include "cgroup/cgroup.h"
#include "cgroup/internal.h"
#include "cgroup/systemd_path.h"
#include "core/cleanup.h"
#include "core/error.h"
#include "core/strv.h"
#include "core/util.h"
#include "spec/json.h"

#include <errno.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/vfs.h>

const char *cgroup_layout_name(enum cgroup_layout l)
{
    static const char *const n[] = {"v1", "v2", "hybrid"};
    return n[l];
}

static void add_hier(struct cgroup *cg, const char *name, const char *mount)
{
    for (size_t i = 0; i < cg->n; i++)
        if (streq(cg->h[i].name, name))
            return; /* the same hierarchy mounted twice */
    cg->h = xrealloc(cg->h, (cg->n + 1) * sizeof(*cg->h));
    cg->h[cg->n++] = (struct cgroup_hier){.name = xstrdup(name), .mount = xstrdup(mount)};
}

/* Superblock options of a v1 mount -> its controllers ("cpu,cpuacct",
 * "name=systemd"); mount options that are not controllers are dropped. */
static char *controllers_of(const char *superopts)
{
    static const char *const not_ctrl[] = {
        "rw", "ro", "clone_children", "noprefix", "xattr", "cpuset_v2_mode", "favordynmods"};
    _cleanup_free_ char *s = xstrdup(superopts);
    char *out = xstrdup(""), *save = NULL;
    for (char *w = strtok_r(s, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
        bool skip = strchr(w, '=') && !startswith(w, "name=");
        for (size_t i = 0; i < ARRAY_SIZE(not_ctrl) && !skip; i++)
            skip = streq(w, not_ctrl[i]);
        if (skip)
            continue;
        char *n = xasprintf("%s%s%s", out, *out ? "," : "", w);
        free(out);
        out = n;
    }
    return out;
}

static void scan_v1(struct cgroup *cg, const char *root)
{
    _cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
    _cleanup_free_ char *line = NULL;
    size_t cap = 0, rootlen = strlen(root);
    while (f && getline(&line, &cap, f) > 0) {
        char mp[4096], fstype[64], superopts[1024];
        const char *sep = strstr(line, " - ");
        if (!sep || sscanf(line, "%*s %*s %*s %*s %4095s", mp) != 1 ||
            sscanf(sep + 3, "%63s %*s %1023s", fstype, superopts) != 2 || !streq(fstype, "cgroup"))
            continue;
        if (strncmp(mp, root, rootlen) != 0 || mp[rootlen] != '/' || strchr(mp + rootlen + 1, '/'))
            continue; /* only <root>/<name> (not a container's view elsewhere) */
        _cleanup_free_ char *ctrls = controllers_of(superopts);
        if (*ctrls)
            add_hier(cg, ctrls, mp);
    }
}

int cgroup_detect(const char *root, struct cgroup *cg, struct brick_error *err)
{
    *cg = (struct cgroup){0};
    root = root ? root : "/sys/fs/cgroup";
    struct statfs sf;
    if (statfs(root, &sf) < 0)
        return brick_err_errno(err, errno, "cgroup: statfs %s", root);
    if (sf.f_type == CGROUP2_SUPER_MAGIC) {
        cg->layout = CGROUP_LAYOUT_V2;
        add_hier(cg, "", root);
        return 0;
    }
    scan_v1(cg, root);
    if (cg->n == 0)
        return brick_err(err, ENOENT, "cgroup: no cgroup v1 or v2 hierarchy mounted at %s", root);
    _cleanup_free_ char *unified = xasprintf("%s/unified", root);
    cg->layout = CGROUP_LAYOUT_V1;
    if (statfs(unified, &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC) {
        cg->layout = CGROUP_LAYOUT_HYBRID;
        add_hier(cg, "", unified);
    }
    return 0;
}

static bool same_set(const char *a, const char *b)
{
    _cleanup_free_ char *x = xasprintf(",%s,", a), *y = xasprintf(",%s,", b);
    if (strlen(x) != strlen(y))
        return false;
    _cleanup_free_ char *s = xstrdup(a);
    char *save = NULL;
    for (char *w = strtok_r(s, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
        _cleanup_free_ char *needle = xasprintf(",%s,", w);
        if (!strstr(y, needle))
            return false;
    }
    return true;
}

/* The runtime's own cgroup in hierarchy name, from /proc/self/cgroup text. */
static char *own_cgroup(const char *self_cgroup, const char *name)
{
    _cleanup_free_ char *text = xstrdup(self_cgroup ? self_cgroup : "");
    char *save = NULL;
    for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        char *c1 = strchr(l, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (!c2)
            continue;
        *c2 = '\0';
        bool match = *name ? same_set(c1 + 1, name) : (c1[1] == '\0' && startswith(l, "0:"));
        if (match)
            return xstrdup(c2 + 1);
    }
    return xstrdup("/");
}

bool cgroup_path_ok(const char *p)
{
    _cleanup_free_ char *s = xasprintf("/%s/", p);
    return !strstr(s, "/../") && !strstr(s, "/./") && !strchr(p, '\n');
}

int cgroup_resolve(struct cgroup *cg, const char *cgroups_path, const char *id, const char *self_cgroup,
                   struct brick_error *err)
{
    _cleanup_free_ char *path =
        cgroups_path && *cgroups_path ? xstrdup(cgroups_path) : xasprintf("/brick/%s", id);
    if (!cgroup_path_ok(path))
        return brick_err(err, EINVAL, "linux.cgroupsPath: \"%s\": \"..\" and \".\" are not allowed", path);
    size_t l = strlen(path);
    while (l > 1 && path[l - 1] == '/')
        path[--l] = '\0';
    if (streq(path, "/"))
        return brick_err(err, EINVAL, "linux.cgroupsPath: the root cgroup cannot be a container's");
    for (size_t i = 0; i < cg->n; i++) {
        struct cgroup_hier *h = &cg->h[i];
        free(h->dir);
        free(h->created);
        if (path[0] == '/') {
            h->dir = xasprintf("%s%s", h->mount, path);
        } else {
            _cleanup_free_ char *own = own_cgroup(self_cgroup, h->name);
            h->dir = xasprintf("%s%s/%s", h->mount, streq(own, "/") ? "" : own, path);
        }
        /* The default parent /brick is brick's own and stays, as Docker's
         * /docker does: only the container's cgroup goes with it. Removing
         * the last v1 cpuset and making one again flips kernel static keys
         * (jump-label text patching: 3-6 ms per create in a VM), and a kept
         * parent cannot vanish under a concurrent create. */
        h->created = cgroups_path && *cgroups_path ? NULL : xstrdup(h->dir);
    }
    free(cg->path);
    cg->path = TAKE_PTR(path);
    return 0;
}

void cgroup_done(struct cgroup *cg)
{
    for (size_t i = 0; i < cg->n; i++) {
        free(cg->h[i].name);
        free(cg->h[i].mount);
        free(cg->h[i].dir);
        free(cg->h[i].created);
    }
    free(cg->h);
    free(cg->path);
    free(cg->unit);
    free(cg->slice);
    free(cg->manager);
    *cg = (struct cgroup){0};
}

char *cgroup_to_json(const struct cgroup *cg)
{
    bjson *o = bjson_new_object(), *arr = bjson_new_array();
    bjson_set(o, "layout", bjson_new_string(cgroup_layout_name(cg->layout)));
    bjson_set(o, "path", bjson_new_string(cg->path ? cg->path : ""));
    for (size_t i = 0; i < cg->n; i++) {
        bjson *h = bjson_new_object();
        bjson_set(h, "name", bjson_new_string(cg->h[i].name));
        bjson_set(h, "mount", bjson_new_string(cg->h[i].mount));
        bjson_set(h, "dir", bjson_new_string(cg->h[i].dir ? cg->h[i].dir : ""));
        if (cg->h[i].created)
            bjson_set(h, "created", bjson_new_string(cg->h[i].created));
        bjson_append(arr, h);
    }
    bjson_set(o, "hierarchies", arr);
    if (cg->unit)
        bjson_set(o, "unit", bjson_new_string(cg->unit));
    if (cg->slice)
        bjson_set(o, "slice", bjson_new_string(cg->slice));
    if (cg->manager)
        bjson_set(o, "manager", bjson_new_string(cg->manager));
    char *s = bjson_to_string(o, false);
    bjson_free(o);
    return s;
}

static char *dup_member(const bjson *o, const char *k)
{
    const char *s = bjson_string(bjson_get(o, k));
    return s ? xstrdup(s) : NULL;
}

/* No "." or ".." component, no newline (paths of cgroupfs have neither). */
static bool clean_abs(const char *p) { return p && p[0] == '/' && cgroup_path_ok(p); }

/* below: "below/..." with at least one component after it */
static bool strictly_below(const char *p, const char *below)
{
    size_t l = strlen(below);
    return strncmp(p, below, l) == 0 && p[l] == '/' && p[l + 1] != '\0' && !streq(below, "/");
}

int cgroup_record_check(const struct cgroup *cg, struct brick_error *err)
{
    if (cg->path && *cg->path && (!cgroup_path_ok(cg->path) || streq(cg->path, "/")))
        return brick_err(err, EINVAL, "cgroup record: path \"%s\" is not a container's cgroup", cg->path);
    for (size_t i = 0; i < cg->n; i++) {
        const struct cgroup_hier *h = &cg->h[i];
        if (!clean_abs(h->mount) || !clean_abs(h->dir) || !strictly_below(h->dir, h->mount))
            return brick_err(err, EINVAL, "cgroup record: \"%s\" is not a cgroup below \"%s\"", h->dir,
                             h->mount);
        if (h->created && !(clean_abs(h->created) && strictly_below(h->created, h->mount) &&
                            (streq(h->created, h->dir) || strictly_below(h->dir, h->created))))
            return brick_err(err, EINVAL, "cgroup record: \"%s\" is not \"%s\" or one of its parents",
                             h->created, h->dir);
    }
    /* A unit a record names is stopped by delete: only the container's own
     * scope, the last component of its one cgroup2 directory, in the slice
     * its parent directory is. */
    if (cg->unit) {
        size_t ul = strlen(cg->unit), dl = cg->n == 1 ? strlen(cg->h[0].dir) : 0;
        bool ok =
            cg->n == 1 && !*cg->h[0].name && ul > 6 && streq(cg->unit + ul - 6, ".scope") && dl > ul &&
            cg->h[0].dir[dl - ul - 1] == '/' && streq(cg->h[0].dir + dl - ul, cg->unit) &&
            strspn(cg->unit, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789:_.@-\\") == ul &&
            (!cg->slice || (strlen(cg->slice) > 6 && streq(cg->slice + strlen(cg->slice) - 6, ".slice") &&
                            !strchr(cg->slice, '/'))) &&
            (!cg->manager || clean_abs(cg->manager));
        /* and the directory is exactly <mount><manager><slice's path>/<unit> */
        _cleanup_free_ char *slice_dir = NULL, *want = NULL;
        struct brick_error ignored;
        if (ok && cgroup_systemd_expand_slice(cg->slice ? cg->slice : CGROUP_SYSTEMD_DEFAULT_SLICE,
                                              &slice_dir, &ignored) == 0) {
            want = xasprintf("%s%s%s/%s", cg->h[0].mount,
                             cg->manager && !streq(cg->manager, "/") ? cg->manager : "",
                             streq(slice_dir, "/") ? "" : slice_dir, cg->unit);
            ok = streq(want, cg->h[0].dir);
        } else {
            ok = false;
        }
        if (!ok)
            return brick_err(err, EINVAL, "cgroup record: unit \"%s\" is not the container's scope",
                             cg->unit);
    }
    return 0;
}

int cgroup_from_json(const char *json, struct cgroup *cg, struct brick_error *err)
{
    *cg = (struct cgroup){0};
    bjson *o = NULL;
    int r = bjson_parse(json, strlen(json), &o, err);
    if (r < 0)
        return brick_err_prefix(err, "cgroup record");
    const char *layout = bjson_string(bjson_get(o, "layout"));
    cg->layout = streq(layout, "v2")       ? CGROUP_LAYOUT_V2
                 : streq(layout, "hybrid") ? CGROUP_LAYOUT_HYBRID
                                           : CGROUP_LAYOUT_V1;
    cg->path = dup_member(o, "path");
    cg->unit = dup_member(o, "unit");
    cg->slice = dup_member(o, "slice");
    cg->manager = dup_member(o, "manager");
    const bjson *arr = bjson_get(o, "hierarchies");
    size_t n = bjson_array_len(arr);
    cg->h = xcalloc(n ? n : 1, sizeof(*cg->h));
    for (size_t i = 0; i < n; i++) {
        const bjson *h = bjson_array_get(arr, i);
        cg->h[i] = (struct cgroup_hier){.name = dup_member(h, "name"),
                                        .mount = dup_member(h, "mount"),
                                        .dir = dup_member(h, "dir"),
                                        .created = dup_member(h, "created")};
        if (!cg->h[i].name || !cg->h[i].dir || !cg->h[i].mount) {
            bjson_free(o);
            cg->n = i + 1;
            cgroup_done(cg);
            return brick_err(err, EINVAL, "cgroup record: hierarchy %zu is incomplete", i);
        }
        cg->n = i + 1;
    }
    bjson_free(o);
    if ((r = cgroup_record_check(cg, err)) < 0) {
        cgroup_done(cg);
        return r;
    }
    /* The v2 driver uses h[0] unchecked (freeze, devices). */
    if (cg->layout == CGROUP_LAYOUT_V2 && n == 0) {
        cgroup_done(cg);
        return brick_err(err, EINVAL, "cgroup record: a v2 record needs its cgroup2 hierarchy");
    }
    return 0;
}

/* dir is mount + path (absolute) or ends in "/" + path (relative: under the
 * creator's own cgroup) */
static bool dir_is_path(const struct cgroup_hier *h, const char *path)
{
    size_t dl = strlen(h->dir), pl = strlen(path);
    if (path[0] == '/')
        return strncmp(h->dir, h->mount, strlen(h->mount)) == 0 && streq(h->dir + strlen(h->mount), path);
    return dl > pl + 1 && h->dir[dl - pl - 1] == '/' && streq(h->dir + dl - pl, path);
}

bool cgroup_record_is_config(const struct cgroup *cg, const char *cgroups_path, const char *id)
{
    if (!cg->path || !*cg->path)
        return false;
    _cleanup_free_ char *plain =
        cgroups_path && *cgroups_path ? xstrdup(cgroups_path) : xasprintf("/brick/%s", id);
    size_t l = strlen(plain);
    while (l > 1 && plain[l - 1] == '/')
        plain[--l] = '\0';
    _cleanup_free_ char *sd = NULL;
    struct brick_error ignored;
    if (cg->manager) { /* a user manager's scope: only its conversion, under the manager */
        if (cgroup_systemd_user_path(cgroups_path, id, cg->manager, &sd, &ignored) < 0 ||
            !streq(cg->path, sd))
            return false;
    } else if (!streq(cg->path, plain) &&
               (cgroup_systemd_path(cgroups_path, id, &sd, &ignored) < 0 || !streq(cg->path, sd))) {
        return false;
    }
    for (size_t i = 0; i < cg->n; i++)
        if (!dir_is_path(&cg->h[i], cg->path))
            return false;
    return true;
}
