/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-xml.c - the hardened XML parser (entity bombs, external entities,
 * network DTDs, error messages, nothing on stderr, caller's libxml2
 * handlers left alone), tree and number helpers, and the writer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>

#include "util/error.h"
#include "util/xml.h"

#define LIMIT (1 << 20)

/* Every attempt by libxml2 to load an external resource lands here. */
static int loader_calls;

static xmlParserInputPtr counting_loader(const char *url, const char *id,
                                         xmlParserCtxtPtr ctxt) {
        loader_calls++;
        return NULL;
}

static int group_setup(void **state) {
        xmlSetExternalEntityLoader(counting_loader);
        return 0;
}

static int group_teardown(void **state) {
        xmlCleanupParser();
        return 0;
}

static xmlDocPtr parse_ok(const char *text) {
        xmlDocPtr doc = NULL;

        assert_int_equal(storvirt__xml_parse(text, strlen(text), LIMIT, "pool XML", &doc), 0);
        assert_non_null(doc);
        return doc;
}

static void parse_fails(const char *text, int err, const char *msg) {
        xmlDocPtr doc = (xmlDocPtr) 0x1;

        assert_int_equal(storvirt__xml_parse(text, strlen(text), LIMIT, "pool XML", &doc), err);
        assert_ptr_equal(doc, (xmlDocPtr) 0x1);
        assert_string_equal(storvirt__error_msg(), msg);
}

static const char dtd_msg[] = "pool XML: DTDs and entity declarations are not allowed";

static const char billion_laughs[] =
        "<?xml version=\"1.0\"?>\n"
        "<!DOCTYPE lolz [\n"
        " <!ENTITY lol \"lol\">\n"
        " <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
        " <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
        " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
        " <!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
        " <!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">\n"
        " <!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">\n"
        " <!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">\n"
        " <!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">\n"
        " <!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">\n"
        "]>\n"
        "<lolz>&lol9;</lolz>\n";

static const char xxe_passwd[] =
        "<?xml version=\"1.0\"?>\n"
        "<!DOCTYPE pool [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n"
        "<pool><name>&xxe;</name></pool>\n";

static int64_t now_ms(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void test_billion_laughs(void **state) {
        int64_t start = now_ms();

        parse_fails(billion_laughs, -EINVAL, dtd_msg);
        assert_true(now_ms() - start < 1000);
        /* the same without the XML declaration or with an empty subset */
        parse_fails(strstr(billion_laughs, "<!DOCTYPE"), -EINVAL, dtd_msg);
        parse_fails("<!DOCTYPE pool []><pool/>", -EINVAL, dtd_msg);
        parse_fails("<!DOCTYPE pool><pool/>", -EINVAL, dtd_msg);
}

static void test_external_entity(void **state) {
        xmlDocPtr doc;

        loader_calls = 0;
        parse_fails(xxe_passwd, -EINVAL, dtd_msg);
        parse_fails("<!DOCTYPE p [<!ENTITY % pe SYSTEM \"file:///etc/passwd\"> %pe;]><p/>",
                    -EINVAL, dtd_msg);
        parse_fails("<!DOCTYPE pool SYSTEM \"file:///etc/passwd\"><pool/>", -EINVAL, dtd_msg);
        assert_int_equal(loader_calls, 0);

        /* XInclude is not processed either */
        doc = parse_ok("<pool xmlns:xi=\"http://www.w3.org/2001/XInclude\">"
                       "<xi:include href=\"/etc/passwd\" parse=\"text\"/></pool>");
        assert_null(storvirt__xml_child(xmlDocGetRootElement(doc), "include"));
        assert_non_null(storvirt__xml_child(xmlDocGetRootElement(doc), NULL));
        storvirt__xml_doc_free(doc);
        assert_int_equal(loader_calls, 0);
}

static void silent_generic(void *ctx, const char *msg, ...) {
}

static void silent_structured(void *ctx, xmlErrorPtr e) {
}

/* The loader hook does see a load when a parser is not hardened. */
static void test_loader_hook_works(void **state) {
        xmlDocPtr doc;

        xmlSetGenericErrorFunc(NULL, silent_generic);
        xmlSetStructuredErrorFunc(NULL, silent_structured);
        loader_calls = 0;
        doc = xmlReadMemory(xxe_passwd, (int) strlen(xxe_passwd), NULL, NULL,
                            XML_PARSE_NOENT | XML_PARSE_DTDLOAD | XML_PARSE_NOWARNING |
                            XML_PARSE_NOERROR);
        xmlSetGenericErrorFunc(NULL, NULL);
        xmlSetStructuredErrorFunc(NULL, NULL);
        assert_true(loader_calls > 0);
        xmlFreeDoc(doc);
}

static void test_network_dtd(void **state) {
        struct sockaddr_in sa = { .sin_family = AF_INET };
        socklen_t salen = sizeof(sa);
        struct pollfd p;
        char doc[256];
        int s;

        s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        assert_true(s >= 0);
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        assert_int_equal(bind(s, (struct sockaddr *) &sa, sizeof(sa)), 0);
        assert_int_equal(listen(s, 4), 0);
        assert_int_equal(getsockname(s, (struct sockaddr *) &sa, &salen), 0);

        loader_calls = 0;
        snprintf(doc, sizeof(doc), "<!DOCTYPE pool SYSTEM \"http://127.0.0.1:%u/pool.dtd\">"
                 "<pool/>", ntohs(sa.sin_port));
        parse_fails(doc, -EINVAL, dtd_msg);
        snprintf(doc, sizeof(doc), "<!DOCTYPE pool [<!ENTITY x SYSTEM "
                 "\"http://127.0.0.1:%u/x\">]><pool>&x;</pool>", ntohs(sa.sin_port));
        parse_fails(doc, -EINVAL, dtd_msg);
        assert_int_equal(loader_calls, 0);
        p = (struct pollfd) { .fd = s, .events = POLLIN };
        assert_int_equal(poll(&p, 1, 200), 0);  /* nobody connected */
        close(s);
}

static void test_parse_errors(void **state) {
        char big[64];

        parse_fails("<pool>\n  <name>x</name>\n  <target>\n</pool>\n", -EINVAL,
                    "pool XML: XML error at line 4: "
                    "Opening and ending tag mismatch: target line 3 and pool");
        parse_fails("<pool>&foo;</pool>", -EINVAL,
                    "pool XML: XML error at line 1: Entity 'foo' not defined");
        parse_fails("<pool>\n<p:name/></pool>", -EINVAL,
                    "pool XML: XML error at line 2: Namespace prefix p on name is not defined");
        parse_fails("<pool a='1' a='2'/>", -EINVAL,
                    "pool XML: XML error at line 1: Attribute a redefined");
        parse_fails("<pool>\n\n<name>\xff</name></pool>", -EINVAL,
                    "pool XML: XML error at line 3: Input is not proper UTF-8, "
                    "indicate encoding ! Bytes: 0xFF 0x3C 0x2F 0x6E");
        parse_fails("<pool/><pool/>", -EINVAL,
                    "pool XML: XML error at line 1: Extra content at the end of the document");
        parse_fails("", -EINVAL, "pool XML: empty document");
        parse_fails("<!-- only a comment -->", -EINVAL,
                    "pool XML: XML error at line 1: Start tag expected, '<' not found");

        memset(big, ' ', sizeof(big));
        memcpy(big, "<a/>", 4);
        xmlDocPtr doc = NULL;
        assert_int_equal(storvirt__xml_parse(big, sizeof(big), 63, NULL, &doc), -EFBIG);
        assert_string_equal(storvirt__error_msg(),
                            "XML document: 64 bytes, more than the limit of 63");
        assert_int_equal(storvirt__xml_parse(big, sizeof(big), 64, NULL, &doc), 0);
        storvirt__xml_doc_free(doc);
        /* only len bytes are read */
        assert_int_equal(storvirt__xml_parse("<a/>garbage", 4, 64, NULL, &doc), 0);
        storvirt__xml_doc_free(doc);
}

static int caller_handler_calls;

static void caller_handler(void *ctx, xmlErrorPtr e) {
        caller_handler_calls++;
}

/* Run every failure path with fd 2 sent to a file: it must stay empty. */
static void test_nothing_on_stderr(void **state) {
        char path[] = "/tmp/storvirt-test-xml-stderr-XXXXXX", got[512];
        storvirt__xml_writer *w = NULL;
        xmlDocPtr doc = NULL;
        int fd, saved;
        ssize_t n;

        fd = mkstemp(path);
        assert_true(fd >= 0);
        unlink(path);
        saved = dup(2);
        assert_true(saved >= 0);
        assert_int_equal(dup2(fd, 2), 2);

        xmlSetStructuredErrorFunc((void *) 0x1234, caller_handler);
        caller_handler_calls = 0;
        (void) storvirt__xml_parse(billion_laughs, strlen(billion_laughs), LIMIT, "x", &doc);
        (void) storvirt__xml_parse(xxe_passwd, strlen(xxe_passwd), LIMIT, "x", &doc);
        (void) storvirt__xml_parse("<a><b></a>", 10, LIMIT, "x", &doc);
        (void) storvirt__xml_parse("<a>&x;</a>", 10, LIMIT, "x", &doc);
        (void) storvirt__xml_parse("<a><p:b/></a>", 13, LIMIT, "x", &doc);
        /* only a warning: the document is fine */
        assert_int_equal(storvirt__xml_parse("<a xmlns='rel/uri'/>", 20, LIMIT, "x", &doc), 0);
        storvirt__xml_doc_free(doc);
        (void) storvirt__xml_parse("<a>\xff</a>", 8, LIMIT, "x", &doc);
        (void) storvirt__xml_parse("<?xml version='1.0' encoding='bogus'?><a/>", 42,
                                   LIMIT, "x", &doc);
        (void) storvirt__xml_parse("   ", 3, LIMIT, "x", &doc);
        assert_int_equal(storvirt__xml_writer_new(&w), 0);
        (void) storvirt__xml_writer_end(w);
        storvirt__xml_writer_free(w);
        assert_int_equal(storvirt__xml_writer_new(&w), 0);
        (void) storvirt__xml_writer_start(w, "a");
        (void) storvirt__xml_writer_attr(w, "b", "\xff");
        storvirt__xml_writer_free(w);
        /* the caller's handler is back in place and was never called */
        assert_ptr_equal(xmlStructuredError, caller_handler);
        assert_ptr_equal(xmlStructuredErrorContext, (void *) 0x1234);
        xmlSetStructuredErrorFunc(NULL, NULL);

        assert_int_equal(dup2(saved, 2), 2);
        close(saved);
        n = pread(fd, got, sizeof(got) - 1, 0);
        close(fd);
        assert_true(n >= 0);
        got[n] = '\0';
        assert_string_equal(got, "");
        assert_int_equal(caller_handler_calls, 0);
}

static const char pool_xml[] =
        "<pool type='dir'>\n"
        "  <name>  default\n</name>\n"
        "  <capacity unit='bytes'>18446744073709551615</capacity>\n"
        "  <source><![CDATA[a<b]]> &amp; c</source>\n"
        "  <!-- comment -->\n"
        "  <target path='/var/lib/x &amp; y &lt; &#65;' mode='0x1f' neg='-12' empty=''>\n"
        "    <dev/><dev/><dev/>\n"
        "  </target>\n"
        "  <meta:x xmlns:meta='urn:m' meta:a='1'/>\n"
        "</pool>\n";

static void test_tree_helpers(void **state) {
        xmlDocPtr doc = parse_ok(pool_xml);
        xmlNodePtr root = NULL, target, n;
        char *s = (char *) "untouched";
        size_t count = 0;

        assert_int_equal(storvirt__xml_root(doc, "pool", "pool XML", &root), 0);
        assert_string_equal(storvirt__xml_name(root), "pool");
        assert_int_equal(storvirt__xml_root(doc, "domain", "pool XML", &root), -EINVAL);
        assert_string_equal(storvirt__error_msg(),
                            "pool XML: root element is 'pool', expected 'domain'");

        assert_string_equal(storvirt__xml_prop(root, "type"), "dir");
        assert_null(storvirt__xml_prop(root, "missing"));
        assert_int_equal(storvirt__xml_child_text(root, "name", &s), 1);
        assert_string_equal(s, "default");
        free(s);
        assert_int_equal(storvirt__xml_child_text(root, "source", &s), 1);
        assert_string_equal(s, "a<b & c");
        free(s);
        assert_int_equal(storvirt__xml_child_text(root, "nothing", &s), 0);
        assert_null(s);

        target = storvirt__xml_child(root, "target");
        assert_non_null(target);
        assert_string_equal(storvirt__xml_prop(target, "path"), "/var/lib/x & y < A");
        assert_string_equal(storvirt__xml_prop(target, "empty"), "");
        assert_int_equal(storvirt__xml_get_prop(target, "path", &s), 1);
        assert_string_equal(s, "/var/lib/x & y < A");
        free(s);
        assert_int_equal(storvirt__xml_get_prop(target, "empty", &s), 1);
        assert_string_equal(s, "");
        free(s);
        assert_int_equal(storvirt__xml_get_prop(target, "nope", &s), 0);
        assert_null(s);

        STORVIRT__XML_FOREACH_CHILD(n, target, "dev")
                count++;
        assert_int_equal(count, 3);
        assert_int_equal(storvirt__xml_count_children(target, "dev"), 3);
        /* elements in a namespace and namespaced attributes do not match */
        assert_int_equal(storvirt__xml_count_children(root, NULL), 5);
        assert_null(storvirt__xml_child(root, "x"));
        assert_null(storvirt__xml_prop(storvirt__xml_next(target, NULL), "a"));
        assert_null(storvirt__xml_child(NULL, "x"));
        storvirt__xml_doc_free(doc);
        storvirt__xml_doc_free(NULL);
}

static void test_numbers(void **state) {
        xmlDocPtr doc = parse_ok("<d u='18446744073709551615' over='18446744073709551616' "
                                 "neg='-1' hex='0x1F' sp=' 1' empty='' plus='+1' "
                                 "imin='-2147483648' imax='2147483647' iover='2147483648' "
                                 "uimax='4294967295' uiover='4294967296'/>");
        xmlNodePtr d = xmlDocGetRootElement(doc);
        uint64_t u = 0;
        unsigned ui = 0;
        int i = 0;

        assert_int_equal(storvirt__xml_get_prop_uint64(d, "u", true, 0, &u), 1);
        assert_true(u == UINT64_MAX);
        assert_int_equal(storvirt__xml_get_prop_uint64(d, "over", true, 0, &u), -EINVAL);
        assert_string_equal(storvirt__error_msg(),
                "element 'd' attribute 'over': '18446744073709551616' is out of range");
        assert_int_equal(storvirt__xml_get_prop_uint64(d, "neg", true, 0, &u), -EINVAL);
        assert_string_equal(storvirt__error_msg(),
                "element 'd' attribute 'neg': expected an unsigned integer, got '-1'");
        assert_int_equal(storvirt__xml_get_prop_uint64(d, "hex", true, 0, &u), -EINVAL);
        assert_int_equal(storvirt__xml_get_prop_uint64(d, "hex", true, STORVIRT__XML_NUM_HEX, &u), 1);
        assert_int_equal(u, 31);
        assert_int_equal(storvirt__xml_get_prop_uint64(d, "sp", true, 0, &u), -EINVAL);
        assert_int_equal(storvirt__xml_get_prop_uint64(d, "empty", true, 0, &u), -EINVAL);
        assert_string_equal(storvirt__error_msg(),
                "element 'd' attribute 'empty': expected an unsigned integer, got ''");
        assert_int_equal(storvirt__xml_get_prop_uint64(d, "plus", true, 0, &u), -EINVAL);
        u = 5;
        assert_int_equal(storvirt__xml_get_prop_uint64(d, "missing", false, 0, &u), 0);
        assert_int_equal(u, 5);
        assert_int_equal(storvirt__xml_get_prop_uint64(d, "missing", true, 0, &u), -ENOENT);
        assert_string_equal(storvirt__error_msg(), "element 'd': missing attribute 'missing'");
        assert_int_equal(storvirt__xml_get_prop_uint64(d, "u", true, 0x10, &u), -EINVAL);

        assert_int_equal(storvirt__xml_get_prop_int(d, "imin", true, 0, &i), 1);
        assert_int_equal(i, INT32_MIN);
        assert_int_equal(storvirt__xml_get_prop_int(d, "imax", true, 0, &i), 1);
        assert_int_equal(i, INT32_MAX);
        assert_int_equal(storvirt__xml_get_prop_int(d, "iover", true, 0, &i), -EINVAL);
        assert_string_equal(storvirt__error_msg(),
                "element 'd' attribute 'iover': '2147483648' is out of range");
        assert_int_equal(storvirt__xml_get_prop_int(d, "neg", true, 0, &i), 1);
        assert_int_equal(i, -1);
        assert_int_equal(storvirt__xml_get_prop_int(d, "plus", true, 0, &i), -EINVAL);
        assert_string_equal(storvirt__error_msg(),
                "element 'd' attribute 'plus': expected an integer, got '+1'");

        assert_int_equal(storvirt__xml_get_prop_uint(d, "uimax", true, 0, &ui), 1);
        assert_true(ui == UINT32_MAX);
        assert_int_equal(storvirt__xml_get_prop_uint(d, "uiover", true, 0, &ui), -EINVAL);
        storvirt__xml_doc_free(doc);
}

static void test_writer(void **state) {
        storvirt__xml_writer *w = NULL;
        xmlDocPtr doc;
        char *out = NULL, *s;
        size_t len = 0;

        assert_int_equal(storvirt__xml_writer_new(&w), 0);
        assert_int_equal(storvirt__xml_writer_start(w, "pool"), 0);
        assert_int_equal(storvirt__xml_writer_attr(w, "type", "a&b<c>d\"e'f"), 0);
        assert_int_equal(storvirt__xml_writer_attr_printf(w, "size", "%d", 42), 0);
        assert_int_equal(storvirt__xml_writer_text_element(w, "name", "x & y < z > \" '"), 0);
        assert_int_equal(storvirt__xml_writer_start(w, "target"), 0);
        assert_int_equal(storvirt__xml_writer_text_element(w, "path", "/var/lib/caf\xc3\xa9"), 0);
        assert_int_equal(storvirt__xml_writer_start(w, "empty"), 0);
        assert_int_equal(storvirt__xml_writer_end(w), 0);
        assert_int_equal(storvirt__xml_writer_end(w), 0);
        assert_int_equal(storvirt__xml_writer_end(w), 0);
        assert_int_equal(storvirt__xml_writer_finish(w, &out, &len), 0);
        assert_string_equal(out,
                "<pool type=\"a&amp;b&lt;c&gt;d&quot;e'f\" size=\"42\">\n"
                "  <name>x &amp; y &lt; z &gt; &quot; '</name>\n"
                "  <target>\n"
                "    <path>/var/lib/caf\xc3\xa9</path>\n"
                "    <empty/>\n"
                "  </target>\n"
                "</pool>\n");
        assert_int_equal(len, strlen(out));
        storvirt__xml_writer_free(w);

        /* round trip through the parser */
        doc = parse_ok(out);
        assert_string_equal(storvirt__xml_prop(xmlDocGetRootElement(doc), "type"), "a&b<c>d\"e'f");
        assert_int_equal(storvirt__xml_child_text(xmlDocGetRootElement(doc), "name", &s), 1);
        assert_string_equal(s, "x & y < z > \" '");
        free(s);
        storvirt__xml_doc_free(doc);
        free(out);
}

static void test_writer_errors(void **state) {
        storvirt__xml_writer *w = NULL;
        char *out = NULL;

        assert_int_equal(storvirt__xml_writer_new(&w), 0);
        assert_int_equal(storvirt__xml_writer_start(w, "bad name"), -EINVAL);
        assert_string_equal(storvirt__error_msg(), "XML writer: invalid name 'bad name'");
        /* sticky */
        assert_int_equal(storvirt__xml_writer_start(w, "good"), -EINVAL);
        assert_int_equal(storvirt__xml_writer_finish(w, &out, NULL), -EINVAL);
        assert_null(out);
        storvirt__xml_writer_free(w);

        assert_int_equal(storvirt__xml_writer_new(&w), 0);
        assert_int_equal(storvirt__xml_writer_start(w, "a"), 0);
        assert_int_equal(storvirt__xml_writer_attr(w, "k", "bad \xc3\x28"), -EINVAL);
        assert_string_equal(storvirt__error_msg(), "XML writer: text 'bad \\xc3(' is not valid "
                            "UTF-8 or has characters XML forbids");
        storvirt__xml_writer_free(w);

        assert_int_equal(storvirt__xml_writer_new(&w), 0);
        assert_int_equal(storvirt__xml_writer_start(w, "a"), 0);
        assert_int_equal(storvirt__xml_writer_text(w, "ctl \x01"), -EINVAL);
        storvirt__xml_writer_free(w);

        assert_int_equal(storvirt__xml_writer_new(&w), 0);
        assert_int_equal(storvirt__xml_writer_start(w, "a"), 0);
        assert_int_equal(storvirt__xml_writer_text_element(w, "b", "x"), 0);
        assert_int_equal(storvirt__xml_writer_attr(w, "late", "x"), -EINVAL);
        assert_string_equal(storvirt__error_msg(), "XML writer: attribute outside a start tag");
        storvirt__xml_writer_free(w);

        assert_int_equal(storvirt__xml_writer_new(&w), 0);
        assert_int_equal(storvirt__xml_writer_start(w, "a"), 0);
        assert_int_equal(storvirt__xml_writer_finish(w, &out, NULL), -EINVAL);
        assert_string_equal(storvirt__error_msg(), "XML writer: an element is still open");
        storvirt__xml_writer_free(w);

        assert_int_equal(storvirt__xml_writer_new(&w), 0);
        assert_int_equal(storvirt__xml_writer_start(w, "a"), 0);
        assert_int_equal(storvirt__xml_writer_end(w), 0);
        assert_int_equal(storvirt__xml_writer_start(w, "b"), -EINVAL);
        assert_string_equal(storvirt__error_msg(), "XML writer: a second root element");
        storvirt__xml_writer_free(w);

        assert_int_equal(storvirt__xml_writer_new(&w), 0);
        assert_int_equal(storvirt__xml_writer_end(w), -EINVAL);
        assert_string_equal(storvirt__error_msg(), "XML writer: no element to end");
        storvirt__xml_writer_free(w);

        assert_int_equal(storvirt__xml_writer_new(&w), 0);
        assert_int_equal(storvirt__xml_writer_finish(w, &out, NULL), -EINVAL);
        assert_string_equal(storvirt__error_msg(), "XML writer: no root element");
        storvirt__xml_writer_free(w);
        storvirt__xml_writer_free(NULL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_billion_laughs),
                cmocka_unit_test(test_external_entity),
                cmocka_unit_test(test_loader_hook_works),
                cmocka_unit_test(test_network_dtd),
                cmocka_unit_test(test_parse_errors),
                cmocka_unit_test(test_nothing_on_stderr),
                cmocka_unit_test(test_tree_helpers),
                cmocka_unit_test(test_numbers),
                cmocka_unit_test(test_writer),
                cmocka_unit_test(test_writer_errors),
        };

        return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
