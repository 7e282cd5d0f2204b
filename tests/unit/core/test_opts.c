/* test_opts.c — option tables with their documentation (core/opts.h): getopt's
 * table from them, labels, aliases, --no-X forms documented by X, the help
 * text, and the check that refuses an undocumented option. */
#include "../tap.h"
#include "core/error.h"
#include "core/opts.h"

#include <stdlib.h>

enum { O_RM = 256, O_NO_RM, O_NET, O_X11, O_NO_INIT };

/* As the other tables: a plain getopt entry ("no-rm") is valid, documented by --rm. */
static const struct brick_opt table[] = {
    {"rm", no_argument, NULL, O_RM, NULL, "remove it", NULL},
    {"detach", no_argument, NULL, 'd', NULL, "do not wait", NULL},
    {NULL, required_argument, NULL, 'u', "USER", "run as USER", "user"},
    {NULL, 0, NULL, 0, NULL, "Network:", NULL},
    {"net", required_argument, NULL, O_NET, "MODE", "the network namespace", "words:new host"},
    {"network", required_argument, NULL, O_NET},
    {"x11", optional_argument, NULL, O_X11, "untrusted", "the display", NULL},
    {"no-init", no_argument, NULL, O_NO_INIT, NULL, "no init", NULL},
    {"no-rm", no_argument, NULL, O_NO_RM},
    {0},
};
#define SHORTOPTS "+du:"

static char *label_of(size_t i)
{
    static char buf[128];
    struct brick_opt_doc d;
    if (!brick_opt_doc(table, i, SHORTOPTS, &d))
        return NULL;
    brick_opt_label(&d, buf, sizeof(buf));
    return buf;
}

TEST(labels)
{
    is_str(label_of(0), "--[no-]rm", "a --no-X entry makes X negatable");
    is_str(label_of(1), "-d, --detach", "the short form when val is in shortopts");
    is_str(label_of(2), "-u USER", "a short-only option");
    ok(!label_of(3), "a heading is no option");
    is_str(label_of(4), "--net, --network MODE", "an alias joins its entry");
    ok(!label_of(5), "the alias has no line of its own");
    is_str(label_of(6), "--x11[=untrusted]", "an optional argument");
    is_str(label_of(7), "--no-init", "a no- option without a positive one is an option");
    ok(!label_of(8), "--no-rm is documented by --rm");
}

TEST(getopt_from_the_table)
{
    struct option buf[BRICK_OPTS_MAX];
    const struct option *lo = brick_opts_longopts(table, buf);
    int n = 0;
    while (lo[n].name)
        n++;
    is_int(n, 7, "every named entry, none of the short-only or headings");
    char a0[] = "x", a1[] = "--network=host", a2[] = "-u", a3[] = "nobody", a4[] = "--no-rm", a5[] = "--x11";
    char *argv[] = {a0, a1, a2, a3, a4, a5, NULL};
    optind = 0;
    opterr = 0;
    is_int(brick_getopt(6, argv, SHORTOPTS, table), O_NET, "--network: the alias's code");
    is_str(optarg, "host", "its argument");
    is_int(brick_getopt(6, argv, SHORTOPTS, table), 'u', "-u");
    is_int(brick_getopt(6, argv, SHORTOPTS, table), O_NO_RM, "--no-rm parses");
    is_int(brick_getopt(6, argv, SHORTOPTS, table), O_X11, "--x11 without its optional argument");
    ok(!optarg, "no argument");
    is_int(brick_getopt(6, argv, SHORTOPTS, table), -1, "done");
    is_str(brick_opts_closest("--netwrk", table), "network", "did you mean, over the table");
}

TEST(help_text)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    brick_opts_print(f, table, SHORTOPTS);
    fclose(f);
    like_str(text, "      --[no-]rm              remove it\n",
             "long-only options are indented past the short");
    like_str(text, "  -d, --detach               do not wait\n", "short and long");
    like_str(text, "\nNetwork:\n", "the heading");
    like_str(text, "      --net, --network MODE  the network namespace\n", "aliases on one line");
    ok(!strstr(text, "no-rm "), "no line of its own for --no-rm");
    free(text);
}

TEST(wrapping)
{
    static const struct brick_opt t[] = {
        {"long-option-name-here", required_argument, NULL, 300, "ARGUMENT",
         "a help text long enough to need wrapping at the eightieth column, twice or more, so that "
         "the continuation lines line up under the first",
         NULL},
        {0},
    };
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    brick_opts_print(f, t, "");
    fclose(f);
    like_str(text, "      --long-option-name-here ARGUMENT\n                             a help",
             "a long label "
             "puts the help on the next line");
    size_t longest = 0;
    for (char *l = text; *l;) {
        size_t n = strcspn(l, "\n");
        longest = n > longest ? n : longest;
        l += n + (l[n] ? 1 : 0);
    }
    ok(longest <= 80, "no line over 80 columns");
    free(text);
}

TEST(check)
{
    struct brick_error err;
    is_int(brick_opts_check(table, SHORTOPTS, &err), 0, "the table is complete");
    static const struct brick_opt undocumented[] = {
        {"rm", no_argument, NULL, O_RM, NULL, "remove it", NULL},
        {"keep", no_argument, NULL, 300},
        {0},
    };
    ok(brick_opts_check(undocumented, "", &err) < 0, "an option without help is refused");
    like_str(err.msg, "--keep: no help", "and named");
    static const struct brick_opt twice[] = {
        {"rm", no_argument, NULL, O_RM, NULL, "a", NULL},
        {"rm", no_argument, NULL, 301, NULL, "b", NULL},
        {0},
    };
    ok(brick_opts_check(twice, "", &err) < 0, "a name twice is refused");
    like_str(err.msg, "--rm: listed twice", "and named");
    ok(brick_opts_check(table, "+du:x", &err) < 0, "a short option without an entry is refused");
    like_str(err.msg, "-x", "and named");
    ok(brick_opts_check(table, "+d:u:", &err) < 0, "a short option whose argument differs is refused");
    like_str(err.msg, "-d", "and named");
}

int main(void)
{
    RUN(labels);
    RUN(getopt_from_the_table);
    RUN(help_text);
    RUN(wrapping);
    RUN(check);
    return tap_done();
}
