/* test_suggest.c — "did you mean": edit distance and the closest name. */
#include "../tap.h"
#include "core/util.h"

#include <getopt.h>

TEST(distance)
{
    is_int(edit_distance("start", "start", 2), 0, "equal");
    is_int(edit_distance("strat", "start", 2), 1, "adjacent swap counts one");
    is_int(edit_distance("stat", "state", 2), 1, "one missing");
    is_int(edit_distance("", "ab", 2), 2, "from empty");
    is_int(edit_distance("abcdef", "uvwxyz", 2), 3, "capped at cap + 1");
    is_int(edit_distance("a", "abcdefgh", 2), 3, "length gap alone exceeds the cap");
}

TEST(closest)
{
    static const char *const cmds[] = {"create", "exec", "start", "run", "state", "list", "ps", "pod"};
    is_str(closest_name("strat", cmds, 8), "start", "strat -> start");
    is_str(closest_name("lsit", cmds, 8), "list", "lsit -> list");
    is_str(closest_name("exce", cmds, 8), "exec", "exce -> exec");
    ok(closest_name("start", cmds, 8) == NULL, "a known name: no hint (though state is one edit away)");
    ok(closest_name("xyzzy", cmds, 8) == NULL, "nothing close");
    ok(closest_name("zz", cmds, 8) == NULL, "short words: one edit at most");
    is_str(closest_name("pd", cmds, 8), "ps", "the first of equals (ps before pod)");
}

TEST(long_option)
{
    static const struct option opts[] = {
        {"format", required_argument, NULL, 'f'}, {"quiet", no_argument, NULL, 'q'}, {0}};
    is_str(closest_long_option("--formt", opts), "format", "--formt");
    is_str(closest_long_option("--quiett=1", opts), "quiet", "value after = ignored");
    ok(closest_long_option("--format", opts) == NULL, "known (incomplete): no hint");
    ok(closest_long_option("-f", opts) == NULL, "short options: no hint");
    ok(closest_long_option("--", opts) == NULL, "bare --");
    ok(closest_long_option("--bogus-flag", opts) == NULL, "nothing close");
}

int main(void)
{
    RUN(distance);
    RUN(closest);
    RUN(long_option);
    return tap_done();
}
