/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * command.h - running a host tool (qemu-img, mount, mkfs, iscsiadm...)
 * without a shell: argv only, stdin from /dev/null, stdout captured,
 * stderr captured for the error message, bounded by a timeout.
 *
 * A process-wide "dry run" hook lets tests see the argv a code path
 * would run (for tools that cannot run on the test machine).
 */
#pragma once

#include <stddef.h>

/* 0 if `tool` is found in PATH (or is an absolute executable), else -ENOENT. */
int storvirt__command_find(const char *tool, char **ret_path);

/*
 * Runs argv[0] (looked up in PATH) with argv.  Returns 0 when it exits
 * with status 0; otherwise -EIO (non-zero exit, message includes the
 * tool's stderr), -ETIMEDOUT, -ENOENT (tool missing), -errno.
 * ret_stdout (may be NULL) receives the captured stdout (caller frees).
 */
int storvirt__command_run(char *const argv[], int timeout_ms, char **ret_stdout);

/*
 * The exit status of the last tool storvirt__command_run() ran on this
 * thread: 0..255, or -1 (killed by a signal, timed out, not started).
 * Callers map a tool's documented exit codes (iscsiadm's 24: login
 * authentication failed) to errnos with it.  A dry-run function sets it
 * with storvirt__command_set_exit_status().
 */
int storvirt__command_last_exit(void);
void storvirt__command_set_exit_status(int status);

/*
 * Why the last tool storvirt__command_run() ran on this thread failed,
 * as far as its stderr says: the words of sys/tool_words.h found in it,
 * a mask to test with storvirt__tool_said(); 0 when it succeeded, was
 * not run, or said none of them.  A dry-run function gives the stderr
 * its tool would have written with storvirt__command_set_stderr().
 */
unsigned storvirt__command_last_words(void);
void storvirt__command_set_stderr(const char *tool, const char *text);

/*
 * Test hook: when set, storvirt__command_run() does not execute anything
 * and calls fn with the argv instead; fn's return value is returned.
 */
typedef int (*storvirt__command_dry_run_fn)(char *const argv[], char **ret_stdout,
                                            void *userdata);
void storvirt__command_set_dry_run(storvirt__command_dry_run_fn fn, void *userdata);
