/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fileio.h - small, careful file helpers for the state directory:
 * atomic replacement of a file, bounded whole-file reads, mkdir -p and
 * validation of plain file names.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Longest plain name accepted by storvirt__name_check() (NAME_MAX). */
#define STORVIRT__NAME_MAX 255

/* Whether s holds a control character (0x01..0x1f or 0x7f). */
bool storvirt__has_control_char(const char *s);

/*
 * Check that name is a plain file name: not NULL, not empty, not "."
 * or "..", no '/', no control character (a newline in a name would
 * forge lines in listings and logs), at most STORVIRT__NAME_MAX bytes.  On failure returns
 * -EINVAL with a message naming `what` ("invalid <what> name '...': ...")
 * and quoting the name with non-printable bytes escaped.
 */
int storvirt__name_check(const char *what, const char *name);

/*
 * Replace dirfd/name with len bytes of data, atomically: the data goes
 * to a new hidden temporary file ".<name>.XXXXXX" in the same directory
 * (O_CREAT|O_EXCL|O_NOFOLLOW), which is written, given `mode` (exactly,
 * umask not applied), fsync'ed and renamed over name; then the directory
 * is fsync'ed.  dirfd may be AT_FDCWD.  name must pass
 * storvirt__name_check().  On failure the temporary file is removed and
 * the previous content of name is untouched (except if only the final
 * directory fsync fails: the new content is then in place but maybe not
 * yet durable).  Returns 0 or a negative errno.
 */
int storvirt__file_write_atomic(int dirfd, const char *name, const void *data,
                                size_t len, mode_t mode);

/*
 * Whether name has the form of the temporary files of
 * storvirt__file_write_atomic() (".<name>.XXXXXX", six letters or
 * digits), which a writer killed before its rename leaves behind.
 */
bool storvirt__file_is_temp(const char *name);

/*
 * As storvirt__file_write_atomic(), through the temporary file dirfd/tmp
 * (a plain name; an old file of that name is removed first) instead of a
 * random one.  For writers that serialize on a lock: one killed midway
 * leaves a file whose name the next writer, or a recovery, knows.
 */
int storvirt__file_write_atomic_via(int dirfd, const char *name, const char *tmp,
                                    const void *data, size_t len, mode_t mode);

/*
 * Read the whole regular file dirfd/name (a relative or absolute path;
 * the last component must not be a symlink) into a malloc'd buffer,
 * NUL-terminated (*ret_len excludes the NUL).  Files larger than
 * max_size bytes are refused with -EFBIG, non-regular files with
 * -EINVAL.  ret_len may be NULL.  Outputs are written only on success.
 */
int storvirt__file_read_all(int dirfd, const char *name, size_t max_size,
                            char **ret_data, size_t *ret_len);

/*
 * storvirt__file_read_all() for files the caller keeps itself (state
 * records): a file owned by another uid than the effective one is
 * refused with -EPERM.
 */
int storvirt__file_read_owned(int dirfd, const char *name, size_t max_size,
                              char **ret_data, size_t *ret_len);

/*
 * storvirt__file_read_owned() for a large file read once (a pool's saved
 * volume list): the text is in memory from storvirt__bigmem_alloc(),
 * *ret_alloc bytes to give back with storvirt__bigmem_free().  A file
 * that grows while it is read is -EIO (one replaced by rename never does).
 */
int storvirt__file_read_owned_big(int dirfd, const char *name, size_t max_size,
                                  char **ret_data, size_t *ret_len, size_t *ret_alloc);

/*
 * Check that the directory open as fd may hold private state: a
 * directory, owned by the effective uid, writable by neither its group
 * nor others.  A mode with bits outside `allowed` (that drifted, say
 * 0755 where 0700 was made) is then narrowed to them.  Returns 0, or
 * -EPERM with "<what> '<path>' is owned by uid U, not V: refusing to use
 * it" / "... is writable by others (mode 0777): ..." (-ENOTDIR, -errno).
 */
int storvirt__dir_check_private(int fd, const char *what, const char *path, mode_t allowed);

/*
 * Create path and any missing parent directories, each created one with
 * mode (minus the umask, as mkdir(2)).  Returns 0 also when path already
 * is a directory (or a symlink to one), -ENOTDIR when some component
 * exists and is not a directory.
 */
int storvirt__mkdir_p(const char *path, mode_t mode);

/* Room for storvirt__name_escape() output, NUL included. */
#define STORVIRT__ESCAPED_NAME_SIZE 256

/*
 * Copy s into buf (size bytes) for use inside '...' in an error
 * message: printable ASCII is kept, '\'' and '\\' get a backslash, any
 * other byte becomes \xNN; output that does not fit ends in "...".
 * A NULL s gives "(null)".  Returns buf.
 */
char *storvirt__name_escape(const char *s, char *buf, size_t size);

/*
 * Copy-on-write of the file or directory open on fd (new files in a
 * directory inherit it): turned off (cow false) or on.  Only btrfs copies
 * on write; elsewhere there is nothing to change and 0 is returned.
 */
int storvirt__file_set_cow(int fd, bool cow, const char *what);
