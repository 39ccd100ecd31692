// SPDX-License-Identifier: GPL-2.0
/*
 * Does socket(AF_INET, SOCK_STREAM, IPPROTO_XTCP) work?  Prints the errno
 * name (or "ok") and exits 0 when it matches the expectation given as the
 * only argument: "ok" or an errno name such as EPROTONOSUPPORT.
 * "xtcp_probe hold" keeps a socket open until killed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../include/uapi/linux/xtcp.h"

int main(int argc, char **argv)
{
	const char *p = getenv("XTCP_PROTO");
	int fd = socket(AF_INET, SOCK_STREAM, p ? atoi(p) : IPPROTO_XTCP);
	const char *got;

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
