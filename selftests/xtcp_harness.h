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

/* A counter of /proc/net/xtcp_stat in @ns; the test fails if it is absent. */
static inline long xstat_must(struct __test_metadata *_metadata,
			      const char *ns, const char *name)
{
	long v = xstat(ns, name);

	ASSERT_LE(0, v) TH_LOG("no %s in /proc/net/xtcp_stat of %s", name, ns);
	return v;
}

#define XSTAT(ns, name) xstat_must(_metadata, ns, name)

/*
 * The start of a FIXTURE_SETUP: a test XTCP_ONLY does not select (by
 * @name) leaves through the harness (a SKIP here would still run the
 * body); one it selects gets its own two hosts (hosts_up()), which
 * hosts_down() in FIXTURE_TEARDOWN removes.
 */
#define XTCP_SETUP(name)						\
	do {								\
		if (!test_selected(name))				\
			SKIP(longjmp(_metadata->env, 1), "not in XTCP_ONLY"); \
		ASSERT_EQ(0, hosts_up());				\
	} while (0)

#endif /* _XTCP_HARNESS_H */
