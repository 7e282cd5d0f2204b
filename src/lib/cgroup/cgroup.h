/* cgroup.h — the container's cgroup: layout detection, paths, the pure
 * resources -> writes plan, and the thin layer that applies it.
 *
 * Life of a container's cgroup:
 *   create:  cgroup_detect() -> cgroup_resolve(cgroupsPath) -> cgroup_create()
 *            (mkdir, enable v2 controllers, apply linux.resources) ->
 *            placement (CLONE_INTO_CGROUP on v2, else cgroup_place(pid))
 *            -> cgroup_to_json() into state.json
 *   later:   cgroup_from_json() (no re-detection) -> freeze/update/stats/kill
 *   delete:  cgroup_destroy(): kill what is left, remove every directory we
 *            created, deepest first.
 * Every function follows the library's error contract (-errno, err filled
 * only on failure). */
#ifndef BRICK_CGROUP_CGROUP_H
#define BRICK_CGROUP_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct brick_error;
struct oci_resources;

enum cgroup_layout {
    CGROUP_LAYOUT_V1,     /* only v1 hierarchies */
    CGROUP_LAYOUT_V2,     /* one cgroup2 tree holding every controller */
    CGROUP_LAYOUT_HYBRID, /* v1 hierarchies + a cgroup2 tree at <root>/unified */
};

/* One hierarchy the container has a directory in. */
struct cgroup_hier {
    char *name;    /* v1: superblock controllers "cpu,cpuacct", "name=systemd"; "" = cgroup2 */
    char *mount;   /* where the hierarchy is mounted, e.g. /sys/fs/cgroup/memory */
    char *dir;     /* the container's cgroup directory (absolute) */
    char *created; /* topmost directory this runtime created (NULL: dir existed) */
    bool made;     /* made (or found) by cgroup_create_v2_dir() already */
};

struct cgroup {
    enum cgroup_layout layout;
    bool complete; /* every directory made and the limits applied (driver's create) */
    char *path;    /* the inner path, as given or defaulted: "/brick/<id>" */
    /* systemd driver (--systemd-cgroup with systemd as pid 1): the transient
     * unit systemd makes and owns ("brick-<id>.scope"), in slice; NULL: none */
    char *unit, *slice;
    /* the unit's manager: NULL the system one; else the user manager's own
     * cgroup ("/user.slice/user-1000.slice/user@1000.service"), the slice's
     * parent (a rootless runtime's scope, as runc's and crun's) */
    char *manager;
    pid_t pid;                     /* the init, for a driver whose manager places it (systemd) */
    bool unit_tried, unit_started; /* this create asked systemd for the unit / got it */
    struct cgroup_hier *h;
    size_t n;
};

const char *cgroup_layout_name(enum cgroup_layout l); /* "v1", "v2", "hybrid" */

/* Detect the layout (statfs of root, default /sys/fs/cgroup) and the v1
 * hierarchies from /proc/self/mountinfo. Done once, at create. */
int cgroup_detect(const char *root, struct cgroup *cg, struct brick_error *err);
/* Turn cgroupsPath (NULL: "/brick/<id>") into one directory per hierarchy:
 * absolute paths are under each hierarchy's root, relative ones under the
 * runtime's own cgroup in that hierarchy (as runc does). Pure given the
 * detected hierarchies and /proc/self/cgroup's text (self_cgroup). */
int cgroup_resolve(struct cgroup *cg, const char *cgroups_path, const char *id, const char *self_cgroup,
                   struct brick_error *err);
/* --systemd-cgroup: cgroupsPath is runc's "SLICE:PREFIX:NAME" (NULL or "":
 * "system.slice:brick:<id>"), converted by cgroup/systemd_path.h into the
 * unit's absolute path ("/system.slice/brick-<id>.scope") and resolved as
 * above. When systemd is pid 1 (/run/systemd/system) the systemd driver
 * makes the scope over D-Bus (cg->unit set, pure cgroup v2 only); otherwise
 * cgroup_create() makes the same directories through cgroupfs. */
int cgroup_resolve_systemd(struct cgroup *cg, const char *cgroups_path, const char *id,
                           struct brick_error *err);
/* A systemd user manager answers the caller on a pure cgroup v2 host (its
 * socket in $XDG_RUNTIME_DIR): rootless `brick do` asks it for a scope, a
 * delegated cgroup, as `systemd-run --user --scope` would. Makes nothing. */
bool cgroup_user_manager_present(void);
void cgroup_done(struct cgroup *cg);
/* Whether the calling process may make the container's directories and
 * move processes into them in every hierarchy (a rootless runtime: only in
 * a subtree delegated to its uid). Reads the file system; makes nothing. */
bool cgroup_writable(const struct cgroup *cg);
/* Whether resources ask the cgroup for anything (a limit, a weight, a
 * unified key): what a runtime without a cgroup cannot honour. Device rules
 * do not count (the runtime makes the nodes itself). */
bool cgroup_resources_ask(const struct cgroup *cg, const struct oci_resources *res);

/* mkdir every level (recording what we made), prepare v1 cpuset and v2
 * subtree_control, and apply res (may be NULL). On failure everything made is
 * removed again, except what cgroup_create_v2_dir() made before. */
int cgroup_create(struct cgroup *cg, const struct oci_resources *res, struct brick_error *err);
/* Only the cgroup2 hierarchy's directories (pure v2 or hybrid), ahead of
 * clone3(CLONE_INTO_CGROUP); cgroup_create() then makes the rest. Nothing
 * (0) without a cgroup2 hierarchy. Removed by cgroup_remove_dirs(). */
int cgroup_create_v2_dir(struct cgroup *cg, struct brick_error *err);
/* The cgroup2 directory as an O_PATH|O_DIRECTORY fd for CLONE_INTO_CGROUP
 * (pure v2, or a hybrid host's cgroup2 hierarchy; -ENOTSUP without one). */
int cgroup_open_v2_dir(const struct cgroup *cg, int *ret_fd);
/* Move pid into every hierarchy (cgroup.procs). */
int cgroup_place(const struct cgroup *cg, pid_t pid, struct brick_error *err);
/* The calling single-threaded process moves itself into every v1 hierarchy
 * through "tasks" and pid 0, the one case where the kernel skips the global
 * threadgroup lock (and the RCU grace period taking it waits for: 0.2-1.5 ms
 * per create here). A cgroup2 hierarchy is left to CLONE_INTO_CGROUP.
 * cgroup_self_open() first takes O_PATH fds of the v1 mount points (one per
 * hierarchy, -1 for cgroup2), before the caller's own mounts may cover them
 * (brick do's new /sys over the host's root); the directories themselves need
 * not exist yet. */
int cgroup_self_open(const struct cgroup *cg, int **ret_fds, struct brick_error *err);
int cgroup_place_self_v1(const struct cgroup *cg, const int *fds, struct brick_error *err);
/* Close and free what cgroup_self_open() returned (host directories: they
 * must be gone before any path of the container is resolved). */
void cgroup_self_close(const struct cgroup *cg, int **fds);
/* Whether the cgroup has a cgroup2 hierarchy (pure v2 or hybrid). */
bool cgroup_has_v2(const struct cgroup *cg);
/* rmdir what cgroup_create()/cgroup_create_v2_dir() made (no kill). */
int cgroup_remove_dirs(struct cgroup *cg);
/* Apply new limits to an existing cgroup (update). */
int cgroup_update(const struct cgroup *cg, const struct oci_resources *res, struct brick_error *err);
/* Kill every process (cgroup.kill when present, else signal each pid; frozen
 * cgroups are thawed so the signal is delivered) and remove what we created. */
int cgroup_destroy(struct cgroup *cg, struct brick_error *err);
/* Whether pid is in the cgroup (its first hierarchy), from /proc/PID/cgroup. */
bool cgroup_has_pid(const struct cgroup *cg, pid_t pid);
/* Signal every process of the cgroup (kill --all). */
int cgroup_signal_all(const struct cgroup *cg, int sig, struct brick_error *err);

int cgroup_freeze(const struct cgroup *cg, bool freeze, struct brick_error *err);
/* 1 frozen, 0 not, -errno when unknown. */
int cgroup_is_frozen(const struct cgroup *cg);
/* The pids in the cgroup (sorted), in the runtime's pid namespace. */
int cgroup_pids(const struct cgroup *cg, pid_t **ret, size_t *ret_n, struct brick_error *err);
/* runc's "events --stats" data object, compact JSON (heap string). */
int cgroup_stats_json(const struct cgroup *cg, char **ret, struct brick_error *err);
/* How many times the kernel's OOM killer acted in the cgroup (v1 memory.oom_control
 * oom_kill, v2 memory.events oom_kill); -errno when unknown. */
int64_t cgroup_oom_kills(const struct cgroup *cg);

/* How the container's init gets into its cgroup (one stage; a two-stage
 * init is placed by the parent, cgroup_place()). */
enum cgroup_placement {
    CGROUP_PLACE_BY_MANAGER,            /* systemd moves it into the unit it makes (PIDs=) */
    CGROUP_PLACE_CLONE_INTO,            /* clone3(CLONE_INTO_CGROUP) puts it there */
    CGROUP_PLACE_CLONE_INTO_V2_SELF_V1, /* cloned into the cgroup2 directory, moves itself into v1 */
    CGROUP_PLACE_SELF_V1,               /* moves itself into the v1 hierarchies on GO */
};

struct cgroup_writes;
struct cgroup_dev_rule;

/* The driver table (control.c), one per layout, chosen from the detected
 * (or recorded) cgroup: what create, update, pause and delete call, so that
 * the orchestrator never tests the layout itself. crun's cgroup manager is
 * the model; a systemd driver (units over D-Bus) and a delegated rootless
 * one plug in here.
 *   layout  precreate (before the clone)      create (after)   placement
 *   v2      the whole cgroup, limits applied  nothing left     CLONE_INTO_CGROUP
 *   hybrid  the cgroup2 directory             the v1 ones      cloned into cgroup2, moves itself into v1
 *   v1      nothing                           everything       moves itself into v1 */
struct cgroup_driver {
    const char *name;
    enum cgroup_placement placement;
    /* before the clone: what the placement needs; NULL: nothing */
    int (*precreate)(struct cgroup *cg, const struct oci_resources *res, struct brick_error *err);
    /* after the clone, while the init mounts: the rest, limits applied */
    int (*create)(struct cgroup *cg, const struct oci_resources *res, struct brick_error *err);
    int (*update)(const struct cgroup *cg, const struct oci_resources *res, struct brick_error *err);
    /* kill what is left, remove what was made (also after a failed create) */
    int (*destroy)(struct cgroup *cg, struct brick_error *err);
    /* how resources become writes, device rules, the freezer */
    int (*plan)(const struct cgroup *cg, const struct oci_resources *r, struct cgroup_writes *out,
                struct brick_error *err);
    int (*devices)(const struct cgroup *cg, const struct cgroup_dev_rule *rules, size_t n,
                   struct brick_error *err);
    int (*freeze)(const struct cgroup *cg, bool freeze, struct brick_error *err);
    int (*is_frozen)(const struct cgroup *cg);
};
const struct cgroup_driver *cgroup_driver_of(const struct cgroup *cg);

/* Serialize for state.json and back (no detection involved). A record read
 * back is input (a corrupt or hostile state.json): cgroup_from_json() refuses
 * one that fails cgroup_record_check() — every dir strictly below its mount,
 * `created` the dir or one of its parents below the mount, no "." or ".."
 * anywhere. Pure. */
char *cgroup_to_json(const struct cgroup *cg);
int cgroup_from_json(const char *json, struct cgroup *cg, struct brick_error *err);
int cgroup_record_check(const struct cgroup *cg, struct brick_error *err);
/* That every hierarchy's mount of a record read back is a cgroup or cgroup2
 * file system reached without a symlink (openat2 RESOLVE_NO_SYMLINKS): a
 * record cannot send a kill or an rmdir anywhere else. */
int cgroup_verify_mounts(const struct cgroup *cg, struct brick_error *err);
/* Whether a record read back is the cgroup a config names: its path is the
 * config's cgroupsPath (NULL: "/brick/<id>", or the systemd driver's form of
 * either), and every directory is that path in its hierarchy. Pure. */
bool cgroup_record_is_config(const struct cgroup *cg, const char *cgroups_path, const char *id);
/* Before anything is made: for each hierarchy whose directory does not exist
 * yet, the topmost missing level as `created`, so that the recovery record
 * written before cgroup_create() names what a killed create may leave. */
void cgroup_plan_created(struct cgroup *cg);

#endif
