// SPDX-License-Identifier: LGPL-2.1-or-later
// header-cxx.cc - the public header compiles as C++ and links (extern "C").
#include <storvirt.h>
#include <cstdio>

int main() {
        storvirt_ctx *ctx = nullptr;
        if (storvirt_ctx_new(&ctx, 0) < 0)
                return 1;
        uint64_t n = 0;
        if (storvirt_units_parse("1", "KiB", 0, &n, 0) < 0 || n != 1024)
                return 1;
        ctx = storvirt_ctx_unref(ctx);
        std::printf("%s\n", storvirt_version());
        return ctx == nullptr ? 0 : 1;
}
