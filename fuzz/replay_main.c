/* replay_main.c — run fuzz inputs through a target without libFuzzer, so the
 * corpus doubles as a regression test on any compiler. Arguments are files
 * or directories (every regular file inside is replayed). */
#include "core/cleanup.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
    _cleanup_fclose_ FILE *f = fopen(path, "rbe");
    if (!f) {
        perror(path);
        return -1;
    }
    size_t cap = 4096, len = 0;
    uint8_t *buf = malloc(cap);
    size_t n;
    while (buf && (n = fread(buf + len, 1, cap - len, f)) > 0) {
        len += n;
        if (len == cap)
            buf = realloc(buf, cap *= 2);
    }
    if (!buf)
        abort();
    LLVMFuzzerTestOneInput(buf, len);
    free(buf);
    return 0;
}

static int replay(const char *path, int *count)
{
    struct stat st;
    if (stat(path, &st) < 0) {
        perror(path);
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        (*count)++;
        return replay_file(path);
    }
    _cleanup_closedir_ DIR *d = opendir(path);
    if (!d) {
        perror(path);
        return -1;
    }
    int r = 0;
    for (struct dirent *de; (de = readdir(d));) {
        if (de->d_name[0] == '.')
            continue;
        char sub[4096];
        snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
        if (replay(sub, count) < 0)
            r = -1;
    }
    return r;
}

int main(int argc, char **argv)
{
    int count = 0, r = 0;
    for (int i = 1; i < argc; i++)
        if (replay(argv[i], &count) < 0)
            r = 1;
    printf("replayed %d inputs\n", count);
    return r || count == 0;
}
