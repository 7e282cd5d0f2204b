/* systemd_path.c — runc's systemd cgroupsPath "SLICE:PREFIX:NAME" -> the
 * cgroup path of the unit (see systemd_path.h for the rules). Pure. */
#include "cgroup/systemd_path.h"
#include "core/cleanup.h"
#include "core/error.h"
#include "core/util.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define SLICE_SUFFIX ".slice"
#define UNIT_NAME_MAX 255 /* systemd's UNIT_NAME_MAX minus the NUL */

static bool endswith(const char *s, const char *suffix)
{
    size_t l = strlen(s), sl = strlen(suffix);
    return l >= sl && strcmp(s + l - sl, suffix) == 0;
}

/* systemd's unit name characters (unit_name_is_valid): anything else would
 * be refused by StartTransientUnit, and "/" would leave the slice. */
static bool unit_chars_ok(const char *s)
{
    if (strlen(s) > UNIT_NAME_MAX)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              strchr(":_.@-\\", *s)))
            return false;
    return true;
}

int cgroup_systemd_expand_slice(const char *slice, char **ret, struct brick_error *err)
{
    if (!endswith(slice, SLICE_SUFFIX) || strlen(slice) == strlen(SLICE_SUFFIX))
        return brick_err(err, EINVAL, "linux.cgroupsPath: invalid slice name \"%s\": it must end in \"%s\"",
                         slice, SLICE_SUFFIX);
    if (strchr(slice, '/'))
        return brick_err(err, EINVAL,
                         "linux.cgroupsPath: invalid slice name \"%s\": \"/\" is not allowed "
                         "(nesting is written with \"-\": a-b.slice)",
                         slice);
    if (!unit_chars_ok(slice))
        return brick_err(err, EINVAL, "linux.cgroupsPath: invalid slice name \"%s\": not a systemd unit name",
                         slice);
    if (streq(slice, "-" SLICE_SUFFIX)) {
        *ret = xstrdup("/");
        return 0;
    }
    _cleanup_free_ char *base = xstrndup(slice, strlen(slice) - strlen(SLICE_SUFFIX));
    size_t bl = strlen(base);
    /* "a--b", "-a", "a-": an empty component (runc: test--a.slice, -test.slice) */
    if (base[0] == '-' || base[bl - 1] == '-' || strstr(base, "--"))
        return brick_err(err, EINVAL,
                         "linux.cgroupsPath: invalid slice name \"%s\": empty \"-\" component "
                         "(leading, trailing or \"--\")",
                         slice);
    /* Each "-" closes one level: a-b-c -> /a.slice/a-b.slice/a-b-c.slice */
    char *path = xstrdup("");
    for (size_t i = 0; i <= bl; i++) {
        if (base[i] != '-' && base[i] != '\0')
            continue;
        char *n = xasprintf("%s/%.*s" SLICE_SUFFIX, path, (int)i, base);
        free(path);
        path = n;
    }
    *ret = path;
    return 0;
}

int cgroup_systemd_unit_name(const char *prefix, const char *name, char **ret, struct brick_error *err)
{
    if (!*name)
        return brick_err(err, EINVAL,
                         "linux.cgroupsPath: the unit name (the part after the second \":\") "
                         "is empty");
    _cleanup_free_ char *unit =
        endswith(name, SLICE_SUFFIX) ? xstrdup(name) : xasprintf("%s-%s.scope", prefix, name);
    if (!unit_chars_ok(unit))
        return brick_err(err, EINVAL,
                         "linux.cgroupsPath: invalid unit name \"%s\": not a systemd unit name "
                         "(characters A-Z a-z 0-9 : _ . @ - \\, at most %d)",
                         unit, UNIT_NAME_MAX);
    *ret = TAKE_PTR(unit);
    return 0;
}

int cgroup_systemd_path(const char *cgroups_path, const char *id, char **ret, struct brick_error *err)
{
    _cleanup_free_ char *text =
        cgroups_path && *cgroups_path
            ? xstrdup(cgroups_path)
            : xasprintf(CGROUP_SYSTEMD_DEFAULT_SLICE ":" CGROUP_SYSTEMD_DEFAULT_PREFIX ":%s", id ? id : "");
    char *c1 = strchr(text, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    if (!c2 || strchr(c2 + 1, ':'))
        return brick_err(err, EINVAL,
                         "linux.cgroupsPath: expected the format \"slice:prefix:name\" for "
                         "systemd cgroups (--systemd-cgroup), got \"%s\" instead",
                         text);
    *c1 = *c2 = '\0';
    const char *slice = *text ? text : CGROUP_SYSTEMD_DEFAULT_SLICE, *prefix = c1 + 1, *name = c2 + 1;
    _cleanup_free_ char *dir = NULL, *unit = NULL;
    int r = cgroup_systemd_expand_slice(slice, &dir, err);
    if (r < 0)
        return r;
    r = cgroup_systemd_unit_name(prefix, name, &unit, err);
    if (r < 0)
        return r;
    *ret = xasprintf("%s/%s", streq(dir, "/") ? "" : dir, unit);
    return 0;
}

int cgroup_systemd_user_path(const char *cgroups_path, const char *id, const char *manager, char **ret,
                             struct brick_error *err)
{
    _cleanup_free_ char *dflt = NULL, *path = NULL;
    if (!cgroups_path || !*cgroups_path)
        cgroups_path = dflt =
            xasprintf(CGROUP_SYSTEMD_USER_SLICE ":" CGROUP_SYSTEMD_DEFAULT_PREFIX ":%s", id ? id : "");
    int r = cgroup_systemd_path(cgroups_path, id, &path, err);
    if (r < 0)
        return r;
    *ret = xasprintf("%s%s", streq(manager, "/") ? "" : manager, path);
    return 0;
}
