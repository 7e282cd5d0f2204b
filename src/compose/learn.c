/* learn.c — --learn and --profile-file: linux.seccomp rewritten so that a
 * supervisor (cli/learn.c) is told what it must see, and nothing else
 * changes. Pure: JSON in, JSON out (docs/PROFILES.md).
 *
 * --learn: every SCMP_ACT_ALLOW of the profile (brick's default, tailored to
 * the capabilities) becomes SCMP_ACT_NOTIFY, so the supervisor sees exactly
 * the calls the profile would allow, records them and answers CONTINUE: the
 * kernel then runs the call as if the filter had allowed it. What the profile
 * denies stays denied (ERRNO), so the learned set is what the workload needs
 * within the default profile, never more.
 *
 * --profile-file: the profile's default action SCMP_ACT_ERRNO becomes
 * SCMP_ACT_NOTIFY: a call outside the learned set reaches the supervisor,
 * which prints its name once and answers with the errno (never CONTINUE).
 *
 * --profile-file also applies the file's "annotations" (learned capabilities
 * and Landlock policy, docs/PROFILES.md) and removes them from linux.seccomp.
 *
 * sendmsg stays ALLOW in both: the init hands the notify fd to the
 * supervisor with it, after the filter is in (a notification then would
 * wait for a supervisor that has no fd yet). exit and exit_group stay ALLOW
 * while learning: a supervisor gone makes every notified call ENOSYS. */
#include "compose/compose.h"
#include "core/cleanup.h"
#include "core/error.h"
#include "core/strv.h"
#include "core/util.h"
#include "security/landlock.h"
#include "spec/json.h"
#include "spec/spec.h"

#include <errno.h>
#include <string.h>

/* Calls that stay ALLOW while learning: sendmsg (the fd hand-off); close,
 * because the init closes its own copy of the notify fd right after the
 * hand-off: notified, that close would wait on a listener the init itself
 * keeps open, for ever if the supervisor died in between (close is in the
 * engine floor of every learned profile, so nothing is lost); and
 * exit/exit_group, so that a task can still end when the supervisor is gone
 * (a notified call then fails with ENOSYS: even exit would). */
static bool kept_allowed(const char *n)
{
    return streq(n, "sendmsg") || streq(n, "close") || streq(n, "exit") || streq(n, "exit_group");
}

/* names without the kept ones (a new array), or NULL when it has none. */
static bjson *names_without_kept(const bjson *names)
{
    bool found = false;
    bjson *out = bjson_new_array();
    for (size_t i = 0; i < bjson_array_len(names); i++) {
        const char *n = bjson_string(bjson_array_get(names, i));
        if (n && kept_allowed(n))
            found = true;
        else
            bjson_append(out, bjson_copy(bjson_array_get(names, i)));
    }
    if (!found) {
        bjson_free(out);
        return NULL;
    }
    return out;
}

static void allow_sendmsg(bjson *calls, bool learning)
{
    bjson *rule = bjson_new_object(), *names = bjson_new_array();
    bjson_append(names, bjson_new_string("sendmsg"));
    if (learning) {
        bjson_append(names, bjson_new_string("close"));
        bjson_append(names, bjson_new_string("exit"));
        bjson_append(names, bjson_new_string("exit_group"));
    }
    bjson_set(rule, "names", names);
    bjson_set(rule, "action", bjson_new_string("SCMP_ACT_ALLOW"));
    bjson_append(calls, rule);
}

/* ALLOW -> NOTIFY, sendmsg apart. */
static void learn_rewrite(bjson *calls)
{
    for (size_t i = 0; i < bjson_array_len(calls); i++) {
        bjson *rule = bjson_array_get(calls, i);
        const char *action = bjson_string(bjson_get(rule, "action"));
        if (!action || !streq(action, "SCMP_ACT_ALLOW"))
            continue;
        bjson_set(rule, "action", bjson_new_string("SCMP_ACT_NOTIFY"));
        bjson *names = names_without_kept(bjson_get(rule, "names"));
        if (names)
            bjson_set(rule, "names", names);
    }
}

const char *compose_cap_name(int cap) { return oci_cap_name(cap); }

int compose_cap_from_name(const char *name) { return oci_cap_from_name(name); }

int compose_landlock_abi(void) { return landlock_abi_version(); }

static bool in_list(char **v, const char *s)
{
    for (; v && *v; v++)
        if (streq(*v, s))
            return true;
    return false;
}

/* execve out of the profile's plain ALLOW entries into a NOTIFY one: the
 * supervisor answers it CONTINUE and, at the first, starts following the
 * container's capability checks (before the command runs). false when the
 * profile does not allow execve unconditionally. */
static bool notify_execve(bjson *sc)
{
    bjson *calls = bjson_get(sc, "syscalls");
    bool moved = false;
    for (size_t i = 0; i < bjson_array_len(calls); i++) {
        bjson *rule = bjson_array_get(calls, i), *names = bjson_get(rule, "names"), *out = bjson_new_array();
        const char *action = bjson_string(bjson_get(rule, "action"));
        bool here = false;
        for (size_t j = 0; j < bjson_array_len(names); j++) {
            const char *n = bjson_string(bjson_array_get(names, j));
            if (n && streq(n, "execve") && action && streq(action, "SCMP_ACT_ALLOW") &&
                !bjson_get(rule, "args"))
                here = true;
            else
                bjson_append(out, bjson_copy(bjson_array_get(names, j)));
        }
        if (here)
            bjson_set(rule, "names", out);
        else
            bjson_free(out);
        moved |= here;
    }
    if (moved) {
        bjson *rule = bjson_new_object(), *names = bjson_new_array();
        bjson_append(names, bjson_new_string("execve"));
        bjson_set(rule, "names", names);
        bjson_set(rule, "action", bjson_new_string("SCMP_ACT_NOTIFY"));
        bjson_append(calls, rule);
    }
    return moved;
}

/* The bounding set's capabilities not in caps, for the supervisor to name
 * when the container is refused one (cli/learn_caps.c): in the OCI
 * listenerMetadata meant for the agent, "dropped-capabilities=CAP_A,CAP_B".
 * Set only with execve moved to NOTIFY (notify_execve), none when nothing
 * is dropped. */
static void note_dropped(bjson *spec, bjson *sc, char **caps)
{
    bjson *l = bjson_get(bjson_get(bjson_get(spec, "process"), "capabilities"), "bounding");
    _cleanup_free_ char *list = xstrdup("");
    for (size_t j = 0; j < bjson_array_len(l); j++) {
        const char *n = bjson_string(bjson_array_get(l, j));
        if (!n || in_list(caps, n))
            continue;
        char *t = xasprintf("%s%s%s", list, *list ? "," : "", n);
        free(list);
        list = t;
    }
    if (!*list || !notify_execve(sc))
        return;
    _cleanup_free_ char *meta = xasprintf("%s%s", LEARN_DROPPED_METADATA, list);
    bjson_set(sc, "listenerMetadata", bjson_new_string(meta));
}

/* Every capability list of process.capabilities limited to caps. */
static void limit_caps(bjson *spec, char **caps)
{
    static const char *const sets[] = {"bounding", "effective", "permitted", "inheritable", "ambient"};
    bjson *c = bjson_get(bjson_get(spec, "process"), "capabilities");
    for (size_t i = 0; c && i < sizeof(sets) / sizeof(sets[0]); i++) {
        bjson *l = bjson_get(c, sets[i]);
        if (bjson_type_of(l) != BJSON_ARRAY)
            continue;
        bjson *out = bjson_new_array();
        for (size_t j = 0; j < bjson_array_len(l); j++) {
            const char *n = bjson_string(bjson_array_get(l, j));
            if (n && in_list(caps, n))
                bjson_append(out, bjson_new_string(n));
        }
        bjson_set(c, sets[i], out);
    }
}

static int learned_caps(const char *file, const char *v, char ***ret, struct brick_error *err)
{
    _cleanup_free_ char *copy = xstrdup(v);
    for (char *save = NULL, *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (oci_cap_from_name(t) < 0)
            return brick_err(err, EINVAL, "--profile-file %s: annotations[\"%s\"]: unknown capability \"%s\"",
                             file, LEARN_CAPS_ANNOTATION, t);
        strv_push(ret, t);
    }
    return 0;
}

/* The learned file's annotations, applied to the spec and taken out of sc. */
static int apply_annotations(const struct compose_opts *o, bjson *spec, bjson *sc, struct brick_error *err)
{
    bjson *a = bjson_get(sc, "annotations");
    if (!a)
        return 0;
    if (bjson_type_of(a) != BJSON_OBJECT)
        return brick_err(err, EINVAL, "--profile-file %s: annotations: expected an object", o->profile_file);
    bjson_iter it = bjson_object_iter(a);
    const char *k;
    bjson *v;
    while (bjson_object_next(&it, &k, &v)) {
        if (!streq(k, LEARN_CAPS_ANNOTATION) && !streq(k, LEARN_LANDLOCK_ANNOTATION))
            return brick_err(err, EINVAL, "--profile-file %s: annotations[\"%s\"]: unknown key (%s, %s)",
                             o->profile_file, k, LEARN_CAPS_ANNOTATION, LEARN_LANDLOCK_ANNOTATION);
        if (!bjson_string(v))
            return brick_err(err, EINVAL, "--profile-file %s: annotations[\"%s\"]: expected a string",
                             o->profile_file, k);
    }
    const char *caps = bjson_string(bjson_get(a, LEARN_CAPS_ANNOTATION));
    if (caps) {
        _cleanup_strv_ char **list = NULL;
        int r = learned_caps(o->profile_file, caps, &list, err);
        if (r < 0)
            return r;
        note_dropped(spec, sc, list);
        limit_caps(spec, list);
    }
    const char *ll = bjson_string(bjson_get(a, LEARN_LANDLOCK_ANNOTATION));
    struct landlock_policy *pol = NULL;
    if (ll && landlock_policy_parse(ll, &pol, err) < 0)
        return brick_err_prefix(err, "--profile-file %s", o->profile_file);
    landlock_policy_free(pol);
    if (ll) {
        bjson *sa = bjson_get(spec, "annotations");
        /* brick enforces one policy: the file's would replace the bundle's, maybe wider */
        if (bjson_get(sa, LEARN_LANDLOCK_ANNOTATION))
            return brick_err(err, EINVAL,
                             "--profile-file %s: the config has its own annotations[\"%s\"]: "
                             "the learned policy would replace it (merge them by hand, or remove one)",
                             o->profile_file, LEARN_LANDLOCK_ANNOTATION);
        if (!sa)
            bjson_set(spec, "annotations", sa = bjson_new_object());
        bjson_set(sa, LEARN_LANDLOCK_ANNOTATION, bjson_new_string(ll));
    }
    bjson_del(sc, "annotations");
    return 0;
}

int compose_learn_check_agent(const char *flag, const bjson *sc, struct brick_error *err)
{
    if (!sc)
        return 0;
    if (bjson_get(sc, "listenerPath"))
        return brick_err(err, EINVAL,
                         "%s: linux.seccomp.listenerPath: the config has a seccomp agent of its own; "
                         "brick's supervisor would answer its calls in its place",
                         flag);
    bjson *calls = bjson_get(sc, "syscalls");
    for (size_t i = 0; i < bjson_array_len(calls); i++) {
        const char *a = bjson_string(bjson_get(bjson_array_get(calls, i), "action"));
        if (a && streq(a, "SCMP_ACT_NOTIFY"))
            return brick_err(
                err, EINVAL,
                "%s: linux.seccomp.syscalls[%zu].action: SCMP_ACT_NOTIFY: the config "
                "hands these calls to a seccomp agent of its own; brick's supervisor would answer "
                "them in its place",
                flag, i);
    }
    const char *d = bjson_string(bjson_get(sc, "defaultAction"));
    if (d && streq(d, "SCMP_ACT_NOTIFY"))
        return brick_err(err, EINVAL,
                         "%s: linux.seccomp.defaultAction: SCMP_ACT_NOTIFY: the config hands calls "
                         "to a seccomp agent of its own; brick's supervisor would answer them in its place",
                         flag);
    return 0;
}

int compose_learn_apply(const struct compose_opts *o, bjson *spec, struct brick_error *err)
{
    if (!o->learn_file && !o->profile_file)
        return 0;
    const char *flag = o->learn_file ? "--learn" : "--profile-file";
    bjson *sc = bjson_get(bjson_get(spec, "linux"), "seccomp");
    bjson *calls = bjson_get(sc, "syscalls");
    if (!sc || bjson_type_of(calls) != BJSON_ARRAY)
        return brick_err(err, EINVAL, "%s: the profile has no syscalls list", flag);
    if (!o->notify_path)
        return brick_err(err, EINVAL, "%s: internal: no supervisor socket", flag);
    int ra = compose_learn_check_agent(flag, sc, err);
    if (ra < 0)
        return ra;
    if (o->learn_file) {
        learn_rewrite(calls);
    } else {
        const char *def = bjson_string(bjson_get(sc, "defaultAction"));
        if (!def || !streq(def, "SCMP_ACT_ERRNO"))
            return brick_err(err, EINVAL,
                             "--profile-file %s: defaultAction must be SCMP_ACT_ERRNO (a learned "
                             "profile's), not %s",
                             o->profile_file, def ? def : "missing");
        uint64_t e = 1;
        bjson *er = bjson_get(sc, "defaultErrnoRet");
        if (er && (bjson_u64(er, &e) < 0 || e < 1 || e > 4095))
            return brick_err(err, EINVAL, "--profile-file %s: defaultErrnoRet: expected an errno (1-4095)",
                             o->profile_file);
        bjson_set(sc, "defaultAction", bjson_new_string("SCMP_ACT_NOTIFY"));
        bjson_del(sc, "defaultErrnoRet");
        int r = apply_annotations(o, spec, sc, err);
        if (r < 0)
            return r;
    }
    allow_sendmsg(calls, o->learn_file != NULL);
    bjson_set(sc, "listenerPath", bjson_new_string(o->notify_path));
    return 0;
}
