/* desktop_profile.c — `--profile NAME`: a preset of `brick do` flags.
 *
 * A profile is a text file NAME.profile, one flag per line without its
 * dashes ("gpu" is --gpu, "shm-size=1g" is --shm-size=1g), '#' comments, and
 * one "description=..." line for `--profile help`. Looked up in
 *   $XDG_CONFIG_HOME/brick/profiles (default ~/.config/brick/profiles)   the user's
 *   DESKTOP_PROFILES_DIR (<datadir>/brick/profiles)                      installed
 *   DESKTOP_PROFILES_SRCDIR (src/compose/profiles of the build's tree)   uninstalled
 * the first that has it wins. `--profile NAME` is replaced in place by the
 * profile's flags, so flags after it override the profile (--no-FLAG turns
 * one off), and each is marked as the profile's: what it asks of the host is
 * a wish, left out with a note where the host lacks it (desktop.h). */
#include "compose/compose.h"
#include "compose/desktop.h"
#include "core/missing.h"
#include "core/cleanup.h"
#include "core/error.h"
#include "core/fd.h"
#include "core/strv.h"
#include "core/util.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/compose/desktop-config.h"

static char **profile_dirs(void)
{
    char **dirs = NULL;
    const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
    if (xdg && xdg[0] == '/')
        strv_push_take(&dirs, xasprintf("%s/brick/profiles", xdg));
    else if (home && home[0] == '/')
        strv_push_take(&dirs, xasprintf("%s/.config/brick/profiles", home));
    strv_push(&dirs, DESKTOP_PROFILES_DIR);
    strv_push(&dirs, DESKTOP_PROFILES_SRCDIR);
    return dirs;
}

static bool valid_name(const char *s)
{
    if (!*s || *s == '.' || strlen(s) > 64)
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' && *s != '.')
            return false;
    return true;
}

int desktop_profile_parse(const char *text, const char *name, char ***ret_flags, char **ret_description,
                          struct brick_error *err)
{
    _cleanup_strv_ char **flags = NULL;
    _cleanup_free_ char *desc = NULL;
    int lineno = 0;
    for (const char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        lineno++;
        size_t len = strcspn(line, "\n");
        _cleanup_free_ char *l = xstrndup(line, len);
        char *s = l, *end;
        while (isspace((unsigned char)*s))
            s++;
        for (end = s + strlen(s); end > s && isspace((unsigned char)end[-1]); end--)
            *(end - 1) = '\0';
        if (!*s || *s == '#')
            continue;
        size_t klen = strcspn(s, "=");
        if (startswith(s, "description=")) {
            free(desc);
            desc = xstrdup(s + 12);
            continue;
        }
        bool ok = klen > 0 && s[0] != '-';
        for (size_t i = 0; i < klen && ok; i++)
            ok = islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '-';
        if (!ok)
            return brick_err(err, EINVAL,
                             "profile %s, line %d: expected FLAG or FLAG=VALUE (a 'brick do' "
                             "flag without its dashes), got \"%s\"",
                             name, lineno, s);
        if (strncmp(s, "profile", klen) == 0 && klen == 7)
            return brick_err(err, EINVAL, "profile %s, line %d: a profile cannot include another", name,
                             lineno);
        strv_push_take(&flags, xasprintf("--%s", s));
    }
    *ret_flags = TAKE_PTR(flags);
    if (ret_description)
        *ret_description = TAKE_PTR(desc);
    return 0;
}

static int load(const char *name, char ***ret_flags, struct brick_error *err)
{
    if (!valid_name(name))
        return brick_err(err, EINVAL, "--profile: invalid name \"%s\" (see 'brick do --profile help')", name);
    _cleanup_strv_ char **dirs = profile_dirs();
    for (char **d = dirs; *d; d++) {
        _cleanup_free_ char *path = xasprintf("%s/%s.profile", *d, name), *text = NULL;
        int r = read_file_at(AT_FDCWD, path, BRICK_READ_STATE, &text, NULL);
        if (r == -ENOENT || r == -ENOTDIR)
            continue;
        if (r < 0)
            return brick_err_errno(err, -r, "--profile %s: read %s", name, path);
        return desktop_profile_parse(text, path, ret_flags, NULL, err);
    }
    return brick_err(err, ENOENT, "--profile: no profile \"%s\" (see 'brick do --profile help')", name);
}

/* The NAME.profile files of one directory, sorted. */
static char **list_dir(const char *dir)
{
    char **names = NULL;
    _cleanup_closedir_ DIR *dh = opendir(dir);
    struct dirent *e;
    while (dh && (e = readdir(dh))) {
        size_t n = strlen(e->d_name);
        if (n <= 8 || strcmp(e->d_name + n - 8, ".profile") != 0)
            continue;
        _cleanup_free_ char *name = xstrndup(e->d_name, n - 8);
        if (valid_name(name))
            strv_push(&names, name);
    }
    strv_sort_unique(names);
    return names;
}

static void print_one(const char *dir, const char *name)
{
    _cleanup_free_ char *path = xasprintf("%s/%s.profile", dir, name), *text = NULL, *desc = NULL;
    _cleanup_strv_ char **flags = NULL;
    struct brick_error err;
    if (read_file_at(AT_FDCWD, path, BRICK_READ_STATE, &text, NULL) < 0 ||
        desktop_profile_parse(text, path, &flags, &desc, &err) < 0) {
        printf("  %-14s (unreadable: %s)\n", name, path);
        return;
    }
    printf("  %-14s %s\n", name, desc ? desc : "");
    printf("  %-14s   ", "");
    for (char **f = flags; f && *f; f++)
        printf("%s%s", *f, f[1] ? " " : "");
    printf("\n  %-14s   (%s)\n", "", path);
}

static int print_list(void)
{
    _cleanup_strv_ char **dirs = profile_dirs(), **seen = NULL;
    printf("Profiles (brick do --profile NAME; a later flag overrides the profile's, --no-FLAG turns\n"
           "one off; what a profile asks of the host and the host lacks is left out with one note):\n");
    for (char **d = dirs; *d; d++) {
        _cleanup_strv_ char **names = list_dir(*d);
        for (char **n = names; n && *n; n++) {
            if (strv_env_get(seen, *n))
                continue;
            strv_push_take(&seen, xasprintf("%s=", *n));
            print_one(*d, *n);
        }
    }
    printf("Copy one into %s and edit it to make your own.\n", dirs[0]);
    return 1;
}

int desktop_profile_expand(int argc, char **argv, char ***ret_argv, char ***ret_origin,
                           struct brick_error *err)
{
    _cleanup_strv_ char **out = NULL, **origin = NULL;
    strv_push(&out, argv[0]);
    strv_push(&origin, "");
    optind = 0;
    opterr = 0;
    int c, prev = 1;
    const char *arg2;
    while ((c = compose_next_opt(argc, argv, &arg2)) != -1) {
        if (c == DESKTOP_OPT_PROFILE) {
            if (streq(optarg, "help") || streq(optarg, "list"))
                return print_list();
            _cleanup_strv_ char **flags = NULL;
            int r = load(optarg, &flags, err);
            if (r < 0)
                return r;
            for (char **f = flags; f && *f; f++) {
                strv_push(&out, *f);
                strv_push(&origin, optarg);
            }
        } else {
            for (int i = prev; i < optind && i < argc; i++) {
                strv_push(&out, argv[i]);
                strv_push(&origin, "");
            }
        }
        prev = optind;
    }
    for (int i = prev; i < argc; i++) {
        strv_push(&out, argv[i]);
        strv_push(&origin, "");
    }
    *ret_argv = TAKE_PTR(out);
    if (ret_origin)
        *ret_origin = TAKE_PTR(origin);
    return 0;
}
