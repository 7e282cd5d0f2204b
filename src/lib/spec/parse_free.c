/* parse_free.c — releasing a (possibly half-parsed) model, and the small
 * lookups declared in model.h. Every free accepts zeroed members, which is
 * what the parser leaves behind when it stops on an error. */
#include "core/cleanup.h"
#include "core/strv.h"
#include "core/util.h"
#include "spec/model.h"

#include <stdlib.h>
#include <string.h>

static void kv_free(struct oci_kv *kv, size_t n)
{
    for (size_t i = 0; kv && i < n; i++) {
        free(kv[i].key);
        free(kv[i].value);
    }
    free(kv);
}

void oci_process_free(struct oci_process *p)
{
    if (!p)
        return;
    free(p->user.additional_gids);
    free(p->user.username);
    strv_free(p->args);
    free(p->command_line);
    strv_free(p->env);
    free(p->cwd);
    strv_free(p->capabilities.bounding);
    strv_free(p->capabilities.effective);
    strv_free(p->capabilities.inheritable);
    strv_free(p->capabilities.permitted);
    strv_free(p->capabilities.ambient);
    for (size_t i = 0; p->rlimits && i < p->n_rlimits; i++)
        free(p->rlimits[i].type);
    free(p->rlimits);
    free(p->apparmor_profile);
    free(p->scheduler.policy);
    strv_free(p->scheduler.flags);
    free(p->selinux_label);
    free(p->io_priority.class);
    free(p->exec_cpu_affinity.initial);
    free(p->exec_cpu_affinity.final);
    free(p);
}

static void resources_free(struct oci_resources *r)
{
    for (size_t i = 0; r->devices && i < r->n_devices; i++) {
        free(r->devices[i].type);
        free(r->devices[i].access);
    }
    free(r->devices);
    free(r->cpu.cpus);
    free(r->cpu.mems);
    free(r->block_io.weight_device);
    free(r->block_io.throttle_read_bps);
    free(r->block_io.throttle_write_bps);
    free(r->block_io.throttle_read_iops);
    free(r->block_io.throttle_write_iops);
    for (size_t i = 0; r->hugepage_limits && i < r->n_hugepage_limits; i++)
        free(r->hugepage_limits[i].page_size);
    free(r->hugepage_limits);
    for (size_t i = 0; r->net_priorities && i < r->n_net_priorities; i++)
        free(r->net_priorities[i].name);
    free(r->net_priorities);
    for (size_t i = 0; r->rdma && i < r->n_rdma; i++)
        free(r->rdma[i].device);
    free(r->rdma);
    kv_free(r->unified, r->n_unified);
}

static void seccomp_free(struct oci_seccomp *s)
{
    free(s->default_action);
    strv_free(s->architectures);
    strv_free(s->flags);
    free(s->listener_path);
    free(s->listener_metadata);
    for (size_t i = 0; s->syscalls && i < s->n_syscalls; i++) {
        struct oci_seccomp_syscall *sc = &s->syscalls[i];
        strv_free(sc->names);
        free(sc->action);
        for (size_t j = 0; sc->args && j < sc->n_args; j++)
            free(sc->args[j].op);
        free(sc->args);
    }
    free(s->syscalls);
}

static void linux_free(struct oci_linux *l)
{
    for (size_t i = 0; l->namespaces && i < l->n_namespaces; i++)
        free(l->namespaces[i].path);
    free(l->namespaces);
    free(l->uid_mappings);
    free(l->gid_mappings);
    for (size_t i = 0; l->devices && i < l->n_devices; i++) {
        free(l->devices[i].type);
        free(l->devices[i].path);
    }
    free(l->devices);
    for (size_t i = 0; l->net_devices && i < l->n_net_devices; i++) {
        free(l->net_devices[i].host_name);
        free(l->net_devices[i].name);
    }
    free(l->net_devices);
    free(l->cgroups_path);
    resources_free(&l->resources);
    free(l->rootfs_propagation);
    seccomp_free(&l->seccomp);
    kv_free(l->sysctl, l->n_sysctl);
    strv_free(l->masked_paths);
    strv_free(l->readonly_paths);
    free(l->mount_label);
    free(l->intel_rdt.clos_id);
    free(l->intel_rdt.l3_cache_schema);
    free(l->intel_rdt.mem_bw_schema);
    strv_free(l->intel_rdt.schemata);
    free(l->memory_policy.mode);
    free(l->memory_policy.nodes);
    strv_free(l->memory_policy.flags);
    free(l->personality.domain);
    strv_free(l->personality.flags);
}

static void mount_free(struct oci_mount *m)
{
    free(m->destination);
    free(m->type);
    free(m->source);
    strv_free(m->options);
    free(m->uid_mappings);
    free(m->gid_mappings);
}

void oci_spec_free(struct oci_spec *s)
{
    if (!s)
        return;
    free(s->oci_version);
    oci_process_free(s->process);
    free(s->root.path);
    free(s->hostname);
    free(s->domainname);
    for (size_t i = 0; s->mounts && i < s->n_mounts; i++)
        mount_free(&s->mounts[i]);
    free(s->mounts);
    for (int k = 0; k < OCI_HOOK__MAX; k++) {
        struct oci_hook_list *hl = &s->hooks[k];
        for (size_t i = 0; hl->hooks && i < hl->n; i++) {
            free(hl->hooks[i].path);
            strv_free(hl->hooks[i].args);
            strv_free(hl->hooks[i].env);
        }
        free(hl->hooks);
    }
    kv_free(s->annotations, s->n_annotations);
    linux_free(&s->linux_);
    free(s);
}

const struct oci_namespace *oci_spec_namespace(const struct oci_spec *s, enum oci_ns_type t)
{
    for (size_t i = 0; s && i < s->linux_.n_namespaces; i++)
        if (s->linux_.namespaces[i].type == t)
            return &s->linux_.namespaces[i];
    return NULL;
}

const char *oci_kv_get(const struct oci_kv *kv, size_t n, const char *key)
{
    for (size_t i = 0; kv && key && i < n; i++)
        if (kv[i].key && strcmp(kv[i].key, key) == 0)
            return kv[i].value;
    return NULL;
}
