/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz-gluster-sources.c - the gluster CLI's XML answer to "volume info
 * all", turned into libvirt's <sources> (find-sources of gluster pools):
 * an answer that is refused says why; one that is taken gives a
 * <sources> document that parses back, each <source> naming the server
 * asked, the directory "/" and a volume name.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/backends.h"
#include "util/error.h"
#include "util/xml.h"

#define HOST "fuzz.example"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void die(const char *what, const char *text) {
        fprintf(stderr, "fuzz-gluster-sources: %s\n%s\n", what, text ? text : "");
        abort();
}

static void check_source(xmlNodePtr s, const char *out) {
        xmlNodePtr h = storvirt__xml_child(s, "host"), d = storvirt__xml_child(s, "dir");
        char *name = NULL;

        if (!h || !storvirt__xml_prop(h, "name") || strcmp(storvirt__xml_prop(h, "name"), HOST) != 0)
                die("a <source> without the server asked", out);
        if (!d || !storvirt__xml_prop(d, "path") || strcmp(storvirt__xml_prop(d, "path"), "/") != 0)
                die("a <source> without <dir path='/'>", out);
        if (storvirt__xml_child_text(s, "name", &name) <= 0 || !*name || strchr(name, '/'))
                die("a <source> without a volume name", out);
        free(name);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        xmlDocPtr doc = NULL;
        xmlNodePtr root = NULL, s;
        char *out = NULL;

        if (storvirt__gluster_sources_parse(HOST, (const char *) data, size, &out) < 0) {
                if (!storvirt__error_msg() || !*storvirt__error_msg())
                        die("refused without a message", NULL);
                return 0;
        }
        if (storvirt__xml_parse(out, strlen(out), 64u << 20, "sources", &doc) < 0 ||
            storvirt__xml_root(doc, "sources", "sources", &root) < 0)
                die("the output does not parse", out);
        STORVIRT__XML_FOREACH_CHILD(s, root, "source")
                check_source(s, out);
        storvirt__xml_doc_free(doc);
        free(out);
        return 0;
}
