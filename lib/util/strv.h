/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * strv.h - NULL-terminated string vectors (char **) whose strings and
 * array are heap-allocated, plus a builder for O(1) amortised appends.
 *
 * A NULL vector is accepted everywhere and behaves as an empty one.
 * Strings are compared bytewise (strcmp), so sorting is locale-free.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* A literal vector for read-only use: STORVIRT__STRV_MAKE("a", "b"). */
#define STORVIRT__STRV_MAKE(...) ((char **)((const char *[]){ __VA_ARGS__, NULL }))

/* Frees every string and the array.  NULL is accepted. */
void storvirt__strv_free(char **l);
static inline void storvirt__strv_freep(char ***l) {
        storvirt__strv_free(*l);
}
#define _cleanup_strv_free_ __attribute__((cleanup(storvirt__strv_freep)))

/* Number of strings before the terminating NULL; 0 for NULL. */
size_t storvirt__strv_length(char *const *l);

/*
 * Appends value to *l (which may be NULL), taking ownership of the
 * malloc'd string on success.  On failure (-ENOMEM, or -EINVAL when
 * value is NULL) neither *l nor value is changed and the caller still
 * owns value.  O(length) per call: use the builder for long vectors.
 */
int storvirt__strv_push(char ***l, char *value);

/* Appends a copy of value to *l.  -ENOMEM / -EINVAL; *l unchanged then. */
int storvirt__strv_extend(char ***l, const char *value);

bool storvirt__strv_contains(char *const *l, const char *value);

/* Sorts in place with strcmp(); returns l. */
char **storvirt__strv_sort(char **l);

/* Deep copy; a NULL l gives an empty (non-NULL) vector.  -ENOMEM. */
int storvirt__strv_copy(char *const *l, char ***ret);

/*
 * Joins the strings with sep (NULL means "") into a new caller-owned
 * string; an empty vector gives "".  -ENOMEM.
 */
int storvirt__strv_join(char *const *l, const char *sep, char **ret);

/*
 * A vector under construction with its length and capacity tracked, so
 * appends are O(1) amortised.  A zero-initialised builder is empty and
 * valid.  v is NULL while empty and otherwise always NULL-terminated
 * (v[n] == NULL), so it can be read as a strv at any time.
 * Finish with storvirt__strv_builder_finish() to take the vector, or
 * storvirt__strv_builder_done() to drop it.
 */
struct storvirt__strv_builder {
        char **v;
        size_t n;    /* strings in v */
        size_t cap;  /* slots allocated in v, terminator included */
};

/* Like storvirt__strv_push(): takes value on success only. */
int storvirt__strv_builder_push(struct storvirt__strv_builder *b, char *value);
/* Appends a copy of value. */
int storvirt__strv_builder_add(struct storvirt__strv_builder *b, const char *value);
/*
 * Hands over the vector (an empty one is allocated if nothing was
 * added) and leaves the builder empty.  -ENOMEM; the builder is then
 * unchanged.
 */
int storvirt__strv_builder_finish(struct storvirt__strv_builder *b, char ***ret);
/* Frees everything held and leaves the builder empty. */
void storvirt__strv_builder_done(struct storvirt__strv_builder *b);
