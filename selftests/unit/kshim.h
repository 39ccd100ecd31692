/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The few kernel types module/pure.h needs, for building the module's pure
 * logic in user space (unit tests and fuzz targets).
 */
#ifndef _XTCP_KSHIM_H
#define _XTCP_KSHIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <linux/types.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef int32_t s32;
typedef int64_t s64;
typedef uint64_t u64;

/* What <net/xtcp_cong.h> names of the kernel's, unused in user space. */
struct list_head {
	struct list_head *next, *prev;
};
struct module;

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define BUILD_BUG_ON(c)	_Static_assert(!(c), #c)

static inline u64 div64_u64(u64 a, u64 b)
{
	return a / b;
}

static inline u64 div_u64(u64 a, u32 b)
{
	return a / b;
}

#define U64_MAX		UINT64_MAX
#define USEC_PER_SEC	1000000UL

#endif /* _XTCP_KSHIM_H */
