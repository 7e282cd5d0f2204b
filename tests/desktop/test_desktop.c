/* test_desktop.c — desktop flags, the Xauthority filter, profiles, the spec
 * edits, and GPU detection against a fake /dev and /usr/lib tree. */
#include <brick/brick.h>

#include "compose/compose.h"
#include "compose/desktop.h"
#include "core/cleanup.h"
#include "core/strv.h"
#include "core/util.h"
#include "spec/json.h"
#include "../unit/tap.h"
#include "../unit/compose/parse.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

TEST(flags)
{
    struct compose_opts o;
    struct brick_error err;
    const char *a[] = {"--x11=untrusted",   "--audio", "--gpu",      "--device", "/dev/snd:/dev/snd:rw",
                       "--group-add",       "44",      "--shm-size", "1g",       "--die-with-parent",
                       "--allow-nested-ns", "--",      "app",        NULL};
    is_int(parse(&o, &err, a), 0, "desktop flags parse");
    ok(o.desktop && o.desktop->x11 == DESKTOP_X11_UNTRUSTED, "--x11=untrusted");
    ok(o.desktop->audio && o.desktop->gpu && o.desktop->die_with_parent && o.desktop->nested_ns, "booleans");
    is_int(o.desktop->n_dev_reqs, 1, "one --device");
    is_str(o.desktop->dev_reqs[0].access, "rw", "--device access");
    is_int(o.desktop->n_group_add, 1, "--group-add");
    is_int(o.desktop->shm_size, 1LL << 30, "--shm-size 1g");
    compose_opts_done(&o);

    const char *bad[][4] = {
        {"--x11=maybe", "app", NULL},
        {"--device", "dev/x", "app", NULL},
        {"--device", "/dev/x:rwx", "app", NULL},
        {"--group-add", "video", "app", NULL},
        {"--shm-size", "lots", "app", NULL},
        {"-d", "--die-with-parent", "app", NULL},
        {"--x11", "--wayland", "app", NULL},
        {"--profile", "browser", "app", NULL},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err.msg[0] = '\0';
        ok(parse(&o, &err, bad[i]) < 0 && err.msg[0], bad[i][0]);
        compose_opts_done(&o);
    }
    struct desktop_device_req r;
    is_int(desktop_parse_device("/dev/dri/renderD128", &r, &err), 0, "--device PATH");
    is_str(r.inside, "/dev/dri/renderD128", "inside = host");
    is_str(r.access, "rwm", "default access rwm");
    free(r.host), free(r.inside), free(r.access);
    is_int(desktop_parse_device("/dev/video0:/dev/video9", &r, &err), 0, "--device HOST:PATH");
    is_str(r.inside, "/dev/video9", "inside path");
    free(r.host), free(r.inside), free(r.access);
    is_int(desktop_parse_device("/dev/video0:r", &r, &err), 0, "--device HOST:ACCESS");
    is_str(r.access, "r", "access only");
    free(r.host), free(r.inside), free(r.access);
}

TEST(display)
{
    unsigned n = 99;
    ok(desktop_display_number(":0", &n) == 0 && n == 0, ":0");
    ok(desktop_display_number(":12.1", &n) == 0 && n == 12, ":12.1");
    ok(desktop_display_number("unix:3", &n) == 0 && n == 3, "unix:3");
    ok(desktop_display_number("host:0", &n) < 0, "host:0 is remote");
    ok(desktop_display_number(":x", &n) < 0, ":x");
    ok(desktop_display_number(NULL, &n) < 0, "unset");
}

/* One entry in the file format: family, address, number, name, data. */
static size_t put(uint8_t *p, uint16_t family, const char *addr, const char *num, const char *cookie)
{
    size_t k = 0;
    const char *fields[] = {addr, num, "MIT-MAGIC-COOKIE-1", cookie};
    p[k++] = (uint8_t)(family >> 8);
    p[k++] = (uint8_t)family;
    for (int i = 0; i < 4; i++) {
        size_t n = strlen(fields[i]);
        p[k++] = (uint8_t)(n >> 8);
        p[k++] = (uint8_t)n;
        memcpy(p + k, fields[i], n);
        k += n;
    }
    return k;
}

TEST(xauthority)
{
    uint8_t buf[512];
    size_t len = 0;
    len += put(buf + len, XAUTH_FAMILY_LOCAL, "myhost", "0", "cookie-zero-0000");
    len += put(buf + len, XAUTH_FAMILY_LOCAL, "myhost", "1", "cookie-one-11111");
    len += put(buf + len, 0 /* Internet */, "\x7f\x01\x01\x01", "1", "cookie-tcp-22222");
    len += put(buf + len, XAUTH_FAMILY_WILD, "", "1", "cookie-one-11111"); /* same cookie again */
    len += put(buf + len, XAUTH_FAMILY_LOCAL, "myhost", "10", "cookie-ten-33333");
    struct xauth_entry *all, *mine;
    size_t n;
    is_int(xauth_parse(buf, len, &all, &n), 0, "parse");
    is_int(n, 5, "five entries");
    is_str(all[1].number, "1", "number field");
    is_int(all[2].address_len, 4, "binary address kept with its length");
    size_t k = xauth_filter_display(all, n, 1, &mine);
    is_int(k, 1, "display 1: one cookie (tcp entry and duplicate dropped, :10 not matched)");
    is_int(mine[0].family, XAUTH_FAMILY_WILD, "rewritten as FamilyWild");
    ok(mine[0].data_len == 16 && memcmp(mine[0].data, "cookie-one-11111", 16) == 0, "the right cookie");
    size_t out_len;
    uint8_t *out = xauth_serialize(mine, k, &out_len);
    struct xauth_entry *back;
    size_t nb;
    ok(xauth_parse(out, out_len, &back, &nb) == 0 && nb == 1 &&
           strcmp(back[0].name, "MIT-MAGIC-COOKIE-1") == 0,
       "serialize round-trips");
    xauth_free(back, nb);
    free(out);
    xauth_free(mine, k);
    ok(xauth_filter_display(all, n, 7, &mine) == 0, "no entry for display 7");
    xauth_free(mine, 0);
    xauth_free(all, n);
    /* truncations anywhere are refused, never read past the end */
    int refused = 0;
    for (size_t cut = 1; cut < len; cut++) {
        size_t m;
        struct xauth_entry *e = NULL;
        int r = xauth_parse(buf, cut, &e, &m);
        if (r < 0)
            refused++;
        else
            xauth_free(e, m);
    }
    ok(refused >= (int)len - 1 - 4, "truncated files are refused");
}

TEST(profiles)
{
    char **flags = NULL, *desc = NULL;
    struct brick_error err;
    is_int(desktop_profile_parse("# c\ndescription=a browser\n\n  gpu \nshm-size=1g\nnet=host\n", "t", &flags,
                                 &desc, &err),
           0, "profile parses");
    is_str(desc, "a browser", "description");
    is_int(strv_length(flags), 3, "three flags");
    is_str(flags[0], "--gpu", "gpu -> --gpu");
    is_str(flags[1], "--shm-size=1g", "key=value -> --key=value");
    strv_free(flags), free(desc);
    ok(desktop_profile_parse("--gpu\n", "t", &flags, NULL, &err) < 0, "dashes refused");
    ok(desktop_profile_parse("profile=x\n", "t", &flags, NULL, &err) < 0, "nesting refused");

    /* expansion in place, later flags win; the source tree's profiles */
    setenv("XDG_CONFIG_HOME", "/nonexistent", 1);
    char *argv[] = {"do",  "--name", "n",        "--profile", "browser", "--net",
                    "new", "--",     "chromium", "--profile", "x",       NULL};
    char **x = NULL, **origin = NULL;
    is_int(desktop_profile_expand(11, argv, &x, &origin, &err), 0, "expand --profile browser");
    is_int(strv_length(origin), strv_length(x), "an origin per word");
    int i_net_host = -1, i_net_new = -1, n_profile = 0;
    for (int i = 0; x && x[i]; i++) {
        if (streq(x[i], "--net=host"))
            i_net_host = i;
        /* the caller's 9 words of 11 ("--profile browser" went) around the profile's flags */
        ok(streq(origin[i], i >= 3 && i < (int)strv_length(x) - 6 ? "browser" : ""), x[i]);
        if (streq(x[i], "new"))
            i_net_new = i;
        if (streq(x[i], "--profile"))
            n_profile++;
    }
    ok(i_net_host > 0 && i_net_new > i_net_host, "the profile's flags sit where --profile was");
    is_int(n_profile, 1, "the command's own --profile is left alone");
    struct compose_opts o;
    is_int(compose_parse_origin((int)strv_length(x), x, origin, &o, &err), 0, "expanded argv parses");
    ok(o.desktop && o.desktop->gpu && o.desktop->nested_ns && o.desktop->shm_size == 1LL << 30,
       "browser flags");
    ok(o.desktop->audio && o.desktop->audio_auto, "browser: sound when a server runs (a profile's wish)");
    ok(o.desktop->gpu_auto && o.desktop->die_auto,
       "browser: a GPU when there is one; die-with-parent a wish");
    is_int(o.ns[OCI_NS_NETWORK].mode, NS_MODE_NEW, "--net new after the profile wins");
    compose_opts_done(&o);
    strv_free(x);
    strv_free(origin);
    char *bad[] = {"do", "--profile", "../etc/passwd", "x", NULL};
    ok(desktop_profile_expand(4, bad, &x, NULL, &err) < 0, "path in a profile name refused");
    char *missing[] = {"do", "--profile", "nope", "x", NULL};
    ok(desktop_profile_expand(4, missing, &x, NULL, &err) < 0 && strstr(err.msg, "no profile"),
       "unknown profile");

    /* every shipped profile parses, and detached too (a profile's die-with-parent drops out) */
    static const char *const shipped[] = {"browser", "gui",  "media",  "x11-untrusted",
                                          "office",  "mail", "editor", "terminal"};
    for (size_t i = 0; i < sizeof(shipped) / sizeof(shipped[0]); i++) {
        char *av[] = {"do", "-d", "--profile", (char *)shipped[i], "app", NULL};
        err.msg[0] = '\0';
        int r = desktop_profile_expand(5, av, &x, &origin, &err);
        if (r == 0)
            r = compose_parse_origin((int)strv_length(x), x, origin, &o, &err);
        ok(r == 0 && o.detach && o.desktop, shipped[i]);
        if (r < 0)
            printf("# %s: %s\n", shipped[i], err.msg);
        compose_opts_done(&o);
        strv_free(x);
        strv_free(origin);
    }
}

/* a profile's argv: the profile's flags in the middle, the caller's around them */
static int parse_profiled(struct compose_opts *o, struct brick_error *err, const char *const *before,
                          const char *const *prof, const char *const *after)
{
    char *argv[32], *origin[32];
    int n = 0;
    argv[n] = (char *)"do", origin[n++] = (char *)"";
    for (; *before; before++)
        argv[n] = (char *)*before, origin[n++] = (char *)"";
    for (; *prof; prof++)
        argv[n] = (char *)*prof, origin[n++] = (char *)"p";
    for (; *after; after++)
        argv[n] = (char *)*after, origin[n++] = (char *)"";
    argv[n] = origin[n] = NULL;
    return compose_parse_origin(n, argv, origin, o, err);
}

/* --no-FLAG for every boolean flag, --FLAG=none, the last one wins; a
 * profile's flags are wishes, the caller's demands */
TEST(no_flags)
{
    struct compose_opts o;
    struct brick_error err;
    static const char *const none[] = {NULL};
    static const char *const prof[] = {"--gui",
                                       "--audio",
                                       "--gpu",
                                       "--die-with-parent",
                                       "--allow-nested-ns",
                                       "--wayland",
                                       "--device=/dev/video0",
                                       NULL};
    const char *off[] = {
        "--no-audio", "--no-gpu", "--no-die-with-parent", "--no-allow-nested-ns", "--no-gui", "--no-wayland",
        "app",        NULL};
    is_int(parse_profiled(&o, &err, none, prof, off), 0, "a profile's flags turned off");
    ok(!o.desktop->audio && !o.desktop->audio_auto && !o.desktop->gpu && !o.desktop->gpu_auto &&
           !o.desktop->die_with_parent && !o.desktop->nested_ns && !o.desktop->gui && !o.desktop->wayland,
       "every one of them off");
    ok(o.desktop->n_dev_reqs == 1 && o.desktop->dev_reqs[0].optional, "a profile's --device is a wish");
    compose_opts_done(&o);

    const char *wishes[] = {"app", NULL};
    is_int(parse_profiled(&o, &err, none, prof, wishes), 0, "the profile alone");
    ok(o.desktop->audio_auto && o.desktop->gpu_auto && o.desktop->wayland_auto && o.desktop->die_auto,
       "wishes");
    compose_opts_done(&o);
    const char *demands[] = {"--audio", "--gpu", "--x11", "app", NULL};
    is_int(parse_profiled(&o, &err, none, prof, demands), 0, "the caller's flags after the profile's");
    ok(o.desktop->audio && !o.desktop->audio_auto && o.desktop->gpu && !o.desktop->gpu_auto, "demands");
    ok(o.desktop->x11 == DESKTOP_X11_TRUSTED && !o.desktop->wayland,
       "the caller's --x11 replaces its --wayland");
    compose_opts_done(&o);
    const char *detached[] = {"-d", "app", NULL};
    is_int(parse_profiled(&o, &err, none, prof, detached), 0, "-d with a profile's --die-with-parent");
    compose_opts_done(&o);
    const char *before[] = {"--audio", NULL};
    is_int(parse_profiled(&o, &err, before, prof, wishes), 0, "the caller's flag before the profile");
    ok(o.desktop->audio_auto, "the profile's, later, wins");
    compose_opts_done(&o);

    const char *nones[] = {"--x11",        "--audio=devices", "--gpu", "--x11=none",
                           "--audio=none", "--gpu=none",      "app",   NULL};
    is_int(parse(&o, &err, nones), 0, "--FLAG=none");
    ok(!o.desktop->x11 && !o.desktop->audio && !o.desktop->sound_devices && !o.desktop->gpu, "=none: off");
    compose_opts_done(&o);
    const char *again[] = {"--no-audio", "--audio", "--gpu=auto", "app", NULL};
    is_int(parse(&o, &err, again), 0, "--no-audio --audio");
    ok(o.desktop->audio && !o.desktop->audio_auto && o.desktop->gpu_auto,
       "the last one wins; --gpu=auto a wish");
    compose_opts_done(&o);
    const char *lone[] = {"--no-gpu", "app", NULL};
    is_int(parse(&o, &err, lone), 0, "--no-gpu alone");
    ok(o.desktop == NULL, "nothing of the desktop asked for");
    compose_opts_done(&o);
    const char *compose[] = {
        "-dt",         "--rm",     "--keep",  "--read-only", "--host-secrets", "--no-init",
        "--no-detach", "--no-tty", "--no-rm", "--no-keep",   "--no-read-only", "--no-host-secrets",
        "--init",      "app",      NULL};
    is_int(parse(&o, &err, compose), 0, "compose's booleans on and off");
    ok(!o.detach && !o.tty && !o.rm && !o.keep && !o.read_only && !o.host_secrets && !o.no_init, "all off");
    compose_opts_done(&o);
    const char *strict[] = {"-d", "--die-with-parent", "app", NULL};
    ok(parse(&o, &err, strict) < 0 && strstr(err.msg, "detached"),
       "the caller's -d --die-with-parent refused");
    compose_opts_done(&o);
    const char *badnone[] = {"--gpu=lots", "app", NULL};
    ok(parse(&o, &err, badnone) < 0 && strstr(err.msg, "--gpu=none"), "--gpu=lots refused");
    compose_opts_done(&o);

    /* every boolean flag has its --no-FLAG, and every --no-FLAG parses */
    const struct option *opts = compose_long_options();
    for (size_t i = 0; opts[i].name; i++) {
        const char *n = opts[i].name;
        if (opts[i].has_arg == required_argument || streq(n, "help") || (opts[i].val & COMPOSE_OPT_NO))
            continue;
        char want[80];
        snprintf(want, sizeof(want), startswith(n, "no-") ? "%s" : "no-%s", startswith(n, "no-") ? n + 3 : n);
        bool found = false;
        for (size_t j = 0; opts[j].name; j++)
            found |= streq(opts[j].name, want) && opts[j].val == (COMPOSE_OPT_NO | opts[i].val);
        ok(found, n);
    }
    for (size_t i = 0; opts[i].name; i++) {
        if (!(opts[i].val & COMPOSE_OPT_NO))
            continue;
        char flag[80];
        snprintf(flag, sizeof(flag), "--%s", opts[i].name);
        const char *a[] = {flag, "app", NULL};
        ok(parse(&o, &err, a) == 0, flag);
        compose_opts_done(&o);
    }
}

static bjson *find_mount(bjson *spec, const char *dst)
{
    bjson *m = bjson_get(spec, "mounts");
    for (size_t i = 0; i < bjson_array_len(m); i++)
        if (streq(bjson_string(bjson_get(bjson_array_get(m, i), "destination")), dst))
            return bjson_array_get(m, i);
    return NULL;
}

TEST(apply)
{
    struct compose_opts o;
    struct brick_error err;
    const char *a[] = {"-e", "DISPLAY=:9", "--shm-size", "1g", "--allow-nested-ns", "app", NULL};
    is_int(parse(&o, &err, a), 0, "parse");
    struct compose_desktop *d = o.desktop;
    desktop_add_mount(d, "/tmp/.X11-unix", "tmpfs", "tmpfs", NULL);
    static const char *const ro[] = {"bind", "ro", NULL};
    desktop_add_mount(d, "/tmp/.X11-unix/X5", "bind", "/tmp/.X11-unix/X5", ro);
    desktop_add_env(d, "DISPLAY", ":5");
    desktop_add_env(d, "XAUTHORITY", DESKTOP_DIR_IN "/Xauthority");
    d->devs = xcalloc(1, sizeof(*d->devs));
    d->devs[0] = (struct desktop_dev){.path = xstrdup("/dev/dri/renderD128"),
                                      .type = 'c',
                                      .major = 226,
                                      .minor = 128,
                                      .mode = 0660,
                                      .gid = 993,
                                      .access = "rw"};
    d->n_devs = 1;
    desktop_add_group(d, 993);
    char *json = NULL;
    is_int(compose_build(&o, &json, &err), 0, "build with a desktop plan (validated by the spec parser)");
    bjson *s = NULL;
    bjson_parse(json, strlen(json), &s, &err);
    ok(find_mount(s, "/tmp/.X11-unix/X5") != NULL, "socket bind");
    bjson *shm = find_mount(s, "/dev/shm");
    char *opts = bjson_to_string(bjson_get(shm, "options"), false);
    ok(strstr(opts, "size=1048576k") != NULL, "/dev/shm sized");
    free(opts);
    char *env = bjson_to_string(bjson_get(bjson_get(s, "process"), "env"), false);
    ok(strstr(env, "DISPLAY=:9") && !strstr(env, "DISPLAY=:5"), "the user's -e wins over the desktop's");
    ok(strstr(env, "XAUTHORITY=/run/brick-desktop/Xauthority") != NULL, "XAUTHORITY");
    free(env);
    bjson *l = bjson_get(s, "linux");
    bjson *dev = bjson_array_get(bjson_get(l, "devices"), 0);
    is_str(bjson_string(bjson_get(dev, "path")), "/dev/dri/renderD128", "linux.devices");
    bjson *rules = bjson_get(bjson_get(l, "resources"), "devices");
    is_int(bjson_array_len(rules), 2, "deny-all + one allow rule");
    ok(bjson_bool(bjson_get(bjson_array_get(rules, 1), "allow")), "allow rule after deny-all");
    is_str(bjson_string(bjson_get(bjson_array_get(rules, 1), "access")), "rw", "rule access");
    char *gids =
        bjson_to_string(bjson_get(bjson_get(bjson_get(s, "process"), "user"), "additionalGids"), false);
    ok(gids && strstr(gids, "993"), "additionalGids");
    free(gids);
    char *sc = bjson_to_string(bjson_get(l, "seccomp"), false);
    ok(strstr(sc, "\"unshare\"") && strstr(sc, "\"setns\""), "--allow-nested-ns allows unshare and setns");
    free(sc);
    bjson_free(s);
    free(json);
    compose_opts_done(&o);
}

static void mknode(const char *dir, const char *name, unsigned ma, unsigned mi)
{
    char p[512];
    snprintf(p, sizeof(p), "%s/%s", dir, name);
    mknod(p, S_IFCHR | 0666, makedev(ma, mi));
}

static void touch(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd >= 0)
        close(fd);
}

TEST(gpu_fake_tree)
{
    if (geteuid() != 0) {
        ok(1, "# SKIP mknod needs root");
        return;
    }
    char root[] = "/tmp/brick-gpu-XXXXXX";
    if (!mkdtemp(root)) {
        ok(0, "mkdtemp");
        return;
    }
    char p[512];
    const char *dirs[] = {"/dev",       "/dev/dri",          "/dev/nvidia-caps",
                          "/usr",       "/usr/lib",          "/usr/lib/x86_64-linux-gnu",
                          "/usr/share", "/usr/share/vulkan", "/usr/share/vulkan/icd.d",
                          NULL};
    for (const char **d = dirs; *d; d++) {
        snprintf(p, sizeof(p), "%s%s", root, *d);
        mkdir(p, 0755);
    }
    snprintf(p, sizeof(p), "%s/dev/dri", root);
    mknode(p, "renderD128", 226, 128);
    mknode(p, "card0", 226, 0); /* a primary node: not for apps */
    snprintf(p, sizeof(p), "%s/dev", root);
    mknode(p, "nvidia0", 195, 0);
    mknode(p, "nvidiactl", 195, 255);
    mknode(p, "nvidia-uvm", 510, 0);
    snprintf(p, sizeof(p), "%s/dev/nvidia-caps", root);
    mknode(p, "nvidia-cap1", 511, 1);
    const char *files[] = {
        "/usr/lib/x86_64-linux-gnu/libcuda.so.550.1",   "/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.550.1",
        "/usr/lib/x86_64-linux-gnu/libGLX_nvidia.so.0", "/usr/lib/x86_64-linux-gnu/libc.so.6",
        "/usr/share/vulkan/icd.d/nvidia_icd.json",      NULL};
    for (const char **f = files; *f; f++) {
        snprintf(p, sizeof(p), "%s%s", root, *f);
        touch(p);
    }
    struct compose_desktop d = {0};
    struct brick_error err;
    is_int(desktop_gpu_scan(&d, root, true, &err), 5, "scan the fake tree: five nodes");
    int render = 0, card = 0, nv = 0, libs = 0, libc = 0, icd = 0;
    for (size_t i = 0; i < d.n_devs; i++) {
        render += streq(d.devs[i].path, "/dev/dri/renderD128") && d.devs[i].major == 226;
        card += streq(d.devs[i].path, "/dev/dri/card0");
        nv += startswith(d.devs[i].path, "/dev/nvidia");
    }
    for (size_t i = 0; i < d.n_mounts; i++) {
        libs +=
            startswith(d.mounts[i].dst, "/usr/lib/x86_64-linux-gnu/lib") && startswith(d.mounts[i].src, root);
        libc += strstr(d.mounts[i].dst, "libc.so") != NULL;
        icd += streq(d.mounts[i].dst, "/usr/share/vulkan/icd.d/nvidia_icd.json");
    }
    is_int(render, 1, "the render node");
    is_int(card, 0, "no primary node");
    is_int(nv, 4, "NVIDIA nodes, caps included");
    is_int(libs, 3, "the NVIDIA libraries bound (paths inside without the prefix)");
    is_int(libc, 0, "other libraries left alone");
    is_int(icd, 1, "the Vulkan ICD file");
    ok(d.notes == NULL && d.left_out == NULL, "no 'no GPU' note");
    struct compose_desktop d2 = {0};
    desktop_gpu_scan(&d2, root, false, &err);
    is_int(d2.n_mounts, 0, "with the host's root: no library binds");
    for (size_t i = 0; i < d2.n_devs; i++)
        free(d2.devs[i].path);
    free(d2.devs);
    free(d2.group_add);
    struct compose_desktop d3 = {0};
    is_int(desktop_gpu_scan(&d3, "/nonexistent", true, &err), 0, "no GPU: none found");
    ok(d3.n_devs == 0 && !d3.notes, "no devices, no note (desktop_resolve tells, or refuses)");
    for (size_t i = 0; i < d.n_devs; i++)
        free(d.devs[i].path);
    free(d.devs);
    for (size_t i = 0; i < d.n_mounts; i++) {
        free(d.mounts[i].dst), free(d.mounts[i].src), free(d.mounts[i].type);
        strv_free(d.mounts[i].options);
    }
    free(d.mounts);
    free(d.group_add);
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
    (void)!system(cmd);
}

/* --audio=auto: no sound server is left out (the profiles); --audio stays an
 * error; so for --gpu=auto and --gpu where there is no GPU */
TEST(audio_auto)
{
    char dir[] = "/tmp/brick-test-audio-XXXXXX";
    if (!mkdtemp(dir)) {
        ok(0, "mkdtemp");
        return;
    }
    setenv("PULSE_SERVER", "unix:/nonexistent/pulse/native", 1);
    struct compose_opts o;
    struct brick_error err;
    const char *autoa[] = {"--audio=auto", "app", NULL}, *strict[] = {"--audio=auto", "--audio", "app", NULL};
    is_int(parse(&o, &err, autoa), 0, "--audio=auto parses");
    is_int(desktop_resolve(&o, dir, &err), 0, "no sound server: no error");
    ok(o.desktop->n_mounts == 0 && o.desktop->left_out &&
           strstr(o.desktop->left_out[0], "sound (no sound server at "
                                          "/nonexistent/pulse/native)") &&
           streq(o.desktop->left_out_flags[0], "--no-audio"),
       "left out, no mount");
    compose_opts_done(&o);
    is_int(parse(&o, &err, strict), 0, "--audio=auto --audio parses");
    ok(!o.desktop->audio_auto, "the last --audio wins");
    err.msg[0] = '\0';
    ok(desktop_resolve(&o, dir, &err) < 0 && strstr(err.msg, "/nonexistent/pulse/native"),
       "--audio: refused");
    compose_opts_done(&o);
    const char *bad[] = {"--audio=loud", "app", NULL};
    ok(parse(&o, &err, bad) < 0, "--audio=loud refused");
    compose_opts_done(&o);
    if (access("/dev/snd", F_OK) != 0) {
        const char *devs[] = {"--audio=devices", "--audio=auto", "app", NULL};
        is_int(parse(&o, &err, devs), 0, "--audio=devices --audio=auto parses");
        is_int(desktop_resolve(&o, dir, &err), 0, "no sound server, no /dev/snd: no error");
        ok(strv_length(o.desktop->left_out) == 2 && streq(o.desktop->left_out[1], "/dev/snd (missing)"),
           "both left out");
        compose_opts_done(&o);
    }
    if (access("/dev/dri", F_OK) != 0 && access("/dev/nvidia0", F_OK) != 0) {
        const char *gpu[] = {"--gpu", "app", NULL}, *gpu_auto[] = {"--gpu=auto", "app", NULL};
        is_int(parse(&o, &err, gpu), 0, "--gpu parses");
        ok(desktop_resolve(&o, dir, &err) < 0 && strstr(err.msg, "no GPU on this host"),
           "--gpu: no GPU, refused");
        compose_opts_done(&o);
        is_int(parse(&o, &err, gpu_auto), 0, "--gpu=auto parses");
        is_int(desktop_resolve(&o, dir, &err), 0, "--gpu=auto: no GPU, no error");
        ok(o.desktop->left_out && strstr(o.desktop->left_out[0], "a GPU"), "left out");
        compose_opts_done(&o);
    }
    unsetenv("PULSE_SERVER");
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    (void)!system(cmd);
}

int main(void)
{
    RUN(flags);
    RUN(display);
    RUN(xauthority);
    RUN(audio_auto);
    RUN(profiles);
    RUN(no_flags);
    RUN(apply);
    RUN(gpu_fake_tree);
    return tap_done();
}
