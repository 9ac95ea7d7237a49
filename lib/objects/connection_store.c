/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * connection_store.c - connection records and secrets changed as one
 * transaction through a journal in <state>/secrets/.txn/, and what a
 * killed writer left finished or cleared by the next reader (see
 * core/connection_store.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/connection_def.h"
#include "objects/connection_store.h"
#include "objects/records.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/json.h"
#include "util/log.h"
#include "util/macro.h"
#include "util/strv.h"

#define KIND_DEF STORVIRT__CONN_KIND_DEF
#define KIND_SECRET STORVIRT__CONN_KIND_SECRET
#define TXN_DIR ".txn"
#define JOURNAL "journal"
#define JOURNAL_MAX (4u << 20)
#define RECORD_SUFFIX ".json"

/* One change as the journal gives it: a staged file to move into place (true) or a removal. */
struct step {
        const char *id;
        bool definition, secret;
};

/* <state>/secrets/.txn, made (mode 0700) when create: an fd, or -ENOENT without a message. */
static int open_txn(int sfd, bool create) {
        int fd = openat(sfd, TXN_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

        if (fd < 0 && errno == ENOENT && create) {
                if (mkdirat(sfd, TXN_DIR, 0700) < 0 && errno != EEXIST)
                        return storvirt__error_set(-errno, "cannot create the state directory's "
                                                           "secrets/" TXN_DIR ": %m");
                if (fsync(sfd) < 0)
                        return storvirt__error_set(-errno, "cannot sync the state directory's "
                                                           "secrets: %m");
                fd = openat(sfd, TXN_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        }
        if (fd < 0 && errno == ENOENT)
                return -ENOENT;
        if (fd < 0)
                return storvirt__error_set(-errno, "cannot open the state directory's secrets/"
                                                   TXN_DIR ": %m");
        return fd;
}

/* The entries of dir fd but "." and "..", as a vector (only the first when first_only). */
static int dir_entries(int fd, bool first_only, char ***ret) {
        struct storvirt__strv_builder b = {};
        struct dirent *de;
        int dfd = dup(fd), r = 0;
        DIR *d;

        if (dfd < 0 || !(d = fdopendir(dfd))) {
                r = -errno;
                if (dfd >= 0)
                        close(dfd);
                return storvirt__error_set(r, "cannot read the state directory's secrets/"
                                              TXN_DIR ": %s", strerror(-r));
        }
        rewinddir(d);
        while (r >= 0 && (errno = 0, de = readdir(d))) {
                char *name;

                if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
                        continue;
                name = strdup(de->d_name);
                r = name ? storvirt__strv_builder_push(&b, name) : storvirt__error_oom();
                if (r < 0)
                        free(name);
                if (first_only)
                        break;
        }
        if (r >= 0 && errno != 0)
                r = storvirt__error_set(-errno, "cannot read the state directory's secrets/"
                                                TXN_DIR ": %m");
        closedir(d);
        if (r < 0) {
                storvirt__strv_builder_done(&b);
                return r;
        }
        return storvirt__strv_builder_finish(&b, ret);
}

static void staged_name(size_t i, bool secret, char buf[32]) {
        snprintf(buf, 32, "%zu.%s", i, secret ? "secret" : "definition");
}

/* An id that names a record file: a plain name, not hidden, room for ".json". */
static int check_record_id(const char *id) {
        int r = storvirt__name_check("connection record", id);

        if (r >= 0 && (id[0] == '.' || strlen(id) + sizeof(RECORD_SUFFIX) > NAME_MAX + 1))
                r = storvirt__error_set(-EINVAL, "invalid connection record id '%s'", id);
        return r;
}

/* kfd/<id>.json replaced by the staged file tfd/staged (already done when it is gone), or removed. */
static int move_or_remove(int tfd, const char *staged, bool move, int kfd, const char *kind,
                          const char *id) {
        char name[NAME_MAX + 1];
        int r;

        r = check_record_id(id);
        if (r < 0)
                return r;
        snprintf(name, sizeof(name), "%s" RECORD_SUFFIX, id);
        if (move)
                r = renameat(tfd, staged, kfd, name) < 0 && errno != ENOENT ? -errno : 0;
        else
                r = unlinkat(kfd, name, 0) < 0 && errno != ENOENT ? -errno : 0;
        if (r < 0)
                return storvirt__error_set(r, "cannot %s %s record '%s': %s",
                                           move ? "write" : "remove", kind, id, strerror(-r));
        return 0;
}

/* Carry out the steps of a committed journal; every one of them can be repeated. */
static int apply_steps(storvirt_ctx *ctx, int tfd, const struct step *s, size_t n) {
        _cleanup_close_ int cfd = -1, sfd = -1;
        int r = 0;

        cfd = storvirt__records_dirfd(ctx, KIND_DEF, true);
        if (cfd < 0)
                return cfd;
        sfd = storvirt__records_dirfd(ctx, KIND_SECRET, true);
        if (sfd < 0)
                return sfd;
        for (size_t i = 0; r >= 0 && i < n; i++) {
                char staged[32];

                staged_name(i, true, staged);
                r = move_or_remove(tfd, staged, s[i].secret, sfd, KIND_SECRET, s[i].id);
                staged_name(i, false, staged);
                if (r >= 0)
                        r = move_or_remove(tfd, staged, s[i].definition, cfd, KIND_DEF, s[i].id);
        }
        if (r >= 0 && (fsync(sfd) < 0 || fsync(cfd) < 0))
                r = storvirt__error_set(-errno, "cannot sync the connection records: %m");
        return r;
}

/* Empty .txn: every staged or temporary file, the journal last. */
static int clear_txn(int tfd) {
        _cleanup_strv_free_ char **names = NULL;
        int r = dir_entries(tfd, false, &names);

        for (char **n = names; r >= 0 && n && *n; n++)
                if (strcmp(*n, JOURNAL) != 0 && unlinkat(tfd, *n, 0) < 0 && errno != ENOENT)
                        r = storvirt__error_set(-errno, "cannot remove secrets/" TXN_DIR "/%s: %m",
                                                *n);
        if (r >= 0 && unlinkat(tfd, JOURNAL, 0) < 0 && errno != ENOENT)
                r = storvirt__error_set(-errno, "cannot remove secrets/" TXN_DIR "/" JOURNAL ": %m");
        if (r >= 0 && fsync(tfd) < 0)
                r = storvirt__error_set(-errno, "cannot sync secrets/" TXN_DIR ": %m");
        return r;
}

/* The steps of a journal's text (ids borrowed from *ret_tree). */
static int parse_journal(const char *text, size_t len, yajl_val *ret_tree, struct step **ret,
                         size_t *ret_n) {
        yajl_val v = NULL, list = NULL;
        struct step *s;
        int r;

        r = storvirt__json_parse(text, len, JOURNAL_MAX, &v, "secrets/" TXN_DIR "/" JOURNAL);
        if (r >= 0)
                r = storvirt__json_get_array(v, "changes", true, &list);
        if (r < 0) {
                storvirt__json_free(v);
                return r;
        }
        s = calloc(list->u.array.len + 1, sizeof(*s));
        if (!s) {
                storvirt__json_free(v);
                return storvirt__error_oom();
        }
        for (size_t i = 0; r >= 0 && i < list->u.array.len; i++) {
                yajl_val c = list->u.array.values[i];

                r = storvirt__json_get_string(c, "id", true, &s[i].id);
                if (r >= 0)
                        r = storvirt__json_get_bool(c, "definition", true, &s[i].definition);
                if (r >= 0)
                        r = storvirt__json_get_bool(c, "secret", true, &s[i].secret);
                if (r >= 0)
                        r = check_record_id(s[i].id);
        }
        if (r < 0) {
                free(s);
                storvirt__json_free(v);
                return storvirt__error_set(-EINVAL, "secrets/" TXN_DIR "/" JOURNAL ": %s",
                                           storvirt_error_message());
        }
        *ret_tree = v;
        *ret = s;
        *ret_n = list->u.array.len;
        return 0;
}

/* A committed journal carried out again, or what an uncommitted transaction staged removed. */
static int replay(storvirt_ctx *ctx, int tfd) {
        _cleanup_strv_free_ char **names = NULL;
        _cleanup_free_ char *text = NULL;
        _cleanup_free_ struct step *s = NULL;
        _cleanup_json_ yajl_val tree = NULL;
        size_t len = 0, n = 0;
        int r;

        /* a writer that finished while we waited for the locks left nothing */
        r = dir_entries(tfd, true, &names);
        if (r < 0 || !names[0])
                return r;
        r = storvirt__file_read_all(tfd, JOURNAL, JOURNAL_MAX, &text, &len);
        if (r == -ENOENT) {
                storvirt_error_clear();
                log_info(ctx, "removing what an interrupted connection change staged");
                return clear_txn(tfd);
        }
        if (r >= 0)
                r = parse_journal(text, len, &tree, &s, &n);
        if (r == -EINVAL) {
                /* a journal appears whole (renamed into place): this one was damaged since */
                log_warning(ctx, "dropping a connection change that cannot be completed: %s",
                            storvirt_error_message());
                return clear_txn(tfd);
        }
        if (r < 0)
                return r;
        log_info(ctx, "completing an interrupted change of %zu connection(s)", n);
        r = apply_steps(ctx, tfd, s, n);
        return r < 0 ? r : clear_txn(tfd);
}

/*
 * A state directory an older release wrote: remove the secrets whose
 * connection record is gone (its define could be killed between the two).
 */
static int sweep_orphan_secrets(storvirt_ctx *ctx, int sfd) {
        _cleanup_strv_free_ char **ids = NULL;
        _cleanup_close_ int cfd = -1;
        int r;

        r = storvirt__records_list(ctx, KIND_SECRET, &ids);
        if (r < 0)
                return r;
        cfd = storvirt__records_dirfd(ctx, KIND_DEF, false);
        if (cfd < 0 && cfd != -ENOENT)
                return cfd;
        for (char **id = ids; *id; id++) {
                char name[NAME_MAX + 1];

                if (snprintf(name, sizeof(name), "%s" RECORD_SUFFIX, *id) >= (int)sizeof(name) ||
                    (cfd >= 0 && faccessat(cfd, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0) ||
                    (cfd >= 0 && errno != ENOENT))
                        continue;
                if (unlinkat(sfd, name, 0) < 0 && errno != ENOENT)
                        return storvirt__error_set(-errno, "cannot remove secrets/%s: %m", name);
                log_info(ctx, "removed the secret of connection %s, whose record is gone", *id);
        }
        if (fsync(sfd) < 0)
                return storvirt__error_set(-errno, "cannot sync the state directory's secrets: %m");
        return 0;
}

/* 1 when something is left to finish or clear, 0 when not (no secrets at all, or .txn empty). */
static int needs_recovery(storvirt_ctx *ctx) {
        _cleanup_strv_free_ char **names = NULL;
        _cleanup_close_ int sfd = -1, tfd = -1;
        int r;

        sfd = storvirt__records_dirfd(ctx, KIND_SECRET, false);
        if (sfd == -ENOENT)
                return 0;
        if (sfd < 0)
                return sfd;
        tfd = open_txn(sfd, false);
        if (tfd == -ENOENT)
                return 1;
        if (tfd < 0)
                return tfd;
        r = dir_entries(tfd, true, &names);
        return r < 0 ? r : !!names[0];
}

/* What needs_recovery() found, done (both exclusive locks held). */
static int recover_locked(storvirt_ctx *ctx) {
        _cleanup_close_ int sfd = -1, tfd = -1;
        int r;

        sfd = storvirt__records_dirfd(ctx, KIND_SECRET, false);
        if (sfd == -ENOENT)
                return 0;
        if (sfd < 0)
                return sfd;
        tfd = open_txn(sfd, false);
        if (tfd >= 0)
                return replay(ctx, tfd);
        if (tfd != -ENOENT)
                return tfd;
        r = sweep_orphan_secrets(ctx, sfd);
        if (r >= 0)
                tfd = r = open_txn(sfd, true);
        return r < 0 ? r : 0;
}

static int lock_both(storvirt_ctx *ctx, storvirt__lock *def, storvirt__lock *secret) {
        int r = storvirt__records_lock(ctx, KIND_DEF, STORVIRT__LOCK_EXCLUSIVE, def);

        if (r >= 0)
                r = storvirt__records_lock(ctx, KIND_SECRET, STORVIRT__LOCK_EXCLUSIVE, secret);
        if (r < 0)
                storvirt__lock_release(def);
        return r;
}

int storvirt__conn_store_lock(storvirt_ctx *ctx, storvirt__lock *ret_def,
                              storvirt__lock *ret_secret) {
        int r = lock_both(ctx, ret_def, ret_secret);

        if (r >= 0)
                r = recover_locked(ctx);
        if (r < 0) {
                storvirt__lock_release(ret_secret);
                storvirt__lock_release(ret_def);
        }
        return r;
}

int storvirt__conn_store_recover(storvirt_ctx *ctx) {
        _cleanup_lock_ storvirt__lock def = STORVIRT__LOCK_INIT, secret = STORVIRT__LOCK_INIT;
        int r = needs_recovery(ctx);

        if (r <= 0)
                return r;
        r = lock_both(ctx, &def, &secret);
        if (r >= 0)
                r = recover_locked(ctx);
        if (r == -EACCES || r == -EPERM || r == -EROFS) {
                /* a reader that may not write: the next writer finishes it */
                log_debug(ctx, "connections: leftovers not cleared: %s", storvirt_error_message());
                storvirt_error_clear();
                r = 0;
        }
        return r;
}

static int journal_text(const struct storvirt__conn_change *c, size_t n, char **ret) {
        _cleanup_json_gen_ storvirt__json_gen *g = NULL;
        int r = storvirt__json_gen_new(false, &g);

        if (r < 0)
                return r;
        storvirt__json_gen_begin_map(g);
        storvirt__json_gen_key_begin_array(g, "changes");
        for (size_t i = 0; i < n; i++) {
                storvirt__json_gen_begin_map(g);
                storvirt__json_gen_key_string(g, "id", c[i].id);
                storvirt__json_gen_key_bool(g, "definition", c[i].definition != NULL);
                storvirt__json_gen_key_bool(g, "secret", c[i].secret != NULL);
                storvirt__json_gen_end_map(g);
        }
        storvirt__json_gen_end_array(g);
        r = storvirt__json_gen_end_map(g);
        return r < 0 ? r : storvirt__json_gen_finish(g, ret, NULL);
}

/* Stage every new file and write the journal: the commit. */
static int stage_and_commit(int tfd, const struct storvirt__conn_change *c, size_t n) {
        _cleanup_free_ char *journal = NULL;
        int r = 0;

        for (size_t i = 0; r >= 0 && i < n; i++) {
                char staged[32];

                staged_name(i, false, staged);
                if (c[i].definition)
                        r = storvirt__file_write_atomic(tfd, staged, c[i].definition,
                                                        strlen(c[i].definition), 0600);
                staged_name(i, true, staged);
                if (r >= 0 && c[i].secret)
                        r = storvirt__file_write_atomic(tfd, staged, c[i].secret,
                                                        strlen(c[i].secret), 0600);
        }
        if (r >= 0)
                r = journal_text(c, n, &journal);
        if (r >= 0)
                r = storvirt__file_write_atomic(tfd, JOURNAL, journal, strlen(journal), 0600);
        return r;
}

int storvirt__conn_store_commit(storvirt_ctx *ctx, const struct storvirt__conn_change *c,
                                size_t n) {
        _cleanup_close_ int sfd = -1, tfd = -1;
        _cleanup_free_ struct step *s = NULL;
        int r;

        if (n == 0)
                return 0;
        sfd = storvirt__records_dirfd(ctx, KIND_SECRET, true);
        if (sfd < 0)
                return sfd;
        tfd = open_txn(sfd, true);
        if (tfd < 0)
                return tfd;
        s = calloc(n, sizeof(*s));
        if (!s)
                return storvirt__error_oom();
        for (size_t i = 0; i < n; i++)
                s[i] = (struct step){ c[i].id, c[i].definition != NULL, c[i].secret != NULL };
        r = stage_and_commit(tfd, c, n);
        if (r < 0) {
                char why[512];

                snprintf(why, sizeof(why), "%s", storvirt_error_message());
                if (clear_txn(tfd) < 0)         /* nothing was changed: the next open clears it */
                        log_warning(ctx, "%s", storvirt_error_message());
                return storvirt__error_set(r, "cannot store the connections (nothing was "
                                              "changed): %s", why);
        }
        r = apply_steps(ctx, tfd, s, n);
        if (r >= 0)
                r = clear_txn(tfd);
        if (r < 0)
                return storvirt__error_set(r, "the connections are stored but not all in place "
                                              "(%s): the next use of the connections completes "
                                              "it", storvirt_error_message());
        return 0;
}
