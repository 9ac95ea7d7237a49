/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-connection.c - storage connections without a network: our JSON
 * and VDSM's connectStorageServer parameters, ids, every refusal, the
 * secrets (kept in mode 0600 files, redacted everywhere else, scrubbed
 * from a tool's error output), holders, and undefine refusals.
 *
 * This machine has no kernel iSCSI initiator and no NFS server: the
 * iscsiadm and mount(8) command lines the kernel-iSCSI and NFS connectors
 * build are checked through the command dry-run hook instead of being
 * run (the hook makes the node record "iscsiadm --op=new" would make, in
 * a scratch open-iscsi database, for the CHAP settings to go into).  A
 * POSIX filesystem is mounted for real (a loop device with ext4) when the
 * test runs as root.  iSCSI through libiscsi against a real target is
 * tested in test_example_direct_lun.py and test_cli_iscsi.py; the kernel
 * connector with a stub iscsiadm in test_cli_connection.py.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <storvirt.h>

#include "objects/records.h"
#include "sys/command.h"
#include "sys/mount.h"
#include "util/fileio.h"
#include "util/macro.h"
#include "util/strv.h"

#define SECRET "Very-Secret-7e21b4"
#define MUTUAL "Mutual-Secret-93c1d0"
#define IQN "iqn.2026-11.org.example:storage.t1"

static char base[64], state[128], iscsi_db[128], iscsi_lock[128];


/* ---- the command dry-run: what would have run ---------------------------------------------- */

static char **ran;              /* one line per command, argv joined by ' ' */
static int fail_with_status;    /* a tool's exit status to fake for the next command, or 0 */
static const char *fail_match;  /* ... only for a command containing this */
static bool echo_secret;        /* the failing tool "prints" what it was given */
static bool no_node_record;     /* "iscsiadm --op=new" leaves no node record */

/*
 * What "iscsiadm -m node -T T -p PORTAL[,TPGT] [-I IFACE] --op=new" leaves
 * in open-iscsi's node database: <db>/nodes/T/<addr>,<port>,<tpgt>/<iface>,
 * or the older <db>/nodes/T/<addr>,<port> file without a tpgt; mode 0644.
 */
static void fake_node_new(char *const argv[]) {
        const char *target = NULL, *portal = NULL, *iface = "default";
        char addr[300], path[1024], *p;
        int port = 3260, tpgt = -1, fd;

        for (size_t i = 0; argv[i]; i++) {
                if (!strcmp(argv[i], "-T"))
                        target = argv[i + 1];
                else if (!strcmp(argv[i], "-p"))
                        portal = argv[i + 1];
                else if (!strcmp(argv[i], "-I"))
                        iface = argv[i + 1];
        }
        if (!target || !portal)
                fail_msg("iscsiadm --op=new without -T or -p");
        snprintf(addr, sizeof(addr), "%s", portal[0] == '[' ? portal + 1 : portal);
        if ((p = strrchr(addr, ',')) && !strchr(p, ']')) {
                tpgt = atoi(p + 1);
                *p = '\0';
        }
        p = portal[0] == '[' ? strchr(addr, ']') : strrchr(addr, ':');
        if (p) {
                if (*p == ']')
                        *p++ = '\0';
                if (*p == ':')
                        port = atoi(p + 1);
                *p = '\0';
        }
        snprintf(path, sizeof(path), "mkdir -p '%s/nodes/%s'", iscsi_db, target);
        assert_int_equal(system(path), 0);
        if (tpgt >= 0) {
                snprintf(path, sizeof(path), "%s/nodes/%s/%s,%d,%d", iscsi_db, target, addr, port, tpgt);
                (void)mkdir(path, 0750);
                snprintf(path + strlen(path), sizeof(path) - strlen(path), "/%s", iface);
        } else {
                snprintf(path, sizeof(path), "%s/nodes/%s/%s,%d", iscsi_db, target, addr, port);
        }
        fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
        assert_true(fd >= 0);
        dprintf(fd, "# BEGIN RECORD 2.1.8\nnode.name = %s\nnode.tpgt = %d\n"
                    "node.session.auth.authmethod = None\nnode.conn[0].address = %s\n"
                    "node.conn[0].port = %d\n# END RECORD\n", target, tpgt, addr, port);
        close(fd);
}

static int dry_run(char *const argv[], char **ret_stdout, void *userdata) {
        char *line = NULL;

        (void)userdata;
        assert_int_equal(storvirt__strv_join(argv, " ", &line), 0);
        if (!strcmp(argv[0], "iscsiadm") && strstr(line, "--op=new") && !no_node_record)
                fake_node_new(argv);
        assert_int_equal(storvirt__strv_push(&ran, line), 0);
        if (ret_stdout)
                *ret_stdout = strdup("");
        if (fail_with_status && (!fail_match || strstr(line, fail_match))) {
                storvirt__command_set_exit_status(fail_with_status);
                return storvirt__error_set(-EIO, "%s failed (exit status %d): %s", argv[0],
                                           fail_with_status,
                                           echo_secret ? "bad value " SECRET " for node" : "no");
        }
        storvirt__command_set_exit_status(0);
        return 0;
}

static int setup(void **st) {
        (void)st;
        snprintf(base, sizeof(base), "/tmp/storvirt-conn.XXXXXX");
        if (!mkdtemp(base))
                return -1;
        snprintf(state, sizeof(state), "%s/state", base);
        snprintf(iscsi_db, sizeof(iscsi_db), "%s/iscsi", base);
        snprintf(iscsi_lock, sizeof(iscsi_lock), "%s/lock", base);
        setenv("STORVIRT_ISCSI_DB_ROOT", iscsi_db, 1);
        setenv("STORVIRT_ISCSI_LOCK_DIR", iscsi_lock, 1);
        storvirt__command_set_dry_run(dry_run, NULL);
        fail_with_status = 0;
        fail_match = NULL;
        echo_secret = false;
        no_node_record = false;
        return 0;
}

static int teardown(void **st) {
        char cmd[256];

        (void)st;
        storvirt__command_set_dry_run(NULL, NULL);
        storvirt__strv_free(ran);
        ran = NULL;
        snprintf(cmd, sizeof(cmd), "umount -q '%s'/state/mnt/* 2>/dev/null; rm -rf '%s'", base, base);
        return system(cmd) == 0 ? 0 : -1;
}

static storvirt_ctx *ctx_open(void) {
        storvirt_ctx *ctx = NULL;

        assert_int_equal(storvirt_ctx_new(&ctx, STORVIRT_CTX_NEW_IGNORE_ENV), 0);
        assert_int_equal(storvirt_ctx_set_state_dir(ctx, state, 0), 0);
        return ctx;
}

static storvirt_connection *define_one(storvirt_ctx *ctx, const char *json) {
        storvirt_connection *c = NULL;
        char **ids = NULL;

        if (storvirt_connection_define(ctx, json, &ids, 0) < 0)
                fail_msg("define %s: %s", json, storvirt_error_message());
        assert_int_equal(storvirt__strv_length(ids), 1);
        assert_int_equal(storvirt_connection_lookup(ctx, ids[0], &c), 0);
        storvirt_strv_free(ids);
        return c;
}

/* Fails when the password is in any file of the state directory but secrets/. */
static void assert_secret_only_in_secrets(const char *dir, int *found) {
        struct dirent *de;
        DIR *d = opendir(dir);

        assert_non_null(d);
        while ((de = readdir(d))) {
                char path[1024], buf[65536];
                struct stat st;
                ssize_t n;
                int fd;

                if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
                        continue;
                snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
                assert_int_equal(lstat(path, &st), 0);
                if (S_ISDIR(st.st_mode)) {
                        assert_secret_only_in_secrets(path, found);
                        continue;
                }
                fd = open(path, O_RDONLY);
                assert_true(fd >= 0);
                n = read(fd, buf, sizeof(buf) - 1);
                close(fd);
                assert_true(n >= 0);
                buf[n] = 0;
                if (strstr(buf, SECRET) || strstr(buf, MUTUAL)) {
                        if (!strstr(path, "/secrets/"))
                                fail_msg("a secret is in %s", path);
                        assert_int_equal(st.st_mode & 0777, 0600);
                        (*found)++;
                }
        }
        closedir(d);
}

static void test_own_forms(void **st) {
        storvirt_ctx *ctx = ctx_open();
        storvirt_connection *c;
        char *json = NULL, **ids = NULL, **again = NULL, path[256];
        struct stat sb;
        int found = 0;

        (void)st;
        c = define_one(ctx, "{\"type\": \"iscsi\", \"portal\": \"10.0.0.5\", \"target\": \"" IQN "\", "
                            "\"lun\": 3, \"user\": \"host1\", \"password\": \"" SECRET "\", "
                            "\"mutual_user\": \"array\", \"mutual_password\": \"" MUTUAL "\", "
                            "\"initiator\": \"iqn.2026-11.org.example:host1\", \"iface\": \"eth1\"}");
        assert_int_equal(storvirt_connection_get_type(c), STORVIRT_CONNECTION_ISCSI);
        assert_string_equal(storvirt_connection_get_param(c, "host"), "10.0.0.5");
        assert_string_equal(storvirt_connection_get_param(c, "port"), "3260");
        assert_string_equal(storvirt_connection_get_param(c, "lun"), "3");
        assert_string_equal(storvirt_connection_get_param(c, "driver"), "kernel");
        assert_string_equal(storvirt_connection_get_param(c, "mutual_user"), "array");
        assert_null(storvirt_connection_get_param(c, "password"));
        assert_int_equal(storvirt_error_errno(), EPERM);
        assert_null(storvirt_connection_get_param(c, "mutual_password"));
        assert_null(storvirt_connection_get_param(c, "tpgt"));
        assert_int_equal(storvirt_error_errno(), ENOENT);
        assert_null(storvirt_connection_get_param(c, "bogus"));
        assert_int_equal(storvirt_error_errno(), EINVAL);
        assert_int_equal(storvirt_connection_get_json(c, &json, 0), 0);
        assert_non_null(strstr(json, "\"password\":\"********\""));
        assert_non_null(strstr(json, "\"mutual_password\":\"********\""));
        assert_non_null(strstr(json, "\"portal\":\"10.0.0.5:3260\""));
        assert_non_null(strstr(json, "\"connected\":false"));
        assert_null(strstr(json, SECRET));
        storvirt_free(json);
        assert_int_equal(storvirt_connection_get_json(c, &json, STORVIRT_CONNECTION_JSON_VDSM), 0);
        assert_non_null(strstr(json, "\"connection\":\"10.0.0.5\""));
        assert_non_null(strstr(json, "\"iqn\":\"" IQN "\""));
        assert_non_null(strstr(json, "\"domainType\":3"));
        assert_non_null(strstr(json, "\"password\":\"********\""));
        storvirt_free(json);

        /* the id is the name-based UUID of the parameters: defining again changes nothing */
        assert_int_equal(storvirt_connection_define(ctx,
                         "[{\"type\": \"nfs\", \"export\": \"srv:/exports/a\", \"version\": \"4.2\"},"
                         " {\"type\": \"posixfs\", \"spec\": \"/dev/sdz1\", \"vfstype\": \"xfs\", "
                         "  \"options\": \"noatime\"},"
                         " {\"type\": \"localfs\", \"path\": \"/srv/images\", \"id\": \"local-1\"},"
                         " {\"type\": \"fcp\"}]", &ids, 0), 0);
        assert_int_equal(storvirt__strv_length(ids), 4);
        assert_string_equal(ids[2], "local-1");
        assert_int_equal(storvirt_connection_define(ctx,
                         "[{\"type\": \"nfs\", \"export\": \"srv:/exports/a\", \"version\": \"4.2\"}]",
                         &again, 0), 0);
        assert_string_equal(again[0], ids[0]);
        storvirt_strv_free(again);
        {
                storvirt_connection **all = NULL;
                size_t n = 0;

                assert_int_equal(storvirt_connection_list(ctx, &all, &n, 0), 0);
                assert_int_equal(n, 5);
                storvirt_connection_list_free(all);
        }
        /* the secrets: in their own 0600 files, nowhere else */
        snprintf(path, sizeof(path), "%s/secrets", state);
        assert_int_equal(stat(path, &sb), 0);
        assert_int_equal(sb.st_mode & 0777, 0700);
        assert_secret_only_in_secrets(state, &found);
        assert_int_equal(found, 1);
        storvirt_strv_free(ids);
        storvirt_connection_unref(c);
        storvirt_ctx_unref(ctx);
}

static void test_vdsm_forms(void **st) {
        storvirt_ctx *ctx = ctx_open();
        storvirt_connection *c = NULL;
        char **ids = NULL;

        (void)st;
        assert_int_equal(storvirt_connection_define(ctx,
                         "{\"storagepoolID\": \"00000000-0000-0000-0000-000000000000\", \"domainType\": 3,"
                         " \"connectionParams\": [{\"id\": \"6ff47b34-8b29-4a8c-9ae6-4b3c4f1b5e0a\","
                         "  \"connection\": \"192.168.1.20\", \"port\": \"3261\", \"iqn\": \"" IQN "\","
                         "  \"tpgt\": \"2\", \"user\": \"\", \"password\": \"\", \"ifaceName\": \"default\"}]}",
                         &ids, 0), 0);
        assert_string_equal(ids[0], "6ff47b34-8b29-4a8c-9ae6-4b3c4f1b5e0a");
        assert_int_equal(storvirt_connection_lookup(ctx, ids[0], &c), 0);
        assert_string_equal(storvirt_connection_get_param(c, "port"), "3261");
        assert_string_equal(storvirt_connection_get_param(c, "tpgt"), "2");
        assert_string_equal(storvirt_connection_get_param(c, "iface"), "default");
        assert_null(storvirt_connection_get_param(c, "user"));
        storvirt_connection_unref(c);
        storvirt_strv_free(ids);

        assert_int_equal(storvirt_connection_define(ctx,
                         "[{\"domainType\": \"NFS\", \"connectionParams\": [{\"id\": \"n1\","
                         "  \"connection\": \"nfs1:/export/data\", \"protocol_version\": \"auto\","
                         "  \"retrans\": 6, \"timeout\": 600, \"mnt_options\": \"rsize=65536\"}]},"
                         " {\"domainType\": 6, \"connectionParams\": [{\"id\": \"p1\", \"connection\":"
                         "  \"gl1:/vol\", \"vfs_type\": \"ceph\"}]},"
                         " {\"domainType\": 4, \"connectionParams\": [{\"id\": \"l1\", \"connection\":"
                         "  \"/data/local\"}]},"
                         " {\"domainType\": 2, \"connectionParams\": [{\"id\": \"f1\"}]}]", &ids, 0), 0);
        assert_int_equal(storvirt__strv_length(ids), 4);
        assert_int_equal(storvirt_connection_lookup(ctx, "n1", &c), 0);
        assert_int_equal(storvirt_connection_get_type(c), STORVIRT_CONNECTION_NFS);
        assert_string_equal(storvirt_connection_get_param(c, "export"), "nfs1:/export/data");
        assert_string_equal(storvirt_connection_get_param(c, "version"), "auto");
        assert_string_equal(storvirt_connection_get_param(c, "options"), "rsize=65536");
        assert_string_equal(storvirt_connection_get_param(c, "retrans"), "6");
        storvirt_connection_unref(c);
        assert_int_equal(storvirt_connection_lookup(ctx, "p1", &c), 0);
        assert_string_equal(storvirt_connection_get_param(c, "vfstype"), "ceph");
        storvirt_connection_unref(c);
        assert_int_equal(storvirt_connection_lookup(ctx, "f1", &c), 0);
        assert_int_equal(storvirt_connection_get_type(c), STORVIRT_CONNECTION_FCP);
        storvirt_connection_unref(c);
        storvirt_strv_free(ids);
        storvirt_ctx_unref(ctx);
}

static void expect_error(storvirt_ctx *ctx, const char *json, int err, const char *msg) {
        char **ids = NULL;
        int r = storvirt_connection_define(ctx, json, &ids, 0);

        if (r != err)
                fail_msg("define %s: %d (%s), expected %d", json, r, storvirt_error_message(), err);
        if (!strstr(storvirt_error_message(), msg))
                fail_msg("define %s: message '%s' lacks '%s'", json, storvirt_error_message(), msg);
        assert_null(strstr(storvirt_error_message(), SECRET));
        assert_null(ids);
}

static void test_refusals(void **st) {
        storvirt_ctx *ctx = ctx_open();
        storvirt_connection **all = NULL;
        size_t n = 9;

        (void)st;
        expect_error(ctx, "{\"type\": \"iscsi\", \"portal\": \"h\", \"target\": \"" IQN "\", \"secret\": 1}",
                     -EINVAL, "connection 1: unknown field 'secret'");
        expect_error(ctx, "{\"type\": \"iscsi\", \"portal\": \"h\", \"target\": \"target1\"}",
                     -EINVAL, "field 'target': 'target1' is not an iSCSI name");
        expect_error(ctx, "{\"type\": \"iscsi\", \"portal\": \"h:99999\", \"target\": \"" IQN "\", "
                          "\"user\": \"u\", \"password\": \"" SECRET "\"}",
                     -EINVAL, "field 'portal': 'h:99999': port must be a number 1-65535");
        expect_error(ctx, "{\"type\": \"iscsi\", \"portal\": \"fe80::1\", \"target\": \"" IQN "\"}",
                     -EINVAL, "an IPv6 address goes in brackets");
        expect_error(ctx, "{\"type\": \"iscsi\", \"portal\": \"h\", \"target\": \"" IQN "\", \"user\": \"u\"}",
                     -EINVAL, "CHAP needs both 'user' and 'password' (no password given)");
        expect_error(ctx, "{\"type\": \"iscsi\", \"portal\": \"h\", \"target\": \"" IQN "\", "
                          "\"password\": \"" SECRET "\"}",
                     -EINVAL, "a password without a user");
        expect_error(ctx, "{\"type\": \"iscsi\", \"portal\": \"h\", \"target\": \"" IQN "\", "
                          "\"mutual_user\": \"t\", \"mutual_password\": \"" SECRET "\"}",
                     -EINVAL, "needs one-way CHAP");
        expect_error(ctx, "{\"type\": \"iscsi\", \"target\": \"" IQN "\"}", -EINVAL, "needs a portal");
        expect_error(ctx, "{\"type\": \"iscsi\", \"portal\": \"h\", \"target\": \"" IQN "\", "
                          "\"driver\": \"magic\"}", -EINVAL, "field 'driver': 'magic' is not a driver");
        expect_error(ctx, "{\"type\": \"nfs\", \"export\": \"/no/server\"}", -EINVAL,
                     "'/no/server' is not an NFS export");
        expect_error(ctx, "{\"type\": \"nfs\", \"export\": \"s:/e\", \"version\": \"5\"}", -EINVAL,
                     "'5' is not an NFS version");
        expect_error(ctx, "{\"type\": \"nfs\", \"export\": \"s:/e\", \"path\": \"/x\"}", -EINVAL,
                     "(not a field of nfs connections)");
        expect_error(ctx, "{\"type\": \"posixfs\", \"spec\": \"/dev/sdb1\", \"vfstype\": \"\"}", -EINVAL,
                     "field 'vfstype': must not be empty");
        expect_error(ctx, "{\"type\": \"localfs\", \"path\": \"relative\"}", -EINVAL, "is not absolute");
        expect_error(ctx, "{\"type\": \"glusterfs\"}", -EINVAL,
                     "a glusterfs connection needs a spec (server:/volume)");
        expect_error(ctx, "{\"type\": \"glusterfs\", \"spec\": \"gl1\"}", -EINVAL,
                     "field 'spec': 'gl1' is not a GlusterFS volume (server:/volume)");
        expect_error(ctx, "{\"type\": \"glusterfs\", \"spec\": \"gl1:/\"}", -EINVAL,
                     "field 'spec': 'gl1:/': the volume name must be 1-64 characters");
        expect_error(ctx, "{\"type\": \"glusterfs\", \"spec\": \"gl1:/v$1\"}", -EINVAL,
                     "the volume name may hold letters, digits, '-', '_' and '.' only");
        expect_error(ctx, "{\"type\": \"glusterfs\", \"spec\": \"gl1:/v/../x\"}", -EINVAL,
                     "the subdirectory may not hold '.' or '..'");
        expect_error(ctx, "{\"type\": \"glusterfs\", \"spec\": \"-gl:/v\"}", -EINVAL,
                     "a label of the host name starts with '-'");
        expect_error(ctx, "{\"type\": \"glusterfs\", \"spec\": \"gl1:/v\", \"backup_servers\": "
                          "\"gl2::gl3\"}", -EINVAL, "field 'backup_servers': 'gl2::gl3': an empty server");
        expect_error(ctx, "{\"type\": \"glusterfs\", \"spec\": \"gl1:/v\", \"vfstype\": "
                          "\"xfs\"}", -EINVAL, "(not a field of glusterfs connections)");
        expect_error(ctx, "{\"domainType\": 7, \"connectionParams\": [{\"connection\": \"gl1:/v\", "
                          "\"vfs_type\": \"nfs\"}]}", -EINVAL,
                     "field 'vfs_type': 'nfs': a glusterfs connection is mounted as glusterfs");
        expect_error(ctx, "{\"type\": \"tape\"}", -EINVAL, "'tape' is not a connection type");
        expect_error(ctx, "{\"type\": \"localfs\", \"path\": \"/a\", \"id\": \"../x\"}", -EINVAL,
                     "field 'id'");
        expect_error(ctx, "{\"domainType\": 3, \"connectionParams\": [{\"connection\": \"h\", "
                          "\"iqn\": \"" IQN "\", \"port\": 3260, \"user\": \"u\", \"password\": \""
                          SECRET "\", \"mnt_options\": \"ro\"}]}", -EINVAL, "unknown field 'mnt_options'");
        expect_error(ctx, "{\"domainType\": 3, \"connectionParams\": [{\"connection\": \"h\", "
                          "\"iqn\": \"" IQN "\", \"port\": \"x\"}]}", -EINVAL, "field 'port'");
        expect_error(ctx, "{\"domainType\": 1, \"connectionParams\": [{\"connection\": \"s:/e\", "
                          "\"export\": \"s:/e\"}]}", -EINVAL, "are the same field");
        expect_error(ctx, "[{\"type\": \"localfs\", \"path\": \"/a\", \"id\": \"x\"}, "
                          "{\"type\": \"localfs\", \"path\": \"/b\", \"id\": \"x\"}]", -EINVAL,
                     "connections 1 and 2 have the same id 'x' but differ");
        /* a password a node record of the kernel initiator could not hold as it is */
        expect_error(ctx, "{\"type\": \"iscsi\", \"portal\": \"h\", \"target\": \"" IQN "\", "
                          "\"user\": \"u\", \"password\": \"" SECRET "\\nnode.name = x\"}",
                     -EINVAL, "field 'password': has a control character");
        expect_error(ctx, "{\"type\": \"iscsi\", \"portal\": \"h\", \"target\": \"" IQN "\", "
                          "\"user\": \"u\", \"password\": \" " SECRET "\"}",
                     -EINVAL, "field 'password': open-iscsi drops the spaces");
        expect_error(ctx, "{\"type\": \"iscsi\", \"portal\": \"h\", \"target\": \"" IQN "\", "
                          "\"user\": \"u\", \"password\": \"p\", \"mutual_user\": \"m\", "
                          "\"mutual_password\": \"" SECRET " \"}",
                     -EINVAL, "field 'mutual_password': open-iscsi drops the spaces");
        /* names that become file names in open-iscsi's database */
        expect_error(ctx, "{\"type\": \"iscsi\", \"portal\": \"h\", \"target\": "
                          "\"iqn.2026-11.org.example:a/../../b\"}", -EINVAL,
                     "field 'target': 'iqn.2026-11.org.example:a/../../b' has a '/'");
        expect_error(ctx, "{\"type\": \"iscsi\", \"portal\": \"h\", \"target\": \"" IQN "\", "
                          "\"iface\": \"../x\"}", -EINVAL, "field 'iface': '../x' has a '/'");
        expect_error(ctx, "{\"type\": \"iscsi\", \"portal\": \"h\", \"target\": \"" IQN "\", "
                          "\"iface\": \".x\"}", -EINVAL, "field 'iface': '.x' starts with '.'");
        expect_error(ctx, "[]", -EINVAL, "no connection given");
        expect_error(ctx, "{\"type\": ", -EINVAL, "invalid JSON");
        /* all or nothing: a bad second entry stores neither */
        expect_error(ctx, "[{\"type\": \"localfs\", \"path\": \"/a\"}, {\"type\": \"localfs\"}]",
                     -EINVAL, "connection 2: a localfs connection needs a path");
        assert_int_equal(storvirt_connection_list(ctx, &all, &n, 0), 0);
        assert_int_equal(n, 0);
        storvirt_connection_list_free(all);

        /* same id, other parameters */
        assert_int_equal(storvirt_connection_define(ctx, "{\"type\": \"localfs\", \"path\": \"/a\", "
                                                         "\"id\": \"l\"}", NULL, 0), 0);
        expect_error(ctx, "{\"type\": \"localfs\", \"path\": \"/b\", \"id\": \"l\"}", -EEXIST,
                     "exists with other parameters");
        assert_int_equal(storvirt_connection_define(ctx, "{\"type\": \"localfs\", \"path\": \"/b\", "
                                                         "\"id\": \"l\"}", NULL,
                                                    STORVIRT_CONNECTION_DEFINE_REPLACE), 0);
        storvirt_ctx_unref(ctx);
}

/* A JSON definition of an iSCSI connection to portal (no secret). */
static void iscsi_json(char *buf, size_t size, const char *portal) {
        snprintf(buf, size, "{\"type\": \"iscsi\", \"portal\": \"%s\", \"target\": \"" IQN "\"}",
                 portal);
}

/* n characters: labels of 63 'a' joined by '.' (a valid DNS name when n <= 253). */
static void dns_name(char *buf, size_t n) {
        for (size_t i = 0; i < n; i++)
                buf[i] = i % 64 == 63 ? '.' : 'a';
        buf[n] = '\0';
}

/*
 * Portals are limited when parsed, never truncated when stored: a host
 * name of at most 253 characters in labels of at most 63, an IPv6
 * literal in brackets, nothing that could name a path.
 */
static void test_portal_limits(void **st) {
        storvirt_ctx *ctx = ctx_open();
        storvirt_connection *c;
        char host[400], portal[420], json[600];

        (void)st;
        /* an IPv6 portal of 330 characters */
        snprintf(portal, sizeof(portal), "[");
        while (strlen(portal) < 320)
                strcat(portal, "fd00:");
        strcat(portal, ":1]:3260");
        assert_true(strlen(portal) >= 328);
        iscsi_json(json, sizeof(json), portal);
        expect_error(ctx, json, -EINVAL, "field 'portal'");
        expect_error(ctx, json, -EINVAL, "longer than");
        iscsi_json(json, sizeof(json), "[fd00::zz]:3260");
        expect_error(ctx, json, -EINVAL, "'fd00::zz' is not an IPv6 address");
        iscsi_json(json, sizeof(json), "[fe80::1%eth0/x]");
        expect_error(ctx, json, -EINVAL, "field 'portal'");
        dns_name(host, 254);
        iscsi_json(json, sizeof(json), host);
        expect_error(ctx, json, -EINVAL, "longer than 253 characters");
        memset(host, 'b', 64);
        strcpy(host + 64, ".example.org");
        iscsi_json(json, sizeof(json), host);
        expect_error(ctx, json, -EINVAL, "a label longer than 63 characters");
        iscsi_json(json, sizeof(json), "a/../../etc:3260");
        expect_error(ctx, json, -EINVAL, "not a host name or an IPv4 address");
        iscsi_json(json, sizeof(json), "a..b");
        expect_error(ctx, json, -EINVAL, "an empty label");
        iscsi_json(json, sizeof(json), "-a.example.org");
        expect_error(ctx, json, -EINVAL, "field 'portal'");
        /* the same limits in VDSM's form */
        snprintf(json, sizeof(json), "{\"domainType\": 3, \"connectionParams\": [{\"connection\": "
                                     "\"%s\", \"iqn\": \"" IQN "\", \"port\": 3260}]}", "x/y");
        expect_error(ctx, json, -EINVAL, "field 'connection'");

        /* the longest names are stored whole and read back */
        dns_name(host, 253);
        snprintf(portal, sizeof(portal), "%s:65535", host);
        iscsi_json(json, sizeof(json), portal);
        c = define_one(ctx, json);
        assert_string_equal(storvirt_connection_get_param(c, "host"), host);
        storvirt_connection_unref(c);
        iscsi_json(json, sizeof(json), "[0000:0000:0000:0000:0000:ffff:255.255.255.255]:3260");
        c = define_one(ctx, json);
        assert_string_equal(storvirt_connection_get_param(c, "host"),
                            "0000:0000:0000:0000:0000:ffff:255.255.255.255");
        storvirt_connection_unref(c);
        iscsi_json(json, sizeof(json), "[fe80::1%eth0]:3261");
        c = define_one(ctx, json);
        assert_string_equal(storvirt_connection_get_param(c, "host"), "fe80::1%eth0");
        storvirt_connection_unref(c);
        storvirt_ctx_unref(ctx);
}

/*
 * Write <state>/<kind>/<id>.json as an older release, or a writer killed
 * midway, might have left it (in secrets/.txn: <id> as it is).
 */
static void plant(const char *kind, const char *id, const char *text) {
        char path[512];
        int fd;

        snprintf(path, sizeof(path), "%s/%s", state, kind);
        assert_int_equal(storvirt__mkdir_p(path, 0700), 0);
        snprintf(path, sizeof(path), "%s/%s/%s%s", state, kind, id,
                 strstr(kind, ".txn") ? "" : ".json");
        fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0600);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
        close(fd);
}

static bool exists(const char *kind, const char *id) {
        char path[512];

        snprintf(path, sizeof(path), "%s/%s/%s.json", state, kind, id);
        return access(path, F_OK) == 0;
}

/*
 * A record that does not parse (a truncated portal, broken JSON) and a
 * secret whose connection is gone: invisible to lookup and to a plain
 * list, listed with STORVIRT_CONNECTION_LIST_INVALID, and removed by
 * undefine with their secrets.
 */
static void test_undefine_invalid(void **st) {
        storvirt_ctx *ctx;
        storvirt_connection *c = NULL, **all = NULL;
        char *json = NULL;
        size_t n = 9;

        (void)st;
        plant("connections", "trunc", "{\"id\": \"trunc\", \"type\": \"iscsi\", \"portal\": "
                                      "\"[fd00:fd00:fd0\", \"target\": \"" IQN "\", \"user\": \"u\"}");
        plant("secrets", "trunc", "{\"password\": \"" SECRET "\"}");
        plant("connections", "broken", "{\"id\": ");
        ctx = ctx_open();
        assert_int_equal(storvirt_connection_lookup(ctx, "trunc", &c), -EINVAL);
        assert_non_null(strstr(storvirt_error_message(), "is not valid"));
        assert_int_equal(storvirt_connection_list(ctx, &all, &n, 0), 0);
        assert_int_equal(n, 0);
        storvirt_connection_list_free(all);
        assert_int_equal(storvirt_connection_list(ctx, &all, &n, STORVIRT_CONNECTION_LIST_INVALID), 0);
        assert_int_equal(n, 2);
        assert_string_equal(storvirt_connection_get_id(all[0]), "broken");
        assert_string_equal(storvirt_connection_get_id(all[1]), "trunc");
        assert_int_equal(storvirt_connection_get_type(all[1]), 0);
        assert_null(storvirt_connection_get_param(all[1], "host"));
        assert_int_equal(storvirt_connection_get_json(all[1], &json, 0), 0);
        assert_non_null(strstr(json, "\"invalid\":"));
        assert_null(strstr(json, SECRET));
        storvirt_free(json);
        assert_int_equal(storvirt_connection_connect(all[1], NULL, 0, 0), -EINVAL);
        assert_int_equal(storvirt_connection_undefine(all[1], 0), 0);
        assert_false(exists("connections", "trunc"));
        assert_false(exists("secrets", "trunc"));
        assert_int_equal(storvirt_connection_undefine(all[0], 0), 0);
        assert_false(exists("connections", "broken"));
        storvirt_connection_list_free(all);
        assert_int_equal(storvirt_connection_list(ctx, &all, &n, STORVIRT_CONNECTION_LIST_INVALID), 0);
        assert_int_equal(n, 0);
        storvirt_connection_list_free(all);
        assert_int_equal(storvirt_connection_list(ctx, &all, &n, 1u << 7), -EINVAL);
        storvirt_ctx_unref(ctx);
}

/*
 * Fails unless the node record <db>/nodes/<rel> holds exactly these CHAP
 * settings (mutual ones NULL: none), is mode 0600 and has no temporary
 * file beside it, and unless no command line ran held a secret.
 */
static void assert_node_record(const char *rel, const char *user, const char *password,
                               const char *user_in, const char *password_in) {
        char path[1024], want[512], *text = NULL, *dir, *slash;
        struct dirent *de;
        struct stat sb;
        size_t len = 0;
        DIR *d;

        for (char **l = ran; l && *l; l++)
                if (strstr(*l, SECRET) || strstr(*l, MUTUAL))
                        fail_msg("a secret on a command line: %s", *l);
        snprintf(path, sizeof(path), "%s/nodes/%s", iscsi_db, rel);
        assert_int_equal(stat(path, &sb), 0);
        assert_int_equal(sb.st_mode & 0777, 0600);
        assert_int_equal(storvirt__file_read_all(AT_FDCWD, path, 1 << 20, &text, &len), 0);
        assert_non_null(strstr(text, "# BEGIN RECORD"));
        assert_non_null(strstr(text, "node.name = " IQN "\n"));
        assert_non_null(strstr(text, "node.session.auth.authmethod = CHAP\n# END RECORD\n") ||
                        strstr(text, "node.session.auth.authmethod = CHAP\n"));
        assert_null(strstr(text, "authmethod = None"));
        snprintf(want, sizeof(want), "node.session.auth.username = %s\n"
                                     "node.session.auth.password = %s\n", user, password);
        if (!strstr(text, want))
                fail_msg("%s lacks '%s':\n%s", path, want, text);
        if (user_in) {
                snprintf(want, sizeof(want), "node.session.auth.username_in = %s\n"
                                             "node.session.auth.password_in = %s\n",
                         user_in, password_in);
                if (!strstr(text, want))
                        fail_msg("%s lacks '%s':\n%s", path, want, text);
        } else {
                assert_null(strstr(text, "username_in"));
        }
        assert_true(strlen(text) >= 15 &&
                    strcmp(text + strlen(text) - 13, "# END RECORD\n") == 0);
        free(text);
        dir = strdup(path);
        slash = strrchr(dir, '/');
        *slash = '\0';
        d = opendir(dir);
        assert_non_null(d);
        while ((de = readdir(d)))
                if (de->d_name[0] == '.' && strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
                        fail_msg("a temporary file is left in %s: %s", dir, de->d_name);
        closedir(d);
        free(dir);
        snprintf(path, sizeof(path), "%s/lock.write", iscsi_lock);
        assert_int_equal(access(path, F_OK), -1);
}

/* Entries of <state>/<rel> but "." and "..", hidden ones included; -1 when it is missing. */
static int count_in(const char *rel) {
        char path[512];
        struct dirent *de;
        int n = 0;
        DIR *d;

        snprintf(path, sizeof(path), "%s/%s", state, rel);
        d = opendir(path);
        if (!d)
                return -1;
        while ((de = readdir(d)))
                n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
        closedir(d);
        return n;
}

/*
 * What a connection-define killed midway leaves in secrets/.txn: staged
 * files without a journal (never committed: dropped), a journal with some
 * of its files moved into place already (committed: completed), each
 * found by the next reader; and the secrets an older release left
 * without their record, removed the first time.
 */
static void test_define_interrupted(void **st) {
        storvirt_ctx *ctx;
        storvirt_connection *c = NULL, **all = NULL;
        const char *def_a = "{\"id\": \"a\", \"type\": \"iscsi\", \"portal\": \"h1:3260\", "
                            "\"target\": \"" IQN "\", \"user\": \"u\", \"driver\": \"kernel\"}";
        const char *def_b = "{\"id\": \"b\", \"type\": \"localfs\", \"path\": \"/srv\"}";
        const char *sec_a = "{\"password\": \"" SECRET "\"}";
        size_t n = 9;

        (void)st;
        /* an older release's leftovers: a secret whose record is gone, one that has it */
        plant("secrets", "gone", sec_a);
        plant("secrets", "kept", sec_a);
        plant("connections", "kept", "{\"id\": \"kept\", \"type\": \"fcp\"}");
        ctx = ctx_open();
        assert_int_equal(storvirt_connection_list(ctx, &all, &n, STORVIRT_CONNECTION_LIST_INVALID), 0);
        assert_int_equal(n, 1);
        storvirt_connection_list_free(all);
        assert_false(exists("secrets", "gone"));
        assert_true(exists("secrets", "kept"));
        assert_int_equal(count_in("secrets/.txn"), 0);

        /* staged, never committed: dropped, nothing changes */
        plant("secrets/.txn", "0.secret", sec_a);
        plant("secrets/.txn", "0.definition", def_a);
        plant("secrets/.txn", ".journal.Ab12Cd", "{\"changes\": [");
        assert_int_equal(storvirt_connection_lookup(ctx, "a", &c), -ENOENT);
        assert_int_equal(count_in("secrets/.txn"), 0);
        assert_false(exists("secrets", "a"));

        /* committed, the first change's secret moved into place already: completed */
        plant("secrets/.txn", "0.definition", def_a);
        plant("secrets/.txn", "1.definition", def_b);
        plant("secrets", "a", sec_a);
        plant("secrets", "b", sec_a);   /* b has no secret any more: removed */
        plant("secrets/.txn", "journal", "{\"changes\": [{\"id\": \"a\", \"definition\": true, "
                                         "\"secret\": true}, {\"id\": \"b\", \"definition\": true, "
                                         "\"secret\": false}, {\"id\": \"kept\", \"definition\": "
                                         "false, \"secret\": false}]}");
        assert_int_equal(storvirt_connection_lookup(ctx, "a", &c), 0);
        storvirt_connection_unref(c);
        assert_int_equal(count_in("secrets/.txn"), 0);
        assert_true(exists("connections", "a") && exists("secrets", "a"));
        assert_true(exists("connections", "b") && !exists("secrets", "b"));
        assert_false(exists("connections", "kept") || exists("secrets", "kept"));
        assert_int_equal(storvirt_connection_lookup(ctx, "a", &c), 0);
        assert_int_equal(storvirt_connection_connect(c, NULL, 0, 0), 1);   /* its secret is whole */
        storvirt_connection_unref(c);

        /* a damaged journal (one naming a path) is dropped, never carried out */
        plant("secrets/.txn", "journal", "{\"changes\": [{\"id\": \"../b\", \"definition\": false, "
                                         "\"secret\": false}]}");
        assert_int_equal(storvirt_connection_lookup(ctx, "b", &c), 0);
        storvirt_connection_unref(c);
        assert_int_equal(count_in("secrets/.txn"), 0);
        storvirt_ctx_unref(ctx);
}

static const char *ran_at(size_t i) {
        return i < storvirt__strv_length(ran) ? ran[i] : "(nothing)";
}

static void test_kernel_iscsi_commands(void **st) {
        storvirt_ctx *ctx = ctx_open();
        storvirt_connection *c;
        char *json = NULL;
        const char *msg;

        (void)st;
        c = define_one(ctx, "{\"type\": \"iscsi\", \"portal\": \"[fd00::5]:3262\", \"tpgt\": 4, "
                            "\"target\": \"" IQN "\", \"user\": \"host1\", \"password\": \"" SECRET "\", "
                            "\"mutual_user\": \"array\", \"mutual_password\": \"" MUTUAL "\", "
                            "\"iface\": \"iser0\"}");
        assert_int_equal(storvirt_connection_connect(c, "vm-1", 0, 0), 1);
        /* the CHAP settings go into the node record, never on a command line */
        assert_string_equal(ran_at(0), "iscsiadm -m node -T " IQN " -p [fd00::5]:3262,4 -I iser0 --op=new");
        assert_string_equal(ran_at(1), "iscsiadm -m node -T " IQN " -p [fd00::5]:3262,4 -I iser0 --login");
        assert_string_equal(ran_at(2), "iscsiadm -m session -R");
        assert_int_equal(storvirt__strv_length(ran), 3);
        assert_node_record(IQN "/fd00::5,3262,4/iser0", "host1", SECRET, "array", MUTUAL);
        /* a second holder only counts; the first to leave keeps the session */
        assert_int_equal(storvirt_connection_connect(c, "vm-2", 0, 0), 0);
        assert_int_equal(storvirt_connection_connect(c, "vm-2", 0, 0), 0);
        assert_int_equal(storvirt_connection_disconnect(c, "vm-1", 0), 0);
        assert_int_equal(storvirt__strv_length(ran), 3);
        assert_int_equal(storvirt_connection_get_json(c, &json, 0), 0);
        assert_non_null(strstr(json, "\"connected\":true,\"holders\":[\"vm-2\"]"));
        storvirt_free(json);
        assert_int_equal(storvirt_connection_undefine(c, 0), -EBUSY);
        assert_int_equal(storvirt_connection_disconnect(c, "vm-2", 0), 1);
        assert_string_equal(ran_at(3), "iscsiadm -m node -T " IQN " -p [fd00::5]:3262,4 -I iser0 --logout");
        assert_string_equal(ran_at(4), "iscsiadm -m node -T " IQN " -p [fd00::5]:3262,4 -I iser0 --op=delete");
        assert_int_equal(storvirt_connection_disconnect(c, "vm-2", 0), 0);   /* idempotent */

        /* iscsiadm's exit codes: 24 is a refused login; its output never leaks the secret */
        fail_with_status = 24;
        fail_match = "--login";
        echo_secret = true;
        assert_int_equal(storvirt_connection_connect(c, NULL, 0, 0), -EACCES);
        msg = storvirt_error_message();
        assert_non_null(strstr(msg, "authentication failed"));
        assert_non_null(strstr(msg, "********"));
        assert_null(strstr(msg, SECRET));
        /* 15: a session exists already, which is fine */
        fail_with_status = 15;
        assert_int_equal(storvirt_connection_connect(c, NULL, 0, 0), 1);
        fail_with_status = 8;
        fail_match = "--logout";
        assert_int_equal(storvirt_connection_disconnect(c, NULL, 0), -ETIMEDOUT);
        /* a failed teardown keeps the holder list intact for a retry */
        assert_int_equal(storvirt_connection_get_json(c, &json, 0), 0);
        assert_non_null(strstr(json, "\"connected\":true"));
        storvirt_free(json);
        fail_with_status = 0;
        assert_int_equal(storvirt_connection_disconnect(c, NULL, STORVIRT_CONNECTION_FORCE), 1);
        storvirt_connection_unref(c);
        storvirt_ctx_unref(ctx);
}

/*
 * The node record without a tpgt (open-iscsi's older layout: a file named
 * <addr>,<port>), one-way CHAP only; open-iscsi's lock held by another
 * iscsiadm; an iscsiadm that made no record.
 */
static void test_kernel_iscsi_node_record(void **st) {
        storvirt_ctx *ctx = ctx_open();
        storvirt_connection *c;
        char path[512];
        int fd;

        (void)st;
        c = define_one(ctx, "{\"type\": \"iscsi\", \"portal\": \"san1.example.org\", "
                            "\"target\": \"" IQN "\", \"user\": \"host1\", "
                            "\"password\": \"" SECRET "\"}");
        /* another iscsiadm holds open-iscsi's lock: nothing is written, no login */
        assert_int_equal(mkdir(iscsi_lock, 0770), 0);
        snprintf(path, sizeof(path), "%s/lock.write", iscsi_lock);
        fd = open(path, O_CREAT | O_WRONLY, 0600);
        assert_true(fd >= 0);
        close(fd);
        assert_int_equal(storvirt_connection_connect(c, NULL, 300, 0), -ETIMEDOUT);
        assert_non_null(strstr(storvirt_error_message(), "lock.write"));
        assert_int_equal(storvirt__strv_length(ran), 1);
        assert_int_equal(access(path, F_OK), 0);        /* not ours to remove */
        assert_int_equal(unlink(path), 0);
        /* the lock free */
        assert_int_equal(storvirt_connection_connect(c, NULL, 0, 0), 1);
        assert_string_equal(ran_at(2), "iscsiadm -m node -T " IQN " -p san1.example.org:3260 --login");
        assert_node_record(IQN "/san1.example.org,3260", "host1", SECRET, NULL, NULL);
        assert_int_equal(storvirt_connection_disconnect(c, NULL, 0), 1);
        /* an iscsiadm that leaves no record: a clear error, no login */
        no_node_record = true;
        snprintf(path, sizeof(path), "rm -rf '%s/nodes'", iscsi_db);
        assert_int_equal(system(path), 0);
        storvirt__strv_free(ran);
        ran = NULL;
        assert_int_equal(storvirt_connection_connect(c, NULL, 0, 0), -ENOENT);
        assert_non_null(strstr(storvirt_error_message(), "no node record"));
        assert_int_equal(storvirt__strv_length(ran), 1);
        storvirt_connection_unref(c);
        storvirt_ctx_unref(ctx);
}

static void test_mount_commands(void **st) {
        storvirt_ctx *ctx = ctx_open();
        storvirt_connection *nfs, *posix, *fcp, *local;
        char want[512], dir[256], **ids = NULL, *json = NULL;

        (void)st;
        /* a space is not part of an export: refused before anything runs */
        assert_int_equal(storvirt_connection_define(ctx, "{\"type\": \"nfs\", \"export\": "
                                                         "\"s:/a b\"}", &ids, 0), -EINVAL);
        assert_null(ids);
        assert_int_equal(storvirt__strv_length(ran), 0);

        nfs = define_one(ctx, "{\"type\": \"nfs\", \"export\": \"nfs1.example.org:/exports/vm\", "
                              "\"version\": \"4.1\", \"timeout\": 600, \"options\": \"rsize=1048576\"}");
        assert_int_equal(storvirt_connection_connect(nfs, NULL, 0, 0), 1);
        snprintf(want, sizeof(want), "mount -t nfs nfs1.example.org:/exports/vm "
                 "%s/mnt/nfs1.example.org:_exports_vm -o soft,nosharecache,timeo=600,retrans=3,"
                 "vers=4.1,rsize=1048576", state);
        assert_string_equal(ran_at(0), want);
        snprintf(dir, sizeof(dir), "%s/mnt/nfs1.example.org:_exports_vm", state);
        assert_int_equal(access(dir, F_OK), 0);
        assert_int_equal(storvirt_connection_get_json(nfs, &json, 0), 0);
        assert_non_null(strstr(json, dir));
        storvirt_free(json);
        assert_int_equal(storvirt_connection_disconnect(nfs, NULL, 0), 1);
        snprintf(want, sizeof(want), "umount %s", dir);
        assert_string_equal(ran_at(1), want);

        posix = define_one(ctx, "{\"type\": \"posixfs\", \"spec\": \"ceph1:/vols/a\", \"vfstype\": "
                                "\"ceph\", \"options\": \"name=admin\"}");
        assert_int_equal(storvirt_connection_connect(posix, NULL, 0, 0), 1);
        snprintf(want, sizeof(want), "mount -t ceph ceph1:/vols/a %s/mnt/ceph1:_vols_a -o name=admin",
                 state);
        assert_string_equal(ran_at(2), want);
        /* a failing umount keeps it connected; a failing mount leaves it disconnected */
        fail_with_status = 32;
        assert_int_equal(storvirt_connection_disconnect(posix, NULL, 0), -EIO);
        assert_non_null(strstr(storvirt_error_message(), "unmounting"));
        fail_with_status = 0;
        assert_int_equal(storvirt_connection_disconnect(posix, NULL, 0), 1);
        fail_with_status = 32;
        assert_int_equal(storvirt_connection_connect(posix, NULL, 0, 0), -EIO);
        assert_non_null(strstr(storvirt_error_message(), "mounting ceph1:/vols/a on"));
        fail_with_status = 0;
        assert_int_equal(storvirt_connection_get_json(posix, &json, 0), 0);
        assert_non_null(strstr(json, "\"connected\":false"));
        storvirt_free(json);
        /* no type: mount(8) finds it, as VDSM leaves it to mount without vfs_type */
        storvirt_connection_unref(posix);
        posix = define_one(ctx, "{\"domainType\": 6, \"connectionParams\": [{\"connection\": "
                                "\"/dev/vg0/lv0\"}]}");
        assert_null(storvirt_connection_get_param(posix, "vfstype"));
        assert_int_equal(storvirt_connection_connect(posix, NULL, 0, 0), 1);
        snprintf(want, sizeof(want), "mount /dev/vg0/lv0 %s/mnt/_dev_vg0_lv0", state);
        assert_string_equal(ran_at(storvirt__strv_length(ran) - 1), want);
        assert_int_equal(storvirt_connection_disconnect(posix, NULL, 0), 1);

        /* glusterfs: mounted as glusterfs, the backup servers as backup-volfile-servers */
        posix = storvirt_connection_unref(posix);
        posix = define_one(ctx, "{\"type\": \"glusterfs\", \"spec\": \"gl1.example.org:/vmstore\", "
                                "\"backup_servers\": \"gl2.example.org:10.0.0.3\", "
                                "\"options\": \"log-level=WARNING\"}");
        assert_int_equal(storvirt_connection_get_type(posix), STORVIRT_CONNECTION_GLUSTERFS);
        assert_string_equal(storvirt_connection_get_param(posix, "backup_servers"),
                            "gl2.example.org:10.0.0.3");
        assert_int_equal(storvirt_connection_connect(posix, NULL, 0, 0), 1);
        snprintf(want, sizeof(want), "mount -t glusterfs gl1.example.org:/vmstore "
                 "%s/mnt/gl1.example.org:_vmstore -o backup-volfile-servers=gl2.example.org:"
                 "10.0.0.3,log-level=WARNING", state);
        assert_string_equal(ran_at(storvirt__strv_length(ran) - 1), want);
        assert_int_equal(storvirt_connection_disconnect(posix, NULL, 0), 1);
        snprintf(want, sizeof(want), "umount %s/mnt/gl1.example.org:_vmstore", state);
        assert_string_equal(ran_at(storvirt__strv_length(ran) - 1), want);
        /* VDSM's form: the spec in "connection", vfs_type glusterfs taken, options as given */
        storvirt_connection_unref(posix);
        posix = define_one(ctx, "{\"domainType\": \"GLUSTERFS\", \"connectionParams\": [{\"id\": "
                                "\"g7\", \"connection\": \"[fd00::7]:/vmstore/sub\", \"vfs_type\": "
                                "\"glusterfs\", \"mnt_options\": \"backup-volfile-servers=gl2\", "
                                "\"port\": \"\", \"iqn\": \"\", \"user\": \"\", \"password\": \"\"}]}");
        assert_string_equal(storvirt_connection_get_param(posix, "spec"), "[fd00::7]:/vmstore/sub");
        assert_null(storvirt_connection_get_param(posix, "backup_servers"));
        assert_int_equal(storvirt_error_errno(), ENOENT);      /* a parameter it does not have */
        assert_int_equal(storvirt_connection_connect(posix, NULL, 0, 0), 1);
        snprintf(want, sizeof(want), "mount -t glusterfs [fd00::7]:/vmstore/sub "
                 "%s/mnt/[fd00::7]:_vmstore_sub -o backup-volfile-servers=gl2", state);
        assert_string_equal(ran_at(storvirt__strv_length(ran) - 1), want);
        assert_int_equal(storvirt_connection_get_json(posix, &json, STORVIRT_CONNECTION_JSON_VDSM), 0);
        assert_non_null(strstr(json, "\"connection\":\"[fd00::7]:/vmstore/sub\""));
        assert_non_null(strstr(json, "\"mnt_options\":\"backup-volfile-servers=gl2\""));
        storvirt_free(json);
        assert_int_equal(storvirt_connection_disconnect(posix, NULL, 0), 1);

        /* fcp needs nothing; localfs checks the directory */
        fcp = define_one(ctx, "{\"type\": \"fcp\"}");
        assert_int_equal(storvirt_connection_connect(fcp, NULL, 0, 0), 1);
        snprintf(dir, sizeof(dir), "%s/nowhere", base);
        snprintf(want, sizeof(want), "{\"type\": \"localfs\", \"path\": \"%s\"}", dir);
        local = define_one(ctx, want);
        assert_int_equal(storvirt_connection_connect(local, NULL, 0, 0), -ENOENT);
        assert_int_equal(mkdir(dir, 0755), 0);
        assert_int_equal(storvirt_connection_connect(local, NULL, 0, 0), 1);
        assert_int_equal(storvirt_connection_list_luns(local, 0, &json, 0), -EOPNOTSUPP);
        storvirt_connection_unref(nfs);
        storvirt_connection_unref(posix);
        storvirt_connection_unref(fcp);
        storvirt_connection_unref(local);
        storvirt_ctx_unref(ctx);
}

/*
 * NFS versions as VDSM sends them: strings ("3", "4.1", "auto") and,
 * since VDSM takes str() of whatever it gets, JSON numbers (3, 4.1),
 * read as they are written.  The version goes to mount as vers=.
 */
static void test_nfs_versions(void **st) {
        static const struct { const char *json, *version, *vers; } ok[] = {
                { "{\"type\": \"nfs\", \"export\": \"s:/a\", \"version\": 4}", "4", ",vers=4" },
                { "{\"type\": \"nfs\", \"export\": \"s:/b\", \"version\": 4.1}", "4.1", ",vers=4.1" },
                { "{\"domainType\": 1, \"connectionParams\": [{\"id\": \"v3\", "
                  "\"connection\": \"s:/c\", \"protocol_version\": 3}]}", "3", ",vers=3" },
                { "{\"domainType\": 1, \"connectionParams\": [{\"id\": \"v42\", "
                  "\"connection\": \"s:/d\", \"protocol_version\": 4.2}]}", "4.2", ",vers=4.2" },
                { "{\"domainType\": 1, \"connectionParams\": [{\"id\": \"v40\", "
                  "\"connection\": \"s:/e\", \"protocol_version\": \"4.0\"}]}", "4.0", ",vers=4.0" },
                { "{\"domainType\": 1, \"connectionParams\": [{\"id\": \"va\", "
                  "\"connection\": \"s:/f\", \"protocol_version\": \"auto\"}]}", "auto", NULL },
                /* the engine's entries: VDSM mounts NFS 3 without a version, negotiates for "" */
                { "{\"domainType\": 1, \"connectionParams\": [{\"id\": \"ve\", \"connection\": \"s:/g\", "
                  "\"port\": \"\", \"iqn\": \"\", \"user\": \"\", \"password\": \"\", "
                  "\"ipv6_enabled\": \"false\"}]}", "3", ",vers=3" },
                { "{\"domainType\": 1, \"connectionParams\": [{\"id\": \"vn\", \"connection\": \"s:/h\", "
                  "\"protocol_version\": \"\", \"mnt_options\": \"\"}]}", "auto", NULL },
        };
        storvirt_ctx *ctx = ctx_open();

        (void)st;
        for (size_t i = 0; i < ELEMENTSOF(ok); i++) {
                storvirt_connection *c = define_one(ctx, ok[i].json);
                char *json = NULL;

                assert_string_equal(storvirt_connection_get_param(c, "version"), ok[i].version);
                assert_int_equal(storvirt_connection_get_json(c, &json, STORVIRT_CONNECTION_JSON_VDSM), 0);
                /* VDSM's parameters carry it as a string, whatever came in */
                {
                        char want[64];

                        snprintf(want, sizeof(want), "\"protocol_version\":\"%s\"", ok[i].version);
                        assert_non_null(strstr(json, want));
                }
                storvirt_free(json);
                assert_int_equal(storvirt_connection_connect(c, NULL, 0, 0), 1);
                if (ok[i].vers) {
                        const char *cmd = ran_at(storvirt__strv_length(ran) - 1);
                        size_t n = strlen(cmd), m = strlen(ok[i].vers);

                        /* the options end the command line; vers= ends the options */
                        assert_true(n > m);
                        assert_string_equal(cmd + n - m, ok[i].vers);
                } else
                        assert_null(strstr(ran_at(storvirt__strv_length(ran) - 1), "vers="));
                storvirt_connection_unref(c);
        }
        expect_error(ctx, "{\"type\": \"nfs\", \"export\": \"s:/e\", \"version\": 5}", -EINVAL,
                     "field 'version': '5' is not an NFS version");
        expect_error(ctx, "{\"type\": \"nfs\", \"export\": \"s:/e\", \"version\": 4.10}", -EINVAL,
                     "field 'version': '4.10' is not an NFS version");
        expect_error(ctx, "{\"domainType\": 1, \"connectionParams\": [{\"id\": \"x\", "
                          "\"connection\": \"s:/e\", \"protocol_version\": 4e0}]}", -EINVAL,
                     "field 'protocol_version': '4e0' is not an NFS version");
        expect_error(ctx, "{\"domainType\": 1, \"connectionParams\": [{\"id\": \"x\", "
                          "\"connection\": \"s:/e\", \"protocol_version\": true}]}", -EINVAL,
                     "field 'protocol_version': expected a string or a number, got a boolean");
        storvirt_ctx_unref(ctx);
}

/* A real mount: ext4 on a loop device, as a posixfs connection (root only). */
static void test_posixfs_real(void **st) {
        storvirt_ctx *ctx;
        storvirt_connection *c;
        storvirt__loop loop = STORVIRT__LOOP_INIT;
        storvirt__mount_entry e = {};
        char img[128], cmd[256], def[256], mp[256];
        int fd;

        (void)st;
        if (geteuid() != 0 || access("/dev/loop-control", W_OK) != 0) {
                print_message("skipped: mounting needs root and loop devices\n");
                return;
        }
        storvirt__command_set_dry_run(NULL, NULL);
        snprintf(img, sizeof(img), "%s/fs.img", base);
        fd = open(img, O_CREAT | O_WRONLY, 0600);
        assert_true(fd >= 0);
        assert_int_equal(ftruncate(fd, 32 << 20), 0);
        close(fd);
        snprintf(cmd, sizeof(cmd), "mkfs.ext4 -q -F '%s'", img);
        assert_int_equal(system(cmd), 0);
        assert_int_equal(storvirt__loop_attach(img, false, &loop), 0);
        ctx = ctx_open();
        snprintf(def, sizeof(def), "{\"type\": \"posixfs\", \"spec\": \"%s\", \"vfstype\": \"ext4\", "
                                   "\"options\": \"noatime\"}", loop.path);
        c = define_one(ctx, def);
        assert_int_equal(storvirt_connection_connect(c, "a", 0, 0), 1);
        assert_int_equal(storvirt_connection_connect(c, "b", 0, 0), 0);
        snprintf(mp, sizeof(mp), "%s/mnt/_dev_loop%d", state, loop.nr);
        assert_int_equal(storvirt__mountinfo_find_target(NULL, mp, &e), 1);
        assert_string_equal(e.fstype, "ext4");
        storvirt__mount_entry_clear(&e);
        assert_int_equal(storvirt_connection_disconnect(c, "a", 0), 0);
        assert_int_equal(storvirt__mountinfo_find_target(NULL, mp, &e), 1);
        storvirt__mount_entry_clear(&e);
        assert_int_equal(storvirt_connection_disconnect(c, "b", 0), 1);
        assert_int_equal(storvirt__mountinfo_find_target(NULL, mp, &e), 0);
        storvirt__loop_detach(&loop);
        storvirt_connection_unref(c);
        storvirt_ctx_unref(ctx);
        storvirt__command_set_dry_run(dry_run, NULL);
}

static void test_undefine(void **st) {
        storvirt_ctx *ctx = ctx_open();
        storvirt_connection *c, *d;
        char rec[512], path[256];

        (void)st;
        c = define_one(ctx, "{\"type\": \"iscsi\", \"portal\": \"h\", \"target\": \"" IQN "\", "
                            "\"user\": \"u\", \"password\": \"" SECRET "\"}");
        /* a vDisk needs it */
        snprintf(rec, sizeof(rec), "{\"id\": \"v\", \"connections\": [\"%s\"]}",
                 storvirt_connection_get_id(c));
        assert_int_equal(storvirt__record_write(ctx, "vdisks", "7d284af6-5859-4650-9e11-b78d6fe9578a",
                                                rec, strlen(rec)), 0);
        assert_int_equal(storvirt_connection_undefine(c, 0), -EBUSY);
        assert_non_null(strstr(storvirt_error_message(), "needed by vDisk 7d284af6"));
        assert_int_equal(storvirt_connection_undefine(c, STORVIRT_CONNECTION_FORCE), 0);
        snprintf(path, sizeof(path), "%s/secrets/%s.json", state, storvirt_connection_get_id(c));
        assert_int_equal(access(path, F_OK), -1);
        assert_int_equal(storvirt_connection_lookup(ctx, storvirt_connection_get_id(c), &d), -ENOENT);
        storvirt_connection_unref(c);
        storvirt_ctx_unref(ctx);
}

/* What write_secret(obj, fd, 0) writes into a pipe (NUL-terminated), and its return value. */
static int read_secret(int (*write_secret)(void *, int, uint32_t), void *obj, char *buf, size_t size) {
        int fds[2], r;
        ssize_t n;

        assert_int_equal(pipe(fds), 0);
        r = write_secret(obj, fds[1], 0);
        close(fds[1]);
        n = read(fds[0], buf, size - 1);
        close(fds[0]);
        assert_true(n >= 0);
        buf[n] = 0;
        return r;
}

static int conn_write(void *c, int fd, uint32_t flags) {
        return storvirt_connection_write_secret(c, fd, flags);
}

static int pool_write(void *p, int fd, uint32_t flags) {
        return storvirt_pool_write_secret(p, fd, flags);
}

static void test_secret_xml(void **st) {
        storvirt_ctx *ctx = ctx_open();
        storvirt_connection *c, *open_c;
        storvirt_pool *pool = NULL;
        char *xml = NULL, *again = NULL, *pxml = NULL, buf[256];
        int found = 0;

        (void)st;
        c = define_one(ctx, "{\"type\": \"iscsi\", \"driver\": \"direct\", \"id\": \"chap-1\", "
                            "\"portal\": \"127.0.0.1\", \"target\": \"" IQN "\", \"user\": \"u\", "
                            "\"password\": \"" SECRET "\", \"mutual_user\": \"t\", "
                            "\"mutual_password\": \"" MUTUAL "\"}");
        open_c = define_one(ctx, "{\"type\": \"iscsi\", \"portal\": \"127.0.0.1\", \"target\": "
                                 "\"" IQN "\", \"id\": \"open\"}");
        assert_int_equal(storvirt_connection_get_secret_xml(c, &xml, 0), 0);
        assert_non_null(strstr(xml, "<secret ephemeral=\"no\" private=\"yes\">"));
        assert_non_null(strstr(xml, "<usage type=\"iscsi\">"));
        assert_non_null(strstr(xml, "<target>libstorvirt-chap-chap-1</target>"));
        assert_null(strstr(xml, SECRET));
        assert_int_equal(storvirt_connection_get_secret_xml(c, &again, 0), 0);
        assert_string_equal(xml, again);
        /* the value: the password, not the mutual one, no newline */
        assert_int_equal(read_secret(conn_write, c, buf, sizeof(buf)), 0);
        assert_string_equal(buf, SECRET);
        assert_int_equal(storvirt_connection_write_secret(c, -1, 0), -EINVAL);
        assert_int_equal(storvirt_connection_write_secret(c, 1, 1), -EINVAL);
        assert_int_equal(storvirt_connection_get_secret_xml(open_c, &pxml, 0), -ENOENT);
        assert_null(pxml);
        assert_int_equal(read_secret(conn_write, open_c, buf, sizeof(buf)), -ENOENT);
        assert_string_equal(buf, "");
        /* a pool naming the connection's secret gives the same XML and value */
        assert_int_equal(storvirt_pool_define_xml(ctx, "<pool type='iscsi-direct'><name>p</name><source>"
                                                       "<host name='127.0.0.1'/><device path='" IQN "'/>"
                                                       "<auth type='chap' username='u'><secret "
                                                       "usage='libstorvirt-chap-chap-1'/></auth>"
                                                       "<initiator><iqn name='iqn.2026-12.example:h'/>"
                                                       "</initiator></source></pool>", &pool, 0), 0);
        assert_int_equal(storvirt_pool_get_secret_xml(pool, &pxml, 0), 0);
        assert_string_equal(pxml, xml);
        assert_int_equal(read_secret(pool_write, pool, buf, sizeof(buf)), 0);
        assert_string_equal(buf, SECRET);
        assert_secret_only_in_secrets(state, &found);
        storvirt_free(xml);
        storvirt_free(again);
        storvirt_free(pxml);
        storvirt_pool_unref(pool);
        storvirt_connection_unref(open_c);
        storvirt_connection_unref(c);
        storvirt_ctx_unref(ctx);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_secret_xml, setup, teardown),
                cmocka_unit_test_setup_teardown(test_own_forms, setup, teardown),
                cmocka_unit_test_setup_teardown(test_vdsm_forms, setup, teardown),
                cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
                cmocka_unit_test_setup_teardown(test_portal_limits, setup, teardown),
                cmocka_unit_test_setup_teardown(test_undefine_invalid, setup, teardown),
                cmocka_unit_test_setup_teardown(test_define_interrupted, setup, teardown),
                cmocka_unit_test_setup_teardown(test_kernel_iscsi_commands, setup, teardown),
                cmocka_unit_test_setup_teardown(test_kernel_iscsi_node_record, setup, teardown),
                cmocka_unit_test_setup_teardown(test_mount_commands, setup, teardown),
                cmocka_unit_test_setup_teardown(test_nfs_versions, setup, teardown),
                cmocka_unit_test_setup_teardown(test_posixfs_real, setup, teardown),
                cmocka_unit_test_setup_teardown(test_undefine, setup, teardown),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
