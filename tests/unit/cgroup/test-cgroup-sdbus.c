/* test-cgroup-sdbus.c — the D-Bus marshalling the systemd driver sends
 * (sdbus.c): alignment of strings, signatures, arrays and the structs of an
 * a(sv) property list, byte for byte, as the D-Bus specification lays them
 * out (little-endian). The calls themselves run against systemd in the VM
 * lane (test_cgroup_v2_vm.py::test_systemd_host). */
#include "../tap.h"
#include "cgroup/sdbus.h"

#include <stdlib.h>
#include <string.h>

int main(void)
{
    struct sdbus_buf b = {0};
    sdbus_str(&b, "a");  /* 0: len 1, 'a', NUL */
    sdbus_str(&b, "bc"); /* padded to 8, then len 2 */
    size_t at = sdbus_array_begin(&b, 8), start = b.mark;
    sdbus_align(&b, 8); /* one (sv): "D" = true */
    sdbus_str(&b, "D");
    sdbus_sig(&b, "b");
    sdbus_u32(&b, 1);
    sdbus_array_end(&b, at, start);
    static const unsigned char want[] = {
        1,  0,   0, 0, 'a', 0,   0, 0, /* "a", pad to 8 */
        2,  0,   0, 0, 'b', 'c', 0, 0, /* "bc", pad to the array's 4 */
        16, 0,   0, 0, 0,   0,   0, 0, /* length 16, pad to the struct's 8 */
        1,  0,   0, 0, 'D', 0,         /* "D" */
        1,  'b', 0, 0, 0,   0,         /* signature "b", pad to 4 */
        1,  0,   0, 0,                 /* true */
    };
    ok(b.len == sizeof(want), "length as laid out");
    ok(b.len == sizeof(want) && memcmp(b.p, want, sizeof(want)) == 0,
       "bytes as the specification lays them out");
    free(b.p);

    struct sdbus_buf e = {0};
    sdbus_byte(&e, 7);
    size_t eat = sdbus_array_begin(&e, 8);
    sdbus_array_end(&e, eat, e.mark);
    ok(e.len == 8 && e.p[4] == 0 && e.p[5] == 0, "an empty array of structs: length 0, no padding after");
    free(e.p);

    struct sdbus_buf t = {0};
    sdbus_byte(&t, 1);
    sdbus_u64(&t, 0x0102030405060708ULL);
    ok(t.len == 16 && t.p[8] == 8 && t.p[15] == 1, "u64 aligned to 8, little-endian");
    free(t.p);
    return tap_done();
}
