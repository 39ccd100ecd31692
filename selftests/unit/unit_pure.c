// SPDX-License-Identifier: GPL-2.0
/*
 * User-space unit tests of the module's pure logic (module/pure.h and
 * module/options.c, compiled from the module's own sources): sequence
 * arithmetic around the 2^32 wrap, RFC 9293 segment acceptability, and
 * option parsing of well-formed and malformed option areas.  TAP output.
 */
#include <stdio.h>
#include <string.h>

#include "../../module/pure.h"

static int n, failed;

#define CHECK(cond) do {						\
	n++;								\
	if (cond) {							\
		printf("ok %d - %s\n", n, #cond);			\
	} else {							\
		printf("not ok %d - %s (line %d)\n", n, #cond, __LINE__); \
		failed++;						\
	}								\
} while (0)

static void test_seq(void)
{
	CHECK(xtcp_before(1, 2));
	CHECK(!xtcp_before(2, 1));
	CHECK(!xtcp_before(5, 5));
	CHECK(xtcp_before(0xfffffff0u, 0x10));		/* across the wrap */
	CHECK(xtcp_after(0x10, 0xfffffff0u));
	CHECK(xtcp_between(0, 0xfffffff0u, 0x10));
	CHECK(!xtcp_between(0x20, 0xfffffff0u, 0x10));
	CHECK(xtcp_before(0, 0x7fffffffu));
	CHECK(!xtcp_before(0, 0x80000001u));		/* more than 2^31 away */
}

static void test_acceptability(void)
{
	/* The four cases of RFC 9293 3.10.7.4. */
	CHECK(xtcp_seq_acceptable(100, 0, 100, 0));
	CHECK(!xtcp_seq_acceptable(101, 0, 100, 0));
	CHECK(xtcp_seq_acceptable(150, 0, 100, 100));
	CHECK(!xtcp_seq_acceptable(200, 0, 100, 100));
	CHECK(!xtcp_seq_acceptable(99, 0, 100, 100));
	CHECK(!xtcp_seq_acceptable(100, 10, 100, 0));
	CHECK(xtcp_seq_acceptable(90, 20, 100, 100));	/* tail in window */
	CHECK(xtcp_seq_acceptable(190, 20, 100, 100));	/* head in window */
	CHECK(!xtcp_seq_acceptable(80, 20, 100, 100));	/* all old */
	CHECK(!xtcp_seq_acceptable(200, 20, 100, 100));	/* all beyond */
	CHECK(xtcp_seq_acceptable(0xfffffffbu, 10, 0xffffffffu, 100));
	CHECK(xtcp_ack_acceptable(101, 100, 110));
	CHECK(xtcp_ack_acceptable(110, 100, 110));
	CHECK(!xtcp_ack_acceptable(100, 100, 110));
	CHECK(!xtcp_ack_acceptable(111, 100, 110));
	CHECK(xtcp_ack_acceptable(5, 0xfffffffeu, 10));
}

static void test_options(void)
{
	struct xtcp_opts o;
	uint8_t buf[40];
	static const uint8_t mss[] = { 2, 4, 0x05, 0xb4 };
	static const uint8_t nop_mss_eol[] = { 1, 1, 2, 4, 0x02, 0x18, 0, 0 };
	static const uint8_t unknown_then_mss[] = { 30, 6, 1, 2, 3, 4,
						    2, 4, 0x01, 0x00 };
	static const uint8_t len0[] = { 30, 0, 2, 4 };
	static const uint8_t len1[] = { 2, 1, 0, 0 };
	static const uint8_t len255[] = { 2, 4, 0x01, 0x00, 30, 255, 0, 0 };
	static const uint8_t truncated[] = { 1, 1, 1, 30 };
	static const uint8_t bad_mss_len[] = { 2, 3, 0x05, 0x00 };
	static const uint8_t mss0[] = { 2, 4, 0, 0 };

	CHECK(xtcp_parse_options(mss, 4, &o) == 0 && o.mss == 1460);
	CHECK(xtcp_parse_options(nop_mss_eol, 8, &o) == 0 && o.mss == 536);
	CHECK(xtcp_parse_options(unknown_then_mss, 10, &o) == 0 &&
	      o.mss == 256 && o.unknown == 1);
	CHECK(xtcp_parse_options(len0, 4, &o) == -EINVAL && o.malformed &&
	      o.mss == 0);
	CHECK(xtcp_parse_options(len1, 4, &o) == -EINVAL && o.malformed);
	/* The MSS before the bad option is kept. */
	CHECK(xtcp_parse_options(len255, 8, &o) == -EINVAL && o.mss == 256);
	CHECK(xtcp_parse_options(truncated, 4, &o) == -EINVAL);
	CHECK(xtcp_parse_options(bad_mss_len, 4, &o) == 0 && o.mss == 0);
	CHECK(xtcp_parse_options(mss0, 4, &o) == 0 && o.mss == 0);
	CHECK(xtcp_parse_options(mss, 0, &o) == 0 && o.mss == 0);
	/* A length that would run past the area is never followed. */
	CHECK(xtcp_parse_options(mss, 3, &o) == -EINVAL && o.mss == 0);

	memset(buf, 0xee, sizeof(buf));
	CHECK(xtcp_write_syn_options(buf, 1460) == XTCP_SYN_OPTS_LEN);
	CHECK(xtcp_parse_options(buf, XTCP_SYN_OPTS_LEN, &o) == 0 &&
	      o.mss == 1460);
	CHECK(buf[XTCP_SYN_OPTS_LEN] == 0xee);
}

int main(void)
{
	printf("TAP version 13\n");
	test_seq();
	test_acceptability();
	test_options();
	printf("1..%d\n", n);
	printf("# unit: %d passed, %d failed\n", n - failed, failed);
	return failed ? 1 : 0;
}
