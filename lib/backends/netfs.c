/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * netfs.c - the "netfs" pool type: a network filesystem (NFS, CIFS,
 * GlusterFS, or whatever mount(8) finds for "auto") mounted on the
 * target directory.  Volumes are the files in it (the shared local
 * operations); build only makes the target directory.
 *
 * Start runs the mount helper through the context's sys-ops table
 * (the host's: storvirt__command_run()):
 *
 *     mount [-t nfs|cifs|glusterfs] SOURCE TARGET
 *           -o nodev,nosuid,noexec[,nfsvers=N|nfsvers=4.M][,<fs:mount_opts>]
 *
 * with SOURCE "host:/export" (nfs, auto; "[v6addr]:/export"),
 * "//host/share" (cifs) or "host:/volume" (glusterfs; both take the
 * <dir> with or without its leading slash).  The helper, not mount(2):
 * NFS needs mount.nfs (address resolution, version negotiation, the
 * mount protocol), CIFS mount.cifs (credentials, UNC parsing), GlusterFS
 * is a FUSE daemon started by mount.glusterfs.  After the helper reports
 * success the target must be a mount point, so a mount that silently
 * did nothing is not taken for an active pool with files written to
 * the local directory.
 *
 * Only the first <host> is used, without its port (give "port=N" in
 * <fs:mount_opts> when the server needs one).
 *
 * Stop calls umount2(2) itself: the kernel unmounts any of them and no
 * helper is needed to undo a mount.  The pool is active when the top
 * mount on the target has the pool's source (compared as text, trailing
 * slashes aside); stop also takes a mount of the format's filesystem
 * type (nfs/nfs4, cifs/smb3, fuse.glusterfs) on the target for the
 * pool's, in case the helper rewrote the source.
 *
 * Messages: the core puts "pool 'NAME': start: " (stop: ...) before what
 * start and stop report; build, check and delete name the pool here.
 */
#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "backends/backends.h"
#include "backends/local.h"
#include "conf/nfs_version.h"
#include "objects/ctx.h"
#include "sys/command.h"
#include "sys/mount.h"
#include "util/fileio.h"
#include "util/macro.h"
#include "util/strv.h"

/* mount.nfs retries for about two minutes before giving up. */
#define MOUNT_TIMEOUT_MS (180 * 1000)

enum { NOT_MOUNTED = 0, MOUNTED_SOURCE = 1, MOUNTED_OTHER = 2 };

static const struct {
        const char *format;
        const char *type;     /* -t TYPE; NULL: mount(8) decides */
        const char *helper;   /* the program mount(8) hands the request to */
        const char *package;
        const char *fstypes;  /* what mountinfo shows for its mounts, ' '-separated */
} formats[] = {
        { "auto", NULL, NULL, NULL, "nfs nfs4 cifs smb3 fuse.glusterfs" },
        { "nfs", "nfs", "mount.nfs", "nfs-common (nfs-utils)", "nfs nfs4" },
        { "cifs", "cifs", "mount.cifs", "cifs-utils", "cifs smb3" },
        { "glusterfs", "glusterfs", "mount.glusterfs", "glusterfs-client (glusterfs-fuse)",
          "fuse.glusterfs" },
};

/* Whether mountinfo's fstype is one a mount of this format shows. */
static bool fstype_of_format(int fmt, const char *fstype) {
        size_t n = strlen(fstype);

        for (const char *p = formats[fmt].fstypes; n && (p = strstr(p, fstype)); p += n)
                if ((p == formats[fmt].fstypes || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
                        return true;
        return false;
}

static int format_index(const storvirt__pool_def *def) {
        const char *f = def->source.format ? def->source.format : "auto";

        for (size_t i = 0; i < ELEMENTSOF(formats); i++)
                if (strcmp(formats[i].format, f) == 0)
                        return (int)i;
        return storvirt__error_set(-EINVAL, "unknown netfs format '%s'", f);
}

static bool ipv6_char(char c) {
        return isxdigit((unsigned char)c) || c == ':' || c == '.';
}

/* A host name, IPv4 address or IPv6 literal (bracketed or not): 1 if IPv6. */
static int check_host(const char *host) {
        size_t n = host ? strlen(host) : 0, i = 0, end = n;
        bool v6 = host && (host[0] == '[' || strchr(host, ':'));

        if (n == 0)
                return storvirt__error_set(-EINVAL, "no source host");
        if (v6 && host[0] == '[') {
                if (n < 3 || host[n - 1] != ']')
                        goto bad;
                i = 1;
                end = n - 1;
        }
        if (host[i] == '-' || host[i] == '.')
                goto bad;
        for (; i < end; i++) {
                if (v6 && host[i] == '%' && i + 1 < end) /* zone: fe80::1%eth0 */
                        break;
                if (v6 ? !ipv6_char(host[i])
                       : !(isalnum((unsigned char)host[i]) || host[i] == '-' || host[i] == '.' ||
                           host[i] == '_'))
                        goto bad;
        }
        for (; i < end; i++)
                if (!(isalnum((unsigned char)host[i]) || strchr("%-._", host[i])))
                        goto bad;
        return v6;
bad:
        return storvirt__error_set(-EINVAL, "source host '%s' is not a host name or an IP "
                                   "address", host);
}

/* The mount source of the pool's format: host:/export, //host/share, host:/volume. */
static int netfs_source(const storvirt__pool_def *def, int fmt, char **ret) {
        const char *host = def->source.n_hosts ? def->source.hosts[0].name : NULL;
        const char *dir = def->source.dir, *rel;
        const char *format = formats[fmt].format;
        bool bracket;
        int r;

        r = check_host(host);
        if (r < 0)
                return r;
        bracket = r > 0 && host[0] != '[';
        if (!dir || !*dir)
                return storvirt__error_set(-EINVAL, "no source directory");
        for (rel = dir; *rel == '/'; rel++)
                ;
        if (strcmp(format, "cifs") == 0 || strcmp(format, "glusterfs") == 0) {
                if (!*rel)
                        return storvirt__error_set(-EINVAL, "source dir '%s' names no %s", dir,
                                                   format[0] == 'c' ? "share" : "volume");
                r = format[0] == 'c' ? asprintf(ret, "//%s/%s", host, rel)
                                     : asprintf(ret, "%s%s%s:/%s", bracket ? "[" : "", host,
                                                bracket ? "]" : "", rel);
        } else {
                if (dir[0] != '/')
                        return storvirt__error_set(-EINVAL, "source dir '%s' is not an absolute "
                                                   "path", dir);
                r = asprintf(ret, "%s%s%s:%s", bracket ? "[" : "", host, bracket ? "]" : "", dir);
        }
        return r < 0 ? storvirt__error_oom() : 0;
}

/* nodev,nosuid,noexec, nfsvers=N or nfsvers=4.M, then the pool's <fs:mount_opts>. */
static int netfs_options(const storvirt__pool_def *def, int fmt, char ***ret) {
        struct storvirt__strv_builder b = {};
        char ver[STORVIRT__NFS_VERSION_MAX], opt[32];
        const char *why;
        int r = 0;

        if (def->source.protocol_ver && formats[fmt].type && strcmp(formats[fmt].type, "nfs"))
                return storvirt__error_set(-EINVAL, "a protocol version is only used by the "
                                           "nfs and auto formats, not '%s'", formats[fmt].format);
        /* checked again: a definition built in memory may hold anything, a ',' included */
        if (def->source.protocol_ver &&
            storvirt__nfs_version_parse(def->source.protocol_ver, ver, &why) < 0)
                return storvirt__error_set(-EINVAL, "protocol version '%s'%s",
                                           storvirt__name_escape(def->source.protocol_ver, opt,
                                                                 sizeof(opt)), why);
        for (char *const *o = STORVIRT__STRV_MAKE("nodev", "nosuid", "noexec"); r >= 0 && *o; o++)
                r = storvirt__strv_builder_add(&b, *o);
        if (r >= 0 && def->source.protocol_ver) {
                snprintf(opt, sizeof(opt), "nfsvers=%s", ver);
                r = storvirt__strv_builder_add(&b, opt);
        }
        for (char *const *o = def->fs_mount_opts; r >= 0 && o && *o; o++)
                if (**o)
                        r = storvirt__strv_builder_add(&b, *o);
        if (r >= 0)
                r = storvirt__strv_builder_finish(&b, ret);
        storvirt__strv_builder_done(&b);
        return r < 0 ? storvirt__error_oom() : 0;
}

/* Equal mount sources, trailing slashes aside ("host:/a/" is "host:/a"). */
static bool source_equal(const char *a, const char *b) {
        size_t na = strlen(a), nb = strlen(b);

        while (na > 1 && a[na - 1] == '/')
                na--;
        while (nb > 1 && b[nb - 1] == '/')
                nb--;
        return na == nb && memcmp(a, b, na) == 0;
}

/* NOT_MOUNTED, MOUNTED_SOURCE or MOUNTED_OTHER (*other filled then, if given). */
static int netfs_mount_state(const storvirt__pool_obj *obj, const char *source,
                             storvirt__mount_entry *other) {
        storvirt__mount_entry e;
        int r;

        r = storvirt__mountinfo_find_target(NULL, obj->def->target.path, &e);
        if (r <= 0)
                return r;
        if (source_equal(e.source, source)) {
                storvirt__mount_entry_clear(&e);
                return MOUNTED_SOURCE;
        }
        if (other)
                *other = e;
        else
                storvirt__mount_entry_clear(&e);
        return MOUNTED_OTHER;
}

static int other_mounted(const storvirt__pool_obj *obj, storvirt__mount_entry *e) {
        int r = storvirt__error_set(-EBUSY, "'%s' (%s) is mounted on the target '%s', not the "
                                    "pool's source", e->source, e->fstype, obj->def->target.path);
        storvirt__mount_entry_clear(e);
        return r;
}

static int netfs_prepare(const storvirt__pool_obj *obj, int *ret_fmt, char **ret_source) {
        int fmt = format_index(obj->def);

        if (fmt < 0)
                return fmt;
        if (!obj->def->target.path)
                return storvirt__error_set(-EINVAL, "no target path");
        *ret_fmt = fmt;
        return netfs_source(obj->def, fmt, ret_source);
}

static int netfs_check(storvirt__pool_obj *obj, bool *ret_active) {
        _cleanup_free_ char *source = NULL;
        int fmt, r;

        *ret_active = false;
        if (netfs_prepare(obj, &fmt, &source) < 0)
                return 0; /* no source, no mount */
        r = netfs_mount_state(obj, source, NULL);
        if (r < 0)
                return storvirt__error_prefix("pool '%s'", obj->def->name);
        *ret_active = r == MOUNTED_SOURCE;
        return 0;
}

static void close_target(storvirt__pool_obj *obj) {
        if (obj->target_fd >= 0)
                close(obj->target_fd);
        obj->target_fd = -1;
}

/* Runs the helper; a failure names the source, the target and a missing helper. */
static int run_helper(const storvirt__pool_obj *obj, int fmt, const char *source) {
        _cleanup_strv_free_ char **opts = NULL;
        const char *helper = formats[fmt].helper;
        _cleanup_free_ char *msg = NULL;
        char hint[128] = "";
        int r;

        r = netfs_options(obj->def, fmt, &opts);
        if (r < 0)
                return r;
        r = storvirt__ctx_sysops(obj->ctx)->mount_helper(formats[fmt].type, source,
                                                          obj->def->target.path, opts,
                                                          MOUNT_TIMEOUT_MS);
        if (r >= 0)
                return 0;
        msg = strdup(storvirt__error_msg());
        if (helper && storvirt__command_find(helper, NULL) < 0)
                snprintf(hint, sizeof(hint), " (%s is not installed: it comes with %s)", helper,
                         formats[fmt].package);
        return storvirt__error_set(r, "mounting '%s' on '%s': %s%s", source,
                                   obj->def->target.path, msg ? msg : strerror(-r), hint);
}

static int netfs_mount(storvirt__pool_obj *obj, int fmt, const char *source) {
        const char *target = obj->def->target.path;
        storvirt__mount_entry e;
        struct stat st;
        int r;

        if (stat(target, &st) < 0 || !S_ISDIR(st.st_mode))
                return storvirt__error_set(-ENOENT, "target directory '%s' does not exist "
                                           "(build the pool first)", target);
        r = run_helper(obj, fmt, source);
        if (r < 0)
                return r;
        r = storvirt__mountinfo_find_target(NULL, target, &e);
        if (r > 0) {
                storvirt__mount_entry_clear(&e);
                return 0;
        }
        if (r < 0)
                return r;
        return storvirt__error_set(-EIO, "mount reported success for '%s' but nothing is "
                                   "mounted on '%s'", source, target);
}

static int netfs_start(storvirt__pool_obj *obj, uint32_t flags) {
        _cleanup_free_ char *source = NULL;
        storvirt__mount_entry other;
        int fmt, r;

        r = netfs_prepare(obj, &fmt, &source);
        if (r < 0)
                return r;
        r = netfs_mount_state(obj, source, &other);
        if (r < 0)
                return r;
        if (r == MOUNTED_OTHER)
                return other_mounted(obj, &other);
        close_target(obj);
        if (r == NOT_MOUNTED) {
                r = netfs_mount(obj, fmt, source);
                if (r < 0)
                        return r;
        }
        r = storvirt__local_open_target(obj);
        if (r < 0) {
                int saved = r;
                _cleanup_free_ char *msg = strdup(storvirt__error_msg());

                (void)storvirt__ctx_sysops(obj->ctx)->umount(obj->def->target.path);
                r = storvirt__error_set(saved, "%s", msg ? msg : "opening the target failed");
        }
        return r;
}

static int netfs_stop(storvirt__pool_obj *obj, uint32_t flags) {
        _cleanup_free_ char *source = NULL;
        storvirt__mount_entry other;
        int fmt, r, state;

        r = netfs_prepare(obj, &fmt, &source);
        if (r < 0)
                return r;
        state = netfs_mount_state(obj, source, &other);
        if (state < 0)
                return state;
        /*
         * The pool is active, so a network filesystem of its format on the
         * target is its mount even if the helper rewrote the source (a
         * resolved host name): stopping must not get stuck on that.
         */
        if (state == MOUNTED_OTHER && fstype_of_format(fmt, other.fstype)) {
                storvirt__mount_entry_clear(&other);
                state = MOUNTED_SOURCE;
        }
        if (state == MOUNTED_OTHER)
                return other_mounted(obj, &other);
        close_target(obj);
        if (state == NOT_MOUNTED)
                return 0; /* unmounted behind the pool's back */
        r = storvirt__ctx_sysops(obj->ctx)->umount(obj->def->target.path);
        if (r < 0) {
                obj->target_fd = open(obj->def->target.path,
                                      O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                return r;
        }
        return 0;
}

static int netfs_delete(storvirt__pool_obj *obj, uint32_t flags) {
        const char *target = obj->def->target.path;
        int r = target ? storvirt__mount_require_unmounted(target) : 0;

        if (r < 0)
                return storvirt__error_prefix("pool '%s': cannot delete", obj->def->name);
        return storvirt__local_delete_pool(obj, flags);
}

const storvirt__backend_ops storvirt__backend_netfs = {
        .abi = STORVIRT__BACKEND_ABI,
        .type = "netfs",
        .encrypted_volumes = true,
        .check_pool = netfs_check,
        .build_pool = storvirt__dir_build_target,
        .start_pool = netfs_start,
        .refresh_pool = storvirt__local_refresh_pool,
        .refresh_capacity = storvirt__local_refresh_capacity,
        .stop_pool = netfs_stop,
        .delete_pool = netfs_delete,
        .create_volume = storvirt__local_create_volume,
        .build_volume = storvirt__local_build_volume,
        .build_volume_from = storvirt__local_build_volume_from,
        .refresh_volume = storvirt__local_refresh_volume,
        .delete_volume = storvirt__local_delete_volume,
        .resize_volume = storvirt__local_resize_volume,
        .upload_volume = storvirt__local_upload_volume,
        .download_volume = storvirt__local_download_volume,
        .wipe_volume = storvirt__local_wipe_volume,
};
