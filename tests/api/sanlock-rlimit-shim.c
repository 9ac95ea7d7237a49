/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sanlock-rlimit-shim.c - preloaded into the sanlock daemons the lease
 * tests start: sanlock raises its MEMLOCK, RTPRIO and CORE limits to
 * infinity at start and exits when that is refused (EPERM in a container
 * without CAP_SYS_RESOURCE).  A refused setrlimit() is retried with the
 * limits clamped to the current hard limit.  Tests only.
 */
/* the symbol is setrlimit itself, not the setrlimit64 the header maps it to */
#undef _FILE_OFFSET_BITS
#include <dlfcn.h>
#include <errno.h>
#include <sys/resource.h>

int setrlimit(__rlimit_resource_t res, const struct rlimit *lim) {
        int (*real)(__rlimit_resource_t, const struct rlimit *) =
                (int (*)(__rlimit_resource_t, const struct rlimit *))dlsym(RTLD_NEXT, "setrlimit");
        struct rlimit hard, want;
        int r = real(res, lim);

        if (r == 0 || errno != EPERM || getrlimit(res, &hard) != 0)
                return r;
        want = *lim;
        if (want.rlim_max > hard.rlim_max)
                want.rlim_max = hard.rlim_max;
        if (want.rlim_cur > want.rlim_max)
                want.rlim_cur = want.rlim_max;
        return real(res, &want);
}
