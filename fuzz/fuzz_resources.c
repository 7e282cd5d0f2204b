/* fuzz_resources.c — libFuzzer target for the LinuxResources document that
 * `brick update -r FILE|-` reads (oci_resources_parse), then the pure cgroup
 * layer update feeds it to: the device rules (v1 writes and the v2 BPF
 * program) and the v1, hybrid and v2 write plans. Checks the error contract
 * and that every planned write names a file and a value. */
#include "cgroup/bpf.h"
#include "cgroup/plan.h"
#include "spec/model.h"
#include "spec/parse_resources_doc.h"
#include "spec/spec.h"

#include <brick/brick.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_writes(const struct cgroup_writes *w)
{
    for (size_t i = 0; i < w->n; i++)
        if (!w->v[i].file || !w->v[i].value)
            abort();
}

static void plan_all(const struct oci_resources *res)
{
    struct brick_error err;
    struct cgroup_writes w = {0};
    char *hybrid[] = {(char *)"memory", (char *)"pids", (char *)"io", NULL};

    struct cgroup_dev_rule *rules = NULL;
    size_t n_rules = 0;
    err.msg[0] = '\0';
    if (cgroup_device_rules(res->devices, res->n_devices, &rules, &n_rules, &err) == 0) {
        cgroup_plan_v1_devices(rules, n_rules, &w);
        check_writes(&w);
        cgroup_writes_done(&w);
        struct bpf_insn *prog = NULL;
        size_t n_insns = 0;
        cgroup_bpf_build(rules, n_rules, &prog, &n_insns);
        if (!prog || !n_insns)
            abort();
        free(prog);
    } else if (!err.msg[0]) {
        abort();
    }
    free(rules);

    char *const *ctrls[] = {NULL, hybrid};
    for (size_t i = 0; i < 2; i++) {
        err.msg[0] = '\0';
        if (cgroup_plan_v1(res, ctrls[i], &w, &err) == 0)
            check_writes(&w);
        else if (!err.msg[0])
            abort();
        cgroup_writes_done(&w);
    }
    err.msg[0] = '\0';
    if (cgroup_plan_v2(res, &w, &err) == 0)
        check_writes(&w);
    else if (!err.msg[0])
        abort();
    cgroup_writes_done(&w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct brick_error err;
    struct oci_spec *s = NULL;

    err.msg[0] = '\0';
    if (oci_resources_parse((const char *)data, size, &s, &err) == 0) {
        if (!s)
            abort();
        plan_all(&s->linux_.resources);
        oci_spec_free(s);
    } else if (!err.msg[0] || s) {
        abort();
    }
    return 0;
}
