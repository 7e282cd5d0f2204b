/* desktop.c — desktop flags and the spec edits they make (pure). */
#include "compose/compose.h"
#include "compose/desktop.h"
#include "core/cleanup.h"
#include "core/error.h"
#include "core/strv.h"
#include "core/util.h"
#include "spec/json.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static struct compose_desktop *desktop(struct compose_opts *o)
{
    if (!o->desktop)
        o->desktop = xcalloc(1, sizeof(*o->desktop));
    return o->desktop;
}

int desktop_parse_device(const char *s, struct desktop_device_req *ret, struct brick_error *err)
{
    _cleanup_free_ char *copy = xstrdup(s);
    char *parts[3] = {copy, NULL, NULL};
    int n = 1;
    for (char *p = copy; *p && n < 3; p++)
        if (*p == ':') {
            *p = '\0';
            parts[n++] = p + 1;
        }
    if (strchr(parts[n - 1], ':') || parts[0][0] != '/')
        return brick_err(err, EINVAL, "--device: expected /HOST[:/PATH][:rwm], got \"%s\"", s);
    const char *inside = parts[0], *access = "rwm";
    if (n >= 2 && parts[1][0] == '/') {
        inside = parts[1];
        if (n == 3)
            access = parts[2];
    } else if (n == 3) {
        return brick_err(err, EINVAL, "--device: expected /HOST[:/PATH][:rwm], got \"%s\"", s);
    } else if (n == 2) {
        access = parts[1];
    }
    if (!*access || strspn(access, "rwm") != strlen(access) || strlen(access) > 3)
        return brick_err(err, EINVAL, "--device %s: access must be a subset of rwm, got \"%s\"", s, access);
    *ret = (struct desktop_device_req){xstrdup(parts[0]), xstrdup(inside), xstrdup(access)};
    return 0;
}

int desktop_display_number(const char *display, unsigned *ret)
{
    if (!display)
        return -EINVAL;
    const char *p = startswith(display, "unix:") ? display + 4 : display;
    if (*p != ':')
        return -EINVAL; /* host:N is TCP, not a local socket */
    p++;
    char *end;
    errno = 0;
    unsigned long n = strtoul(p, &end, 10);
    if (errno || end == p || n > 65535 || (*end && *end != '.'))
        return -EINVAL;
    *ret = (unsigned)n;
    return 0;
}

void desktop_add_group(struct compose_desktop *d, uint32_t gid)
{
    for (size_t i = 0; i < d->n_group_add; i++)
        if (d->group_add[i] == gid)
            return;
    d->group_add = xrealloc(d->group_add, (d->n_group_add + 1) * sizeof(*d->group_add));
    d->group_add[d->n_group_add++] = gid;
}

static int parse_group(const char *arg, struct compose_desktop *d, struct brick_error *err)
{
    uint64_t gid;
    if (parse_u64(arg, &gid) < 0 || gid > UINT32_MAX - 1)
        return brick_err(err, EINVAL, "--group-add: expected a numeric GID, got \"%s\"", arg);
    desktop_add_group(d, (uint32_t)gid);
    d->group_add_asked = true;
    return 0;
}

static int parse_x11(const char *arg, bool wish, struct compose_desktop *d, struct brick_error *err)
{
    if (!arg || streq(arg, "trusted"))
        d->x11 = DESKTOP_X11_TRUSTED;
    else if (streq(arg, "untrusted"))
        d->x11 = DESKTOP_X11_UNTRUSTED;
    else
        return brick_err(err, EINVAL, "--x11: expected --x11, --x11=untrusted or --x11=none, got \"%s\"",
                         arg);
    d->x11_auto = wish;
    if (!wish && d->wayland_auto) /* the caller's --x11 after a profile's --wayland */
        d->wayland = d->wayland_auto = false;
    return 0;
}

static int parse_wayland(bool wish, struct compose_desktop *d)
{
    d->wayland = true;
    d->wayland_auto = wish;
    if (!wish && d->x11_auto) /* the caller's --wayland after a profile's --x11 */
        d->x11 = DESKTOP_X11_OFF, d->x11_auto = false;
    return 0;
}

static int parse_audio(const char *arg, bool from_profile, struct compose_desktop *d, struct brick_error *err)
{
    if (arg && !streq(arg, "devices") && !streq(arg, "auto"))
        return brick_err(err, EINVAL,
                         "--audio: expected --audio, --audio=devices, --audio=auto or --audio=none, "
                         "got \"%s\"",
                         arg);
    d->audio = true;
    d->audio_auto = from_profile ||
                    (arg && streq(arg, "auto")); /* the last one wins: --profile browser --audio is strict */
    d->sound_devices = d->sound_devices || (arg && streq(arg, "devices"));
    return 0;
}

static int parse_gpu(const char *arg, bool from_profile, struct compose_desktop *d, struct brick_error *err)
{
    if (arg && !streq(arg, "auto"))
        return brick_err(err, EINVAL, "--gpu: expected --gpu, --gpu=auto or --gpu=none, got \"%s\"", arg);
    d->gpu = true;
    d->gpu_auto = from_profile || arg != NULL;
    return 0;
}

static int parse_device(const char *arg, bool from_profile, struct compose_desktop *d,
                        struct brick_error *err)
{
    struct desktop_device_req r;
    int ret = desktop_parse_device(arg, &r, err);
    if (ret < 0)
        return ret;
    r.optional = from_profile;
    d->dev_reqs = xrealloc(d->dev_reqs, (d->n_dev_reqs + 1) * sizeof(*d->dev_reqs));
    d->dev_reqs[d->n_dev_reqs++] = r;
    return 0;
}

int desktop_parse_flag(int code, const char *arg, const char *profile, struct compose_opts *o,
                       struct brick_error *err)
{
    struct compose_desktop *d = desktop(o);
    bool wish = profile != NULL; /* struct compose_desktop: a profile's flags are wishes */
    switch (code) {
    case DESKTOP_OPT_X11: return parse_x11(arg, wish, d, err);
    case DESKTOP_OPT_WAYLAND: return parse_wayland(wish, d);
    case DESKTOP_OPT_GUI: d->gui = true; return 0;
    case DESKTOP_OPT_AUDIO: return parse_audio(arg, wish, d, err);
    case DESKTOP_OPT_GPU: return parse_gpu(arg, wish, d, err);
    case DESKTOP_OPT_DEVICE: return parse_device(arg, wish, d, err);
    case DESKTOP_OPT_GROUP_ADD: return parse_group(arg, d, err);
    case DESKTOP_OPT_SHM_SIZE:
        if (compose_parse_size(arg, &d->shm_size) < 0 || d->shm_size < 4096)
            return brick_err(err, EINVAL, "--shm-size: expected a size like 256m or 2g, got \"%s\"", arg);
        return 0;
    case DESKTOP_OPT_DIE_WITH_PARENT:
        d->die_with_parent = true;
        d->die_auto = wish;
        return 0;
    case DESKTOP_OPT_NESTED_NS: d->nested_ns = true; return 0;
    case DESKTOP_OPT_PROFILE:
        return brick_err(err, EINVAL, "--profile %s: profiles are expanded by 'brick do' before parsing",
                         arg);
    }
    return brick_err(err, EINVAL, "internal: unhandled desktop option %d", code);
}

int desktop_check(const struct compose_opts *o, struct brick_error *err)
{
    const struct compose_desktop *d = o->desktop;
    if (!d)
        return 0;
    /* a profile's --die-with-parent is for the foreground: with -d the guard ignores it */
    if (d->die_with_parent && !d->die_auto && o->detach)
        return brick_err(err, EINVAL,
                         "--die-with-parent: a detached container has no parent to die with "
                         "(drop -d)");
    if (d->x11 && d->wayland)
        return brick_err(err, EINVAL, "--x11 and --wayland: pick one (or --gui)");
    /* --gui with --x11 or --wayland: the explicit choice wins (profiles say --gui) */
    return 0;
}

static void free_mount(struct desktop_mount *m)
{
    free(m->dst);
    free(m->type);
    free(m->src);
    strv_free(m->options);
}

void desktop_free(struct compose_desktop *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n_dev_reqs; i++) {
        free(d->dev_reqs[i].host);
        free(d->dev_reqs[i].inside);
        free(d->dev_reqs[i].access);
    }
    free(d->dev_reqs);
    free(d->group_add);
    for (size_t i = 0; i < d->n_mounts; i++)
        free_mount(&d->mounts[i]);
    free(d->mounts);
    for (size_t i = 0; i < d->n_devs; i++)
        free(d->devs[i].path);
    free(d->devs);
    strv_free(d->env);
    strv_free(d->masked);
    strv_free(d->notes);
    strv_free(d->left_out);
    strv_free(d->left_out_flags);
    free(d->note_once);
    free(d);
}

void desktop_add_mount(struct compose_desktop *d, const char *dst, const char *type, const char *src,
                       const char *const *options)
{
    d->mounts = xrealloc(d->mounts, (d->n_mounts + 1) * sizeof(*d->mounts));
    d->mounts[d->n_mounts++] =
        (struct desktop_mount){xstrdup(dst), xstrdup(type), xstrdup(src), strv_copy((char *const *)options)};
}

void desktop_add_env(struct compose_desktop *d, const char *key, const char *value)
{
    strv_push_take(&d->env, xasprintf("%s=%s", key, value));
}

/* --- desktop_apply: edits of the generated spec --- */

static bjson *str_array(char *const *v)
{
    bjson *a = bjson_new_array();
    for (; v && *v; v++)
        bjson_append(a, bjson_new_string(*v));
    return a;
}

/* The desktop's variables go first: a user's -e KEY=... replaces them. */
static void apply_env(const struct compose_desktop *d, bjson *process)
{
    bjson *old = bjson_get(process, "env");
    _cleanup_strv_ char **env = strv_copy(d->env);
    for (size_t i = 0; i < bjson_array_len(old); i++) {
        const char *kv = bjson_string(bjson_array_get(old, i));
        size_t klen = strcspn(kv, "=");
        bool replaced = false;
        for (char **e = env; e && *e; e++)
            if (strncmp(*e, kv, klen) == 0 && (*e)[klen] == '=') {
                free(*e);
                *e = xstrdup(kv);
                replaced = true;
            }
        if (!replaced)
            strv_push(&env, kv);
    }
    bjson_set(process, "env", str_array(env));
}

static void apply_groups(const struct compose_desktop *d, bjson *process)
{
    if (!d->n_group_add)
        return;
    /* added to a named user's own groups (-u NAME), as Docker's --group-add */
    bjson *user = bjson_get(process, "user"), *a = bjson_get(user, "additionalGids");
    bool fresh = !a;
    if (fresh)
        a = bjson_new_array();
    for (size_t i = 0; i < d->n_group_add; i++)
        bjson_append(a, bjson_new_u64(d->group_add[i]));
    if (fresh)
        bjson_set(user, "additionalGids", a);
}

static void apply_mounts(const struct compose_desktop *d, bjson *mounts)
{
    for (size_t i = 0; i < bjson_array_len(mounts) && d->shm_size; i++) {
        bjson *m = bjson_array_get(mounts, i);
        if (!streq(bjson_string(bjson_get(m, "destination")), "/dev/shm"))
            continue;
        _cleanup_free_ char *size = xasprintf("size=%lldk", (long long)((d->shm_size + 1023) / 1024));
        const char *opts[] = {"nosuid", "noexec", "nodev", "mode=1777", size, NULL};
        bjson_set(m, "options", str_array((char *const *)opts));
    }
    for (size_t i = 0; i < d->n_mounts; i++) {
        bjson *m = bjson_new_object();
        bjson_set(m, "destination", bjson_new_string(d->mounts[i].dst));
        bjson_set(m, "type", bjson_new_string(d->mounts[i].type));
        bjson_set(m, "source", bjson_new_string(d->mounts[i].src));
        if (d->mounts[i].options)
            bjson_set(m, "options", str_array(d->mounts[i].options));
        bjson_append(mounts, m);
    }
}

static void apply_devices(const struct compose_desktop *d, bjson *linux_)
{
    if (!d->n_devs)
        return;
    bjson *devs = bjson_new_array();
    bjson *rules = bjson_get(bjson_get(linux_, "resources"), "devices");
    for (size_t i = 0; i < d->n_devs; i++) {
        const struct desktop_dev *v = &d->devs[i];
        char type[2] = {v->type, '\0'};
        bjson *n = bjson_new_object(), *r = bjson_new_object();
        bjson_set(n, "path", bjson_new_string(v->path));
        bjson_set(n, "type", bjson_new_string(type));
        bjson_set(n, "major", bjson_new_i64(v->major));
        bjson_set(n, "minor", bjson_new_i64(v->minor));
        bjson_set(n, "fileMode", bjson_new_u64(v->mode));
        bjson_set(n, "uid", bjson_new_u64(v->uid));
        bjson_set(n, "gid", bjson_new_u64(v->gid));
        bjson_append(devs, n);
        /* after the deny-all rule build.c wrote: the cgroup lets this one through */
        bjson_set(r, "allow", bjson_new_bool(true));
        bjson_set(r, "type", bjson_new_string(type));
        bjson_set(r, "major", bjson_new_i64(v->major));
        bjson_set(r, "minor", bjson_new_i64(v->minor));
        bjson_set(r, "access", bjson_new_string(v->access));
        if (rules)
            bjson_append(rules, r);
        else
            bjson_free(r);
    }
    bjson_set(linux_, "devices", devs);
}

/* The default profile allows clone only without CLONE_NEW* flags and denies
 * unshare and setns (Docker's rule, against kernel bugs reachable through
 * user namespaces). A browser builds its renderer sandbox from exactly those,
 * so --allow-nested-ns adds an unconditional allow for them; clone3 keeps
 * failing with ENOSYS and libc falls back to clone. The capability sets are
 * untouched: the namespaces the app makes give it no power over ours. */
static void apply_seccomp(const struct compose_desktop *d, bjson *linux_)
{
    bjson *sc = bjson_get(linux_, "seccomp");
    bjson *calls = bjson_get(sc, "syscalls");
    if (!d->nested_ns || !calls)
        return;
    static char *const names[] = {"clone", "unshare", "setns", NULL};
    bjson *rule = bjson_new_object();
    bjson_set(rule, "names", str_array(names));
    bjson_set(rule, "action", bjson_new_string("SCMP_ACT_ALLOW"));
    bjson_append(calls, rule);
}

int desktop_apply(const struct compose_opts *o, bjson *spec, struct brick_error *err)
{
    const struct compose_desktop *d = o->desktop;
    if (!d)
        return 0;
    bjson *process = bjson_get(spec, "process"), *linux_ = bjson_get(spec, "linux");
    bjson *mounts = bjson_get(spec, "mounts");
    if (!process || !linux_ || !mounts)
        return brick_err(err, EINVAL, "desktop: the generated spec lacks process, linux or mounts");
    apply_env(d, process);
    /* Unprivileged, setgroups(2) is denied in the container's user namespace
     * (or limited to a subordinate range), and not needed: the kernel keeps
     * the caller's own supplementary groups in effect there, the device
     * nodes' groups among them when the caller is in them. */
    if (o->caller && d->group_add_asked)
        return brick_err(err, EPERM,
                         "--group-add: unprivileged, the container keeps your own supplementary "
                         "groups and cannot be given others (docs/ROOTLESS.md)");
    if (!o->caller)
        apply_groups(d, process);
    apply_mounts(d, mounts);
    apply_devices(d, linux_);
    apply_seccomp(d, linux_);
    bjson *masked = bjson_get(linux_, "maskedPaths");
    for (char **m = d->masked; m && *m && masked; m++)
        bjson_append(masked, bjson_new_string(*m));
    return 0;
}
