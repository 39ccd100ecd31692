// SPDX-License-Identifier: GPL-2.0
/*
 * xtcpize: run an unmodified program over xtcp instead of TCP, as
 * mptcpize(8) does for MPTCP.
 *
 *   xtcpize run [-d] CMD [ARGS...]
 *
 * execs CMD with libxtcpize.so first in LD_PRELOAD; the library turns the
 * program's TCP sockets (AF_INET and AF_INET6, SOCK_STREAM) into xtcp
 * sockets.  The
 * library is taken from next to this binary when that is where it is
 * (the build tree), else from where `make install` puts it
 * (XTCPIZE_LIB, fixed at build time).
 */
#define _GNU_SOURCE
#include <limits.h>

#include "xtcpize.h"

#ifndef XTCPIZE_LIB
#define XTCPIZE_LIB	"/usr/local/lib/xtcpize/libxtcpize.so"
#endif
#ifndef XTCPIZE_VERSION
#define XTCPIZE_VERSION	"unknown"
#endif
#define XTCPIZE_LIBNAME	"libxtcpize.so"

/* Exit codes: the program's own once exec'ed, else these (as shells). */
#define EXIT_USAGE	2
#define EXIT_NOEXEC	126	/* found but could not be run */
#define EXIT_NOTFOUND	127	/* no such command */

static void usage(FILE *f)
{
	fputs("usage: xtcpize run [-d] CMD [ARGS...]\n"
	      "       xtcpize -h | --help | --version\n"
	      "\n"
	      "Runs CMD with its TCP sockets (AF_INET and AF_INET6, SOCK_STREAM) made\n"
	      "xtcp sockets, through the LD_PRELOAD library " XTCPIZE_LIBNAME ".\n"
	      "\n"
	      "  -d   print a line on stderr for every socket changed (XTCPIZE_DEBUG=1)\n"
	      "\n"
	      "Without the xtcp module, the program's TCP sockets fail with\n"
	      "EPROTONOSUPPORT; with XTCPIZE_FALLBACK=1 they stay TCP.\n"
	      "See xtcpize(8).\n", f);
}

static int usage_error(const char *fmt, const char *arg)
{
	fputs("xtcpize: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\n", stderr);
	usage(stderr);
	return EXIT_USAGE;
}

/* The library next to our own binary, else the installed one. */
static const char *find_lib(char *buf, size_t size)
{
	char *slash;
	ssize_t n;

	n = readlink("/proc/self/exe", buf, size - 1);
	if (n > 0 && (size_t)n < size - sizeof(XTCPIZE_LIBNAME) - 1) {
		buf[n] = '\0';
		slash = strrchr(buf, '/');
		if (slash) {
			strcpy(slash + 1, XTCPIZE_LIBNAME);
			if (access(buf, R_OK) == 0)
				return buf;
		}
	}
	if (access(XTCPIZE_LIB, R_OK) == 0)
		return XTCPIZE_LIB;
	return NULL;
}

/* LD_PRELOAD=LIB, before whatever was preloaded already. */
static int set_preload(const char *lib)
{
	const char *old = getenv("LD_PRELOAD");
	char *val;
	int ret;

	if (!old || !*old)
		return setenv("LD_PRELOAD", lib, 1);
	if (asprintf(&val, "%s:%s", lib, old) < 0)
		return -1;
	ret = setenv("LD_PRELOAD", val, 1);
	free(val);
	return ret;
}

static int run(int argc, char **argv)
{
	char path[PATH_MAX], pid[24];
	const char *lib;
	int debug = 0;

	while (argc > 0 && argv[0][0] == '-') {
		if (!strcmp(argv[0], "--")) {
			argc--, argv++;
			break;
		}
		if (strcmp(argv[0], "-d"))
			return usage_error("run: unknown option '%s'", argv[0]);
		debug = 1;
		argc--, argv++;
	}
	if (argc < 1)
		return usage_error("run: missing %s", "CMD");

	lib = find_lib(path, sizeof(path));
	if (!lib) {
		fprintf(stderr, "xtcpize: " XTCPIZE_LIBNAME " not found next to xtcpize nor as %s\n",
			XTCPIZE_LIB);
		return EXIT_FAILURE;
	}
	if (set_preload(lib) ||
	    (debug && setenv(XTCPIZE_ENV_DEBUG, "1", 1))) {
		perror("xtcpize: setenv");
		return EXIT_FAILURE;
	}
	/* Said here, before the program starts; the library will not repeat it. */
	if (!xtcpize_find_proto(socket)) {
		xtcpize_warn_missing(xtcpize_env_on(XTCPIZE_ENV_FALLBACK));
		snprintf(pid, sizeof(pid), "%ld", (long)getpid());
		if (setenv(XTCPIZE_ENV_WARNED, pid, 1)) {
			perror("xtcpize: setenv");
			return EXIT_FAILURE;
		}
	}

	execvp(argv[0], argv);
	fprintf(stderr, "xtcpize: %s: %s\n", argv[0], strerror(errno));
	return errno == ENOENT || errno == ENOTDIR ? EXIT_NOTFOUND : EXIT_NOEXEC;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage_error("%s", "missing command");
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("xtcpize %s\n", XTCPIZE_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "run"))
		return run(argc - 2, argv + 2);
	return usage_error("unknown command '%s'", argv[1]);
}
