/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * gfapi-tool.c - puts things on a GlusterFS volume for the gluster pool
 * tests, through libgfapi (what a VM manager's other tools would have
 * written there):
 *
 *     gfapi-tool HOST VOLUME mkdir PATH
 *     gfapi-tool HOST VOLUME put LOCAL-FILE PATH
 *     gfapi-tool HOST VOLUME symlink TARGET PATH
 *     gfapi-tool HOST VOLUME get PATH LOCAL-FILE
 *     gfapi-tool HOST VOLUME chown UID GID PATH
 *     gfapi-tool HOST VOLUME rename PATH NEW-PATH
 *
 * It exits without glfs_fini() (which waits ~10 s for libgfapi's worker
 * threads), after closing every file it opened.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glusterfs/api/glfs.h>

static int fail(const char *what, const char *path) {
        fprintf(stderr, "gfapi-tool: %s '%s': %s\n", what, path, strerror(errno));
        return 1;
}

static int copy(int in, glfs_fd_t *gout, glfs_fd_t *gin, int out) {
        char buf[1 << 16];
        ssize_t n;

        for (;;) {
                n = in >= 0 ? read(in, buf, sizeof(buf)) : glfs_read(gin, buf, sizeof(buf), 0);
                if (n <= 0)
                        return (int)n;
                if ((gout ? glfs_write(gout, buf, (size_t)n, 0) : write(out, buf, (size_t)n)) != n)
                        return -1;
        }
}

static int put(glfs_t *fs, const char *local, const char *path) {
        int in = open(local, O_RDONLY | O_CLOEXEC), r;
        glfs_fd_t *out;

        if (in < 0)
                return fail("open", local);
        out = glfs_creat(fs, path, O_WRONLY | O_TRUNC, 0644);
        if (!out)
                return fail("create", path);
        r = copy(in, out, NULL, -1);
        close(in);
        if (glfs_close(out) < 0 || r < 0)
                return fail("write", path);
        return 0;
}

static int get(glfs_t *fs, const char *path, const char *local) {
        glfs_fd_t *in = glfs_open(fs, path, O_RDONLY);
        int out, r;

        if (!in)
                return fail("open", path);
        out = open(local, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (out < 0)
                return fail("create", local);
        r = copy(-1, NULL, in, out);
        glfs_close(in);
        if (close(out) < 0 || r < 0)
                return fail("read", path);
        return 0;
}

int main(int argc, char **argv) {
        glfs_t *fs;

        if (argc < 5) {
                fprintf(stderr, "usage: gfapi-tool HOST VOLUME "
                                "mkdir|put|symlink|rename|get|chown ARGS...\n");
                return 2;
        }
        fs = glfs_new(argv[2]);
        if (!fs || glfs_set_volfile_server(fs, "tcp", argv[1], 24007) < 0)
                return fail("volume", argv[2]);
        glfs_set_logging(fs, "/dev/null", 0);
        if (glfs_init(fs) < 0)
                return fail("init", argv[2]);
        if (strcmp(argv[3], "mkdir") == 0)
                return glfs_mkdir(fs, argv[4], 0755) < 0 ? fail("mkdir", argv[4]) : 0;
        if (argc == 6 && strcmp(argv[3], "put") == 0)
                return put(fs, argv[4], argv[5]);
        if (argc == 6 && strcmp(argv[3], "get") == 0)
                return get(fs, argv[4], argv[5]);
        if (argc == 6 && strcmp(argv[3], "symlink") == 0)
                return glfs_symlink(fs, argv[4], argv[5]) < 0 ? fail("symlink", argv[5]) : 0;
        if (argc == 6 && strcmp(argv[3], "rename") == 0)
                return glfs_rename(fs, argv[4], argv[5]) < 0 ? fail("rename", argv[5]) : 0;
        if (argc == 7 && strcmp(argv[3], "chown") == 0)
                return glfs_chown(fs, argv[6], (uid_t)strtoul(argv[4], NULL, 10),
                                  (gid_t)strtoul(argv[5], NULL, 10)) < 0 ?
                               fail("chown", argv[6]) : 0;
        fprintf(stderr, "gfapi-tool: unknown command '%s'\n", argv[3]);
        return 2;
}
