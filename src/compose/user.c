/* user.c — `-u USER[:GROUP]` against the container's /etc/passwd and
 * /etc/group (pure: the texts are read by host.c).
 *
 * As runc's user lookup (libcontainer/user): a name is looked up, a number
 * is an id whether or not a line names it (CVE-2016-3697: a user called
 * "1000" with uid 0 must not make `-u 1000` root); a named user without a
 * GROUP gets its primary group and the groups that list it as a member; a
 * GROUP given is the only group. brick keeps its own rule for a lone number:
 * `-u 1000` is 1000:1000. */
#include "compose/compose.h"
#include "core/cleanup.h"
#include "core/error.h"
#include "core/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define ID_MAX 2147483647u

/* Split a line of a colon-separated database into at most n fields (the
 * last keeps the rest); returns how many there are. */
static size_t fields(char *line, char **f, size_t n)
{
    size_t k = 0;
    for (char *p = line; k < n; k++) {
        f[k] = p;
        if (!(p = strchr(p, ':')))
            return k + 1;
        *p++ = '\0';
    }
    return k;
}

static bool parse_id(const char *s, uint32_t *ret)
{
    uint64_t v;
    if (parse_u64(s, &v) < 0 || v > ID_MAX)
        return false;
    *ret = (uint32_t)v;
    return true;
}

/* The line of `text` (passwd: n = 7, group: n = 4) whose name is `name`, or
 * (name NULL) whose id is `id`: fields into f (pointing into *ret_copy). */
static bool find_line(const char *text, size_t n, const char *name, uint32_t id, char **f, char **ret_copy)
{
    char *copy = xstrdup(text ? text : ""), *save = NULL;
    for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        uint32_t v;
        if (line[0] == '#' || line[0] == '+' || line[0] == '-' || fields(line, f, n) < 4)
            continue;
        if (name ? streq(f[0], name) : (parse_id(f[2], &v) && v == id)) {
            *ret_copy = copy;
            return true;
        }
    }
    free(copy);
    return false;
}

/* Groups (other than gid) that list `name` as a member. */
static void member_groups(struct compose_opts *o, const char *group, const char *name, uint32_t gid)
{
    _cleanup_free_ char *copy = xstrdup(group ? group : "");
    char *save = NULL, *f[4];
    for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        uint32_t id;
        if (fields(line, f, 4) < 4 || !parse_id(f[2], &id) || id == gid)
            continue;
        char *msave = NULL;
        for (char *m = strtok_r(f[3], ",", &msave); m; m = strtok_r(NULL, ",", &msave)) {
            if (!streq(m, name))
                continue;
            o->groups = xrealloc(o->groups, (o->n_groups + 1) * sizeof(*o->groups));
            o->groups[o->n_groups++] = id;
            break;
        }
    }
}

static int resolve_group(const char *spec, const char *g, const char *group, const char *where, uint32_t *ret,
                         struct brick_error *err)
{
    if (parse_id(g, ret))
        return 0;
    char *f[4];
    _cleanup_free_ char *copy = NULL;
    if (!find_line(group, 4, g, 0, f, &copy))
        return brick_err(err, ENOENT, "-u %s: no group \"%s\" in %s/etc/group", spec, g, where);
    if (!parse_id(f[2], ret))
        return brick_err(err, EINVAL, "-u %s: group \"%s\" has no valid gid in %s/etc/group", spec, g, where);
    return 0;
}

/* -u NAME[:GROUP] or UID:GROUPNAME. */
static int resolve_spec(struct compose_opts *o, const char *passwd, const char *group, const char *where,
                        struct brick_error *err)
{
    _cleanup_free_ char *spec = xstrdup(o->user_spec);
    char *g = strchr(spec, ':');
    if (g)
        *g++ = '\0';
    char *f[7];
    _cleanup_free_ char *copy = NULL;
    if (parse_id(spec, &o->uid)) {
        o->gid = o->uid;
    } else if (!find_line(passwd, 7, spec, 0, f, &copy)) {
        return brick_err(err, ENOENT, "-u %s: no user \"%s\" in %s/etc/passwd", o->user_spec, spec, where);
    } else if (!parse_id(f[2], &o->uid) || !parse_id(f[3], &o->gid)) {
        return brick_err(err, EINVAL, "-u %s: user \"%s\" has no valid uid and gid in %s/etc/passwd",
                         o->user_spec, spec, where);
    } else if (!g) {
        member_groups(o, group, spec, o->gid);
    }
    if (g && resolve_group(o->user_spec, g, group, where, &o->gid, err) < 0)
        return -ENOENT;
    o->has_user = true;
    return 0;
}

int compose_user_resolve(struct compose_opts *o, const char *passwd, const char *group, const char *where,
                         struct brick_error *err)
{
    if (o->user_spec && !o->has_user) {
        int r = resolve_spec(o, passwd, group, where, err);
        if (r < 0)
            return r;
    }
    char *f[7];
    _cleanup_free_ char *copy = NULL;
    free(o->user_name);
    o->user_name = find_line(passwd, 7, NULL, compose_uid(o), f, &copy) && *f[0] ? xstrdup(f[0]) : NULL;
    return 0;
}
