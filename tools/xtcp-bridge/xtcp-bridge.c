// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp-bridge: lets an xtcp host talk to unmodified TCP hosts through one
 * of its network devices.  Two tc programs (xtcp_bridge.bpf.c) rewrite
 * the IPv4 protocol number or the IPv6 next header of the flows named
 * here: xtcp's segments leave as TCP, and TCP segments to the named
 * local ports arrive as xtcp.  Everything else on the device is left
 * alone.
 *
 *   xtcp-bridge attach DEV --ports P[-Q][,...]
 *                          [--remotes A.B.C.D[/N],X:Y::Z[/N],...] [--proto N]
 *   xtcp-bridge detach DEV
 *   xtcp-bridge show [DEV]
 *
 * State lives in BPF maps pinned under /sys/fs/bpf/xtcp-bridge/ of PID
 * 1's mount namespace, one directory per device (named after the netns
 * and ifindex, since device names repeat across namespaces); attaching
 * again edits them.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <linux/magic.h>
#include <net/if.h>
#include <sched.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "xtcp_bridge.h"
#include "xtcp_bridge.skel.h"

#define BPFFS		"/sys/fs/bpf"
#define PIN_ROOT	BPFFS "/xtcp-bridge"
/* The tc filters' handle and priority on the clsact hooks: "XB". */
#define TC_HANDLE	0x5842
#define TC_PRIO		0x5842
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static const char *const map_names[] = {
	"bridge_cfg", "bridge_ports", "bridge_remotes", "bridge_remotes6",
	"bridge_stats",
};

static const char *const stat_names[XTCP_BRIDGE_STAT_MAX] = {
	[XTCP_BRIDGE_EGRESS_REWRITTEN]	= "egress_rewritten",
	[XTCP_BRIDGE_EGRESS_PASSED]	= "egress_passed",
	[XTCP_BRIDGE_EGRESS_GSO_DROPPED] = "egress_gso_dropped",
	[XTCP_BRIDGE_INGRESS_REWRITTEN]	= "ingress_rewritten",
	[XTCP_BRIDGE_INGRESS_PASSED]	= "ingress_passed",
	[XTCP_BRIDGE_ERRORS]		= "errors",
};

static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("xtcp-bridge: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void print_usage(FILE *f, int rc)
{
	fprintf(f,
		"usage: xtcp-bridge attach DEV --ports P[-Q][,...] [--remotes PREFIX,...] [--proto N]\n"
		"       xtcp-bridge detach DEV\n"
		"       xtcp-bridge show [DEV]\n"
		"Rewrites the IPv4 protocol or IPv6 next header of the named flows on\n"
		"DEV: xtcp's segments from the local ports leave as TCP, TCP segments\n"
		"to them arrive as xtcp.  PREFIX: A.B.C.D[/N] or an IPv6 X:Y::Z[/N];\n"
		"with --remotes, a flow of a family no PREFIX names is not bridged.\n");
	exit(rc);
}

/* The network namespace we run in, as its inode number. */
static unsigned long netns_id(void)
{
	struct stat st;

	if (stat("/proc/self/ns/net", &st))
		die("/proc/self/ns/net: %s", strerror(errno));
	return (unsigned long)st.st_ino;
}

static void pin_dir(char *buf, size_t len, unsigned int ifindex)
{
	snprintf(buf, len, PIN_ROOT "/%lu-%u", netns_id(), ifindex);
}

static void pin_path(char *buf, size_t len, unsigned int ifindex,
		     const char *map)
{
	char dir[PATH_MAX - 64];

	pin_dir(dir, sizeof(dir), ifindex);
	snprintf(buf, len, "%s/%s", dir, map);
}

/*
 * `ip netns exec` runs its command in a mount namespace of its own, with
 * a fresh /sys: a bpffs mounted or pinned there would be gone with it.
 * The pins live in the mount namespace of PID 1 instead, which every
 * `ip netns exec` starts from.  The network namespace is not changed.
 */
static void enter_init_mntns(void)
{
	struct stat self, init;
	int fd;

	if (stat("/proc/self/ns/mnt", &self) || stat("/proc/1/ns/mnt", &init) ||
	    self.st_ino == init.st_ino)
		return;
	fd = open("/proc/1/ns/mnt", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNS))
		die("cannot enter PID 1's mount namespace, where the pins are: %s",
		    strerror(errno));
	close(fd);
}

/* bpffs at /sys/fs/bpf, mounted if it is not (as bpftool does). */
static void ensure_bpffs(void)
{
	struct statfs sf;

	if (!statfs(BPFFS, &sf) && sf.f_type == BPF_FS_MAGIC)
		return;
	if (mount("bpf", BPFFS, "bpf", 0, "mode=0700"))
		die("cannot mount bpffs on " BPFFS ": %s", strerror(errno));
}

static unsigned int ifindex_of(const char *dev)
{
	unsigned int ifindex = if_nametoindex(dev);

	if (!ifindex)
		die("no device %s in this network namespace", dev);
	return ifindex;
}

/* xtcp's protocol number: --proto, else the loaded module's parameter. */
static int module_proto(void)
{
	FILE *f = fopen("/sys/module/xtcp/parameters/proto", "r");
	int proto = 0;

	if (!f)
		return 0;
	if (fscanf(f, "%d", &proto) != 1)
		proto = 0;
	fclose(f);
	return proto;
}

/* "P", "P-Q", comma-separated, into a 65536-entry bitmap. */
static void parse_ports(const char *spec, unsigned char *on)
{
	char *copy = strdup(spec), *tok, *save = NULL;

	if (!copy)
		die("out of memory");
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		char *end;
		long lo, hi, p;

		lo = strtol(tok, &end, 10);
		hi = lo;
		if (*end == '-')
			hi = strtol(end + 1, &end, 10);
		if (*end || end == tok || lo < 1 || hi > 65535 || lo > hi)
			die("bad port range '%s' (1-65535, P or P-Q)", tok);
		for (p = lo; p <= hi; p++)
			on[p] = 1;
	}
	free(copy);
}

/*
 * "A.B.C.D[/N]" into @k4 or "X:Y::Z[/N]" into @k6: AF_INET or AF_INET6,
 * whichever it is, or -1.
 */
static int parse_prefix(const char *tok, struct xtcp_bridge_prefix *k4,
			struct xtcp_bridge_prefix6 *k6)
{
	char addr[INET6_ADDRSTRLEN];
	const char *slash = strchr(tok, '/');
	size_t n = slash ? (size_t)(slash - tok) : strlen(tok);
	int family = memchr(tok, ':', n) ? AF_INET6 : AF_INET;
	long max = family == AF_INET6 ? 128 : 32, len = max;
	char *end;

	if (n >= sizeof(addr))
		return -1;
	memcpy(addr, tok, n);
	addr[n] = 0;
	if (inet_pton(family, addr,
		      family == AF_INET6 ? (void *)k6->addr : (void *)&k4->addr) != 1)
		return -1;
	if (slash) {
		len = strtol(slash + 1, &end, 10);
		if (*end || end == slash + 1 || len < 0 || len > max)
			return -1;
	}
	if (family == AF_INET6)
		k6->prefixlen = len;
	else
		k4->prefixlen = len;
	return family;
}

static int open_pinned(unsigned int ifindex, const char *map)
{
	char path[PATH_MAX];

	pin_path(path, sizeof(path), ifindex, map);
	return bpf_obj_get(path);
}

/*
 * The port map's 65536 bytes as @on, written (@write) or read in one
 * batch: a syscall per port is slow in an emulated guest.  One at a
 * time where the kernel has no batch operation for arrays (before 5.6).
 */
static int ports_batch(int pfd, unsigned char *on, int write)
{
	DECLARE_LIBBPF_OPTS(bpf_map_batch_opts, opts);
	static __u32 keys[65536];
	__u32 key, out, count = 65536;
	int err;

	for (key = 0; key < 65536; key++)
		keys[key] = key;
	if (write)
		err = bpf_map_update_batch(pfd, keys, on, &count, &opts);
	else
		err = bpf_map_lookup_batch(pfd, NULL, &out, keys, on, &count,
					   &opts);
	if ((!err || err == -ENOENT || errno == ENOENT) && count == 65536)
		return 0;
	for (key = 0; key < 65536; key++) {
		if (write && bpf_map_update_elem(pfd, &key, &on[key], BPF_ANY))
			return -1;
		if (!write && bpf_map_lookup_elem(pfd, &key, &on[key]))
			on[key] = 0;
	}
	return 0;
}

/* Every prefix out of the trie @fd, of either family (the larger key). */
static void empty_trie(int fd)
{
	struct xtcp_bridge_prefix6 next;

	while (!bpf_map_get_next_key(fd, NULL, &next))
		if (bpf_map_delete_elem(fd, &next))
			die("remotes map: %s", strerror(errno));
}

/* Replace the port set and the remote prefixes held in the maps. */
static void write_maps(unsigned int ifindex, unsigned char *ports,
		       const char *remotes, int proto)
{
	struct xtcp_bridge_cfg cfg = { .proto = proto };
	int cfd, pfd, rfd, r6fd;
	__u32 zero = 0;
	struct xtcp_bridge_prefix pk;
	struct xtcp_bridge_prefix6 pk6;
	__u8 one = 1;

	cfd = open_pinned(ifindex, "bridge_cfg");
	pfd = open_pinned(ifindex, "bridge_ports");
	rfd = open_pinned(ifindex, "bridge_remotes");
	r6fd = open_pinned(ifindex, "bridge_remotes6");
	if (cfd < 0 || pfd < 0 || rfd < 0 || r6fd < 0)
		die("cannot open the pinned maps: %s", strerror(errno));
	if (ports_batch(pfd, ports, 1))
		die("ports map: %s", strerror(errno));
	/* Empty both tries, then fill them. */
	empty_trie(rfd);
	empty_trie(r6fd);
	if (remotes) {
		char *copy = strdup(remotes), *tok, *save = NULL;

		if (!copy)
			die("out of memory");
		for (tok = strtok_r(copy, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save)) {
			int family = parse_prefix(tok, &pk, &pk6);

			if (family < 0)
				die("bad remote prefix '%s' (A.B.C.D[/N] or X:Y::Z[/N])",
				    tok);
			if (bpf_map_update_elem(family == AF_INET6 ? r6fd : rfd,
						family == AF_INET6 ? (void *)&pk6 :
								     (void *)&pk,
						&one, BPF_ANY))
				die("remotes map: %s", strerror(errno));
		}
		free(copy);
		cfg.remote_filter = 1;
	}
	/* Last: the programs act on the new sets from here on. */
	if (bpf_map_update_elem(cfd, &zero, &cfg, BPF_ANY))
		die("cfg map: %s", strerror(errno));
	close(cfd);
	close(pfd);
	close(rfd);
	close(r6fd);
}

static int tc_attach(unsigned int ifindex, int prog_fd,
		     enum bpf_tc_attach_point where)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
			    .attach_point = where);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .handle = TC_HANDLE,
			    .priority = TC_PRIO, .prog_fd = prog_fd,
			    .flags = BPF_TC_F_REPLACE);

	return bpf_tc_attach(&hook, &opts);
}

static void tc_detach(unsigned int ifindex, enum bpf_tc_attach_point where)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
			    .attach_point = where);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .handle = TC_HANDLE,
			    .priority = TC_PRIO);

	bpf_tc_detach(&hook, &opts);
}

static void cmd_attach(const char *dev, const char *ports_spec,
		       const char *remotes, int proto)
{
	static unsigned char ports[65536];
	unsigned int ifindex = ifindex_of(dev);
	char dir[PATH_MAX], path[PATH_MAX];
	struct xtcp_bridge *skel;
	size_t i;
	int err;

	if (!ports_spec)
		die("attach: which local ports? --ports P[-Q][,...] is required");
	parse_ports(ports_spec, ports);
	if (!proto)
		proto = module_proto();
	if (proto < 1 || proto > 255 || proto == 6)
		die("attach: xtcp's protocol number is unknown: load the module or give --proto N");

	ensure_bpffs();
	mkdir(PIN_ROOT, 0700);
	pin_dir(dir, sizeof(dir), ifindex);
	if (mkdir(dir, 0700) && errno != EEXIST)
		die("%s: %s", dir, strerror(errno));

	skel = xtcp_bridge__open();
	if (!skel)
		die("cannot open the BPF object: %s", strerror(errno));
	/* Maps pinned already (attached before) are reused, not replaced. */
	for (i = 0; i < ARRAY_SIZE(map_names); i++) {
		struct bpf_map *m =
			bpf_object__find_map_by_name(skel->obj, map_names[i]);

		pin_path(path, sizeof(path), ifindex, map_names[i]);
		if (!m || bpf_map__set_pin_path(m, path))
			die("map %s: cannot set its pin path", map_names[i]);
	}
	err = xtcp_bridge__load(skel);
	if (err)
		die("cannot load the BPF programs: %s", strerror(-err));

	{
		DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
				    .attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS);
		libbpf_print_fn_t print;

		/* EEXIST when attached before, which libbpf would warn of. */
		print = libbpf_set_print(NULL);
		err = bpf_tc_hook_create(&hook);
		libbpf_set_print(print);
		if (err && err != -EEXIST)
			die("%s: cannot create the clsact qdisc: %s", dev,
			    strerror(-err));
	}
	write_maps(ifindex, ports, remotes, proto);
	err = tc_attach(ifindex, bpf_program__fd(skel->progs.xtcp_bridge_egress),
			BPF_TC_EGRESS);
	if (!err)
		err = tc_attach(ifindex,
				bpf_program__fd(skel->progs.xtcp_bridge_ingress),
				BPF_TC_INGRESS);
	if (err) {
		tc_detach(ifindex, BPF_TC_EGRESS);
		die("%s: cannot attach the tc programs: %s", dev, strerror(-err));
	}
	xtcp_bridge__destroy(skel);
	printf("xtcp-bridge: %s: xtcp (protocol %d) <-> TCP for local ports %s%s%s\n",
	       dev, proto, ports_spec, remotes ? ", remotes " : "",
	       remotes ? remotes : "");
}

static void cmd_detach(const char *dev)
{
	unsigned int ifindex = ifindex_of(dev);
	char dir[PATH_MAX], path[PATH_MAX];
	size_t i;

	tc_detach(ifindex, BPF_TC_EGRESS);
	tc_detach(ifindex, BPF_TC_INGRESS);
	for (i = 0; i < ARRAY_SIZE(map_names); i++) {
		pin_path(path, sizeof(path), ifindex, map_names[i]);
		unlink(path);
	}
	pin_dir(dir, sizeof(dir), ifindex);
	if (rmdir(dir) && errno == ENOENT) {
		fprintf(stderr, "xtcp-bridge: %s was not bridged\n", dev);
		exit(1);
	}
}

/* Port runs as "a-b,c,...". */
static void print_ports(int pfd)
{
	static unsigned char on[65536];
	__u32 key;
	long start = -1;
	int first = 1;

	ports_batch(pfd, on, 0);
	for (key = 0; key <= 65536; key++) {
		__u8 v = key < 65536 ? on[key] : 0;

		if (v && start < 0)
			start = key;
		if (!v && start >= 0) {
			printf("%s%ld", first ? "" : ",", start);
			if ((long)key - 1 > start)
				printf("-%u", key - 1);
			first = 0;
			start = -1;
		}
	}
	if (first)
		printf("none");
}

/* The prefixes of both tries, IPv4's first, as "a/n,b/n,...". */
static void print_remotes(int rfd, int r6fd)
{
	struct xtcp_bridge_prefix k, *prev = NULL;
	struct xtcp_bridge_prefix6 k6, *prev6 = NULL;
	char a[INET6_ADDRSTRLEN];
	int n = 0;

	while (!bpf_map_get_next_key(rfd, prev, &k)) {
		inet_ntop(AF_INET, &k.addr, a, sizeof(a));
		printf("%s%s/%u", n++ ? "," : "", a, k.prefixlen);
		prev = &k;
	}
	while (r6fd >= 0 && !bpf_map_get_next_key(r6fd, prev6, &k6)) {
		inet_ntop(AF_INET6, k6.addr, a, sizeof(a));
		printf("%s%s/%u", n++ ? "," : "", a, k6.prefixlen);
		prev6 = &k6;
	}
}

static void show_one(unsigned int ifindex)
{
	char name[IF_NAMESIZE] = "?";
	struct xtcp_bridge_cfg cfg = { 0 };
	int cfd, pfd, rfd, r6fd, sfd, ncpu;
	__u32 key = 0, s;

	cfd = open_pinned(ifindex, "bridge_cfg");
	pfd = open_pinned(ifindex, "bridge_ports");
	rfd = open_pinned(ifindex, "bridge_remotes");
	/* Absent if attached by a version without IPv6: shown as none. */
	r6fd = open_pinned(ifindex, "bridge_remotes6");
	sfd = open_pinned(ifindex, "bridge_stats");
	if (cfd < 0 || pfd < 0 || rfd < 0 || sfd < 0)
		return;
	if_indextoname(ifindex, name);
	bpf_map_lookup_elem(cfd, &key, &cfg);
	printf("%s: xtcp protocol %u, local ports ", name, cfg.proto);
	print_ports(pfd);
	printf(", remotes ");
	print_remotes(rfd, r6fd);
	printf("%s\n", cfg.remote_filter ? "" : "any");
	ncpu = libbpf_num_possible_cpus();
	if (ncpu > 0) {
		__u64 *v = calloc(ncpu, sizeof(*v));

		for (s = 0; v && s < XTCP_BRIDGE_STAT_MAX; s++) {
			__u64 sum = 0;
			int c;

			if (bpf_map_lookup_elem(sfd, &s, v))
				continue;
			for (c = 0; c < ncpu; c++)
				sum += v[c];
			printf("  %s %llu\n", stat_names[s],
			       (unsigned long long)sum);
		}
		free(v);
	}
	close(cfd);
	close(pfd);
	close(rfd);
	if (r6fd >= 0)
		close(r6fd);
	close(sfd);
}

static void cmd_show(const char *dev)
{
	char prefix[32];
	struct dirent *de;
	DIR *d;

	if (dev) {
		show_one(ifindex_of(dev));
		return;
	}
	d = opendir(PIN_ROOT);
	if (!d)
		return;
	snprintf(prefix, sizeof(prefix), "%lu-", netns_id());
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, prefix, strlen(prefix)))
			show_one(strtoul(de->d_name + strlen(prefix), NULL, 10));
	closedir(d);
}

/* libbpf's warnings (why a load failed), not its chatter. */
static int libbpf_warnings(enum libbpf_print_level level, const char *fmt,
			   va_list ap)
{
	return level == LIBBPF_WARN ? vfprintf(stderr, fmt, ap) : 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "ports", required_argument, NULL, 'p' },
		{ "remotes", required_argument, NULL, 'r' },
		{ "proto", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *ports = NULL, *remotes = NULL, *cmd;
	int proto = 0, c;

	/* Options anywhere: "attach DEV --ports ..." as "attach --ports ... DEV". */
	while ((c = getopt_long(argc, argv, "p:r:P:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			ports = optarg;
			break;
		case 'r':
			remotes = optarg;
			break;
		case 'P':
			proto = atoi(optarg);
			break;
		case 'h':
			print_usage(stdout, 0);
			break;
		default:
			print_usage(stderr, 2);
		}
	}
	if (optind >= argc)
		print_usage(stderr, 2);
	cmd = argv[optind++];
	libbpf_set_print(libbpf_warnings);
	enter_init_mntns();
	if (!strcmp(cmd, "attach") && optind == argc - 1)
		cmd_attach(argv[optind], ports, remotes, proto);
	else if (!strcmp(cmd, "detach") && optind == argc - 1)
		cmd_detach(argv[optind]);
	else if (!strcmp(cmd, "show") && optind >= argc - 1)
		cmd_show(optind < argc ? argv[optind] : NULL);
	else
		print_usage(stderr, 2);
	return 0;
}
