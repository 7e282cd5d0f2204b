/* sync.h — the typed messages between the runtime (parent) and the container
 * processes over a SOCK_SEQPACKET socketpair: one message per packet, so no
 * framing; an error travels as a whole struct brick_error.
 *
 *   parent (P)                   stage-1 (C, only when needed)   init (G)
 *                           <-   USERMAP(pid)
 *   write uid/gid maps      ->   USERMAP_DONE
 *                           <-   INIT_PID(pid of G)
 *   (only with id-mapped mounts, once per mount: rootfs/idmap.c)
 *                           <----------------------------------  IDMAP(index) + the tree's fd
 *   MOUNT_ATTR_IDMAP        ---------------------------------->  IDMAP_DONE
 *   (with a user namespace, once per plain bind mount: rootfs.h)
 *                           <----------------------------------  SOURCE(1 or 0)
 *   open it (if 1)          ---------------------------------->  SOURCE_DONE + the fd
 *   GO(host pid of G)       ---------------------------------->  (setup, mounts)
 *   (only with prestart/createRuntime hooks)
 *                           <----------------------------------  MOUNTS_READY
 *   run hooks               ---------------------------------->  HOOKS_DONE
 *                           <----------------------------------  CREATED(n)
 *   (n = 2 only with opts->on_created: the init's net and user namespace
 *    fds follow, one packet each)
 *   START (run, or `start` through exec.sock) ---------------->  exec; EOF = success
 *   any stage may send ERROR instead and exit. */
#ifndef BRICK_RUNTIME_SYNC_H
#define BRICK_RUNTIME_SYNC_H

#include <brick/brick.h>
#include <stdint.h>

enum sync_type {
    SYNC_ERROR = 1,
    SYNC_USERMAP,
    SYNC_USERMAP_DONE,
    SYNC_INIT_PID,
    SYNC_GO,
    SYNC_MOUNTS_READY,
    SYNC_HOOKS_DONE,
    SYNC_CREATED,
    SYNC_START,
    SYNC_IDMAP, /* value: mount index; the next packet carries the tree's fd */
    SYNC_IDMAP_DONE,
    SYNC_SOURCE,      /* value: 1 open the bind source of the next such mount for me, 0 no need */
    SYNC_SOURCE_DONE, /* the next packet carries the source's O_PATH fd */
};

struct sync_msg {
    int32_t type;
    int32_t value;
    struct brick_error err;
};

int sync_send(int fd, enum sync_type type, int32_t value);
int sync_send_error(int fd, const struct brick_error *err);
/* Receive one message; -EPIPE on EOF. */
int sync_recv(int fd, struct sync_msg *msg);
/* Receive and require type; an ERROR message is copied into err and returned
 * as its code; anything else is a protocol error. */
int sync_expect(int fd, enum sync_type type, int32_t *ret_value, struct brick_error *err);

#endif
