// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp demo: a server and a client in two network namespaces.  Prints the
 * handshake as it happens, one line per segment seen on the client's
 * veth, with each end's state read from /proc/net/xtcp at that moment;
 * then sends a file over the connection and compares SHA-256 digests.
 *
 * usage: xtcp_demo FILE
 * (run.sh's topology; netem adds 200 ms each way so states can be seen)
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
	int cap, c, cport, i, rc = 0;
	uint32_t isn_c = 0, isn_s = 0;
	FILE *f;
	size_t n;

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

	cap = cap_open(CLI_NS, CLI_IF);
	c = xsock(CLI_NS);
	set_nonblock(c, 1);
	if (do_connect(c, SRV_ADDR, PORT) && errno != EINPROGRESS) {
		perror("client connect");
		return 1;
	}
	cport = local_port(c);

	for (i = 0; i < 3; i++) {
		struct seg s;
		char what[64];

		if (cap_next(cap, &s, 5000)) {
			printf("no segment seen\n");
			return 1;
		}
		if ((s.flags & CTL_FLAGS) == XTCP_FLAG_SYN) {
			isn_c = s.seq;
			snprintf(what, sizeof(what), "SYN      seq=X=%u", s.seq);
		} else if ((s.flags & CTL_FLAGS) ==
			   (XTCP_FLAG_SYN | XTCP_FLAG_ACK)) {
			isn_s = s.seq;
			snprintf(what, sizeof(what),
				 "SYN-ACK  seq=Y=%u ack=%u%s", s.seq, s.ack,
				 s.ack == isn_c + 1 ? " (X+1)" : " (NOT X+1!)");
		} else {
			snprintf(what, sizeof(what), "ACK      seq=%u ack=%u%s",
				 s.seq, s.ack,
				 s.ack == isn_s + 1 ? " (Y+1)" : " (NOT Y+1!)");
		}
		usleep(20000);	/* let the receiver's state settle */
		printf("%-6s -> %-6s  %-44s client %-12s server %s\n",
		       s.outgoing ? "client" : "server",
		       s.outgoing ? "server" : "client", what,
		       state_name(xstate(CLI_NS, cport, PORT)),
		       state_name(xstate(SRV_NS, PORT, cport)));
	}
	printf("%-16s  %-44s client %-12s server %s\n", "(ACK arrives)", "",
	       state_name(wait_state(CLI_NS, cport, PORT, XTCP_ESTABLISHED, 2)),
	       state_name(wait_state(SRV_NS, PORT, cport, XTCP_ESTABLISHED, 2)));

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
	close(cap);
	return rc;
}
