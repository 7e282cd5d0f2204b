/* fuzz_spec.c — libFuzzer target for the config.json and process parsers,
 * and for the rootfs annotations a parsed config carries (run.brick.cover,
 * run.brick.symlinks: rootfs_ext_parse).
 *
 * Beyond "no crash, no leak", it checks the error contract: a failed parse
 * always leaves a message, and a successful one returns a model. */
#include "rootfs/rootfs.h"
#include "spec/spec.h"

#include <brick/brick.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct brick_error err;
    struct oci_spec *s = NULL;
    struct oci_process *p = NULL;

    err.msg[0] = '\0';
    if (oci_spec_parse((const char *)data, size, &s, &err) == 0) {
        if (!s || !s->oci_version || !s->root.path)
            abort();
        struct rootfs_ext ext;
        err.msg[0] = '\0';
        if (rootfs_ext_parse(s, &ext, &err) == 0)
            rootfs_ext_done(&ext);
        else if (!err.msg[0] || ext.cover || ext.symlinks)
            abort();
        oci_spec_free(s);
    } else if (!err.msg[0] || s) {
        abort();
    }

    err.msg[0] = '\0';
    if (oci_process_parse((const char *)data, size, &p, &err) == 0) {
        if (!p || !p->cwd)
            abort();
        oci_process_free(p);
    } else if (!err.msg[0] || p) {
        abort();
    }
    return 0;
}
