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
#include <getopt.h>
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

enum {
        OPT_POOL = 0x100,
        OPT_INPUTPOOL,
        OPT_FORMAT,
        OPT_ALLOCATION,
        OPT_BACKING_VOL,
        OPT_BACKING_VOL_FORMAT,
        OPT_PREALLOC_METADATA,
        OPT_REFLINK,
        OPT_WIPE,
        OPT_FORCE,
        OPT_ALLOCATE,
        OPT_DELTA,
        OPT_SHRINK,
        OPT_DETAILS,
        OPT_OFFSET,
        OPT_LENGTH,
        OPT_SPARSE,
        OPT_PRINT_XML,
};

extern const struct cli_command cli_commands_vol[];
#define CMD(i) (&cli_commands_vol[i])
enum {
        C_CREATE, C_CREATE_AS, C_CREATE_FROM, C_CLONE, C_DELETE, C_WIPE, C_RESIZE, C_LIST,
        C_INFO, C_DUMPXML, C_PATH, C_KEY, C_POOL, C_UPLOAD, C_DOWNLOAD,
};

/* ------------------------------------------------------------------------
 * Helpers.
 */

static int check_args(struct cli *cli, const struct cli_command *c, int argc, char **argv,
                      int min, int max) {
        int n = argc - optind;

        if (n < min)
                return cli_usage(cli, "%s: missing argument (usage: storvirt %s %s)", c->name,
                                 c->name, c->args);
        if (n > max)
                return cli_usage(cli, "%s: unexpected argument '%s' (usage: storvirt %s %s)",
                                 c->name, argv[optind + max], c->name, c->args);
        return 0;
}

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

/* Options shared by most volume commands: --pool and nothing else. */
static int parse_pool_only(struct cli *cli, int argc, char **argv, const char **pool) {
        static const struct option opts[] = {
                { "pool", required_argument, NULL, OPT_POOL },
                {}
        };
        int o;

        while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
                if (o == OPT_POOL)
                        *pool = optarg;
                else
                        return cli_bad_option(cli, argv[0], o, argv);
        }
        return 0;
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

static int cmd_vol_create(struct cli *cli, int argc, char **argv) {
        static const struct option opts[] = {
                { "prealloc-metadata", no_argument, NULL, OPT_PREALLOC_METADATA },
                {}
        };
        storvirt_pool *pool = NULL;
        storvirt_volume *vol = NULL;
        uint32_t flags = 0;
        char *xml = NULL;
        int o, r;

        while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
                if (o == OPT_PREALLOC_METADATA)
                        flags |= STORVIRT_VOLUME_CREATE_PREALLOC_METADATA;
                else
                        return cli_bad_option(cli, argv[0], o, argv);
        }
        r = check_args(cli, CMD(C_CREATE), argc, argv, 2, 2);
        if (r)
                return r;
        r = cli_pool_lookup(cli, argv[optind], &pool);
        if (r < 0)
                return r;
        r = cli_read_file(cli, argv[optind + 1], &xml);
        if (r >= 0)
                r = create_common(cli, pool, xml, NULL, flags, &vol);
        if (r >= 0) {
                r = 0;
                cli_text(cli, "Vol %s created from %s", storvirt_volume_get_name(vol),
                         argv[optind + 1]);
                vol_json_id(cli, vol);
        }
        free(xml);
        storvirt_volume_unref(vol);
        storvirt_pool_unref(pool);
        return r;
}

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

static int cmd_vol_create_as(struct cli *cli, int argc, char **argv) {
        static const struct option opts[] = {
                { "format", required_argument, NULL, OPT_FORMAT },
                { "allocation", required_argument, NULL, OPT_ALLOCATION },
                { "backing-vol", required_argument, NULL, OPT_BACKING_VOL },
                { "backing-vol-format", required_argument, NULL, OPT_BACKING_VOL_FORMAT },
                { "prealloc-metadata", no_argument, NULL, OPT_PREALLOC_METADATA },
                { "print-xml", no_argument, NULL, OPT_PRINT_XML },
                {}
        };
        struct vol_def_opts d = {};
        const char *allocation = NULL, *backing = NULL;
        storvirt_pool *pool = NULL;
        storvirt_volume *vol = NULL, *bvol = NULL;
        uint32_t flags = 0;
        bool print_xml = false;
        char *xml = NULL;
        int o, r;

        while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
                switch (o) {
                case OPT_FORMAT: d.format = optarg; break;
                case OPT_ALLOCATION: allocation = optarg; break;
                case OPT_BACKING_VOL: backing = optarg; break;
                case OPT_BACKING_VOL_FORMAT: d.backing_format = optarg; break;
                case OPT_PREALLOC_METADATA:
                        flags |= STORVIRT_VOLUME_CREATE_PREALLOC_METADATA;
                        break;
                case OPT_PRINT_XML: print_xml = true; break;
                default: return cli_bad_option(cli, argv[0], o, argv);
                }
        }
        r = check_args(cli, CMD(C_CREATE_AS), argc, argv, 3, 3);
        if (r)
                return r;
        if (d.backing_format && !backing)
                return cli_usage(cli, "%s: --backing-vol-format needs --backing-vol", argv[0]);
        d.name = argv[optind + 1];
        r = cli_parse_size(cli, "SIZE", argv[optind + 2], &d.capacity);
        if (!r && allocation) {
                r = cli_parse_size(cli, "--allocation", allocation, &d.allocation);
                d.has_allocation = true;
        }
        if (r)
                return r;

        if (!print_xml || backing) {
                /* --print-xml needs the pool only to find a backing volume. */
                r = cli_pool_lookup(cli, argv[optind], &pool);
                if (r < 0 && !print_xml)
                        return r;
                if (r < 0) {
                        pool = NULL;
                        cli->error_msg = NULL;
                }
        }
        if (backing) {
                /* As virsh: a volume name in the pool, a key or a path of a
                 * known volume; else an absolute path is taken as it is. */
                r = pool ? storvirt_volume_lookup_by_name(pool, backing, &bvol) : -ENOENT;
                if (r < 0)
                        r = vol_lookup(cli, NULL, backing, &bvol);
                if (r >= 0) {
                        d.backing_path = storvirt_volume_get_path(bvol);
                        if (!d.backing_format)
                                d.backing_format = storvirt_volume_get_format(bvol);
                } else if (backing[0] == '/' && r == -ENOENT) {
                        cli->error_msg = NULL;
                        d.backing_path = backing;
                } else {
                        goto out;
                }
        }
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
        r = create_common(cli, pool, xml, d.name, flags, &vol);
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

static int cmd_vol_create_from(struct cli *cli, int argc, char **argv) {
        static const struct option opts[] = {
                { "inputpool", required_argument, NULL, OPT_INPUTPOOL },
                { "prealloc-metadata", no_argument, NULL, OPT_PREALLOC_METADATA },
                { "reflink", no_argument, NULL, OPT_REFLINK },
                {}
        };
        const char *inputpool = NULL;
        storvirt_pool *pool = NULL;
        storvirt_volume *src = NULL, *vol = NULL;
        uint32_t flags = 0;
        char *xml = NULL;
        int o, r;

        while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
                switch (o) {
                case OPT_INPUTPOOL: inputpool = optarg; break;
                case OPT_PREALLOC_METADATA:
                        flags |= STORVIRT_VOLUME_CREATE_PREALLOC_METADATA;
                        break;
                case OPT_REFLINK: flags |= STORVIRT_VOLUME_CREATE_REFLINK; break;
                default: return cli_bad_option(cli, argv[0], o, argv);
                }
        }
        r = check_args(cli, CMD(C_CREATE_FROM), argc, argv, 3, 3);
        if (r)
                return r;
        r = cli_pool_lookup(cli, argv[optind], &pool);
        if (r >= 0)
                r = cli_read_file(cli, argv[optind + 1], &xml);
        if (r >= 0)
                r = vol_lookup(cli, inputpool, argv[optind + 2], &src);
        if (r >= 0)
                r = create_from_common(cli, pool, xml, src, flags, &vol);
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

static int cmd_vol_clone(struct cli *cli, int argc, char **argv) {
        static const struct option opts[] = {
                { "pool", required_argument, NULL, OPT_POOL },
                { "prealloc-metadata", no_argument, NULL, OPT_PREALLOC_METADATA },
                { "reflink", no_argument, NULL, OPT_REFLINK },
                {}
        };
        const char *pool_name = NULL;
        storvirt_volume *src = NULL, *vol = NULL;
        uint32_t flags = 0;
        char *src_xml = NULL, *xml = NULL;
        int o, r;

        while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
                switch (o) {
                case OPT_POOL: pool_name = optarg; break;
                case OPT_PREALLOC_METADATA:
                        flags |= STORVIRT_VOLUME_CREATE_PREALLOC_METADATA;
                        break;
                case OPT_REFLINK: flags |= STORVIRT_VOLUME_CREATE_REFLINK; break;
                default: return cli_bad_option(cli, argv[0], o, argv);
                }
        }
        r = check_args(cli, CMD(C_CLONE), argc, argv, 2, 2);
        if (r)
                return r;
        r = vol_lookup(cli, pool_name, argv[optind], &src);
        if (r < 0)
                return r;
        r = storvirt_volume_get_xml(src, &src_xml, 0);
        if (r >= 0)
                r = clone_xml(cli, src_xml, argv[optind + 1], &xml);
        if (r >= 0)
                r = create_from_common(cli, storvirt_volume_get_pool(src), xml, src, flags, &vol);
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

static int cmd_vol_delete(struct cli *cli, int argc, char **argv) {
        static const struct option opts[] = {
                { "pool", required_argument, NULL, OPT_POOL },
                { "wipe", no_argument, NULL, OPT_WIPE },
                { "wipe-storage", no_argument, NULL, OPT_WIPE },
                { "force", no_argument, NULL, OPT_FORCE },
                {}
        };
        const char *pool_name = NULL;
        storvirt_volume *vol = NULL;
        uint32_t flags = 0;
        int o, r;

        while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
                switch (o) {
                case OPT_POOL: pool_name = optarg; break;
                case OPT_WIPE: flags |= STORVIRT_VOLUME_DELETE_ZEROED; break;
                case OPT_FORCE: flags |= STORVIRT_VOLUME_DELETE_FORCE; break;
                default: return cli_bad_option(cli, argv[0], o, argv);
                }
        }
        r = check_args(cli, CMD(C_DELETE), argc, argv, 1, 1);
        if (r)
                return r;
        r = vol_lookup(cli, pool_name, argv[optind], &vol);
        if (r < 0)
                return r;
        r = storvirt_volume_delete(vol, flags);
        if (r >= 0) {
                r = 0;
                cli_text(cli, "Vol %s deleted", argv[optind]);
                vol_json_id(cli, vol);
        }
        storvirt_volume_unref(vol);
        return r;
}

static int cmd_vol_wipe(struct cli *cli, int argc, char **argv) {
        const char *pool_name = NULL;
        storvirt_volume *vol = NULL;
        struct progress prog;
        char buf[512];
        int r;

        r = parse_pool_only(cli, argc, argv, &pool_name);
        if (!r)
                r = check_args(cli, CMD(C_WIPE), argc, argv, 1, 1);
        if (r)
                return r;
        r = vol_lookup(cli, pool_name, argv[optind], &vol);
        if (r < 0)
                return r;
        progress_init(&prog, label(buf, sizeof(buf), "Wiping", storvirt_volume_get_name(vol)));
        r = storvirt_volume_wipe(vol, progress_cb, &prog, 0);
        progress_done(&prog, r >= 0);
        if (r >= 0) {
                r = 0;
                cli_text(cli, "Vol %s wiped", argv[optind]);
                vol_json_id(cli, vol);
        }
        storvirt_volume_unref(vol);
        return r;
}

static int vol_resize(struct cli *cli, int argc, char **argv);

/*
 * getopt would take a negative SIZE ("-1G") for options: moves such an
 * argument behind a "--" at the end (it can only be the last positional
 * argument).  Returns the new argument count; args has room for argc + 2.
 */
static int protect_negative_size(int argc, char **argv, char **args) {
        int n = 0, neg = -1, i;

        for (i = 0; i < argc; i++) {
                if (strcmp(argv[i], "--") == 0)
                        break;
                if (i > 0 && neg < 0 && argv[i][0] == '-' && argv[i][1] >= '0' &&
                    argv[i][1] <= '9' && strcmp(argv[i - 1], "--pool") != 0)
                        neg = i;
                else
                        args[n++] = argv[i];
        }
        if (neg >= 0 && i == argc)
                args[n++] = (char *)"--";
        for (; i < argc; i++)
                args[n++] = argv[i];
        if (neg >= 0)
                args[n++] = argv[neg];
        args[n] = NULL;
        return n;
}

static int cmd_vol_resize(struct cli *cli, int argc, char **argv) {
        char **args = calloc((size_t)argc + 2, sizeof(char *));
        int r;

        if (!args)
                return cli_error(cli, ENOMEM, "out of memory");
        argc = protect_negative_size(argc, argv, args);
        r = vol_resize(cli, argc, args);
        free(args);
        return r;
}

static int vol_resize(struct cli *cli, int argc, char **argv) {
        static const struct option opts[] = {
                { "pool", required_argument, NULL, OPT_POOL },
                { "allocate", no_argument, NULL, OPT_ALLOCATE },
                { "delta", no_argument, NULL, OPT_DELTA },
                { "shrink", no_argument, NULL, OPT_SHRINK },
                {}
        };
        const char *pool_name = NULL, *size;
        storvirt_volume *vol = NULL;
        uint64_t capacity, new_capacity = 0;
        uint32_t flags = 0;
        int o, r;

        while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
                switch (o) {
                case OPT_POOL: pool_name = optarg; break;
                case OPT_ALLOCATE: flags |= STORVIRT_VOLUME_RESIZE_ALLOCATE; break;
                case OPT_DELTA: flags |= STORVIRT_VOLUME_RESIZE_DELTA; break;
                case OPT_SHRINK: flags |= STORVIRT_VOLUME_RESIZE_SHRINK; break;
                default: return cli_bad_option(cli, argv[0], o, argv);
                }
        }
        r = check_args(cli, CMD(C_RESIZE), argc, argv, 2, 2);
        if (r)
                return r;
        size = argv[optind + 1];
        /* As virsh: a negative size is a decrease; it needs --shrink. */
        if (size[0] == '-') {
                if (!(flags & STORVIRT_VOLUME_RESIZE_SHRINK))
                        return cli_usage(cli, "%s: negative size requires --shrink", argv[0]);
                flags |= STORVIRT_VOLUME_RESIZE_DELTA;
                size++;
        }
        r = cli_parse_size(cli, "SIZE", size, &capacity);
        if (r)
                return r;
        r = vol_lookup(cli, pool_name, argv[optind], &vol);
        if (r < 0)
                return r;
        r = storvirt_volume_resize(vol, capacity, flags);
        if (r >= 0) {
                r = 0;
                storvirt_volume_get_info(vol, NULL, &new_capacity, NULL, NULL);
                if (flags & STORVIRT_VOLUME_RESIZE_DELTA)
                        cli_text(cli, "Size of volume '%s' successfully changed by %s%s",
                                 storvirt_volume_get_name(vol),
                                 argv[optind + 1][0] == '-' ? "-" : "", size);
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

static int cmd_vol_list(struct cli *cli, int argc, char **argv) {
        static const struct option opts[] = {
                { "pool", required_argument, NULL, OPT_POOL },
                { "details", no_argument, NULL, OPT_DETAILS },
                {}
        };
        const char *pool_name = NULL;
        storvirt_pool *pool = NULL;
        storvirt_volume **vols = NULL;
        struct cli_table t;
        bool details = false;
        int o, r;

        while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
                switch (o) {
                case OPT_POOL: pool_name = optarg; break;
                case OPT_DETAILS: details = true; break;
                default: return cli_bad_option(cli, argv[0], o, argv);
                }
        }
        r = check_args(cli, CMD(C_LIST), argc, argv, pool_name ? 0 : 1, pool_name ? 0 : 1);
        if (r)
                return r;
        if (!pool_name)
                pool_name = argv[optind];
        r = cli_pool_lookup(cli, pool_name, &pool);
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
                cli_table_str(&t, storvirt_volume_get_name(v));
                cli_table_str(&t, storvirt_volume_get_path(v));
                cli_table_str(&t, storvirt_volume_get_key(v));
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

static int cmd_vol_info(struct cli *cli, int argc, char **argv) {
        const char *pool_name = NULL;
        storvirt_volume *vol = NULL;
        uint64_t capacity, allocation, physical;
        uint32_t type;
        int r;

        r = parse_pool_only(cli, argc, argv, &pool_name);
        if (!r)
                r = check_args(cli, CMD(C_INFO), argc, argv, 1, 1);
        if (r)
                return r;
        r = vol_lookup(cli, pool_name, argv[optind], &vol);
        if (r < 0)
                return r;
        r = storvirt_volume_get_info(vol, &type, &capacity, &allocation, &physical);
        if (r >= 0) {
                r = 0;
                cli_field_str(cli, "name", "Name:", storvirt_volume_get_name(vol));
                cli_field_str(cli, "type", "Type:", vol_type_name(type));
                cli_field_size(cli, "capacity", "Capacity:", capacity);
                cli_field_size(cli, "allocation", "Allocation:", allocation);
                cli_field_size(cli, "physical", "Physical:", physical);
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

static int cmd_vol_dumpxml(struct cli *cli, int argc, char **argv) {
        const char *pool_name = NULL;
        storvirt_volume *vol = NULL;
        char *xml = NULL;
        int r;

        r = parse_pool_only(cli, argc, argv, &pool_name);
        if (!r)
                r = check_args(cli, CMD(C_DUMPXML), argc, argv, 1, 1);
        if (r)
                return r;
        r = vol_lookup(cli, pool_name, argv[optind], &vol);
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

/* vol-path, vol-key, vol-pool: one attribute. */
static int vol_attr(struct cli *cli, int argc, char **argv, int which) {
        const char *pool_name = NULL, *value;
        storvirt_volume *vol = NULL;
        const char *key;
        int r;

        r = parse_pool_only(cli, argc, argv, &pool_name);
        if (!r)
                r = check_args(cli, CMD(which), argc, argv, 1, 1);
        if (r)
                return r;
        r = vol_lookup(cli, pool_name, argv[optind], &vol);
        if (r < 0)
                return r;
        switch (which) {
        case C_PATH:
                key = "path";
                value = storvirt_volume_get_path(vol);
                break;
        case C_KEY:
                key = "key";
                value = storvirt_volume_get_key(vol);
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

static int cmd_vol_path(struct cli *cli, int argc, char **argv) {
        return vol_attr(cli, argc, argv, C_PATH);
}

static int cmd_vol_key(struct cli *cli, int argc, char **argv) {
        return vol_attr(cli, argc, argv, C_KEY);
}

static int cmd_vol_pool(struct cli *cli, int argc, char **argv) {
        return vol_attr(cli, argc, argv, C_POOL);
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

static int transfer(struct cli *cli, int argc, char **argv, bool upload) {
        static const struct option opts[] = {
                { "pool", required_argument, NULL, OPT_POOL },
                { "offset", required_argument, NULL, OPT_OFFSET },
                { "length", required_argument, NULL, OPT_LENGTH },
                { "sparse", no_argument, NULL, OPT_SPARSE },
                {}
        };
        const char *pool_name = NULL, *file;
        struct outfile out = OUTFILE_INIT;
        storvirt_volume *vol = NULL;
        uint64_t offset = 0, length = 0;
        uint32_t flags = 0;
        struct progress prog;
        char buf[512];
        bool std;
        int o, r, fd = -1;

        while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
                switch (o) {
                case OPT_POOL: pool_name = optarg; break;
                case OPT_OFFSET:
                        r = cli_parse_size(cli, "--offset", optarg, &offset);
                        if (r)
                                return r;
                        break;
                case OPT_LENGTH:
                        r = cli_parse_size(cli, "--length", optarg, &length);
                        if (r)
                                return r;
                        break;
                case OPT_SPARSE: flags |= STORVIRT_VOLUME_TRANSFER_SPARSE; break;
                default: return cli_bad_option(cli, argv[0], o, argv);
                }
        }
        r = check_args(cli, CMD(upload ? C_UPLOAD : C_DOWNLOAD), argc, argv, 2, 2);
        if (r)
                return r;
        file = argv[optind + 1];
        r = vol_lookup(cli, pool_name, argv[optind], &vol);
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

static int cmd_vol_upload(struct cli *cli, int argc, char **argv) {
        return transfer(cli, argc, argv, true);
}

static int cmd_vol_download(struct cli *cli, int argc, char **argv) {
        return transfer(cli, argc, argv, false);
}

const struct cli_command cli_commands_vol[] = {
        [C_CREATE] = { "vol-create", "POOL FILE [--prealloc-metadata]",
          "create a volume from an XML file",
          "FILE holds libvirt volume XML ('-': standard input).", cmd_vol_create },
        [C_CREATE_AS] = { "vol-create-as",
          "POOL NAME SIZE [--format FORMAT] [--allocation SIZE] [--backing-vol VOL] "
          "[--backing-vol-format FORMAT] [--prealloc-metadata] [--print-xml]",
          "create a volume from options",
          "SIZE and --allocation are bytes or take a unit suffix (10G, 512MiB, 1TB).\n"
          "--backing-vol is a volume (name in POOL, key or path) or an absolute path;\n"
          "its format is taken from the volume unless --backing-vol-format is given.\n"
          "--print-xml prints the volume XML instead of creating the volume.",
          cmd_vol_create_as },
        [C_CREATE_FROM] = { "vol-create-from",
          "POOL FILE VOL [--inputpool POOL] [--prealloc-metadata] [--reflink]",
          "create a volume from an XML file as a copy of another volume",
          "VOL is a name in --inputpool, a key or a path.  --reflink requires a\n"
          "reflink copy and fails when the file system cannot make one.",
          cmd_vol_create_from },
        [C_CLONE] = { "vol-clone", "VOL NEWNAME [--pool POOL] [--prealloc-metadata] [--reflink]",
          "copy a volume into a new one in the same pool", NULL, cmd_vol_clone },
        [C_DELETE] = { "vol-delete", "VOL [--pool POOL] [--wipe] [--force]",
          "delete a volume",
          "--wipe (or --wipe-storage) zeroes the data first; --force deletes even a\n"
          "volume that a vDisk uses.", cmd_vol_delete },
        [C_WIPE] = { "vol-wipe", "VOL [--pool POOL]", "overwrite a volume's data with zeros",
          NULL, cmd_vol_wipe },
        [C_RESIZE] = { "vol-resize", "VOL SIZE [--pool POOL] [--allocate] [--delta] [--shrink]",
          "change a volume's capacity",
          "SIZE is the new capacity, or with --delta the change.  Shrinking needs\n"
          "--shrink; a negative SIZE (with --shrink) is a decrease.  --allocate\n"
          "allocates the new space.", cmd_vol_resize },
        [C_LIST] = { "vol-list", "POOL [--details]", "list the volumes of a pool",
          "--details adds Type, Capacity and Allocation.  The JSON member \"volumes\"\n"
          "always has every field.", cmd_vol_list },
        [C_INFO] = { "vol-info", "VOL [--pool POOL]",
          "show a volume's type, capacity and allocation", NULL, cmd_vol_info },
        [C_DUMPXML] = { "vol-dumpxml", "VOL [--pool POOL]", "print a volume's XML", NULL,
          cmd_vol_dumpxml },
        [C_PATH] = { "vol-path", "VOL [--pool POOL]", "print a volume's path", NULL,
          cmd_vol_path },
        [C_KEY] = { "vol-key", "VOL [--pool POOL]", "print a volume's key", NULL,
          cmd_vol_key },
        [C_POOL] = { "vol-pool", "VOL", "print the name of a volume's pool", NULL,
          cmd_vol_pool },
        [C_UPLOAD] = { "vol-upload",
          "VOL FILE [--pool POOL] [--offset BYTES] [--length BYTES] [--sparse]",
          "copy a file's contents into a volume",
          "FILE '-' is standard input.  --length 0 (the default) copies to the end of\n"
          "FILE; --sparse skips blocks of zeros, leaving holes.", cmd_vol_upload },
        [C_DOWNLOAD] = { "vol-download",
          "VOL FILE [--pool POOL] [--offset BYTES] [--length BYTES] [--sparse]",
          "copy a volume's contents into a file",
          "FILE '-' is standard output.  --length 0 (the default) copies to the end of\n"
          "the volume; --sparse keeps holes.  A regular FILE is replaced only once the\n"
          "whole copy worked.", cmd_vol_download },
        { NULL, NULL, NULL, NULL, NULL },
};
