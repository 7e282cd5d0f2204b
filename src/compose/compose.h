/* compose.h — the human front end: an OCI config.json built from flags.
 *
 * Three steps, so the interesting one can be unit-tested:
 *   1. compose_parse()  argv -> struct compose_opts          (pure)
 *   2. compose_share()  container:NAME / --pod -> namespace fds held open by
 *                       the caller, race-free through pidfds  (system calls)
 *   3. compose_build()  opts -> config.json text              (pure)
 * Step 3 never looks at the machine: every namespace to join arrives as a
 * path already (an opened fd's "/proc/self/fd/N", or the user's ns:PATH),
 * and a seccomp file arrives as its text. */
#ifndef BRICK_COMPOSE_COMPOSE_H
#define BRICK_COMPOSE_COMPOSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spec/model.h"

struct brick_error;
struct compose_desktop; /* compose/desktop.h */

/* Annotations compose writes; the runtime and the other verbs read them. */
#define COMPOSE_ANN_LOOPBACK "run.brick.net.loopback" /* "up": the init brings lo up */
#define COMPOSE_ANN_JOIN_PREFIX "run.brick.join." /* + "net" etc.: the container joined */
#define COMPOSE_ANN_INIT "run.brick.init" /* "brick": the init stays pid 1, the command its child */
#define COMPOSE_ANN_ROOT_RO "run.brick.root.readonly" /* "recursive": every mount of the root */
#define COMPOSE_ANN_POD "run.brick.pod"           /* member of pod NAME */
#define COMPOSE_ANN_POD_INFRA "run.brick.pod.infra" /* the infra container of pod NAME */
#define COMPOSE_ANN_POD_SHARES "run.brick.pod.shares" /* "net,ipc,uts[,pid]" */

enum compose_ns_mode {
    NS_MODE_DEFAULT,   /* not given: the builder's default for the type */
    NS_MODE_NEW,
    NS_MODE_HOST,
    NS_MODE_CONTAINER, /* target = container id; resolved to path by compose_share() */
    NS_MODE_PATH,      /* target = a namespace file */
};

struct compose_ns {
    enum compose_ns_mode mode;
    char *target; /* container id or path; NULL for new/host */
    char *path;   /* what the spec joins (set for PATH and, after sharing, CONTAINER) */
};

struct compose_volume {
    char *src, *dst;
    bool ro;
};

/* The sandbox's home (brick do on the host's root): a private, empty one by
 * default; the host's homes and /root are never seen unless asked for. */
enum compose_home {
    COMPOSE_HOME_PRIVATE, /* tmpfs, empty, writable */
    COMPOSE_HOME_DIR,     /* --home=DIR: DIR from the host, persistent */
    COMPOSE_HOME_HOST,    /* --home=host: the caller's real home */
    COMPOSE_HOME_HOST_RO, /* --home=host:ro */
};

struct compose_opts {
    char *name;           /* container id; NULL: the CLI picks one */
    bool detach, tty, interactive, rm, keep, print_spec;
    char *rootfs;         /* NULL: the host's root, read-only */
    struct compose_volume *volumes;
    size_t n_volumes;
    char **tmpfs;         /* destinations */
    char **env;           /* KEY=VALUE */
    char *cwd;
    bool has_user;
    uint32_t uid, gid;
    char *hostname;
    char **cap_add, **cap_drop; /* "CAP_X" or "ALL", normalized */
    bool seccomp_unconfined;
    char *seccomp_file;   /* --security-opt seccomp=FILE (read by the CLI) */
    char *seccomp_json;   /* its text, set by the CLI before compose_build() */
    char *apparmor;       /* --security-opt apparmor=PROFILE|unconfined; NULL: compose_apparmor_default() */
    bool no_new_privs;    /* default true */
    bool read_only;
    bool has_memory, has_cpus, has_pids;
    int64_t memory;       /* bytes */
    uint64_t cpu_quota, cpu_period;
    int64_t pids;
    char *pod;            /* --pod NAME */
    struct compose_ns ns[OCI_NS__MAX];
    char **annotations;   /* extra KEY=VALUE (pods, join records) */
    char **args;          /* the command */
    struct compose_desktop *desktop; /* --x11, --gpu, ... (desktop.h); NULL: none */
    enum compose_home home;
    char *home_src;       /* DIR, or the caller's $HOME (--home=host) */
    bool host_secrets;    /* --host-secrets: the host's homes and secret files as they are */
    bool no_init;         /* --no-init: CMD itself is pid 1 */
    char **secrets;       /* host secret paths to mask (compose_find_secrets) */
    struct compose_caller *caller; /* who runs brick (compose_caller_detect); NULL: root */
};

/* An unprivileged caller (docs/ROOTLESS.md): the container gets a user
 * namespace of its own mapping the caller's ids, and, where /etc/subuid and
 * /etc/subgid grant ranges and newuidmap/newgidmap are installed, a full
 * 65536-id range built from them. */
struct compose_id_range {
    uint32_t start, count; /* count 0: none */
};
struct compose_caller {
    uint32_t uid, gid;
    struct compose_id_range subuid, subgid;
    bool user_manager; /* a systemd user manager makes the container's scope (a delegated cgroup) */
};
/* Fill o->caller when the effective uid is not 0 (reads /etc/passwd,
 * /etc/subuid, /etc/subgid and looks for the uidmap tools). */
void compose_caller_detect(struct compose_opts *o);
/* The range of `name` or `uid` in the text of /etc/subuid or /etc/subgid
 * (the first one of at least 65536 ids); pure, for the unit tests. */
struct compose_id_range compose_subid_parse(const char *text, const char *name, uint32_t uid);

/* Parse `do` flags (argv[0] is the verb). Returns 0, 1 when --help was
 * asked, or -errno with "--memory: expected a size like 512m, got \"x\"". */
int compose_parse(int argc, char **argv, struct compose_opts *o, struct brick_error *err);
void compose_opts_done(struct compose_opts *o);
/* getopt_long over do's flags (for a look before compose_parse: profiles). */
int compose_next_opt(int argc, char **argv);
/* The help text of `brick do`. */
#define COMPOSE_DO_USAGE \
    "do [options] [--] CMD [ARGS...]\n\n" \
    "Run CMD in a new container built from flags (no bundle needed). Without --rootfs it\n" \
    "sees the host's root read-only, with private /tmp, /run, /proc, /dev and /sys, its\n" \
    "own hostname, an empty network namespace with loopback up, the default seccomp\n" \
    "profile and capabilities, no_new_privs and, where AppArmor is enabled, the\n" \
    "brick-default profile. In the foreground the container is removed when CMD\n" \
    "exits (--keep keeps it stopped); with -d its name is printed, its output goes\n" \
    "to its log ('brick logs NAME') and it runs on until 'brick delete' (or, with\n" \
    "--rm, is removed when it exits).\n\n" \
    "Options:\n" \
    "      --name NAME            container id (default: do-<pid>)\n" \
    "  -d, --detach               do not wait for CMD: print the name and return; stdin\n" \
    "                             /dev/null, stdout and stderr to the log (brick logs)\n" \
    "  -t, --tty                  allocate a terminal (not with -d)\n" \
    "  -i, --interactive          keep stdin open (always true in the foreground; not with -d)\n" \
    "      --rm                   remove the container when it exits (also with -d)\n" \
    "      --keep                 keep the stopped container after a foreground run\n" \
    "      --rootfs DIR           use DIR as the root instead of the host's\n" \
    "  -v, --volume SRC:DST[:ro]  bind mount SRC at DST\n" \
    "      --tmpfs DST            mount a tmpfs at DST\n" \
    "  -e, --env KEY[=VALUE]      set an environment variable\n" \
    "  -w, --workdir DIR          working directory (default /)\n" \
    "  -u UID[:GID]               run as this numeric user\n" \
    "      --hostname NAME        hostname (default: the container name)\n" \
    "      --cap-add CAP, --cap-drop CAP   change the capability set (ALL allowed)\n" \
    "      --security-opt seccomp=FILE|unconfined, no-new-privileges=false\n" \
    "      --security-opt apparmor=PROFILE|unconfined\n" \
    "                             AppArmor profile (default where AppArmor is enabled:\n" \
    "                             brick-default; a normal user's once root loaded it)\n" \
    "      --read-only            read-only root (always so, recursively, for the host's root)\n" \
    "      --home=DIR|host|host:ro   home: DIR from the host, the caller's own (host), read-only\n" \
    "                             (default: a private empty one; other homes and /root hidden)\n" \
    "      --host-secrets         show the host's homes, /root and secret files (hidden by default)\n" \
    "      --no-init              run CMD itself as pid 1 (default: brick's init stays pid 1,\n" \
    "                             forwards signals to CMD and reaps)\n" \
    "  -m, --memory SIZE          memory limit (512m, 1g)\n" \
    "      --cpus N               CPU quota (0.5, 2)\n" \
    "      --pids-limit N         maximum number of processes\n" \
    "      --net|--pid|--ipc|--uts|--user|--cgroup|--time MODE\n" \
    "                             new, host, container:NAME or ns:/PATH\n" \
    "                             (defaults: new; user and time: host)\n" \
    "      --pod NAME             join pod NAME (its net, ipc, uts and maybe pid)\n" \
    "      --print-spec           print the config.json and exit\n"

/* "512m" -> 536870912; "1.5" cpus -> quota/period. Exposed for unit tests. */
int compose_parse_size(const char *s, int64_t *ret);
int compose_parse_cpus(const char *s, uint64_t *ret_quota, uint64_t *ret_period);
int compose_parse_ns(const char *s, struct compose_ns *ret, struct brick_error *err);

/* The host's secret files and directories that exist (shadow files, host
 * keys, TLS private keys, saved network passwords, display managers' cookies):
 * into o->secrets, masked by compose_build() unless --host-secrets or
 * --rootfs. Looks at the host (lstat, glob). docs/COMPOSE.md has the list. */
void compose_find_secrets(struct compose_opts *o);

/* The AppArmor profile when --security-opt apparmor= is not given: brick-default
 * where AppArmor is enabled and this caller can have it (root loads it as
 * needed; an unprivileged caller gets it once loaded); else none. Looks at
 * the host (apparmor.c). */
void compose_apparmor_default(struct compose_opts *o);


/* The config.json text (tab-indented, runc's layout); heap string. */
int compose_build(const struct compose_opts *o, char **ret_json, struct brick_error *err);
/* The same, and the model the validator parsed from that text (ret_spec may
 * be NULL), so that `do` hands the runtime a spec it need not parse again. */
int compose_build_spec(const struct compose_opts *o, char **ret_json, struct oci_spec **ret_spec,
                       struct brick_error *err);

/* Namespace type names as compose spells them on the command line and in
 * annotations ("net", "pid", ... as /proc/PID/ns/). */
const char *compose_ns_name(enum oci_ns_type t);

#endif
