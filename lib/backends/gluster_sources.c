/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * gluster_sources.c - find-sources of the gluster pool type: the volumes
 * a GlusterFS server serves, as libvirt finds them.  The gluster CLI
 * asks the server's glusterd (its management port, 24007) for every
 * volume's description,
 *     gluster --xml --log-file=/dev/null volume info all --remote-host=HOST
 * run by the library's command runner (no shell; the host is one argv
 * word), and its XML answer (<cliOutput><opRet/><opErrno/><opErrstr/>
 * <volInfo><volumes><volume><name>...) becomes libvirt's
 *     <sources><source><host name='HOST'/><dir path='/'/>
 *     <name>VOLUME</name></source>...</sources>
 * one <source> per volume, ready to be a gluster pool's <source>.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/backends.h"
#include "sys/command.h"
#include "util/error.h"
#include "util/macro.h"
#include "util/xml.h"

#define WHAT "gluster sources"
/* The CLI's answer for one server: far below this for any real cluster. */
#define MAX_ANSWER (16u << 20)
#define CLI_TIMEOUT_MS 60000

/* A GlusterFS volume name: letters, digits, '-', '_', '.', as glusterd takes them. */
static bool volume_name_ok(const char *s) {
        size_t n = strlen(s);

        if (n == 0 || n > 255 || s[0] == '.' || s[0] == '-')
                return false;
        for (; *s; s++)
                if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
                      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' || *s == '.'))
                        return false;
        return true;
}

/* A host name or address the CLI may be given: no option, no URL, no space. */
static bool host_ok(const char *s) {
        size_t n = strlen(s);

        if (n == 0 || n > 255 || s[0] == '-')
                return false;
        for (; *s; s++)
                if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
                      (*s >= '0' && *s <= '9') || *s == '-' || *s == '.' || *s == ':' ||
                      *s == '_'))
                        return false;
        return true;
}

/* opRet (and opErrstr) of the answer: a failure the server reported is an error. */
static int check_op(xmlNodePtr root, const char *host) {
        _cleanup_free_ char *ret = NULL, *errstr = NULL;
        int r = storvirt__xml_child_text(root, "opRet", &ret);

        if (r < 0)
                return r;
        if (r == 0)
                return storvirt__error_set(-EINVAL, WHAT " on '%s': the gluster CLI's answer has "
                                           "no <opRet>", host);
        if (strcmp(ret, "0") == 0)
                return 0;
        if (storvirt__xml_child_text(root, "opErrstr", &errstr) < 0)
                return storvirt__error_oom();
        return storvirt__error_set(-EIO, WHAT " on '%s': glusterd answered opRet %s: %s", host,
                                   ret, errstr && *errstr ? errstr : "(no message)");
}

/* One <source> per <volume> of <volInfo><volumes>. */
static int write_sources(xmlNodePtr volumes, const char *host, storvirt__xml_writer *w) {
        xmlNodePtr v;

        storvirt__xml_writer_start(w, "sources");
        STORVIRT__XML_FOREACH_CHILD(v, volumes, "volume") {
                _cleanup_free_ char *name = NULL;
                int r = storvirt__xml_child_text(v, "name", &name);

                if (r < 0)
                        return r;
                if (r == 0 || !*name)
                        return storvirt__error_set(-EINVAL, WHAT " on '%s': a <volume> of the "
                                                   "gluster CLI's answer has no <name>", host);
                if (!volume_name_ok(name))
                        return storvirt__error_set(-EINVAL, WHAT " on '%s': volume name '%s' of "
                                                   "the gluster CLI's answer is not a GlusterFS "
                                                   "volume name (letters, digits, '-', '_', '.')",
                                                   host, name);
                storvirt__xml_writer_start(w, "source");
                storvirt__xml_writer_start(w, "host");
                storvirt__xml_writer_attr(w, "name", host);
                storvirt__xml_writer_end(w);
                storvirt__xml_writer_start(w, "dir");
                storvirt__xml_writer_attr(w, "path", "/");
                storvirt__xml_writer_end(w);
                storvirt__xml_writer_text_element(w, "name", name);
                storvirt__xml_writer_end(w);
        }
        storvirt__xml_writer_end(w);
        return 0;
}

int storvirt__gluster_sources_parse(const char *host, const char *answer, size_t len,
                                    char **ret_xml) {
        _cleanup_xml_writer_ storvirt__xml_writer *w = NULL;
        _cleanup_xml_doc_ xmlDocPtr doc = NULL;
        xmlNodePtr root, info, volumes;
        int r;

        r = storvirt__xml_parse(answer, len, MAX_ANSWER, WHAT " (the gluster CLI's answer)", &doc);
        if (r >= 0)
                r = storvirt__xml_root(doc, "cliOutput", WHAT " (the gluster CLI's answer)", &root);
        if (r >= 0)
                r = check_op(root, host);
        if (r < 0)
                return r;
        info = storvirt__xml_child(root, "volInfo");
        volumes = info ? storvirt__xml_child(info, "volumes") : NULL;
        if (!volumes)
                return storvirt__error_set(-EINVAL, WHAT " on '%s': the gluster CLI's answer has "
                                           "no <volInfo><volumes>", host);
        r = storvirt__xml_writer_new(&w);
        if (r >= 0)
                r = write_sources(volumes, host, w);
        if (r >= 0)
                r = storvirt__xml_writer_finish(w, ret_xml, NULL);
        return r;
}

/* The host srcspec names: <source><host name='' [port='24007']/></source>. */
static int spec_host(const char *srcspec, char **ret) {
        _cleanup_xml_doc_ xmlDocPtr doc = NULL;
        const char *name, *port;
        xmlNodePtr root, h;
        int r;

        if (!srcspec)
                return storvirt__error_set(-EINVAL, WHAT ": a <source> with the server's "
                                           "<host name=''/> is needed");
        r = storvirt__xml_parse(srcspec, strlen(srcspec), 65536, WHAT, &doc);
        if (r >= 0)
                r = storvirt__xml_root(doc, "source", WHAT, &root);
        if (r < 0)
                return r;
        if (storvirt__xml_count_children(root, "host") != 1)
                return storvirt__error_set(-EINVAL, WHAT ": <source> needs exactly one "
                                           "<host name=''/> (the server asked)");
        h = storvirt__xml_child(root, "host");
        name = storvirt__xml_prop(h, "name");
        port = storvirt__xml_prop(h, "port");
        if (!name || !host_ok(name))
                return storvirt__error_set(-EINVAL, WHAT ": <host name='%s'> is not a host name "
                                           "or address", name ? name : "");
        if (port && strcmp(port, "24007") != 0)
                return storvirt__error_set(-EINVAL, WHAT ": <host port='%s'>: the gluster CLI "
                                           "asks glusterd on its management port 24007 only",
                                           port);
        *ret = strdup(name);
        return *ret ? 0 : storvirt__error_oom();
}

int storvirt__gluster_find_sources(storvirt_ctx *ctx, const char *srcspec, char **ret_xml,
                                   uint32_t flags) {
        _cleanup_free_ char *host = NULL, *arg = NULL, *out = NULL;
        int r;

        (void)ctx;
        (void)flags;
        r = spec_host(srcspec, &host);
        if (r < 0)
                return r;
        if (storvirt__command_find("gluster", NULL) < 0)
                return storvirt__error_set(-EOPNOTSUPP, WHAT " on '%s': the gluster command-line "
                                           "tool is not installed (Debian: glusterfs-cli)", host);
        if (asprintf(&arg, "--remote-host=%s", host) < 0)
                return storvirt__error_oom();
        {
                char *argv[] = { (char *)"gluster", (char *)"--xml",
                                 (char *)"--log-file=/dev/null", (char *)"volume", (char *)"info",
                                 (char *)"all", arg, NULL };

                r = storvirt__command_run(argv, CLI_TIMEOUT_MS, &out);
        }
        if (r < 0)
                return storvirt__error_prefix(WHAT " on '%s'", host);
        return storvirt__gluster_sources_parse(host, out ? out : "", out ? strlen(out) : 0,
                                               ret_xml);
}
