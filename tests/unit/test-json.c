/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-json.c - the JSON parser (positions in error messages, strictness,
 * limits), typed getters, the key check and the generator.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/json.h"

#define LIMIT (1 << 20)

static yajl_val parse_ok(const char *text) {
        yajl_val v = NULL;

        assert_int_equal(storvirt__json_parse(text, strlen(text), LIMIT, &v, "test"), 0);
        assert_non_null(v);
        return v;
}

/* Parse must fail with err and exactly msg. */
static void parse_fails(const char *text, int err, const char *msg) {
        yajl_val v = (yajl_val) 0x1;

        assert_int_equal(storvirt__json_parse(text, strlen(text), LIMIT, &v, "state.json"), err);
        assert_ptr_equal(v, (yajl_val) 0x1);
        assert_string_equal(storvirt__error_msg(), msg);
}

static void test_parse_values(void **state) {
        yajl_val v = parse_ok(" {\"s\": \"caf\\u00e9 \\\"q\\\"\", \"i\": -42, \"big\": "
                              "18446744073709551615, \"f\": 1.5, \"t\": true, \"n\": null, "
                              "\"a\": [1, {\"x\": []}]}\n");

        assert_true(YAJL_IS_OBJECT(v));
        assert_int_equal(v->u.object.len, 7);
        assert_string_equal(v->u.object.keys[0], "s");
        assert_string_equal(v->u.object.values[0]->u.string, "caf\xc3\xa9 \"q\"");
        assert_true(YAJL_IS_INTEGER(v->u.object.values[1]));
        assert_int_equal(v->u.object.values[1]->u.number.i, -42);
        /* beyond int64: no integer value, but the text is kept */
        assert_false(YAJL_IS_INTEGER(v->u.object.values[2]));
        assert_string_equal(v->u.object.values[2]->u.number.r, "18446744073709551615");
        assert_true(YAJL_IS_DOUBLE(v->u.object.values[3]));
        assert_true(v->u.object.values[3]->u.number.d == 1.5);
        assert_true(YAJL_IS_TRUE(v->u.object.values[4]));
        assert_true(YAJL_IS_NULL(v->u.object.values[5]));
        assert_true(YAJL_IS_ARRAY(v->u.object.values[6]));
        assert_int_equal(v->u.object.values[6]->u.array.len, 2);
        storvirt__json_free(v);

        /* many members (array growth) and a top-level scalar */
        {
                char buf[8192];
                size_t o = 0;

                o += (size_t) snprintf(buf + o, sizeof(buf) - o, "[");
                for (int i = 0; i < 1000; i++)
                        o += (size_t) snprintf(buf + o, sizeof(buf) - o, "%s%d", i ? "," : "", i);
                snprintf(buf + o, sizeof(buf) - o, "]");
                v = parse_ok(buf);
                assert_int_equal(v->u.array.len, 1000);
                assert_int_equal(v->u.array.values[999]->u.number.i, 999);
                storvirt__json_free(v);
        }
        v = parse_ok("\"just a string\"");
        assert_string_equal(v->u.string, "just a string");
        storvirt__json_free(v);

        /* text need not be NUL-terminated: only len bytes count */
        assert_int_equal(storvirt__json_parse("[1]garbage", 3, LIMIT, &v, "x"), 0);
        assert_int_equal(v->u.array.len, 1);
        storvirt__json_free(v);
        storvirt__json_free(NULL);
}

static void test_parse_errors(void **state) {
        parse_fails("{\"a\": 1,}", -EINVAL,
                    "state.json: invalid JSON at line 1 column 9: "
                    "parse error: invalid object key (must be a string)");
        parse_fails("{\n  \"a\": [1, 2,\n  x]\n}", -EINVAL,
                    "state.json: invalid JSON at line 3 column 3: "
                    "lexical error: invalid char in json text");
        /* columns count characters, not bytes */
        parse_fails("{\"\xc3\xa9\xc3\xa9\" 1}", -EINVAL,
                    "state.json: invalid JSON at line 1 column 7: "
                    "parse error: object key and value must be separated by a colon (':')");
        parse_fails("{\"a\": [1, 2", -EINVAL,
                    "state.json: invalid JSON at line 1 column 12: parse error: premature EOF");
        parse_fails("1 2 ", -EINVAL,
                    "state.json: invalid JSON at line 1 column 3: parse error: trailing garbage");
        /* errors yajl finds only at the end of input point just past it */
        parse_fails("1 2", -EINVAL,
                    "state.json: invalid JSON at line 1 column 4: parse error: trailing garbage");
        parse_fails("// comment\n{}", -EINVAL,
                    "state.json: invalid JSON at line 1 column 1: lexical error: probable "
                    "comment found in input text, comments are not enabled");
        parse_fails("[\"a\\u0000b\"]", -EINVAL,
                    "state.json: invalid JSON at line 1 column 11: "
                    "string contains a NUL character");
        parse_fails("{\"a\\u0000\": 1}", -EINVAL,
                    "state.json: invalid JSON at line 1 column 10: "
                    "string contains a NUL character");
        parse_fails("[\"\xff\"]", -EINVAL,
                    "state.json: invalid JSON at line 1 column 3: "
                    "lexical error: invalid bytes in UTF8 string");
        parse_fails("", -EINVAL, "state.json: empty input");
        parse_fails(" \n\t ", -EINVAL, "state.json: empty input");
        parse_fails("[1,\n", -EINVAL,
                    "state.json: invalid JSON at line 2 column 1: parse error: premature EOF");
        /* yajl's verbose error art must not leak into the message */
        parse_fails("nul", -EINVAL,
                    "state.json: invalid JSON at line 1 column 4: "
                    "lexical error: invalid string in json text");
}

static void test_parse_limits(void **state) {
        char deep[200];
        yajl_val v = NULL;
        char *huge;

        assert_int_equal(storvirt__json_parse("[1, 2]", 6, 5, &v, "state.json"), -EFBIG);
        assert_string_equal(storvirt__error_msg(),
                            "state.json: 6 bytes, more than the limit of 5");
        assert_null(v);
        assert_int_equal(storvirt__json_parse("[1, 2]", 6, 6, &v, NULL), 0);
        storvirt__json_free(v);

        /* 64 levels are fine, 65 are not */
        memset(deep, '[', 64);
        memset(deep + 64, ']', 64);
        deep[128] = '\0';
        v = parse_ok(deep);
        storvirt__json_free(v);
        memset(deep, '[', 65);
        memset(deep + 65, ']', 65);
        deep[130] = '\0';
        parse_fails(deep, -EINVAL, "state.json: invalid JSON at line 1 column 65: "
                    "nesting deeper than 64 levels");
        memcpy(deep, "{\"a\":", 5);
        for (int i = 0; i < 64; i++)
                memcpy(deep + 5 + 2 * i, "[[", 2);
        deep[5 + 128] = '\0';
        parse_fails(deep, -EINVAL, "state.json: invalid JSON at line 1 column 69: "
                    "nesting deeper than 64 levels");

        /* a very deep document fails fast, without recursion trouble */
        huge = malloc(1000001);
        assert_non_null(huge);
        memset(huge, '[', 1000000);
        huge[1000000] = '\0';
        assert_int_equal(storvirt__json_parse(huge, 1000000, 2000000, &v, "deep"), -EINVAL);
        assert_non_null(strstr(storvirt__error_msg(), "nesting deeper than 64 levels"));
        free(huge);
}

static void test_get_string_bool_object(void **state) {
        yajl_val v = parse_ok("{\"name\": \"vol1\", \"size\": 10, \"ro\": false, \"opt\": null, "
                              "\"o\": {\"k\": 1}, \"l\": [true]}");
        const char *s = "untouched";
        yajl_val o = NULL;
        bool b = true;

        assert_int_equal(storvirt__json_get_string(v, "name", true, &s), 1);
        assert_string_equal(s, "vol1");
        s = "untouched";
        assert_int_equal(storvirt__json_get_string(v, "missing", false, &s), 0);
        assert_string_equal(s, "untouched");
        assert_int_equal(storvirt__json_get_string(v, "missing", true, &s), -ENOENT);
        assert_string_equal(storvirt__error_msg(), "field 'missing': missing");
        assert_int_equal(storvirt__json_get_string(v, "size", false, &s), -EINVAL);
        assert_string_equal(storvirt__error_msg(), "field 'size': expected a string, got a number");
        assert_int_equal(storvirt__json_get_string(v, "opt", false, &s), 0);
        assert_int_equal(storvirt__json_get_string(v, "opt", true, &s), -EINVAL);
        assert_string_equal(storvirt__error_msg(), "field 'opt': expected a string, got null");
        assert_string_equal(s, "untouched");

        /* a number as the text it is written with */
        assert_int_equal(storvirt__json_get_string_or_number(v, "size", true, &s), 1);
        assert_string_equal(s, "10");
        assert_int_equal(storvirt__json_get_string_or_number(v, "name", true, &s), 1);
        assert_string_equal(s, "vol1");
        assert_int_equal(storvirt__json_get_string_or_number(v, "opt", false, &s), 0);
        assert_int_equal(storvirt__json_get_string_or_number(v, "ro", false, &s), -EINVAL);
        assert_string_equal(storvirt__error_msg(),
                            "field 'ro': expected a string or a number, got a boolean");
        s = "untouched";
        {
                yajl_val f = parse_ok("{\"v\": 4.10, \"e\": -1e3}");

                assert_int_equal(storvirt__json_get_string_or_number(f, "v", true, &s), 1);
                assert_string_equal(s, "4.10");
                assert_int_equal(storvirt__json_get_string_or_number(f, "e", true, &s), 1);
                assert_string_equal(s, "-1e3");
                storvirt__json_free(f);
                s = "untouched";
        }

        assert_int_equal(storvirt__json_get_bool(v, "ro", true, &b), 1);
        assert_false(b);
        assert_int_equal(storvirt__json_get_bool(v, "name", true, &b), -EINVAL);
        assert_string_equal(storvirt__error_msg(), "field 'name': expected a boolean, got a string");

        assert_int_equal(storvirt__json_get_object(v, "o", true, &o), 1);
        assert_true(YAJL_IS_OBJECT(o));
        assert_int_equal(storvirt__json_get_object(v, "l", true, &o), -EINVAL);
        assert_string_equal(storvirt__error_msg(), "field 'l': expected an object, got an array");
        assert_int_equal(storvirt__json_get_array(v, "l", true, &o), 1);
        assert_true(YAJL_IS_ARRAY(o));
        assert_int_equal(storvirt__json_get_array(v, "o", true, &o), -EINVAL);
        assert_string_equal(storvirt__error_msg(), "field 'o': expected an array, got an object");

        /* the container itself must be an object */
        assert_int_equal(storvirt__json_get_string(o, "x", false, &s), -EINVAL);
        assert_string_equal(storvirt__error_msg(),
                            "field 'x': container is an array, not an object");
        assert_int_equal(storvirt__json_get_string(NULL, "x", false, &s), -EINVAL);
        storvirt__json_free(v);
}

static void test_get_integers(void **state) {
        yajl_val v = parse_ok("{\"min\": -9223372036854775808, \"max\": 9223372036854775807, "
                              "\"over\": 9223372036854775808, \"umax\": 18446744073709551615, "
                              "\"uover\": 18446744073709551616, \"neg\": -1, \"f\": 1.5, "
                              "\"e\": 1e3, \"s\": \"42\", \"sneg\": \"-7\", \"sbad\": \" 42\", "
                              "\"sempty\": \"\", \"b\": true}");
        int64_t i = 0;
        uint64_t u = 0;

        assert_int_equal(storvirt__json_get_int64(v, "min", true, 0, &i), 1);
        assert_true(i == INT64_MIN);
        assert_int_equal(storvirt__json_get_int64(v, "max", true, 0, &i), 1);
        assert_true(i == INT64_MAX);
        assert_int_equal(storvirt__json_get_int64(v, "over", true, 0, &i), -EINVAL);
        assert_string_equal(storvirt__error_msg(),
                "field 'over': 9223372036854775808 is out of range for a 64-bit integer");
        assert_int_equal(storvirt__json_get_uint64(v, "umax", true, 0, &u), 1);
        assert_true(u == UINT64_MAX);
        assert_int_equal(storvirt__json_get_uint64(v, "uover", true, 0, &u), -EINVAL);
        assert_string_equal(storvirt__error_msg(), "field 'uover': 18446744073709551616 is out "
                            "of range for an unsigned 64-bit integer");
        assert_int_equal(storvirt__json_get_uint64(v, "neg", true, 0, &u), -EINVAL);
        assert_string_equal(storvirt__error_msg(),
                            "field 'neg': expected an unsigned 64-bit integer, got '-1'");
        assert_int_equal(storvirt__json_get_int64(v, "neg", true, 0, &i), 1);
        assert_int_equal(i, -1);
        assert_int_equal(storvirt__json_get_int64(v, "f", true, 0, &i), -EINVAL);
        assert_string_equal(storvirt__error_msg(),
                            "field 'f': expected a 64-bit integer, got '1.5'");
        assert_int_equal(storvirt__json_get_uint64(v, "e", true, 0, &u), -EINVAL);
        assert_int_equal(storvirt__json_get_uint64(v, "b", true, 0, &u), -EINVAL);
        assert_string_equal(storvirt__error_msg(),
                            "field 'b': expected an unsigned 64-bit integer, got a boolean");

        /* integers as strings only when asked for */
        assert_int_equal(storvirt__json_get_uint64(v, "s", true, 0, &u), -EINVAL);
        assert_string_equal(storvirt__error_msg(),
                            "field 's': expected an unsigned 64-bit integer, got a string");
        assert_int_equal(storvirt__json_get_uint64(v, "s", true,
                                                   STORVIRT__JSON_INT_FROM_STRING, &u), 1);
        assert_int_equal(u, 42);
        assert_int_equal(storvirt__json_get_int64(v, "sneg", true,
                                                  STORVIRT__JSON_INT_FROM_STRING, &i), 1);
        assert_int_equal(i, -7);
        assert_int_equal(storvirt__json_get_uint64(v, "sneg", true,
                                                   STORVIRT__JSON_INT_FROM_STRING, &u), -EINVAL);
        assert_int_equal(storvirt__json_get_int64(v, "sbad", true,
                                                  STORVIRT__JSON_INT_FROM_STRING, &i), -EINVAL);
        assert_string_equal(storvirt__error_msg(),
                            "field 'sbad': expected a 64-bit integer, got ' 42'");
        assert_int_equal(storvirt__json_get_int64(v, "sempty", true,
                                                  STORVIRT__JSON_INT_FROM_STRING, &i), -EINVAL);
        assert_int_equal(storvirt__json_get_int64(v, "none", false, 0, &i), 0);
        assert_int_equal(i, -7);
        assert_int_equal(storvirt__json_get_int64(v, "none", true, 0, &i), -ENOENT);
        assert_int_equal(storvirt__json_get_int64(v, "s", true, 0x8, &i), -EINVAL);
        storvirt__json_free(v);
}

static void test_check_keys(void **state) {
        static const char *const allowed[] = { "name", "size", NULL };
        yajl_val v = parse_ok("{\"name\": \"a\", \"size\": 1}");
        const char *s;

        assert_int_equal(storvirt__json_check_keys(v, allowed, "volume"), 0);
        assert_int_equal(storvirt__json_check_keys(v, NULL, "volume"), 0);
        storvirt__json_free(v);

        /* yajl_tree keeps both members of a duplicated key */
        v = parse_ok("{\"name\": \"a\", \"size\": 1, \"name\": \"b\"}");
        assert_int_equal(v->u.object.len, 3);
        assert_int_equal(storvirt__json_check_keys(v, allowed, "volume"), -EINVAL);
        assert_string_equal(storvirt__error_msg(), "volume: duplicate field 'name'");
        assert_int_equal(storvirt__json_check_keys(v, NULL, "volume"), -EINVAL);
        assert_string_equal(storvirt__error_msg(), "volume: duplicate field 'name'");
        assert_int_equal(storvirt__json_get_string(v, "name", true, &s), 1);
        assert_string_equal(s, "a");
        storvirt__json_free(v);

        /* the first repeat in document order is reported */
        v = parse_ok("{\"z\": 1, \"b\": 2, \"b\": 3, \"z\": 4}");
        assert_int_equal(storvirt__json_check_keys(v, NULL, "obj"), -EINVAL);
        assert_string_equal(storvirt__error_msg(), "obj: duplicate field 'b'");
        storvirt__json_free(v);

        v = parse_ok("{\"name\": \"a\", \"colour\\n'\": 1}");
        assert_int_equal(storvirt__json_check_keys(v, allowed, "volume"), -EINVAL);
        assert_string_equal(storvirt__error_msg(), "volume: unknown field 'colour\\x0a\\''");
        storvirt__json_free(v);

        v = parse_ok("[1]");
        assert_int_equal(storvirt__json_check_keys(v, allowed, "volume"), -EINVAL);
        assert_string_equal(storvirt__error_msg(), "volume: expected an object, got an array");
        storvirt__json_free(v);
}

static char *gen_sample(bool pretty) {
        storvirt__json_gen *g = NULL;
        char *out = NULL;
        size_t len = 0;

        assert_int_equal(storvirt__json_gen_new(pretty, &g), 0);
        assert_int_equal(storvirt__json_gen_begin_map(g), 0);
        assert_int_equal(storvirt__json_gen_key_string(g, "s", "q\"b\\n\n\x01/\xc3\xa9\xf0\x9f\x92\xbe"), 0);
        assert_int_equal(storvirt__json_gen_key_int64(g, "i", INT64_MIN), 0);
        assert_int_equal(storvirt__json_gen_key_uint64(g, "u", UINT64_MAX), 0);
        assert_int_equal(storvirt__json_gen_key_bool(g, "t", true), 0);
        assert_int_equal(storvirt__json_gen_key_null(g, "n"), 0);
        assert_int_equal(storvirt__json_gen_key_begin_array(g, "a"), 0);
        assert_int_equal(storvirt__json_gen_uint64(g, 7), 0);
        assert_int_equal(storvirt__json_gen_begin_map(g), 0);
        assert_int_equal(storvirt__json_gen_end_map(g), 0);
        assert_int_equal(storvirt__json_gen_begin_array(g), 0);
        assert_int_equal(storvirt__json_gen_end_array(g), 0);
        assert_int_equal(storvirt__json_gen_end_array(g), 0);
        assert_int_equal(storvirt__json_gen_key_begin_map(g, "e"), 0);
        assert_int_equal(storvirt__json_gen_end_map(g), 0);
        assert_int_equal(storvirt__json_gen_end_map(g), 0);
        assert_int_equal(storvirt__json_gen_finish(g, &out, &len), 0);
        assert_int_equal(strlen(out), len);
        /* output can be taken once */
        assert_int_equal(storvirt__json_gen_finish(g, &out, &len), -EINVAL);
        storvirt__json_gen_free(g);
        return out;
}

static void test_gen_round_trip(void **state) {
        char *out = gen_sample(false);
        yajl_val v;
        const char *s;
        int64_t i;
        uint64_t u;

        assert_string_equal(out, "{\"s\":\"q\\\"b\\\\n\\n\\u0001/\xc3\xa9\xf0\x9f\x92\xbe\","
                            "\"i\":-9223372036854775808,\"u\":18446744073709551615,"
                            "\"t\":true,\"n\":null,\"a\":[7,{},[]],\"e\":{}}");
        v = parse_ok(out);
        assert_int_equal(storvirt__json_get_string(v, "s", true, &s), 1);
        assert_string_equal(s, "q\"b\\n\n\x01/\xc3\xa9\xf0\x9f\x92\xbe");
        assert_int_equal(storvirt__json_get_int64(v, "i", true, 0, &i), 1);
        assert_true(i == INT64_MIN);
        assert_int_equal(storvirt__json_get_uint64(v, "u", true, 0, &u), 1);
        assert_true(u == UINT64_MAX);
        storvirt__json_free(v);
        free(out);

        out = gen_sample(true);
        assert_string_equal(out, "{\n"
                            "  \"s\": \"q\\\"b\\\\n\\n\\u0001/\xc3\xa9\xf0\x9f\x92\xbe\",\n"
                            "  \"i\": -9223372036854775808,\n"
                            "  \"u\": 18446744073709551615,\n"
                            "  \"t\": true,\n"
                            "  \"n\": null,\n"
                            "  \"a\": [\n"
                            "    7,\n"
                            "    {},\n"
                            "    []\n"
                            "  ],\n"
                            "  \"e\": {}\n"
                            "}\n");
        free(out);
}

static void test_gen_utf8_errors(void **state) {
        storvirt__json_gen *g = NULL;
        char *out = NULL;

        /* invalid UTF-8 is refused, and the error sticks */
        assert_int_equal(storvirt__json_gen_new(false, &g), 0);
        assert_int_equal(storvirt__json_gen_begin_array(g), 0);
        assert_int_equal(storvirt__json_gen_string(g, "bad \xc3\x28"), -EINVAL);
        assert_string_equal(storvirt__error_msg(), "JSON generator: string is not valid UTF-8");
        storvirt__error_reset();
        assert_int_equal(storvirt__json_gen_end_array(g), -EINVAL);
        assert_int_equal(storvirt__json_gen_finish(g, &out, NULL), -EINVAL);
        assert_null(out);
        storvirt__json_gen_free(g);

        /* invalid UTF-8 in a key too */
        assert_int_equal(storvirt__json_gen_new(false, &g), 0);
        assert_int_equal(storvirt__json_gen_begin_map(g), 0);
        assert_int_equal(storvirt__json_gen_key_int64(g, "\xff", 1), -EINVAL);
        storvirt__json_gen_free(g);
}

static void test_gen_sequence_errors(void **state) {
        storvirt__json_gen *g = NULL;
        char *out = NULL;

        assert_int_equal(storvirt__json_gen_new(false, &g), 0);
        assert_int_equal(storvirt__json_gen_begin_map(g), 0);
        assert_int_equal(storvirt__json_gen_int64(g, 1), -EINVAL);
        assert_string_equal(storvirt__error_msg(),
                            "JSON generator: value without a key inside an object");
        storvirt__json_gen_free(g);

        assert_int_equal(storvirt__json_gen_new(false, &g), 0);
        assert_int_equal(storvirt__json_gen_begin_map(g), 0);
        assert_int_equal(storvirt__json_gen_finish(g, &out, NULL), -EINVAL);
        assert_string_equal(storvirt__error_msg(),
                            "JSON generator: an object or array is still open");
        storvirt__json_gen_free(g);

        assert_int_equal(storvirt__json_gen_new(false, &g), 0);
        assert_int_equal(storvirt__json_gen_begin_map(g), 0);
        assert_int_equal(storvirt__json_gen_key(g, "k"), 0);
        assert_int_equal(storvirt__json_gen_end_map(g), -EINVAL);
        assert_string_equal(storvirt__error_msg(),
                            "JSON generator: key without a value at the end of an object");
        storvirt__json_gen_free(g);

        assert_int_equal(storvirt__json_gen_new(false, &g), 0);
        assert_int_equal(storvirt__json_gen_key(g, "k"), -EINVAL);
        storvirt__json_gen_free(g);

        assert_int_equal(storvirt__json_gen_new(false, &g), 0);
        assert_int_equal(storvirt__json_gen_begin_array(g), 0);
        assert_int_equal(storvirt__json_gen_end_map(g), -EINVAL);
        assert_string_equal(storvirt__error_msg(), "JSON generator: no object to end");
        storvirt__json_gen_free(g);

        assert_int_equal(storvirt__json_gen_new(false, &g), 0);
        assert_int_equal(storvirt__json_gen_null(g), 0);
        assert_int_equal(storvirt__json_gen_null(g), -EINVAL);
        assert_string_equal(storvirt__error_msg(), "JSON generator: more than one top-level value");
        storvirt__json_gen_free(g);

        assert_int_equal(storvirt__json_gen_new(false, &g), 0);
        assert_int_equal(storvirt__json_gen_finish(g, &out, NULL), -EINVAL);
        assert_string_equal(storvirt__error_msg(), "JSON generator: nothing was generated");
        storvirt__json_gen_free(g);
}

static void test_gen_limits(void **state) {
        storvirt__json_gen *g = NULL;
        char *out = NULL;

        /* no deeper than the parser accepts */
        assert_int_equal(storvirt__json_gen_new(false, &g), 0);
        for (int i = 0; i < 64; i++)
                assert_int_equal(storvirt__json_gen_begin_array(g), 0);
        assert_int_equal(storvirt__json_gen_begin_array(g), -EINVAL);
        assert_string_equal(storvirt__error_msg(),
                            "JSON generator: nesting deeper than 64 levels");
        storvirt__json_gen_free(g);
        storvirt__json_gen_free(NULL);

        /* a top-level scalar is a complete document */
        assert_int_equal(storvirt__json_gen_new(false, &g), 0);
        assert_int_equal(storvirt__json_gen_string(g, "x"), 0);
        assert_int_equal(storvirt__json_gen_finish(g, &out, NULL), 0);
        assert_string_equal(out, "\"x\"");
        free(out);
        storvirt__json_gen_free(g);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_values),
                cmocka_unit_test(test_parse_errors),
                cmocka_unit_test(test_parse_limits),
                cmocka_unit_test(test_get_string_bool_object),
                cmocka_unit_test(test_get_integers),
                cmocka_unit_test(test_check_keys),
                cmocka_unit_test(test_gen_round_trip),
                cmocka_unit_test(test_gen_utf8_errors),
                cmocka_unit_test(test_gen_sequence_errors),
                cmocka_unit_test(test_gen_limits),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
