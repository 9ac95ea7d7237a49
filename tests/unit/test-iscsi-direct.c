/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-iscsi-direct.c - the iscsi-direct connector against a real iSCSI
 * target: a private tgtd (Debian package tgt) on 127.0.0.1 and a free
 * TCP port, with its own management port, two targets (one open with
 * three LUNs over sparse files, one with CHAP and mutual CHAP) made with
 * tgtadm.  Needs root, tgtd and tgtadm; exits 77 (skip) without them.
 *
 * GUIDs are checked against tgtd's own rule for its NAA 6 designator
 * (usr/spc.c update_vpd_83(): the hex digits of scsi_id as a
 * right-adjusted 128-bit number, top nibble replaced by 6), which is
 * what multipath names such a LUN: "3" + 32 hex digits.
 *
 * tgtd ignores SIGTERM: it is stopped by deleting its targets and then
 * the system through tgtadm, then SIGKILL; from the group teardown and
 * from an atexit handler, so a failing test does not leave it running;
 * and it gets SIGKILL when this process dies (PR_SET_PDEATHSIG).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <storvirt.h>

#include "config.h"
#include "sys/command.h"
#include "sys/iscsi_direct.h"
#include "util/error.h"
#include "util/macro.h"

#define TARGET_OPEN "iqn.2026-11.example:test"
#define TARGET_CHAP "iqn.2026-11.example:chap"
#define CHAP_USER "chapuser"
#define CHAP_SECRET "Right-Secret-1234"
#define MUTUAL_USER "targetuser"
#define MUTUAL_SECRET "Mutual-Secret-5678"
#define WRONG_SECRET "S3cr3t-xyz"

static const uint64_t lun_sizes[3] = {
        8u << 20,
        (16u << 20) + 4096,
        (32u << 20) + (1u << 20),
};

static pid_t tgtd_pid = -1;
static int ctl_port;
static bool tgtd_started;         /* the management socket is ours */
static int iscsi_port;
static char portal[64];
static char tmpdir[] = "/tmp/test-iscsi-direct.XXXXXX";

static char *lun_scsi_id(int k) {
        static char buf[3][40];

        snprintf(buf[k - 1], sizeof buf[0], "c0ffee00112233445566778899aabb%02x", 0x10 + k);
        return buf[k - 1];
}

/* tgtd's NAA 6 designator for a scsi_id, formatted as scsi_id does. */
static void expected_guid(const char *scsi_id, char *buf, size_t size) {
        uint64_t a = 0, b = 0;

        for (const char *p = scsi_id; *p; p++) {
                char digit[2] = { *p, 0 };
                uint64_t c = a >> 60;

                a <<= 4;
                b <<= 4;
                b |= c;
                a |= strtoul(digit, NULL, 16);
        }
        b = (b & 0x0fffffffffffffffULL) | 0x6000000000000000ULL;
        snprintf(buf, size, "3%016llx%016llx", (unsigned long long)b, (unsigned long long)a);
}

static double now_s(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs argv (NULL-terminated) quietly; its exit status, or -1. */
static int run_quiet(const char *const *argv) {
        pid_t pid = fork();
        int status;

        if (pid < 0)
                return -1;
        if (pid == 0) {
                int fd = open("/dev/null", O_RDWR);

                if (fd >= 0) {
                        dup2(fd, 1);
                        dup2(fd, 2);
                }
                execvp(argv[0], (char *const *)argv);
                _exit(127);
        }
        if (waitpid(pid, &status, 0) < 0)
                return -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* tgtadm -C <ctl_port> <args...> */
static int tgtadm(const char *first, ...) {
        const char *argv[40];
        char ctl[16];
        size_t n = 0;
        va_list ap;

        snprintf(ctl, sizeof ctl, "%d", ctl_port);
        argv[n++] = "tgtadm";
        argv[n++] = "-C";
        argv[n++] = ctl;
        va_start(ap, first);
        for (const char *a = first; a && n < ELEMENTSOF(argv) - 1; a = va_arg(ap, const char *))
                argv[n++] = a;
        va_end(ap);
        argv[n] = NULL;
        return run_quiet(argv);
}

static int free_tcp_port(void) {
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t len = sizeof sa;
        int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;

        if (fd < 0)
                return -1;
        if (bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0 &&
            getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
                port = ntohs(sa.sin_port);
        close(fd);
        return port;
}

static bool tgtd_ready(void) {
        return tgtadm("--lld", "iscsi", "--op", "show", "--mode", "target", NULL) == 0;
}

static void stop_tgtd(void) {
        char tid[8];

        if (tgtd_pid <= 0)
                return;
        kill(tgtd_pid, SIGCONT);
        if (waitpid(tgtd_pid, NULL, WNOHANG) == 0) {
                for (int t = 1; t <= 2; t++) {
                        snprintf(tid, sizeof tid, "%d", t);
                        tgtadm("--lld", "iscsi", "--op", "delete", "--mode", "target", "--tid", tid,
                               "--force", NULL);
                }
                tgtadm("--op", "delete", "--mode", "system", NULL);
                for (int i = 0; i < 20 && waitpid(tgtd_pid, NULL, WNOHANG) == 0; i++)
                        usleep(100 * 1000);
                kill(tgtd_pid, SIGKILL);
                waitpid(tgtd_pid, NULL, 0);
        }
        tgtd_pid = -1;
}

static void cleanup_all(void) {
        char path[256];

        stop_tgtd();
        /* tgtd leaves its management socket behind, killed or not */
        if (tgtd_started) {
                snprintf(path, sizeof path, "/run/tgtd/socket.%d", ctl_port);
                unlink(path);
                snprintf(path, sizeof path, "/run/tgtd/socket.%d.lock", ctl_port);
                unlink(path);
        }
        for (int k = 1; k <= 4; k++) {
                snprintf(path, sizeof path, "%s/lun%d.img", tmpdir, k);
                unlink(path);
        }
        snprintf(path, sizeof path, "%s/tgtd.log", tmpdir);
        unlink(path);
        rmdir(tmpdir);
}

static int make_file(int k, uint64_t size, char *path, size_t psize) {
        int fd;

        snprintf(path, psize, "%s/lun%d.img", tmpdir, k);
        fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
        if (fd < 0 || ftruncate(fd, (off_t)size) < 0)
                return -1;
        close(fd);
        return 0;
}

/* 0 when the private tgtd runs with both targets, else a reason. */
static const char *start_tgtd(void) {
        char log[256], pspec[96], ctl[16], path[256], lun[8], params[160];

        iscsi_port = free_tcp_port();
        if (iscsi_port <= 0)
                return "no free TCP port";
        snprintf(portal, sizeof portal, "127.0.0.1:%d", iscsi_port);
        /* a management port nobody else uses */
        for (ctl_port = 100 + getpid() % 800;; ctl_port++) {
                if (!tgtd_ready())
                        break;
                if (ctl_port > 2000)
                        return "no free tgtd control port";
        }
        snprintf(log, sizeof log, "%s/tgtd.log", tmpdir);
        snprintf(pspec, sizeof pspec, "portal=%s", portal);
        snprintf(ctl, sizeof ctl, "%d", ctl_port);
        tgtd_pid = fork();
        if (tgtd_pid < 0)
                return "fork failed";
        tgtd_started = true;
        if (tgtd_pid == 0) {
                int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);

                if (fd >= 0) {
                        dup2(fd, 1);
                        dup2(fd, 2);
                }
                setpgid(0, 0);
                /* also gone when this test is killed (meson's timeout) */
                prctl(PR_SET_PDEATHSIG, SIGKILL);
                execlp("tgtd", "tgtd", "-f", "--iscsi", pspec, "-C", ctl, (char *)NULL);
                _exit(127);
        }
        for (int i = 0;; i++) {
                if (waitpid(tgtd_pid, NULL, WNOHANG) == tgtd_pid) {
                        tgtd_pid = -1;
                        return "tgtd exited at start (see its log)";
                }
                if (tgtd_ready())
                        break;
                if (i > 100)
                        return "tgtd did not answer tgtadm within 10 s";
                usleep(100 * 1000);
        }

        if (tgtadm("--lld", "iscsi", "--op", "new", "--mode", "target", "--tid", "1",
                   "-T", TARGET_OPEN, NULL) != 0)
                return "tgtadm: cannot create target 1";
        for (int k = 1; k <= 3; k++) {
                if (make_file(k, lun_sizes[k - 1], path, sizeof path) < 0)
                        return "cannot create a backing file";
                snprintf(lun, sizeof lun, "%d", k);
                if (tgtadm("--lld", "iscsi", "--op", "new", "--mode", "logicalunit", "--tid", "1",
                           "--lun", lun, "-b", path, NULL) != 0)
                        return "tgtadm: cannot add a LUN";
                snprintf(params, sizeof params, "scsi_id=%s,scsi_sn=SNLUN%04d", lun_scsi_id(k), k);
                if (tgtadm("--lld", "iscsi", "--op", "update", "--mode", "logicalunit", "--tid", "1",
                           "--lun", lun, "--params", params, NULL) != 0)
                        return "tgtadm: cannot set scsi_id/scsi_sn";
        }
        if (tgtadm("--lld", "iscsi", "--op", "bind", "--mode", "target", "--tid", "1",
                   "-I", "ALL", NULL) != 0)
                return "tgtadm: cannot bind target 1";

        if (tgtadm("--lld", "iscsi", "--op", "new", "--mode", "target", "--tid", "2",
                   "-T", TARGET_CHAP, NULL) != 0 ||
            make_file(4, 4u << 20, path, sizeof path) < 0 ||
            tgtadm("--lld", "iscsi", "--op", "new", "--mode", "logicalunit", "--tid", "2",
                   "--lun", "1", "-b", path, NULL) != 0 ||
            tgtadm("--lld", "iscsi", "--op", "new", "--mode", "account", "--user", CHAP_USER,
                   "--password", CHAP_SECRET, NULL) != 0 ||
            tgtadm("--lld", "iscsi", "--op", "bind", "--mode", "account", "--tid", "2",
                   "--user", CHAP_USER, NULL) != 0 ||
            tgtadm("--lld", "iscsi", "--op", "new", "--mode", "account", "--user", MUTUAL_USER,
                   "--password", MUTUAL_SECRET, NULL) != 0 ||
            tgtadm("--lld", "iscsi", "--op", "bind", "--mode", "account", "--tid", "2",
                   "--user", MUTUAL_USER, "--outgoing", NULL) != 0 ||
            tgtadm("--lld", "iscsi", "--op", "bind", "--mode", "target", "--tid", "2",
                   "-I", "ALL", NULL) != 0)
                return "tgtadm: cannot set up the CHAP target";
        return NULL;
}

static struct storvirt__iscsi_params params_for(const char *target, unsigned timeout) {
        return (struct storvirt__iscsi_params){
                .portal = portal,
                .target = target,
                .timeout_sec = timeout,
        };
}

static void test_discover(void **state) {
        struct storvirt__iscsi_params p = params_for(NULL, 10);
        struct storvirt__iscsi_target *t = NULL;
        size_t n = 0;
        bool open_seen = false, chap_seen = false;

        assert_int_equal(storvirt__iscsi_discover(&p, &t, &n), 0);
        assert_int_equal(n, 2);
        for (size_t i = 0; i < n; i++) {
                bool has_portal = false;

                if (strcmp(t[i].iqn, TARGET_OPEN) == 0)
                        open_seen = true;
                if (strcmp(t[i].iqn, TARGET_CHAP) == 0)
                        chap_seen = true;
                for (size_t j = 0; j < t[i].n_portals; j++) {
                        if (strcmp(t[i].portals[j].address, portal) == 0) {
                                has_portal = true;
                                assert_int_equal(t[i].portals[j].tpgt, 1);
                        }
                }
                assert_true(has_portal);
        }
        assert_true(open_seen);
        assert_true(chap_seen);
        storvirt__iscsi_targets_free(t, n);
}

/* Runs "rm -rf path" for a directory this test made. */
static void remove_tree(const char *path) {
        pid_t pid = fork();

        if (pid == 0) {
                execlp("rm", "rm", "-rf", "--", path, (char *)NULL);
                _exit(127);
        }
        if (pid > 0)
                waitpid(pid, NULL, 0);
}

/* storvirt_iscsi_discover() with params: its result, or NULL with *ret < 0. */
static char *discover_json(storvirt_ctx *ctx, const char *params, uint32_t flags, int *ret) {
        char *out = NULL;

        *ret = storvirt_iscsi_discover(ctx, params, 10000, &out, flags);
        return out;
}

/*
 * VDSM's discovery parameters, as its ISCSIConnection.discoverSendTargets
 * hands them on: {"connection": host, "port", "user", "password",
 * "ipv6_enabled"}, the port a number or a string of digits, empty strings
 * for no CHAP, a boolean or its string.  They are a portal, not the id of
 * a stored connection; a lone "connection" still is one.
 */
static void test_discover_vdsm(void **state) {
        char dir[sizeof tmpdir + 16], params[256], want[128], *out;
        storvirt_ctx *ctx = NULL;
        int r;

        (void)state;
        snprintf(dir, sizeof dir, "%s/state", tmpdir);
        assert_int_equal(storvirt_ctx_new(&ctx, STORVIRT_CTX_NEW_IGNORE_ENV), 0);
        assert_int_equal(storvirt_ctx_set_state_dir(ctx, dir, 0), 0);

        snprintf(params, sizeof params, "{\"connection\": \"127.0.0.1\", \"port\": %d, \"user\": \"\","
                 " \"password\": \"\", \"ipv6_enabled\": false}", iscsi_port);
        out = discover_json(ctx, params, 0, &r);
        if (r < 0)
                fail_msg("%s: %s", params, storvirt_error_message());
        assert_non_null(strstr(out, TARGET_OPEN));
        assert_non_null(strstr(out, TARGET_CHAP));
        storvirt_free(out);

        /* the engine's strings; VDSM's answer */
        snprintf(params, sizeof params, "{\"connection\": \"127.0.0.1\", \"port\": \"%d\", \"user\": \"\","
                 " \"password\": \"\", \"ipv6_enabled\": \"false\"}", iscsi_port);
        out = discover_json(ctx, params, STORVIRT_ISCSI_DISCOVER_VDSM, &r);
        if (r < 0)
                fail_msg("%s: %s", params, storvirt_error_message());
        snprintf(want, sizeof want, "\"127.0.0.1:%d,1 %s\"", iscsi_port, TARGET_OPEN);
        assert_non_null(strstr(out, want));
        storvirt_free(out);
        snprintf(params, sizeof params, "{\"connection\": \"127.0.0.1\", \"port\": %d}", iscsi_port);
        out = discover_json(ctx, params, 0, &r);
        assert_int_equal(r, 0);
        storvirt_free(out);

        /* what VDSM refuses */
        assert_null(discover_json(ctx, "{\"connection\": \"127.0.0.1\", \"port\": \"\"}", 0, &r));
        assert_int_equal(r, -EINVAL);
        assert_string_equal(storvirt_error_message(),
                            "discovery: field 'port': expected an unsigned 64-bit integer, got ''");
        assert_null(discover_json(ctx, "{\"connection\": \"127.0.0.1\", \"user\": \"\", "
                                       "\"password\": \"\"}", 0, &r));
        assert_int_equal(r, -EINVAL);
        assert_string_equal(storvirt_error_message(),
                            "discovery: VDSM's discovery parameters need 'port'");
        assert_null(discover_json(ctx, "{\"connection\": \"127.0.0.1\", \"port\": 3260, "
                                       "\"ipv6_enabled\": \"maybe\"}", 0, &r));
        assert_int_equal(r, -EINVAL);
        assert_non_null(strstr(storvirt_error_message(), "field 'ipv6_enabled'"));
        assert_null(discover_json(ctx, "{\"connection\": \"127.0.0.1\", \"port\": 3260, "
                                       "\"initiator\": \"iqn.2026-11.example:h\"}", 0, &r));
        assert_int_equal(r, -EINVAL);
        assert_non_null(strstr(storvirt_error_message(), "unknown field 'initiator'"));
        /* a lone connection is a stored one */
        assert_null(discover_json(ctx, "{\"connection\": \"127.0.0.1\"}", 0, &r));
        assert_int_equal(r, -ENOENT);
        assert_non_null(strstr(storvirt_error_message(), "VDSM's form gives a host with its 'port'"));
        storvirt_ctx_unref(ctx);
        remove_tree(dir);
}

static void test_scan(void **state) {
        struct storvirt__iscsi_params p = params_for(TARGET_OPEN, 10);
        struct storvirt__iscsi_lun *l = NULL, *again = NULL;
        size_t n = 0, n2 = 0;
        char want[64], sn[16];

        assert_int_equal(storvirt__iscsi_scan(&p, &l, &n), 0);
        /* LUN 0, tgtd's controller (type 0x0c), is left out */
        assert_int_equal(n, 3);
        for (size_t i = 0; i < n; i++) {
                int k = (int)i + 1;

                assert_int_equal(l[i].lun, k);
                assert_int_equal(l[i].peripheral_type, 0);
                assert_string_equal(l[i].vendor, "IET");
                assert_string_equal(l[i].product, "VIRTUAL-DISK");
                assert_true(l[i].revision[0] != '\0');
                assert_int_equal(l[i].block_size, 512);
                assert_int_equal(l[i].size_bytes, lun_sizes[i]);
                snprintf(sn, sizeof sn, "SNLUN%04d", k);
                assert_non_null(l[i].serial);
                assert_string_equal(l[i].serial, sn);
                expected_guid(lun_scsi_id(k), want, sizeof want);
                assert_string_equal(l[i].guid, want);
                assert_int_equal(l[i].guid[0], '3');
                assert_int_equal(l[i].guid[1], '6');
                for (size_t j = 0; j < i; j++)
                        assert_string_not_equal(l[i].guid, l[j].guid);
        }
        /* stable across sessions */
        assert_int_equal(storvirt__iscsi_scan(&p, &again, &n2), 0);
        assert_int_equal(n2, n);
        for (size_t i = 0; i < n; i++)
                assert_string_equal(again[i].guid, l[i].guid);
        storvirt__iscsi_luns_free(l, n);
        storvirt__iscsi_luns_free(again, n2);
}

static void test_chap_ok(void **state) {
        struct storvirt__iscsi_params p = params_for(TARGET_CHAP, 10);
        struct storvirt__iscsi_lun *l = NULL;
        size_t n = 0;

        p.chap_user = CHAP_USER;
        p.chap_secret = CHAP_SECRET;
        assert_int_equal(storvirt__iscsi_scan(&p, &l, &n), 0);
        assert_int_equal(n, 1);
        assert_int_equal(l[0].size_bytes, 4u << 20);
        storvirt__iscsi_luns_free(l, n);
}

static void test_mutual_chap_ok(void **state) {
        struct storvirt__iscsi_params p = params_for(TARGET_CHAP, 10);
        struct storvirt__iscsi_lun *l = NULL;
        size_t n = 0;

        p.chap_user = CHAP_USER;
        p.chap_secret = CHAP_SECRET;
        p.mutual_user = MUTUAL_USER;
        p.mutual_secret = MUTUAL_SECRET;
        assert_int_equal(storvirt__iscsi_scan(&p, &l, &n), 0);
        assert_int_equal(n, 1);
        storvirt__iscsi_luns_free(l, n);
}

static void assert_no_secrets(const char *msg) {
        assert_null(strstr(msg, WRONG_SECRET));
        assert_null(strstr(msg, CHAP_SECRET));
        assert_null(strstr(msg, MUTUAL_SECRET));
}

static void test_chap_wrong_secret(void **state) {
        struct storvirt__iscsi_params p = params_for(TARGET_CHAP, 10);
        struct storvirt__iscsi_lun *l = NULL;
        size_t n = 0;
        char want[256];
        const char *msg;

        p.chap_user = CHAP_USER;
        p.chap_secret = WRONG_SECRET;
        assert_int_equal(storvirt__iscsi_scan(&p, &l, &n), -EACCES);
        msg = storvirt__error_msg();
        printf("# %s\n", msg);
        snprintf(want, sizeof want, "iSCSI login to %s at %s refused: authentication failed",
                 TARGET_CHAP, portal);
        assert_string_equal(msg, want);
        assert_no_secrets(msg);
        assert_null(l);
}

static void test_mutual_chap_wrong_secret(void **state) {
        struct storvirt__iscsi_params p = params_for(TARGET_CHAP, 10);
        struct storvirt__iscsi_lun *l = NULL;
        size_t n = 0;
        const char *msg;

        p.chap_user = CHAP_USER;
        p.chap_secret = CHAP_SECRET;
        p.mutual_user = MUTUAL_USER;
        p.mutual_secret = WRONG_SECRET;
        assert_int_equal(storvirt__iscsi_scan(&p, &l, &n), -EACCES);
        msg = storvirt__error_msg();
        printf("# %s\n", msg);
        assert_non_null(strstr(msg, TARGET_CHAP));
        assert_no_secrets(msg);
}

static void test_chap_missing(void **state) {
        struct storvirt__iscsi_params p = params_for(TARGET_CHAP, 10);
        struct storvirt__iscsi_lun *l = NULL;
        size_t n = 0;

        assert_int_equal(storvirt__iscsi_scan(&p, &l, &n), -EACCES);
        printf("# %s\n", storvirt__error_msg());
        assert_non_null(strstr(storvirt__error_msg(), "authentication failed"));
}

static void test_unknown_target(void **state) {
        struct storvirt__iscsi_params p = params_for("iqn.2026-11.example:nosuch", 10);
        struct storvirt__iscsi_lun *l = NULL;
        size_t n = 0;

        assert_int_equal(storvirt__iscsi_scan(&p, &l, &n), -ENOENT);
        printf("# %s\n", storvirt__error_msg());
        assert_non_null(strstr(storvirt__error_msg(), "iqn.2026-11.example:nosuch"));
}

static void test_bad_params(void **state) {
        struct storvirt__iscsi_params p = params_for(NULL, 10);
        struct storvirt__iscsi_lun *l = NULL;
        size_t n = 0;

        assert_int_equal(storvirt__iscsi_scan(&p, &l, &n), -EINVAL);
        p.target = TARGET_CHAP;
        p.chap_user = CHAP_USER;
        assert_int_equal(storvirt__iscsi_scan(&p, &l, &n), -EINVAL);
        p.chap_secret = CHAP_SECRET;
        p.mutual_secret = WRONG_SECRET;
        assert_int_equal(storvirt__iscsi_scan(&p, &l, &n), -EINVAL);
        assert_no_secrets(storvirt__error_msg());
}

static void test_closed_port(void **state) {
        struct storvirt__iscsi_params p = params_for(TARGET_OPEN, 5);
        struct storvirt__iscsi_lun *l = NULL;
        char closed[64];
        size_t n = 0;
        double t0;

        snprintf(closed, sizeof closed, "127.0.0.1:%d", free_tcp_port());
        p.portal = closed;
        t0 = now_s();
        assert_int_equal(storvirt__iscsi_scan(&p, &l, &n), -ECONNREFUSED);
        printf("# %s (%.3f s)\n", storvirt__error_msg(), now_s() - t0);
        assert_true(now_s() - t0 < 2.0);
        assert_non_null(strstr(storvirt__error_msg(), closed));
}

/*
 * A portal that never completes the TCP handshake.  A TEST-NET address
 * is not reliable for this (in some containers it is the gateway, which
 * refuses at once), so: a listening socket with backlog 0 that never
 * accepts, its accept queue filled first; Linux then drops further SYNs.
 */
static void test_connect_timeout(void **state) {
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        struct storvirt__iscsi_params p = params_for(NULL, 2);
        struct storvirt__iscsi_target *t = NULL;
        socklen_t len = sizeof sa;
        int lfd, fillers[4];
        char silent[64];
        size_t n = 0;
        double t0, dt;
        int r;

        lfd = socket(AF_INET, SOCK_STREAM, 0);
        assert_true(lfd >= 0);
        assert_int_equal(bind(lfd, (struct sockaddr *)&sa, sizeof sa), 0);
        assert_int_equal(listen(lfd, 0), 0);
        assert_int_equal(getsockname(lfd, (struct sockaddr *)&sa, &len), 0);
        for (size_t i = 0; i < ELEMENTSOF(fillers); i++) {
                fillers[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
                assert_true(fillers[i] >= 0);
                (void)connect(fillers[i], (struct sockaddr *)&sa, sizeof sa);
        }
        usleep(100 * 1000);
        snprintf(silent, sizeof silent, "127.0.0.1:%d", ntohs(sa.sin_port));
        p.portal = silent;
        t0 = now_s();
        r = storvirt__iscsi_discover(&p, &t, &n);
        dt = now_s() - t0;
        printf("# %d %s (%.3f s)\n", r, storvirt__error_msg(), dt);
        for (size_t i = 0; i < ELEMENTSOF(fillers); i++)
                close(fillers[i]);
        close(lfd);
        assert_int_equal(r, -ETIMEDOUT);
        assert_true(dt >= 1.5 && dt < 2 + 2);
        assert_non_null(strstr(storvirt__error_msg(), silent));
}

static void test_stalled_target(void **state) {
        struct storvirt__iscsi_params p = params_for(TARGET_OPEN, 2);
        struct storvirt__iscsi_lun *l = NULL;
        size_t n = 0;
        double t0, dt;
        int r;

        /* the kernel still accepts the connection; the login never
         * gets an answer */
        assert_int_equal(kill(tgtd_pid, SIGSTOP), 0);
        t0 = now_s();
        r = storvirt__iscsi_scan(&p, &l, &n);
        dt = now_s() - t0;
        kill(tgtd_pid, SIGCONT);
        printf("# %s (%.3f s)\n", storvirt__error_msg(), dt);
        assert_int_equal(r, -ETIMEDOUT);
        assert_true(dt >= 1.5 && dt < 2 + 2);
        assert_non_null(strstr(storvirt__error_msg(), portal));
        /* and it works again */
        p.timeout_sec = 10;
        assert_int_equal(storvirt__iscsi_scan(&p, &l, &n), 0);
        assert_int_equal(n, 3);
        storvirt__iscsi_luns_free(l, n);
}

struct scan_job {
        struct storvirt__iscsi_params p;
        int r;
        char msg[512];
        double elapsed;
};

static void *scan_thread(void *arg) {
        struct scan_job *j = arg;
        struct storvirt__iscsi_lun *l = NULL;
        size_t n = 0;
        double t0 = now_s();

        j->r = storvirt__iscsi_scan(&j->p, &l, &n);
        j->elapsed = now_s() - t0;
        snprintf(j->msg, sizeof j->msg, "%s", storvirt__error_msg());
        storvirt__iscsi_luns_free(l, n);
        return NULL;
}

/*
 * Last: leaves no target behind.  tgtd is stopped so the scan waits in
 * its login, then killed under it: the scan must fail as soon as the
 * connection drops, well before its deadline; a scan afterwards is
 * refused at once.
 */
static void test_killed_target(void **state) {
        struct scan_job job = { .p = params_for(TARGET_OPEN, 5) };
        struct storvirt__iscsi_params p = params_for(TARGET_OPEN, 3);
        struct storvirt__iscsi_lun *l = NULL;
        pthread_t th;
        size_t n = 0;
        double t0, dt;
        int r;

        assert_int_equal(kill(tgtd_pid, SIGSTOP), 0);
        assert_int_equal(pthread_create(&th, NULL, scan_thread, &job), 0);
        usleep(500 * 1000);
        assert_int_equal(kill(tgtd_pid, SIGKILL), 0);
        waitpid(tgtd_pid, NULL, 0);
        tgtd_pid = -1;
        assert_int_equal(pthread_join(th, NULL), 0);
        printf("# in session: %d %s (%.3f s)\n", job.r, job.msg, job.elapsed);
        assert_true(job.r == -EIO || job.r == -ECONNRESET || job.r == -ETIMEDOUT);
        assert_true(job.elapsed < 5 + 2);
        assert_null(strstr(job.msg, "(null)"));

        t0 = now_s();
        r = storvirt__iscsi_scan(&p, &l, &n);
        dt = now_s() - t0;
        printf("# afterwards: %d %s (%.3f s)\n", r, storvirt__error_msg(), dt);
        assert_int_equal(r, -ECONNREFUSED);
        assert_true(dt < 3 + 2);
}

static int group_teardown(void **state) {
        stop_tgtd();
        return 0;
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_discover),
                cmocka_unit_test(test_discover_vdsm),
                cmocka_unit_test(test_scan),
                cmocka_unit_test(test_chap_ok),
                cmocka_unit_test(test_mutual_chap_ok),
                cmocka_unit_test(test_chap_wrong_secret),
                cmocka_unit_test(test_mutual_chap_wrong_secret),
                cmocka_unit_test(test_chap_missing),
                cmocka_unit_test(test_unknown_target),
                cmocka_unit_test(test_bad_params),
                cmocka_unit_test(test_closed_port),
                cmocka_unit_test(test_connect_timeout),
                cmocka_unit_test(test_stalled_target),
                cmocka_unit_test(test_killed_target),
        };
        const char *why;

#if !HAVE_LIBISCSI
        printf("# SKIP: built without libiscsi\n");
        return 77;
#endif
        if (geteuid() != 0) {
                printf("# SKIP: tgtd needs root\n");
                return 77;
        }
        if (storvirt__command_find("tgtd", NULL) < 0 || storvirt__command_find("tgtadm", NULL) < 0) {
                printf("# SKIP: tgtd/tgtadm not installed (package tgt)\n");
                return 77;
        }
        if (!mkdtemp(tmpdir)) {
                printf("# SKIP: cannot create a temporary directory\n");
                return 77;
        }
        atexit(cleanup_all);
        signal(SIGPIPE, SIG_IGN);
        why = start_tgtd();
        if (why) {
                printf("# SKIP: %s\n", why);
                return 77;
        }
        return cmocka_run_group_tests(tests, NULL, group_teardown);
}
