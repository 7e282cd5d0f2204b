/* test-cover.c — the run.brick.cover and run.brick.symlinks annotations
 * parsed (rootfs/cover.c); the mounts themselves are tested end to end by
 * tests/integration/test_do_binds.py. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tap.h"
#include "rootfs/rootfs.h"
#include "spec/model.h"
#include "spec/spec.h"

/* A config with a tmpfs at /srv and the two annotations' given values
 * (JSON string literals, or NULL for none). */
static int parse_ext(const char *cover, const char *links, struct rootfs_ext *ext, struct brick_error *err)
{
    char text[2048];
    snprintf(text, sizeof(text),
             "{\"ociVersion\": \"1.2.0\", \"root\": {\"path\": \"rootfs\"},"
             " \"mounts\": [{\"destination\": \"/srv\", \"type\": \"tmpfs\", \"source\": \"tmpfs\"},"
             "              {\"destination\": \"/mnt\", \"type\": \"bind\", \"source\": \"/tmp\"}],"
             " \"annotations\": {\"x\": \"y\"%s%s%s%s}}",
             cover ? ", \"run.brick.cover\": " : "", cover ? cover : "",
             links ? ", \"run.brick.symlinks\": " : "", links ? links : "");
    struct oci_spec *s = NULL;
    int r = oci_spec_parse(text, strlen(text), &s, err);
    if (r == 0)
        r = rootfs_ext_parse(s, ext, err);
    oci_spec_free(s);
    return r;
}

int main(void)
{
    struct rootfs_ext e;
    struct brick_error err;
    ok(parse_ext(NULL, NULL, &e, &err) == 0 && !e.cover && !e.n_symlinks, "no annotations: nothing");
    rootfs_ext_done(&e);
    ok(parse_ext("\"[\\\"/srv\\\"]\"", "\"[{\\\"path\\\": \\\"/srv/cur\\\", \\\"target\\\": \\\"www\\\"}]\"",
                 &e, &err) == 0 &&
           e.cover && !strcmp(e.cover[0], "/srv") && !e.cover[1] && e.n_symlinks == 1 &&
           !strcmp(e.symlinks[0].path, "/srv/cur") && !strcmp(e.symlinks[0].target, "www"),
       "a cover and a symlink");
    rootfs_ext_done(&e);
    ok(parse_ext("\"[\\\"/mnt\\\"]\"", NULL, &e, &err) < 0 &&
           strstr(err.msg,
                  "annotations[\"run.brick.cover\"][0]: \"/mnt\" is not the destination of a tmpfs mount"),
       "a cover must be a tmpfs mount of the config");
    ok(parse_ext("\"{}\"", NULL, &e, &err) < 0 && strstr(err.msg, "expected a JSON array"), "not an array");
    ok(parse_ext("\"[\"", NULL, &e, &err) < 0 && strstr(err.msg, "annotations[\"run.brick.cover\"]"),
       "not JSON");
    static const char *const bad_paths[] = {"relative", "/", "/srv/..", "/srv/."};
    for (size_t i = 0; i < sizeof(bad_paths) / sizeof(*bad_paths); i++) {
        char links[256];
        snprintf(links, sizeof(links), "\"[{\\\"path\\\": \\\"%s\\\", \\\"target\\\": \\\"x\\\"}]\"",
                 bad_paths[i]);
        ok(parse_ext(NULL, links, &e, &err) < 0 &&
               strstr(err.msg, "[0].path: expected an absolute path to a name"),
           bad_paths[i]);
    }
    ok(parse_ext(NULL, "\"[{\\\"path\\\": \\\"/a\\\"}]\"", &e, &err) < 0 && strstr(err.msg, "[0].target"),
       "a symlink needs a target");
    return tap_done();
}
