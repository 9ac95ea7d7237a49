/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * dlopen.c - the shared library loads with RTLD_NOW (no undefined
 * symbols), exports storvirt_version under the versioned node, and does
 * not export an internal storvirt__ symbol.  libiscsi (whose soname meson
 * read: STORVIRT_ISCSI_SONAME) is not loaded with it, only when a session
 * opens.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
        const char *(*version)(void);
        void *h;

        if (argc != 2) {
                fprintf(stderr, "usage: dlopen LIBPATH\n");
                return 2;
        }
        h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
        if (!h) {
                fprintf(stderr, "dlopen: %s\n", dlerror());
                return 1;
        }
        *(void **)&version = dlvsym(h, "storvirt_version", "STORVIRT_0.1");
        if (!version || strcmp(version(), STORVIRT_EXPECTED_VERSION) != 0) {
                fprintf(stderr, "storvirt_version@STORVIRT_0.1 missing or wrong\n");
                return 1;
        }
        if (dlsym(h, "storvirt__error_set") || dlsym(h, "storvirt__hashmap_new")) {
                fprintf(stderr, "internal symbols are exported\n");
                return 1;
        }
#ifdef STORVIRT_ISCSI_SONAME
        if (dlopen(STORVIRT_ISCSI_SONAME, RTLD_NOW | RTLD_NOLOAD)) {
                fprintf(stderr, "%s is loaded with the library\n", STORVIRT_ISCSI_SONAME);
                return 1;
        }
#endif
        dlclose(h);
        printf("1 passed, 0 failed\n");
        return 0;
}
