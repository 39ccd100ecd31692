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
#include <string.h>
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
#define BIT(n)		(1UL << (n))

static inline u64 div64_u64(u64 a, u64 b)
{
	return a / b;
}

static inline u64 div_u64(u64 a, u32 b)
{
	return a / b;
}

#define U64_MAX		UINT64_MAX
#define U32_MAX		UINT32_MAX
#define USEC_PER_SEC	1000000UL

#define min(a, b)	((a) < (b) ? (a) : (b))
#define max(a, b)	((a) > (b) ? (a) : (b))
#define min_t(t, a, b)	min((t)(a), (t)(b))
#define max_t(t, a, b)	max((t)(a), (t)(b))

/* <linux/random.h>'s, for bbr.c; rand() is enough for a test. */
u32 get_random_u32_below(u32 ceil);

/*
 * <linux/win_minmax.h> (lib/win_minmax.c, Kathleen Nichols' windowed
 * max), for bbr.c: the best, second and third best samples of the
 * window; written again for user space in unit_pure.c.
 */
struct minmax_sample {
	u32	t;
	u32	v;
};

struct minmax {
	struct minmax_sample s[3];
};

static inline u32 minmax_get(const struct minmax *m)
{
	return m->s[0].v;
}

u32 minmax_running_max(struct minmax *m, u32 win, u32 t, u32 meas);

#endif /* _XTCP_KSHIM_H */
