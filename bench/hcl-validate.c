/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hcl-validate.c - checking OpenHCL storage settings must cost the same per
 * controller and per LUN whatever the size of the document.
 *
 *   bench/hcl-validate [--runs R] [--max-seconds S] [N...]
 *                                   (defaults: R 3, S 120, N 2500 5000 10000 20000)
 *
 * For each N it writes, in memory, two settings documents:
 *   - "controllers": N SCSI controllers, each with its own instance ID and
 *     one LUN backed by a single VSCSI device (about 290 bytes a controller:
 *     20,000 make a 5.7 MB document, inside the 16 MiB input limit).  All but
 *     four break the four-SCSI-controllers rule, so the problem list has
 *     N - 4 entries;
 *   - "luns": one NVMe controller with N namespaces, each backed by a single
 *     NVMe device (every location distinct: no problem),
 * then times storvirt_hcl_parse() and storvirt_hcl_validate() with the
 * problem list, best of R runs each, and checks the problem count outside
 * the timing.  Prints per N and shape the document size, both times, the
 * cost per controller or LUN, the total against the previous size's ("ratio":
 * for a doubling of N, 2.0x is linear and 4.0x quadratic) and the cost per
 * item against the previous size's (1.00x linear).  A size whose previous
 * size took more than S seconds is skipped.  Figures, never assertions.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <storvirt.h>

#define MAX_SIZES 16

static double now(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what) {
        fprintf(stderr, "hcl-validate: %s: %s\n", what, storvirt_error_message());
        exit(1);
}

/* A GUID made of a kind and a number: distinct for distinct (kind, n). */
static void guid(char buf[37], unsigned kind, unsigned long n) {
        snprintf(buf, 37, "%08x-0000-4000-8000-%012lx", kind, n & 0xffffffffffffUL);
}

static void append(char **p, size_t *len, size_t *cap, const char *s) {
        size_t n = strlen(s);

        if (*len + n + 1 > *cap) {
                *cap = (*len + n + 1) * 2;
                if (!(*p = realloc(*p, *cap))) {
                        perror("realloc");
                        exit(1);
                }
        }
        memcpy(*p + *len, s, n + 1);
        *len += n;
}

static void lun_json(char *buf, size_t size, unsigned long loc, const char *dev_type,
                     const char *dev_path) {
        snprintf(buf, size,
                 "{\"location\":%lu,\"vendor_id\":\"MSFT\",\"product_id\":\"Virtual Disk\","
                 "\"physical_devices\":{\"type\":\"SINGLE\",\"device\":{\"device_type\":\"%s\","
                 "\"device_path\":\"%s\",\"sub_device_path\":0}}}",
                 loc, dev_type, dev_path);
}

/* N SCSI controllers of one LUN each. */
static char *doc_controllers(long n, size_t *ret_len) {
        char *p = NULL, id[37], dev[37], lun[512], ctrl[768];
        size_t len = 0, cap = 0;

        append(&p, &len, &cap, "{\"version\":\"V1\",\"dynamic\":{\"storage_controllers\":[");
        for (long i = 0; i < n; i++) {
                guid(id, 0x1000, (unsigned long)i);
                guid(dev, 0x3000, (unsigned long)i);
                lun_json(lun, sizeof(lun), 0, "VSCSI", dev);
                snprintf(ctrl, sizeof(ctrl), "%s{\"instance_id\":\"%s\",\"protocol\":\"SCSI\","
                                             "\"luns\":[%s]}", i ? "," : "", id, lun);
                append(&p, &len, &cap, ctrl);
        }
        append(&p, &len, &cap, "]}}");
        *ret_len = len;
        return p;
}

/* One NVMe controller of N namespaces. */
static char *doc_luns(long n, size_t *ret_len) {
        char *p = NULL, id[37], dev[37], lun[512];
        size_t len = 0, cap = 0;

        guid(id, 0x1000, 0);
        append(&p, &len, &cap, "{\"version\":\"V1\",\"dynamic\":{\"storage_controllers\":[");
        snprintf(lun, sizeof(lun), "{\"instance_id\":\"%s\",\"protocol\":\"NVME\",\"luns\":[", id);
        append(&p, &len, &cap, lun);
        for (long i = 0; i < n; i++) {
                guid(dev, 0x3000, (unsigned long)i);
                if (i)
                        append(&p, &len, &cap, ",");
                lun_json(lun, sizeof(lun), (unsigned long)i + 1, "NVME", dev);
                append(&p, &len, &cap, lun);
        }
        append(&p, &len, &cap, "]}]}}");
        *ret_len = len;
        return p;
}

struct result {
        long n;
        size_t bytes;
        double parse, validate;         /* best of the runs, s */
        bool done;
};

static void run(const char *shape, long n, int runs, long want_problems, struct result *res) {
        size_t len;
        char *json = strcmp(shape, "controllers") == 0 ? doc_controllers(n, &len) : doc_luns(n, &len);

        *res = (struct result){ .n = n, .bytes = len, .parse = 1e30, .validate = 1e30, .done = true };
        for (int k = 0; k < runs; k++) {
                storvirt_hcl *doc = NULL;
                char *problems = NULL;
                double t0 = now(), t1, t2;
                int r;

                if (storvirt_hcl_parse(json, &doc, 0) < 0)
                        die("parse");
                t1 = now();
                r = storvirt_hcl_validate(doc, &problems, 0);
                t2 = now();
                if (r < 0)
                        die("validate");
                if (r != want_problems) {
                        fprintf(stderr, "hcl-validate: %s %ld: %d problems, expected %ld\n", shape, n,
                                r, want_problems);
                        exit(1);
                }
                if (t1 - t0 < res->parse)
                        res->parse = t1 - t0;
                if (t2 - t1 < res->validate)
                        res->validate = t2 - t1;
                storvirt_free(problems);
                storvirt_hcl_free(doc);
        }
        free(json);
}

static void shape_table(const char *shape, const char *unit, const long *sizes, int n_sizes,
                        int runs, double max_seconds) {
        struct result res[MAX_SIZES] = {};

        printf("\n%s: best of %d runs\n", shape, runs);
        printf("%8s %10s %12s %12s %12s %14s %8s %9s\n", "N", "bytes", "parse", "validate", "total",
               unit, "ratio", "per item");
        for (int i = 0; i < n_sizes; i++) {
                const struct result *prev = i ? &res[i - 1] : NULL;
                double total, ratio = 0;
                long want = strcmp(shape, "controllers") == 0 ? (sizes[i] > 4 ? sizes[i] - 4 : 0) : 0;

                if (prev && (!prev->done || prev->parse + prev->validate > max_seconds)) {
                        printf("%8ld   skipped (the previous size took more than %.0f s)\n", sizes[i],
                               max_seconds);
                        continue;
                }
                run(shape, sizes[i], runs, want, &res[i]);
                total = res[i].parse + res[i].validate;
                if (prev && prev->done)
                        ratio = total / (prev->parse + prev->validate);
                printf("%8ld %10zu %10.1f ms %10.1f ms %10.1f ms %11.2f us", sizes[i], res[i].bytes,
                       res[i].parse * 1e3, res[i].validate * 1e3, total * 1e3,
                       total / (double)sizes[i] * 1e6);
                if (ratio > 0)
                        printf(" %7.2fx %8.2fx", ratio,
                               ratio * (double)prev->n / (double)res[i].n);
                printf("\n");
                fflush(stdout);
        }
}

int main(int argc, char **argv) {
        long sizes[MAX_SIZES] = { 2500, 5000, 10000, 20000 };
        int n_sizes = 4, runs = 3, i = 1;
        double max_seconds = 120;

        for (; i < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
                if (i + 1 >= argc)
                        goto usage;
                if (strcmp(argv[i], "--runs") == 0)
                        runs = atoi(argv[i + 1]);
                else if (strcmp(argv[i], "--max-seconds") == 0)
                        max_seconds = atof(argv[i + 1]);
                else
                        goto usage;
        }
        if (i < argc) {
                n_sizes = 0;
                for (; i < argc && n_sizes < MAX_SIZES; i++)
                        if ((sizes[n_sizes++] = atol(argv[i])) <= 0)
                                goto usage;
        }
        if (runs <= 0 || max_seconds <= 0)
                goto usage;
        printf("storvirt_hcl_parse() + storvirt_hcl_validate() with the problem list;\n"
               "ratio: total against the previous size (for a doubling, 2.00x linear, 4.00x\n"
               "quadratic); per item: cost per item against the previous size (1.00x linear)\n");
        shape_table("controllers", "per ctrl", sizes, n_sizes, runs, max_seconds);
        shape_table("luns", "per LUN", sizes, n_sizes, runs, max_seconds);
        return 0;
usage:
        fprintf(stderr, "usage: hcl-validate [--runs R] [--max-seconds S] [N...]\n");
        return 2;
}
