/* tap.h — a tiny TAP producer for brick's unit tests.
 *
 *   TEST(name) { ok(cond, "what"); is_int(a, b, "what"); is_str(a, b, "what"); }
 *   int main(void) { RUN(name); ...; return tap_done(); }
 *
 * Prints "ok N - what" / "not ok N - what" and a plan at the end; the exit
 * status is non-zero when any assertion failed, so meson and the runner agree. */
#ifndef BRICK_TESTS_TAP_H
#define BRICK_TESTS_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

static inline int tap_ok(int cond, const char *file, int line, const char *what)
{
    tap_n++;
    printf("%sok %d - %s\n", cond ? "" : "not ", tap_n, what);
    if (!cond) {
        tap_failed++;
        printf("#   at %s:%d\n", file, line);
    }
    fflush(stdout);
    return cond;
}

#define ok(cond, what) tap_ok(!!(cond), __FILE__, __LINE__, (what))
#define is_int(a, b, what)                                                                                   \
    do {                                                                                                     \
        long long _a = (long long)(a), _b = (long long)(b);                                                  \
        if (!ok(_a == _b, what))                                                                             \
            printf("#   got %lld, expected %lld\n", _a, _b);                                                 \
    } while (0)
#define is_str(a, b, what)                                                                                   \
    do {                                                                                                     \
        const char *_a = (a), *_b = (b);                                                                     \
        if (!ok(_a && _b && strcmp(_a, _b) == 0, what))                                                      \
            printf("#   got \"%s\", expected \"%s\"\n", _a ? _a : "(null)", _b ? _b : "(null)");             \
    } while (0)
/* Substring match: for error messages. */
#define like_str(a, needle, what)                                                                            \
    do {                                                                                                     \
        const char *_a = (a), *_n = (needle);                                                                \
        if (!ok(_a && strstr(_a, _n), what))                                                                 \
            printf("#   got \"%s\", wanted it to contain \"%s\"\n", _a ? _a : "(null)", _n);                 \
    } while (0)

#define TEST(name) static void test_##name(void)
#define RUN(name)                                                                                            \
    do {                                                                                                     \
        printf("# %s\n", #name);                                                                             \
        test_##name();                                                                                       \
    } while (0)

static inline int tap_done(void)
{
    printf("1..%d\n", tap_n);
    if (tap_failed)
        printf("# %d of %d failed\n", tap_failed, tap_n);
    return tap_failed ? 1 : 0;
}

#endif
