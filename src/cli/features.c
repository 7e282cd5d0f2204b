/* features.c — `features`: what this brick supports, in the JSON layout of
 * runc's `features` (runtime-spec features.md). It describes the binary,
 * not the host. */
#include "cli/cli.h"
#include "brick-config.h"

#include <stdio.h>

static const char features_json[] =
    "{\n"
    "    \"ociVersionMin\": \"1.0.0\",\n"
    "    \"ociVersionMax\": \"" BRICK_SPEC_VERSION "\",\n"
    "    \"hooks\": [\"prestart\", \"createRuntime\", \"createContainer\", \"startContainer\", "
    "\"poststart\", \"poststop\"],\n"
    "    \"mountOptions\": [\"async\", \"atime\", \"bind\", \"defaults\", \"dev\", \"diratime\", "
    "\"dirsync\", \"exec\", \"iversion\", \"lazytime\", \"loud\", \"mand\", \"noatime\", "
    "\"nodev\", \"nodiratime\", \"noexec\", \"noiversion\", \"nolazytime\", \"nomand\", "
    "\"norelatime\", \"nostrictatime\", \"nosuid\", \"nosymfollow\", \"private\", \"rbind\", "
    "\"relatime\", \"remount\", \"ro\", \"rprivate\", \"rshared\", \"rslave\", \"runbindable\", "
    "\"rw\", \"shared\", \"silent\", \"slave\", \"strictatime\", \"suid\", \"symfollow\", "
    "\"sync\", \"unbindable\", \"rro\", \"rrw\", \"rnoexec\", \"rexec\", \"rnosuid\", \"rsuid\", "
    "\"rnodev\", \"rdev\", \"rnoatime\", \"ratime\", \"rrelatime\", \"rnorelatime\", "
    "\"rstrictatime\", \"rnostrictatime\", \"rnosymfollow\", \"rsymfollow\"],\n"
    "    \"linux\": {\n"
    "        \"namespaces\": [\"cgroup\", \"ipc\", \"mount\", \"network\", \"pid\", \"time\", "
    "\"user\", \"uts\"],\n"
    "        \"capabilities\": [\"CAP_CHOWN\", \"CAP_DAC_OVERRIDE\", \"CAP_DAC_READ_SEARCH\", "
    "\"CAP_FOWNER\", \"CAP_FSETID\", \"CAP_KILL\", \"CAP_SETGID\", \"CAP_SETUID\", "
    "\"CAP_SETPCAP\", \"CAP_LINUX_IMMUTABLE\", \"CAP_NET_BIND_SERVICE\", \"CAP_NET_BROADCAST\", "
    "\"CAP_NET_ADMIN\", \"CAP_NET_RAW\", \"CAP_IPC_LOCK\", \"CAP_IPC_OWNER\", \"CAP_SYS_MODULE\", "
    "\"CAP_SYS_RAWIO\", \"CAP_SYS_CHROOT\", \"CAP_SYS_PTRACE\", \"CAP_SYS_PACCT\", "
    "\"CAP_SYS_ADMIN\", \"CAP_SYS_BOOT\", \"CAP_SYS_NICE\", \"CAP_SYS_RESOURCE\", "
    "\"CAP_SYS_TIME\", \"CAP_SYS_TTY_CONFIG\", \"CAP_MKNOD\", \"CAP_LEASE\", "
    "\"CAP_AUDIT_WRITE\", \"CAP_AUDIT_CONTROL\", \"CAP_SETFCAP\", \"CAP_MAC_OVERRIDE\", "
    "\"CAP_MAC_ADMIN\", \"CAP_SYSLOG\", \"CAP_WAKE_ALARM\", \"CAP_BLOCK_SUSPEND\", "
    "\"CAP_AUDIT_READ\", \"CAP_PERFMON\", \"CAP_BPF\", \"CAP_CHECKPOINT_RESTORE\"],\n"
    "        \"cgroup\": {\n"
    "            \"v1\": true,\n"
    "            \"v2\": true,\n"
    "            \"systemd\": true,\n"
    "            \"systemdUser\": true,\n"
    "            \"rdma\": true\n"
    "        },\n"
    "        \"seccomp\": {\n"
    "            \"enabled\": false\n"
    "        },\n"
    "        \"apparmor\": {\n"
    "            \"enabled\": true\n"
    "        },\n"
    "        \"selinux\": {\n"
    "            \"enabled\": false\n"
    "        },\n"
    "        \"intelRdt\": {\n"
    "            \"enabled\": false\n"
    "        },\n"
    "        \"mountExtensions\": {\n"
    "            \"idmap\": {\n"
    "                \"enabled\": false\n"
    "            }\n"
    "        }\n"
    "    },\n"
    "    \"annotations\": {\n"
    "        \"org.opencontainers.runtime-spec.features.version\": \"" BRICK_SPEC_VERSION "\",\n"
    "        \"io.github.brick.version\": \"" BRICK_VERSION "\",\n"
    "        \"io.github.brick.commit\": \"" BRICK_COMMIT "\"\n"
    "    }\n"
    "}\n";

static int features_main(struct cli_globals *g, int argc, char **argv)
{
    int c;
    (void)g;
    while ((c = cli_getopt(argc, argv, "h", cli_help_only, &cmd_features)) != -1)
        return c == 'h' ? cli_help(&cmd_features) : 1;
    if (cli_want_args(argc, argv, 0, 0, &cmd_features) < 0)
        return 1;
    fputs(features_json, stdout);
    return 0;
}

const struct cli_command cmd_features = {
    .name = "features",
    .summary = "show the features brick supports (JSON)",
    .usage = "features\n\nPrint the runtime-spec features document: supported OCI versions, hooks,\n"
             "mount options, namespaces, capabilities, cgroup drivers and security modules.\n",
    .run = features_main,
    .opts = cli_help_only,
    .shortopts = "h",
};
