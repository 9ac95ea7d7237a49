/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * strv.c - NULL-terminated string vectors and the length-tracking
 * builder used where many strings are appended.
 */
#include <string.h>

#include "util/macro.h"
#include "util/strv.h"

void storvirt__strv_free(char **l) {
        if (!l)
                return;
        for (char **s = l; *s; s++)
                free(*s);
        free(l);
}

size_t storvirt__strv_length(char *const *l) {
        size_t n = 0;

        if (!l)
                return 0;
        while (l[n])
                n++;
        return n;
}

int storvirt__strv_push(char ***l, char *value) {
        size_t n;
        char **v;

        if (!l || !value)
                return storvirt__error_set(-EINVAL,
                        "strv_push: invalid argument '%s': must not be NULL",
                        !l ? "l" : "value");
        n = storvirt__strv_length(*l);
        if (n > SIZE_MAX / sizeof(char *) - 2)
                return storvirt__error_oom();
        v = realloc(*l, (n + 2) * sizeof(char *));
        if (!v)
                return storvirt__error_oom();
        v[n] = value;
        v[n + 1] = NULL;
        *l = v;
        return 0;
}

int storvirt__strv_extend(char ***l, const char *value) {
        char *copy;
        int r;

        if (!value)
                return storvirt__error_set(-EINVAL,
                        "strv_extend: invalid argument 'value': must not be NULL");
        copy = strdup(value);
        if (!copy)
                return storvirt__error_oom();
        r = storvirt__strv_push(l, copy);
        if (r < 0)
                free(copy);
        return r;
}

bool storvirt__strv_contains(char *const *l, const char *value) {
        if (!l || !value)
                return false;
        for (; *l; l++)
                if (strcmp(*l, value) == 0)
                        return true;
        return false;
}

static int strv_cmp(const void *a, const void *b) {
        return strcmp(*(char *const *)a, *(char *const *)b);
}

char **storvirt__strv_sort(char **l) {
        size_t n = storvirt__strv_length(l);

        if (n > 1)
                qsort(l, n, sizeof(char *), strv_cmp);
        return l;
}

int storvirt__strv_copy(char *const *l, char ***ret) {
        struct storvirt__strv_builder b = {};
        int r;

        for (size_t i = 0; l && l[i]; i++) {
                r = storvirt__strv_builder_add(&b, l[i]);
                if (r < 0)
                        goto fail;
        }
        r = storvirt__strv_builder_finish(&b, ret);
        if (r >= 0)
                return 0;
fail:
        storvirt__strv_builder_done(&b);
        return r;
}

int storvirt__strv_join(char *const *l, const char *sep, char **ret) {
        size_t seplen = sep ? strlen(sep) : 0, total = 1, n = 0;
        char *s, *p;

        for (; l && l[n]; n++) {
                size_t len = strlen(l[n]) + (n > 0 ? seplen : 0);

                if (len > SIZE_MAX - total)
                        return storvirt__error_oom();
                total += len;
        }
        s = malloc(total);
        if (!s)
                return storvirt__error_oom();
        p = s;
        for (size_t i = 0; i < n; i++) {
                if (i > 0 && seplen > 0)
                        p = mempcpy(p, sep, seplen);
                p = stpcpy(p, l[i]);
        }
        *p = '\0';
        *ret = s;
        return 0;
}

static int builder_grow(struct storvirt__strv_builder *b) {
        size_t cap;
        char **v;

        if (b->n + 2 <= b->cap)
                return 0;
        cap = b->cap < 8 ? 8 : b->cap;
        while (cap < b->n + 2) {
                if (cap > SIZE_MAX / sizeof(char *) / 2)
                        return storvirt__error_oom();
                cap *= 2;
        }
        v = realloc(b->v, cap * sizeof(char *));
        if (!v)
                return storvirt__error_oom();
        b->v = v;
        b->cap = cap;
        return 0;
}

int storvirt__strv_builder_push(struct storvirt__strv_builder *b, char *value) {
        int r;

        if (!value)
                return storvirt__error_set(-EINVAL,
                        "strv_builder_push: invalid argument 'value': must not be NULL");
        r = builder_grow(b);
        if (r < 0)
                return r;
        b->v[b->n++] = value;
        b->v[b->n] = NULL;
        return 0;
}

int storvirt__strv_builder_add(struct storvirt__strv_builder *b, const char *value) {
        char *copy;
        int r;

        if (!value)
                return storvirt__error_set(-EINVAL,
                        "strv_builder_add: invalid argument 'value': must not be NULL");
        copy = strdup(value);
        if (!copy)
                return storvirt__error_oom();
        r = storvirt__strv_builder_push(b, copy);
        if (r < 0)
                free(copy);
        return r;
}

int storvirt__strv_builder_finish(struct storvirt__strv_builder *b, char ***ret) {
        if (!b->v) {
                b->v = calloc(1, sizeof(char *));
                if (!b->v)
                        return storvirt__error_oom();
        }
        *ret = b->v;
        *b = (struct storvirt__strv_builder) {};
        return 0;
}

void storvirt__strv_builder_done(struct storvirt__strv_builder *b) {
        storvirt__strv_free(b->v);
        *b = (struct storvirt__strv_builder) {};
}
