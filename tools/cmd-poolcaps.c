/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cmd-poolcaps.c - pool-capabilities: the pool types of libvirt's pool
 * XML, which of them are built into the library, and for each the
 * children of <source> it takes, its source formats and the formats of
 * its volumes, as libvirt's storage pool capabilities XML
 * (<storagepoolCapabilities>).
 *
 * The <source> children and source formats of each type are libvirt's
 * pool XML vocabulary, kept here in a table (tests/api/test_cli_virsh.py
 * checks it against what the library's pool parser takes); the volume
 * formats are asked of the library, by canonicalizing a volume of each
 * format for a pool of the type.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "cli.h"

struct pool_caps {
        const char *type;
        const char *const *elements;   /* the children of <source> it takes */
        const char *const *formats;    /* <source><format type>, NULL: none */
        const char *default_format;
};

#define LIST(...) ((const char *const[]){ __VA_ARGS__, NULL })

static const struct pool_caps pool_caps[] = {
        { "dir", LIST("vendor", "product"), NULL, NULL },
        { "fs", LIST("device", "format", "vendor", "product"),
          LIST("auto", "ext2", "ext3", "ext4", "ufs", "iso9660", "udf", "gfs", "gfs2", "vfat",
               "hfs+", "xfs", "ocfs2", "vmfs"), "auto" },
        { "netfs", LIST("host", "dir", "format", "protocol", "vendor", "product"),
          LIST("auto", "nfs", "glusterfs", "cifs"), "auto" },
        { "logical", LIST("device", "name", "format", "vendor", "product"),
          LIST("unknown", "lvm2"), "lvm2" },
        { "disk", LIST("device", "format", "vendor", "product"),
          LIST("unknown", "dos", "dvh", "gpt", "mac", "bsd", "pc98", "sun", "lvm2"), "unknown" },
        { "iscsi", LIST("host", "device", "initiator", "auth", "vendor", "product"), NULL, NULL },
        { "iscsi-direct", LIST("host", "device", "initiator", "auth"), NULL, NULL },
        { "scsi", LIST("adapter", "vendor", "product"), NULL, NULL },
        { "mpath", NULL, NULL, NULL },
        { "rbd", LIST("host", "name", "auth"), NULL, NULL },
        { "sheepdog", LIST("host", "name"), NULL, NULL },
        { "gluster", LIST("host", "dir", "name"), NULL, NULL },
        { "zfs", LIST("device", "name"), NULL, NULL },
        { "vstorage", LIST("name"), NULL, NULL },
};

/* The volume formats of libvirt's volume XML: files, then disk partitions. */
static const char *const vol_formats[] = {
        "none", "raw", "dir", "bochs", "cloop", "dmg", "iso", "vpc", "vdi", "fat", "vhd",
        "ploop", "cow", "qcow", "qcow2", "qed", "vmdk", "linux", "fat16", "fat32", "linux-swap",
        "linux-lvm", "linux-raid", "extended", NULL,
};

/* The volume format the library gives a volume of a pool of type when none is
 * given (allocated), or NULL: the type does not check its volumes' formats. */
static char *vol_default_format(const char *type) {
        static const char doc[] = "<volume><name>v</name><capacity>0</capacity></volume>";
        char *out = NULL, *format = NULL;
        xmlNode *root, *n;
        xmlDoc *xml;

        if (storvirt_volume_xml_canonicalize(doc, type, &out, 0) < 0)
                return NULL;
        xml = xmlReadMemory(out, (int)strlen(out), "volume.xml", NULL,
                            XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
        storvirt_free(out);
        root = xml ? xmlDocGetRootElement(xml) : NULL;
        for (n = root ? root->children : NULL; n; n = n->next)
                if (n->type == XML_ELEMENT_NODE && xmlStrEqual(n->name, BAD_CAST "target"))
                        break;
        for (n = n ? n->children : NULL; n; n = n->next)
                if (n->type == XML_ELEMENT_NODE && xmlStrEqual(n->name, BAD_CAST "format"))
                        format = (char *)xmlGetProp(n, BAD_CAST "type");
        xmlFreeDoc(xml);
        storvirt_error_clear();
        return format;
}

static bool vol_format_ok(const char *type, const char *format) {
        char doc[256], *out = NULL;
        int r;

        snprintf(doc, sizeof(doc), "<volume><name>v</name><capacity>0</capacity><target>"
                 "<format type='%s'/></target></volume>", format);
        r = storvirt_volume_xml_canonicalize(doc, type, &out, 0);
        storvirt_free(out);
        storvirt_error_clear();
        return r >= 0;
}

static void put_enum(FILE *f, const char *name, const char *const *values) {
        fprintf(f, "      <enum name='%s'>\n", name);
        for (size_t i = 0; values[i]; i++)
                fprintf(f, "        <value>%s</value>\n", values[i]);
        fputs("      </enum>\n", f);
}

static void put_vol_options(FILE *f, const char *type) {
        xmlChar *def = (xmlChar *)vol_default_format(type);

        if (!def)
                return;
        fprintf(f, "    <volOptions>\n      <defaultFormat type='%s'/>\n"
                   "      <enum name='targetFormatType'>\n", (const char *)def);
        for (size_t i = 0; vol_formats[i]; i++)
                if (vol_format_ok(type, vol_formats[i]))
                        fprintf(f, "        <value>%s</value>\n", vol_formats[i]);
        fputs("      </enum>\n    </volOptions>\n", f);
        xmlFree(def);
}

static void put_pool(FILE *f, const struct pool_caps *c, bool supported) {
        fprintf(f, "  <pool type='%s' supported='%s'>\n", c->type, supported ? "yes" : "no");
        if (c->elements) {
                fputs("    <poolOptions>\n", f);
                if (c->default_format)
                        fprintf(f, "      <defaultFormat type='%s'/>\n", c->default_format);
                if (c->formats)
                        put_enum(f, "sourceFormatType", c->formats);
                put_enum(f, "sourceElement", c->elements);
                fputs("    </poolOptions>\n", f);
        }
        put_vol_options(f, c->type);
        fputs("  </pool>\n", f);
}

static bool in_list(char **list, const char *s) {
        for (size_t i = 0; list && list[i]; i++)
                if (strcmp(list[i], s) == 0)
                        return true;
        return false;
}

static int caps_xml(char **built_in, char **ret) {
        const size_t n = sizeof(pool_caps) / sizeof(pool_caps[0]);
        size_t size = 0;
        FILE *f = open_memstream(ret, &size);

        if (!f)
                return -ENOMEM;
        fputs("<storagepoolCapabilities>\n", f);
        for (size_t i = 0; i < n; i++)
                put_pool(f, &pool_caps[i], in_list(built_in, pool_caps[i].type));
        /* a type built in that the table does not know yet: no options */
        for (size_t i = 0; built_in && built_in[i]; i++) {
                bool known = false;

                for (size_t k = 0; k < n; k++)
                        known = known || strcmp(pool_caps[k].type, built_in[i]) == 0;
                if (!known)
                        fprintf(f, "  <pool type='%s' supported='yes'/>\n", built_in[i]);
        }
        fputs("</storagepoolCapabilities>\n", f);
        if (fclose(f) != 0) {
                free(*ret);
                *ret = NULL;
                return -ENOMEM;
        }
        return 0;
}

static int cmd_pool_capabilities(struct cli *cli, const struct cli_args *a) {
        char **types = NULL, *xml = NULL;
        storvirt_ctx *ctx;
        int r;

        (void)a;
        r = cli_ctx(cli, &ctx);
        if (r >= 0)
                r = storvirt_ctx_list_pool_types(ctx, &types, NULL, 0);
        if (r < 0)
                return r;
        r = caps_xml(types, &xml);
        storvirt_strv_free(types);
        if (r < 0)
                return cli_error(cli, -r, "out of memory");
        if (cli->json)
                cli_field_str(cli, "xml", "XML:", xml);
        else
                fputs(xml, stdout);
        free(xml);
        return 0;
}

const struct cli_command cli_commands_poolcaps[] = {
        { "pool-capabilities", "the pool types, which are built in, and what each takes",
          "Prints libvirt's storage pool capabilities XML: a <pool type supported>\n"
          "for each pool type of libvirt's pool XML ('yes': built into the library),\n"
          "with its source formats (<enum name='sourceFormatType'>, <defaultFormat>),\n"
          "the children of <source> it takes (<enum name='sourceElement'>) and the\n"
          "formats of its volumes (<volOptions>).", NULL, cmd_pool_capabilities },
        { NULL, NULL, NULL, NULL, NULL },
};
