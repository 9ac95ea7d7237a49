/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-blockdev.c - block device discovery against a umockdev testbed
 * (tests/scripts/gen-testbed.py fixture): exact GUIDs for each VPD 0x83
 * designator type, multipath paths grouped under their map, the offline
 * path's state, iSCSI session details, NVMe, partitions as children,
 * loop devices.  Runs as `umockdev-run -d TESTBED -- test-blockdev EXPECT`.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sys/blockdev.h"

static const char *expect_path;

static struct storvirt__blk_lun *find(struct storvirt__blk_scan *s, const char *name) {
        for (size_t i = 0; i < s->n_luns; i++)
                if (strcmp(s->luns[i].name, name) == 0)
                        return &s->luns[i];
        fail_msg("no LUN named %s", name);
        return NULL;
}

static bool path_is_lun(struct storvirt__blk_scan *s, const char *name) {
        for (size_t i = 0; i < s->n_luns; i++)
                if (strcmp(s->luns[i].name, name) == 0)
                        return true;
        return false;
}

static void check_line(struct storvirt__blk_scan *s, char *line) {
        char kind[16], name[32], a[256] = "", b[512] = "";
        struct storvirt__blk_lun *l;

        if (sscanf(line, "%15s %31s %255s %511s", kind, name, a, b) < 2)
                return;
        l = find(s, name);
        if (strcmp(kind, "disk") == 0) {
                assert_string_equal(l->guid, a);
                assert_false(l->multipath);
                assert_int_equal(l->n_paths, 1);
                assert_int_equal(l->capacity, 2097152ull * 512);
                assert_int_equal(l->physical_block_size, 4096);
                assert_string_equal(l->vendor, "LIO-ORG");
                assert_non_null(l->serial);
                assert_int_equal(strncmp(l->serial, "SER", 3), 0);
        } else if (strcmp(kind, "map") == 0) {
                char *save = NULL, *p;
                size_t n = 0;

                assert_true(l->multipath);
                assert_string_equal(l->guid, a);
                assert_string_equal(l->dm_name, a);
                assert_string_equal(l->devtype, "iscsi");
                for (p = strtok_r(b, ",", &save); p; p = strtok_r(NULL, ",", &save), n++) {
                        bool found = false;
                        for (size_t k = 0; k < l->n_paths; k++) {
                                struct storvirt__blk_path *pa = &l->paths[k];
                                if (strcmp(pa->name, p) != 0)
                                        continue;
                                found = true;
                                assert_string_equal(pa->transport, "iscsi");
                                assert_non_null(pa->iscsi_target);
                                assert_int_equal(strncmp(pa->iscsi_target, "iqn.2026-11.example:target", 26), 0);
                                assert_non_null(pa->iscsi_portal);
                                assert_int_equal(pa->iscsi_tpgt, 1);
                                assert_true(pa->lun >= 0);
                        }
                        assert_true(found);
                        assert_false(path_is_lun(s, p)); /* grouped, not listed alone */
                }
                assert_int_equal(l->n_paths, n);
        } else if (strcmp(kind, "nvme") == 0) {
                assert_string_equal(l->devtype, "nvme");
                assert_int_equal(l->logical_block_size, 4096);
                assert_true(l->guid[0] != '\0');
        } else if (strcmp(kind, "loop") == 0) {
                assert_string_equal(l->loop_backing, a);
                assert_string_equal(l->devtype, "loop");
        }
}

static void test_fixture(void **st) {
        struct storvirt__blk_scan *s = NULL;
        char line[1024];
        FILE *f;

        (void)st;
        assert_int_equal(storvirt__blk_scan(&s), 0);
        f = fopen(expect_path, "r");
        assert_non_null(f);
        while (fgets(line, sizeof(line), f))
                check_line(s, line);
        fclose(f);
        /* 5 single disks + 3 maps + nvme + the attached loop; loop1 is not. */
        assert_int_equal(s->n_luns, 10);
        assert_false(path_is_lun(s, "loop1"));
        /* Partitions are children, not LUNs. */
        assert_false(path_is_lun(s, "sda1"));
        assert_non_null(find(s, "sda")->partitions);
        assert_string_equal(find(s, "sda")->partitions[0], "sda1");
        /* The offline path of the 3-path map keeps its state. */
        {
                struct storvirt__blk_lun *m = find(s, "dm-1");
                bool offline = false;
                for (size_t k = 0; k < m->n_paths; k++)
                        offline |= strcmp(m->paths[k].state, "offline") == 0;
                assert_true(offline);
        }
        storvirt__blk_scan_free(s);
}

int main(int argc, char **argv) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_fixture),
        };

        if (argc < 2) {
                fprintf(stderr, "usage: umockdev-run -d TESTBED -- test-blockdev EXPECT\n");
                return 77;
        }
        expect_path = argv[1];
        return cmocka_run_group_tests(tests, NULL, NULL);
}
