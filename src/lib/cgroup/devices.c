/* devices.c — the device access rules (pure): runc's default set plus the
 * spec's linux.resources.devices, and their v1 devices.allow/deny writes.
 * The v2 equivalent (an eBPF program) is built from the same list in bpf.c. */
#include "cgroup/plan_internal.h"
#include "core/cleanup.h"
#include "core/error.h"
#include "core/util.h"
#include "spec/model.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What every container may use whatever the spec says (runc's list): mknod of
 * any node (the rootfs module creates /dev), and the standard devices. */
static const struct cgroup_dev_rule default_rules[] = {
    {true, 'c', -1, -1, "m"},    {true, 'b', -1, -1, "m"}, {true, 'c', 1, 3, "rwm"}, /* /dev/null */
    {true, 'c', 1, 5, "rwm"},                                                        /* /dev/zero */
    {true, 'c', 1, 7, "rwm"},                                                        /* /dev/full */
    {true, 'c', 1, 8, "rwm"},                                                        /* /dev/random */
    {true, 'c', 1, 9, "rwm"},                                                        /* /dev/urandom */
    {true, 'c', 5, 0, "rwm"},                                                        /* /dev/tty */
    {true, 'c', 5, 1, "rwm"},                                                        /* /dev/console */
    {true, 'c', 5, 2, "rwm"},                                                        /* /dev/ptmx */
    {true, 'c', 136, -1, "rwm"},                                                     /* /dev/pts/N */
};

static bool is_deny_all(const struct oci_device_cgroup *d)
{
    return !d->allow && (!d->type || streq(d->type, "a")) && (!d->has_major || d->major < 0) &&
           (!d->has_minor || d->minor < 0) && (!d->access || strspn(d->access, "rwm") == 3);
}

static int convert(const struct oci_device_cgroup *d, size_t i, struct cgroup_dev_rule *out,
                   struct brick_error *err)
{
    *out = (struct cgroup_dev_rule){.allow = d->allow, .type = 'a', .major = -1, .minor = -1};
    if (d->type && *d->type) {
        if (strlen(d->type) != 1 || !strchr("acb", d->type[0]))
            return brick_err(err, EINVAL, "linux.resources.devices[%zu].type: invalid \"%s\"", i, d->type);
        out->type = d->type[0];
    }
    if (d->has_major)
        out->major = d->major;
    if (d->has_minor)
        out->minor = d->minor;
    const char *acc = d->access && *d->access ? d->access : "rwm";
    if (!acc[strcspn(acc, "rwm")])
        return brick_err(err, EINVAL, "linux.resources.devices[%zu].access: invalid \"%s\"", i, acc);
    /* canonical order, no duplicates; other letters ignored, as runc */
    size_t k = 0;
    for (const char *c = "rwm"; *c; c++)
        if (strchr(acc, *c))
            out->access[k++] = *c;
    out->access[k] = '\0';
    if (out->type == 'a') /* "a" means every device whatever the numbers */
        out->major = out->minor = -1;
    return 0;
}

int cgroup_device_rules(const struct oci_device_cgroup *spec_rules, size_t n, struct cgroup_dev_rule **ret,
                        size_t *ret_n, struct brick_error *err)
{
    size_t nd = ARRAY_SIZE(default_rules), skip = 0;
    while (skip < n && is_deny_all(&spec_rules[skip]))
        skip++;
    struct cgroup_dev_rule *v = xcalloc(1 + nd + n, sizeof(*v));
    size_t k = 0;
    v[k++] = (struct cgroup_dev_rule){false, 'a', -1, -1, "rwm"};
    for (size_t i = 0; i < nd; i++)
        v[k++] = default_rules[i];
    for (size_t i = skip; i < n; i++) {
        int r = convert(&spec_rules[i], i, &v[k++], err);
        if (r < 0) {
            free(v);
            return r;
        }
    }
    *ret = v;
    *ret_n = k;
    return 0;
}

static void fmt_num(char *buf, size_t len, int64_t v)
{
    if (v < 0)
        snprintf(buf, len, "*");
    else
        snprintf(buf, len, "%" PRId64, v);
}

void cgroup_plan_v1_devices(const struct cgroup_dev_rule *rules, size_t n, struct cgroup_writes *out)
{
    for (size_t i = 0; i < n; i++) {
        const struct cgroup_dev_rule *d = &rules[i];
        const char *file = d->allow ? "devices.allow" : "devices.deny";
        if (d->type == 'a') {
            plan_add(out, "devices", false, "devices", file, "a");
            continue;
        }
        char ma[24], mi[24];
        fmt_num(ma, sizeof(ma), d->major);
        fmt_num(mi, sizeof(mi), d->minor);
        plan_add(out, "devices", false, "devices", file, "%c %s:%s %s", d->type, ma, mi, d->access);
    }
}
