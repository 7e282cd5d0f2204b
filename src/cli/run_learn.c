/* run_learn.c — `brick run --learn FILE` and `brick run --profile-file FILE`:
 * the same supervisor as `brick do` (learn.c) for a bundle. The bundle's
 * config.json is read here, its linux.seccomp rewritten (compose/learn.c;
 * with --profile-file, replaced by FILE first) and handed to the runtime
 * as the parsed spec; the bundle itself is not changed. --learn needs the
 * bundle to have linux.seccomp: it is the template (`brick spec` writes
 * the default profile). */
#include "cli/cli.h"
#include "cli/learn.h"
#include "compose/compose.h"
#include "core/cleanup.h"
#include "core/error.h"
#include "core/fd.h"
#include "core/missing.h"
#include "core/util.h"
#include "spec/json.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>

static int load_bundle(const struct compose_opts *lo, const char *bundle, bjson **ret,
                       struct brick_error *err)
{
    _cleanup_free_ char *path = xasprintf("%s/config.json", bundle ? bundle : ".");
    _cleanup_free_ char *text = NULL;
    int r = read_file_at(AT_FDCWD, path, BRICK_READ_CONFIG, &text, NULL);
    if (r < 0)
        return brick_err_errno(err, -r, "%s", path);
    if (bjson_parse(text, strlen(text), ret, err) < 0)
        return brick_err_prefix(err, "%s", path);
    bjson *linux_ = bjson_get(*ret, "linux");
    /* the bundle's own agent decides some calls: never answered by brick's supervisor in its place */
    r = compose_learn_check_agent(lo->profile_file ? "--profile-file" : "--learn",
                                  bjson_get(linux_, "seccomp"), err);
    if (r < 0)
        return brick_err_prefix(err, "%s", path);
    if (lo->profile_file) {
        bjson *prof = NULL;
        if (bjson_parse(lo->seccomp_json, strlen(lo->seccomp_json), &prof, err) < 0)
            return brick_err_prefix(err, "--profile-file %s", lo->profile_file);
        if (!linux_)
            bjson_set(*ret, "linux", linux_ = bjson_new_object());
        bjson_set(linux_, "seccomp", prof);
    } else if (!bjson_get(linux_, "seccomp")) {
        return brick_err(err, EINVAL,
                         "--learn: %s has no linux.seccomp to learn within (brick spec writes "
                         "the default profile)",
                         path);
    }
    return 0;
}

/* The bundle's spec with the supervisor's rewrite; *ret_json is its text. */
static int learn_spec(struct compose_opts *lo, struct brick_create_opts *co, char **ret_json,
                      struct brick_error *err)
{
    if (lo->profile_file) {
        int r = read_file_at(AT_FDCWD, lo->profile_file, BRICK_READ_CONFIG, &lo->seccomp_json, NULL);
        if (r < 0)
            return brick_err_errno(err, -r, "--profile-file %s", lo->profile_file);
    }
    bjson *doc = NULL;
    int r = load_bundle(lo, co->bundle, &doc, err);
    if (r >= 0)
        r = compose_learn_apply(lo, doc, err);
    if (r >= 0) /* parsed by the runtime */
        *ret_json = bjson_to_string(doc, false);
    bjson_free(doc);
    return r;
}

int cli_run_learn(struct compose_opts *lo, struct brick_create_opts *co, int *ret_status)
{
    struct brick_error err;
    struct learn_sup ls;
    _cleanup_free_ char *json = NULL;
    if (co->detach)
        return cli_failf("run: %s: needs a foreground run (the supervisor lives as long as it), not -d",
                         lo->learn_file ? "--learn" : "--profile-file");
    int r = learn_prepare(lo, &ls, &err);
    if (r >= 0)
        r = learn_spec(lo, co, &json, &err);
    co->spec_json = json;
    if (r >= 0)
        r = learn_fork(lo, &ls, json, &err);
    if (r >= 0)
        r = brick_run(co, ret_status, &err);
    int rl = learn_finish(lo, &ls, r < 0 ? NULL : &err);
    if (r >= 0)
        r = rl;
    return r < 0 ? cli_fail(&err) : 0;
}
