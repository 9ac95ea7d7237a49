/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * json.c - the JSON parser side: a yajl_tree built by our own yajl
 * callbacks (strict JSON, depth limit, NUL-free strings, integers
 * decoded exactly, errors with line and column), typed getters and the
 * unknown/duplicate key check.  The generator is in json_gen.c... no:
 * see the second half of this file.
 */
