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

#include "core/opts.h"
#include "spec/model.h"

struct option;

struct brick_error;
struct compose_desktop; /* compose/desktop.h */
struct bjson;           /* spec/json.h */

/* Annotations compose writes; the runtime and the other verbs read them. */
#define COMPOSE_ANN_LOOPBACK "run.brick.net.loopback" /* "up": the init brings lo up */
#define COMPOSE_ANN_JOIN_PREFIX "run.brick.join."     /* + "net" etc.: the container joined */
#define COMPOSE_ANN_INIT "run.brick.init" /* "brick": the init stays pid 1, the command its child */
#define COMPOSE_ANN_ROOT_RO "run.brick.root.readonly" /* "recursive": every mount of the root */
#define COMPOSE_ANN_POD "run.brick.pod"               /* member of pod NAME */
#define COMPOSE_ANN_POD_INFRA "run.brick.pod.infra"   /* the infra container of pod NAME */
#define COMPOSE_ANN_POD_SHARES "run.brick.pod.shares" /* "net,ipc,uts[,pid]" */
#define COMPOSE_ANN_NET "run.brick.net"               /* "user[:allow_host_loopback=true]" (compose/net.h) */
#define COMPOSE_ANN_PORTS "run.brick.net.ports"       /* "127.0.0.1:8080:80/tcp,..." published with -p */

enum compose_ns_mode {
    NS_MODE_DEFAULT, /* not given: the builder's default for the type */
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
    bool try_;  /* --bind-try, --ro-bind-try: left out when src is missing (as bwrap) */
    char *flag; /* as the user wrote it, for errors: "-v /srv/www:/srv/www:ro" */
};

struct compose_symlink {
    char *target, *dst; /* --symlink TARGET DST */
};

/* The host's tree, as `do` sees it (lstat, readlink), for destinations that
 * must be made on the read-only host root (dest.c). */
enum compose_kind { COMPOSE_MISSING, COMPOSE_DIR, COMPOSE_FILE, COMPOSE_LINK };
struct compose_probe {
    /* The kind of path, its last component not followed; a link's target in
     * *ret_target (heap). -errno for anything but a missing path. */
    int (*lookup)(void *data, const char *path, char **ret_target);
    void *data;
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
    char *name; /* container id; NULL: the CLI picks one */
    bool detach, tty, interactive, rm, keep, print_spec;
    char *rootfs; /* NULL: the host's root, read-only */
    struct compose_volume *volumes;
    size_t n_volumes;
    char **tmpfs;      /* destinations */
    char **env;        /* in order: KEY=VALUE sets (-e), KEY alone removes (--unsetenv) */
    char **caller_env; /* the caller's TERM, LANG, LANGUAGE, LC_* (compose_env_from_caller) */
    char *cwd;
    bool has_user; /* uid, gid set: -u, numeric or resolved (compose_user_resolve) */
    uint32_t uid, gid;
    char *user_spec;  /* -u with a name in it ("nobody", "www:adm"), until resolved */
    char *user_name;  /* the process user's name in the container's /etc/passwd: USER, LOGNAME */
    uint32_t *groups; /* supplementary groups of a named user (/etc/group) */
    size_t n_groups;
    struct compose_symlink *symlinks;
    size_t n_symlinks;
    const struct compose_probe *probe; /* NULL: no destination is looked at (no cover) */
    char *hostname;
    char **cap_add, **cap_drop; /* "CAP_X" or "ALL", normalized */
    bool seccomp_unconfined;
    char *seccomp_file; /* --security-opt seccomp=FILE (read by the CLI) */
    char *seccomp_json; /* its text, set by the CLI before compose_build() */
    char *learn_file;   /* --learn FILE: record the syscalls of the run (docs/PROFILES.md) */
    char *profile_file; /* --profile-file FILE: a learned profile, refusals reported by name */
    char *notify_path;  /* the supervisor's socket (set by the CLI with either flag) */
    char *apparmor;     /* --security-opt apparmor=PROFILE|unconfined; NULL: compose_apparmor_default() */
    bool no_new_privs;  /* default true */
    bool read_only;
    bool has_memory, has_cpus, has_pids;
    int64_t memory; /* bytes */
    uint64_t cpu_quota, cpu_period;
    int64_t pids;
    char *pod; /* --pod NAME */
    struct compose_ns ns[OCI_NS__MAX];
    char **annotations;              /* extra KEY=VALUE (pods, join records) */
    char **args;                     /* the command */
    struct compose_desktop *desktop; /* --x11, --gpu, ... (desktop.h); NULL: none */
    enum compose_home home;
    char *home_src;                /* DIR, or the caller's $HOME (--home=host) */
    bool host_secrets;             /* --host-secrets: the host's homes and secret files as they are */
    bool no_init;                  /* --no-init: CMD itself is pid 1 */
    char **secrets;                /* host secret paths to mask (compose_find_secrets) */
    struct compose_caller *caller; /* who runs brick (compose_caller_detect); NULL: root */
    bool net_user;                 /* --net user (compose/net.h): a network of its own through slirp4netns */
    bool net_host_loopback;        /* --net user:allow_host_loopback=true: 10.0.2.2 is the host's 127.0.0.1 */
    struct compose_port *ports;    /* -p, published through it */
    size_t n_ports;
    char *net_resolv; /* host file bound at /etc/resolv.conf with --net user (net_session_start) */
};

/* --learn / --profile-file (learn.c, pure): rewrite linux.seccomp so that
 * the supervisor at o->notify_path sees what it must. --learn: every action
 * ALLOW of the profile becomes NOTIFY (the supervisor records the call and
 * lets it continue; what the profile denies stays denied). --profile-file:
 * the default action ERRNO becomes NOTIFY (the supervisor names the call and
 * answers with that errno). sendmsg stays ALLOW in both: the init hands the
 * notify fd over with it. No-op without either flag.
 * --profile-file: the file's "annotations" (what --learn wrote besides
 * seccomp) are applied and removed from linux.seccomp:
 * LEARN_CAPS_ANNOTATION ("CAP_A,CAP_B") limits every capability set to
 * those, LEARN_LANDLOCK_ANNOTATION becomes the spec's run.brick.landlock. */
#define LEARN_LANDLOCK_ANNOTATION "run.brick.landlock"
#define LEARN_CAPS_ANNOTATION "run.brick.capabilities"
/* linux.seccomp.listenerMetadata for the supervisor: "dropped-capabilities=CAP_A,CAP_B". */
#define LEARN_DROPPED_METADATA "dropped-capabilities="
/* For the supervisor (cli/learn*.c), which may not use the library's modules: capability
 * names (spec/) and the running kernel's Landlock ABI (security/; 0: none). */
const char *compose_cap_name(int cap);
int compose_cap_from_name(const char *name);
int compose_landlock_abi(void);
int compose_learn_apply(const struct compose_opts *o, struct bjson *spec, struct brick_error *err);
/* A linux.seccomp (sc) that hands calls to a seccomp agent of its own (an SCMP_ACT_NOTIFY action or a
 * listenerPath): refused for flag (--learn, --profile-file), naming the JSON path: brick's supervisor
 * would answer those calls in the agent's place. 0 otherwise (sc NULL too). */
int compose_learn_check_agent(const char *flag, const struct bjson *sc, struct brick_error *err);

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

/* The process's ids: -u, else the caller's own when unprivileged, else 0. */
uint32_t compose_uid(const struct compose_opts *o);
uint32_t compose_gid(const struct compose_opts *o);

/* -u against the container's /etc/passwd and /etc/group texts (either may be
 * NULL; `where` names them in errors): fills uid, gid, groups for a name, as
 * runc's user lookup (a GROUP given: no supplementary groups), and
 * user_name (also for a numeric or default user, when passwd names it).
 * Numeric ids are never looked up (CVE-2016-3697). Pure. */
int compose_user_resolve(struct compose_opts *o, const char *passwd, const char *group, const char *where,
                         struct brick_error *err);
/* Read the container's /etc/passwd and /etc/group (the rootfs's, resolved in
 * it, or the host's) and compose_user_resolve() (host.c). */
int compose_user_lookup(struct compose_opts *o, struct brick_error *err);
/* The caller's TERM, LANG, LANGUAGE and LC_* from envp into o->caller_env. */
void compose_env_from_caller(struct compose_opts *o, char *const *envp);
/* lstat/readlink of the host (host.c). */
extern const struct compose_probe compose_host_probe;

/* Parse `do` flags (argv[0] is the verb). Returns 0, 1 when --help was
 * asked, or -errno with "--memory: expected a size like 512m, got \"x\"". */
int compose_parse(int argc, char **argv, struct compose_opts *o, struct brick_error *err);
/* The same for an argv with profiles expanded (desktop_profile_expand):
 * origin[i] is "" for the caller's own argv[i], else the name of the profile
 * it came from, whose flags are wishes (compose/desktop.h). */
int compose_parse_origin(int argc, char **argv, char *const *origin, struct compose_opts *o,
                         struct brick_error *err);
void compose_opts_done(struct compose_opts *o);
/* --no-FLAG: its code in the long options is the flag's own | COMPOSE_OPT_NO. */
#define COMPOSE_OPT_NO 0x10000
#define COMPOSE_NO_OPTION(name, code)                                                                        \
    {                                                                                                        \
        "no-" name, no_argument, NULL, COMPOSE_OPT_NO | (code)                                               \
    }
/* do's long options, {0}-terminated (man pages, completion, tests). */
const struct option *compose_long_options(void);
/* getopt_long over do's flags (for a look before compose_parse: profiles).
 * A flag of two arguments (--symlink TARGET DST) takes the second from argv
 * (optind moves past it) into *ret_arg2, NULL when missing. */
int compose_next_opt(int argc, char **argv, const char **ret_arg2);
/* The help text of `brick do`. */
/* `brick do`'s option table (flags.c; core/opts.h) and its short options. */
extern const struct brick_opt compose_do_opts[];
#define COMPOSE_DO_SHORTOPTS "+dtiv:e:w:u:m:p:h"
/* The text of `brick do --help` before its options (they follow, from the table). */
#define COMPOSE_DO_USAGE                                                                                     \
    "do [options] [--] CMD [ARGS...]\n\n"                                                                    \
    "Run CMD in a new container built from flags (no bundle needed). Without --rootfs it\n"                  \
    "sees the host's root read-only, with private /tmp, /run, /proc, /dev and /sys, its\n"                   \
    "own hostname, an empty network namespace with loopback up, the default seccomp\n"                       \
    "profile and capabilities, no_new_privs and, where AppArmor is enabled, the\n"                           \
    "brick-default profile. In the foreground the container is removed when CMD\n"                           \
    "exits (--keep keeps it stopped); with -d its name is printed, its output goes\n"                        \
    "to its log ('brick logs NAME') and it runs on until 'brick delete' (or, with\n"                         \
    "--rm, is removed when it exits). Flags apply in order: --no-FLAG ([no-] below) turns\n"                 \
    "a boolean flag off, so a flag a --profile set can be turned off after it.\n"

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
