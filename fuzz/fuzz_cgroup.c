/* fuzz_cgroup.c — libFuzzer target for the cgroup record kept in state.json
 * (cgroup_from_json). The file is root-owned, but a corrupt or truncated one
 * must never crash a command. Checks the error contract, that a parsed
 * record has every field the drivers dereference, and that it survives a
 * cgroup_to_json / cgroup_from_json round trip unchanged. */
#include "cgroup/cgroup.h"
#include "core/util.h"

#include <brick/brick.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool has_suffix(const char *s, const char *suffix)
{
    size_t l = strlen(s), k = strlen(suffix);
    return l >= k && streq(s + l - k, suffix);
}

static bool same_str(const char *a, const char *b) { return (!a && !b) || streq(a, b); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *json = malloc(size + 1);
    if (!json)
        abort();
    memcpy(json, data, size);
    json[size] = '\0';

    struct brick_error err;
    struct cgroup cg;
    err.msg[0] = '\0';
    if (cgroup_from_json(json, &cg, &err) < 0) {
        if (!err.msg[0] || cg.h || cg.n || cg.path)
            abort();
        free(json);
        return 0;
    }
    if (cg.layout == CGROUP_LAYOUT_V2 && !cg.n)
        abort(); /* the v2 driver dereferences h[0] */
    for (size_t i = 0; i < cg.n; i++) {
        const struct cgroup_hier *h = &cg.h[i];
        if (!h->name || !h->mount || !h->dir)
            abort();
        /* state.json is input: what a delete or kill may act on stays below
         * a mount, with no way up (".."), and removes no more than dir and
         * its parents below the mount */
        size_t ml = strlen(h->mount);
        if (h->mount[0] != '/' || strncmp(h->dir, h->mount, ml) != 0 || h->dir[ml] != '/' ||
            !h->dir[ml + 1] || strstr(h->dir, "/../") || strstr(h->dir, "/./") || has_suffix(h->dir, "/..") ||
            has_suffix(h->dir, "/.") || strstr(h->mount, "/.."))
            abort();
        if (h->created && (strncmp(h->created, h->mount, ml) != 0 || h->created[ml] != '/' ||
                           strncmp(h->dir, h->created, strlen(h->created)) != 0 || strstr(h->created, "/..")))
            abort();
    }
    (void)cgroup_layout_name(cg.layout);

    /* Round trip: what we write back must read back the same (a missing
     * path is written as ""). */
    char *again = cgroup_to_json(&cg);
    struct cgroup cg2;
    if (cgroup_from_json(again, &cg2, &err) < 0 || cg2.layout != cg.layout || cg2.n != cg.n ||
        !same_str(cg2.path, cg.path ? cg.path : ""))
        abort();
    for (size_t i = 0; i < cg.n; i++)
        if (!same_str(cg.h[i].name, cg2.h[i].name) || !same_str(cg.h[i].mount, cg2.h[i].mount) ||
            !same_str(cg.h[i].dir, cg2.h[i].dir) || !same_str(cg.h[i].created, cg2.h[i].created))
            abort();
    cgroup_done(&cg2);
    free(again);
    cgroup_done(&cg);
    free(json);
    return 0;
}
