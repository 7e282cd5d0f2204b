/* validate.c — semantic checks across fields, run after a successful parse
 * (types and single-field rules are the parser's). Each rule here names the
 * JSON path of the offending value, in the parser's style. */
#include "core/cleanup.h"
#include "core/error.h"
#include "core/util.h"
#include "spec/names.h"
#include "spec/parse.h"
#include "spec/spec.h"

#include <stdio.h>
#include <string.h>

static int validate_rlimits(struct pctx *c, const struct oci_process *p)
{
    size_t old = pc_key(c, "rlimits"), arr = c->len;
    for (size_t i = 0; i < p->n_rlimits; i++) {
        pc_idx(c, i);
        /* setrlimit() would apply the last one silently; the spec says error. */
        for (size_t j = 0; j < i; j++)
            if (p->rlimits[j].resource == p->rlimits[i].resource) {
                pc_key(c, "type");
                return pc_err(c, "duplicate rlimit \"%s\"", p->rlimits[i].type);
            }
        if (p->rlimits[i].soft > p->rlimits[i].hard)
            return pc_err(c, "soft limit exceeds hard limit");
        pc_pop(c, arr);
    }
    pc_pop(c, old);
    return 0;
}

static int range_err(struct pctx *c, const char *key)
{
    pc_key(c, key);
    return pc_err(c, "value out of range");
}

/* ids above 2^31-1 are refused, as runc does: (uid_t)-1 given to
 * setresuid() means "unchanged" and would leave the process root
 * (the CVE-2024-40635 class), and no id map reaches that far anyway. */
#define OCI_ID_MAX 2147483647U

static int validate_user(struct pctx *c, const struct oci_user *u)
{
    size_t old = pc_key(c, "user");
    if (u->uid > OCI_ID_MAX || u->gid > OCI_ID_MAX) {
        pc_key(c, u->uid > OCI_ID_MAX ? "uid" : "gid");
        return pc_err(c, "%u is not in [0, %u]", u->uid > OCI_ID_MAX ? u->uid : u->gid, OCI_ID_MAX);
    }
    for (size_t i = 0; i < u->n_additional_gids; i++)
        if (u->additional_gids[i] > OCI_ID_MAX)
            return pc_err(c, "additionalGids[%zu]: %u is not in [0, %u]", i, u->additional_gids[i],
                          OCI_ID_MAX);
    pc_pop(c, old);
    return 0;
}

/* An LSM label is written to the kernel as one line ("exec <profile>") and
 * shown in errors: a newline or an escape sequence is never part of one. */
static int validate_label(struct pctx *c, const char *key, const char *label)
{
    for (const unsigned char *s = (const unsigned char *)label; s && *s; s++)
        if (*s < 0x20 || *s == 0x7f) {
            pc_key(c, key);
            return pc_err(c, "contains a control character");
        }
    return 0;
}

int oci_process_validate(const struct oci_process *p, const char *prefix, struct brick_error *err)
{
    struct pctx c = {.err = err};
    if (!p)
        return 0;
    snprintf(c.path, sizeof(c.path), "%s", prefix ? prefix : "");
    c.len = strlen(c.path);
    int r = validate_rlimits(&c, p);
    if (r < 0)
        return r;
    if (p->has_oom_score_adj && (p->oom_score_adj < -1000 || p->oom_score_adj > 1000))
        return range_err(&c, "oomScoreAdj");
    r = validate_user(&c, &p->user);
    if (r >= 0)
        r = validate_label(&c, "apparmorProfile", p->apparmor_profile);
    if (r >= 0)
        r = validate_label(&c, "selinuxLabel", p->selinux_label);
    if (r < 0)
        return r;
    if (p->io_priority.present && (p->io_priority.priority < 0 || p->io_priority.priority > 7)) {
        pc_key(&c, "ioPriority");
        return range_err(&c, "priority");
    }
    if (p->scheduler.present && (p->scheduler.nice < -20 || p->scheduler.nice > 19)) {
        pc_key(&c, "scheduler");
        return range_err(&c, "nice");
    }
    return 0;
}

static int validate_namespaces(struct pctx *c, const struct oci_spec *s)
{
    const struct oci_linux *l = &s->linux_;
    for (size_t i = 0; i < l->n_namespaces; i++)
        for (size_t j = 0; j < i; j++)
            if (l->namespaces[j].type == l->namespaces[i].type) {
                pc_key(c, "linux");
                pc_key(c, "namespaces");
                pc_idx(c, i);
                pc_key(c, "type");
                return pc_err(c, "duplicate namespace type \"%s\"", oci_ns_type_name(l->namespaces[i].type));
            }
    return 0;
}

/* Requirement "key needs a namespace of type t" at path linux.<key>. */
static int need_ns(struct pctx *c, const struct oci_spec *s, const char *section, const char *key,
                   enum oci_ns_type t)
{
    if (oci_spec_namespace(s, t))
        return 0;
    if (section)
        pc_key(c, section);
    pc_key(c, key);
    return pc_err(c, "requires a %s namespace", oci_ns_type_name(t));
}

static int validate_time(struct pctx *c, const struct oci_spec *s)
{
    const struct oci_linux *l = &s->linux_;
    if (!l->time_monotonic.present && !l->time_boottime.present)
        return 0;
    int r = need_ns(c, s, "linux", "timeOffsets", OCI_NS_TIME);
    if (r < 0)
        return r;
    /* Offsets can only be written before a process enters the namespace. */
    if (oci_spec_namespace(s, OCI_NS_TIME)->path) {
        pc_key(c, "linux");
        pc_key(c, "timeOffsets");
        return pc_err(c, "cannot be set when joining an existing time namespace");
    }
    return 0;
}

/* Which namespace makes a sysctl per-container, as runc decides it; any
 * other sysctl would change the host and is refused. Returns -1 for none. */
static int sysctl_ns(const char *key)
{
    static const char *const ipc[] = {
        "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",          "kernel.sem", "kernel.shmall",
        "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced", NULL,
    };
    _cleanup_free_ char *k = xstrdup(key);
    for (char *p = k; *p; p++)
        if (*p == '/')
            *p = '.';
    if (oci_name_in(k, ipc) || startswith(k, "fs.mqueue."))
        return OCI_NS_IPC;
    if (startswith(k, "net."))
        return OCI_NS_NETWORK;
    if (streq(k, "kernel.hostname") || streq(k, "kernel.domainname"))
        return OCI_NS_UTS;
    return -1;
}

static int validate_sysctl(struct pctx *c, const struct oci_spec *s)
{
    const struct oci_linux *l = &s->linux_;
    for (size_t i = 0; i < l->n_sysctl; i++) {
        const char *key = l->sysctl[i].key;
        pc_key(c, "linux");
        pc_key(c, "sysctl");
        if (!*key)
            return pc_err(c, "keys must not be empty");
        pc_key(c, key);
        int t = sysctl_ns(key);
        if (t < 0)
            return pc_err(c, "not a namespaced sysctl: it would change the host");
        if (!oci_spec_namespace(s, (enum oci_ns_type)t))
            return pc_err(c, "requires a %s namespace", oci_ns_type_name((enum oci_ns_type)t));
        pc_pop(c, 0);
    }
    return 0;
}

static bool errno_action(const char *action)
{
    return streq(action, "SCMP_ACT_ERRNO") || streq(action, "SCMP_ACT_TRACE");
}

static int validate_seccomp(struct pctx *c, const struct oci_seccomp *sc)
{
    if (!sc->present)
        return 0;
    pc_key(c, "linux");
    pc_key(c, "seccomp");
    if (sc->has_default_errno_ret && !errno_action(sc->default_action)) {
        pc_key(c, "defaultErrnoRet");
        return pc_err(c, "only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE");
    }
    bool notify = streq(sc->default_action, "SCMP_ACT_NOTIFY");
    for (size_t i = 0; i < sc->n_syscalls; i++) {
        const struct oci_seccomp_syscall *sys = &sc->syscalls[i];
        notify = notify || streq(sys->action, "SCMP_ACT_NOTIFY");
        if (sys->has_errno_ret && !errno_action(sys->action)) {
            pc_key(c, "syscalls");
            pc_idx(c, i);
            pc_key(c, "errnoRet");
            return pc_err(c, "only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE");
        }
    }
    if (notify && !sc->listener_path) {
        pc_key(c, "listenerPath");
        return pc_err(c, "is required when SCMP_ACT_NOTIFY is used");
    }
    pc_pop(c, 0);
    return 0;
}

static int validate_linux_misc(struct pctx *c, const struct oci_spec *s)
{
    const struct oci_linux *l = &s->linux_;
    int r = 0;
    if (l->n_uid_mappings)
        r = need_ns(c, s, "linux", "uidMappings", OCI_NS_USER);
    if (r == 0 && l->n_gid_mappings)
        r = need_ns(c, s, "linux", "gidMappings", OCI_NS_USER);
    if (r == 0 && l->n_net_devices)
        r = need_ns(c, s, "linux", "netDevices", OCI_NS_NETWORK);
    for (size_t i = 0; r == 0 && i < l->n_net_devices; i++)
        if (!*l->net_devices[i].host_name || (l->net_devices[i].name && !*l->net_devices[i].name)) {
            pc_key(c, "linux");
            pc_key(c, "netDevices");
            return pc_err(c, "interface names must not be empty");
        }
    const char *clos = l->intel_rdt.clos_id;
    /* closID names a directory under /sys/fs/resctrl. */
    if (r == 0 && clos && (!*clos || strchr(clos, '/') || streq(clos, ".") || streq(clos, ".."))) {
        pc_key(c, "linux");
        pc_key(c, "intelRdt");
        pc_key(c, "closID");
        return pc_err(c, "invalid closID \"%s\"", clos);
    }
    return r;
}

int oci_spec_validate(const struct oci_spec *s, struct brick_error *err)
{
    struct pctx c = {.err = err};
    int r = oci_process_validate(s->process, "process", err);
    for (size_t i = 0; r == 0 && i < s->n_annotations; i++)
        if (!*s->annotations[i].key) {
            pc_key(&c, "annotations");
            return pc_err(&c, "keys must not be empty");
        }
    /* The namespace list first: later rules are stated in terms of it. */
    if (r == 0)
        r = validate_namespaces(&c, s);
    if (r == 0 && s->hostname && *s->hostname)
        r = need_ns(&c, s, NULL, "hostname", OCI_NS_UTS);
    if (r == 0 && s->domainname && *s->domainname)
        r = need_ns(&c, s, NULL, "domainname", OCI_NS_UTS);
    if (r == 0)
        r = validate_linux_misc(&c, s);
    if (r == 0)
        r = validate_time(&c, s);
    if (r == 0)
        r = validate_sysctl(&c, s);
    if (r == 0)
        r = validate_seccomp(&c, &s->linux_.seccomp);
    return r;
}
