// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp option parsing and writing (RFC 9293 section 3.2).
 *
 * Pure logic: compiled into the module and into the user-space unit test
 * and fuzz target, so it must not depend on socket or skb internals.
 */
#include "pure.h"

static u32 xtcp_get_be32(const u8 *p)
{
	return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3];
}

static void xtcp_put_be32(u8 *p, u32 v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

/*
 * SACK blocks: a length that is not a whole number of blocks, or more
 * than fit in a header, makes the option ignored; an empty or reversed
 * block is skipped.  Later SACK options in one header replace earlier.
 */
static void xtcp_parse_sack(const u8 *p, unsigned int len,
			    struct xtcp_opts *opts)
{
	unsigned int i, n = 0;

	opts->num_sacks = 0;
	if (len % XTCPOLEN_SACK_PERBLOCK ||
	    len / XTCPOLEN_SACK_PERBLOCK > XTCP_MAX_SACKS)
		return;
	for (i = 0; i < len; i += XTCPOLEN_SACK_PERBLOCK) {
		u32 start = xtcp_get_be32(p + i);
		u32 end = xtcp_get_be32(p + i + 4);

		if (!xtcp_after(end, start))
			continue;
		opts->sacks[n].start = start;
		opts->sacks[n].end = end;
		n++;
	}
	opts->num_sacks = n;
}

/**
 * xtcp_parse_options() - parse the options area of a segment header
 * @ptr: first option byte
 * @len: bytes of options (data offset * 4 - 20); never read beyond
 * @opts: filled with what was found
 *
 * Unknown options are skipped by their length (and counted in
 * @opts->unknown).  An option whose length byte is missing, below 2, or
 * runs past @len ends parsing: the options seen before it are kept and
 * @opts->malformed is set.  An MSS option or window scale option of the
 * wrong length is ignored, as Linux does; a window scale above 14 counts
 * as 14 (RFC 7323 section 2.3).  So is a timestamps option whose length
 * is not 10; a good one sets @opts->saw_tstamp, rcv_tsval and rcv_tsecr
 * (the last one in the header wins).
 *
 * Context: pure, any context; writes only @opts.
 * Return: 0, or -EINVAL when the options area was malformed.
 */
int xtcp_parse_options(const u8 *ptr, unsigned int len,
		       struct xtcp_opts *opts)
{
	unsigned int i = 0;

	opts->mss = 0;
	opts->wscale_ok = 0;
	opts->wscale = 0;
	opts->sack_ok = 0;
	opts->num_sacks = 0;
	opts->saw_tstamp = 0;
	opts->rcv_tsval = 0;
	opts->rcv_tsecr = 0;
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
		} else if (kind == XTCPOPT_SACK_PERM) {
			if (olen == XTCPOLEN_SACK_PERM)
				opts->sack_ok = 1;
		} else if (kind == XTCPOPT_SACK) {
			xtcp_parse_sack(ptr + i + 2, olen - 2, opts);
		} else if (kind == XTCPOPT_TIMESTAMP) {
			if (olen == XTCPOLEN_TIMESTAMP) {
				opts->saw_tstamp = 1;
				opts->rcv_tsval = xtcp_get_be32(ptr + i + 2);
				opts->rcv_tsecr = xtcp_get_be32(ptr + i + 6);
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
 * xtcp_write_ts_option() - write a timestamps option (RFC 7323 section 3)
 * @ptr: where to write; XTCPOLEN_TSTAMP_ALIGNED bytes
 * @ts: TSval and TSecr
 *
 * Two NOPs, then the option, as RFC 7323 appendix A lays it out.
 *
 * Context: pure, any context; writes only @ptr.
 * Return: XTCPOLEN_TSTAMP_ALIGNED.
 */
unsigned int xtcp_write_ts_option(u8 *ptr, const struct xtcp_ts *ts)
{
	ptr[0] = XTCPOPT_NOP;
	ptr[1] = XTCPOPT_NOP;
	ptr[2] = XTCPOPT_TIMESTAMP;
	ptr[3] = XTCPOLEN_TIMESTAMP;
	xtcp_put_be32(ptr + 4, ts->tsval);
	xtcp_put_be32(ptr + 8, ts->tsecr);
	return XTCPOLEN_TSTAMP_ALIGNED;
}

/**
 * xtcp_write_syn_options() - write the options a SYN or SYN-ACK carries
 * @ptr: where to write; XTCP_SYN_OPTS_MAX bytes at most
 * @mss: the MSS to announce
 * @wscale: our window scale shift, or XTCP_NO_WSCALE for none
 * @sack: offer SACK (RFC 2018)
 * @ts: the timestamps to send (RFC 7323), NULL for none
 *
 * MSS, the timestamps (SACK permitted in their padding, as Linux lays
 * them out), the window scale, and without timestamps SACK permitted
 * after two NOPs of its own.
 *
 * Context: pure, any context; writes only @ptr.
 * Return: bytes written (a multiple of 4).
 */
unsigned int xtcp_write_syn_options(u8 *ptr, u16 mss, int wscale, bool sack,
				    const struct xtcp_ts *ts)
{
	unsigned int len = 0;

	ptr[len++] = XTCPOPT_MSS;
	ptr[len++] = XTCPOLEN_MSS;
	ptr[len++] = mss >> 8;
	ptr[len++] = mss & 0xff;
	if (ts) {
		len += xtcp_write_ts_option(ptr + len, ts);
		if (sack) {
			ptr[len - 12] = XTCPOPT_SACK_PERM;
			ptr[len - 11] = XTCPOLEN_SACK_PERM;
		}
	}
	if (wscale >= 0) {
		ptr[len++] = XTCPOPT_NOP;
		ptr[len++] = XTCPOPT_WINDOW;
		ptr[len++] = XTCPOLEN_WINDOW;
		ptr[len++] = (u8)wscale;
	}
	if (sack && !ts) {
		ptr[len++] = XTCPOPT_NOP;
		ptr[len++] = XTCPOPT_NOP;
		ptr[len++] = XTCPOPT_SACK_PERM;
		ptr[len++] = XTCPOLEN_SACK_PERM;
	}
	return len;
}

/**
 * xtcp_write_sack_option() - write a SACK option (RFC 2018)
 * @ptr: where to write; XTCP_SACK_OPTS_MAX bytes at most
 * @blocks: the blocks, the one with the latest arrival first
 * @n: how many; more than XTCP_MAX_SACKS are not written
 *
 * Context: pure, any context; writes only @ptr.
 * Return: bytes written (a multiple of 4), 0 for no blocks.
 */
unsigned int xtcp_write_sack_option(u8 *ptr,
				    const struct xtcp_sack_block *blocks,
				    unsigned int n)
{
	unsigned int i, len = 0;

	if (!n)
		return 0;
	if (n > XTCP_MAX_SACKS)
		n = XTCP_MAX_SACKS;
	ptr[len++] = XTCPOPT_NOP;
	ptr[len++] = XTCPOPT_NOP;
	ptr[len++] = XTCPOPT_SACK;
	ptr[len++] = XTCPOLEN_SACK_BASE + n * XTCPOLEN_SACK_PERBLOCK;
	for (i = 0; i < n; i++) {
		xtcp_put_be32(ptr + len, blocks[i].start);
		xtcp_put_be32(ptr + len + 4, blocks[i].end);
		len += XTCPOLEN_SACK_PERBLOCK;
	}
	return len;
}

/* Whether [@seq, @end) touches or overlaps @b. */
static bool xtcp_sack_touches(const struct xtcp_sack_block *b, u32 seq,
			      u32 end)
{
	return !xtcp_after(seq, b->end) && !xtcp_after(b->start, end);
}

/* Whether [@seq, @end) touches or overlaps @b; if so @b grows to cover it. */
static bool xtcp_sack_extend(struct xtcp_sack_block *b, u32 seq, u32 end)
{
	if (!xtcp_sack_touches(b, seq, end))
		return false;
	if (xtcp_before(seq, b->start))
		b->start = seq;
	if (xtcp_after(end, b->end))
		b->end = end;
	return true;
}

/**
 * xtcp_sack_touching() - the first SACK block an arrival joins
 * @b: the blocks, the most recent first
 * @n: how many are in use
 * @seq: the arrival's first sequence number
 * @end: one past its last
 *
 * The block xtcp_sack_new_ofo() would extend for [@seq, @end): one it
 * overlaps or touches.
 *
 * Context: pure.
 * Return: its index, or @n if the arrival makes a new block.
 */
unsigned int xtcp_sack_touching(const struct xtcp_sack_block *b,
				unsigned int n, u32 seq, u32 end)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (xtcp_sack_touches(&b[i], seq, end))
			break;
	return i;
}

/**
 * xtcp_sack_new_ofo() - a receiver's SACK blocks after an out-of-order arrival
 * @b: the blocks, XTCP_MAX_SACKS of room, the most recent first
 * @n: how many are in use
 * @seq: the arrival's first sequence number
 * @end: one past its last
 *
 * RFC 2018 section 4: the block holding the latest arrival goes first.
 * The block the arrival joins moves to the front, absorbing any other it
 * now touches; else a new block goes there and, when all are in use,
 * the oldest is forgotten (as tcp_sack_new_ofo_skb()).
 *
 * Context: pure; the caller serializes @b (in the module: socket locked).
 * Return: the number of blocks in use.
 */
unsigned int xtcp_sack_new_ofo(struct xtcp_sack_block *b, unsigned int n,
			       u32 seq, u32 end)
{
	struct xtcp_sack_block head = { .start = seq, .end = end };
	unsigned int i, j;

	if (n > XTCP_MAX_SACKS)
		n = XTCP_MAX_SACKS;
	/* Every block the arrival touches merges into the new head. */
	for (i = 0; i < n;) {
		if (xtcp_sack_extend(&head, b[i].start, b[i].end)) {
			for (j = i; j + 1 < n; j++)
				b[j] = b[j + 1];
			n--;
			/* The grown head may touch blocks passed over. */
			i = 0;
			continue;
		}
		i++;
	}
	if (n == XTCP_MAX_SACKS)
		n--;
	for (i = n; i > 0; i--)
		b[i] = b[i - 1];
	b[0] = head;
	return n + 1;
}

/**
 * xtcp_sack_remove() - a receiver's SACK blocks after RCV.NXT advanced
 * @b: the blocks
 * @n: how many are in use
 * @rcv_nxt: the new RCV.NXT
 *
 * A block that starts at or below RCV.NXT has been delivered in order
 * (the queue is drained up to the first hole) and goes; the others keep
 * their order.
 *
 * Context: pure; the caller serializes @b (in the module: socket locked).
 * Return: the number of blocks left.
 */
unsigned int xtcp_sack_remove(struct xtcp_sack_block *b, unsigned int n,
			      u32 rcv_nxt)
{
	unsigned int i = 0, j;

	while (i < n) {
		if (!xtcp_after(b[i].start, rcv_nxt)) {
			for (j = i; j + 1 < n; j++)
				b[j] = b[j + 1];
			n--;
			continue;
		}
		i++;
	}
	return n;
}

/**
 * xtcp_select_wscale() - the window scale for a receive buffer
 * @space: the largest window, in bytes, we may want to offer
 *
 * Context: pure arithmetic, any context.
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
