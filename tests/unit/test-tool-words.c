/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-tool-words.c - the messages of host tools the library acts on
 * (sys/tool_words.h): each word is found in its own tool's message and
 * in no other tool's, never in the library's own messages, and
 * storvirt__command_run() reads the words of a failed tool's stderr (a
 * real process: a script in a temporary directory first in PATH).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <storvirt.h>

#include "sys/command.h"
#include "sys/tool_words.h"

#define LVM_NO_VG "  Volume group \"vg0\" not found\n  Cannot process volume group vg0"

static bool said(const char *tool, const char *text, enum storvirt__tool_word w) {
        return storvirt__tool_said(storvirt__tool_words(tool, text), w);
}

static void test_lvm(void **st) {
        (void)st;
        assert_true(said("vgs", LVM_NO_VG, STORVIRT__TOOL_LVM_NO_VG));
        assert_true(said("/usr/sbin/lvs", LVM_NO_VG, STORVIRT__TOOL_LVM_NO_VG));
        /* another lvm2 failure, and a missing tool in the library's words */
        assert_false(said("vgs", "  Failed to find logical volume \"vg0/lv\"",
                          STORVIRT__TOOL_LVM_NO_VG));
        assert_false(said("vgs", "vgs is not installed (not found in PATH)",
                          STORVIRT__TOOL_LVM_NO_VG));
        /* lvm2's words from another program count for nothing */
        assert_false(said("qemu-img", LVM_NO_VG, STORVIRT__TOOL_LVM_NO_VG));
        assert_false(said("my-vgs", LVM_NO_VG, STORVIRT__TOOL_LVM_NO_VG));
        assert_int_equal(storvirt__tool_words("vgs", NULL), 0);
        assert_int_equal(storvirt__tool_words(NULL, LVM_NO_VG), 0);
}

static void test_qemu_img(void **st) {
        static const char msg[] = "qemu-img: /p/a.raw: Unable to get accurate CPU usage";

        (void)st;
        assert_true(said("qemu-img", msg, STORVIRT__TOOL_QEMU_NO_CPU_TIME));
        assert_true(said("/usr/bin/qemu-img", msg, STORVIRT__TOOL_QEMU_NO_CPU_TIME));
        assert_false(said("qemu-img", "qemu-img: /p/a.raw: Could not create '/p/a.raw': "
                                      "Permission denied", STORVIRT__TOOL_QEMU_NO_CPU_TIME));
        assert_false(said("vgs", msg, STORVIRT__TOOL_QEMU_NO_CPU_TIME));
        assert_int_equal(storvirt__tool_words("qemu-img", msg),
                         1u << STORVIRT__TOOL_QEMU_NO_CPU_TIME);
}

static void test_libiscsi(void **st) {
        (void)st;
        assert_true(said("libiscsi", "Invalid target:10.0.0.1:3260:x",
                         STORVIRT__TOOL_ISCSI_BAD_PORTAL));
        assert_true(said("libiscsi", "Failed to resolv 'nohost'", STORVIRT__TOOL_ISCSI_BAD_PORTAL));
        assert_true(said("libiscsi", "Failed to log in: target did not send CHAP_R",
                         STORVIRT__TOOL_ISCSI_MUTUAL_CHAP));
        assert_false(said("libiscsi", "Failed to log in: target did not send CHAP_R",
                          STORVIRT__TOOL_ISCSI_BAD_PORTAL));
        assert_false(said("libiscsi", "connect: Connection refused(111)",
                          STORVIRT__TOOL_ISCSI_BAD_PORTAL));
        assert_false(said("iscsiadm", "Invalid target", STORVIRT__TOOL_ISCSI_BAD_PORTAL));
}

/* A directory first in PATH with a tool "vgs" that writes text to stderr and exits with code. */
static char *fake_tool(char *dir, const char *name, const char *text, int code) {
        char path[512];
        FILE *f;

        assert_non_null(mkdtemp(dir));
        snprintf(path, sizeof(path), "%s/%s", dir, name);
        f = fopen(path, "w");
        assert_non_null(f);
        fprintf(f, "#!/bin/sh\nprintf '%%s\\n' '%s' >&2\nexit %d\n", text, code);
        fclose(f);
        assert_int_equal(chmod(path, 0755), 0);
        return strdup(path);
}

static void test_command_reads_stderr(void **st) {
        char dir[] = "/tmp/storvirt-tool-words-XXXXXX", *tool;
        char *argv[] = { NULL, (char *)"vg0", NULL };
        char *ok[] = { (char *)"true", NULL };

        (void)st;
        tool = fake_tool(dir, "vgs", "  Volume group \"vg0\" not found", 5);
        argv[0] = tool;
        assert_int_equal(storvirt__command_run(argv, 10000, NULL), -EIO);
        assert_int_equal(storvirt__command_last_exit(), 5);
        assert_true(storvirt__tool_said(storvirt__command_last_words(), STORVIRT__TOOL_LVM_NO_VG));
        assert_non_null(strstr(storvirt_error_message(), "not found"));
        /* the next run starts afresh */
        assert_int_equal(storvirt__command_run(ok, 10000, NULL), 0);
        assert_int_equal(storvirt__command_last_words(), 0);
        /* a tool that is not there said nothing, whatever the library's message says */
        argv[0] = (char *)"/nonexistent/vgs";
        assert_int_equal(storvirt__command_run(argv, 10000, NULL), -ENOENT);
        assert_non_null(strstr(storvirt_error_message(), "not found"));
        assert_int_equal(storvirt__command_last_words(), 0);
        unlink(tool);
        rmdir(dir);
        free(tool);
}

/* lvm2 itself, as root: its words for a volume group that does not exist. */
static void test_real_lvm(void **st) {
        char name[64], *argv[] = { (char *)"vgs", name, NULL };

        (void)st;
        if (geteuid() != 0 || system("command -v vgs >/dev/null") != 0) {
                print_message("skipped: needs root and lvm2\n");
                return;
        }
        snprintf(name, sizeof(name), "storvirt-no-vg-%d", (int)getpid());
        assert_int_equal(storvirt__command_run(argv, 60000, NULL), -EIO);
        assert_true(storvirt__tool_said(storvirt__command_last_words(), STORVIRT__TOOL_LVM_NO_VG));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_lvm),
                cmocka_unit_test(test_qemu_img),
                cmocka_unit_test(test_libiscsi),
                cmocka_unit_test(test_command_reads_stderr),
                cmocka_unit_test(test_real_lvm),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
