/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * iscsi_node.c - CHAP settings written into open-iscsi's node records
 * (sys/iscsi_node.h): the records found the way open-iscsi lays them out,
 * open-iscsi's own lock taken (its lock file linked to "lock.write"), the
 * "node.session.auth.*" lines replaced, the record replaced atomically
 * with mode 0600 through a temporary file of a known name.
 *
 * Layout (open-iscsi idbm.c): <root>/nodes/<target>/<address>,<port>,<tpgt>/<iface>,
 * or, for a record made without a tpgt and no other of that portal, the
 * older <root>/nodes/<target>/<address>,<port> file.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sys/iscsi_node.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/macro.h"

#define LOCK_DIR_DEFAULT "/run/lock/iscsi"
#define LOCK_NAME "lock"
#define LOCK_WRITE_NAME "lock.write"
#define LOCK_RETRY_US 10000     /* as iscsiadm: every 10 ms */
#define DEFAULT_TIMEOUT_MS 30000
#define RECORD_MAX (1u << 20)
#define VALUE_MAX 255           /* open-iscsi keeps 255 bytes of a value */
#define END_RECORD "# END RECORD"
#define TMP_SUFFIX ".storvirt-new"

static const char *const default_roots[] = { "/etc/iscsi", "/var/lib/iscsi", NULL };

/* The lines replaced in a record (open-iscsi computes the lengths itself). */
static const char *const auth_keys[] = {
        "node.session.auth.authmethod",         "node.session.auth.username",
        "node.session.auth.password",           "node.session.auth.password_length",
        "node.session.auth.username_in",        "node.session.auth.password_in",
        "node.session.auth.password_in_length", NULL,
};

static void clear_free(char *s, size_t len) {
        if (s) {
                volatile char *p = s;

                while (len--)
                        *p++ = 0;
                free(s);
        }
}

/* A path component: a plain name that is not hidden. */
static int check_component(const char *what, const char *v) {
        int r = storvirt__name_check(what, v);

        if (r >= 0 && v[0] == '.')
                r = storvirt__error_set(-EINVAL, "invalid %s name '%s': starts with '.'", what, v);
        return r;
}

/* A value a record line holds as it is: one line, no spaces at its ends, <= 255 bytes. */
static int check_value(const char *what, const char *v) {
        size_t n = v ? strlen(v) : 0;

        if (n == 0)
                return storvirt__error_set(-EINVAL, "iSCSI node record: the %s is empty", what);
        if (n > VALUE_MAX)
                return storvirt__error_set(-EINVAL, "iSCSI node record: the %s is longer than "
                                                    "%d bytes", what, VALUE_MAX);
        if (v[0] == ' ' || v[0] == '\t' || v[n - 1] == ' ' || v[n - 1] == '\t')
                return storvirt__error_set(-EINVAL, "iSCSI node record: the %s starts or ends "
                                                    "with a space, which open-iscsi drops", what);
        for (const char *p = v; *p; p++)
                if ((unsigned char)*p < 0x20 || *p == 0x7f)
                        return storvirt__error_set(-EINVAL, "iSCSI node record: the %s has a "
                                                            "control character", what);
        return 0;
}

/* ---- open-iscsi's lock ---------------------------------------------------------------------- */

static long long now_ms(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Take open-iscsi's database lock as iscsiadm does: create <dir>/lock,
 * then link it to <dir>/lock.write, which fails while another holds it.
 * The directory's fd is returned (release with idbm_unlock()).
 */
static int idbm_lock(int timeout_ms) {
        const char *dir = secure_getenv("STORVIRT_ISCSI_LOCK_DIR");
        long long deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : DEFAULT_TIMEOUT_MS);
        _cleanup_close_ int dfd = -1;
        int fd;

        if (!dir || !*dir)
                dir = LOCK_DIR_DEFAULT;
        if (mkdir(dir, 0770) < 0 && errno != EEXIST)
                return storvirt__error_set(-errno, "cannot create open-iscsi's lock directory "
                                                   "%s: %m", dir);
        dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return storvirt__error_set(-errno, "cannot open open-iscsi's lock directory "
                                                   "%s: %m", dir);
        fd = openat(dfd, LOCK_NAME, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (fd < 0)
                return storvirt__error_set(-errno, "cannot create open-iscsi's lock file "
                                                   "%s/" LOCK_NAME ": %m", dir);
        close(fd);
        while (linkat(dfd, LOCK_NAME, dfd, LOCK_WRITE_NAME, 0) < 0) {
                if (errno != EEXIST)
                        return storvirt__error_set(-errno, "cannot take open-iscsi's lock "
                                                           "%s/" LOCK_WRITE_NAME ": %m", dir);
                if (now_ms() >= deadline)
                        return storvirt__error_set(-ETIMEDOUT, "open-iscsi's node database "
                                                               "stays locked (%s/" LOCK_WRITE_NAME
                                                               " exists): another iscsiadm is "
                                                               "using it", dir);
                usleep(LOCK_RETRY_US);
        }
        return TAKE_FD(dfd);
}

static void idbm_unlock(int dfd) {
        if (dfd >= 0) {
                unlinkat(dfd, LOCK_WRITE_NAME, 0);
                close(dfd);
        }
}

/* ---- records -------------------------------------------------------------------------------- */

/* The line [p, p + len) sets one of auth_keys ("name = value", spaces anywhere). */
static bool is_auth_line(const char *p, size_t len) {
        while (len && (*p == ' ' || *p == '\t')) {
                p++;
                len--;
        }
        for (const char *const *k = auth_keys; *k; k++) {
                size_t n = strlen(*k), i = n;

                if (len < n || memcmp(p, *k, n) != 0)
                        continue;
                while (i < len && (p[i] == ' ' || p[i] == '\t'))
                        i++;
                if (i < len && p[i] == '=')
                        return true;
        }
        return false;
}

static int append_auth(struct storvirt__buf *b, const struct storvirt__iscsi_chap *c) {
        int r = storvirt__buf_printf(b, "node.session.auth.authmethod = CHAP\n"
                                        "node.session.auth.username = %s\n"
                                        "node.session.auth.password = %s\n",
                                     c->user, c->password);

        if (r >= 0 && c->user_in)
                r = storvirt__buf_printf(b, "node.session.auth.username_in = %s\n"
                                            "node.session.auth.password_in = %s\n",
                                         c->user_in, c->password_in);
        return r;
}

/* The record's text with its auth lines replaced by ours, before "# END RECORD". */
static int new_text(const char *old, size_t len, const struct storvirt__iscsi_chap *c,
                    struct storvirt__buf *b) {
        bool done = false;
        int r;

        /* all the room at once: no copy of a password is left behind by realloc() */
        r = storvirt__buf_reserve(b, len + 8 * VALUE_MAX + 512);
        for (const char *p = old; r >= 0 && p < old + len;) {
                const char *nl = memchr(p, '\n', (size_t)(old + len - p));
                size_t n = nl ? (size_t)(nl - p) : (size_t)(old + len - p);

                if (!done && n >= strlen(END_RECORD) && memcmp(p, END_RECORD, strlen(END_RECORD)) == 0) {
                        r = append_auth(b, c);
                        done = true;
                }
                if (r >= 0 && !is_auth_line(p, n)) {
                        r = storvirt__buf_append(b, p, n);
                        if (r >= 0)
                                r = storvirt__buf_append_char(b, '\n');
                }
                p += n + 1;
        }
        if (r >= 0 && !done)
                r = append_auth(b, c);
        return r;
}

/* Replace the auth lines of dirfd/name (a record of target), mode 0600. */
static int rewrite(int dirfd, const char *name, const char *target,
                   const struct storvirt__iscsi_chap *c) {
        _cleanup_buf_free_ struct storvirt__buf b = {};
        char tmp[NAME_MAX + 1], *old = NULL;
        size_t len = 0;
        int r;

        r = storvirt__file_read_all(dirfd, name, RECORD_MAX, &old, &len);
        if (r < 0)
                return storvirt__error_set(r, "iSCSI node record %s of %s: %s", name, target,
                                           storvirt__error_msg());
        r = new_text(old, len, c, &b);
        clear_free(old, len);
        if (r >= 0 && (size_t)snprintf(tmp, sizeof(tmp), ".%s" TMP_SUFFIX, name) >= sizeof(tmp))
                r = storvirt__error_set(-ENAMETOOLONG, "iSCSI node record name %s is too long",
                                        name);
        if (r >= 0)
                r = storvirt__file_write_atomic_via(dirfd, name, tmp, b.data, b.len, 0600);
        if (b.data)
                memset(b.data, 0, b.cap);
        if (r < 0)
                return storvirt__error_set(r, "iSCSI node record %s of %s: %s", name, target,
                                           storvirt__error_msg());
        return 0;
}

/* "<tpgt>" after the portal's "<address>,<port>,": digits only; the tpgt or -1. */
static int tpgt_of(const char *s) {
        if (!*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 5)
                return -1;
        return atoi(s);
}

/* Every interface record of one "<address>,<port>,<tpgt>" directory. */
static int rewrite_ifaces(int tdfd, const char *portal_dir, const struct storvirt__iscsi_node *n,
                          const struct storvirt__iscsi_chap *c, unsigned *count) {
        struct dirent *de;
        int dfd, r = 0;
        DIR *d;

        dfd = openat(tdfd, portal_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dfd < 0 || !(d = fdopendir(dfd))) {
                r = -errno;
                if (dfd >= 0)
                        close(dfd);
                return storvirt__error_set(r, "cannot read iSCSI node directory %s of %s: %s",
                                           portal_dir, n->target, strerror(-r));
        }
        while (r >= 0 && (de = readdir(d))) {
                struct stat st;

                if (de->d_name[0] == '.' || (n->iface && strcmp(de->d_name, n->iface) != 0))
                        continue;
                if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
                        continue;
                r = rewrite(dfd, de->d_name, n->target, c);
                if (r >= 0)
                        (*count)++;
        }
        closedir(d);
        return r;
}

/* Every record of node in one target directory; *count the records rewritten. */
static int rewrite_target(int tdfd, const struct storvirt__iscsi_node *n,
                          const struct storvirt__iscsi_chap *c, unsigned *count) {
        char prefix[NAME_MAX + 1];
        struct dirent *de;
        int dfd, r = 0;
        size_t plen;
        DIR *d;

        if ((size_t)snprintf(prefix, sizeof(prefix), "%s,%u", n->address, n->port) >= sizeof(prefix))
                return storvirt__error_set(-ENAMETOOLONG, "iSCSI portal %s is too long", n->address);
        plen = strlen(prefix);
        dfd = dup(tdfd);
        if (dfd < 0 || !(d = fdopendir(dfd))) {
                r = -errno;
                if (dfd >= 0)
                        close(dfd);
                return storvirt__error_set(r, "cannot read the iSCSI node directory of %s: %s",
                                           n->target, strerror(-r));
        }
        while (r >= 0 && (de = readdir(d))) {
                struct stat st;
                int tpgt;

                if (strncmp(de->d_name, prefix, plen) != 0 ||
                    fstatat(tdfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        continue;
                if (de->d_name[plen] == '\0' && S_ISREG(st.st_mode) && n->tpgt < 0) {
                        r = rewrite(tdfd, de->d_name, n->target, c);
                        if (r >= 0)
                                (*count)++;
                        continue;
                }
                if (de->d_name[plen] != ',' || !S_ISDIR(st.st_mode))
                        continue;
                tpgt = tpgt_of(de->d_name + plen + 1);
                if (tpgt >= 0 && (n->tpgt < 0 || tpgt == n->tpgt))
                        r = rewrite_ifaces(tdfd, de->d_name, n, c, count);
        }
        closedir(d);
        return r;
}

/* The target's directory under root/nodes: an fd, or -ENOENT without a message. */
static int open_target_dir(const char *root, const char *target) {
        _cleanup_close_ int nfd = -1;
        char *nodes = NULL;
        int fd;

        if (asprintf(&nodes, "%s/nodes", root) < 0)
                return storvirt__error_oom();
        nfd = open(nodes, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        free(nodes);
        if (nfd < 0)
                return errno == ENOENT ? -ENOENT
                                       : storvirt__error_set(-errno, "cannot open %s/nodes: %m", root);
        fd = openat(nfd, target, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOENT ? -ENOENT
                                       : storvirt__error_set(-errno, "cannot open %s/nodes/%s: %m",
                                                             root, target);
        return fd;
}

static int check_args(const struct storvirt__iscsi_node *n, const struct storvirt__iscsi_chap *c) {
        int r = check_component("iSCSI target", n->target);

        if (r >= 0)
                r = check_component("iSCSI portal address", n->address);
        if (r >= 0 && n->iface)
                r = check_component("iSCSI interface", n->iface);
        if (r >= 0)
                r = check_value("CHAP user name", c->user);
        if (r >= 0)
                r = check_value("CHAP password", c->password);
        if (r >= 0 && (c->user_in || c->password_in))
                r = check_value("mutual CHAP user name", c->user_in);
        if (r >= 0 && (c->user_in || c->password_in))
                r = check_value("mutual CHAP password", c->password_in);
        return r;
}

int storvirt__iscsi_node_set_chap(const struct storvirt__iscsi_node *n,
                                  const struct storvirt__iscsi_chap *c, int timeout_ms) {
        const char *env = secure_getenv("STORVIRT_ISCSI_DB_ROOT");
        const char *const *roots = env && *env ? (const char *const[]){ env, NULL } : default_roots;
        unsigned count = 0;
        int lock, r;

        check_nonnull(n);
        check_nonnull(c);
        r = check_args(n, c);
        if (r < 0)
                return r;
        lock = idbm_lock(timeout_ms);
        if (lock < 0)
                return lock;
        r = 0;
        for (const char *const *root = roots; r >= 0 && count == 0 && *root; root++) {
                int tdfd = open_target_dir(*root, n->target);

                if (tdfd == -ENOENT)
                        continue;
                if (tdfd < 0) {
                        r = tdfd;
                        break;
                }
                r = rewrite_target(tdfd, n, c, &count);
                close(tdfd);
        }
        idbm_unlock(lock);
        if (r >= 0 && count == 0)
                r = storvirt__error_set(-ENOENT, "iscsiadm made no node record for %s at %s,%u "
                                                 "(looked in %s/nodes%s%s%s)", n->target,
                                        n->address, n->port, roots[0], roots[1] ? " and " : "",
                                        roots[1] ? roots[1] : "", roots[1] ? "/nodes" : "");
        return r;
}
