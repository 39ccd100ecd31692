// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target over the module's pure parsing and arithmetic, built
 * from the module's own files (make -C selftests/unit fuzz):
 * - the option parser: it never reads outside the buffer (ASan) and what
 *   it reports is consistent;
 * - sequence arithmetic on the input's first 16 bytes: comparisons are
 *   antisymmetric except at the 2^31 ambiguity, a segment wholly inside
 *   the window is acceptable, and one wholly outside is not;
 * - SYN cookies: a cookie made from the input checks back to its index,
 *   and checking any number never yields an index out of the table.
 */
#include <stdlib.h>
#include <string.h>

#include "pure.h"

static void check_arith(const uint8_t *data)
{
	u32 a, b, c, d, h2[2], count, index;
	int idx;

	memcpy(&a, data, 4);
	memcpy(&b, data + 4, 4);
	memcpy(&c, data + 8, 4);
	memcpy(&d, data + 12, 4);

	if (a != b && a - b != 0x80000000U &&
	    xtcp_before(a, b) == xtcp_after(a, b))
		abort();
	if (xtcp_before(a, a))
		abort();
	/* c: a window below 2^30; d: a length inside it. */
	c = c % (1U << 30) + 1;
	d = d % c;
	if (!xtcp_seq_acceptable(b + (a % c) / 2, d ? d / 2 + 1 : 0, b, c))
		abort();
	if (xtcp_seq_acceptable(b + c, d ? d / 2 + 1 : 0, b, c))
		abort();

	/* Any number: never an index out of the table. */
	h2[0] = c;
	h2[1] = d;
	idx = xtcp_cookie_check(a, b, h2, c, d);
	if (idx < -1 || idx >= XTCP_COOKIE_MSS_N)
		abort();
	/* A cookie made now checks back to what it carries. */
	count = a >> 8;
	index = a % XTCP_COOKIE_MSS_N;
	a = xtcp_cookie_make(b, c, d, count, index);
	h2[0] = c;
	if (xtcp_cookie_check(a, b, h2, d, count) != (int)index)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xtcp_opts o;
	uint8_t *copy;
	int rc;

	if (size > 40)
		size = 40;	/* the most a header can carry */
	copy = malloc(size ? size : 1);
	memcpy(copy, data, size);
	rc = xtcp_parse_options(copy, size, &o);
	if ((rc != 0) != (o.malformed != 0))
		abort();
	free(copy);
	if (size >= 16)
		check_arith(data);
	return 0;
}
