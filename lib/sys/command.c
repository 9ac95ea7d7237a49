/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * command.c - posix_spawn-based tool runner with captured output and a
 * timeout.  The dry-run hook is the one process-wide setting; it exists
 * for tests and is protected by a mutex.
 */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "sys/command.h"
#include "sys/tool_words.h"
#include "util/buf.h"
#include "util/macro.h"

extern char **environ;

static pthread_mutex_t dry_lock = PTHREAD_MUTEX_INITIALIZER;
static __thread int last_exit = -1;
static __thread unsigned last_words;

int storvirt__command_last_exit(void) {
        return last_exit;
}

void storvirt__command_set_exit_status(int status) {
        last_exit = status;
}

unsigned storvirt__command_last_words(void) {
        return last_words;
}

void storvirt__command_set_stderr(const char *tool, const char *text) {
        last_words = storvirt__tool_words(tool, text);
}
static storvirt__command_dry_run_fn dry_fn;
static void *dry_userdata;

void storvirt__command_set_dry_run(storvirt__command_dry_run_fn fn, void *userdata) {
        pthread_mutex_lock(&dry_lock);
        dry_fn = fn;
        dry_userdata = userdata;
        pthread_mutex_unlock(&dry_lock);
}

int storvirt__command_find(const char *tool, char **ret_path) {
        const char *path = getenv("PATH");
        _cleanup_free_ char *copy = NULL;
        char *save = NULL, *dir;

        if (strchr(tool, '/')) {
                if (access(tool, X_OK) < 0)
                        return -ENOENT;
                if (ret_path && !(*ret_path = strdup(tool)))
                        return storvirt__error_oom();
                return 0;
        }
        copy = strdup(path && *path ? path : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        if (!copy)
                return storvirt__error_oom();
        for (dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
                char *full = NULL;
                struct stat st;

                if (asprintf(&full, "%s/%s", dir, tool) < 0)
                        return storvirt__error_oom();
                if (stat(full, &st) == 0 && S_ISREG(st.st_mode) && access(full, X_OK) == 0) {
                        if (ret_path)
                                *ret_path = full;
                        else
                                free(full);
                        return 0;
                }
                free(full);
        }
        return -ENOENT;
}

static long long now_ms(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads both pipes until EOF or the deadline. */
static int collect(int out_fd, int err_fd, long long deadline, struct storvirt__buf *out,
                   struct storvirt__buf *err) {
        struct pollfd p[2] = { { out_fd, POLLIN, 0 }, { err_fd, POLLIN, 0 } };
        char chunk[4096];

        while (p[0].fd >= 0 || p[1].fd >= 0) {
                long long left = deadline - now_ms();
                int n;

                if (deadline > 0 && left <= 0)
                        return -ETIMEDOUT;
                n = poll(p, 2, deadline > 0 ? (int)left : -1);
                if (n < 0 && errno != EINTR)
                        return -errno;
                for (int i = 0; i < 2 && n > 0; i++) {
                        ssize_t k;

                        if (p[i].fd < 0 || !p[i].revents)
                                continue;
                        k = read(p[i].fd, chunk, sizeof(chunk));
                        if (k > 0) {
                                if (storvirt__buf_append(i ? err : out, chunk, (size_t)k) < 0)
                                        return -ENOMEM;
                        } else if (k == 0 || errno != EINTR) {
                                p[i].fd = -1;
                        }
                }
        }
        return 0;
}

static void trim(struct storvirt__buf *b) {
        while (b->len && (b->data[b->len - 1] == '\n' || b->data[b->len - 1] == ' '))
                b->data[--b->len] = '\0';
}

static int spawn_and_wait(char *const argv[], const char *exe, int timeout_ms, char **ret_stdout) {
        posix_spawn_file_actions_t fa;
        struct storvirt__buf out = {}, err = {};
        int po[2] = { -1, -1 }, pe[2] = { -1, -1 }, status = 0, r;
        pid_t pid;

        if (pipe2(po, O_CLOEXEC) < 0 || pipe2(pe, O_CLOEXEC) < 0) {
                r = storvirt__error_set(-errno, "%s: pipe: %s", argv[0], strerror(errno));
                goto out;
        }
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_adddup2(&fa, po[1], 1);
        posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
        r = posix_spawn(&pid, exe, &fa, NULL, argv, environ);
        posix_spawn_file_actions_destroy(&fa);
        close(po[1]);
        close(pe[1]);
        po[1] = pe[1] = -1;
        if (r != 0) {
                r = storvirt__error_set(-r, "%s: cannot run: %s", argv[0], strerror(r));
                goto out;
        }
        r = collect(po[0], pe[0], timeout_ms > 0 ? now_ms() + timeout_ms : 0, &out, &err);
        if (r == -ETIMEDOUT)
                kill(pid, SIGKILL);
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        trim(&err);
        last_exit = r >= 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        if (r >= 0 && (!WIFEXITED(status) || WEXITSTATUS(status) != 0))
                last_words = storvirt__tool_words(argv[0], err.data);
        if (r == -ETIMEDOUT)
                r = storvirt__error_set(-ETIMEDOUT, "%s: timed out after %d ms", argv[0], timeout_ms);
        else if (r < 0)
                r = storvirt__error_set(r, "%s: reading its output: %s", argv[0], strerror(-r));
        else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                r = storvirt__error_set(-EIO, "%s failed (%s %d)%s%s", argv[0],
                                        WIFEXITED(status) ? "exit status" : "signal",
                                        WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
                                        err.len ? ": " : "", err.len ? err.data : "");
        if (r >= 0 && ret_stdout)
                r = storvirt__buf_steal(&out, ret_stdout);
out:
        for (int i = 0; i < 2; i++) {
                if (po[i] >= 0)
                        close(po[i]);
                if (pe[i] >= 0)
                        close(pe[i]);
        }
        storvirt__buf_free(&out);
        storvirt__buf_free(&err);
        return r;
}

int storvirt__command_run(char *const argv[], int timeout_ms, char **ret_stdout) {
        storvirt__command_dry_run_fn fn;
        _cleanup_free_ char *exe = NULL;
        void *ud;
        int r;

        pthread_mutex_lock(&dry_lock);
        fn = dry_fn;
        ud = dry_userdata;
        pthread_mutex_unlock(&dry_lock);
        last_exit = -1;
        last_words = 0;
        if (fn)
                return fn(argv, ret_stdout, ud);
        r = storvirt__command_find(argv[0], &exe);
        if (r == -ENOENT)
                return storvirt__error_set(-ENOENT, "%s is not installed (not found in PATH)", argv[0]);
        if (r < 0)
                return r;
        return spawn_and_wait(argv, exe, timeout_ms, ret_stdout);
}
