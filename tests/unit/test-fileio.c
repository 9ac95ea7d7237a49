/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-fileio.c - atomic replace (content, mode, failure paths leaving
 * the old file and no temporary behind), bounded reads, mkdir -p and
 * name validation.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/error.h"
#include "util/bigmem.h"
#include "util/fileio.h"

struct scratch {
        char path[64];
        int dirfd;
};

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f) {
        chmod(p, 0700);
        return remove(p);
}

static int setup(void **state) {
        struct scratch *s = calloc(1, sizeof(*s));

        assert_non_null(s);
        strcpy(s->path, "/tmp/storvirt-test-fileio-XXXXXX");
        assert_non_null(mkdtemp(s->path));
        s->dirfd = open(s->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(s->dirfd >= 0);
        storvirt__error_reset();
        *state = s;
        return 0;
}

static int teardown(void **state) {
        struct scratch *s = *state;

        close(s->dirfd);
        chmod(s->path, 0700);
        nftw(s->path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
        free(s);
        return 0;
}

/* Number of directory entries (other than . and ..). */
static int count_entries(int dirfd) {
        DIR *d = fdopendir(dup(dirfd));
        struct dirent *de;
        int n = 0;

        assert_non_null(d);
        rewinddir(d);
        while ((de = readdir(d)))
                if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
                        n++;
        closedir(d);
        return n;
}

static void assert_content(int dirfd, const char *name, const char *expected) {
        char *data = NULL;
        size_t len = 0;

        assert_int_equal(storvirt__file_read_all(dirfd, name, 1 << 20, &data, &len), 0);
        assert_int_equal(len, strlen(expected));
        assert_string_equal(data, expected);
        free(data);
}

static void test_write_creates_and_replaces(void **state) {
        struct scratch *s = *state;
        struct stat st;

        assert_int_equal(storvirt__file_write_atomic(s->dirfd, "state.json", "first", 5, 0640), 0);
        assert_content(s->dirfd, "state.json", "first");
        assert_int_equal(fstatat(s->dirfd, "state.json", &st, 0), 0);
        assert_int_equal(st.st_mode & 07777, 0640);

        assert_int_equal(storvirt__file_write_atomic(s->dirfd, "state.json", "second!", 7, 0600), 0);
        assert_content(s->dirfd, "state.json", "second!");
        assert_int_equal(fstatat(s->dirfd, "state.json", &st, 0), 0);
        assert_int_equal(st.st_mode & 07777, 0600);

        /* empty content is fine, NULL data with len 0 too */
        assert_int_equal(storvirt__file_write_atomic(s->dirfd, "state.json", NULL, 0, 0600), 0);
        assert_content(s->dirfd, "state.json", "");
        assert_int_equal(count_entries(s->dirfd), 1);
}

static void test_write_at_fdcwd(void **state) {
        struct scratch *s = *state;
        int cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

        assert_true(cwd >= 0);
        assert_int_equal(fchdir(s->dirfd), 0);
        assert_int_equal(storvirt__file_write_atomic(AT_FDCWD, "cwdfile", "abc", 3, 0644), 0);
        assert_int_equal(fchdir(cwd), 0);
        close(cwd);
        assert_content(s->dirfd, "cwdfile", "abc");
        assert_int_equal(count_entries(s->dirfd), 1);
}

static void test_write_long_name(void **state) {
        struct scratch *s = *state;
        char name[256];

        memset(name, 'n', 255);
        name[255] = '\0';
        /* the temporary name must be shortened to fit NAME_MAX */
        assert_int_equal(storvirt__file_write_atomic(s->dirfd, name, "x", 1, 0600), 0);
        assert_content(s->dirfd, name, "x");
        assert_int_equal(count_entries(s->dirfd), 1);
}

/* Through a temporary file of a known name: an old one of that name is replaced, none is left. */
static void test_write_via(void **state) {
        struct scratch *s = *state;
        struct stat st;
        int fd;

        fd = openat(s->dirfd, ".rec.new", O_CREAT | O_WRONLY, 0644);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, "half", 4), 4);
        close(fd);
        assert_int_equal(storvirt__file_write_atomic_via(s->dirfd, "rec", ".rec.new", "whole", 5, 0600), 0);
        assert_content(s->dirfd, "rec", "whole");
        assert_int_equal(fstatat(s->dirfd, "rec", &st, 0), 0);
        assert_int_equal(st.st_mode & 07777, 0600);
        assert_int_equal(count_entries(s->dirfd), 1);
        assert_int_equal(storvirt__file_write_atomic_via(s->dirfd, "rec", "rec", "x", 1, 0600), -EINVAL);
        assert_int_equal(storvirt__file_write_atomic_via(s->dirfd, "rec", "a/b", "x", 1, 0600), -EINVAL);
        assert_content(s->dirfd, "rec", "whole");
}

static void test_write_bad_names(void **state) {
        struct scratch *s = *state;
        char name[257];

        assert_int_equal(storvirt__file_write_atomic(s->dirfd, "a/b", "x", 1, 0600), -EINVAL);
        assert_string_equal(storvirt__error_msg(), "invalid file name 'a/b': contains '/'");
        assert_int_equal(storvirt__file_write_atomic(s->dirfd, "/etc/passwd", "x", 1, 0600),
                         -EINVAL);
        assert_int_equal(storvirt__file_write_atomic(s->dirfd, "..", "x", 1, 0600), -EINVAL);
        assert_string_equal(storvirt__error_msg(), "invalid file name '..': reserved name");
        assert_int_equal(storvirt__file_write_atomic(s->dirfd, "", "x", 1, 0600), -EINVAL);
        assert_string_equal(storvirt__error_msg(), "invalid file name '': empty");
        assert_int_equal(storvirt__file_write_atomic(s->dirfd, NULL, "x", 1, 0600), -EINVAL);
        memset(name, 'n', 256);
        name[256] = '\0';
        assert_int_equal(storvirt__file_write_atomic(s->dirfd, name, "x", 1, 0600), -EINVAL);
        assert_non_null(strstr(storvirt__error_msg(), "longer than 255 bytes"));
        /* bad arguments */
        assert_int_equal(storvirt__file_write_atomic(s->dirfd, "f", NULL, 1, 0600), -EINVAL);
        assert_int_equal(storvirt__file_write_atomic(s->dirfd, "f", "x", 1, 0100000), -EINVAL);
        assert_int_equal(count_entries(s->dirfd), 0);
}

static void test_write_rename_failure(void **state) {
        struct scratch *s = *state;

        /* A non-empty directory cannot be replaced by a file. */
        assert_int_equal(mkdirat(s->dirfd, "dir", 0700), 0);
        assert_int_equal(storvirt__file_write_atomic(s->dirfd, "dir/inner", NULL, 0, 0600), -EINVAL);
        assert_int_equal(mkdirat(s->dirfd, "dir/sub", 0700), 0);
        assert_int_equal(storvirt__file_write_atomic(s->dirfd, "dir", "x", 1, 0600), -EISDIR);
        assert_string_equal(storvirt__error_msg(), "file 'dir': cannot replace: Is a directory");
        assert_int_equal(count_entries(s->dirfd), 1);
}

static void test_write_fsize_limit(void **state) {
        struct scratch *s = *state;
        struct rlimit old, small = { .rlim_cur = 4, .rlim_max = RLIM_INFINITY };
        void (*old_handler)(int);

        assert_int_equal(storvirt__file_write_atomic(s->dirfd, "big", "old", 3, 0600), 0);
        /* The file size limit makes write(2) fail part way with EFBIG. */
        old_handler = signal(SIGXFSZ, SIG_IGN);
        assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
        small.rlim_max = old.rlim_max;
        assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
        assert_int_equal(storvirt__file_write_atomic(s->dirfd, "big", "new content", 11, 0600),
                         -EFBIG);
        assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
        signal(SIGXFSZ, old_handler);
        assert_string_equal(storvirt__error_msg(),
                            "file 'big': cannot write temporary file: File too large");
        assert_content(s->dirfd, "big", "old");
        assert_int_equal(count_entries(s->dirfd), 1);
}

/*
 * As root, permissions only bind after dropping to an unprivileged
 * user: do the write in a child that does so and report its result
 * and message back through a pipe.
 */
static int write_as_nobody(int dirfd, char *msg, size_t msgsize) {
        int p[2], status, r = 0;
        ssize_t n;
        pid_t pid;

        assert_int_equal(pipe(p), 0);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                close(p[0]);
                if (setgid(65534) < 0 || setuid(65534) < 0)
                        _exit(3);
                r = storvirt__file_write_atomic(dirfd, "ro", "new", 3, 0600);
                (void) !write(p[1], &r, sizeof(r));
                (void) !write(p[1], storvirt__error_msg(), strlen(storvirt__error_msg()) + 1);
                _exit(0);
        }
        close(p[1]);
        assert_int_equal(read(p[0], &r, sizeof(r)), sizeof(r));
        n = read(p[0], msg, msgsize - 1);
        assert_true(n > 0);
        msg[n] = '\0';
        close(p[0]);
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        return r;
}

static void test_write_readonly_dir(void **state) {
        struct scratch *s = *state;

        assert_int_equal(storvirt__file_write_atomic(s->dirfd, "ro", "old", 3, 0600), 0);
        assert_int_equal(storvirt__file_write_atomic(-1, "ro", "new", 3, 0600), -EBADF);
        assert_string_equal(storvirt__error_msg(),
                            "file 'ro': cannot create temporary file: Bad file descriptor");
        assert_int_equal(fchmod(s->dirfd, 0555), 0);
        if (geteuid() == 0) {
                char msg[256];

                assert_int_equal(write_as_nobody(s->dirfd, msg, sizeof(msg)), -EACCES);
                assert_string_equal(msg, "file 'ro': cannot create temporary file: "
                                    "Permission denied");
        } else {
                assert_int_equal(storvirt__file_write_atomic(s->dirfd, "ro", "new", 3, 0600),
                                 -EACCES);
        }
        assert_int_equal(fchmod(s->dirfd, 0700), 0);
        assert_content(s->dirfd, "ro", "old");
        assert_int_equal(count_entries(s->dirfd), 1);
}

static void test_read_limits(void **state) {
        struct scratch *s = *state;
        char *data = (char *) "untouched";
        size_t len = 77;

        assert_int_equal(storvirt__file_write_atomic(s->dirfd, "ten", "0123456789", 10, 0600), 0);
        assert_int_equal(storvirt__file_read_all(s->dirfd, "ten", 10, &data, &len), 0);
        assert_int_equal(len, 10);
        assert_string_equal(data, "0123456789");
        free(data);

        data = (char *) "untouched";
        len = 77;
        assert_int_equal(storvirt__file_read_all(s->dirfd, "ten", 9, &data, &len), -EFBIG);
        assert_string_equal(storvirt__error_msg(), "file 'ten': larger than the limit of 9 bytes");
        assert_string_equal(data, "untouched");
        assert_int_equal(len, 77);

        /* st_size is 0 for procfs files: the limit must hold while reading */
        assert_int_equal(storvirt__file_read_all(AT_FDCWD, "/proc/self/status", 16, &data, NULL),
                         -EFBIG);
        assert_int_equal(storvirt__file_read_all(AT_FDCWD, "/proc/self/status", 1 << 20,
                                                 &data, &len), 0);
        assert_true(len > 16);
        assert_int_equal(strlen(data), len);
        assert_non_null(strstr(data, "Name:"));
        free(data);
}

/* Large files read once: in huge-page memory, whole, NUL-terminated, limits kept. */
static void test_read_big(void **state) {
        struct scratch *s = *state;
        size_t sizes[] = { 10, 600 << 10 }, len = 0, alloc = 0;
        char *data = NULL, *want;

        for (size_t k = 0; k < 2; k++) {
                want = malloc(sizes[k]);
                assert_non_null(want);
                for (size_t i = 0; i < sizes[k]; i++)
                        want[i] = (char)('a' + i % 26);
                assert_int_equal(storvirt__file_write_atomic(s->dirfd, "big", want, sizes[k],
                                                             0600), 0);
                assert_int_equal(storvirt__file_read_owned_big(s->dirfd, "big", 1 << 20, &data,
                                                               &len, &alloc), 0);
                assert_int_equal(len, sizes[k]);
                assert_true(alloc >= len + 1);
                assert_memory_equal(data, want, len);
                assert_int_equal(data[len], '\0');
                storvirt__bigmem_free(data, alloc);
                free(want);
        }
        assert_int_equal(storvirt__file_read_owned_big(s->dirfd, "big", 1000, &data, &len,
                                                       &alloc), -EFBIG);
        assert_int_equal(storvirt__file_read_owned_big(s->dirfd, "none", 1000, &data, &len,
                                                       &alloc), -ENOENT);
        assert_int_equal(storvirt__file_read_owned_big(s->dirfd, "big", 1 << 20, &data, &len,
                                                       NULL), -EINVAL);
}

static void test_read_refuses_special(void **state) {
        struct scratch *s = *state;
        char *data = NULL;

        assert_int_equal(storvirt__file_read_all(s->dirfd, "missing", 100, &data, NULL), -ENOENT);
        assert_string_equal(storvirt__error_msg(),
                            "file 'missing': cannot open: No such file or directory");
        assert_int_equal(symlinkat("/etc/passwd", s->dirfd, "link"), 0);
        assert_int_equal(storvirt__file_read_all(s->dirfd, "link", 1 << 20, &data, NULL), -EINVAL);
        assert_string_equal(storvirt__error_msg(), "file 'link': is a symbolic link");
        assert_int_equal(mkfifoat(s->dirfd, "fifo", 0600), 0);
        /* must not hang waiting for a writer */
        assert_int_equal(storvirt__file_read_all(s->dirfd, "fifo", 100, &data, NULL), -EINVAL);
        assert_string_equal(storvirt__error_msg(), "file 'fifo': not a regular file");
        assert_int_equal(mkdirat(s->dirfd, "d", 0700), 0);
        assert_int_equal(storvirt__file_read_all(s->dirfd, "d", 100, &data, NULL), -EINVAL);
        assert_null(data);
        assert_int_equal(storvirt__file_read_all(s->dirfd, "", 100, &data, NULL), -EINVAL);
}

static void test_mkdir_p(void **state) {
        struct scratch *s = *state;
        char path[512], file[256];
        mode_t old = umask(022);
        struct stat st;

        snprintf(path, sizeof(path), "%s/a//b/c/", s->path);
        assert_int_equal(storvirt__mkdir_p(path, 0750), 0);
        snprintf(path, sizeof(path), "%s/a/b/c", s->path);
        assert_int_equal(stat(path, &st), 0);
        assert_true(S_ISDIR(st.st_mode));
        assert_int_equal(st.st_mode & 07777, 0750);
        snprintf(path, sizeof(path), "%s/a", s->path);
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0750);
        /* existing: fine, mode untouched */
        assert_int_equal(storvirt__mkdir_p(path, 0700), 0);
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0750);
        /* umask applies like mkdir(2) */
        snprintf(path, sizeof(path), "%s/u", s->path);
        assert_int_equal(storvirt__mkdir_p(path, 0777), 0);
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0755);
        umask(old);

        /* a file in the way */
        assert_int_equal(storvirt__file_write_atomic(s->dirfd, "f", "x", 1, 0600), 0);
        snprintf(file, sizeof(file), "%s/f", s->path);
        snprintf(path, sizeof(path), "%s/f/g", s->path);
        assert_int_equal(storvirt__mkdir_p(path, 0700), -ENOTDIR);
        snprintf(path, sizeof(path), "'%s' exists and is not a directory", file);
        assert_string_equal(storvirt__error_msg(), path);
        assert_int_equal(storvirt__mkdir_p(file, 0700), -ENOTDIR);
        assert_int_equal(storvirt__mkdir_p("", 0700), -EINVAL);
        assert_int_equal(storvirt__mkdir_p("/", 0700), 0);
}

static void test_name_check(void **state) {
        char buf[16];

        assert_int_equal(storvirt__name_check("pool", "default"), 0);
        assert_int_equal(storvirt__name_check("pool", "a b.c-d_e"), 0);
        assert_int_equal(storvirt__name_check("pool", ".hidden"), 0);
        assert_int_equal(storvirt__name_check("pool", "bad\x01'\\/x"), -EINVAL);
        assert_string_equal(storvirt__error_msg(),
                            "invalid pool name 'bad\\x01\\'\\\\/x': contains '/'");
        assert_int_equal(storvirt__name_check("volume", "."), -EINVAL);
        assert_string_equal(storvirt__error_msg(), "invalid volume name '.': reserved name");
        assert_int_equal(storvirt__name_check("record", "a\nb"), -EINVAL);
        assert_string_equal(storvirt__error_msg(),
                            "invalid record name 'a\\x0ab': contains a control character");
        assert_int_equal(storvirt__name_check("record", "\x7f"), -EINVAL);
        assert_int_equal(storvirt__name_check("record", "tab\there"), -EINVAL);
        assert_int_equal(storvirt__name_check("volume", NULL), -EINVAL);
        assert_string_equal(storvirt__error_msg(), "invalid volume name: missing");

        /* escaping truncates with "..." and never splits an escape */
        assert_string_equal(storvirt__name_escape("short", buf, sizeof(buf)), "short");
        assert_string_equal(storvirt__name_escape("0123456789abcde", buf, sizeof(buf)),
                            "0123456789abcde");
        assert_string_equal(storvirt__name_escape("0123456789abcdef", buf, sizeof(buf)),
                            "0123456789ab...");
        assert_string_equal(storvirt__name_escape("0123456789\x01\x02", buf, sizeof(buf)),
                            "0123456789...");
        assert_string_equal(storvirt__name_escape("\xc3\xa9", buf, sizeof(buf)), "\\xc3\\xa9");
        assert_string_equal(storvirt__name_escape(NULL, buf, sizeof(buf)), "(null)");
}

/* The temporary files of atomic writes are recognised, nothing else. */
static void test_is_temp(void **state) {
        (void)state;
        assert_true(storvirt__file_is_temp(".p1.xml.Ab12Cd"));
        assert_true(storvirt__file_is_temp("..boot_id.abcdef"));
        assert_true(storvirt__file_is_temp(".x.000000"));
        assert_false(storvirt__file_is_temp(".lock"));
        assert_false(storvirt__file_is_temp(".boot_id"));
        assert_false(storvirt__file_is_temp("p1.xml.Ab12Cd"));
        assert_false(storvirt__file_is_temp(".p1.xml.Ab12C-"));
        assert_false(storvirt__file_is_temp("..abcdef"));
        assert_false(storvirt__file_is_temp(".p1.xmlAb12Cd"));
        assert_false(storvirt__file_is_temp(""));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_is_temp),
                cmocka_unit_test_setup_teardown(test_write_creates_and_replaces, setup, teardown),
                cmocka_unit_test_setup_teardown(test_write_at_fdcwd, setup, teardown),
                cmocka_unit_test_setup_teardown(test_write_long_name, setup, teardown),
                cmocka_unit_test_setup_teardown(test_write_via, setup, teardown),
                cmocka_unit_test_setup_teardown(test_write_bad_names, setup, teardown),
                cmocka_unit_test_setup_teardown(test_write_rename_failure, setup, teardown),
                cmocka_unit_test_setup_teardown(test_write_fsize_limit, setup, teardown),
                cmocka_unit_test_setup_teardown(test_write_readonly_dir, setup, teardown),
                cmocka_unit_test_setup_teardown(test_read_limits, setup, teardown),
                cmocka_unit_test_setup_teardown(test_read_big, setup, teardown),
                cmocka_unit_test_setup_teardown(test_read_refuses_special, setup, teardown),
                cmocka_unit_test_setup_teardown(test_mkdir_p, setup, teardown),
                cmocka_unit_test(test_name_check),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
