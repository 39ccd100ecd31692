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
 * the wrong length is ignored, as Linux does.
 *
 * Return: 0, or -EINVAL when the options area was malformed.
 */
int xtcp_parse_options(const u8 *ptr, unsigned int len,
		       struct xtcp_opts *opts)
{
	unsigned int i = 0;

	opts->mss = 0;
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
 * @ptr: where to write; XTCP_SYN_OPTS_LEN bytes
 * @mss: the MSS to announce
 *
 * Return: bytes written (a multiple of 4).
 */
unsigned int xtcp_write_syn_options(u8 *ptr, u16 mss)
{
	ptr[0] = XTCPOPT_MSS;
	ptr[1] = XTCPOLEN_MSS;
	ptr[2] = mss >> 8;
	ptr[3] = mss & 0xff;
	return XTCP_SYN_OPTS_LEN;
}
