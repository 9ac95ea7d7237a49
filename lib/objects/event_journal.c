/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * event_journal.c - the state directory's event journal: appending
 * numbered entries under a lock, rotating, and reading them back in
 * order across rotations (see objects/event_journal.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "objects/event_journal.h"
#include "util/error.h"
#include "util/lock.h"
#include "util/macro.h"

#define JOURNAL "journal"
#define JOURNAL_OLD "journal.1"
#define JOURNAL_NEW ".journal.new"
#define LOCK_NAME ".lock"
#define MAGIC "storvirt-events 1"
/* Longest line: 255-byte names and a 4095-byte key, each byte escaped, fit. */
#define LINE_MAX_BYTES (32u << 10)
#define TAIL_BYTES (LINE_MAX_BYTES + 1)
#define READ_CHUNK (64u << 10)
#define DETAIL_MAX 1024

uint64_t storvirt__journal_max_size = 4u << 20;

/* ---- fields ------------------------------------------------------------------------------------- */

/* A field is one word: blanks, controls and '%' written as %XX; "-" is NULL. */
static int append_field(struct storvirt__buf *b, const char *s) {
        int r = storvirt__buf_append_char(b, ' ');

        if (r < 0 || !s || !*s)
                return r < 0 ? r : storvirt__buf_append_char(b, '-');
        if (strcmp(s, "-") == 0)
                return storvirt__buf_append_str(b, "%2D");
        return storvirt__buf_append_pct(b, s, " ");
}

/* Decodes a field in place: "-" is NULL; false when malformed. */
static bool field_decode(char *s, const char **ret) {
        if (strcmp(s, "-") == 0) {
                *ret = NULL;
                return true;
        }
        if (!storvirt__pct_decode(s))
                return false;
        *ret = s;
        return true;
}

static bool parse_u64(const char *s, int base, uint64_t *ret) {
        char *end;

        if (!*s || *s == '-' || *s == '+' || *s == ' ')
                return false;
        errno = 0;
        *ret = strtoull(s, &end, base);
        return errno == 0 && *end == '\0';
}

/* ---- writing ------------------------------------------------------------------------------------ */

/*
 * The number of the last entry of the file open on fd (size bytes):
 * that of its last complete line, or the one its header carries.
 * *ret_newline: whether the file ends with a newline (else a writer was
 * killed mid-line).  0 when the file has no number at all.
 */
/* The number of one line (a header's or an entry's); false when it has none. */
static bool line_seq(char *line, uint64_t *ret) {
        char *sp;

        if (strncmp(line, MAGIC " ", strlen(MAGIC) + 1) == 0)
                return parse_u64(line + strlen(MAGIC) + 1, 10, ret);
        sp = strchr(line, ' ');
        if (!sp)
                return false;
        *sp = '\0';
        return parse_u64(line, 10, ret);
}

/* tail_seq() on the last n bytes of the file; 1 found, 0 not in these bytes. */
static int tail_seq_in(int fd, uint64_t size, size_t n, uint64_t *ret, bool *ret_newline) {
        _cleanup_free_ char *buf = malloc(n + 1);
        char *end, *line;
        ssize_t k;

        if (!buf)
                return storvirt__error_oom();
        k = pread(fd, buf, n, (off_t)(size - n));
        if (k < 0)
                return storvirt__error_set(-errno, "event journal: cannot read: %m");
        buf[k] = '\0';
        *ret_newline = k > 0 && buf[k - 1] == '\n';
        end = memrchr(buf, '\n', (size_t)k);
        while (end) {
                *end = '\0';
                line = memrchr(buf, '\n', (size_t)(end - buf));
                line = line ? line + 1 : buf;
                if (line == buf && n < size)
                        return 0;   /* the start of the tail may be the end of a longer line */
                if (strlen(line) == (size_t)(end - line) && line_seq(line, ret))
                        return 1;
                /* not a line we can read: the one before it */
                end = line == buf ? NULL : line - 1;
        }
        return 0;
}

static int tail_seq(int fd, uint64_t size, uint64_t *ret, bool *ret_newline) {
        int r = 0;

        *ret = 0;
        *ret_newline = true;
        if (size == 0)
                return 0;
        /* the last line is short: a page holds it, unless it is a long one */
        if (size > 4096)
                r = tail_seq_in(fd, size, 4096, ret, ret_newline);
        if (r == 0)
                r = tail_seq_in(fd, size, size < TAIL_BYTES ? (size_t)size : TAIL_BYTES, ret,
                                ret_newline);
        return r < 0 ? r : 0;
}

static int write_all(int fd, const char *data, size_t len) {
        while (len > 0) {
                ssize_t k = write(fd, data, len);

                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                data += k;
                len -= (size_t)k;
        }
        return 0;
}

/* A new journal file holding only the header (base), put in place of the old one. */
static int rotate(int dirfd, uint64_t base, int *fd) {
        char header[64];
        int nfd, r;

        (void)unlinkat(dirfd, JOURNAL_NEW, 0);
        nfd = openat(dirfd, JOURNAL_NEW, O_RDWR | O_APPEND | O_CREAT | O_EXCL | O_NOFOLLOW |
                                          O_CLOEXEC, 0600);
        if (nfd < 0)
                return storvirt__error_set(-errno, "event journal: cannot create a new file: %m");
        snprintf(header, sizeof(header), MAGIC " %" PRIu64 "\n", base);
        r = write_all(nfd, header, strlen(header));
        if (r >= 0 && *fd >= 0 && renameat(dirfd, JOURNAL, dirfd, JOURNAL_OLD) < 0)
                r = -errno;
        if (r >= 0 && renameat(dirfd, JOURNAL_NEW, dirfd, JOURNAL) < 0)
                r = -errno;
        if (r < 0) {
                close(nfd);
                (void)unlinkat(dirfd, JOURNAL_NEW, 0);
                return storvirt__error_set(r, "event journal: cannot rotate: %s", strerror(-r));
        }
        if (*fd >= 0)
                close(*fd);
        *fd = nfd;
        return 0;
}

/* The number before a journal that does not exist yet: where journal.1 ended. */
static uint64_t old_last_seq(int dirfd) {
        _cleanup_close_ int fd = openat(dirfd, JOURNAL_OLD, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        struct stat st;
        uint64_t seq = 0;
        bool nl;

        if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
            tail_seq(fd, (uint64_t)st.st_size, &seq, &nl) < 0)
                storvirt__error_reset();
        return seq;
}

static int format_line(struct storvirt__buf *b, const struct storvirt_event *ev, uint64_t seq,
                       uint64_t origin, bool newline_first) {
        const char *type = storvirt__event_type_name(ev->type);
        int r;

        if (!type)
                return storvirt__error_set(-EINVAL, "event journal: unknown event type %u",
                                           ev->type);
        r = storvirt__buf_printf(b, "%s%" PRIu64 " %" PRIu64 " %" PRId32 " %016" PRIx64 " %s",
                                 newline_first ? "\n" : "", seq, ev->time_usec, ev->pid, origin,
                                 type);
        if (r >= 0)
                r = append_field(b, ev->pool);
        if (r >= 0)
                r = append_field(b, ev->name);
        if (r >= 0)
                r = append_field(b, ev->key);
        if (r >= 0)
                r = append_field(b, ev->detail);
        if (r >= 0)
                r = storvirt__buf_append_char(b, '\n');
        if (r >= 0 && b->len > LINE_MAX_BYTES)
                r = storvirt__error_set(-E2BIG, "event journal: entry of %zu bytes is too long",
                                        b->len);
        return r;
}

void storvirt__journal_writer_init(storvirt__journal_writer *w, int dirfd) {
        *w = (storvirt__journal_writer){ .dirfd = dirfd, .lockfd = -1, .fd = -1 };
        pthread_mutex_init(&w->lock, NULL);
}

static void writer_close(storvirt__journal_writer *w) {
        if (w->lockfd >= 0)
                close(w->lockfd);
        if (w->fd >= 0)
                close(w->fd);
        w->lockfd = w->fd = -1;
}

void storvirt__journal_writer_done(storvirt__journal_writer *w) {
        writer_close(w);
        pthread_mutex_destroy(&w->lock);
}

static int lock_fd(int fd, short type) {
        struct flock fl = { .l_type = type, .l_whence = SEEK_SET };

        while (fcntl(fd, type == F_UNLCK ? F_OFD_SETLK : F_OFD_SETLKW, &fl) < 0)
                if (errno != EINTR)
                        return storvirt__error_set(-errno, "event journal: lock: %m");
        return 0;
}

/*
 * The journal as it is now in w->fd, with its size and last number in
 * *size and *last (the lock held).
 */
static int writer_current(storvirt__journal_writer *w, uint64_t *size, uint64_t *last,
                          bool *nl) {
        struct stat st;
        int r;

        *nl = true;
        if (fstatat(w->dirfd, JOURNAL, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                if (errno != ENOENT)
                        return storvirt__error_set(-errno, "event journal: cannot stat: %m");
                if (w->fd >= 0)
                        close(w->fd);
                w->fd = -1;
                *size = 0;
                *last = old_last_seq(w->dirfd);
                return 0;
        }
        if (!S_ISREG(st.st_mode))
                return storvirt__error_set(-EINVAL, "event journal: not a regular file");
        if (w->fd < 0 || st.st_dev != w->dev || st.st_ino != w->ino) {
                if (w->fd >= 0)
                        close(w->fd);
                w->fd = openat(w->dirfd, JOURNAL, O_RDWR | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
                if (w->fd < 0 || fstat(w->fd, &st) < 0)
                        return storvirt__error_set(-errno, "event journal: cannot open: %m");
                w->dev = st.st_dev;
                w->ino = st.st_ino;
                w->size = UINT64_MAX;
        }
        *size = (uint64_t)st.st_size;
        if (*size == w->size) {   /* nobody appended since us */
                *last = w->last;
                return 0;
        }
        r = tail_seq(w->fd, *size, last, nl);
        return r;
}

static int writer_append_locked(storvirt__journal_writer *w, const struct storvirt_event *ev,
                                uint64_t origin, uint64_t *ret_seq) {
        struct storvirt__buf b = {};
        uint64_t size = 0, last = 0;
        bool nl = true;
        int r;

        r = writer_current(w, &size, &last, &nl);
        if (r >= 0 && (w->fd < 0 || size >= storvirt__journal_max_size)) {
                struct stat st;

                r = rotate(w->dirfd, last, &w->fd);
                if (r >= 0 && fstat(w->fd, &st) < 0)
                        r = storvirt__error_set(-errno, "event journal: cannot stat: %m");
                if (r >= 0) {
                        w->dev = st.st_dev;
                        w->ino = st.st_ino;
                        size = (uint64_t)st.st_size;
                        nl = true;
                }
        }
        if (r >= 0)
                r = format_line(&b, ev, last + 1, origin, !nl);
        if (r >= 0) {
                r = write_all(w->fd, b.data, b.len);
                if (r < 0)
                        storvirt__error_set(r, "event journal: cannot write: %s", strerror(-r));
        }
        if (r >= 0) {
                w->size = size + b.len;
                w->last = last + 1;
                *ret_seq = last + 1;
        } else {
                w->size = UINT64_MAX;   /* read it again next time */
        }
        storvirt__buf_free(&b);
        return r;
}

int storvirt__journal_writer_append(storvirt__journal_writer *w, const struct storvirt_event *ev,
                                    uint64_t origin, uint64_t *ret_seq) {
        int r;

        pthread_mutex_lock(&w->lock);
        if (w->pid != getpid()) {
                /* a forked child: the lock's descriptor is shared with the parent */
                writer_close(w);
                w->pid = getpid();
        }
        if (w->lockfd < 0)
                w->lockfd = openat(w->dirfd, LOCK_NAME, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
                                   0600);
        r = w->lockfd < 0 ? storvirt__error_set(-errno, "event journal: cannot open its lock: %m")
                          : lock_fd(w->lockfd, F_WRLCK);
        if (r >= 0) {
                r = writer_append_locked(w, ev, origin, ret_seq);
                lock_fd(w->lockfd, F_UNLCK);
        }
        pthread_mutex_unlock(&w->lock);
        return r;
}

int storvirt__journal_append(int dirfd, const struct storvirt_event *ev, uint64_t origin,
                             uint64_t *ret_seq) {
        storvirt__journal_writer w;
        int r;

        storvirt__journal_writer_init(&w, dirfd);
        r = storvirt__journal_writer_append(&w, ev, origin, ret_seq);
        storvirt__journal_writer_done(&w);
        return r;
}

/* ---- reading ------------------------------------------------------------------------------------ */

void storvirt__journal_reader_init(storvirt__journal_reader *r) {
        *r = (storvirt__journal_reader){ .fd = -1 };
}

void storvirt__journal_reader_done(storvirt__journal_reader *r) {
        if (r->fd >= 0)
                close(r->fd);
        storvirt__buf_free(&r->partial);
        storvirt__journal_reader_init(r);
}

static void reader_use(storvirt__journal_reader *r, int fd, const struct stat *st,
                       uint64_t offset) {
        if (r->fd >= 0)
                close(r->fd);
        r->fd = fd;
        r->dev = st->st_dev;
        r->ino = st->st_ino;
        r->offset = offset;
        storvirt__buf_reset(&r->partial);
}

int storvirt__journal_reader_start(storvirt__journal_reader *r, int dirfd) {
        _cleanup_lock_ storvirt__lock lock = STORVIRT__LOCK_INIT;
        struct stat st;
        uint64_t last = 0;
        bool nl;
        int fd, k;

        storvirt__journal_reader_done(r);
        /* shared: no writer is mid-line while the end is read */
        k = storvirt__lock_acquire(dirfd, LOCK_NAME, STORVIRT__LOCK_SHARED, -1, &lock);
        if (k < 0)
                return k;
        fd = openat(dirfd, JOURNAL, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 && errno == ENOENT) {
                r->last_seq = old_last_seq(dirfd);
                return 0;
        }
        if (fd < 0)
                return storvirt__error_set(-errno, "event journal: cannot open: %m");
        k = fstat(fd, &st) < 0 ? -errno : 0;
        if (k >= 0)
                k = tail_seq(fd, (uint64_t)st.st_size, &last, &nl);
        if (k < 0) {
                close(fd);
                return storvirt__error_set(k, "event journal: %s", storvirt__error_msg());
        }
        reader_use(r, fd, &st, (uint64_t)st.st_size);
        r->last_seq = last;
        return 0;
}

struct read_ctx {
        storvirt__journal_entry_fn fn;
        void *userdata;
        int n;
};

static int parse_line(char *line, struct storvirt_event *ev, uint64_t *origin) {
        char *f[9], *save = NULL;
        uint64_t pid;
        size_t n = 0;

        for (char *t = strtok_r(line, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
                if (n == ELEMENTSOF(f))
                        return -EINVAL;
                f[n++] = t;
        }
        if (n != ELEMENTSOF(f) || !parse_u64(f[0], 10, &ev->seq) || ev->seq == 0 ||
            !parse_u64(f[1], 10, &ev->time_usec) || !parse_u64(f[2], 10, &pid) ||
            pid > INT32_MAX || strlen(f[3]) != 16 || !parse_u64(f[3], 16, origin))
                return -EINVAL;
        ev->pid = (int32_t)pid;
        ev->type = storvirt__event_type_from_name(f[4]);
        if (!field_decode(f[5], &ev->pool) || !field_decode(f[6], &ev->name) ||
            !field_decode(f[7], &ev->key) || !field_decode(f[8], &ev->detail))
                return -EINVAL;
        if (!ev->name || (ev->detail && strlen(ev->detail) > DETAIL_MAX))
                return -EINVAL;
        return 0;
}

/* The number sequence: a hole is counted, an entry seen already is skipped (0). */
static bool seq_take(storvirt__journal_reader *r, uint64_t seq) {
        if (seq <= r->last_seq)
                return false;
        if (seq > r->last_seq + 1)
                r->gaps += seq - r->last_seq - 1;
        r->last_seq = seq;
        return true;
}

static int handle_line(storvirt__journal_reader *r, char *line, struct read_ctx *c) {
        struct storvirt_event ev = {};
        uint64_t origin = 0, base;

        if (strncmp(line, MAGIC " ", strlen(MAGIC) + 1) == 0) {
                if (!parse_u64(line + strlen(MAGIC) + 1, 10, &base))
                        return 0;
                if (base < r->last_seq) {
                        /* numbering started again (journal removed): what came before is lost */
                        r->gaps++;
                        r->last_seq = base;
                } else if (base > r->last_seq) {
                        r->gaps += base - r->last_seq;
                        r->last_seq = base;
                }
                return 0;
        }
        if (parse_line(line, &ev, &origin) < 0 || !seq_take(r, ev.seq) || ev.type == 0)
                return 0;
        c->n++;
        return c->fn(&ev, origin, c->userdata);
}

/* Splits buffered data into lines; an incomplete one stays in r->partial. */
static int handle_data(storvirt__journal_reader *r, struct read_ctx *c) {
        char *data = r->partial.data, *nl;
        size_t used = 0;
        int k = 0;

        while (k >= 0 && used < r->partial.len && (nl = memchr(data + used, '\n',
                                                               r->partial.len - used))) {
                *nl = '\0';
                k = handle_line(r, data + used, c);
                used = (size_t)(nl - data) + 1;
        }
        memmove(data, data + used, r->partial.len - used);
        storvirt__buf_truncate(&r->partial, r->partial.len - used);
        if (r->partial.len > LINE_MAX_BYTES)
                storvirt__buf_reset(&r->partial);   /* no line is that long: garbage */
        return k;
}

static int drain(storvirt__journal_reader *r, struct read_ctx *c) {
        int k;

        for (;;) {
                ssize_t n;

                k = storvirt__buf_reserve(&r->partial, READ_CHUNK);
                if (k < 0)
                        return k;
                n = pread(r->fd, r->partial.data + r->partial.len, READ_CHUNK, (off_t)r->offset);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return storvirt__error_set(-errno, "event journal: cannot read: %m");
                if (n == 0)
                        return 0;
                r->offset += (uint64_t)n;
                r->partial.len += (size_t)n;
                r->partial.data[r->partial.len] = '\0';
                k = handle_data(r, c);
                if (k < 0)
                        return k;
        }
}

/* journal.1, when it is a file written between the one read and the current one. */
static int drain_between(storvirt__journal_reader *r, int dirfd, const struct stat *cur,
                         struct read_ctx *c) {
        int fd = openat(dirfd, JOURNAL_OLD, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        struct stat st;

        if (fd < 0)
                return 0;
        if (fstat(fd, &st) < 0 || (st.st_dev == r->dev && st.st_ino == r->ino) ||
            (st.st_dev == cur->st_dev && st.st_ino == cur->st_ino)) {
                close(fd);
                return 0;
        }
        reader_use(r, fd, &st, 0);
        return drain(r, c);
}

int storvirt__journal_reader_read(storvirt__journal_reader *r, int dirfd,
                                  storvirt__journal_entry_fn fn, void *userdata) {
        struct read_ctx c = { fn, userdata, 0 };
        struct stat st;
        int k, fd;

        for (;;) {
                if (r->fd >= 0 && (k = drain(r, &c)) < 0)
                        return k;
                fd = openat(dirfd, JOURNAL, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0 && errno == ENOENT)
                        return c.n;
                if (fd < 0)
                        return storvirt__error_set(-errno, "event journal: cannot open: %m");
                if (fstat(fd, &st) < 0) {
                        k = -errno;
                        close(fd);
                        return storvirt__error_set(k, "event journal: cannot stat: %s",
                                                   strerror(-k));
                }
                if (r->fd >= 0 && st.st_dev == r->dev && st.st_ino == r->ino) {
                        close(fd);
                        return c.n;
                }
                /* rotated: the rest of the old file, any file between, then the new one */
                if (r->fd >= 0 && ((k = drain(r, &c)) < 0 ||
                                   (k = drain_between(r, dirfd, &st, &c)) < 0)) {
                        close(fd);
                        return k;
                }
                reader_use(r, fd, &st, 0);
        }
}
