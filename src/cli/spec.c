/* spec.c — `brick spec`: write the default config.json, as runc does. */
#include "cli/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <sys/vfs.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct brick_opt spec_opts[] = {
    {"bundle", required_argument, NULL, 'b', "DIR", "directory to write into (default: .)",
     BRICK_COMPLETE_DIR},
    {"rootless", no_argument, NULL, 'r', NULL, "a config for a rootless container (user namespace)", NULL},
    {"help", no_argument, NULL, 'h', NULL, "show this help", NULL},
    {0},
};

static int spec_main(struct cli_globals *g, int argc, char **argv)
{
    const char *bundle = ".";
    bool rootless = false;
    int c;
    (void)g;
    while ((c = cli_getopt(argc, argv, "b:h", spec_opts, &cmd_spec)) != -1) {
        if (c == 'b')
            bundle = optarg;
        else if (c == 'r')
            rootless = true;
        else
            return c == 'h' ? cli_help(&cmd_spec) : 1;
    }
    if (cli_want_args(argc, argv, 0, 0, &cmd_spec) < 0)
        return 1;
    char path[4096];
    snprintf(path, sizeof(path), "%s/config.json", bundle);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && errno == EEXIST)
        return cli_failf("spec: %s exists; remove it first", path);
    if (fd < 0)
        return cli_failf("spec: create %s: %s", path, strerror(errno));
    struct statfs sf;
    bool v2 = statfs("/sys/fs/cgroup", &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC;
    char *json = brick_spec_default_json(rootless, v2);
    size_t len = strlen(json);
    bool ok = write(fd, json, len) == (ssize_t)len && write(fd, "\n", 1) == 1;
    free(json);
    close(fd);
    return ok ? 0 : cli_failf("spec: write %s: %s", path, strerror(errno));
}

const struct cli_command cmd_spec = {
    .name = "spec",
    .summary = "write a default config.json",
    .usage = "spec [options]\n\nWrite a default config.json (as runc's) into the bundle directory.\n",
    .run = spec_main,
    .opts = spec_opts,
    .shortopts = "b:h",
};
