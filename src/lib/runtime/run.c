/* run.c — `run`: create, release at once, then (in the foreground) forward
 * signals, proxy the terminal, wait, and delete the container. */
#include "core/cleanup.h"
#include "core/error.h"
#include "core/fd.h"
#include "core/util.h"
#include "runtime/internal.h"
#include "runtime/runtime.h"
#include "runtime/sync.h"
#include "state/state.h"

#include <errno.h>
#include <string.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

static int release(struct create_ctx *ctx, struct brick_error *err)
{
    int r = ctx->start_sent ? 0 : sync_send(ctx->sync_parent, SYNC_START, 0);
    if (r < 0)
        return brick_err_errno(err, -r, "start the container init");
    struct sync_msg m;
    r = sync_recv(ctx->sync_parent, &m);
    if (r == -EPIPE)
        return 0; /* close-on-exec: execve succeeded */
    if (r == 0 && m.type == SYNC_ERROR) {
        m.err.msg[sizeof(m.err.msg) - 1] = '\0';
        *err = m.err;
        return m.err.code > 0 ? -m.err.code : -EINVAL; /* what the init said */
    }
    return brick_err(err, EPROTO, "unexpected answer from the container init");
}

/* Read before the cgroup goes: did the OOM killer act there? */
static void exit_info_fill(const struct create_ctx *ctx, const struct container_state *st)
{
    struct brick_exit_info *info = ctx->opts->exit_info;
    struct cgroup cg = {0};
    *info = (struct brick_exit_info){.oom_kills = -1};
    if (state_cgroup(st, &cg)) {
        int64_t n = cgroup_oom_kills(&cg);
        info->oom_kills = n < 0 ? -1 : n;
    }
    cgroup_done(&cg);
    const struct oci_memory *m = ctx->spec ? &ctx->spec->linux_.resources.memory : NULL;
    if (m && m->has_limit && m->limit > 0)
        info->memory_limit = m->limit;
}

static int finish(struct create_ctx *ctx, int dirfd, bool keep, struct brick_error *err)
{
    _cleanup_close_ int rootfd = -EBADF;
    struct container_state st;
    int r = state_read(dirfd, ctx->opts->id, &st, err);
    if (r < 0)
        return r;
    /* Deleted meanwhile (`delete -f`) and the directory recycled for a new
     * container of the same id: that one is not ours to destroy. */
    if (st.pid != ctx->init_pid) {
        container_state_done(&st);
        return 0;
    }
    if (ctx->opts->exit_info)
        exit_info_fill(ctx, &st);
    if (!keep && state_root_open(ctx->opts->root, false, &rootfd, err) == 0)
        r = container_destroy(rootfd, dirfd, &st, ctx->spec, err);
    container_state_done(&st);
    return r;
}

static int run_started(struct create_ctx *ctx, int dirfd, int *ret_status, struct brick_error *err)
{
    struct container_state st;
    int r = state_read(dirfd, ctx->opts->id, &st, err);
    if (r < 0)
        return r;
    r = container_started(dirfd, &st, ctx->spec, err);
    container_state_done(&st);
    if (r < 0 || ctx->opts->detach)
        return r;
    int master = -1;
    if (ctx->console_parent >= 0 && recv_fd(ctx->console_parent, &master) < 0)
        master = -1;
    /* Unlock while we wait, so `state`, `kill` and `ps` work meanwhile. */
    flock(dirfd, LOCK_UN);
    *ret_status = foreground_wait(ctx->init_pid, ctx->init_pidfd, master);
    state_lock(dirfd, true);
    return finish(ctx, dirfd, ctx->opts->keep, err);
}

int brick_run(const struct brick_create_opts *opts, int *ret_status, struct brick_error *err)
{
    struct create_ctx ctx = CREATE_CTX_INIT(opts);
    ctx.may_proxy_tty = !opts->detach;
    if (opts->output_log)
        stdio_fill();      /* the init's stdio is made by dup2 onto 0-2 */
    create_take_fds(&ctx); /* before the runtime opens any fd */
    sigset_t old;
    /* Block before the clone so no signal meant for the container is lost;
     * the init restores the mask before execve. */
    foreground_block_signals(&old);
    *ret_status = 0;
    int dirfd = -1;
    int r = create_container(&ctx, true, &dirfd, err);
    if (r >= 0) {
        r = release(&ctx, err);
        if (r < 0) {
            /* Like a failed create: the init exits (or, never released,
             * is killed), nothing stays. */
            struct brick_error ignored;
            if (ctx.init_pidfd < 0 || pidfd_signal(ctx.init_pidfd, SIGKILL) < 0)
                kill(ctx.init_pid, SIGKILL);
            waitpid(ctx.init_pid, NULL, __WALL);
            finish(&ctx, dirfd, false, &ignored);
        } else {
            r = run_started(&ctx, dirfd, ret_status, err);
        }
    }
    if (dirfd >= 0)
        close(dirfd);
    create_ctx_done(&ctx);
    sigprocmask(SIG_SETMASK, &old, NULL);
    return r;
}
