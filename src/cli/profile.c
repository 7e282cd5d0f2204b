/* profile.c — `brick profile merge A B... > C` and `brick profile diff A B`:
 * learned seccomp profiles (docs/PROFILES.md) as sets of (syscall, rule)
 * pairs, where the rule is the entry without its names (action, args,
 * errnoRet). merge is the union (A's defaultAction and architectures); diff
 * prints the pairs only in A ("- ") and only in B ("+ "). */
#include "cli/cli.h"
#include "core/cleanup.h"
#include "core/error.h"
#include "core/fd.h"
#include "core/missing.h"
#include "core/strv.h"
#include "core/util.h"
#include "spec/json.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int load(const char *path, bjson **ret, struct brick_error *err)
{
    _cleanup_free_ char *text = NULL;
    int r = read_file_at(AT_FDCWD, path, BRICK_READ_CONFIG, &text, NULL);
    if (r < 0)
        return brick_err_errno(err, -r, "profile %s", path);
    if (bjson_parse(text, strlen(text), ret, err) < 0)
        return brick_err_prefix(err, "profile %s", path);
    if (bjson_type_of(bjson_get(*ret, "syscalls")) != BJSON_ARRAY)
        return brick_err(err, EINVAL, "profile %s: expected linux.seccomp with a syscalls list", path);
    return 0;
}

/* The entry without its names, as compact JSON: the rule of each name. */
static char *rule_key(const bjson *entry)
{
    bjson *c = bjson_copy(entry);
    bjson_del(c, "names");
    char *s = bjson_to_string(c, false);
    bjson_free(c);
    return s;
}

/* "name\trule" for every name of every entry. */
static void pairs(const bjson *prof, char ***ret)
{
    bjson *calls = bjson_get(prof, "syscalls");
    for (size_t i = 0; i < bjson_array_len(calls); i++) {
        bjson *e = bjson_array_get(calls, i), *names = bjson_get(e, "names");
        _cleanup_free_ char *key = rule_key(e);
        for (size_t j = 0; j < bjson_array_len(names); j++) {
            const char *n = bjson_string(bjson_array_get(names, j));
            if (n)
                strv_push_take(ret, xasprintf("%s\t%s", n, key));
        }
    }
}

/* Sorted "name\trule" pairs back into entries, one per rule. */
static bjson *entries(char **pv)
{
    bjson *out = bjson_new_array();
    _cleanup_strv_ char **rules = NULL;
    for (char **p = pv; p && *p; p++)
        strv_push(&rules, strchr(*p, '\t') + 1);
    strv_sort_unique(rules);
    for (char **r = rules; r && *r; r++) {
        bjson *e = NULL, *names = bjson_new_array();
        struct brick_error err;
        if (bjson_parse(*r, strlen(*r), &e, &err) < 0)
            abort(); /* our own output */
        for (char **p = pv; p && *p; p++)
            if (streq(strchr(*p, '\t') + 1, *r)) {
                _cleanup_free_ char *name = xstrndup(*p, (size_t)(strchr(*p, '\t') - *p));
                bjson_append(names, bjson_new_string(name));
            }
        bjson *n = bjson_new_object(); /* names first, as people write it */
        bjson_set(n, "names", names);
        bjson_iter it = bjson_object_iter(e);
        const char *k;
        bjson *v;
        while (bjson_object_next(&it, &k, &v))
            bjson_set(n, k, bjson_copy(v));
        bjson_free(e);
        bjson_append(out, n);
    }
    return out;
}

static int profile_merge(int argc, char **argv)
{
    struct brick_error err;
    _cleanup_strv_ char **pv = NULL;
    bjson *first = NULL;
    for (int i = 0; i < argc; i++) {
        bjson *p = NULL;
        if (load(argv[i], &p, &err) < 0) {
            bjson_free(p);
            bjson_free(first);
            return cli_fail(&err);
        }
        const char *da = bjson_string(bjson_get(p, "defaultAction"));
        if (first && !streq(da, bjson_string(bjson_get(first, "defaultAction")))) {
            bjson_free(p);
            bjson_free(first);
            return cli_failf("profile merge: %s: defaultAction %s differs from %s's", argv[i], da ? da : "missing",
                             argv[0]);
        }
        pairs(p, &pv);
        if (!first)
            first = p;
        else
            bjson_free(p);
    }
    strv_sort_unique(pv);
    bjson_set(first, "syscalls", entries(pv));
    _cleanup_free_ char *text = bjson_to_string_tabs(first);
    bjson_free(first);
    printf("%s\n", text);
    return 0;
}

/* One diff line: the name, and the rule unless it is a plain allow. */
static void print_pair(char sign, const char *pair)
{
    const char *tab = strchr(pair, '\t');
    if (streq(tab + 1, "{ \"action\": \"SCMP_ACT_ALLOW\" }") || streq(tab + 1, "{\"action\":\"SCMP_ACT_ALLOW\"}"))
        printf("%c %.*s\n", sign, (int)(tab - pair), pair);
    else
        printf("%c %.*s %s\n", sign, (int)(tab - pair), pair, tab + 1);
}

static int profile_diff(char **argv)
{
    struct brick_error err;
    bjson *a = NULL, *b = NULL;
    if (load(argv[0], &a, &err) < 0 || load(argv[1], &b, &err) < 0) {
        bjson_free(a);
        bjson_free(b);
        return cli_fail(&err);
    }
    _cleanup_strv_ char **pa = NULL, **pb = NULL;
    pairs(a, &pa);
    pairs(b, &pb);
    bjson_free(a);
    bjson_free(b);
    strv_sort_unique(pa);
    strv_sort_unique(pb);
    int differ = 0;
    for (char **p = pa; p && *p; p++)
        if (!strv_sorted_contains(pb, *p)) {
            print_pair('-', *p);
            differ = 1;
        }
    for (char **p = pb; p && *p; p++)
        if (!strv_sorted_contains(pa, *p)) {
            print_pair('+', *p);
            differ = 1;
        }
    return differ;
}

static int profile_main(struct cli_globals *g, int argc, char **argv)
{
    (void)g;
    if (argc < 2 || streq(argv[1], "--help") || streq(argv[1], "-h"))
        return argc < 2 ? (cli_help(&cmd_profile), 1) : cli_help(&cmd_profile);
    const char *sub = argv[1];
    if (streq(sub, "merge")) {
        if (argc < 4)
            return cli_failf("profile merge: expected two or more profiles (brick profile merge A B... > C)");
        return profile_merge(argc - 2, argv + 2);
    }
    if (streq(sub, "diff")) {
        if (argc != 4)
            return cli_failf("profile diff: expected two profiles (brick profile diff A B)");
        return profile_diff(argv + 2);
    }
    return cli_failf("profile: unknown subcommand \"%s\" (merge, diff)", sub);
}

static const struct cli_subcommand profile_subs[] = {
    {"merge", "the union of seccomp profiles", NULL, NULL, BRICK_COMPLETE_FILE},
    {"diff", "the syscalls only one of two profiles allows", NULL, NULL, BRICK_COMPLETE_FILE},
    {0},
};

const struct cli_command cmd_profile = {
    .name = "profile",
    .summary = "merge and compare seccomp profiles learned with 'brick do --learn'",
    .usage = "profile merge A B... > C | profile diff A B\n\n"
             "merge  the union of the profiles (A's defaultAction and architectures), on stdout\n"
             "diff   syscalls (with their rule unless a plain allow) only in A (\"- \") or only in B\n"
             "       (\"+ \"); exit status 1 when they differ\n"
             "Learn a profile with 'brick do --learn FILE -- CMD', apply it with\n"
             "'brick do --profile-file FILE -- CMD' (docs/PROFILES.md).\n",
    .run = profile_main,
    .opts = cli_help_only,
    .shortopts = "h",
    .subs = profile_subs,
};
