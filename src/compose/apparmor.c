/* apparmor.c — the AppArmor profile of `brick do` when none is asked:
 * brick-default where AppArmor is enabled, as Docker applies docker-default
 * (docs/SECURITY.md). Looks at the host; compose_build() only copies
 * o->apparmor into the config. */
#include "compose/compose.h"
#include "core/cleanup.h"
#include "core/fd.h"
#include "core/util.h"
#include "security/apparmor.h"
#include "security/lsm.h"

#include <errno.h>
#include <stddef.h>

void compose_apparmor_default(struct compose_opts *o)
{
    struct lsm_host host;
    if (o->apparmor)
        return;
    lsm_host_detect(&host);
    if (!host.apparmor)
        return;
    _cleanup_close_ int procfd = -EBADF;
    int loaded = procfs_open_verified(&procfd);
    if (loaded >= 0)
        loaded = apparmor_profile_loaded(procfd, APPARMOR_DEFAULT_PROFILE);
    /* root loads it at create, with the parser: without one, none (create
     * would refuse a config naming it) */
    bool can_load = !running_unprivileged() && apparmor_parser_find(NULL) != NULL;
    const char *p = apparmor_do_default(host.apparmor, can_load, loaded);
    if (p)
        o->apparmor = xstrdup(p);
}
