/* main.c — global flags, the command table and error reporting. */
#include "cli/cli.h"
#include "cli/guarded.h"
#include "brick-config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <seccomp.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>

#include "core/fd.h"
#include "core/util.h"

static struct cli_globals globals;
static FILE *log_file;

static const struct cli_command *const commands[] = {
    &cmd_create,   &cmd_exec,    &cmd_start, &cmd_run,    &cmd_state,  &cmd_kill,  &cmd_delete,
    &cmd_list,     &cmd_spec,    &cmd_pause, &cmd_resume, &cmd_update, &cmd_ps,    &cmd_events,
    &cmd_features, &cmd_inspect, &cmd_do,    &cmd_logs,   &cmd_pod,    &cmd_graph, &cmd_profile,
};

/* runc verbs that later work adds; refused clearly rather than misparsed. */
static const char *const not_yet[] = {"checkpoint", "restore"};

static bool is_guarded_verb(const char *name)
{
    static const char verbs[] = BRICK_GUARDED_VERBS;
    for (const char *v = verbs; *v; v += strlen(v) + 1)
        if (strcmp(name, v) == 0)
            return true;
    return false;
}

static void json_escape(FILE *f, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
}

static void log_record(const char *level, const char *msg)
{
    if (!log_file)
        return;
    char t[48];
    format_rfc3339_now(t, sizeof(t));
    if (globals.log_json) {
        fprintf(log_file, "{\"level\":\"%s\",\"msg\":\"", level);
        json_escape(log_file, msg);
        fprintf(log_file, "\",\"time\":\"%s\"}\n", t);
    } else {
        fprintf(log_file, "time=\"%s\" level=%s msg=\"", t, level);
        json_escape(log_file, msg);
        fputs("\"\n", log_file);
    }
    fflush(log_file);
}

/* One line on the terminal, whatever the message holds: a container id or
 * path given by the user, a kernel log line, a hook's output. Control
 * characters (a newline, an escape sequence that would drive the terminal)
 * are printed as \xNN; a trailing newline is dropped. */
static void print_line(const char *prefix, const char *msg)
{
    size_t len = strlen(msg);
    while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == '\r'))
        len--;
    fputs(prefix, stderr);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)msg[i];
        if (c < 0x20 || c == 0x7f)
            fprintf(stderr, "\\x%02x", c);
        else
            fputc(c, stderr);
    }
    fputc('\n', stderr);
}

static void on_library_log(enum brick_log_level level, const char *msg, void *userdata)
{
    static const char *const names[] = {"error", "warning", "info", "debug"};
    (void)userdata;
    log_record(names[level], msg);
    /* --debug records go to --log when given, as runc's: an engine that
     * reads the runtime's stderr as its error message gets no debug lines */
    if (level <= BRICK_LOG_WARN || (globals.debug && !log_file)) {
        char prefix[32];
        snprintf(prefix, sizeof(prefix), "brick: %s: ", names[level]);
        print_line(prefix, msg);
    }
}

int cli_fail(const struct brick_error *err)
{
    print_line("brick: ", err->msg);
    log_record("error", err->msg);
    return 1;
}

int cli_failf(const char *fmt, ...)
{
    struct brick_error err = {.code = EINVAL};
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err.msg, sizeof(err.msg), fmt, ap);
    va_end(ap);
    return cli_fail(&err);
}

static void format_bytes(char *buf, size_t len, long long n)
{
    static const char *const units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
    size_t u = 0;
    double v = (double)n;
    while (u + 1 < sizeof(units) / sizeof(units[0]) && v >= 1024) {
        v /= 1024;
        u++;
    }
    if (v == (double)(long long)v)
        snprintf(buf, len, "%lld %s", (long long)v, units[u]);
    else
        snprintf(buf, len, "%.1f %s", v, units[u]);
}

void cli_report_exit(const struct brick_exit_info *info, int status)
{
    if (info->oom_kills <= 0)
        return;
    char limit[48] = "", msg[160];
    if (info->memory_limit > 0) {
        char b[32];
        format_bytes(b, sizeof(b), info->memory_limit);
        snprintf(limit, sizeof(limit), " (limit %s)", b);
    }
    if (status == 128 + 9) /* SIGKILL */
        snprintf(msg, sizeof(msg), "killed: out of memory%s", limit);
    else /* a process of the container killed, not (or not only) its init */
        snprintf(msg, sizeof(msg), "out of memory%s: the kernel killed %lld process%s in the container",
                 limit, info->oom_kills, info->oom_kills == 1 ? "" : "es");
    print_line("brick: ", msg);
    log_record("warning", msg);
}

const struct brick_opt cli_help_only[] = {
    {"help", no_argument, NULL, 'h', NULL, "show this help", NULL},
    {0},
};

int cli_help(const struct cli_command *cmd)
{
    printf("Usage: brick %s", cmd->usage);
    if (cmd->opts) {
        printf("\nOptions:\n");
        brick_opts_print(stdout, cmd->opts, cmd->shortopts);
    }
    for (const struct cli_subcommand *s = cmd->subs; s && s->name; s++) {
        if (!s->opts)
            continue;
        printf("\nOptions of %s %s:\n", cmd->name, s->name);
        brick_opts_print(stdout, s->opts, s->shortopts);
    }
    return 0;
}

/* "; did you mean '--net'?" for an unknown "--nett", or "" (static buffer). */
const char *did_you_mean(const char *arg, const struct brick_opt *opts)
{
    static char hint[96];
    const char *name = brick_opts_closest(arg, opts);
    if (!name)
        return "";
    snprintf(hint, sizeof(hint), "; did you mean '--%s'?", name);
    return hint;
}

int cli_getopt(int argc, char **argv, const char *shortopts, const struct brick_opt *opts,
               const struct cli_command *cmd)
{
    opterr = 0;
    int c = brick_getopt(argc, argv, shortopts, opts);
    if (c == '?') {
        const char *bad = argv[optind - 1];
        if (optopt && optopt < 256)
            cli_failf("%s: unknown or incomplete option '-%c' (see 'brick %s --help')", cmd->name, optopt,
                      cmd->name);
        else
            cli_failf("%s: unknown or incomplete option '%s'%s (see 'brick %s --help')", cmd->name, bad,
                      did_you_mean(bad, opts), cmd->name);
    }
    return c;
}

int cli_want_args(int argc, char **argv, int min, int max, const struct cli_command *cmd)
{
    int n = argc - optind;
    (void)argv;
    if (n < min || n > max) {
        cli_failf("%s: expected %s%d argument%s, got %d (usage: brick %s)", cmd->name,
                  min == max ? "" : "at least ", min, min == 1 ? "" : "s", n, cmd->usage);
        return -1;
    }
    return 0;
}

int cli_unsupported_flag(const char *flag, const struct cli_command *cmd)
{
    return cli_failf("%s: flag %s is not supported by brick yet", cmd ? cmd->name : "brick", flag);
}

enum { OPT_ROOT = 256, OPT_LOG, OPT_LOG_FORMAT, OPT_DEBUG, OPT_SYSTEMD, OPT_CRIU, OPT_ROOTLESS };
#define GLOBAL_SHORTOPTS "+vh"
static const struct brick_opt global_opts[] = {
    {"root", required_argument, NULL, OPT_ROOT, "DIR",
     "state directory (default /run/brick; unprivileged: "
     "$XDG_RUNTIME_DIR/brick, docs/ROOTLESS.md). Engines pass their own, e.g. containerd "
     "/run/containerd/runc/NAMESPACE",
     BRICK_COMPLETE_DIR},
    {"log", required_argument, NULL, OPT_LOG, "FILE", "also append errors and warnings to FILE",
     BRICK_COMPLETE_FILE},
    {"log-format", required_argument, NULL, OPT_LOG_FORMAT, "FMT",
     "text (default) or json: one "
     "{\"level\",\"msg\",\"time\"} object per line, the record containerd's shim and conmon read back to "
     "report why a command failed",
     "words:text json"},
    {"debug", no_argument, NULL, OPT_DEBUG, NULL, "log debug messages too (to --log when given)", NULL},
    {"systemd-cgroup", no_argument, NULL, OPT_SYSTEMD, NULL,
     "read linux.cgroupsPath as runc's systemd form "
     "SLICE:PREFIX:NAME (man brick: CGROUPS)",
     NULL},
    {"criu", required_argument, NULL, OPT_CRIU, "PATH", "refused: checkpoint and restore are not supported",
     BRICK_COMPLETE_FILE},
    {"rootless", required_argument, NULL, OPT_ROOTLESS, "auto|false",
     "accepted for runc compatibility; "
     "brick detects rootless operation itself",
     "words:auto false"},
    {"version", no_argument, NULL, 'v', NULL,
     "print the version in runc's format (brick version, commit:, "
     "spec: and libseccomp: lines)",
     NULL},
    {"help", no_argument, NULL, 'h', NULL,
     "show the commands and global options; brick help COMMAND "
     "shows one command's",
     NULL},
    {0},
};

static void usage(FILE *f)
{
    fprintf(f, "Usage: brick [global options] COMMAND [options] [arguments]\n\n"
               "brick is an OCI container runtime, command-line compatible with runc.\n\n"
               "Commands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(f, "  %-8s %s\n", commands[i]->name, commands[i]->summary);
    fprintf(f, "  help     show help for a command\n\nGlobal options:\n");
    brick_opts_print(f, global_opts, GLOBAL_SHORTOPTS);
}

/* runc's line format ("runc version X", "commit:", "spec:", "libseccomp:"):
 * engines show it as is (podman info, crictl info) and some parse the first
 * line's last word as the version. */
static void version(void)
{
    const struct scmp_version *sv = seccomp_version();
    printf("brick version %s\ncommit: %s\nspec: %s\n", BRICK_VERSION, BRICK_COMMIT, BRICK_SPEC_VERSION);
    if (sv)
        printf("libseccomp: %u.%u.%u\n", sv->major, sv->minor, sv->micro);
}

static const struct cli_command *find_command(const char *name)
{
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(commands[i]->name, name) == 0)
            return commands[i];
    return NULL;
}

static int parse_globals(int argc, char **argv)
{
    int c;
    opterr = 0;
    while ((c = brick_getopt(argc, argv, GLOBAL_SHORTOPTS, global_opts)) != -1) {
        switch (c) {
        case OPT_ROOT: globals.root = optarg; break;
        case OPT_LOG:
            log_file = fopen(optarg, "ae");
            if (!log_file)
                return cli_failf("open log file %s: %s", optarg, strerror(errno));
            globals.log_path = optarg;
            break;
        case OPT_LOG_FORMAT:
            if (strcmp(optarg, "json") && strcmp(optarg, "text"))
                return cli_failf("--log-format: expected text or json, got \"%s\"", optarg);
            globals.log_json = strcmp(optarg, "json") == 0;
            break;
        case OPT_DEBUG: globals.debug = true; break;
        case OPT_SYSTEMD: globals.systemd_cgroup = true; break;
        case OPT_CRIU: return cli_failf("--criu: checkpoint/restore is not supported by brick");
        case OPT_ROOTLESS:
            /* runc's --rootless=auto|false is the default behaviour here. */
            if (strcmp(optarg, "auto") && strcmp(optarg, "false"))
                return cli_failf("--rootless=%s: expected auto or false (brick detects rootless mode itself)",
                                 optarg);
            break;
        case 'v': version(); exit(0);
        case 'h': usage(stdout); exit(0);
        default:
            return cli_failf("unknown or incomplete global option '%s'%s (see 'brick --help')",
                             argv[optind - 1], did_you_mean(argv[optind - 1], global_opts));
        }
    }
    return 0;
}

/* CVE-2020-5291 (bubblewrap): a sandbox tool installed setuid lends every
 * local user root's power to build mount trees (`--log FILE` alone would
 * append to any file as root). brick is never installed so: with a set-user
 * or set-group-ID bit (the real and effective ids differ) or with file
 * capabilities (AT_SECURE for a non-root user who gained some), it refuses
 * before it reads an argument (the static entry point, entry.c, does not
 * re-execute such an image either). */
static bool exec_elevated(void)
{
    uid_t ru, eu, su;
    gid_t rg, eg, sg;
    if (getresuid(&ru, &eu, &su) < 0 || getresgid(&rg, &eg, &sg) < 0)
        return true;
    if (ru != eu || ru != su || rg != eg || rg != sg)
        return true;
    if (eu == 0 || !getauxval(AT_SECURE))
        return false;
    struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
    struct __user_cap_data_struct d[2] = {{0}};
    return syscall(SYS_capget, &h, d) < 0 || d[0].permitted || d[1].permitted;
}

int main(int argc, char **argv)
{
    /* Before any fd is opened: a container's stdio is the caller's, and a
     * number the caller left closed must not be taken by one of brick's own
     * (a host directory, the runtime binary, a sync socket). */
    stdio_fill();
    if (exec_elevated())
        return cli_failf("refusing to run with privileges the caller does not hold (setuid, setgid or file "
                         "capabilities: uid %u/%u, gid %u/%u real/effective); install brick without them",
                         getuid(), geteuid(), getgid(), getegid());
    if (parse_globals(argc, argv) != 0)
        return 1;
    if (!globals.root)
        globals.root = brick_default_root(); /* before any command wipes the environment */
    brick_set_log(on_library_log, NULL, globals.debug ? BRICK_LOG_DEBUG : BRICK_LOG_WARN);
    if (optind >= argc) {
        usage(stderr);
        return 1;
    }
    const char *name = argv[optind];
    if (strcmp(name, "help") == 0) {
        if (optind + 1 < argc && strcmp(argv[optind + 1], "--dump-options") == 0) /* tools/gendocs.py */
            return cli_dump_options(commands, sizeof(commands) / sizeof(commands[0]), global_opts,
                                    GLOBAL_SHORTOPTS);
        const struct cli_command *cmd = optind + 1 < argc ? find_command(argv[optind + 1]) : NULL;
        if (cmd)
            return cli_help(cmd);
        usage(stdout);
        return 0;
    }
    const struct cli_command *cmd = find_command(name);
    if (!cmd) {
        for (size_t i = 0; i < sizeof(not_yet) / sizeof(not_yet[0]); i++)
            if (strcmp(name, not_yet[i]) == 0)
                return cli_failf("command \"%s\" is not supported by brick yet", name);
        const char *names[sizeof(commands) / sizeof(commands[0]) + 1];
        size_t n = 0;
        for (; n < sizeof(commands) / sizeof(commands[0]); n++)
            names[n] = commands[n]->name;
        names[n++] = "help";
        const char *close = closest_name(name, names, n);
        if (close)
            return cli_failf("unknown command \"%s\"; did you mean '%s'? (see 'brick --help')", name, close);
        return cli_failf("unknown command \"%s\" (see 'brick --help')", name);
    }
    /* Commands that start container processes never let them reach this
     * binary (CVE-2019-5736). */
    /* The entry point re-executes on any argument that names a guarded verb
     * (a container called "run"): the re-executed image then settles its
     * tree fd here too, whatever the command. */
    if (is_guarded_verb(cmd->name) || getenv(BRICK_EXE_TREE_ENV)) {
        struct brick_error err;
        if (brick_guard_exe(argv, &err) < 0)
            return cli_fail(&err);
    }
    int sub_argc = argc - optind;
    char **sub_argv = argv + optind;
    optind = 0; /* full getopt reset for the command's own flags */
    return cmd->run(&globals, sub_argc, sub_argv);
}
