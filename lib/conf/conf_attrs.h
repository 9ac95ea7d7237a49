/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * conf_attrs.h - the attributes libvirt's storage schemas allow on each
 * element of pool and volume XML, so that an attribute the parsers do
 * not read is refused instead of dropped.
 */
#pragma once

#include "util/xml.h"

/*
 * Every attribute of every element under (and of) root must be one the
 * pool (or volume) schema allows on that element: -EINVAL "pool XML:
 * <source><host>: unexpected attribute 'x'" (attributes with a
 * namespace prefix are named with it, "xml:lang").  Namespace
 * declarations are not attributes.  0 when all are known.
 */
int storvirt__pool_xml_check_attributes(xmlNodePtr root);
int storvirt__vol_xml_check_attributes(xmlNodePtr root);
