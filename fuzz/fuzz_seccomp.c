/* fuzz_seccomp.c — libFuzzer target for the seccomp plan builder: a config
 * parsed by oci_spec_parse, its linux.seccomp turned into rules by
 * sc_plan_build (pure: nothing is compiled or loaded). The input is a whole
 * config.json; the corpus keeps a tiny envelope around linux.seccomp so the
 * fuzzer spends its time in the seccomp part. Checks the error contract and
 * the plan's invariants (at most 6 conditions per rule, indexes below 6,
 * every rule named, notify only with a listenerPath). */
#include "security/seccomp.h"
#include "spec/spec.h"

#include <brick/brick.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct brick_error err;
    struct oci_spec *s = NULL;
    err.msg[0] = '\0';
    if (oci_spec_parse((const char *)data, size, &s, &err) < 0)
        return 0; /* fuzz_spec covers the parser's own contract */

    const struct oci_seccomp *sc = &s->linux_.seccomp;
    if (sc->present) { /* as sc_prepare: no linux.seccomp, no plan */
        struct seccomp_plan plan = {0};
        err.msg[0] = '\0';
        if (sc_plan_build(sc, &plan, &err) == 0) {
            if (plan.notify && !sc->listener_path)
                abort();
            if (plan.n_arches && !plan.arches)
                abort();
            for (size_t i = 0; i < plan.n_rules; i++) {
                const struct seccomp_rule *r = &plan.rules[i];
                if (!r->name || r->n_conds > SECCOMP_PLAN_MAX_ARGS || r->src >= sc->n_syscalls ||
                    r->action == plan.default_action)
                    abort();
                for (unsigned j = 0; j < r->n_conds; j++)
                    if (r->conds[j].arg >= SECCOMP_PLAN_MAX_ARGS)
                        abort();
            }
        } else if (!err.msg[0] || plan.rules || plan.arches || plan.n_rules) {
            abort();
        }
        sc_plan_done(&plan);
    }
    oci_spec_free(s);
    return 0;
}
