// SPDX-License-Identifier: GPL-2.0
/*
 * Does socket(AF_INET, SOCK_STREAM, IPPROTO_XTCP) work?  Prints the errno
 * name (or "ok") and exits 0 when it matches the expectation given as the
 * only argument: "ok" or an errno name such as EPROTONOSUPPORT.
 * "xtcp_probe hold" keeps a socket open until killed.
 * "xtcp_probe timewait" leaves a connection in TIME-WAIT on loopback.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/xtcp.h>

/* Connect over loopback; the client closes first and keeps TIME-WAIT. */
static int make_timewait(int proto)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int l = socket(AF_INET, SOCK_STREAM, proto);
	int c = socket(AF_INET, SOCK_STREAM, proto);
	int a;

	sin.sin_port = htons(9000);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (l < 0 || c < 0 || bind(l, (struct sockaddr *)&sin, sizeof(sin)) ||
	    listen(l, 1) ||
	    connect(c, (struct sockaddr *)&sin, sizeof(sin)))
		return 1;
	a = accept(l, NULL, NULL);
	if (a < 0)
		return 1;
	close(c);
	usleep(200000);
	close(a);
	close(l);
	usleep(200000);
	printf("timewait\n");
	return 0;
}

int main(int argc, char **argv)
{
	const char *p = getenv("XTCP_PROTO");
	int fd = socket(AF_INET, SOCK_STREAM, p ? atoi(p) : IPPROTO_XTCP);
	const char *got;

	if (argc > 1 && !strcmp(argv[1], "timewait"))
		return make_timewait(p ? atoi(p) : IPPROTO_XTCP);
	if (argc > 1 && !strcmp(argv[1], "hold")) {
		if (fd < 0)
			return 1;
		printf("holding\n");
		fflush(stdout);
		pause();
	}
	if (fd >= 0) {
		got = "ok";
		close(fd);
	} else if (errno == EPROTONOSUPPORT) {
		got = "EPROTONOSUPPORT";
	} else if (errno == ESOCKTNOSUPPORT) {
		got = "ESOCKTNOSUPPORT";
	} else {
		got = strerror(errno);
	}
	printf("%s\n", got);
	return argc > 1 && strcmp(argv[1], got) ? 1 : 0;
}
