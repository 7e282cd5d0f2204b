/* test_strv.c — string vectors: strv_sort_unique, strv_sorted_contains. */
#include "core/cleanup.h"
#include "core/strv.h"
#include "../tap.h"

#include <stdlib.h>
#include <string.h>

int main(void)
{
    char **v = NULL;
    static const char *const in[] = {"read", "close", "read", "mmap", "close", "brk"};
    for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++)
        strv_push(&v, in[i]);
    strv_sort_unique(v);
    is_int((int)strv_length(v), 4, "duplicates freed");
    is_str(v[0], "brk", "sorted");
    is_str(v[3], "read", "sorted, last");
    ok(strv_sorted_contains(v, "mmap") && !strv_sorted_contains(v, "open"), "contains");
    strv_sort_unique(NULL);
    ok(!strv_sorted_contains(NULL, "x"), "NULL is empty");
    strv_free(v);
    return tap_done();
}
