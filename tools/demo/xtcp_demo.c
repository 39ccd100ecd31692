// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp demo: a server and a client in two network namespaces.  Prints the
 * handshake as it happens, one line per segment seen on the client's
 * veth, with each end's state read from /proc/net/xtcp at that moment;
 * then sends a file over the connection and compares SHA-256 digests.
 *
 * usage: xtcp_demo FILE
 * (topology.sh's hosts; netem's delay each way lets each step be seen)
 */
#include <pthread.h>

#include "xtcp_lib.h"

#define PORT 8000

static const char *state_name(int st)
{
	static const char * const names[] = {
		[XTCP_ESTABLISHED] = "ESTABLISHED", [XTCP_SYN_SENT] = "SYN-SENT",
		[XTCP_SYN_RECV] = "SYN-RECEIVED", [XTCP_FIN_WAIT1] = "FIN-WAIT-1",
		[XTCP_FIN_WAIT2] = "FIN-WAIT-2", [XTCP_TIME_WAIT] = "TIME-WAIT",
		[XTCP_CLOSE] = "CLOSED", [XTCP_CLOSE_WAIT] = "CLOSE-WAIT",
		[XTCP_LAST_ACK] = "LAST-ACK", [XTCP_LISTEN] = "LISTEN",
		[XTCP_CLOSING] = "CLOSING",
	};

	if (st > 0 && st <= XTCP_CLOSING)
		return names[st];
	return "(none)";
}

struct server {
	int lfd;
	const char *path;
	size_t got;
	char hash[65];
	int afd;
};

static void *server_main(void *arg)
{
	struct server *sv = arg;
	static uint8_t buf[65536];
	struct sha256 c;
	ssize_t n;

	sv->afd = accept(sv->lfd, NULL, NULL);
	if (sv->afd < 0)
		return NULL;
	sha256_init(&c);
	while ((n = read(sv->afd, buf, sizeof(buf))) > 0) {
		sha256_update(&c, buf, n);
		sv->got += n;
	}
	sha256_final(&c, sv->hash);
	close(sv->afd);
	return NULL;
}

static int file_sha256(const char *path, char *out, size_t *len)
{
	static uint8_t buf[65536];
	struct sha256 c;
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		return -1;
	sha256_init(&c);
	*len = 0;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		sha256_update(&c, buf, n);
		*len += n;
	}
	fclose(f);
	sha256_final(&c, out);
	return 0;
}

int main(int argc, char **argv)
{
	struct server sv = { 0 };
	char want[65];
	uint8_t buf[65536];
	size_t len;
	pthread_t th;
	int capc, caps, c, cport, i, rc = 0;
	double t0 = 0;
	uint32_t isn_c = 0, isn_s = 0;
	FILE *f;
	size_t n;

	setvbuf(stdout, NULL, _IOLBF, 0);	/* lines as they happen */
	if (argc < 2 || file_sha256(argv[1], want, &len)) {
		fprintf(stderr, "usage: %s FILE\n", argv[0]);
		return 2;
	}
	printf("xtcp demo: server %s:%d in netns %s, client %s in netns %s\n",
	       SRV_ADDR, PORT, SRV_NS, CLI_ADDR, CLI_NS);
	sv.lfd = xlisten(PORT, 8);
	if (sv.lfd < 0) {
		perror("server listen");
		return 1;
	}
	printf("server: listen() -> %s\n\n", state_name(xstate(SRV_NS, PORT, 0)));
	pthread_create(&th, NULL, server_main, &sv);

	capc = cap_open(CLI_NS, CLI_IF);
	caps = cap_open(SRV_NS, SRV_IF);
	c = xsock(CLI_NS);
	set_nonblock(c, 1);
	if (capc < 0 || caps < 0 || c < 0 ||
	    (do_connect(c, SRV_ADDR, PORT) && errno != EINPROGRESS)) {
		perror("client");
		return 1;
	}
	cport = local_port(c);

	/*
	 * Each segment is caught leaving its sender (whose state is read
	 * then) and arriving at its receiver (whose state is read once it
	 * has processed it).
	 */
	for (i = 0; i < 3; i++) {
		static const char * const name[] = { "SYN", "SYN-ACK", "ACK" };
		static const int want[] = { XTCP_SYN_RECV, XTCP_ESTABLISHED,
					    XTCP_ESTABLISHED };
		int from_cli = i != 1;
		struct seg out, in;
		char nums[64];
		int st_tx, st_rx;

		if (cap_next(from_cli ? capc : caps, &out, 5000) ||
		    !out.outgoing) {
			printf("segment %d not seen leaving\n", i);
			return 1;
		}
		st_tx = from_cli ? xstate(CLI_NS, cport, PORT) :
				   xstate(SRV_NS, PORT, cport);
		if (cap_next(from_cli ? caps : capc, &in, 5000) || in.outgoing) {
			printf("segment %d not seen arriving\n", i);
			return 1;
		}
		st_rx = from_cli ?
			wait_state(SRV_NS, PORT, cport, want[i], 0.5) :
			wait_state(CLI_NS, cport, PORT, want[i], 0.5);
		if (i == 0) {
			isn_c = out.seq;
			snprintf(nums, sizeof(nums), "seq=X=%u", out.seq);
		} else if (i == 1) {
			isn_s = out.seq;
			snprintf(nums, sizeof(nums), "seq=Y=%u ack=X+1%s", out.seq,
				 out.ack == isn_c + 1 ? "" : " WRONG");
		} else {
			snprintf(nums, sizeof(nums), "seq=X+1 ack=Y+1%s",
				 out.seq == isn_c + 1 && out.ack == isn_s + 1 ?
				 "" : " WRONG");
		}
		if (i == 0)
			t0 = out.t;	/* kernel timestamps: realtime */
		printf("%5.3fs  %s -> %s  %-7s %-30s %s enters %-12s %s enters %s\n",
		       out.t - t0,
		       from_cli ? "client" : "server",
		       from_cli ? "server" : "client", name[i], nums,
		       from_cli ? "client" : "server", state_name(st_tx),
		       from_cli ? "server" : "client", state_name(st_rx));
	}
	printf("\nnow: client %s, server %s (from /proc/net/xtcp)\n",
	       state_name(xstate(CLI_NS, cport, PORT)),
	       state_name(xstate(SRV_NS, PORT, cport)));

	set_nonblock(c, 0);
	f = fopen(argv[1], "rb");
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		if (write_all(c, buf, n)) {
			perror("write");
			return 1;
		}
	fclose(f);
	close(c);
	pthread_join(th, NULL);
	printf("\ntransfer: %zu bytes of %s\n", len, argv[1]);
	printf("  sha256 sent     %s\n  sha256 received %s (%zu bytes)\n",
	       want, sv.hash, sv.got);
	if (strcmp(want, sv.hash) || sv.got != len) {
		printf("MISMATCH\n");
		rc = 1;
	} else {
		printf("sha256 match\n");
	}
	close(sv.lfd);
	close(capc);
	close(caps);
	return rc;
}
