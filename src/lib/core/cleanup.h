/* cleanup.h — scope-bound resource release (the one small set brick uses).
 *
 * Every destructor accepts the "empty" value (NULL, or a negative fd) so a
 * variable can be declared, conditionally filled and always cleaned up.
 * TAKE_PTR()/TAKE_FD() hand ownership out of a scope and leave the empty value
 * behind so the destructor does nothing. */
#ifndef BRICK_CORE_CLEANUP_H
#define BRICK_CORE_CLEANUP_H

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void freep(void *p) { free(*(void **)p); }
static inline void closep(int *fd)
{
    if (*fd >= 0) {
        int saved = errno;
        close(*fd);
        errno = saved;
    }
}
static inline void fclosep(FILE **f)
{
    if (*f)
        fclose(*f);
}
static inline void closedirp(DIR **d)
{
    if (*d)
        closedir(*d);
}
void strv_free(char **v);
static inline void strv_freep(char ***v) { strv_free(*v); }

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)
#define _cleanup_fclose_ _cleanup_(fclosep)
#define _cleanup_closedir_ _cleanup_(closedirp)
#define _cleanup_strv_ _cleanup_(strv_freep)

#define TAKE_PTR(p)                                                                                          \
    ({                                                                                                       \
        __typeof__(p) _tp = (p);                                                                             \
        (p) = NULL;                                                                                          \
        _tp;                                                                                                 \
    })
#define TAKE_FD(fd)                                                                                          \
    ({                                                                                                       \
        int _tf = (fd);                                                                                      \
        (fd) = -EBADF;                                                                                       \
        _tf;                                                                                                 \
    })

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
