/* apparmor.c — brick-default's text, whether the kernel holds a profile, the
 * decisions of create, exec and do, and the parser's path (see apparmor.h). */
#include "security/apparmor.h"
#include "core/cleanup.h"
#include "core/error.h"
#include "core/fd.h"
#include "core/missing.h"
#include "core/util.h"
#include "security/lsm.h"
#include "src/lib/security/apparmor-default.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>

const char apparmor_default_text[] = BRICK_APPARMOR_DEFAULT_TEXT;

#define PROFILES_LIST "/sys/kernel/security/apparmor/profiles"

/* Lines "name (mode)": the name is everything before the last " (". */
bool apparmor_list_has(const char *text, const char *name)
{
    size_t n = strlen(name);
    for (const char *l = text; *l;) {
        const char *end = strchrnul(l, '\n');
        if ((size_t)(end - l) > n + 3 && strncmp(l, name, n) == 0 && l[n] == ' ' && l[n + 1] == '(' &&
            end[-1] == ')' && memchr(l + n + 2, ' ', (size_t)(end - l) - n - 2) == NULL)
            return true;
        l = *end ? end + 1 : end;
    }
    return false;
}

/* The kernel's list, from the host's securityfs (root of the initial user
 * namespace only: others get EACCES). */
static int read_list(char **ret)
{
    _cleanup_close_ int fd = open(PROFILES_LIST, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    struct statfs sfs;
    if (fd < 0 || fstatfs(fd, &sfs) < 0)
        return -errno;
    if (sfs.f_type != SECURITYFS_MAGIC)
        return -EXDEV;
    return read_all_fd(fd, BRICK_READ_STATE, ret, NULL);
}

int apparmor_profile_loaded(int procfd, const char *name)
{
    if (streq(name, APPARMOR_UNCONFINED))
        return 1;
    /* a stack ("a//&b") or another policy namespace (":ns:a") is not a line
     * of our namespace's list: the kernel answers for those */
    bool plain = name[0] != ':' && name[0] != '&' && !strstr(name, "//&");
    _cleanup_free_ char *list = NULL;
    if (plain && read_list(&list) >= 0)
        return apparmor_list_has(list, name);
    int r = lsm_apparmor_test_change(procfd, name);
    return r == 0 ? 1 : r == -ENOENT ? 0 : r;
}

enum apparmor_plan apparmor_plan(const char *name, int loaded)
{
    if (loaded != 0 || streq(name, APPARMOR_UNCONFINED))
        return APPARMOR_APPLY;
    return streq(name, APPARMOR_DEFAULT_PROFILE) ? APPARMOR_LOAD : APPARMOR_MISSING;
}

const char *apparmor_do_default(bool enabled, bool can_load, int loaded)
{
    if (!enabled || (loaded <= 0 && !can_load))
        return NULL;
    return APPARMOR_DEFAULT_PROFILE;
}

const char *apparmor_parser_pick(const char *const *candidates, struct brick_error *err)
{
    for (const char *const *c = candidates; *c; c++) {
        struct stat st;
        if (stat(*c, &st) < 0) {
            if (errno == ENOENT)
                continue;
            brick_err_errno(err, errno, "%s", *c);
            return NULL;
        }
        /* run as root with our policy on stdin: only root may have put it there */
        if (!S_ISREG(st.st_mode) || st.st_uid != 0 || (st.st_mode & 022) || !(st.st_mode & 0100)) {
            brick_err(err, EPERM, "%s is not an executable file that only root can write: not run", *c);
            return NULL;
        }
        return *c;
    }
    brick_err(err, ENOENT,
              "apparmor_parser is not installed (/sbin/apparmor_parser, /usr/sbin/apparmor_parser; "
              "Debian's package: apparmor)");
    return NULL;
}

const char *apparmor_parser_find(struct brick_error *err)
{
    static const char *const paths[] = {"/sbin/apparmor_parser", "/usr/sbin/apparmor_parser", NULL};
    return apparmor_parser_pick(paths, err);
}
