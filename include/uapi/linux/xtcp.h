/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * xtcp: an alternative TCP carried as its own IP protocol.
 *
 * This is the one header shared by the xtcp module and user space.
 *
 * Wire format: every xtcp segment is an IPv4 datagram whose protocol field
 * is IPPROTO_XTCP (253 unless the module was loaded with proto=N), carrying
 * a header laid out exactly as the TCP header of RFC 9293 section 3.1:
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |          Source Port          |       Destination Port        |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                        Sequence Number                        |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                    Acknowledgment Number                      |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |  Data |       |C|E|U|A|P|R|S|F|                               |
 *   | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             |
 *   |       |       |R|E|G|K|H|T|N|N|                               |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |           Checksum            |         Urgent Pointer        |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                    Options (data offset - 5 words)            |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * The checksum is the Internet checksum over an IPv4 pseudo-header
 * (source, destination, zero, protocol = the module's protocol number,
 * segment length) followed by the header and data, as for TCP.
 *
 * Flags: URG and the urgent pointer are used as TCP uses them (the
 * pointer read as Linux reads it: the urgent byte is the one before it).
 * ECE and CWR carry ECN as RFC 3168 defines them: a SYN asks with both,
 * a SYN-ACK agrees with ECE alone, new data is sent ECT(0), a CE mark is
 * echoed with ECE until a CWR arrives (net.xtcp.ecn, as tcp_ecn).
 *
 * Options: End (0), NOP (1), MSS (2, length 4), window scale (3, length
 * 3, RFC 7323), SACK-permitted (4, length 2) and SACK (5, 2 + 8 bytes
 * per block, RFC 2018) are understood.  MSS, window scale and
 * SACK-permitted are read from SYNs and SYN-ACKs only, and sent only
 * there: a SYN carries all three; a SYN-ACK carries window scale and
 * SACK-permitted only if the SYN did, and a SYN cookie's SYN-ACK only
 * the MSS.  SACK blocks (at most 4) are read from ACKs that arrive while
 * data is outstanding, once both ends agreed on SACK, and sent on ACKs
 * as far as they fit under the MSS.  Other segments' options are not
 * read.  An option of one of these kinds with the wrong length is
 * ignored, as are an MSS of 0, a SACK option of more than 4 blocks or
 * not a whole number of them, and an empty or reversed block; a window
 * scale above 14 counts as 14.  Any other option (timestamps among them)
 * is skipped by its length.  A length that is missing, below 2 or past
 * the header ends option parsing there, keeping what was read before it
 * (counted in InBadOptions): nothing past the header is ever read.
 *
 * Socket options: xtcp has no option level of its own.  Its options are
 * TCP's, at level SOL_TCP (IPPROTO_TCP), with <linux/tcp.h>'s names,
 * numbers and values; an SOL_TCP option xtcp does not implement fails
 * with ENOPROTOOPT.  Other levels are IP's and the socket layer's.
 *
 * Captures: `tshark -d ip.proto==253,tcp` dissects xtcp as TCP.
 */
#ifndef _UAPI_LINUX_XTCP_H
#define _UAPI_LINUX_XTCP_H

#include <linux/types.h>
#include <asm/byteorder.h>

/* RFC 3692 experimental protocol number; the module's "proto" parameter
 * may move xtcp to another number (1 to 255, not 6 or 17, and not one
 * another protocol has registered: the load fails then).  socket() then
 * takes that number, which /sys/module/xtcp/parameters/proto shows; the
 * module's aliases, which let socket() load it, name 253.
 */
#define IPPROTO_XTCP		253

struct xtcphdr {
	__be16	source;
	__be16	dest;
	__be32	seq;
	__be32	ack_seq;
#if defined(__LITTLE_ENDIAN_BITFIELD)
	__u16	res1:4,
		doff:4,
		fin:1,
		syn:1,
		rst:1,
		psh:1,
		ack:1,
		urg:1,
		ece:1,
		cwr:1;
#elif defined(__BIG_ENDIAN_BITFIELD)
	__u16	doff:4,
		res1:4,
		cwr:1,
		ece:1,
		urg:1,
		ack:1,
		psh:1,
		rst:1,
		syn:1,
		fin:1;
#else
#error "Adjust your <asm/byteorder.h> defines"
#endif
	__be16	window;
	__sum16	check;
	__be16	urg_ptr;
};

/* Flag bits as they stand in byte 13 of the header. */
#define XTCP_FLAG_FIN		0x01
#define XTCP_FLAG_SYN		0x02
#define XTCP_FLAG_RST		0x04
#define XTCP_FLAG_PSH		0x08
#define XTCP_FLAG_ACK		0x10
#define XTCP_FLAG_URG		0x20
#define XTCP_FLAG_ECE		0x40
#define XTCP_FLAG_CWR		0x80

#define XTCP_HDR_MIN_LEN	20	/* data offset 5 */
#define XTCP_HDR_MAX_LEN	60	/* data offset 15 */

/*
 * xtcp's own socket option, at level SOL_TCP beyond TCP's numbers: the
 * peer's UDP port (an int, 0 to 65535) to connect to in UDP, as SCTP's
 * SCTP_REMOTE_UDP_ENCAPS_PORT; 0: plain.  It starts as
 * net.xtcp.encap_port and is set before connect() (EISCONN after); the
 * connection then sends from an ephemeral UDP port of its own, over
 * IPv4 or IPv6.  Read on a connection: its peer's UDP port, 0 if it is
 * plain.
 */
#define XTCP_ENCAP_PORT		200

/*
 * sock_diag (xtcp_diag.ko): a connection in UDP adds this attribute to
 * its answer when INET_DIAG_INFO is requested: a __u16, its peer's UDP
 * port in host order, as XTCP_ENCAP_PORT reads it.  A plain connection,
 * a listener, a request and a TIME-WAIT sock carry none.  The number
 * lies far above inet_diag's own (INET_DIAG_MAX), which ss skips.
 */
#define XTCP_DIAG_ENCAP_PORT	0x3f00

/* Option kinds (RFC 9293 section 3.2, RFC 7323, RFC 2018). */
#define XTCPOPT_EOL		0
#define XTCPOPT_NOP		1
#define XTCPOPT_MSS		2
#define XTCPOPT_WINDOW		3	/* window scale */
#define XTCPOPT_SACK_PERM	4	/* SACK permitted, RFC 2018 */
#define XTCPOPT_SACK		5	/* SACK blocks */
#define XTCPOPT_TIMESTAMP	8	/* timestamps, RFC 7323 */
#define XTCPOLEN_MSS		4
#define XTCPOLEN_WINDOW		3
#define XTCPOLEN_SACK_PERM	2
#define XTCPOLEN_SACK_BASE	2	/* plus 8 bytes per block */
#define XTCPOLEN_SACK_PERBLOCK	8
#define XTCPOLEN_TIMESTAMP	10
#define XTCPOLEN_TSTAMP_ALIGNED	12	/* with two NOPs before it */

/*
 * Socket states as shown in /proc/net/xtcp: the same numbers as
 * /proc/net/tcp (include/net/tcp_states.h).  A connection request (a
 * SYN answered, its ACK awaited) shows as XTCP_SYN_RECV, as TCP's does.
 */
enum {
	XTCP_ESTABLISHED = 1,
	XTCP_SYN_SENT,
	XTCP_SYN_RECV,
	XTCP_FIN_WAIT1,
	XTCP_FIN_WAIT2,
	XTCP_TIME_WAIT,
	XTCP_CLOSE,
	XTCP_CLOSE_WAIT,
	XTCP_LAST_ACK,
	XTCP_LISTEN,
	XTCP_CLOSING,
};

#endif /* _UAPI_LINUX_XTCP_H */
