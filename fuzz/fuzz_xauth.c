/* fuzz_xauth.c — libFuzzer target for the Xauthority reader (desktop_xauth.c):
 * the file comes from the user's home and may be anything. Runs what
 * desktop_host.c runs on it: parse, keep the entries for one display,
 * serialize. Checks that the output is a well-formed file that parses back
 * to the same entries, and that reparsing our own serialization of the whole
 * input gives the input back byte for byte. */
#include "compose/desktop.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void same_entries(const struct xauth_entry *a, const struct xauth_entry *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i].family != b[i].family || a[i].address_len != b[i].address_len ||
            memcmp(a[i].address, b[i].address, a[i].address_len) != 0 ||
            strcmp(a[i].number, b[i].number) != 0 || strcmp(a[i].name, b[i].name) != 0 ||
            a[i].data_len != b[i].data_len || memcmp(a[i].data, b[i].data, a[i].data_len) != 0)
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct xauth_entry *all = NULL;
    size_t n = 0;
    if (xauth_parse(data, size, &all, &n) < 0) {
        if (all || n)
            abort();
        return 0;
    }
    if (n && !all)
        abort();

    /* number, name and data may hold NULs that strlen() stops at, so only
     * inputs without them must come back byte for byte. */
    size_t len = 0;
    uint8_t *buf = xauth_serialize(all, n, &len);
    if (len > size)
        abort();
    if (len == size && memcmp(buf, data, size) != 0)
        abort();
    free(buf);

    /* The display number: the first entry's, when it is one. */
    unsigned number = 0;
    if (n && all[0].number[0])
        number = (unsigned)strtoul(all[0].number, NULL, 10);
    struct xauth_entry *mine = NULL;
    size_t k = xauth_filter_display(all, n, number, &mine);
    if (k > n)
        abort();
    buf = xauth_serialize(mine, k, &len);
    struct xauth_entry *back = NULL;
    size_t n_back = 0;
    if (xauth_parse(buf, len, &back, &n_back) < 0 || n_back != k)
        abort();
    same_entries(mine, back, k);
    for (size_t i = 0; i < k; i++)
        if (mine[i].family != XAUTH_FAMILY_WILD)
            abort();
    xauth_free(back, n_back);
    free(buf);
    xauth_free(mine, k);
    xauth_free(all, n);
    return 0;
}
