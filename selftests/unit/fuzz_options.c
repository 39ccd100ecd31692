// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target over the module's option parser, built from the
 * module's own options.c:
 *   clang -g -fsanitize=fuzzer,address -I. fuzz_options.c ../../module/options.c
 * It checks that parsing never reads outside the buffer (ASan) and that
 * what it reports is consistent.
 */
#include <stdlib.h>
#include <string.h>

#include "../../module/pure.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xtcp_opts o;
	uint8_t *copy;
	int rc;

	if (size > 40)
		size = 40;	/* the most a header can carry */
	copy = malloc(size ? size : 1);
	memcpy(copy, data, size);
	rc = xtcp_parse_options(copy, size, &o);
	if ((rc != 0) != (o.malformed != 0))
		abort();
	free(copy);
	return 0;
}
