// SPDX-License-Identifier: GPL-2.0
/*
 * What does socket() give?  For the xtcpize tests (xtcp_install.sh):
 * the program calls the C library's socket() as any program does, so
 * that libxtcpize.so, when preloaded, sees the call.
 *
 *   xtcp_sockinfo FAMILY TYPE PROTOCOL [THREADS]
 *
 * FAMILY is inet or inet6, TYPE stream or dgram, optionally followed by
 * ",nonblock" and/or ",cloexec"; PROTOCOL a number.  THREADS (default 1)
 * threads call socket() at the same moment.  Prints one line per
 * distinct result, e.g. "protocol=253 nonblock=1 cloexec=0" (SO_PROTOCOL
 * and the file flags) or "errno=EPROTONOSUPPORT".  Exit 0 unless the
 * arguments are wrong.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_THREADS	16

static int domain, type, protocol;
static pthread_barrier_t start;
static char results[MAX_THREADS][64];

static void *make_socket(void *arg)
{
	char *res = arg;
	int fd, p = -1, fl, fdfl;
	socklen_t len = sizeof(p);

	pthread_barrier_wait(&start);
	fd = socket(domain, type, protocol);
	if (fd < 0) {
		snprintf(res, 64, "errno=%s", strerrorname_np(errno) ?: "?");
		return NULL;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &p, &len))
		p = -1;
	fl = fcntl(fd, F_GETFL);
	fdfl = fcntl(fd, F_GETFD);
	snprintf(res, 64, "protocol=%d nonblock=%d cloexec=%d", p,
		 !!(fl & O_NONBLOCK), !!(fdfl & FD_CLOEXEC));
	close(fd);
	return NULL;
}

static int parse_type(char *s)
{
	char *word = strtok(s, ",");
	int t;

	if (!word)
		return -1;
	if (!strcmp(word, "stream"))
		t = SOCK_STREAM;
	else if (!strcmp(word, "dgram"))
		t = SOCK_DGRAM;
	else
		return -1;
	while ((word = strtok(NULL, ","))) {
		if (!strcmp(word, "nonblock"))
			t |= SOCK_NONBLOCK;
		else if (!strcmp(word, "cloexec"))
			t |= SOCK_CLOEXEC;
		else
			return -1;
	}
	return t;
}

int main(int argc, char **argv)
{
	pthread_t th[MAX_THREADS];
	int i, j, n = 1;

	if (argc < 4 || argc > 5)
		goto usage;
	if (!strcmp(argv[1], "inet"))
		domain = AF_INET;
	else if (!strcmp(argv[1], "inet6"))
		domain = AF_INET6;
	else
		goto usage;
	type = parse_type(argv[2]);
	protocol = atoi(argv[3]);
	if (argc == 5)
		n = atoi(argv[4]);
	if (type < 0 || n < 1 || n > MAX_THREADS)
		goto usage;

	pthread_barrier_init(&start, NULL, n);
	for (i = 0; i < n; i++)
		if (pthread_create(&th[i], NULL, make_socket, results[i])) {
			perror("pthread_create");
			return 1;
		}
	for (i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	/* Each distinct result once, in the order first seen. */
	for (i = 0; i < n; i++) {
		for (j = 0; j < i && strcmp(results[i], results[j]); j++)
			;
		if (j == i)
			printf("%s\n", results[i]);
	}
	return 0;
usage:
	fprintf(stderr, "usage: %s inet|inet6 stream|dgram[,nonblock][,cloexec] PROTOCOL [THREADS]\n",
		argv[0]);
	return 2;
}
