/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * disk_drive.c - one drive: its JSON object parsed key by key through
 * the key table (disk_keys.c), every problem collected when asked, and
 * one key set as the C API's setters do (storvirt__disk_spec_set_json).
 *
 * Unknown keys and a key given twice (also under its two spellings) are
 * errors.  A JSON null is the same as an absent key.  A path next to
 * GUID, UUID, the PDIV quartet, pool+volume or vdisk is the path an
 * earlier resolution found (VDSM's device dicts carry both): it must be
 * absolute and is otherwise ignored, the identity wins.
 */
#include <stdio.h>
#include <string.h>

#include "conf/disk.h"
#include "conf/disk_json.h"
#include "conf/disk_parse.h"
#include "util/error.h"
#include "util/json.h"
#include "util/macro.h"
#include "util/strv.h"

/* One drive's JSON text. */
#define DRIVE_JSON_MAX (1u << 20)

/* Note a failed step r (< 0, message set); returns r. */
int storvirt__disk_collect_error(struct storvirt__disk_collect *c, int r) {
        if (r == -ENOMEM) {
                c->oom = true;
                return r;
        }
        if (!c->first) {
                c->first = r;
                c->first_msg = strdup(storvirt__error_msg());
                if (!c->first_msg)
                        c->oom = true;
        }
        if (c->problems && storvirt__strv_builder_add(c->problems, storvirt__error_msg()) < 0)
                c->oom = true;
        return r;
}

/* The spec's name for messages: what, and its alias when it has one. */
static int spec_set_name(storvirt__disk_spec *s, const char *what) {
        char *n;

        if (s->alias) {
                if (asprintf(&n, "%s (alias %s)", what, s->alias) < 0)
                        return storvirt__error_oom();
        } else if (!(n = strdup(what)))
                return storvirt__error_oom();
        free(s->name);
        s->name = n;
        return 0;
}

/* The name without an " (alias ...)" part. */
static char *spec_base_name(const storvirt__disk_spec *s) {
        const char *n = s->name ? s->name : "disk";
        const char *a = strstr(n, " (alias ");

        return a ? strndup(n, (size_t) (a - n)) : strdup(n);
}

/* One drive's object as it is parsed. */
struct drive {
        yajl_val obj;
        const char *what;                       /* the drive's name, alias included */
        storvirt__disk_spec *s;
        struct storvirt__disk_collect *c;
        yajl_val vals[K_N];                     /* by key: its value, NULL for null */
        const char *spelled[K_N];               /* by key: its spelling as given */
        bool present[K_N];                      /* by key: given, not null */
        int groups[G_N];                        /* by source: how many of its keys */
        int n_groups;                           /* how many sources */
        bool path_informational;                /* a path next to an identity */
        bool sources_ok;                        /* at most one source */
        bool network;                           /* a network drive: path is its name */
};

/* Each key of the object into d, once and under one spelling; -ENOMEM, else 0. */
static int take_keys(struct drive *d) {
        yajl_val obj = d->obj;

        for (size_t i = 0; i < obj->u.object.len; i++) {
                const char *k = obj->u.object.keys[i];
                yajl_val v = obj->u.object.values[i];
                int id = storvirt__disk_key_lookup(k), e = 0;

                if (id < 0)
                        e = storvirt__error_set(-EINVAL, "%s: unknown key '%s'", d->what, ESC(k));
                else if (d->spelled[id] && strcmp(d->spelled[id], k) == 0)
                        e = storvirt__error_set(-EINVAL, "%s: key '%s' given twice", d->what,
                                                ESC(k));
                else if (d->spelled[id])
                        e = storvirt__error_set(-EINVAL,
                                                "%s: keys '%s' and '%s' both given (two "
                                                "spellings of one key)",
                                                d->what, d->spelled[id], k);
                else {
                        d->spelled[id] = k;
                        d->present[id] = !YAJL_IS_NULL(v);
                        d->vals[id] = d->present[id] ? v : NULL;
                }
                if (e < 0 && storvirt__disk_collect_error(d->c, e) == -ENOMEM)
                        return e;
                if (d->c->oom)
                        return -ENOMEM;
        }
        return 0;
}

/* Which sources are there (a non-empty path counts, "" is an empty drive): one at most. */
static int check_sources(struct drive *d) {
        yajl_val obj = d->obj;
        char list[512];
        size_t o = 0;

        for (key_id id = 0; id < K_N; id++) {
                enum source_group g = storvirt__disk_keys[id].group;

                if (g == G_NONE || !d->present[id])
                        continue;
                if (id == K_PATH && YAJL_IS_STRING(d->vals[id]) && !d->vals[id]->u.string[0])
                        continue;
                if (!d->groups[g]++)
                        d->n_groups++;
        }
        /* a network drive's path is the name of its image */
        if (d->groups[G_NETWORK]) {
                d->network = true;
                if (d->groups[G_PATH]) {
                        d->groups[G_PATH] = 0;
                        d->n_groups--;
                }
        }
        if (d->groups[G_PATH] && d->n_groups == 2 && !d->groups[G_ISCSI]) {
                d->path_informational = true;
                return 0;
        }
        if (d->n_groups <= 1)
                return 0;
        list[0] = '\0';
        for (size_t i = 0; i < obj->u.object.len && o < sizeof(list); i++) {
                int id = storvirt__disk_key_lookup(obj->u.object.keys[i]);

                if (id >= 0 && storvirt__disk_keys[id].group != G_NONE && d->present[id] &&
                    d->spelled[id] == obj->u.object.keys[i])
                        o += (size_t) snprintf(list + o, sizeof(list) - o, "%s'%s'",
                                               o ? ", " : "", obj->u.object.keys[i]);
        }
        storvirt__disk_collect_error(d->c, storvirt__error_set(-EINVAL,
                                                               "%s: more than one source: keys "
                                                               "%s; a drive has one of %s",
                                                               d->what, list,
                                                               storvirt__disk_sources_list));
        d->sources_ok = false;
        return d->c->oom ? -ENOMEM : 0;
}

/* A network drive: protocol, hosts, auth and path together; diskType network if given. */
static int set_network(struct drive *d) {
        static const key_id keys[] = { K_PROTOCOL, K_HOSTS, K_AUTH, K_PATH };
        yajl_val v[ELEMENTSOF(keys)];
        const char *spelled[ELEMENTSOF(keys)];
        yajl_val t = d->vals[K_DISK_TYPE];

        if (t && YAJL_IS_STRING(t) && strcmp(t->u.string, "network") != 0)
                return storvirt__error_set(-EINVAL,
                                           "%s: key 'diskType': '%s' with key 'protocol' (a "
                                           "network drive is diskType network)",
                                           d->what, ESC(t->u.string));
        if (!d->present[K_PROTOCOL])
                return storvirt__error_set(-EINVAL,
                                           "%s: key '%s' without key 'protocol' (a network "
                                           "drive is named by protocol, hosts and path)",
                                           d->what, d->present[K_HOSTS] ? "hosts" : "auth");
        for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
                v[i] = d->vals[keys[i]];
                spelled[i] = d->spelled[keys[i]] ? d->spelled[keys[i]]
                                                 : storvirt__disk_keys[keys[i]].name;
        }
        return storvirt__disk_set_network(d->s, d->what, v, spelled);
}

/* Every key given, in the table's order (the alias is set before). */
static int set_keys(struct drive *d) {
        bool network_done = false;
        int r;

        for (key_id id = 0; id < K_N; id++) {
                yajl_val v = d->vals[id];
                const char *p;

                if (!d->present[id] || id == K_ALIAS)
                        continue;
                if (storvirt__disk_keys[id].group != G_NONE && !d->sources_ok)
                        continue;
                if (d->network && (id == K_PATH || storvirt__disk_keys[id].group == G_NETWORK)) {
                        if (network_done)
                                continue;
                        network_done = true;
                        r = set_network(d);
                        if (r < 0 && storvirt__disk_collect_error(d->c, r) == -ENOMEM)
                                return r;
                        continue;
                }
                /* a path next to an identity, or "" next to any source, is only checked */
                if (id == K_PATH && (d->path_informational ||
                                     (YAJL_IS_STRING(v) && !v->u.string[0] && d->n_groups > 0)))
                        r = storvirt__disk_check_path(d->what, d->spelled[id], v, &p);
                else
                        r = storvirt__disk_key_set(d->s, id, d->what, d->spelled[id], v);
                if (r < 0 && storvirt__disk_collect_error(d->c, r) == -ENOMEM)
                        return r;
        }
        return 0;
}

/* The source keys that go together: the PDIV quartet, pool and volume. */
static void check_source_keys(struct drive *d) {
        static const key_id quartet[] = { K_POOL_ID, K_DOMAIN_ID, K_IMAGE_ID, K_VOLUME_ID };
        char list[128];
        size_t o = 0;

        if (!d->sources_ok)
                return;
        if (d->groups[G_PDIV]) {
                list[0] = '\0';
                for (size_t i = 0; i < ELEMENTSOF(quartet); i++)
                        if (!d->present[quartet[i]])
                                o += (size_t) snprintf(list + o, sizeof(list) - o, "%s%s (%s)",
                                                       o ? ", " : "",
                                                       storvirt__disk_keys[quartet[i]].name,
                                                       storvirt__disk_keys[quartet[i]].alias);
                if (o)
                        storvirt__disk_collect_error(
                                d->c, storvirt__error_set(-EINVAL,
                                                          "%s: the volume source lacks "
                                                          "%s (poolID, domainID, imageID and "
                                                          "volumeID go together)",
                                                          d->what, list));
        }
        if (d->groups[G_VOLUME] && (!d->present[K_POOL] || !d->present[K_VOLUME]))
                storvirt__disk_collect_error(
                        d->c, storvirt__error_set(-EINVAL,
                                                  "%s: key '%s' without key '%s' (a "
                                                  "storvirt volume is named by pool and volume)",
                                                  d->what, d->present[K_POOL] ? "pool" : "volume",
                                                  d->present[K_POOL] ? "volume" : "pool"));
}

/* Two keys that say one thing: specParams.ioTune and iotune, diskType and volumeAsVolume. */
static void check_same_thing(struct drive *d) {
        yajl_val dtype = d->vals[K_DISK_TYPE];
        bool vav = false;

        if (d->present[K_SPEC_PARAMS] && d->present[K_IOTUNE] &&
            YAJL_IS_OBJECT(d->vals[K_SPEC_PARAMS]) &&
            storvirt__disk_member_value(d->vals[K_SPEC_PARAMS], "ioTune"))
                storvirt__disk_collect_error(
                        d->c, storvirt__error_set(-EINVAL,
                                                  "%s: keys 'specParams.ioTune' and "
                                                  "'iotune' both given (two spellings of one "
                                                  "key)",
                                                  d->what));
        if (!d->present[K_VOLUME_AS_VOLUME] || !d->present[K_DISK_TYPE] ||
            !YAJL_IS_STRING(dtype))
                return;
        if (storvirt__disk_get_boolish(d->what, d->spelled[K_VOLUME_AS_VOLUME],
                                       d->vals[K_VOLUME_AS_VOLUME], &vav) == 0 &&
            (strcmp(dtype->u.string, "volume") == 0) != vav)
                storvirt__disk_collect_error(
                        d->c, storvirt__error_set(-EINVAL,
                                                  "%s: keys 'diskType' ('%s') "
                                                  "and '%s' (%s) disagree",
                                                  d->what, ESC(dtype->u.string),
                                                  d->spelled[K_VOLUME_AS_VOLUME],
                                                  vav ? "true" : "false"));
}

/* VDSM's volumeChain and volumeInfo agree with the drive's own volumeID. */
static void check_vdsm_volumes(struct drive *d) {
        if (!d->sources_ok || (!d->present[K_VOLUME_CHAIN] && !d->present[K_VOLUME_INFO]))
                return;
        if (storvirt__disk_check_vdsm_volumes(d->s, d->what,
                                              d->spelled[K_VOLUME_CHAIN] ?: "volumeChain",
                                              d->spelled[K_VOLUME_INFO] ?: "volumeInfo") < 0)
                storvirt__disk_collect_error(d->c, -EINVAL);
}

/* A new spec named what, with the alias in its name ("drive 2 (alias ua-x)"). */
static int new_named_spec(yajl_val obj, const char *what, struct storvirt__disk_collect *c,
                          storvirt__disk_spec **ret) {
        _cleanup_disk_spec_ storvirt__disk_spec *s = NULL;
        yajl_val alias;
        int r;

        r = storvirt__disk_spec_new(&s);
        if (r < 0) {
                storvirt__disk_collect_error(c, r);
                return r;
        }
        /* The alias first: every later message names it. */
        alias = storvirt__disk_member_value(obj, "alias");
        if (alias) {
                r = storvirt__disk_key_set(s, K_ALIAS, what, "alias", alias);
                if (r < 0 && storvirt__disk_collect_error(c, r) == -ENOMEM)
                        return r;
        }
        r = spec_set_name(s, what);
        if (r < 0) {
                storvirt__disk_collect_error(c, r);
                return r;
        }
        *ret = TAKE_PTR(s);
        return 0;
}

/*
 * Parse obj into a new spec.  With c->problems every error is collected
 * and parsing goes on; the first error is returned either way.
 */
int storvirt__disk_drive_parse(yajl_val obj, const char *what, storvirt__disk_spec **ret,
                               struct storvirt__disk_collect *c) {
        _cleanup_disk_spec_ storvirt__disk_spec *s = NULL;
        struct drive d = { .obj = obj, .c = c, .sources_ok = true };
        int r;

        if (!YAJL_IS_OBJECT(obj))
                return storvirt__disk_collect_error(
                        c, storvirt__error_set(-EINVAL, "%s: expected an object, got %s", what,
                                               DESCRIBE(obj)));
        r = new_named_spec(obj, what, c, &s);
        if (r < 0)
                return r;
        d.s = s;
        d.what = s->name;
        if ((r = take_keys(&d)) < 0 || (r = check_sources(&d)) < 0 || (r = set_keys(&d)) < 0)
                return r;
        check_source_keys(&d);
        check_same_thing(&d);
        check_vdsm_volumes(&d);
        if (c->oom)
                return -ENOMEM;
        if (c->first)
                return storvirt__error_set(c->first, "%s", c->first_msg);
        *ret = TAKE_PTR(s);
        return 0;
}

int storvirt__disk_spec_from_json(yajl_val obj, const char *what, storvirt__disk_spec **ret) {
        struct storvirt__disk_collect c = {};
        int r;

        check_nonnull(ret);
        r = storvirt__disk_drive_parse(obj, what ? what : "disk", ret, &c);
        free(c.first_msg);
        if (c.oom)
                return storvirt__error_oom();
        return r;
}

int storvirt__disk_spec_parse(const char *json, size_t len, storvirt__disk_spec **ret) {
        _cleanup_json_ yajl_val v = NULL;
        int r;

        check_arg(json || len == 0, "json", "must not be NULL when len > 0");
        check_nonnull(ret);
        r = storvirt__json_parse(json, len, DRIVE_JSON_MAX, &v, "disk");
        if (r < 0)
                return r;
        return storvirt__disk_spec_from_json(v, "disk", ret);
}

int storvirt__disk_spec_set_json(storvirt__disk_spec *spec, const char *key, const char *value) {
        _cleanup_json_ yajl_val v = NULL;
        _cleanup_free_ char *what_key = NULL, *base = NULL;
        const char *what;
        int id, r;

        check_nonnull(spec);
        check_nonnull(key);
        check_nonnull(value);
        what = spec->name ? spec->name : "disk";
        id = storvirt__disk_key_lookup(key);
        if (id < 0)
                return storvirt__error_set(-EINVAL, "%s: unknown key '%s'", what, ESC(key));
        if (asprintf(&what_key, "%s: key '%s'", what, key) < 0) {
                what_key = NULL;
                return storvirt__error_oom();
        }
        r = storvirt__json_parse(value, strlen(value), DRIVE_JSON_MAX, &v, what_key);
        if (r < 0)
                return r;
        r = storvirt__disk_key_set(spec, (key_id) id, what, key, YAJL_IS_NULL(v) ? NULL : v);
        if (r < 0 || id != K_ALIAS)
                return r;
        base = spec_base_name(spec);
        if (!base)
                return storvirt__error_oom();
        return spec_set_name(spec, base);
}
