/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * driver.c - runs a fuzz target without libFuzzer: every file of the
 * corpus directories given as arguments, then a fixed number of
 * deterministic mutations of each (bit flips, truncations, insertions,
 * duplications).  The mutations of a file follow from its bytes alone, so
 * a failure comes back with that one file, whatever else the directory
 * holds; files run in name order.  Used by `meson test` so every build
 * exercises the targets; the real fuzzing uses clang's -fsanitize=fuzzer
 * on the same LLVMFuzzerTestOneInput.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MUTATIONS 400

static uint64_t rng;

/* The mutation sequence of one input: FNV-1a of its bytes (never 0, which xorshift keeps). */
static void seed(const uint8_t *data, size_t size) {
        rng = 0xcbf29ce484222325ull;
        for (size_t i = 0; i < size; i++)
                rng = (rng ^ data[i]) * 0x100000001b3ull;
        if (rng == 0)
                rng = 0x9e3779b97f4a7c15ull;
}

static uint64_t next(void) {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        return rng;
}

static void mutate_and_run(const uint8_t *data, size_t size) {
        uint8_t *buf = malloc(size * 2 + 16);

        if (!buf)
                return;
        for (int m = 0; m < MUTATIONS; m++) {
                size_t n = size, pos;

                memcpy(buf, data, size);
                switch (next() % 4) {
                case 0: /* flip a few bits */
                        for (int k = 0; n && k < 1 + (int)(next() % 4); k++)
                                buf[next() % n] ^= (uint8_t)(1u << (next() % 8));
                        break;
                case 1: /* truncate */
                        n = n ? next() % n : 0;
                        break;
                case 2: /* insert an interesting byte */
                        pos = n ? next() % (n + 1) : 0;
                        memmove(buf + pos + 1, buf + pos, n - pos);
                        buf[pos] = "\0\xff<>&\"'{}[]:,0-9 \n"[next() % 19];
                        n++;
                        break;
                default: /* duplicate a chunk */
                        if (n) {
                                size_t start = next() % n, len = next() % (n - start) + 1;
                                if (len > 16)
                                        len = 16;
                                memcpy(buf + n, buf + start, len);
                                n += len;
                        }
                        break;
                }
                LLVMFuzzerTestOneInput(buf, n);
        }
        free(buf);
}

static int run_file(const char *path) {
        FILE *f = fopen(path, "rb");
        uint8_t *data;
        long size;

        if (!f)
                return -1;
        fseek(f, 0, SEEK_END);
        size = ftell(f);
        fseek(f, 0, SEEK_SET);
        data = malloc(size > 0 ? (size_t)size : 1);
        if (!data || fread(data, 1, (size_t)size, f) != (size_t)size) {
                free(data);
                fclose(f);
                return -1;
        }
        fclose(f);
        LLVMFuzzerTestOneInput(data, (size_t)size);
        seed(data, (size_t)size);
        mutate_and_run(data, (size_t)size);
        free(data);
        return 0;
}

int main(int argc, char **argv) {
        int files = 0;

        for (int i = 1; i < argc; i++) {
                struct stat st;
                struct dirent **des = NULL;
                int n;

                if (stat(argv[i], &st) < 0)
                        continue;
                if (!S_ISDIR(st.st_mode)) {
                        files += run_file(argv[i]) == 0;
                        continue;
                }
                n = scandir(argv[i], &des, NULL, alphasort);
                for (int k = 0; k < n; k++) {
                        char path[4096];

                        if (des[k]->d_name[0] != '.') {
                                snprintf(path, sizeof(path), "%s/%s", argv[i], des[k]->d_name);
                                files += run_file(path) == 0;
                        }
                        free(des[k]);
                }
                free(des);
        }
        if (files == 0) {
                fprintf(stderr, "no corpus files found\n");
                return 1;
        }
        printf("%d passed, 0 failed\n", files);
        return 0;
}
