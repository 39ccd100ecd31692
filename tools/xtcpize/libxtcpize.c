// SPDX-License-Identifier: GPL-2.0
/*
 * libxtcpize.so: makes an unmodified program use xtcp instead of TCP.
 * xtcpize(8) LD_PRELOADs it; it interposes socket() and nothing else.
 *
 * socket(AF_INET or AF_INET6, SOCK_STREAM [| SOCK_NONBLOCK | SOCK_CLOEXEC],
 *        0 or IPPROTO_TCP)
 * becomes the same call with the protocol number the xtcp module
 * registered (its "proto" parameter, read once per process).  Every
 * other socket() (datagram and raw sockets, other families and
 * protocols) goes to the C library unchanged.  An AF_INET6 xtcp socket
 * is dual-stack as TCP's is, so a server listening on [::] takes IPv4
 * clients too; on a kernel without IPv6 it fails as TCP's would
 * (EAFNOSUPPORT).
 *
 * Never silently TCP: without the module, those calls fail with
 * EPROTONOSUPPORT and one line on stderr says why, once per process;
 * XTCPIZE_FALLBACK=1 makes them TCP sockets instead (also said once).
 * XTCPIZE_DEBUG=1 prints a line for every socket changed.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/syscall.h>

#include "xtcpize.h"

#define XTCPIZE_EXPORT	__attribute__((visibility("default")))

/* The next socket() (the C library's), found on first use. */
static xtcpize_socket_fn xtcpize_next;

/* Set once by xtcpize_init(), read-only afterwards. */
static pthread_once_t xtcpize_once = PTHREAD_ONCE_INIT;
static int xtcpize_proto;	/* the module's protocol number; 0: none */
static int xtcpize_fallback;	/* XTCPIZE_FALLBACK=1 */
static int xtcpize_debug;	/* XTCPIZE_DEBUG=1 */

/* Only if the dynamic linker finds no next socket(), e.g. dlsym fails. */
static int xtcpize_raw_socket(int domain, int type, int protocol)
{
	return syscall(SYS_socket, domain, type, protocol);
}

static xtcpize_socket_fn xtcpize_next_socket(void)
{
	xtcpize_socket_fn fn = __atomic_load_n(&xtcpize_next, __ATOMIC_ACQUIRE);

	if (!fn) {
		/* Two threads may both look it up: they find the same. */
		fn = (xtcpize_socket_fn)dlsym(RTLD_NEXT, "socket");
		if (!fn)
			fn = xtcpize_raw_socket;
		__atomic_store_n(&xtcpize_next, fn, __ATOMIC_RELEASE);
	}
	return fn;
}

/* Did the launcher, with this very pid, print the line already? */
static int xtcpize_launcher_warned(void)
{
	const char *v = getenv(XTCPIZE_ENV_WARNED);

	return v && strtol(v, NULL, 10) == (long)getpid();
}

/* Once per process, at the first socket() that would be TCP's. */
static void xtcpize_init(void)
{
	xtcpize_fallback = xtcpize_env_on(XTCPIZE_ENV_FALLBACK);
	xtcpize_debug = xtcpize_env_on(XTCPIZE_ENV_DEBUG);
	xtcpize_proto = xtcpize_find_proto(xtcpize_next_socket());
	if (!xtcpize_proto && !xtcpize_launcher_warned())
		xtcpize_warn_missing(xtcpize_fallback);
}

static void xtcpize_log(int domain, int type, int protocol, int proto, int fd)
{
	char line[160];
	int saved = errno;
	int n;

	n = snprintf(line, sizeof(line),
		     "xtcpize: socket(%s, SOCK_STREAM%s%s, %d) -> protocol %d: %s%d\n",
		     domain == AF_INET6 ? "AF_INET6" : "AF_INET",
		     type & SOCK_NONBLOCK ? "|SOCK_NONBLOCK" : "",
		     type & SOCK_CLOEXEC ? "|SOCK_CLOEXEC" : "",
		     protocol, proto, fd < 0 ? "error " : "fd ",
		     fd < 0 ? saved : fd);
	if (n > 0 && write(STDERR_FILENO, line, (size_t)n) < 0) {
		/* stderr is gone: nobody to tell */
	}
	errno = saved;
}

XTCPIZE_EXPORT int socket(int domain, int type, int protocol)
{
	int base = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
	int fd;

	if ((domain != AF_INET && domain != AF_INET6) || base != SOCK_STREAM ||
	    (protocol != 0 && protocol != IPPROTO_TCP))
		return xtcpize_next_socket()(domain, type, protocol);

	pthread_once(&xtcpize_once, xtcpize_init);
	if (xtcpize_proto) {
		fd = xtcpize_next_socket()(domain, type, xtcpize_proto);
		if (xtcpize_debug)
			xtcpize_log(domain, type, protocol, xtcpize_proto, fd);
		return fd;
	}
	if (xtcpize_fallback)
		return xtcpize_next_socket()(domain, type, protocol);
	errno = EPROTONOSUPPORT;
	return -1;
}
