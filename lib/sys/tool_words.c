/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tool_words.c - the messages of host tools the library acts on
 * (sys/tool_words.h): the one place where another program's wording
 * decides anything.
 */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "sys/tool_words.h"
#include "util/macro.h"

static const char *const lvm_tools[] = {
        "lvm", "vgs", "lvs", "pvs", "vgchange", "vgcreate", "vgremove", "lvcreate", "lvremove",
        "pvcreate", "pvremove", NULL,
};

static const struct {
        enum storvirt__tool_word word;
        const char *const *tools;       /* the programs that say it */
        const char *with;               /* the message holds this (NULL: no condition) */
        const char *text[3];            /* and any of these, NULL-padded */
} words[] = {
        { STORVIRT__TOOL_LVM_NO_VG, lvm_tools, "Volume group \"", { "\" not found" } },
        { STORVIRT__TOOL_QEMU_NO_CPU_TIME, (const char *const[]){ "qemu-img", NULL }, NULL,
          { "Unable to get accurate CPU usage" } },
        { STORVIRT__TOOL_ISCSI_BAD_PORTAL, (const char *const[]){ "libiscsi", NULL }, NULL,
          { "Invalid target", "resolv" } },
        { STORVIRT__TOOL_ISCSI_MUTUAL_CHAP, (const char *const[]){ "libiscsi", NULL }, NULL,
          { "CHAP_R", "CHAP_N", "CHAP targetname" } },
};

static bool is_tool(const char *const *tools, const char *name) {
        for (size_t i = 0; tools[i]; i++)
                if (strcmp(tools[i], name) == 0)
                        return true;
        return false;
}

unsigned storvirt__tool_words(const char *tool, const char *text) {
        const char *name, *slash;
        unsigned mask = 0;

        if (!tool || !text)
                return 0;
        slash = strrchr(tool, '/');
        name = slash ? slash + 1 : tool;
        for (size_t i = 0; i < ELEMENTSOF(words); i++) {
                if (!is_tool(words[i].tools, name) || (words[i].with && !strstr(text, words[i].with)))
                        continue;
                for (size_t k = 0; k < ELEMENTSOF(words[i].text) && words[i].text[k]; k++)
                        if (strstr(text, words[i].text[k]))
                                mask |= 1u << words[i].word;
        }
        return mask;
}
