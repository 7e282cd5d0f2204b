/* caller.c — who runs `brick do`: an unprivileged user gets a user
 * namespace of its own (build.c), mapping its own ids and, where granted,
 * a subordinate range (docs/ROOTLESS.md). */
#include "cgroup/cgroup.h"
#include "compose/compose.h"
#include "core/cleanup.h"
#include "core/fd.h"
#include "core/missing.h"
#include "core/util.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool have_tool(const char *name)
{
    static const char *const dirs[] = {"/usr/bin", "/bin", "/usr/sbin", "/sbin", "/usr/local/bin"};
    for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
        _cleanup_free_ char *p = xasprintf("%s/%s", dirs[i], name);
        if (access(p, X_OK) == 0)
            return true;
    }
    return false;
}

static struct compose_id_range subid(const char *file, const char *tool, const char *name, uint32_t id)
{
    _cleanup_free_ char *text = NULL;
    if (!have_tool(tool) || read_file_at(AT_FDCWD, file, BRICK_READ_CONFIG, &text, NULL) < 0)
        return (struct compose_id_range){0, 0};
    return compose_subid_parse(text, name, id);
}

void compose_caller_detect(struct compose_opts *o)
{
    if (geteuid() == 0 || o->caller)
        return;
    struct compose_caller *c = xcalloc(1, sizeof(*c));
    c->uid = geteuid();
    c->gid = getegid();
    _cleanup_free_ char *passwd = NULL, *name = NULL;
    if (read_file_at(AT_FDCWD, "/etc/passwd", BRICK_READ_CONFIG, &passwd, NULL) == 0)
        name = passwd_field(passwd, c->uid, 0);
    c->subuid = subid("/etc/subuid", "newuidmap", name, c->uid);
    c->subgid = subid("/etc/subgid", "newgidmap", name, c->uid);
    c->user_manager = cgroup_user_manager_present();
    o->caller = c;
}
