/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* header-c99.c - the public header compiles as strict ISO C99 and links. */
#include <storvirt.h>
#include <stdio.h>

int main(void) {
        storvirt_ctx *ctx = NULL;
        int r = storvirt_ctx_new(&ctx, 0);

        if (r < 0)
                return 1;
        ctx = storvirt_ctx_unref(ctx);
        printf("%s %s\n", storvirt_version(), storvirt_version_abi());
        return ctx == NULL ? 0 : 1;
}
