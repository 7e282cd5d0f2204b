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
 * sendmsg stays ALLOW in both: the init hands the notify fd to the
 * supervisor with it, after the filter is in (a notification then would
 * wait for a supervisor that has no fd yet). */
#include "compose/compose.h"
#include "core/cleanup.h"
#include "core/error.h"
#include "core/util.h"
#include "spec/json.h"

#include <errno.h>
#include <string.h>

/* names without "sendmsg" (a new array), or NULL when it has none. */
static bjson *names_without_sendmsg(const bjson *names)
{
    bool found = false;
    bjson *out = bjson_new_array();
    for (size_t i = 0; i < bjson_array_len(names); i++) {
        const char *n = bjson_string(bjson_array_get(names, i));
        if (n && streq(n, "sendmsg"))
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

static void allow_sendmsg(bjson *calls)
{
    bjson *rule = bjson_new_object(), *names = bjson_new_array();
    bjson_append(names, bjson_new_string("sendmsg"));
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
        bjson *names = names_without_sendmsg(bjson_get(rule, "names"));
        if (names)
            bjson_set(rule, "names", names);
    }
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
    if (o->learn_file) {
        learn_rewrite(calls);
    } else {
        const char *def = bjson_string(bjson_get(sc, "defaultAction"));
        if (!def || !streq(def, "SCMP_ACT_ERRNO"))
            return brick_err(err, EINVAL, "--profile-file %s: defaultAction must be SCMP_ACT_ERRNO (a learned "
                             "profile's), not %s", o->profile_file, def ? def : "missing");
        bjson_set(sc, "defaultAction", bjson_new_string("SCMP_ACT_NOTIFY"));
        bjson_del(sc, "defaultErrnoRet");
    }
    allow_sendmsg(calls);
    bjson_set(sc, "listenerPath", bjson_new_string(o->notify_path));
    return 0;
}
