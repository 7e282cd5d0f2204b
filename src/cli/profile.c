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
#include "compose/compose.h"
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

/* The annotation items of prof; *has_caps / *has_ll: the annotation is there. */
static int items(const char *path, const bjson *prof, char ***ret, bool *has_caps, bool *has_ll,
                 struct brick_error *err)
{
    bjson *a = bjson_get(prof, "annotations");
    const char *caps = bjson_string(bjson_get(a, LEARN_CAPS_ANNOTATION));
    const char *ll = bjson_string(bjson_get(a, LEARN_LANDLOCK_ANNOTATION));
    *has_caps = caps != NULL;
    *has_ll = ll != NULL;
    if (caps) {
        _cleanup_free_ char *copy = xstrdup(caps);
        for (char *save = NULL, *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
            strv_push_take(ret, xasprintf("capability %s", t));
    }
    if (!ll)
        return 0;
    bjson *p = NULL;
    if (bjson_parse(ll, strlen(ll), &p, err) < 0)
        return brick_err_prefix(err, "profile %s: annotations[\"%s\"]", path, LEARN_LANDLOCK_ANNOTATION);
    bjson *fs = bjson_get(p, "fs"), *net = bjson_get(p, "net");
    for (size_t i = 0; i < bjson_array_len(fs); i++) {
        bjson *r = bjson_array_get(fs, i), *acc = bjson_get(r, "access");
        const char *rp = bjson_string(bjson_get(r, "path"));
        for (size_t j = 0; rp && j < bjson_array_len(acc); j++)
            if (bjson_string(bjson_array_get(acc, j)))
                strv_push_take(ret, xasprintf("landlock %s %s", rp, bjson_string(bjson_array_get(acc, j))));
    }
    static const char *const kinds[] = {"bind", "connect"};
    for (size_t k = 0; k < 2; k++) {
        bjson *l = bjson_get(net, kinds[k]);
        uint64_t port;
        for (size_t j = 0; j < bjson_array_len(l); j++)
            if (bjson_u64(bjson_array_get(l, j), &port) == 0)
                strv_push_take(ret, xasprintf("landlock %s %llu", kinds[k], (unsigned long long)port));
        if (l)
            strv_push_take(ret, xasprintf("landlock %s", kinds[k])); /* restricted, maybe to none */
    }
    bjson_free(p);
    return 0;
}

/* "landlock /p a" items back into the policy (fs rules and ports). */
static char *landlock_of(char **its)
{
    bjson *p = bjson_new_object(), *fs = bjson_new_array(), *net = bjson_new_object();
    bjson *rule = NULL;
    const char *last = NULL;
    for (char **i = its; i && *i; i++) {
        if (strncmp(*i, "landlock ", 9) != 0)
            continue;
        const char *rest = *i + 9;
        if (strncmp(rest, "bind", 4) == 0 || strncmp(rest, "connect", 7) == 0) {
            bool bind_ = rest[0] == 'b';
            const char *k = bind_ ? "bind" : "connect", *num = rest + strlen(k);
            bjson *l = bjson_get(net, k);
            if (!l)
                bjson_set(net, k, l = bjson_new_array());
            if (*num == ' ')
                bjson_append(l, bjson_new_u64(strtoull(num + 1, NULL, 10)));
            continue;
        }
        const char *sp = strrchr(rest, ' ');
        _cleanup_free_ char *path = xstrndup(rest, (size_t)(sp - rest));
        if (!last || !streq(last, path)) {
            rule = bjson_new_object();
            bjson_set(rule, "path", bjson_new_string(path));
            bjson_set(rule, "access", bjson_new_array());
            bjson_append(fs, rule);
            last = bjson_string(bjson_get(rule, "path"));
        }
        bjson_append(bjson_get(rule, "access"), bjson_new_string(sp + 1));
    }
    bjson_set(p, "fs", fs);
    if (bjson_object_len(net))
        bjson_set(p, "net", net);
    else
        bjson_free(net);
    char *text = bjson_to_string(p, false);
    bjson_free(p);
    return text;
}

static char *caps_of(char **its)
{
    char *s = xstrdup("");
    for (char **i = its; i && *i; i++)
        if (strncmp(*i, "capability ", 11) == 0) {
            char *t = xasprintf("%s%s%s", s, *s ? "," : "", *i + 11);
            free(s);
            s = t;
        }
    return s;
}

/* key = text (taken), unless the profile lacking names one without it. */
static void merged_part(bjson *a, const char *key, char *text, const char *lacking, const char *what,
                        const char *them)
{
    if (!lacking)
        bjson_set(a, key, bjson_new_string(text));
    else
        fprintf(stderr,
                "brick: profile merge: %s has no learned %s: the merged profile does not restrict %s\n",
                lacking, what, them);
    free(text);
}

/* The merged annotations; a part some profile lacks is left out (and said). */
static void merge_annotations(bjson *first, char **its, const char *lack_caps, const char *lack_ll)
{
    bjson *a = bjson_new_object();
    merged_part(a, LEARN_CAPS_ANNOTATION, caps_of(its), lack_caps, "capabilities", "them");
    merged_part(a, LEARN_LANDLOCK_ANNOTATION, landlock_of(its), lack_ll, "Landlock policy",
                "paths and ports");
    if (bjson_object_len(a)) {
        bjson_set(first, "annotations", a);
    } else {
        bjson_del(first, "annotations");
        bjson_free(a);
    }
}

static int profile_merge(int argc, char **argv)
{
    struct brick_error err;
    _cleanup_strv_ char **pv = NULL, **its = NULL;
    bjson *first = NULL;
    const char *lack_caps = NULL, *lack_ll = NULL; /* the first profile without */
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
            return cli_failf("profile merge: %s: defaultAction %s differs from %s's", argv[i],
                             da ? da : "missing", argv[0]);
        }
        pairs(p, &pv);
        bool hc, hl;
        if (items(argv[i], p, &its, &hc, &hl, &err) < 0) {
            bjson_free(p);
            bjson_free(first);
            return cli_fail(&err);
        }
        if (!hc && !lack_caps)
            lack_caps = argv[i];
        if (!hl && !lack_ll)
            lack_ll = argv[i];
        if (!first)
            first = p;
        else
            bjson_free(p);
    }
    strv_sort_unique(pv);
    bjson_set(first, "syscalls", entries(pv));
    strv_sort_unique(its);
    merge_annotations(first, its, lack_caps, lack_ll);
    _cleanup_free_ char *text = bjson_to_string_tabs(first);
    bjson_free(first);
    printf("%s\n", text);
    return 0;
}

/* n bytes of s on stdout, escaped: a learned path is the container's
 * choice, and a newline in it would forge a line of the review. Control
 * bytes become \n, \t, \xHH; a backslash is doubled. */
static void put_escaped(const char *s, size_t n)
{
    for (size_t i = 0; i < n && s[i]; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\\')
            fputs("\\\\", stdout);
        else if (c == '\n')
            fputs("\\n", stdout);
        else if (c == '\t')
            fputs("\\t", stdout);
        else if (c < 0x20 || c == 0x7f)
            printf("\\x%02x", c);
        else
            putchar(c);
    }
}

/* One diff line: the name, and the rule unless it is a plain allow. */
static void print_pair(char sign, const char *pair)
{
    const char *tab = strchr(pair, '\t');
    printf("%c ", sign);
    put_escaped(pair, (size_t)(tab - pair));
    if (!streq(tab + 1, "{ \"action\": \"SCMP_ACT_ALLOW\" }") &&
        !streq(tab + 1, "{\"action\":\"SCMP_ACT_ALLOW\"}")) {
        putchar(' ');
        put_escaped(tab + 1, strlen(tab + 1));
    }
    putchar('\n');
}

/* The items of a not in b (both sorted), signed; 1 when there are any. */
static int print_missing(char sign, char **a, char **b, bool syscall_pairs)
{
    int differ = 0;
    for (char **p = a; p && *p; p++)
        if (!strv_sorted_contains(b, *p)) {
            if (syscall_pairs)
                print_pair(sign, *p);
            else {
                printf("%c ", sign);
                put_escaped(*p, strlen(*p));
                putchar('\n');
            }
            differ = 1;
        }
    return differ;
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
    _cleanup_strv_ char **pa = NULL, **pb = NULL, **ia = NULL, **ib = NULL;
    pairs(a, &pa);
    pairs(b, &pb);
    bool hc, hl;
    int r = items(argv[0], a, &ia, &hc, &hl, &err);
    if (r >= 0)
        r = items(argv[1], b, &ib, &hc, &hl, &err);
    bjson_free(a);
    bjson_free(b);
    if (r < 0)
        return cli_fail(&err);
    strv_sort_unique(pa);
    strv_sort_unique(pb);
    strv_sort_unique(ia);
    strv_sort_unique(ib);
    int differ = print_missing('-', pa, pb, true) | print_missing('+', pb, pa, true);
    differ |= print_missing('-', ia, ib, false) | print_missing('+', ib, ia, false);
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
    .summary = "merge and compare profiles (seccomp, capabilities, Landlock) learned with 'brick do --learn'",
    .usage = "profile merge A B... > C | profile diff A B\n\n"
             "merge  the union of the profiles (A's defaultAction and architectures), on stdout:\n"
             "       syscalls, learned capabilities and Landlock rules and ports (a profile without\n"
             "       learned capabilities or Landlock policy leaves that part unrestricted)\n"
             "diff   syscalls (with their rule unless a plain allow), \"capability CAP_X\",\n"
             "       \"landlock PATH ACCESS\", \"landlock bind|connect PORT\" only in A (\"- \") or\n"
             "       only in B (\"+ \"); exit status 1 when they differ\n"
             "Learn a profile with 'brick do --learn FILE -- CMD', apply it with\n"
             "'brick do --profile-file FILE -- CMD' (docs/PROFILES.md).\n",
    .run = profile_main,
    .opts = cli_help_only,
    .shortopts = "h",
    .subs = profile_subs,
};
