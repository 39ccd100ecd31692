// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp option parsing and writing (RFC 9293 section 3.2).
 *
 * Pure logic: compiled into the module and into the user-space unit test
 * and fuzz target, so it must not depend on socket or skb internals.
 */
#include "pure.h"

/**
 * xtcp_parse_options - parse the options area of a segment header
 * @ptr: first option byte
 * @len: bytes of options (data offset * 4 - 20); never read beyond
 * @opts: filled with what was found
 *
 * Unknown options are skipped by their length.  An option whose length
 * byte is missing, below 2, or runs past @len ends parsing: the options
 * seen before it are kept and @opts->malformed is set.  An MSS option of
 * or window scale option of the wrong length is ignored, as Linux does;
 * a window scale above 14 counts as 14 (RFC 7323 section 2.3).
 *
 * Return: 0, or -EINVAL when the options area was malformed.
 */
int xtcp_parse_options(const u8 *ptr, unsigned int len,
		       struct xtcp_opts *opts)
{
	unsigned int i = 0;

	opts->mss = 0;
	opts->wscale_ok = 0;
	opts->wscale = 0;
	opts->malformed = 0;
	opts->unknown = 0;

	while (i < len) {
		u8 kind = ptr[i];
		u8 olen;

		if (kind == XTCPOPT_EOL)
			break;
		if (kind == XTCPOPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= len)
			goto malformed;
		olen = ptr[i + 1];
		if (olen < 2 || olen > len - i)
			goto malformed;
		if (kind == XTCPOPT_MSS) {
			if (olen == XTCPOLEN_MSS) {
				u16 mss = (u16)(ptr[i + 2] << 8 | ptr[i + 3]);

				if (mss)
					opts->mss = mss;
			}
		} else if (kind == XTCPOPT_WINDOW) {
			if (olen == XTCPOLEN_WINDOW) {
				opts->wscale_ok = 1;
				opts->wscale = ptr[i + 2] > XTCP_MAX_WSCALE ?
					       XTCP_MAX_WSCALE : ptr[i + 2];
			}
		} else {
			opts->unknown++;
		}
		i += olen;
	}
	return 0;

malformed:
	opts->malformed = 1;
	return -EINVAL;
}

/**
 * xtcp_write_syn_options - write the options a SYN or SYN-ACK carries
 * @ptr: where to write; XTCP_SYN_OPTS_MAX bytes at most
 * @mss: the MSS to announce
 * @wscale: our window scale shift, or XTCP_NO_WSCALE for none
 *
 * Return: bytes written (a multiple of 4).
 */
unsigned int xtcp_write_syn_options(u8 *ptr, u16 mss, int wscale)
{
	unsigned int len = 0;

	ptr[len++] = XTCPOPT_MSS;
	ptr[len++] = XTCPOLEN_MSS;
	ptr[len++] = mss >> 8;
	ptr[len++] = mss & 0xff;
	if (wscale >= 0) {
		ptr[len++] = XTCPOPT_NOP;
		ptr[len++] = XTCPOPT_WINDOW;
		ptr[len++] = XTCPOLEN_WINDOW;
		ptr[len++] = (u8)wscale;
	}
	return len;
}

/**
 * xtcp_select_wscale - the window scale for a receive buffer
 * @space: the largest window, in bytes, we may want to offer
 *
 * Return: the smallest shift that lets a 16-bit window field reach
 * @space, at most XTCP_MAX_WSCALE.
 */
u8 xtcp_select_wscale(u32 space)
{
	u8 ws = 0;

	while (ws < XTCP_MAX_WSCALE && (65535U << ws) < space)
		ws++;
	return ws;
}
