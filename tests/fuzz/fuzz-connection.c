/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz-connection.c - connection definitions (our JSON and VDSM's
 * connectStorageServer parameters): parsed, every canonical form read
 * back as a stored definition must give itself again, no canonical form
 * carries a password, and every connection's VDSM parameters read back
 * as VDSM's give the same parameters again; read as discovery parameters
 * (ours, a stored connection's id or VDSM's), the same input gives a clean
 * error or a portal.  Anything but a clean error or those round trips
 * aborts so the fuzzer reports it.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "objects/connection_run.h"
#include "conf/connection_def.h"
#include "util/error.h"
#include "util/json.h"
#include "util/strv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void die(const char *what, const char *text) {
        fprintf(stderr, "fuzz-connection: %s: %s\n%s\n", what, storvirt__error_msg(),
                text ? text : "");
        abort();
}

/* VDSM's parameters of d, or NULL (with the error) when they cannot be written. */
static char *vdsm_params(const conn_def *d) {
        storvirt__json_gen *g = NULL;
        char *text = NULL;
        int r = storvirt__json_gen_new(false, &g);

        if (r >= 0)
                r = storvirt__conn_gen_vdsm(g, d);
        if (r >= 0)
                r = storvirt__json_gen_finish(g, &text, NULL);
        storvirt__json_gen_free(g);
        return r < 0 ? NULL : text;
}

/* Each connection of json: its VDSM parameters, read as a connectStorageServer call, give themselves. */
static void vdsm_round_trip(const char *json, size_t len) {
        static const char *const domain[] = { "?", "ISCSI", "NFS", "POSIXFS", "LOCALFS", "FCP",
                                              "?", "GLUSTERFS" };
        conn_def **defs = NULL, **again = NULL;
        size_t n = 0, m = 0;

        if (storvirt__conn_parse_all(json, len, false, &defs, &n) < 0)
                die("parses once but not twice", NULL);
        for (size_t i = 0; i < n; i++) {
                char *params = NULL, *call = NULL, *params_again = NULL;

                /* VDSM has no storage domain for rbd connections: our form only */
                if (defs[i]->type < 0 || (size_t)defs[i]->type >= sizeof(domain) / sizeof(domain[0]))
                        continue;
                params = vdsm_params(defs[i]);
                if (!params)
                        die("no VDSM parameters", NULL);
                if (asprintf(&call, "{\"domainType\": \"%s\", \"connectionParams\": [%s]}",
                             domain[defs[i]->type], params) < 0)
                        abort();
                if (storvirt__conn_parse_all(call, strlen(call), false, &again, &m) < 0)
                        die("VDSM's parameters do not read back", call);
                params_again = vdsm_params(again[0]);
                if (m != 1 || !params_again || strcmp(params, params_again) != 0)
                        die("VDSM's parameters change when read back", call);
                storvirt__conn_defs_free(again, m);
                free(params_again);
                free(params);
                free(call);
        }
        storvirt__conn_defs_free(defs, n);
}

/* Whether the canonical form text has a key naming a secret (a value may be any word). */
static bool carries_secret(const char *text) {
        static const char *const keys[] = { "password", "mutual_password", "key" };
        yajl_val v = NULL;
        bool found = false;

        if (storvirt__json_parse(text, strlen(text), 65536, &v, "canonical form") < 0)
                die("the canonical form is not JSON", text);
        for (size_t i = 0; YAJL_IS_OBJECT(v) && i < v->u.object.len; i++)
                for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
                        found |= strcmp(v->u.object.keys[i], keys[k]) == 0;
        yajl_tree_free(v);
        return found;
}

/* The input as storvirt_iscsi_discover()'s parameters. */
static void discovery(const char *json, size_t len) {
        struct storvirt__conn_discovery q;
        yajl_val v = NULL;
        int r;

        if (storvirt__json_parse(json, len, 65536, &v, "discovery") < 0)
                return;
        r = storvirt__conn_parse_discovery(v, &q);
        if (r < 0 && (r != -EINVAL || !storvirt__error_msg()))
                die("discovery: unexpected error", NULL);
        if (r >= 0 && !q.stored_id && (!q.def || !q.def->host || !q.def->port))
                die("discovery: no portal", NULL);
        if (r >= 0 && q.def && q.def->password && strstr(storvirt__error_msg() ? storvirt__error_msg() : "",
                                                         q.def->password))
                die("discovery: a message carries the password", NULL);
        if (r >= 0)
                storvirt__conn_def_free(q.def);
        yajl_tree_free(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char **texts = NULL;
        int r;

        discovery((const char *)data, size);

        r = storvirt__connections_parse((const char *)data, size, false, &texts);
        if (r < 0) {
                if (r != -EINVAL && r != -EOPNOTSUPP && r != -EFBIG && r != -ENOMEM)
                        die("unexpected error", NULL);
                if (!storvirt__error_msg())
                        die("error without a message", NULL);
                return 0;
        }
        for (char **t = texts; t && *t; t++) {
                char **again = NULL;

                if (carries_secret(*t))
                        die("a canonical form carries a secret", *t);
                r = storvirt__connections_parse(*t, strlen(*t), true, &again);
                if (r < 0)
                        die("the canonical form does not parse", *t);
                if (storvirt__strv_length(again) != 1 || strcmp(again[0], *t) != 0)
                        die("the canonical form changes when read back", *t);
                storvirt__strv_free(again);
        }
        storvirt__strv_free(texts);
        vdsm_round_trip((const char *)data, size);
        return 0;
}
