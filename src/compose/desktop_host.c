/* desktop_host.c — step 2: look at the host and plan what the container gets.
 *
 * Every socket is bound alone, never its directory: a container given the X
 * display :1 sees /tmp/.X11-unix/X1 and nothing else there, one given the
 * compositor sees $XDG_RUNTIME_DIR/wayland-0 but not the rest of the user's
 * runtime directory (the session bus, the keyring, gpg-agent...). */
#include "compose/compose.h"
#include "compose/desktop.h"
#include "core/missing.h"
#include "core/cleanup.h"
#include "core/error.h"
#include "core/fd.h"
#include "core/log.h"
#include "core/strv.h"
#include "core/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *const bind_ro[] = {"bind", "rprivate", "ro", "nosuid", "nodev", NULL};

/* The user the container runs as, inside and as the host sees it. */
struct who {
    uint32_t uid, gid;           /* inside */
    uint32_t host_uid, host_gid; /* owner of the files we write */
    char *runtime_dir;           /* /run/user/<uid> inside */
};

static void who_init(const struct compose_opts *o, struct who *w)
{
    w->uid = o->has_user ? o->uid : o->caller ? o->caller->uid : 0;
    w->gid = o->has_user ? o->gid : o->caller ? o->caller->gid : 0;
    uint32_t shift = o->ns[OCI_NS_USER].mode == NS_MODE_NEW ? DESKTOP_USERNS_BASE : 0;
    w->host_uid = w->uid + shift;
    w->host_gid = w->gid + shift;
    if (o->caller) { /* unprivileged: what we write is ours, and mapped (build.c) */
        w->host_uid = o->caller->uid;
        w->host_gid = o->caller->gid;
    }
    w->runtime_dir = xasprintf("/run/user/%u", w->uid);
}

static int check_socket(const char *path, const char *flag, struct brick_error *err)
{
    struct stat st;
    if (stat(path, &st) < 0)
        return brick_err_errno(err, errno, "%s: %s", flag, path);
    if (!S_ISSOCK(st.st_mode))
        return brick_err(err, EINVAL, "%s: %s is not a socket", flag, path);
    return 0;
}

/* A new file in our directory, owned by the container's user. */
static int write_private(int dfd, const char *name, const void *buf, size_t len, mode_t mode,
                         const struct who *w, struct brick_error *err)
{
    (void)unlinkat(dfd, name, 0);
    _cleanup_close_ int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd < 0)
        return brick_err_errno(err, errno, "create %s", name);
    int r = write_all(fd, buf, len);
    if (r < 0)
        return brick_err_errno(err, -r, "write %s", name);
    if (fchown(fd, w->host_uid, w->host_gid) < 0 && errno != EPERM)
        return brick_err_errno(err, errno, "chown %s", name);
    return 0;
}

/* The private XDG_RUNTIME_DIR, once, when a socket goes there. */
static void runtime_dir(struct compose_desktop *d, const struct who *w)
{
    for (size_t i = 0; i < d->n_mounts; i++)
        if (streq(d->mounts[i].dst, w->runtime_dir))
            return;
    _cleanup_free_ char *uid = xasprintf("uid=%u", w->uid), *gid = xasprintf("gid=%u", w->gid);
    const char *opts[] = {"nosuid", "nodev", "noexec", "mode=0700", uid, gid, NULL};
    desktop_add_mount(d, w->runtime_dir, "tmpfs", "tmpfs", opts);
    desktop_add_env(d, "XDG_RUNTIME_DIR", w->runtime_dir);
}

/* --- X11 --- */

static int run_xauth_generate(const char *display, const char *out, struct brick_error *err)
{
    pid_t pid = fork();
    if (pid < 0)
        return brick_err_errno(err, errno, "fork");
    if (pid == 0) {
        int nul = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (nul >= 0) {
            dup2(nul, 0);
            dup2(nul, 1);
        }
        execlp("xauth", "xauth", "-q", "-f", out, "generate", display, ".", "untrusted", "timeout", "0",
               (char *)NULL);
        _exit(127);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return brick_err_errno(err, errno, "waitpid");
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        return brick_err(err, EIO,
                         "--x11=untrusted: 'xauth generate %s . untrusted' failed (%s %d): is "
                         "xauth installed and does the server have the SECURITY extension?",
                         display, WIFEXITED(st) ? "exit" : "signal",
                         WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
    return 0;
}

static char *xauthority_path(void)
{
    const char *x = getenv("XAUTHORITY");
    if (x && *x)
        return xstrdup(x);
    const char *home = getenv("HOME");
    return home ? xasprintf("%s/.Xauthority", home) : NULL;
}

/* The cookies of this display only -> <dir>/Xauthority. Returns the number of entries. */
static int x11_cookie(struct compose_desktop *d, int dfd, const char *dir, const char *display, unsigned num,
                      const struct who *w, struct brick_error *err)
{
    _cleanup_free_ char *src = NULL;
    bool untrusted = d->x11 == DESKTOP_X11_UNTRUSTED;
    if (untrusted) {
        src = xasprintf("%s/untrusted.xauth", dir);
        int r = write_private(dfd, "untrusted.xauth", "", 0, 0600, w, err); /* xauth: "does not exist" */
        if (r >= 0)
            r = run_xauth_generate(display, src, err);
        if (r < 0)
            return r;
    } else {
        src = xauthority_path();
    }
    _cleanup_free_ char *buf = NULL;
    size_t len = 0;
    int r = src ? read_file_at(AT_FDCWD, src, BRICK_READ_STATE, &buf, &len) : -ENOENT;
    if (untrusted) {
        (void)unlinkat(dfd, "untrusted.xauth", 0);
        (void)unlinkat(dfd, "untrusted.xauth-c", 0);
        (void)unlinkat(dfd, "untrusted.xauth-l", 0);
    }
    /* $XAUTHORITY named by the user and wrong: said, once; without a cookie
     * the app still reaches a server that does not check them. The default
     * ~/.Xauthority may well be missing (a display without access control). */
    const char *named = getenv("XAUTHORITY");
    bool user_named = !untrusted && named && *named;
    if (user_named && r < 0) {
        log_warn("--x11: XAUTHORITY=%s: %s; the container gets no cookie for :%u", named, strerror(-r), num);
        return 0;
    }
    if (r == -ENOENT && !untrusted)
        return 0; /* a display without access control needs no cookie */
    if (r < 0)
        return brick_err_errno(err, -r, "--x11: read %s", src);
    struct xauth_entry *all = NULL, *mine = NULL;
    size_t n = 0;
    if (xauth_parse((const uint8_t *)buf, len, &all, &n) < 0) {
        if (user_named) {
            log_warn("--x11: XAUTHORITY=%s is not an Xauthority file; the container gets no cookie for :%u",
                     named, num);
            return 0;
        }
        return brick_err(err, EINVAL, "--x11: %s is not an Xauthority file", src);
    }
    size_t k = xauth_filter_display(all, n, num, &mine);
    xauth_free(all, n);
    if (k == 0) {
        xauth_free(mine, k);
        if (untrusted)
            return brick_err(err, EIO, "--x11=untrusted: xauth wrote no cookie for display :%u", num);
        return 0;
    }
    size_t out_len;
    _cleanup_free_ uint8_t *out = xauth_serialize(mine, k, &out_len);
    xauth_free(mine, k);
    r = write_private(dfd, "Xauthority", out, out_len, 0600, w, err);
    return r < 0 ? r : (int)k;
}

/* Is the server listening on the abstract socket too (Xorg and Xvfb do by
 * default)? Abstract sockets belong to a network namespace, not a path. */
static bool abstract_x_socket(unsigned num)
{
    _cleanup_free_ char *want = xasprintf(" @/tmp/.X11-unix/X%u\n", num);
    _cleanup_free_ char *text = NULL;
    if (read_file_at(AT_FDCWD, "/proc/net/unix", BRICK_READ_CONFIG, &text, NULL) < 0)
        return false;
    return strstr(text, want) != NULL;
}

/* Does a server accept connections on the socket file? A connection
 * closed before the X handshake is a client that gave up, nothing more. */
static bool x_server_answers(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof(sa.sun_path))
        return true; /* let the bind fail with its own words */
    strcpy(sa.sun_path, path);
    _cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return true;
    int r;
    while ((r = connect(fd, (struct sockaddr *)&sa, sizeof(sa))) < 0 && errno == EINTR)
        ;
    return r == 0 || (errno != ECONNREFUSED && errno != ENOENT);
}

static int plan_x11(struct compose_opts *o, int dfd, const char *dir, const struct who *w,
                    struct brick_error *err)
{
    struct compose_desktop *d = o->desktop;
    const char *display = getenv("DISPLAY");
    unsigned num;
    if (!display || !*display)
        return brick_err(err, EINVAL, "--x11: DISPLAY is not set");
    if (desktop_display_number(display, &num) < 0)
        return brick_err(err, EINVAL, "--x11: DISPLAY=%s: only a local display (:N) can be shared", display);
    _cleanup_free_ char *sock = xasprintf("/tmp/.X11-unix/X%u", num);
    bool host_net = o->ns[OCI_NS_NETWORK].mode == NS_MODE_HOST;
    bool has_file = access(sock, F_OK) == 0;
    if (!has_file && !abstract_x_socket(num))
        return brick_err(err, ENOENT, "--x11: no X server on :%u (no socket %s, abstract or not)", num, sock);
    if (!has_file && !host_net)
        return brick_err(err, ENOENT,
                         "--x11: display :%u has no socket file %s; its abstract socket "
                         "@%s cannot be reached from the container's own network namespace (start the "
                         "server with '-listen unix', or accept every display with --net host)",
                         num, sock, sock);
    int r = check_socket(sock, "--x11", err);
    if (r >= 0 && !x_server_answers(sock))
        r = brick_err(err, ECONNREFUSED,
                      "--x11: no X server on :%u (%s refuses connections: left by a "
                      "server that is gone?)",
                      num, sock);
    if (r < 0)
        return r;
    static const char *const x_dir[] = {"nosuid", "nodev", "noexec", "mode=1777", "size=64k", NULL};
    desktop_add_mount(d, "/tmp/.X11-unix", "tmpfs", "tmpfs", x_dir);
    desktop_add_mount(d, sock, "bind", sock, bind_ro);
    _cleanup_free_ char *disp = xasprintf(":%u", num);
    r = x11_cookie(d, dfd, dir, disp, num, w, err);
    if (r < 0)
        return r;
    /* The host's root is the container's, read-only: the user's full
     * Xauthority (every display's cookie) would be readable where it lies. */
    _cleanup_free_ char *full = xauthority_path();
    if (full && full[0] == '/' && !o->rootfs && access(full, F_OK) == 0)
        strv_push(&d->masked, full);
    desktop_add_env(d, "DISPLAY", disp);
    if (r > 0) {
        _cleanup_free_ char *file = xasprintf("%s/Xauthority", dir);
        desktop_add_mount(d, DESKTOP_DIR_IN "/Xauthority", "bind", file, bind_ro);
        desktop_add_env(d, "XAUTHORITY", DESKTOP_DIR_IN "/Xauthority");
    }
    if (o->ns[OCI_NS_IPC].mode != NS_MODE_HOST) {
        /* MIT-SHM needs the server's IPC namespace (--ipc host); tell the
         * toolkits that ask before they fail. */
        desktop_add_env(d, "QT_X11_NO_MITSHM", "1");
        desktop_add_env(d, "_X11_NO_MITSHM", "1");
        desktop_add_env(d, "_MITSHM", "0");
    }
    if (host_net)
        strv_push_take(
            &d->notes,
            xasprintf("--x11 with --net host: the container can reach every X "
                      "server's abstract socket (@/tmp/.X11-unix/X*); only their cookies protect them"));
    else if (abstract_x_socket(num))
        d->note_once =
            xasprintf("--x11: display :%u also listens on the abstract socket @%s; the container's "
                      "own network namespace keeps it, and every other display's, out of reach (said "
                      "once)",
                      num, sock);
    return 0;
}

/* A wish the host cannot grant (struct compose_desktop): told in one note. */
static void left_out(struct compose_desktop *d, char *what, const char *flag)
{
    strv_push_take(&d->left_out, what);
    if (flag)
        strv_push(&d->left_out_flags, flag);
}

/* --- Wayland, audio --- */

static int plan_wayland(struct compose_desktop *d, const struct who *w, struct brick_error *err)
{
    const char *name = getenv("WAYLAND_DISPLAY"), *xdg = getenv("XDG_RUNTIME_DIR");
    if (!name || !*name)
        name = "wayland-0";
    _cleanup_free_ char *sock = NULL;
    if (name[0] == '/')
        sock = xstrdup(name);
    else if (xdg && xdg[0] == '/')
        sock = xasprintf("%s/%s", xdg, name);
    else
        return brick_err(err, EINVAL, "--wayland: XDG_RUNTIME_DIR is not set");
    int r = check_socket(sock, "--wayland", err);
    if (r < 0)
        return r;
    const char *base = strrchr(sock, '/') + 1;
    _cleanup_free_ char *dst = xasprintf("%s/%s", w->runtime_dir, base);
    runtime_dir(d, w);
    desktop_add_mount(d, dst, "bind", sock, bind_ro);
    desktop_add_env(d, "WAYLAND_DISPLAY", base);
    desktop_add_env(d, "XDG_SESSION_TYPE", "wayland");
    return 0;
}

static bool wayland_available(void)
{
    const char *name = getenv("WAYLAND_DISPLAY"), *xdg = getenv("XDG_RUNTIME_DIR");
    if (!name || !*name)
        return false;
    _cleanup_free_ char *sock = name[0] == '/' ? xstrdup(name) : xdg ? xasprintf("%s/%s", xdg, name) : NULL;
    struct stat st;
    return sock && stat(sock, &st) == 0 && S_ISSOCK(st.st_mode);
}

/* --audio=devices: /dev/snd, left out when wished for and missing. */
static int sound_devices(struct compose_desktop *d, struct brick_error *err)
{
    if (d->audio_auto && access("/dev/snd", F_OK) < 0 && errno == ENOENT) {
        left_out(d, xstrdup("/dev/snd (missing)"), NULL);
        return 0;
    }
    return desktop_add_device_path(d, "/dev/snd", "/dev/snd", "rwm", err);
}

static int plan_audio(struct compose_desktop *d, int dfd, const char *dir, const struct who *w,
                      struct brick_error *err)
{
    const char *server = getenv("PULSE_SERVER"), *xdg = getenv("XDG_RUNTIME_DIR");
    _cleanup_free_ char *sock = NULL;
    if (server && startswith(server, "unix:/"))
        sock = xstrdup(server + 5);
    else if (xdg && xdg[0] == '/')
        sock = xasprintf("%s/pulse/native", xdg);
    else if (!d->audio_auto)
        return brick_err(err, EINVAL, "--audio: neither PULSE_SERVER=unix:/PATH nor XDG_RUNTIME_DIR is set");
    /* a wish (=auto, a profile's): a browser or a player is still useful
     * without sound, as an app is without a GPU; the caller's --audio is refused */
    int r = sock ? check_socket(sock, "--audio (PulseAudio or pipewire-pulse)", err) : -ENOENT;
    if (r == -ENOENT && d->audio_auto) {
        left_out(d,
                 sock ? xasprintf("sound (no sound server at %s)", sock)
                      : xstrdup("sound (no PULSE_SERVER, no XDG_RUNTIME_DIR)"),
                 "--no-audio");
        return d->sound_devices ? sound_devices(d, err) : 0;
    }
    if (r < 0)
        return r;
    /* shm off: the server would otherwise map memfds the client passes, and
     * a private /dev/shm and IPC namespace break the older posix-shm path. */
    static const char conf[] = "# written by brick do --audio\nenable-shm = no\nenable-memfd = no\n"
                               "autospawn = no\n";
    r = write_private(dfd, "pulse-client.conf", conf, sizeof(conf) - 1, 0644, w, err);
    if (r < 0)
        return r;
    _cleanup_free_ char *dst = xasprintf("%s/pulse/native", w->runtime_dir);
    _cleanup_free_ char *env = xasprintf("unix:%s", dst);
    _cleanup_free_ char *file = xasprintf("%s/pulse-client.conf", dir);
    runtime_dir(d, w);
    desktop_add_mount(d, dst, "bind", sock, bind_ro);
    desktop_add_mount(d, DESKTOP_DIR_IN "/pulse-client.conf", "bind", file, bind_ro);
    desktop_add_env(d, "PULSE_SERVER", env);
    desktop_add_env(d, "PULSE_CLIENTCONFIG", DESKTOP_DIR_IN "/pulse-client.conf");
    if (d->sound_devices)
        return sound_devices(d, err);
    return 0;
}

/* --- devices and GPUs --- */

static void add_dev(struct compose_desktop *d, const char *inside, const struct stat *st, const char *access)
{
    for (size_t i = 0; i < d->n_devs; i++)
        if (streq(d->devs[i].path, inside))
            return;
    d->devs = xrealloc(d->devs, (d->n_devs + 1) * sizeof(*d->devs));
    struct desktop_dev *v = &d->devs[d->n_devs++];
    *v = (struct desktop_dev){
        .path = xstrdup(inside),
        .type = S_ISBLK(st->st_mode) ? 'b' : 'c',
        .major = major(st->st_rdev),
        .minor = minor(st->st_rdev),
        .mode = st->st_mode & 07777,
        .uid = st->st_uid,
        .gid = st->st_gid,
    };
    snprintf(v->access, sizeof(v->access), "%s", access);
    /* the node's group (video, render, audio): a non-root user needs it */
    if (st->st_gid != 0)
        desktop_add_group(d, st->st_gid);
}

static int walk_devices(struct compose_desktop *d, const char *host, const char *inside, const char *access,
                        int depth, struct brick_error *err)
{
    _cleanup_closedir_ DIR *dir = opendir(host);
    if (!dir)
        return brick_err_errno(err, errno, "--device %s", host);
    struct dirent *e;
    while ((e = readdir(dir))) {
        if (streq(e->d_name, ".") || streq(e->d_name, ".."))
            continue;
        _cleanup_free_ char *h = xasprintf("%s/%s", host, e->d_name);
        _cleanup_free_ char *in = xasprintf("%s/%s", inside, e->d_name);
        struct stat st;
        if (lstat(h, &st) < 0) /* symlinks (by-path/) would only repeat nodes */
            continue;
        if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
            add_dev(d, in, &st, access);
        else if (S_ISDIR(st.st_mode) && depth < 4) {
            int r = walk_devices(d, h, in, access, depth + 1, err);
            if (r < 0)
                return r;
        }
    }
    return 0;
}

int desktop_add_device_path(struct compose_desktop *d, const char *host, const char *inside,
                            const char *access, struct brick_error *err)
{
    struct stat st;
    if (stat(host, &st) < 0)
        return brick_err_errno(err, errno, "--device %s", host);
    if (S_ISDIR(st.st_mode))
        return walk_devices(d, host, inside, access, 0, err);
    if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
        return brick_err(err, EINVAL, "--device %s: not a device node or a directory", host);
    add_dev(d, inside, &st, access);
    return 0;
}

static bool name_has_prefix(const char *name, const char *const *prefixes)
{
    for (; *prefixes; prefixes++)
        if (startswith(name, *prefixes))
            return true;
    return false;
}

/* Every char node in PREFIX/DIR whose name starts with one of prefixes. */
static int scan_nodes(struct compose_desktop *d, const char *prefix, const char *dir,
                      const char *const *prefixes, size_t *found)
{
    _cleanup_free_ char *host_dir = xasprintf("%s%s", prefix, dir);
    _cleanup_closedir_ DIR *dh = opendir(host_dir);
    if (!dh)
        return 0;
    struct dirent *e;
    while ((e = readdir(dh))) {
        if (!name_has_prefix(e->d_name, prefixes))
            continue;
        _cleanup_free_ char *h = xasprintf("%s/%s", host_dir, e->d_name);
        _cleanup_free_ char *in = xasprintf("%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(h, &st) == 0 && S_ISCHR(st.st_mode)) {
            add_dev(d, in, &st, "rwm");
            (*found)++;
        }
    }
    return 0;
}

/* The NVIDIA user-space driver: what libglvnd, Vulkan and CUDA load. */
static void scan_nvidia_libs(struct compose_desktop *d, const char *prefix)
{
    static const char *const lib_dirs[] = {"/usr/lib/x86_64-linux-gnu",
                                           "/usr/lib/aarch64-linux-gnu",
                                           "/usr/lib64",
                                           "/usr/lib",
                                           "/usr/lib/x86_64-linux-gnu/nvidia/current",
                                           NULL};
    static const char *const libs[] = {"libnvidia-",
                                       "libcuda.so",
                                       "libcudadebugger.so",
                                       "libGLX_nvidia.so",
                                       "libEGL_nvidia.so",
                                       "libGLESv2_nvidia.so",
                                       "libGLESv1_CM_nvidia.so",
                                       "libnvcuvid.so",
                                       "libnvoptix.so",
                                       NULL};
    static const char *const files[] = {"/usr/share/glvnd/egl_vendor.d/10_nvidia.json",
                                        "/usr/share/vulkan/icd.d/nvidia_icd.json",
                                        "/etc/vulkan/icd.d/nvidia_icd.json", "/usr/bin/nvidia-smi", NULL};
    for (const char *const *ld = lib_dirs; *ld; ld++) {
        _cleanup_free_ char *host_dir = xasprintf("%s%s", prefix, *ld);
        _cleanup_closedir_ DIR *dh = opendir(host_dir);
        struct dirent *e;
        while (dh && (e = readdir(dh))) {
            if (!name_has_prefix(e->d_name, libs))
                continue;
            _cleanup_free_ char *h = xasprintf("%s/%s", host_dir, e->d_name);
            _cleanup_free_ char *in = xasprintf("%s/%s", *ld, e->d_name);
            struct stat st;
            if (stat(h, &st) == 0 && S_ISREG(st.st_mode))
                desktop_add_mount(d, in, "bind", h, bind_ro);
        }
    }
    for (const char *const *f = files; *f; f++) {
        _cleanup_free_ char *h = xasprintf("%s%s", prefix, *f);
        struct stat st;
        if (stat(h, &st) == 0 && S_ISREG(st.st_mode))
            desktop_add_mount(d, *f, "bind", h, bind_ro);
    }
}

int desktop_gpu_scan(struct compose_desktop *d, const char *prefix, bool with_libs, struct brick_error *err)
{
    static const char *const render[] = {"renderD", NULL};
    static const char *const nvidia[] = {"nvidia", NULL};
    size_t n_render = 0, n_nvidia = 0;
    scan_nodes(d, prefix, "/dev/dri", render, &n_render);
    scan_nodes(d, prefix, "/dev", nvidia, &n_nvidia);
    scan_nodes(d, prefix, "/dev/nvidia-caps", nvidia, &n_nvidia);
    /* With the host's root the libraries are there already, read-only. */
    if (n_nvidia && with_libs)
        scan_nvidia_libs(d, prefix);
    (void)err;
    return (int)(n_render + n_nvidia);
}

/* --gpu: a GPU asked for by the caller must be there; a wish (a profile's,
 * =auto) falls back to software rendering, said in the one note. */
static int plan_gpu(struct compose_opts *o, struct brick_error *err)
{
    struct compose_desktop *d = o->desktop;
    int n = desktop_gpu_scan(d, "", o->rootfs != NULL, err);
    if (n != 0)
        return n < 0 ? n : 0;
    if (!d->gpu_auto)
        return brick_err(err, ENODEV,
                         "--gpu: no GPU on this host (no /dev/dri/renderD*, no /dev/nvidia*); "
                         "without --gpu the app renders in software (--gpu=auto: a GPU when there is one)");
    left_out(d, xstrdup("a GPU (no /dev/dri/renderD*, no /dev/nvidia*: software rendering)"), "--no-gpu");
    return 0;
}

/* A profile's --device: a node this host lacks (a webcam) is left out. */
static int plan_devices(struct compose_desktop *d, struct brick_error *err)
{
    for (size_t i = 0; i < d->n_dev_reqs; i++) {
        const struct desktop_device_req *q = &d->dev_reqs[i];
        struct stat st;
        if (q->optional && stat(q->host, &st) < 0 && errno == ENOENT) {
            left_out(d, xasprintf("%s (missing)", q->host), NULL);
            continue;
        }
        int r = desktop_add_device_path(d, q->host, q->inside, q->access, err);
        if (r < 0)
            return r;
    }
    return 0;
}

/* Which display: --gui picks Wayland when a compositor runs, else X11; a
 * profile's --wayland falls back to X11 the same way, said in the note. */
static int pick_display(struct compose_desktop *d, struct brick_error *err)
{
    const char *display = getenv("DISPLAY");
    bool have_x = display && *display;
    if (d->gui && !d->x11 && !d->wayland) {
        if (wayland_available())
            d->wayland = true;
        else if (have_x)
            d->x11 = DESKTOP_X11_TRUSTED;
        else
            return brick_err(err, ENOENT,
                             "--gui: no display: neither a Wayland compositor (WAYLAND_DISPLAY "
                             "in XDG_RUNTIME_DIR) nor an X server (DISPLAY)");
    }
    if (d->wayland && d->wayland_auto && !wayland_available() && have_x) {
        d->wayland = false;
        d->x11 = DESKTOP_X11_TRUSTED;
        left_out(d, xstrdup("Wayland (no compositor: X11 instead)"), "--x11");
    }
    return 0;
}

int desktop_resolve(struct compose_opts *o, const char *dir, struct brick_error *err)
{
    struct compose_desktop *d = o->desktop;
    if (!d)
        return 0;
    struct who w;
    who_init(o, &w);
    _cleanup_free_ char *rdir = w.runtime_dir;
    _cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dfd < 0)
        return brick_err_errno(err, errno, "open %s", dir);
    int r = pick_display(d, err);
    if (r >= 0 && d->x11)
        r = plan_x11(o, dfd, dir, &w, err);
    if (r >= 0 && d->wayland)
        r = plan_wayland(d, &w, err);
    if (r >= 0 && d->audio)
        r = plan_audio(d, dfd, dir, &w, err);
    if (r >= 0 && d->gpu)
        r = plan_gpu(o, err);
    if (r >= 0)
        r = plan_devices(d, err);
    if (r < 0)
        return r;
    /* Files are bound one by one, not the directory: the guard unlinks them
     * once a detached container runs, and a bound file lives on. */
    if (fchown(dfd, w.host_uid, w.host_gid) < 0 && errno != EPERM)
        return brick_err_errno(err, errno, "chown %s", dir);
    return 0;
}
