/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-lock.c - state directory locks between processes (fork + pipes
 * to order the steps) and between threads of one process: exclusion,
 * shared coexistence, try-lock, bounded waits, a lock file replaced
 * while waiting, and release despite a forked copy of the descriptor.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/error.h"
#include "util/lock.h"

#define EXCL STORVIRT__LOCK_EXCLUSIVE
#define SHARED STORVIRT__LOCK_SHARED

struct scratch {
        char path[64];
        int dirfd;
};

static int setup(void **state) {
        struct scratch *s = calloc(1, sizeof(*s));

        assert_non_null(s);
        strcpy(s->path, "/tmp/storvirt-test-lock-XXXXXX");
        assert_non_null(mkdtemp(s->path));
        s->dirfd = open(s->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(s->dirfd >= 0);
        *state = s;
        return 0;
}

static int teardown(void **state) {
        struct scratch *s = *state;

        unlinkat(s->dirfd, ".lock", 0);
        unlinkat(s->dirfd, "other", 0);
        close(s->dirfd);
        assert_int_equal(rmdir(s->path), 0);
        free(s);
        return 0;
}

static int64_t now_ms(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Run one acquisition in a child process; returns its result (0 or -errno). */
static int child_try(int dirfd, int mode, int timeout_ms) {
        int status;
        pid_t pid = fork();

        assert_true(pid >= 0);
        if (pid == 0) {
                storvirt__lock l = STORVIRT__LOCK_INIT;
                int r = storvirt__lock_acquire(dirfd, ".lock", mode, timeout_ms, &l);

                storvirt__lock_release(&l);
                _exit(-r);
        }
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        return -WEXITSTATUS(status);
}

static bool readable_within(int fd, int ms) {
        struct pollfd p = { .fd = fd, .events = POLLIN };

        return poll(&p, 1, ms) == 1;
}

static void test_exclusive_excludes_process(void **state) {
        struct scratch *s = *state;
        storvirt__lock l = STORVIRT__LOCK_INIT;
        int ready[2], got[2];
        char c;
        pid_t pid;
        int status;

        assert_int_equal(storvirt__lock_acquire(s->dirfd, ".lock", EXCL, 0, &l), 0);
        assert_true(storvirt__lock_held(&l));
        assert_int_equal(child_try(s->dirfd, EXCL, 0), -EBUSY);
        assert_int_equal(child_try(s->dirfd, SHARED, 0), -EBUSY);

        /* A child blocking forever gets the lock only after we release it. */
        assert_int_equal(pipe(ready), 0);
        assert_int_equal(pipe(got), 0);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                storvirt__lock cl = STORVIRT__LOCK_INIT;

                (void) !write(ready[1], "r", 1);
                if (storvirt__lock_acquire(s->dirfd, ".lock", EXCL, -1, &cl) < 0)
                        _exit(1);
                (void) !write(got[1], "g", 1);
                storvirt__lock_release(&cl);
                _exit(0);
        }
        close(ready[1]);
        close(got[1]);
        assert_int_equal(read(ready[0], &c, 1), 1);
        assert_false(readable_within(got[0], 200));
        storvirt__lock_release(&l);
        assert_false(storvirt__lock_held(&l));
        assert_true(readable_within(got[0], 5000));
        assert_int_equal(read(got[0], &c, 1), 1);
        assert_int_equal(c, 'g');
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        close(ready[0]);
        close(got[0]);
        /* free again */
        assert_int_equal(child_try(s->dirfd, EXCL, 0), 0);
}

struct thread_arg {
        int dirfd;
        int mode;
        int timeout_ms;
        int result;
        int64_t elapsed_ms;
        int lock_fd_ino_matches;
};

static void *thread_try(void *p) {
        struct thread_arg *a = p;
        storvirt__lock l = STORVIRT__LOCK_INIT;
        int64_t start = now_ms();
        struct stat st1, st2;

        a->result = storvirt__lock_acquire(a->dirfd, ".lock", a->mode, a->timeout_ms, &l);
        a->elapsed_ms = now_ms() - start;
        if (a->result == 0) {
                a->lock_fd_ino_matches = fstat(l.fd, &st1) == 0 &&
                        fstatat(a->dirfd, ".lock", &st2, 0) == 0 && st1.st_ino == st2.st_ino;
                storvirt__lock_release(&l);
        }
        return NULL;
}

static int thread_run(int dirfd, int mode, int timeout_ms) {
        struct thread_arg a = { .dirfd = dirfd, .mode = mode, .timeout_ms = timeout_ms };
        pthread_t t;

        assert_int_equal(pthread_create(&t, NULL, thread_try, &a), 0);
        assert_int_equal(pthread_join(t, NULL), 0);
        return a.result;
}

static void test_exclusive_excludes_thread(void **state) {
        struct scratch *s = *state;
        storvirt__lock l = STORVIRT__LOCK_INIT, l2 = STORVIRT__LOCK_INIT;

        assert_int_equal(storvirt__lock_acquire(s->dirfd, ".lock", EXCL, 0, &l), 0);
        assert_int_equal(thread_run(s->dirfd, EXCL, 0), -EBUSY);
        assert_int_equal(thread_run(s->dirfd, SHARED, 0), -EBUSY);
        assert_int_equal(thread_run(s->dirfd, EXCL, 50), -ETIMEDOUT);
        /* even the same thread: every acquisition is its own file description */
        assert_int_equal(storvirt__lock_acquire(s->dirfd, ".lock", SHARED, 0, &l2), -EBUSY);
        assert_string_equal(storvirt__error_msg(),
                            "lock '.lock': cannot take a shared lock, it is held elsewhere");
        assert_int_equal(l2.fd, -1);
        storvirt__lock_release(&l);
        assert_int_equal(thread_run(s->dirfd, EXCL, 0), 0);
        /* other lock files are independent */
        assert_int_equal(storvirt__lock_acquire(s->dirfd, ".lock", EXCL, 0, &l), 0);
        assert_int_equal(storvirt__lock_acquire(s->dirfd, "other", EXCL, 0, &l2), 0);
        storvirt__lock_release(&l2);
        storvirt__lock_release(&l);
}

static void test_shared_coexist(void **state) {
        struct scratch *s = *state;
        storvirt__lock a = STORVIRT__LOCK_INIT, b = STORVIRT__LOCK_INIT;

        assert_int_equal(storvirt__lock_acquire(s->dirfd, ".lock", SHARED, 0, &a), 0);
        assert_int_equal(storvirt__lock_acquire(s->dirfd, ".lock", SHARED, 0, &b), 0);
        assert_int_equal(thread_run(s->dirfd, SHARED, 0), 0);
        assert_int_equal(child_try(s->dirfd, SHARED, 0), 0);
        assert_int_equal(child_try(s->dirfd, EXCL, 0), -EBUSY);
        assert_int_equal(thread_run(s->dirfd, EXCL, 0), -EBUSY);
        storvirt__lock_release(&a);
        assert_int_equal(child_try(s->dirfd, EXCL, 0), -EBUSY);
        storvirt__lock_release(&b);
        assert_int_equal(child_try(s->dirfd, EXCL, 0), 0);
        /* release is idempotent and NULL-safe */
        storvirt__lock_release(&b);
        storvirt__lock_release(NULL);
}

static void test_timeout(void **state) {
        struct scratch *s = *state;
        storvirt__lock l = STORVIRT__LOCK_INIT, w = STORVIRT__LOCK_INIT;
        int64_t start, elapsed;

        assert_int_equal(storvirt__lock_acquire(s->dirfd, ".lock", EXCL, 0, &l), 0);
        start = now_ms();
        assert_int_equal(storvirt__lock_acquire(s->dirfd, ".lock", EXCL, 300, &w), -ETIMEDOUT);
        elapsed = now_ms() - start;
        assert_true(elapsed >= 300);
        assert_true(elapsed < 1500);
        assert_string_equal(storvirt__error_msg(),
                            "lock '.lock': timed out after 300 ms waiting for an exclusive lock");
        assert_int_equal(w.fd, -1);

        /* try-once returns at once */
        start = now_ms();
        assert_int_equal(storvirt__lock_acquire(s->dirfd, ".lock", SHARED, 0, &w), -EBUSY);
        assert_true(now_ms() - start < 100);
        storvirt__lock_release(&l);
}

struct delayed_release {
        storvirt__lock *l;
        int delay_ms;
        bool unlink_first;
        int dirfd;
};

static void *release_later(void *p) {
        struct delayed_release *d = p;

        usleep((useconds_t) d->delay_ms * 1000);
        if (d->unlink_first)
                unlinkat(d->dirfd, ".lock", 0);
        storvirt__lock_release(d->l);
        return NULL;
}

static void test_wait_succeeds(void **state) {
        struct scratch *s = *state;
        storvirt__lock l = STORVIRT__LOCK_INIT, w = STORVIRT__LOCK_INIT;
        struct delayed_release d = { .l = &l, .delay_ms = 150 };
        int64_t start;
        pthread_t t;

        assert_int_equal(storvirt__lock_acquire(s->dirfd, ".lock", EXCL, 0, &l), 0);
        assert_int_equal(pthread_create(&t, NULL, release_later, &d), 0);
        start = now_ms();
        assert_int_equal(storvirt__lock_acquire(s->dirfd, ".lock", SHARED, 5000, &w), 0);
        assert_true(now_ms() - start >= 100);
        assert_true(now_ms() - start < 3000);
        assert_int_equal(pthread_join(t, NULL), 0);
        storvirt__lock_release(&w);
}

static void test_replaced_file(void **state) {
        struct scratch *s = *state;
        storvirt__lock l = STORVIRT__LOCK_INIT;
        struct delayed_release d = { .l = &l, .delay_ms = 100, .unlink_first = true,
                                     .dirfd = s->dirfd };
        struct thread_arg a = { .dirfd = s->dirfd, .mode = EXCL, .timeout_ms = 5000 };
        pthread_t t1, t2;

        /* The waiter gets the unlinked file first and must move on to a new one. */
        assert_int_equal(storvirt__lock_acquire(s->dirfd, ".lock", EXCL, 0, &l), 0);
        assert_int_equal(pthread_create(&t1, NULL, thread_try, &a), 0);
        usleep(20 * 1000);
        assert_int_equal(pthread_create(&t2, NULL, release_later, &d), 0);
        assert_int_equal(pthread_join(t2, NULL), 0);
        assert_int_equal(pthread_join(t1, NULL), 0);
        assert_int_equal(a.result, 0);
        assert_true(a.lock_fd_ino_matches);
}

static void test_release_despite_fork(void **state) {
        struct scratch *s = *state;
        storvirt__lock l = STORVIRT__LOCK_INIT;
        int hold[2], status;
        char c;
        pid_t pid;

        assert_int_equal(storvirt__lock_acquire(s->dirfd, ".lock", EXCL, 0, &l), 0);
        assert_int_equal(pipe(hold), 0);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                /* keeps a copy of the lock descriptor until the pipe closes */
                close(hold[1]);
                (void) !read(hold[0], &c, 1);
                _exit(0);
        }
        close(hold[0]);
        storvirt__lock_release(&l);
        assert_int_equal(thread_run(s->dirfd, EXCL, 0), 0);
        close(hold[1]);
        assert_int_equal(waitpid(pid, &status, 0), pid);
}

static void test_bad_arguments(void **state) {
        struct scratch *s = *state;
        storvirt__lock l = STORVIRT__LOCK_INIT;

        assert_int_equal(storvirt__lock_acquire(s->dirfd, "a/b", EXCL, 0, &l), -EINVAL);
        assert_string_equal(storvirt__error_msg(), "invalid lock name 'a/b': contains '/'");
        assert_int_equal(storvirt__lock_acquire(s->dirfd, ".lock", 3, 0, &l), -EINVAL);
        assert_int_equal(storvirt__lock_acquire(s->dirfd, ".lock", EXCL, -2, &l), -EINVAL);
        assert_int_equal(storvirt__lock_acquire(s->dirfd, ".lock", EXCL, 0, NULL), -EINVAL);
        assert_int_equal(storvirt__lock_acquire(-1, ".lock", EXCL, 0, &l), -EBADF);
        assert_string_equal(storvirt__error_msg(),
                            "lock '.lock': cannot open: Bad file descriptor");
        assert_int_equal(mkdirat(s->dirfd, "other", 0700), 0);
        assert_int_equal(storvirt__lock_acquire(s->dirfd, "other", SHARED, 0, &l), -EISDIR);
        assert_int_equal(unlinkat(s->dirfd, "other", AT_REMOVEDIR), 0);
        assert_int_equal(l.fd, -1);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_exclusive_excludes_process, setup, teardown),
                cmocka_unit_test_setup_teardown(test_exclusive_excludes_thread, setup, teardown),
                cmocka_unit_test_setup_teardown(test_shared_coexist, setup, teardown),
                cmocka_unit_test_setup_teardown(test_timeout, setup, teardown),
                cmocka_unit_test_setup_teardown(test_wait_succeeds, setup, teardown),
                cmocka_unit_test_setup_teardown(test_replaced_file, setup, teardown),
                cmocka_unit_test_setup_teardown(test_release_despite_fork, setup, teardown),
                cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
