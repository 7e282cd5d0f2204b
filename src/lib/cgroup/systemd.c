/* systemd.c — --systemd-cgroup: the container's cgroup is the scope systemd
 * would make for "SLICE:PREFIX:NAME" (systemd_path.c), created through
 * cgroupfs when systemd is not the host's init. With systemd running the
 * unit would have to be made over D-Bus (StartTransientUnit); mkdir-ing in
 * systemd's own tree instead would race it (it prunes and re-creates what
 * it does not know), so that case is refused until a D-Bus client exists. */
#include "cgroup/cgroup.h"
#include "cgroup/systemd_path.h"
#include "core/cleanup.h"
#include "core/error.h"

#include <errno.h>
#include <sys/stat.h>

/* sd_booted(3): systemd is pid 1 when /run/systemd/system is a directory. */
static bool systemd_booted(void)
{
    struct stat st;
    return lstat("/run/systemd/system", &st) == 0 && S_ISDIR(st.st_mode);
}

int cgroup_resolve_systemd(struct cgroup *cg, const char *cgroups_path, const char *id,
                           struct brick_error *err)
{
    _cleanup_free_ char *path = NULL;
    int r = cgroup_systemd_path(cgroups_path, id, &path, err);
    if (r < 0)
        return r;
    if (systemd_booted())
        return brick_err(err, ENOTSUP, "--systemd-cgroup: creating units through systemd's D-Bus API is "
                         "not supported yet; use the cgroupfs driver");
    /* An absolute path: every level brick makes (the slices too) is
     * recorded and removed with the container when empty. */
    return cgroup_resolve(cg, path, id, NULL, err);
}
