/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the xtcpize launcher and libxtcpize.so share: finding the IP
 * protocol number xtcp is registered as, and the one line that says it
 * is not there.
 */
#ifndef _XTCPIZE_H
#define _XTCPIZE_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* The module's "proto" parameter: the protocol number it registered. */
#define XTCPIZE_PARAM		"/sys/module/xtcp/parameters/proto"
/*
 * Asked for once when the module is not loaded: socket() with this
 * protocol number makes the kernel request "net-pf-2-proto-253-type-1",
 * which loads an installed xtcp module (its alias).
 */
#define XTCPIZE_AUTOLOAD_PROTO	253

#define XTCPIZE_MSG_MISSING \
	"xtcpize: the xtcp kernel module is not loaded (modprobe xtcp); " \
	"socket() fails with EPROTONOSUPPORT\n"
#define XTCPIZE_MSG_FALLBACK \
	"xtcpize: the xtcp kernel module is not loaded (modprobe xtcp); " \
	"XTCPIZE_FALLBACK=1: using TCP instead\n"

/*
 * Set by the launcher to its own pid when it has printed the line
 * already: the program it execs keeps that pid and does not print it
 * again.  Its children, with other pids, print their own.
 */
#define XTCPIZE_ENV_WARNED	"XTCPIZE_WARNED"
#define XTCPIZE_ENV_FALLBACK	"XTCPIZE_FALLBACK"
#define XTCPIZE_ENV_DEBUG	"XTCPIZE_DEBUG"

typedef int (*xtcpize_socket_fn)(int domain, int type, int protocol);

/* True if the environment variable is set to exactly "1". */
static inline int xtcpize_env_on(const char *name)
{
	const char *v = getenv(name);

	return v && !strcmp(v, "1");
}

/* The number in XTCPIZE_PARAM, or 0 if it cannot be read (not loaded). */
static inline int xtcpize_read_param(void)
{
	char buf[16];
	ssize_t n;
	long v;
	char *end;
	int fd;

	fd = open(XTCPIZE_PARAM, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	v = strtol(buf, &end, 10);
	if (end == buf || (*end && *end != '\n') || v <= 0 || v > 255)
		return 0;
	return (int)v;
}

/*
 * The protocol number of the loaded xtcp module, or 0 if there is none.
 * If it is not loaded, one socket() of protocol 253 gives the kernel's
 * module autoloading its chance, and the parameter is read again.
 * @sock is the real socket() (not the interposed one).  errno is kept.
 */
static inline int xtcpize_find_proto(xtcpize_socket_fn sock)
{
	int saved = errno;
	int proto, fd;

	proto = xtcpize_read_param();
	if (!proto) {
		fd = sock(AF_INET, SOCK_STREAM | SOCK_CLOEXEC,
			  XTCPIZE_AUTOLOAD_PROTO);
		if (fd >= 0)
			close(fd);
		proto = xtcpize_read_param();
	}
	errno = saved;
	return proto;
}

/* The line saying the module is missing, on stderr, in one write(). */
static inline void xtcpize_warn_missing(int fallback)
{
	const char *msg = fallback ? XTCPIZE_MSG_FALLBACK : XTCPIZE_MSG_MISSING;
	int saved = errno;

	if (write(STDERR_FILENO, msg, strlen(msg)) < 0) {
		/* stderr is gone: nobody to tell */
	}
	errno = saved;
}

#endif /* _XTCPIZE_H */
