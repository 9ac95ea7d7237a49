/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-pool-logical.c - logical pools (LVM volume groups).
 *
 * This machine's kernel has no device-mapper, so no logical volume can be
 * created or activated here: the lvm2 commands the backend runs are
 * checked through the command dry-run hook, answered with reports written
 * in lvm2's documented JSON format (thick, thin, thin pool and internal
 * LVs).  What lvm2 can do without device-mapper is done for real, as root:
 * a volume group built on a loop device (pvcreate, vgcreate), started,
 * refreshed from lvm2's own reports, stopped and deleted.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <storvirt.h>

#include "backends/backends.h"
#include "sys/command.h"
#include "util/error.h"
#include "util/strv.h"

static char **ran;
static bool thin_pool_exists;

static const char VGS[] =
        "{\"report\": [{\"vg\": [{\"vg_name\": \"vg0\", \"vg_uuid\": \"aaaa-bbbb\", "
        "\"vg_size\": \"1073741824\", \"vg_free\": \"536870912\"}]}]}";
static const char LVS[] =
        "{\"report\": [{\"lv\": ["
        "{\"lv_name\": \"thick1\", \"lv_uuid\": \"Uu1111-aaaa-bbbb-cccc-dddd-eeee-ffff11\", "
        "\"lv_size\": \"104857600\", \"lv_attr\": \"-wi-a-----\", \"lv_path\": \"/dev/vg0/thick1\", "
        "\"pool_lv\": \"\", \"data_percent\": \"\"},"
        "{\"lv_name\": \"storvirt-thinpool\", \"lv_uuid\": \"Uu2222\", \"lv_size\": \"209715200\", "
        "\"lv_attr\": \"twi-aotz--\", \"lv_path\": \"\", \"pool_lv\": \"\", \"data_percent\": \"10.00\"},"
        "{\"lv_name\": \"thin1\", \"lv_uuid\": \"Uu3333-aaaa-bbbb-cccc-dddd-eeee-ffff33\", "
        "\"lv_size\": \"1073741824\", \"lv_attr\": \"Vwi-a-tz--\", \"lv_path\": \"/dev/vg0/thin1\", "
        "\"pool_lv\": \"storvirt-thinpool\", \"data_percent\": \"25.00\"},"
        "{\"lv_name\": \"[lvol0_pmspare]\", \"lv_uuid\": \"Uu4444\", \"lv_size\": \"4194304\", "
        "\"lv_attr\": \"ewi-------\", \"lv_path\": \"\", \"pool_lv\": \"\", \"data_percent\": \"\"}"
        "]}]}";

static int dry_run(char *const argv[], char **ret_stdout, void *userdata) {
        char *line = NULL;

        (void)userdata;
        assert_int_equal(storvirt__strv_join(argv, " ", &line), 0);
        assert_int_equal(storvirt__strv_push(&ran, line), 0);
        storvirt__command_set_exit_status(0);
        if (strcmp(argv[0], "vgs") == 0 && ret_stdout)
                *ret_stdout = strdup(VGS);
        else if (strcmp(argv[0], "lvs") == 0 && ret_stdout && strstr(line, "/storvirt-thinpool")) {
                if (!thin_pool_exists) {
                        storvirt__command_set_exit_status(5);
                        return storvirt__error_set(-EIO, "lvs failed (exit status 5): Failed to "
                                                         "find logical volume");
                }
                *ret_stdout = strdup("{\"report\": [{\"lv\": [{\"lv_name\": \"storvirt-thinpool\"}]}]}");
        } else if (strcmp(argv[0], "lvs") == 0 && ret_stdout)
                *ret_stdout = strdup(LVS);
        else if (ret_stdout)
                *ret_stdout = strdup("");
        return 0;
}

static storvirt_ctx *ctx_in(char *dir) {
        storvirt_ctx *ctx = NULL;

        assert_non_null(mkdtemp(dir));
        assert_int_equal(storvirt_ctx_new(&ctx, STORVIRT_CTX_NEW_IGNORE_ENV), 0);
        assert_int_equal(storvirt_ctx_set_state_dir(ctx, dir, 0), 0);
        return ctx;
}

static void rm_rf(const char *dir) {
        char cmd[256];

        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        assert_int_equal(system(cmd), 0);
}

static size_t find_ran(const char *line) {
        for (size_t i = 0; ran && ran[i]; i++)
                if (strcmp(ran[i], line) == 0)
                        return i + 1;
        return 0;
}

static void assert_ran(const char *line) {
        if (!find_ran(line)) {
                for (size_t i = 0; ran && ran[i]; i++)
                        print_message("ran: %s\n", ran[i]);
                fail_msg("not run: %s", line);
        }
}

static void test_commands(void **st) {
        char dir[] = "/tmp/storvirt-logical-XXXXXX";
        storvirt_ctx *ctx;
        storvirt_pool *pool = NULL;
        storvirt_volume *vol = NULL, **vols = NULL;
        uint64_t cap = 0, alloc = 0, avail = 0;
        uint32_t state = 0, type = 0;

        (void)st;
        ctx = ctx_in(dir);
        storvirt__command_set_dry_run(dry_run, NULL);
        assert_int_equal(storvirt_pool_define_xml(ctx, "<pool type='logical'><name>vg0</name><source>"
                                                       "<device path='/dev/sdx'/><device path='/dev/sdy'/>"
                                                       "</source><target><path>/dev/vg0</path></target></pool>",
                                                  &pool, 0), 0);
        assert_int_equal(storvirt_pool_build(pool, STORVIRT_POOL_BUILD_OVERWRITE), 0);
        assert_ran("pvcreate -ff -y /dev/sdx");
        assert_ran("pvcreate -ff -y /dev/sdy");
        assert_ran("vgcreate vg0 /dev/sdx /dev/sdy");
        assert_int_equal(storvirt_pool_start(pool, 0), 0);
        assert_ran("vgchange -aly vg0");
        /* the volumes: thick and thin LVs, not the thin pool nor internal LVs */
        {
                size_t n = 0;

                assert_int_equal(storvirt_pool_list_volumes(pool, &vols, &n, 0), 0);
                assert_int_equal(n, 2);
                storvirt_volume_list_free(vols);
        }
        assert_int_equal(storvirt_volume_lookup_by_name(pool, "thin1", &vol), 0);
        assert_string_equal(storvirt_volume_get_key(vol), "Uu3333-aaaa-bbbb-cccc-dddd-eeee-ffff33");
        assert_string_equal(storvirt_volume_get_path(vol), "/dev/vg0/thin1");
        assert_int_equal(storvirt_volume_get_info(vol, &type, &cap, &alloc, NULL), 0);
        assert_int_equal(type, STORVIRT_VOLUME_TYPE_BLOCK);
        assert_int_equal(cap, 1073741824);
        assert_int_equal(alloc, 268435456);     /* 25 % written */
        storvirt_volume_unref(vol);
        assert_int_equal(storvirt_volume_lookup_by_name(pool, "storvirt-thinpool", &vol), -ENOENT);
        assert_int_equal(storvirt_pool_get_info(pool, &state, &cap, &alloc, &avail), 0);
        assert_int_equal(cap, 1073741824);
        assert_int_equal(avail, 536870912);
        assert_int_equal(alloc, 536870912);

        /* thick: one lvcreate */
        storvirt__strv_free(ran);
        ran = NULL;
        assert_int_equal(storvirt_volume_create_xml(pool, "<volume><name>data</name><capacity unit='MiB'>"
                                                          "64</capacity></volume>", &vol, NULL, NULL, 0), 0);
        assert_ran("lvcreate --yes --name data --size 67108864b vg0");
        storvirt_volume_unref(vol);
        /* thin, allocation below capacity, no thin pool yet: the pool, then the thin LV */
        storvirt__strv_free(ran);
        ran = NULL;
        thin_pool_exists = false;
        assert_int_equal(storvirt_volume_create_xml(pool, "<volume><name>sparse</name><capacity unit='GiB'>"
                                                          "8</capacity><allocation unit='MiB'>256</allocation>"
                                                          "</volume>", &vol, NULL, NULL, 0), 0);
        assert_ran("lvcreate --yes --type thin-pool --name storvirt-thinpool --size 268435456b vg0");
        assert_ran("lvcreate --yes --type thin --name sparse --virtualsize 8589934592b "
                   "--thinpool storvirt-thinpool vg0");
        assert_true(find_ran("lvcreate --yes --type thin-pool --name storvirt-thinpool --size 268435456b vg0") <
                    find_ran("lvcreate --yes --type thin --name sparse --virtualsize 8589934592b "
                             "--thinpool storvirt-thinpool vg0"));
        assert_null(strstr(ran[0], "snapshot"));
        storvirt_volume_unref(vol);
        /* with a thin pool: only the thin LV */
        storvirt__strv_free(ran);
        ran = NULL;
        thin_pool_exists = true;
        assert_int_equal(storvirt_volume_create_xml(pool, "<volume><name>sparse2</name><capacity unit='GiB'>"
                                                          "1</capacity><allocation>0</allocation></volume>",
                                                    &vol, NULL, NULL, 0), 0);
        assert_int_equal(find_ran("lvcreate --yes --type thin-pool --name storvirt-thinpool --size 4194304b vg0"),
                         0);
        assert_ran("lvcreate --yes --type thin --name sparse2 --virtualsize 1073741824b "
                   "--thinpool storvirt-thinpool vg0");
        storvirt_volume_unref(vol);
        /* delete a volume, stop, delete the pool */
        assert_int_equal(storvirt_volume_lookup_by_name(pool, "thick1", &vol), 0);
        assert_int_equal(storvirt_volume_delete(vol, 0), 0);
        assert_ran("lvremove -f vg0/thick1");
        storvirt_volume_unref(vol);
        assert_int_equal(storvirt_pool_stop(pool, 0), 0);
        assert_ran("vgchange -aln vg0");
        assert_int_equal(storvirt_pool_delete(pool, 0), 0);
        assert_ran("vgremove -f vg0");
        assert_ran("pvremove /dev/sdy");
        storvirt_pool_unref(pool);
        storvirt__command_set_dry_run(NULL, NULL);
        storvirt__strv_free(ran);
        ran = NULL;
        storvirt_ctx_unref(ctx);
        rm_rf(dir);
}

/* What vgs answers: lvm2's words for a missing VG, or the library's for a missing vgs. */
static enum { VGS_NO_VG, VGS_MISSING } vgs_answer;

static int dry_run_vgs_fails(char *const argv[], char **ret_stdout, void *userdata) {
        (void)userdata;
        storvirt__command_set_exit_status(0);
        if (strcmp(argv[0], "vgs") != 0) {
                if (ret_stdout)
                        *ret_stdout = strdup("");
                return 0;
        }
        if (vgs_answer == VGS_MISSING) {
                /* what storvirt__command_run() says when the tool is not in PATH */
                storvirt__command_set_exit_status(-1);
                return storvirt__error_set(-ENOENT, "vgs is not installed (not found in PATH)");
        }
        storvirt__command_set_exit_status(5);
        storvirt__command_set_stderr("vgs", "  Volume group \"vg0\" not found\n"
                                            "  Cannot process volume group vg0");
        return storvirt__error_set(-EIO, "vgs failed (exit status 5):   Volume group \"vg0\" "
                                         "not found\n  Cannot process volume group vg0");
}

/*
 * A refresh tells a volume group that does not exist (lvm2 says so) from
 * a vgs that could not run: "no volume group" only in the first case.
 */
static void test_no_vg(void **st) {
        char dir[] = "/tmp/storvirt-logical-novg-XXXXXX";
        storvirt_ctx *ctx;
        storvirt_pool *pool = NULL;

        (void)st;
        ctx = ctx_in(dir);
        storvirt__command_set_dry_run(dry_run_vgs_fails, NULL);
        assert_int_equal(storvirt_pool_define_xml(ctx, "<pool type='logical'><name>vg0</name><source>"
                                                       "<device path='/dev/sdx'/></source><target>"
                                                       "<path>/dev/vg0</path></target></pool>",
                                                  &pool, 0), 0);
        vgs_answer = VGS_NO_VG;
        assert_int_equal(storvirt_pool_start(pool, 0), -ENOENT);
        assert_non_null(strstr(storvirt_error_message(), "pool 'vg0': no volume group 'vg0'"));
        vgs_answer = VGS_MISSING;
        assert_int_equal(storvirt_pool_start(pool, 0), -ENOENT);
        if (strstr(storvirt_error_message(), "no volume group"))
                fail_msg("a missing vgs taken for a missing volume group: %s",
                         storvirt_error_message());
        assert_non_null(strstr(storvirt_error_message(), "vgs is not installed"));
        storvirt__command_set_dry_run(NULL, NULL);
        storvirt_pool_unref(pool);
        storvirt_ctx_unref(ctx);
        rm_rf(dir);
}

/* A real volume group on a loop device, as far as lvm2 goes without device-mapper. */
static void test_real_vg(void **st) {
        char dir[] = "/tmp/storvirt-logical-real-XXXXXX", img[128], cmd[512], loop[64] = "", xml[512];
        storvirt_ctx *ctx;
        storvirt_pool *pool = NULL;
        storvirt_volume *vol = NULL;
        uint64_t cap = 0, alloc = 0, avail = 0, vg_size = 0;
        uint32_t state = 0;
        FILE *p;
        int r;

        (void)st;
        if (geteuid() != 0 || system("command -v vgcreate >/dev/null && command -v losetup >/dev/null") != 0) {
                print_message("skipped: needs root, lvm2 and losetup\n");
                return;
        }
        ctx = ctx_in(dir);
        snprintf(img, sizeof(img), "%s/pv.img", dir);
        snprintf(cmd, sizeof(cmd), "truncate -s 64M '%s' && losetup -f --show '%s'", img, img);
        p = popen(cmd, "r");
        assert_non_null(p);
        assert_non_null(fgets(loop, sizeof(loop), p));
        pclose(p);
        loop[strcspn(loop, "\n")] = '\0';
        snprintf(xml, sizeof(xml), "<pool type='logical'><name>storvirt-test-vg%d</name><source>"
                                   "<device path='%s'/></source><target><path>/dev/storvirt-test-vg%d</path>"
                                   "</target></pool>", (int)getpid(), loop, (int)getpid());
        assert_int_equal(storvirt_pool_define_xml(ctx, xml, &pool, 0), 0);
        assert_int_equal(storvirt_pool_build(pool, 0), 0);
        /* find sources: the new VG and its PV, as lvm2 reports them */
        {
                char *src = NULL, want[256];

                assert_int_equal(storvirt_pool_find_sources(ctx, "logical", NULL, &src, 0), 0);
                snprintf(want, sizeof(want), "<device path=\"%s\"/>\n    <name>storvirt-test-vg%d</name>",
                         loop, (int)getpid());
                if (!src || !strstr(src, want))
                        fail_msg("'%s' not in\n%s", want, src ? src : "(null)");
                storvirt_free(src);
                assert_int_equal(storvirt_pool_find_sources(ctx, "dir", NULL, &src, 0), -EOPNOTSUPP);
        }
        /* an empty VG activates without device-mapper */
        r = storvirt_pool_start(pool, 0);
        if (r < 0)
                fail_msg("start: %s", storvirt_error_message());
        assert_int_equal(storvirt_pool_get_info(pool, &state, &cap, &alloc, &avail), 0);
        snprintf(cmd, sizeof(cmd), "vgs --noheadings --units b --nosuffix -o vg_size storvirt-test-vg%d",
                 (int)getpid());
        p = popen(cmd, "r");
        assert_non_null(p);
        assert_int_equal(fscanf(p, "%" SCNu64, &vg_size), 1);
        pclose(p);
        assert_int_equal(cap, vg_size);
        assert_int_equal(avail, vg_size);
        assert_true(cap > 32u << 20);
        if (access("/sys/class/misc/device-mapper", F_OK) != 0) {
                /* lvm2 itself refuses: its message comes through */
                assert_int_equal(storvirt_volume_create_xml(pool, "<volume><name>lv1</name><capacity unit='MiB'>"
                                                                  "8</capacity></volume>", &vol, NULL, NULL, 0),
                                 -EIO);
                assert_non_null(strstr(storvirt_error_message(), "lvcreate"));
        }
        assert_int_equal(storvirt_pool_stop(pool, 0), 0);
        assert_int_equal(storvirt_pool_delete(pool, 0), 0);
        snprintf(cmd, sizeof(cmd), "pvs '%s' >/dev/null 2>&1", loop);
        assert_int_not_equal(system(cmd), 0);           /* the PV label is gone */
        assert_int_equal(storvirt_pool_undefine(pool, 0), 0);
        storvirt_pool_unref(pool);
        snprintf(cmd, sizeof(cmd), "losetup -d '%s'", loop);
        assert_int_equal(system(cmd), 0);
        storvirt_ctx_unref(ctx);
        rm_rf(dir);
}

static int no_dry_run(void **st) {
        (void)st;
        storvirt__command_set_dry_run(NULL, NULL);
        storvirt__strv_free(ran);
        ran = NULL;
        return 0;
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_teardown(test_commands, no_dry_run),
                cmocka_unit_test_teardown(test_no_vg, no_dry_run),
                cmocka_unit_test_setup(test_real_vg, no_dry_run),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
