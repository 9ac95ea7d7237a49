/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz-xml.c - the hardened XML reader (no entities, no DTD, size limit). */
#include <stdint.h>
#include <stdlib.h>

#include "util/xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        xmlDocPtr doc = NULL;

        if (storvirt__xml_parse((const char *)data, size, 1 << 20, "fuzz", &doc) == 0)
                xmlFreeDoc(doc);
        return 0;
}
