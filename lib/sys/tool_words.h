/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tool_words.h - the few messages of host tools and libraries that the
 * library acts on.  An exit status or a return code rarely says why a
 * tool failed; where the library must know why (to retry, or to report
 * a missing object as -ENOENT), it reads the tool's own message here and
 * nowhere else, so that every dependence on another program's wording
 * is in one place, each word naming the tool and the message it matches.
 */
#pragma once

enum storvirt__tool_word {
        /* lvm2 (vgs, lvs, ...): "Volume group "NAME" not found" */
        STORVIRT__TOOL_LVM_NO_VG,
        /*
         * qemu-img create with LUKS: "Unable to get accurate CPU usage"
         * (its key-derivation benchmark measured no CPU time at all: a
         * fast hash can finish its first round within one tick).
         */
        STORVIRT__TOOL_QEMU_NO_CPU_TIME,
        /*
         * libiscsi, connecting: "Invalid target:..." (a portal it cannot
         * parse) or a getaddrinfo failure ("...resolv...").
         */
        STORVIRT__TOOL_ISCSI_BAD_PORTAL,
        /*
         * libiscsi, logging in with mutual CHAP: the target's answer was
         * wrong or missing ("CHAP_R", "CHAP_N", "CHAP targetname").
         */
        STORVIRT__TOOL_ISCSI_MUTUAL_CHAP,
        STORVIRT__TOOL_WORD_MAX
};

/*
 * The words tool said in text (its stderr, or a library's error
 * message), as a mask of 1u << STORVIRT__TOOL_*.  tool is the program
 * run (argv[0], a path or a name: "vgs", "/usr/bin/qemu-img") or
 * "libiscsi"; a word counts only in the messages of its own tool.
 */
unsigned storvirt__tool_words(const char *tool, const char *text);

/* Whether word is in mask (a result of storvirt__tool_words()). */
static inline int storvirt__tool_said(unsigned mask, enum storvirt__tool_word word) {
        return (mask >> word) & 1u;
}
