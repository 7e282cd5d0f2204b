/* model.h — the typed OCI runtime-spec 1.2 configuration (config.json).
 *
 * Produced by oci_spec_parse() (parse.c) with no system calls; every field of
 * runtime-spec 1.2 for Linux is represented, including those that later
 * modules act on, so that a whole config is validated before anything is
 * created. Conventions:
 *   - strings are heap-owned char *, NULL when absent;
 *   - string lists are NULL-terminated char ** (strv), NULL when absent;
 *   - arrays of structs are (pointer, count n_*);
 *   - optional scalars carry a has_* flag (false = key absent);
 *   - maps (annotations, sysctl) are parallel key/value lists (struct oci_kv).
 * oci_spec_free() releases everything. */
#ifndef BRICK_SPEC_MODEL_H
#define BRICK_SPEC_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct oci_kv {
    char *key;
    char *value;
};

struct oci_id_mapping {
    uint32_t container_id; /* containerID */
    uint32_t host_id;      /* hostID */
    uint32_t size;
};

struct oci_rlimit {
    char *type;   /* "RLIMIT_NOFILE", ... (validated against the known set) */
    int resource; /* RLIMIT_* value resolved from type */
    uint64_t hard, soft;
};

struct oci_capabilities {
    bool present;
    char **bounding, **effective, **inheritable, **permitted, **ambient;
};

struct oci_user {
    uint32_t uid, gid;
    bool has_umask;
    uint32_t umask;
    uint32_t *additional_gids;
    size_t n_additional_gids;
    char *username; /* Windows only; parsed and ignored */
};

struct oci_scheduler {
    bool present;
    char *policy; /* SCHED_OTHER, SCHED_FIFO, SCHED_RR, SCHED_BATCH, SCHED_ISO, SCHED_IDLE, SCHED_DEADLINE */
    int32_t nice, priority;
    char **flags;
    uint64_t runtime, deadline, period;
};

struct oci_io_priority {
    bool present;
    char *class; /* IOPRIO_CLASS_RT, IOPRIO_CLASS_BE, IOPRIO_CLASS_IDLE */
    int32_t priority;
};

struct oci_exec_cpu_affinity {
    bool present;
    char *initial, *final;
};

struct oci_process {
    bool terminal;
    bool has_console_size;
    uint32_t console_height, console_width;
    struct oci_user user;
    char **args;
    char *command_line; /* Windows only */
    char **env;
    char *cwd; /* required, absolute */
    struct oci_capabilities capabilities;
    struct oci_rlimit *rlimits;
    size_t n_rlimits;
    bool no_new_privileges;
    char *apparmor_profile;
    bool has_oom_score_adj;
    int oom_score_adj;
    struct oci_scheduler scheduler;
    char *selinux_label;
    struct oci_io_priority io_priority;
    struct oci_exec_cpu_affinity exec_cpu_affinity;
};

struct oci_root {
    char *path;
    bool readonly;
};

struct oci_mount {
    char *destination; /* required, absolute */
    char *type;
    char *source;
    char **options;
    struct oci_id_mapping *uid_mappings, *gid_mappings;
    size_t n_uid_mappings, n_gid_mappings;
};

struct oci_hook {
    char *path; /* required, absolute */
    char **args;
    char **env;
    bool has_timeout;
    int timeout; /* seconds, > 0 */
};

enum oci_hook_kind {
    OCI_HOOK_PRESTART,
    OCI_HOOK_CREATE_RUNTIME,
    OCI_HOOK_CREATE_CONTAINER,
    OCI_HOOK_START_CONTAINER,
    OCI_HOOK_POSTSTART,
    OCI_HOOK_POSTSTOP,
    OCI_HOOK__MAX,
};

struct oci_hook_list {
    struct oci_hook *hooks;
    size_t n;
};

enum oci_ns_type {
    OCI_NS_PID,
    OCI_NS_NETWORK,
    OCI_NS_MOUNT,
    OCI_NS_IPC,
    OCI_NS_UTS,
    OCI_NS_USER,
    OCI_NS_CGROUP,
    OCI_NS_TIME,
    OCI_NS__MAX,
};

struct oci_namespace {
    enum oci_ns_type type;
    char *path; /* NULL: create a new namespace */
};

struct oci_time_offset {
    bool present;
    int64_t secs;
    uint32_t nanosecs;
};

struct oci_device {
    char *type; /* "c", "b", "u" or "p" */
    char *path; /* required, absolute */
    bool has_major, has_minor;
    int64_t major, minor;
    bool has_file_mode, has_uid, has_gid;
    uint32_t file_mode, uid, gid;
};

/* --- linux.resources (acted on by the cgroup module) --- */

struct oci_device_cgroup {
    bool allow;
    char *type; /* "a", "c", "b" or NULL (= all) */
    bool has_major, has_minor;
    int64_t major, minor; /* -1 when given as such: wildcard */
    char *access;         /* subset of "rwm" */
};

struct oci_memory {
    bool present;
    bool has_limit, has_reservation, has_swap, has_kernel, has_kernel_tcp, has_swappiness;
    int64_t limit, reservation, swap, kernel, kernel_tcp; /* -1 = unlimited */
    uint64_t swappiness;
    bool has_disable_oom_killer, disable_oom_killer;
    bool has_use_hierarchy, use_hierarchy;
    bool has_check_before_update, check_before_update;
};

struct oci_cpu {
    bool present;
    bool has_shares, has_quota, has_burst, has_period, has_realtime_runtime, has_realtime_period, has_idle;
    uint64_t shares, period, realtime_period, burst;
    int64_t quota, realtime_runtime, idle;
    char *cpus, *mems;
};

struct oci_weight_device {
    int64_t major, minor;
    bool has_weight, has_leaf_weight;
    uint16_t weight, leaf_weight;
};

struct oci_throttle_device {
    int64_t major, minor;
    uint64_t rate;
};

struct oci_blkio {
    bool present;
    bool has_weight, has_leaf_weight;
    uint16_t weight, leaf_weight;
    struct oci_weight_device *weight_device;
    size_t n_weight_device;
    struct oci_throttle_device *throttle_read_bps, *throttle_write_bps, *throttle_read_iops,
        *throttle_write_iops;
    size_t n_throttle_read_bps, n_throttle_write_bps, n_throttle_read_iops, n_throttle_write_iops;
};

struct oci_hugepage_limit {
    char *page_size; /* "2MB", "1GB", ... */
    uint64_t limit;
};

struct oci_net_priority {
    char *name;
    uint32_t priority;
};

struct oci_rdma {
    char *device;
    bool has_hca_handles, has_hca_objects;
    uint32_t hca_handles, hca_objects;
};

struct oci_resources {
    bool present;
    struct oci_device_cgroup *devices;
    size_t n_devices;
    struct oci_memory memory;
    struct oci_cpu cpu;
    bool has_pids_limit;
    int64_t pids_limit; /* pids.limit; <= 0 = unlimited */
    struct oci_blkio block_io;
    struct oci_hugepage_limit *hugepage_limits;
    size_t n_hugepage_limits;
    bool has_network;
    bool has_class_id;
    uint32_t class_id;
    struct oci_net_priority *net_priorities;
    size_t n_net_priorities;
    struct oci_rdma *rdma; /* map device -> limits, flattened */
    size_t n_rdma;
    struct oci_kv *unified;
    size_t n_unified;
};

/* --- linux.seccomp (acted on by the security module) --- */

struct oci_seccomp_arg {
    uint32_t index;
    uint64_t value, value_two;
    char *op; /* SCMP_CMP_NE, _LT, _LE, _EQ, _GE, _GT, _MASKED_EQ */
};

struct oci_seccomp_syscall {
    char **names; /* required, non-empty */
    char *action; /* required */
    bool has_errno_ret;
    uint32_t errno_ret;
    struct oci_seccomp_arg *args;
    size_t n_args;
};

struct oci_seccomp {
    bool present;
    char *default_action; /* required */
    bool has_default_errno_ret;
    uint32_t default_errno_ret;
    char **architectures;
    char **flags;
    char *listener_path;
    char *listener_metadata;
    struct oci_seccomp_syscall *syscalls;
    size_t n_syscalls;
};

struct oci_intel_rdt {
    bool present;
    char *clos_id, *l3_cache_schema, *mem_bw_schema;
    char **schemata;
    bool has_enable_cmt, enable_cmt, has_enable_mbm, enable_mbm;
};

struct oci_memory_policy {
    bool present;
    char *mode; /* MPOL_DEFAULT, MPOL_BIND, ... */
    char *nodes;
    char **flags;
};

struct oci_personality {
    bool present;
    char *domain; /* LINUX or LINUX32 */
    char **flags;
};

struct oci_net_device {
    char *host_name; /* the map key: interface name on the host */
    char *name;      /* name inside the container (optional) */
};

struct oci_linux {
    bool present;
    struct oci_namespace *namespaces;
    size_t n_namespaces;
    struct oci_id_mapping *uid_mappings, *gid_mappings;
    size_t n_uid_mappings, n_gid_mappings;
    struct oci_time_offset time_monotonic, time_boottime;
    struct oci_device *devices;
    size_t n_devices;
    struct oci_net_device *net_devices;
    size_t n_net_devices;
    char *cgroups_path;
    struct oci_resources resources;
    char *rootfs_propagation; /* shared, slave, private, unbindable (and r*) */
    struct oci_seccomp seccomp;
    struct oci_kv *sysctl;
    size_t n_sysctl;
    char **masked_paths;
    char **readonly_paths;
    char *mount_label;
    struct oci_intel_rdt intel_rdt;
    struct oci_memory_policy memory_policy;
    struct oci_personality personality;
};

struct oci_spec {
    char *oci_version;           /* required, major version 1 */
    struct oci_process *process; /* NULL when absent (allowed by spec for create-only use) */
    struct oci_root root;        /* root.path required on Linux */
    bool has_root;
    char *hostname, *domainname;
    struct oci_mount *mounts;
    size_t n_mounts;
    struct oci_hook_list hooks[OCI_HOOK__MAX];
    struct oci_kv *annotations;
    size_t n_annotations;
    struct oci_linux linux_; /* "linux" (a macro name in GNU C) */
};

/* Name of each enum value as written in config.json. */
const char *oci_ns_type_name(enum oci_ns_type t);     /* "pid", "network", ... */
const char *oci_hook_kind_name(enum oci_hook_kind k); /* "prestart", "createRuntime", ... */

/* Return the namespace entry of type t, or NULL when the config has none. */
const struct oci_namespace *oci_spec_namespace(const struct oci_spec *s, enum oci_ns_type t);
/* Lookup in a kv list; NULL when absent. */
const char *oci_kv_get(const struct oci_kv *kv, size_t n, const char *key);

void oci_process_free(struct oci_process *p);
void oci_spec_free(struct oci_spec *s);

#endif
