/* test_learn_caps.c — the tracefs filter of cli/learn_caps.c stays inside
 * its buffer whatever the capability sets (every one dropped and every one
 * refused: the longest filter), and says what it should. */
#include "../../../src/cli/learn_caps.c"
#include "../tap.h"

int main(void)
{
    struct learn_caps c = {.dir_fd = -1, .pipe_fd = -1, .tracefs_fd = -1};
    set_base_filter(&c, 0);
    is_str(c.filter, "ret == 0", "learning: granted checks");
    set_base_filter(&c, (1ULL << 0) | (1ULL << 13));
    is_str(c.filter, "ret != 0 && (cap == 0 || cap == 13)", "applying: refused checks of the dropped ones");
    set_base_filter(&c, ~0ULL);
    ok(c.base_len < sizeof(c.filter) && strlen(c.filter) == c.base_len, "every capability dropped: fits");
    ok(c.filter[c.base_len - 1] == ')', "... and is closed");
    c.filter[c.base_len] = 'X';
    refilter(&c, ~0ULL); /* dir_fd -1: the write fails, the string is what matters */
    ok(c.filter[c.base_len] == 0 && strlen(c.filter) == c.base_len, "refilter with every capability seen: in "
                                                                    "bounds, base restored");
    int cap = -1;
    ok(parse_line(&c, "cap_capable: cred 0, target_ns 0, capable_ns 0, cap 21, ret -1", &cap) && cap == 21,
       "a refused check parsed (applying)");
    ok(!parse_line(&c, "x\ncap_capable: , cap 21, ret -1", &cap), "a line must start with the event's name");
    ok(!parse_line(&c, "cap_capable: cred 0, cap 99, ret -1", &cap), "a capability out of range is refused");
    return tap_done();
}
