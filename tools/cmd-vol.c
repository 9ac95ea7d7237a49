/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cmd-vol.c - the storage volume commands of storvirt, with virsh's
 * names, options and messages: vol-create, vol-create-as, vol-create-from,
 * vol-clone, vol-delete, vol-wipe, vol-resize, vol-list, vol-info,
 * vol-dumpxml, vol-path, vol-key, vol-pool, vol-upload, vol-download.
 *
 * A volume argument is resolved as virsh does: with --pool, by name in
 * that pool; then (and without --pool) by key, then by path.  The long
 * operations draw a progress bar on standard error when it is a terminal.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "cli.h"
#include "outfile.h"
#include "progress.h"

/* ------------------------------------------------------------------------
 * Helpers.
 */

#define ARG_VOL CLI_ARG("VOL", "a volume: name (with --pool), key or path")
#define OPT_POOL CLI_STR_OPT("pool", "POOL", "the pool VOL is in (to find it by name)")
#define OPT_PREALLOC CLI_FLAG_OPT("prealloc-metadata", STORVIRT_VOLUME_CREATE_PREALLOC_METADATA, \
                                  "preallocate a qcow2 image's metadata")
#define OPT_REFLINK CLI_FLAG_OPT("reflink", STORVIRT_VOLUME_CREATE_REFLINK, \
                                 "require a reflink copy")
#define OPT_NO_COW CLI_FLAG_OPT("no-cow", STORVIRT_VOLUME_CREATE_NO_COW, \
                                "a full copy, not a copy-on-write clone (rbd)")

static const char *vol_type_name(uint32_t type) {
        switch (type) {
        case STORVIRT_VOLUME_TYPE_FILE: return "file";
        case STORVIRT_VOLUME_TYPE_BLOCK: return "block";
        case STORVIRT_VOLUME_TYPE_DIR: return "dir";
        case STORVIRT_VOLUME_TYPE_NETWORK: return "network";
        case STORVIRT_VOLUME_TYPE_NETDIR: return "netdir";
        case STORVIRT_VOLUME_TYPE_PLOOP: return "ploop";
        default: return "unknown";
        }
}

static bool not_found(int r) {
        return r == -ENOENT || r == -EINVAL;
}

/*
 * Finds a volume the way virsh does: with pool_name, by name in that
 * pool; then by key and by path among the active pools.  The first
 * failure other than "no such volume" is the one reported.
 */
static int vol_lookup(struct cli *cli, const char *pool_name, const char *name,
                      storvirt_volume **ret) {
        storvirt_pool *pool = NULL;
        storvirt_ctx *ctx;
        int r, saved = 0;

        r = cli_ctx(cli, &ctx);
        if (r < 0)
                return r;
        if (pool_name) {
                r = cli_pool_lookup(cli, pool_name, &pool);
                if (r < 0)
                        return r;
                r = storvirt_volume_lookup_by_name(pool, name, ret);
                storvirt_pool_unref(pool);
                if (r >= 0)
                        return 0;
                if (r != -ENOENT) {
                        /* Keep the message: key and path get their chance first. */
                        const char *msg = storvirt_error_message();
                        saved = cli_error(cli, -r, "%s", msg ? msg : strerror(-r));
                }
        }
        r = storvirt_volume_lookup_by_key(ctx, name, ret);
        if (r >= 0)
                goto found;
        if (!not_found(r) && !saved)
                return r;
        r = storvirt_volume_lookup_by_path(ctx, name, ret);
        if (r >= 0)
                goto found;
        if (!not_found(r) && !saved)
                return r;
        if (saved)
                return saved;
        if (pool_name)
                return cli_error(cli, ENOENT,
                                 "failed to get vol '%s': no storage volume with matching "
                                 "name in pool '%s', key or path", name, pool_name);
        return cli_error(cli, ENOENT,
                         "failed to get vol '%s': no storage volume with matching key or path "
                         "(use --pool POOL to give a name)", name);
found:
        cli->error_msg = NULL;
        return 0;
}

/* The JSON result of a command that acts on one volume. */
static void vol_json_id(struct cli *cli, storvirt_volume *vol) {
        if (!cli->json)
                return;
        cli_field_str(cli, "name", "Name:", storvirt_volume_get_name(vol));
        cli_field_str(cli, "pool", "Pool:", storvirt_pool_get_name(storvirt_volume_get_pool(vol)));
        cli_field_str(cli, "key", "Key:", storvirt_volume_get_key(vol));
        cli_field_str(cli, "path", "Path:", storvirt_volume_get_path(vol));
}

/* A progress label "<verb> <name>", in buf. */
static const char *label(char *buf, size_t size, const char *verb, const char *name) {
        snprintf(buf, size, "%s %s", verb, name);
        return buf;
}

/* ------------------------------------------------------------------------
 * Creation.
 */

/* Creates a volume, with a progress bar for the preallocation. */
static int create_common(struct cli *cli, storvirt_pool *pool, const char *xml, const char *name,
                         uint32_t flags, storvirt_volume **ret) {
        struct progress prog;
        char buf[512];
        int r;

        progress_init(&prog, name ? label(buf, sizeof(buf), "Allocating", name)
                                  : "Allocating volume");
        r = storvirt_volume_create_xml(pool, xml, ret, progress_cb, &prog, flags);
        progress_done(&prog, r >= 0);
        return r;
}

static const struct cli_opt opts_vol_create[] = {
        CLI_ARG("POOL", "a pool name or UUID"),
        CLI_ARG("FILE", "the volume XML ('-': standard input)"),
        OPT_PREALLOC,
        CLI_END,
};

static int cmd_vol_create(struct cli *cli, const struct cli_args *a) {
        const char *file = cli_str(a, "FILE");
        storvirt_pool *pool = NULL;
        storvirt_volume *vol = NULL;
        char *xml = NULL;
        int r;

        r = cli_pool_lookup(cli, cli_str(a, "POOL"), &pool);
        if (r < 0)
                return r;
        r = cli_read_file(cli, file, &xml);
        if (r >= 0)
                r = create_common(cli, pool, xml, NULL, cli_flags(a), &vol);
        if (r >= 0) {
                r = 0;
                cli_text(cli, "Vol %s created from %s", storvirt_volume_get_name(vol), file);
                vol_json_id(cli, vol);
        }
        free(xml);
        storvirt_volume_unref(vol);
        storvirt_pool_unref(pool);
        return r;
}

/* The volume XML of vol-create-as. */
struct vol_def_opts {
        const char *name, *format, *backing_path, *backing_format;
        uint64_t capacity, allocation;
        bool has_allocation;
};

static int vol_xml_build(struct cli *cli, const struct vol_def_opts *d, char **ret) {
        size_t size = 0;
        char *buf = NULL;
        FILE *f;
        int r;

        f = open_memstream(&buf, &size);
        if (!f)
                return cli_error(cli, ENOMEM, "out of memory");
        fputs("<volume>\n  <name>", f);
        r = cli_xml_escape(cli, f, "NAME", d->name);
        fputs("</name>\n", f);
        fprintf(f, "  <capacity unit='bytes'>%llu</capacity>\n",
                (unsigned long long)d->capacity);
        if (d->has_allocation)
                fprintf(f, "  <allocation unit='bytes'>%llu</allocation>\n",
                        (unsigned long long)d->allocation);
        if (!r && d->format) {
                fputs("  <target>\n    <format type='", f);
                r = cli_xml_escape(cli, f, "--format", d->format);
                fputs("'/>\n  </target>\n", f);
        }
        if (!r && d->backing_path) {
                fputs("  <backingStore>\n    <path>", f);
                r = cli_xml_escape(cli, f, "--backing-vol", d->backing_path);
                fputs("</path>\n", f);
                if (!r && d->backing_format) {
                        fputs("    <format type='", f);
                        r = cli_xml_escape(cli, f, "--backing-vol-format", d->backing_format);
                        fputs("'/>\n", f);
                }
                fputs("  </backingStore>\n", f);
        }
        fputs("</volume>\n", f);
        if (fclose(f) != 0 && !r)
                r = cli_error(cli, ENOMEM, "out of memory");
        if (r) {
                free(buf);
                return r;
        }
        *ret = buf;
        return 0;
}

/*
 * The backing volume of vol-create-as, as virsh finds it: a volume name in
 * the pool, a key or a path of a known volume; else an absolute path is
 * taken as it is.  Fills d->backing_path (and format) from it.
 */
static int backing_lookup(struct cli *cli, storvirt_pool *pool, const char *backing,
                          struct vol_def_opts *d, storvirt_volume **ret) {
        int r;

        r = pool ? storvirt_volume_lookup_by_name(pool, backing, ret) : -ENOENT;
        if (r < 0)
                r = vol_lookup(cli, NULL, backing, ret);
        if (r >= 0) {
                d->backing_path = storvirt_volume_get_path(*ret);
                if (!d->backing_format)
                        d->backing_format = storvirt_volume_get_format(*ret);
        } else if (backing[0] == '/' && r == -ENOENT) {
                cli->error_msg = NULL;
                d->backing_path = backing;
                r = 0;
        }
        return r;
}

static const struct cli_opt opts_vol_create_as[] = {
        CLI_ARG("POOL", "a pool name or UUID"),
        CLI_ARG("NAME", "the new volume's name"),
        { .name = "SIZE", .kind = CLI_SIZE, .flags = CLI_OPERAND | CLI_REQUIRED,
          .help = "its capacity: bytes, or with a unit (10G, 512MiB)" },
        CLI_STR_OPT("format", "FORMAT", "raw, qcow2, ... (the pool's default)"),
        { .name = "allocation", .kind = CLI_SIZE, .arg = "SIZE", .help = "the space to allocate" },
        CLI_STR_OPT("backing-vol", "VOL", "the backing volume (name in POOL, key or path)"),
        CLI_STR_OPT("backing-vol-format", "FORMAT", "its format (default: the volume's)"),
        OPT_PREALLOC,
        CLI_BOOL_OPT("print-xml", "print the volume XML, create nothing"),
        CLI_END,
};

static int cmd_vol_create_as(struct cli *cli, const struct cli_args *a) {
        struct vol_def_opts d = {
                .name = cli_str(a, "NAME"), .format = cli_str(a, "format"),
                .backing_format = cli_str(a, "backing-vol-format"),
                .capacity = cli_u64(a, "SIZE"), .allocation = cli_u64(a, "allocation"),
                .has_allocation = cli_given(a, "allocation"),
        };
        const char *backing = cli_str(a, "backing-vol");
        bool print_xml = cli_given(a, "print-xml");
        storvirt_pool *pool = NULL;
        storvirt_volume *vol = NULL, *bvol = NULL;
        char *xml = NULL;
        int r = 0;

        if (d.backing_format && !backing)
                return cli_usage(cli, "%s: --backing-vol-format needs --backing-vol",
                                 a->cmd->name);
        if (!print_xml || backing) {
                /* --print-xml needs the pool only to find a backing volume. */
                r = cli_pool_lookup(cli, cli_str(a, "POOL"), &pool);
                if (r < 0 && !print_xml)
                        return r;
                if (r < 0) {
                        pool = NULL;
                        cli->error_msg = NULL;
                }
        }
        if (backing && (r = backing_lookup(cli, pool, backing, &d, &bvol)) < 0)
                goto out;
        r = vol_xml_build(cli, &d, &xml);
        if (r)
                goto out;
        if (print_xml) {
                if (cli->json)
                        cli_field_str(cli, "xml", "XML:", xml);
                else
                        fputs(xml, stdout);
                goto out;
        }
        r = create_common(cli, pool, xml, d.name, cli_flags(a), &vol);
        if (r >= 0) {
                r = 0;
                cli_text(cli, "Vol %s created", storvirt_volume_get_name(vol));
                vol_json_id(cli, vol);
        }
out:
        free(xml);
        storvirt_volume_unref(bvol);
        storvirt_volume_unref(vol);
        storvirt_pool_unref(pool);
        return r;
}

static int create_from_common(struct cli *cli, storvirt_pool *pool, const char *xml,
                              storvirt_volume *src, uint32_t flags, storvirt_volume **ret) {
        struct progress prog;
        char buf[512];
        int r;

        progress_init(&prog, label(buf, sizeof(buf), "Copying", storvirt_volume_get_name(src)));
        r = storvirt_volume_create_xml_from(pool, xml, src, ret, progress_cb, &prog, flags);
        progress_done(&prog, r >= 0);
        return r;
}

static const struct cli_opt opts_vol_create_from[] = {
        CLI_ARG("POOL", "the pool of the new volume"),
        CLI_ARG("FILE", "the new volume's XML ('-': standard input)"),
        CLI_ARG("VOL", "the volume to copy: name (with --inputpool), key or path"),
        CLI_STR_OPT("inputpool", "POOL", "the pool VOL is in"),
        OPT_PREALLOC,
        OPT_REFLINK,
        OPT_NO_COW,
        CLI_END,
};

static int cmd_vol_create_from(struct cli *cli, const struct cli_args *a) {
        storvirt_pool *pool = NULL;
        storvirt_volume *src = NULL, *vol = NULL;
        char *xml = NULL;
        int r;

        r = cli_pool_lookup(cli, cli_str(a, "POOL"), &pool);
        if (r >= 0)
                r = cli_read_file(cli, cli_str(a, "FILE"), &xml);
        if (r >= 0)
                r = vol_lookup(cli, cli_str(a, "inputpool"), cli_str(a, "VOL"), &src);
        if (r >= 0)
                r = create_from_common(cli, pool, xml, src, cli_flags(a), &vol);
        if (r >= 0) {
                r = 0;
                cli_text(cli, "Vol %s created from input vol %s", storvirt_volume_get_name(vol),
                         storvirt_volume_get_name(src));
                vol_json_id(cli, vol);
        }
        free(xml);
        storvirt_volume_unref(vol);
        storvirt_volume_unref(src);
        storvirt_pool_unref(pool);
        return r;
}

static xmlNode *xml_child(xmlNode *parent, const char *name) {
        for (xmlNode *n = parent ? parent->children : NULL; n; n = n->next)
                if (n->type == XML_ELEMENT_NODE && xmlStrEqual(n->name, BAD_CAST name))
                        return n;
        return NULL;
}

static void xml_remove(xmlNode *n) {
        if (n) {
                xmlUnlinkNode(n);
                xmlFreeNode(n);
        }
}

/*
 * The XML of a clone: the source's XML with the new name, without what
 * belongs to the source alone (key, path, allocation, timestamps).
 */
static int clone_xml(struct cli *cli, const char *src_xml, const char *name, char **ret) {
        xmlDoc *doc;
        xmlNode *root, *n, *target;
        xmlChar *out = NULL;
        int len = 0;

        doc = xmlReadMemory(src_xml, (int)strlen(src_xml), "volume.xml", NULL,
                            XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
        if (!doc)
                return cli_error(cli, EINVAL, "cannot parse the XML of the source volume");
        root = xmlDocGetRootElement(doc);
        if (!root || !xmlStrEqual(root->name, BAD_CAST "volume")) {
                xmlFreeDoc(doc);
                return cli_error(cli, EINVAL, "the XML of the source volume has no <volume>");
        }
        n = xml_child(root, "name");
        if (!n)
                n = xmlNewChild(root, NULL, BAD_CAST "name", NULL);
        if (!n) {
                xmlFreeDoc(doc);
                return cli_error(cli, ENOMEM, "out of memory");
        }
        xmlNodeSetContent(n, NULL);
        xmlNodeAddContent(n, BAD_CAST name); /* escaped when written */
        xml_remove(xml_child(root, "key"));
        xml_remove(xml_child(root, "allocation"));
        xml_remove(xml_child(root, "physical"));
        target = xml_child(root, "target");
        xml_remove(xml_child(target, "path"));
        xml_remove(xml_child(target, "timestamps"));
        xmlDocDumpMemory(doc, &out, &len);
        xmlFreeDoc(doc);
        if (!out)
                return cli_error(cli, ENOMEM, "out of memory");
        *ret = strdup((const char *)out);
        xmlFree(out);
        if (!*ret)
                return cli_error(cli, ENOMEM, "out of memory");
        return 0;
}

static const struct cli_opt opts_vol_clone[] = {
        ARG_VOL,
        CLI_ARG("NEWNAME", "the copy's name"),
        OPT_POOL,
        OPT_PREALLOC,
        OPT_REFLINK,
        OPT_NO_COW,
        CLI_END,
};

static int cmd_vol_clone(struct cli *cli, const struct cli_args *a) {
        storvirt_volume *src = NULL, *vol = NULL;
        char *src_xml = NULL, *xml = NULL;
        int r;

        r = vol_lookup(cli, cli_str(a, "pool"), cli_str(a, "VOL"), &src);
        if (r < 0)
                return r;
        r = storvirt_volume_get_xml(src, &src_xml, 0);
        if (r >= 0)
                r = clone_xml(cli, src_xml, cli_str(a, "NEWNAME"), &xml);
        if (r >= 0)
                r = create_from_common(cli, storvirt_volume_get_pool(src), xml, src,
                                       cli_flags(a), &vol);
        if (r >= 0) {
                r = 0;
                cli_text(cli, "Vol %s cloned from %s", storvirt_volume_get_name(vol),
                         storvirt_volume_get_name(src));
                vol_json_id(cli, vol);
        }
        storvirt_free(src_xml);
        free(xml);
        storvirt_volume_unref(vol);
        storvirt_volume_unref(src);
        return r;
}

/* ------------------------------------------------------------------------
 * Changes.
 */

static const struct cli_opt opts_vol_delete[] = {
        ARG_VOL,
        OPT_POOL,
        { .name = "wipe", .kind = CLI_BOOL, .alias = "wipe-storage",
          .flag = STORVIRT_VOLUME_DELETE_ZEROED, .help = "zero the data first" },
        CLI_FLAG_OPT("force", STORVIRT_VOLUME_DELETE_FORCE, "even when a vDisk uses it"),
        CLI_FLAG_OPT("delete-snapshots", STORVIRT_VOLUME_DELETE_WITH_SNAPSHOTS,
                     "rbd: remove the image's snapshots with it"),
        CLI_END,
};

static int cmd_vol_delete(struct cli *cli, const struct cli_args *a) {
        const char *name = cli_str(a, "VOL");
        storvirt_volume *vol = NULL;
        int r;

        r = vol_lookup(cli, cli_str(a, "pool"), name, &vol);
        if (r < 0)
                return r;
        r = storvirt_volume_delete(vol, cli_flags(a));
        if (r >= 0) {
                r = 0;
                cli_text(cli, "Vol %s deleted", name);
                vol_json_id(cli, vol);
        }
        storvirt_volume_unref(vol);
        return r;
}

/* VOL [--pool POOL]: the options of the commands on one volume. */
static const struct cli_opt opts_vol[] = {
        ARG_VOL,
        OPT_POOL,
        CLI_END,
};

static const struct cli_opt opts_vol_wipe[] = {
        ARG_VOL,
        OPT_POOL,
        CLI_STR_OPT("algorithm", "ALG", "how to wipe: zero, the only one here"),
        CLI_END,
};

/*
 * --algorithm: virsh's names; only "zero" (what wiping here does) is
 * taken, the others are refused by name.
 */
static int wipe_algorithm(struct cli *cli, const char *cmd, const char *alg) {
        static const char *const others[] = {
                "nnsa", "dod", "bsi", "gutmann", "schneier", "pfitzner7", "pfitzner33", "random",
                "trim", NULL,
        };

        if (!alg || strcmp(alg, "zero") == 0)
                return 0;
        for (size_t i = 0; others[i]; i++)
                if (strcmp(alg, others[i]) == 0)
                        return cli_error(cli, EOPNOTSUPP, "%s: algorithm '%s' is not supported: "
                                         "only 'zero' is (the data is overwritten with zeros)",
                                         cmd, alg);
        return cli_usage(cli, "%s: --algorithm '%s': unknown algorithm (zero, nnsa, dod, bsi, "
                         "gutmann, schneier, pfitzner7, pfitzner33, random, trim)", cmd, alg);
}

static int cmd_vol_wipe(struct cli *cli, const struct cli_args *a) {
        const char *name = cli_str(a, "VOL");
        storvirt_volume *vol = NULL;
        struct progress prog;
        char buf[512];
        int r;

        r = wipe_algorithm(cli, a->cmd->name, cli_str(a, "algorithm"));
        if (r)
                return r;
        r = vol_lookup(cli, cli_str(a, "pool"), name, &vol);
        if (r < 0)
                return r;
        progress_init(&prog, label(buf, sizeof(buf), "Wiping", storvirt_volume_get_name(vol)));
        r = storvirt_volume_wipe(vol, progress_cb, &prog, 0);
        progress_done(&prog, r >= 0);
        if (r >= 0) {
                r = 0;
                cli_text(cli, "Vol %s wiped", name);
                vol_json_id(cli, vol);
        }
        storvirt_volume_unref(vol);
        return r;
}

static const struct cli_opt opts_vol_resize[] = {
        ARG_VOL,
        CLI_ARG("SIZE", "the new capacity, or with --delta the change (-: a decrease)"),
        OPT_POOL,
        CLI_FLAG_OPT("allocate", STORVIRT_VOLUME_RESIZE_ALLOCATE, "allocate the new space"),
        CLI_FLAG_OPT("delta", STORVIRT_VOLUME_RESIZE_DELTA, "SIZE is a change"),
        CLI_FLAG_OPT("shrink", STORVIRT_VOLUME_RESIZE_SHRINK, "allow making it smaller"),
        CLI_END,
};

static int cmd_vol_resize(struct cli *cli, const struct cli_args *a) {
        const char *size = cli_str(a, "SIZE"), *given = size;
        storvirt_volume *vol = NULL;
        uint64_t capacity, new_capacity = 0;
        uint32_t flags = cli_flags(a);
        int r;

        /* As virsh: a negative size is a decrease; it needs --shrink. */
        if (size[0] == '-') {
                if (!(flags & STORVIRT_VOLUME_RESIZE_SHRINK))
                        return cli_usage(cli, "%s: negative size requires --shrink",
                                         a->cmd->name);
                flags |= STORVIRT_VOLUME_RESIZE_DELTA;
                size++;
        }
        r = cli_parse_size(cli, "SIZE", size, &capacity);
        if (r)
                return r;
        r = vol_lookup(cli, cli_str(a, "pool"), cli_str(a, "VOL"), &vol);
        if (r < 0)
                return r;
        r = storvirt_volume_resize(vol, capacity, flags);
        if (r >= 0) {
                r = 0;
                storvirt_volume_get_info(vol, NULL, &new_capacity, NULL, NULL);
                if (flags & STORVIRT_VOLUME_RESIZE_DELTA)
                        cli_text(cli, "Size of volume '%s' successfully changed by %s%s",
                                 storvirt_volume_get_name(vol),
                                 given[0] == '-' ? "-" : "", size);
                else
                        cli_text(cli, "Size of volume '%s' successfully changed to %s",
                                 storvirt_volume_get_name(vol), size);
                vol_json_id(cli, vol);
                if (cli->json)
                        cli_field_u64(cli, "capacity", "Capacity:", new_capacity);
        }
        storvirt_volume_unref(vol);
        return r;
}

/* ------------------------------------------------------------------------
 * Information.
 */

static const struct cli_opt opts_vol_list[] = {
        { .name = "POOL", .kind = CLI_STRING, .flags = CLI_OPERAND | CLI_REQUIRED,
          .alias = "pool", .help = "a pool name or UUID" },
        CLI_BOOL_OPT("details", "also type, capacity and allocation"),
        CLI_END,
};

static int cmd_vol_list(struct cli *cli, const struct cli_args *a) {
        bool details = cli_given(a, "details");
        storvirt_pool *pool = NULL;
        storvirt_volume **vols = NULL;
        struct cli_table t;
        int r;

        r = cli_pool_lookup(cli, cli_str(a, "POOL"), &pool);
        if (r < 0)
                return r;
        r = storvirt_pool_list_volumes(pool, &vols, NULL, 0);
        if (r < 0) {
                storvirt_pool_unref(pool);
                return r;
        }

        const struct cli_column cols[] = {
                { "name", "Name" },
                { "path", "Path" },
                { "key", NULL },
                { "format", NULL },
                { "type", details ? "Type" : NULL },
                { "capacity", details ? "Capacity" : NULL },
                { "allocation", details ? "Allocation" : NULL },
                { "physical", NULL },
        };
        cli_table_begin(cli, &t, "volumes", cols, sizeof(cols) / sizeof(cols[0]));
        for (size_t i = 0; vols[i]; i++) {
                storvirt_volume *v = vols[i];
                uint64_t capacity = 0, allocation = 0, physical = 0;
                uint32_t type = 0;
                /* the figures (one stat of the file each) only where they are shown */
                bool info = (details || cli->json) &&
                            storvirt_volume_get_info(v, &type, &capacity, &allocation,
                                                     &physical) >= 0;

                cli_table_row(&t);
                /* the handles, and so their strings, outlive the table */
                cli_table_str_borrowed(&t, storvirt_volume_get_name(v));
                cli_table_str_borrowed(&t, storvirt_volume_get_path(v));
                cli_table_str_borrowed(&t, storvirt_volume_get_key(v));
                cli_table_str(&t, storvirt_volume_get_format(v));
                if (info) {
                        cli_table_str(&t, vol_type_name(type));
                        cli_table_size(&t, capacity);
                        cli_table_size(&t, allocation);
                        cli_table_size(&t, physical);
                } else {
                        /* Not shown, or deleted since the listing. */
                        cli_table_null(&t);
                        cli_table_null(&t);
                        cli_table_null(&t);
                        cli_table_null(&t);
                }
        }
        r = cli_table_end(&t);
        storvirt_volume_list_free(vols);
        storvirt_pool_unref(pool);
        return r;
}

/* "Warning:" when the volume is not handed out as it is (JSON: null when nothing). */
static int vol_warning_field(struct cli *cli, storvirt_volume *vol) {
        char *msg = NULL;
        int r = storvirt_volume_get_warning(vol, &msg, 0);

        if (r < 0)
                return r;
        if (msg || cli->json)
                cli_field_str(cli, "warning", "Warning:", msg);
        storvirt_free(msg);
        return 0;
}

static const struct cli_opt opts_vol_info[] = {
        ARG_VOL,
        OPT_POOL,
        CLI_BOOL_OPT("bytes", "sizes in bytes"),
        CLI_END,
};

/* A size of vol-info: rounded with units, or with --bytes "N bytes" (virsh's). */
static void vol_size_field(struct cli *cli, bool bytes, const char *key, const char *label,
                           uint64_t value) {
        char buf[32];

        if (cli->json || !bytes) {
                cli_field_size(cli, key, label, value);
                return;
        }
        snprintf(buf, sizeof(buf), "%llu bytes", (unsigned long long)value);
        cli_field_str(cli, key, label, buf);
}

static int cmd_vol_info(struct cli *cli, const struct cli_args *a) {
        bool bytes = cli_given(a, "bytes");
        storvirt_volume *vol = NULL;
        uint64_t capacity, allocation, physical;
        uint32_t type;
        int r;

        r = vol_lookup(cli, cli_str(a, "pool"), cli_str(a, "VOL"), &vol);
        if (r < 0)
                return r;
        r = storvirt_volume_get_info(vol, &type, &capacity, &allocation, &physical);
        if (r >= 0) {
                r = 0;
                cli_field_str(cli, "name", "Name:", storvirt_volume_get_name(vol));
                cli_field_str(cli, "type", "Type:", vol_type_name(type));
                vol_size_field(cli, bytes, "capacity", "Capacity:", capacity);
                vol_size_field(cli, bytes, "allocation", "Allocation:", allocation);
                vol_size_field(cli, bytes, "physical", "Physical:", physical);
                if (cli->json) {
                        cli_field_str(cli, "format", "Format:", storvirt_volume_get_format(vol));
                        cli_field_str(cli, "pool", "Pool:",
                                      storvirt_pool_get_name(storvirt_volume_get_pool(vol)));
                        cli_field_str(cli, "key", "Key:", storvirt_volume_get_key(vol));
                        cli_field_str(cli, "path", "Path:", storvirt_volume_get_path(vol));
                }
                r = vol_warning_field(cli, vol);
        }
        storvirt_volume_unref(vol);
        return r;
}

static int cmd_vol_dumpxml(struct cli *cli, const struct cli_args *a) {
        storvirt_volume *vol = NULL;
        char *xml = NULL;
        int r;

        r = vol_lookup(cli, cli_str(a, "pool"), cli_str(a, "VOL"), &vol);
        if (r < 0)
                return r;
        r = storvirt_volume_get_xml(vol, &xml, 0);
        if (r >= 0) {
                r = 0;
                if (cli->json) {
                        cli_field_str(cli, "xml", "XML:", xml);
                } else {
                        fputs(xml, stdout);
                        if (!*xml || xml[strlen(xml) - 1] != '\n')
                                putchar('\n');
                }
        }
        storvirt_free(xml);
        storvirt_volume_unref(vol);
        return r;
}

enum { ATTR_PATH, ATTR_KEY, ATTR_POOL, ATTR_NAME };

/* vol-path, vol-key, vol-pool: one attribute. */
static int vol_attr(struct cli *cli, const struct cli_args *a, int which) {
        const char *value, *key;
        storvirt_volume *vol = NULL;
        int r;

        r = vol_lookup(cli, which == ATTR_NAME ? NULL : cli_str(a, "pool"), cli_str(a, "VOL"),
                       &vol);
        if (r < 0)
                return r;
        switch (which) {
        case ATTR_PATH:
                key = "path";
                value = storvirt_volume_get_path(vol);
                break;
        case ATTR_KEY:
                key = "key";
                value = storvirt_volume_get_key(vol);
                break;
        case ATTR_NAME:
                key = "name";
                value = storvirt_volume_get_name(vol);
                break;
        default:
                key = "pool";
                value = storvirt_pool_get_name(storvirt_volume_get_pool(vol));
                break;
        }
        if (cli->json)
                cli_field_str(cli, key, key, value);
        else
                printf("%s\n", value ? value : "");
        storvirt_volume_unref(vol);
        return 0;
}

static int cmd_vol_path(struct cli *cli, const struct cli_args *a) {
        return vol_attr(cli, a, ATTR_PATH);
}

static int cmd_vol_key(struct cli *cli, const struct cli_args *a) {
        return vol_attr(cli, a, ATTR_KEY);
}

static int cmd_vol_pool(struct cli *cli, const struct cli_args *a) {
        return vol_attr(cli, a, ATTR_POOL);
}

static const struct cli_opt opts_vol_name[] = {
        CLI_ARG("VOL", "a volume's key or path"),
        CLI_END,
};

static int cmd_vol_name(struct cli *cli, const struct cli_args *a) {
        return vol_attr(cli, a, ATTR_NAME);
}

/* ------------------------------------------------------------------------
 * Data transfer.
 */

/* A hole at the end was seeked over: give the file its size. */
static int extend_to_offset(struct cli *cli, int fd, const char *file) {
        struct stat st;
        off_t pos = lseek(fd, 0, SEEK_CUR);

        if (pos > 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size < pos &&
            ftruncate(fd, pos) < 0)
                return cli_error(cli, errno, "cannot extend '%s': %s", file, strerror(errno));
        return 0;
}

static const struct cli_opt opts_transfer[] = {
        ARG_VOL,
        CLI_ARG("FILE", "the file ('-': standard input or output)"),
        OPT_POOL,
        { .name = "offset", .kind = CLI_SIZE, .arg = "BYTES", .help = "where in the volume to start" },
        { .name = "length", .kind = CLI_SIZE, .arg = "BYTES", .help = "how much to copy (0: to the end)" },
        CLI_FLAG_OPT("sparse", STORVIRT_VOLUME_TRANSFER_SPARSE, "keep holes (skip zeros)"),
        CLI_END,
};

static int transfer(struct cli *cli, const struct cli_args *a, bool upload) {
        const char *file = cli_str(a, "FILE");
        uint64_t offset = cli_u64(a, "offset"), length = cli_u64(a, "length");
        uint32_t flags = cli_flags(a);
        struct outfile out = OUTFILE_INIT;
        storvirt_volume *vol = NULL;
        struct progress prog;
        char buf[512];
        bool std;
        int r, fd = -1;

        r = vol_lookup(cli, cli_str(a, "pool"), cli_str(a, "VOL"), &vol);
        if (r < 0)
                return r;
        std = strcmp(file, "-") == 0;
        if (std) {
                fd = upload ? STDIN_FILENO : STDOUT_FILENO;
        } else if (upload) {
                fd = open(file, O_RDONLY | O_CLOEXEC);
                if (fd < 0)
                        r = cli_error(cli, errno, "cannot open '%s': %s", file, strerror(errno));
        } else {
                r = outfile_open(cli, file, &out);
                fd = out.fd;
        }
        if (r < 0)
                goto out;
        if (!upload && std)
                fflush(stdout);
        progress_init(&prog, label(buf, sizeof(buf), upload ? "Uploading to" : "Downloading",
                                   storvirt_volume_get_name(vol)));
        if (upload)
                r = storvirt_volume_upload(vol, fd, offset, length, progress_cb, &prog, flags);
        else
                r = storvirt_volume_download(vol, fd, offset, length, progress_cb, &prog, flags);
        progress_done(&prog, r >= 0);
        if (r >= 0 && !upload && (flags & STORVIRT_VOLUME_TRANSFER_SPARSE))
                r = extend_to_offset(cli, fd, file);
        if (r >= 0 && !upload && !std)
                r = outfile_commit(cli, file, &out);
        if (r >= 0) {
                r = 0;
                vol_json_id(cli, vol);
        }
out:
        if (upload && fd >= 0 && !std)
                close(fd);
        outfile_abort(&out);
        storvirt_volume_unref(vol);
        return r;
}

static int cmd_vol_upload(struct cli *cli, const struct cli_args *a) {
        return transfer(cli, a, true);
}

static int cmd_vol_download(struct cli *cli, const struct cli_args *a) {
        return transfer(cli, a, false);
}

const struct cli_command cli_commands_vol[] = {
        { "vol-create", "create a volume from an XML file",
          "FILE holds libvirt volume XML ('-': standard input).", opts_vol_create,
          cmd_vol_create },
        { "vol-create-as", "create a volume from options",
          "SIZE and --allocation are bytes or take a unit suffix (10G, 512MiB, 1TB).\n"
          "--backing-vol is a volume (name in POOL, key or path) or an absolute path;\n"
          "its format is taken from the volume unless --backing-vol-format is given.\n"
          "--print-xml prints the volume XML instead of creating the volume.",
          opts_vol_create_as, cmd_vol_create_as },
        { "vol-create-from", "create a volume from an XML file as a copy of another volume",
          "VOL is a name in --inputpool, a key or a path.  --reflink requires a\n"
          "reflink copy and fails when the file system cannot make one.  In an rbd\n"
          "pool the copy is a copy-on-write clone of a snapshot of VOL named\n"
          "storvirt-clone-NAME; --no-cow makes a full copy.",
          opts_vol_create_from, cmd_vol_create_from },
        { "vol-clone", "copy a volume into a new one in the same pool", NULL, opts_vol_clone,
          cmd_vol_clone },
        { "vol-delete", "delete a volume",
          "--wipe (or --wipe-storage) zeroes the data first; --force deletes even a\n"
          "volume that a vDisk uses; --delete-snapshots removes an rbd image's\n"
          "snapshots with it (an image with snapshots is refused without it).",
          opts_vol_delete, cmd_vol_delete },
        { "vol-wipe", "overwrite a volume's data with zeros",
          "--algorithm takes virsh's names; 'zero' is the only one done here, the\n"
          "others are refused.", opts_vol_wipe, cmd_vol_wipe },
        { "vol-resize", "change a volume's capacity",
          "SIZE is the new capacity, or with --delta the change.  Shrinking needs\n"
          "--shrink; a negative SIZE (with --shrink) is a decrease.  --allocate\n"
          "allocates the new space.", opts_vol_resize, cmd_vol_resize },
        { "vol-list", "list the volumes of a pool",
          "--details adds Type, Capacity and Allocation.  The JSON member \"volumes\"\n"
          "always has every field.", opts_vol_list, cmd_vol_list },
        { "vol-info", "show a volume's type, capacity and allocation",
          "--bytes shows the sizes in bytes (the JSON members are bytes anyway).",
          opts_vol_info, cmd_vol_info },
        { "vol-dumpxml", "print a volume's XML", NULL, opts_vol, cmd_vol_dumpxml },
        { "vol-path", "print a volume's path", NULL, opts_vol, cmd_vol_path },
        { "vol-key", "print a volume's key", NULL, opts_vol, cmd_vol_key },
        { "vol-pool", "print the name of a volume's pool", NULL, opts_vol, cmd_vol_pool },
        { "vol-name", "print the name of a volume given by key or path", NULL, opts_vol_name,
          cmd_vol_name },
        { "vol-upload", "copy a file's contents into a volume",
          "FILE '-' is standard input.  --length 0 (the default) copies to the end of\n"
          "FILE; --sparse skips blocks of zeros, leaving holes.", opts_transfer,
          cmd_vol_upload },
        { "vol-download", "copy a volume's contents into a file",
          "FILE '-' is standard output.  --length 0 (the default) copies to the end of\n"
          "the volume; --sparse keeps holes.  A regular FILE is replaced only once the\n"
          "whole copy worked.", opts_transfer, cmd_vol_download },
        { NULL, NULL, NULL, NULL, NULL },
};
