/* fuzz_landlock.c — libFuzzer target for the run.brick.landlock annotation
 * (landlock_policy_from_spec), followed by landlock_negotiate for every ABI
 * (pure: fits the policy to a kernel version without asking the kernel).
 *
 * The input is the annotation's value, in a minimal spec holding nothing but
 * that annotation. Checks: a failed parse leaves a message and no policy; a
 * parsed policy has absolute rule paths and in-range counts. */
#include "security/landlock.h"
#include "spec/model.h"

#include <brick/brick.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *value = malloc(size + 1);
    if (!value)
        abort();
    memcpy(value, data, size);
    value[size] = '\0';

    struct oci_kv kv = {.key = (char *)LANDLOCK_ANNOTATION, .value = value};
    struct oci_spec spec = {.annotations = &kv, .n_annotations = 1};
    struct landlock_policy *p = (struct landlock_policy *)1;
    struct brick_error err;
    err.msg[0] = '\0';
    if (landlock_policy_from_spec(&spec, &p, &err) < 0) {
        if (!err.msg[0] || p)
            abort();
        free(value);
        return 0;
    }
    if (!p)
        abort(); /* the annotation is present: a policy or an error */
    for (size_t i = 0; i < p->n_fs; i++)
        if (!p->fs[i].path || p->fs[i].path[0] != '/' || !p->fs[i].access || p->fs[i].min_abi < 1)
            abort();
    if (p->n_bind && !p->bind)
        abort();
    if (p->n_connect && !p->connect)
        abort();
    /* Newest ABI first: negotiation only ever narrows the rules. */
    for (int abi = 7; abi >= 0; abi--) {
        err.msg[0] = '\0';
        if (landlock_negotiate(p, abi, &err) < 0 && !err.msg[0])
            abort();
    }
    landlock_policy_free(p);
    free(value);
    return 0;
}
