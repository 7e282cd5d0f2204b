/* apparmor.c — before a container (or an exec'd process) starts with
 * process.apparmorProfile: brick-default loaded when the kernel does not hold
 * it yet, any other profile refused now when the kernel does not hold it
 * (runc finds out at the init's write, after start). The profile itself is
 * applied at the process's execve (security/lsm.c). */
#include "core/error.h"
#include "core/util.h"
#include "hooks/hooks.h"
#include "runtime/runtime.h"
#include "security/lsm.h"
#include "security/apparmor.h"

#include <errno.h>
#include <string.h>

/* The parser from its fixed path, the text brick carries on its stdin:
 * nothing of the container's (or of the caller's environment) chooses what
 * is loaded. -K: no cache written; -r: replace (a concurrent create may have
 * loaded it meanwhile: the same text). */
static int load_default(struct brick_error *err)
{
    if (running_unprivileged())
        return brick_err(err, EPERM,
                         "process.apparmorProfile: %s is not loaded, and only root can load it "
                         "(it is, when root runs a container with it)",
                         APPARMOR_DEFAULT_PROFILE);
    const char *parser = apparmor_parser_find(err);
    if (!parser)
        return brick_err_prefix(err, "process.apparmorProfile: %s is not loaded", APPARMOR_DEFAULT_PROFILE);
    char *args[] = {(char *)parser, "-Kr", NULL};
    char *env[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C", NULL};
    struct oci_hook h = {
        .path = (char *)parser, .args = args, .env = env, .has_timeout = true, .timeout = 60};
    int r = hooks_run_program(&h, apparmor_default_text, err);
    if (r < 0 && err) /* the parser's lines, as one: the CLI prints one line per error */
        for (char *c = err->msg; *c; c++)
            *c = *c == '\n' ? ' ' : *c;
    if (r < 0)
        return brick_err_prefix(err, "process.apparmorProfile: load %s with %s", APPARMOR_DEFAULT_PROFILE,
                                parser);
    return 0;
}

int runtime_apparmor_prepare(int procfd, const char *profile, const struct lsm_host *host,
                             struct brick_error *err)
{
    if (!profile || !*profile || !host->apparmor)
        return 0; /* without AppArmor the config checks refused it already */
    switch (apparmor_plan(profile, apparmor_profile_loaded(procfd, profile))) {
    case APPARMOR_LOAD: return load_default(err);
    case APPARMOR_MISSING:
        return brick_err(err, ENOENT, "process.apparmorProfile: AppArmor profile \"%s\" is not loaded",
                         profile);
    case APPARMOR_APPLY: break;
    }
    return 0;
}
