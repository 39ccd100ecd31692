/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kselftest harness, with every test's time limit multiplied by
 * XTCP_TIME_SCALE (1 unless the build sets it: `make check-debug` builds
 * the selftests with a larger scale, for a KASAN kernel under emulation).
 * The 6.1 harness defines TEST_TIMEOUT_DEFAULT (30 s) unconditionally,
 * so it is redefined after the include; TEST() and TEST_F() expand it
 * where they are used.
 */
#ifndef _XTCP_HARNESS_H
#define _XTCP_HARNESS_H

#include "kselftest_harness.h"

#ifndef XTCP_TIME_SCALE
#define XTCP_TIME_SCALE 1
#endif

/* A time limit of @s seconds on the Debian kernel. */
#define XT(s) ((s) * XTCP_TIME_SCALE)

#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT XT(30)

#endif /* _XTCP_HARNESS_H */
