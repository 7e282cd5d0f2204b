/* desktop.h — GUI apps in `brick do`: X11, Wayland, audio, GPU, devices.
 *
 * docs/DESKTOP.md explains what each flag exposes. The same three steps as
 * the rest of compose, so the interesting parts are unit-tested:
 *   1. desktop_parse_flag()  the flags -> struct compose_desktop      (pure)
 *   2. desktop_resolve()     look at the host (sockets, Xauthority, /dev,
 *                            driver libraries) -> a plan of mounts,
 *                            devices, groups and environment          (system calls)
 *   3. desktop_apply()       plan -> edits of the generated config.json (pure)
 * Files the container must see (the filtered Xauthority, the PulseAudio
 * client.conf) are written into a fresh /tmp/brick-desktop-XXXXXX and bound read-only at
 * DESKTOP_DIR_IN; a guard process (desktop_session_*) removes them and, with
 * --die-with-parent, kills the container when `brick do` dies. */
#ifndef BRICK_COMPOSE_DESKTOP_H
#define BRICK_COMPOSE_DESKTOP_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct brick_error;
struct compose_opts;
struct bjson;

#define DESKTOP_DIR_IN "/run/brick-desktop"                   /* in the container: Xauthority, pulse.conf */
#define DESKTOP_HOST_DIR_TEMPLATE "/tmp/brick-desktop-XXXXXX" /* its host side (mkdtemp) */
#define DESKTOP_USERNS_BASE 100000                            /* build.c's --user new mapping */

enum desktop_x11 { DESKTOP_X11_OFF, DESKTOP_X11_TRUSTED, DESKTOP_X11_UNTRUSTED };

/* --device HOST[:INSIDE][:rwm], before it is looked at. */
struct desktop_device_req {
    char *host, *inside, *access;
    bool optional; /* a profile's: a missing node is left out (desktop_resolve) */
};

/* One device node for linux.devices and its cgroup allow rule. */
struct desktop_dev {
    char *path; /* inside the container */
    char type;  /* 'c' or 'b' */
    int64_t major, minor;
    uint32_t mode, uid, gid;
    char access[4]; /* subset of "rwm" */
};

struct desktop_mount {
    char *dst, *type, *src;
    char **options;
};

/* A profile's flags are wishes, the caller's own are demands: what the host
 * lacks of the first is left out, told in one note (desktop_session_start),
 * of the second is an error. Each *_auto below marks a wish: the flag came
 * from a profile (desktop_parse_flag's `profile`), or was given as =auto. */
struct compose_desktop {
    /* flags */
    enum desktop_x11 x11;
    bool x11_auto; /* a profile's: a later --wayland replaces it */
    bool wayland;
    bool wayland_auto; /* a profile's: X11 when no compositor runs (and a later --x11 replaces it) */
    bool gui;          /* --gui: Wayland when the compositor's socket exists, else X11 */
    bool audio, gpu, sound_devices; /* --audio, --gpu, --device /dev/snd via --audio=devices */
    bool audio_auto; /* --audio=auto or a profile's: no sound server is left out, not an error */
    bool gpu_auto;   /* --gpu=auto or a profile's: no GPU is left out, not an error */
    bool die_with_parent;
    bool die_auto;  /* a profile's --die-with-parent: dropped with -d (no parent to die with) */
    bool nested_ns; /* --allow-nested-ns: seccomp lets the app build its own sandbox */
    struct desktop_device_req *dev_reqs;
    size_t n_dev_reqs;
    uint32_t *group_add;
    size_t n_group_add;
    bool group_add_asked; /* --group-add given (not only the device nodes' groups) */
    int64_t shm_size;     /* 0: the default 64m */
    /* the plan, from desktop_resolve() (or a unit test) */
    struct desktop_mount *mounts;
    size_t n_mounts;
    struct desktop_dev *devs;
    size_t n_devs;
    char **env;            /* KEY=VALUE; -e given by the user wins */
    char **masked;         /* host files hidden (linux.maskedPaths): the full Xauthority */
    char **notes;          /* what the CLI tells the user (e.g. about abstract sockets) */
    char **left_out;       /* wishes the host lacks: "sound (no sound server at PATH)", one note */
    char **left_out_flags; /* the flags that turn them off: "--no-audio" */
    char *note_once;       /* told once per state root (DESKTOP_NOTED_STAMP): the X abstract socket */
};

/* Long options, appended to `brick do`'s table; codes DESKTOP_OPT_BASE + n. */
#define DESKTOP_OPT_BASE 1024
enum {
    DESKTOP_OPT_X11 = DESKTOP_OPT_BASE,
    DESKTOP_OPT_WAYLAND,
    DESKTOP_OPT_GUI,
    DESKTOP_OPT_AUDIO,
    DESKTOP_OPT_GPU,
    DESKTOP_OPT_DEVICE,
    DESKTOP_OPT_GROUP_ADD,
    DESKTOP_OPT_SHM_SIZE,
    DESKTOP_OPT_DIE_WITH_PARENT,
    DESKTOP_OPT_NESTED_NS,
    DESKTOP_OPT_PROFILE,
    DESKTOP_OPT__END,
};
/* Entries of `brick do`'s option table (core/opts.h). */
/* clang-format off */
#define DESKTOP_LONG_OPTIONS \
    {NULL, 0, NULL, 0, NULL, "Desktop (docs/DESKTOP.md):", NULL}, \
    {"x11", optional_argument, NULL, DESKTOP_OPT_X11, "untrusted", "this X display only: its socket and " \
     "its cookie (untrusted: a cookie of the X SECURITY extension, no access to other clients)", \
     "words:untrusted none"}, \
    {"wayland", no_argument, NULL, DESKTOP_OPT_WAYLAND, NULL, \
     "the Wayland compositor's socket, in a private XDG_RUNTIME_DIR", NULL}, \
    {"gui", no_argument, NULL, DESKTOP_OPT_GUI, NULL, "--wayland when a compositor runs, else --x11", NULL}, \
    {"audio", optional_argument, NULL, DESKTOP_OPT_AUDIO, "devices|auto", "the PulseAudio/PipeWire socket " \
     "(shm off); =devices adds /dev/snd, =auto only a note when no sound server runs", "words:devices auto none"}, \
    {"gpu", optional_argument, NULL, DESKTOP_OPT_GPU, "auto", "/dev/dri render nodes (+ NVIDIA nodes and " \
     "libraries); =auto only a note when there is no GPU", "words:auto none"}, \
    {"device", required_argument, NULL, DESKTOP_OPT_DEVICE, "HOST[:PATH][:rwm]", \
     "a device node (or a directory of them)", BRICK_COMPLETE_FILE}, \
    {"group-add", required_argument, NULL, DESKTOP_OPT_GROUP_ADD, "GID", "an additional group", NULL}, \
    {"shm-size", required_argument, NULL, DESKTOP_OPT_SHM_SIZE, "SIZE", \
     "size of the private /dev/shm (default 64m)", NULL}, \
    {"die-with-parent", no_argument, NULL, DESKTOP_OPT_DIE_WITH_PARENT, NULL, \
     "kill the container when this 'brick do' dies", NULL}, \
    {"allow-nested-ns", no_argument, NULL, DESKTOP_OPT_NESTED_NS, NULL, \
     "let the app create namespaces (browser sandboxes)", NULL}, \
    {"profile", required_argument, NULL, DESKTOP_OPT_PROFILE, "NAME", \
     "a preset of flags, shipped or the user's ('--profile help' lists them); what a profile asks for and the " \
     "host lacks (sound, GPU, Wayland, a device) is left out with one note; a later flag overrides the " \
     "profile's, --no-FLAG turns a profile's flag off (--x11, --audio, --gpu: also =none)", \
     BRICK_COMPLETE_PROFILE}, \
    COMPOSE_NO_OPTION("x11", DESKTOP_OPT_X11), COMPOSE_NO_OPTION("wayland", DESKTOP_OPT_WAYLAND), \
    COMPOSE_NO_OPTION("gui", DESKTOP_OPT_GUI), COMPOSE_NO_OPTION("audio", DESKTOP_OPT_AUDIO), \
    COMPOSE_NO_OPTION("gpu", DESKTOP_OPT_GPU), COMPOSE_NO_OPTION("die-with-parent", DESKTOP_OPT_DIE_WITH_PARENT), \
    COMPOSE_NO_OPTION("allow-nested-ns", DESKTOP_OPT_NESTED_NS)
/* clang-format on */

/* Step 1. The option code, its argument (NULL when none), the profile the
 * flag comes from (NULL: the caller's own, see struct compose_desktop). */
int desktop_parse_flag(int code, const char *arg, const char *profile, struct compose_opts *o,
                       struct brick_error *err);
/* Flag combinations desktop refuses (after every flag is read). */
int desktop_check(const struct compose_opts *o, struct brick_error *err);
void desktop_free(struct compose_desktop *d);

/* Plan builders (pure; used by desktop_resolve() and the unit tests). */
void desktop_add_mount(struct compose_desktop *d, const char *dst, const char *type, const char *src,
                       const char *const *options);
void desktop_add_env(struct compose_desktop *d, const char *key, const char *value);
void desktop_add_group(struct compose_desktop *d, uint32_t gid);
/* Parse "HOST[:INSIDE][:rwm]". */
int desktop_parse_device(const char *s, struct desktop_device_req *ret, struct brick_error *err);
/* ":0", ":0.1", "unix:3" -> 0, 0, 3; -EINVAL for a remote or malformed DISPLAY. */
int desktop_display_number(const char *display, unsigned *ret);

/* Step 3: edit the spec compose_build() made (mounts, env, devices, groups,
 * /dev/shm size, seccomp). No-op without desktop flags. */
int desktop_apply(const struct compose_opts *o, struct bjson *spec, struct brick_error *err);

/* --- Xauthority (desktop_xauth.c, pure) --- */
struct xauth_entry {
    uint16_t family;
    char *address, *number, *name; /* address may hold binary bytes: use address_len */
    size_t address_len;
    uint8_t *data;
    size_t data_len;
};
#define XAUTH_FAMILY_LOCAL 256
#define XAUTH_FAMILY_WILD 65535
int xauth_parse(const uint8_t *buf, size_t len, struct xauth_entry **ret, size_t *ret_n);
/* The entries a client of display NUMBER on this machine could use (family
 * Local or Wild, that number), rewritten as Wild (any hostname: the
 * container's differs from the host's) and without duplicates. */
size_t xauth_filter_display(const struct xauth_entry *in, size_t n, unsigned number,
                            struct xauth_entry **ret);
/* The binary file for entries; heap buffer. */
uint8_t *xauth_serialize(const struct xauth_entry *e, size_t n, size_t *ret_len);
void xauth_free(struct xauth_entry *e, size_t n);

/* --- the host (desktop_host.c) --- */
/* Step 2: fill the plan. dir is the host directory bound at DESKTOP_DIR_IN
 * (created here, 0700, owned by the container's user). */
int desktop_resolve(struct compose_opts *o, const char *dir, struct brick_error *err);
/* GPU detection under a prefix ("" for the host; a fake tree in the tests):
 * render nodes in PREFIX/dev/dri, NVIDIA nodes in PREFIX/dev, and with
 * with_libs, the NVIDIA driver's libraries and ICD files to bind read-only.
 * Returns the number of nodes found (0: no GPU; desktop_resolve decides). */
int desktop_gpu_scan(struct compose_desktop *d, const char *prefix, bool with_libs, struct brick_error *err);
/* A device path (a node, or a directory walked for nodes) -> devs. */
int desktop_add_device_path(struct compose_desktop *d, const char *host, const char *inside,
                            const char *access, struct brick_error *err);

/* --- profiles (desktop_profile.c) --- */
/* Replace every `--profile NAME` (before the command) by the flags of the
 * profile file. Returns 1 after printing the list for `--profile help`.
 * ret_origin (may be NULL): as long as *ret_argv, "" for the caller's own
 * words and the profile's name for its flags (compose_parse_origin). */
int desktop_profile_expand(int argc, char **argv, char ***ret_argv, char ***ret_origin,
                           struct brick_error *err);
/* Profile text -> flags ("gpu" -> "--gpu", "shm-size=1g" -> "--shm-size=1g"). */
int desktop_profile_parse(const char *text, const char *name, char ***ret_flags, char **ret_description,
                          struct brick_error *err);

/* --- the guard (desktop_guard.c) --- */
struct desktop_session {
    pid_t guard; /* 0: none */
    int pipe_w;  /* EOF without "done" tells the guard `brick do` died */
    char *dir;   /* /tmp/brick-desktop-XXXXXX */
};
/* Before the container exists: create the directory, start the guard,
 * resolve the plan, print the notes. No-op without desktop flags. */
int desktop_session_start(const char *root, struct compose_opts *o, struct desktop_session *s,
                          struct brick_error *err);
/* The container is running (-d) or gone (foreground): clean up and stop the
 * guard. */
void desktop_session_end(struct desktop_session *s);

/* In the state root: the note_once was shown to this user. */
#define DESKTOP_NOTED_STAMP ".noted-x11-abstract"

#endif
