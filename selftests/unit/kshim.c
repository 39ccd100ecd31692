// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel functions the module's pure files call, for user space
 * (kshim.h declares them): a random number, and the windowed max filter
 * of lib/win_minmax.c, which bbr.c keeps its bandwidth estimate in.
 */
#include <stdlib.h>

#include "kshim.h"

u32 get_random_u32_below(u32 ceil)
{
	return (u32)rand() % ceil;
}

/* Every sample the one measurement: a new window. */
static u32 minmax_reset(struct minmax *m, u32 t, u32 meas)
{
	struct minmax_sample val = { .t = t, .v = meas };

	m->s[2] = val;
	m->s[1] = val;
	m->s[0] = val;
	return meas;
}

/*
 * The best sample has aged out of @win: the second best moves up (and
 * the third, if the second aged out too); otherwise the second and
 * third are refreshed once a quarter and a half of the window passed,
 * so that each covers its own part of it.
 */
static u32 minmax_subwin_update(struct minmax *m, u32 win,
				const struct minmax_sample *val)
{
	u32 dt = val->t - m->s[0].t;

	if (dt > win) {
		m->s[0] = m->s[1];
		m->s[1] = m->s[2];
		m->s[2] = *val;
		if (val->t - m->s[0].t > win) {
			m->s[0] = m->s[1];
			m->s[1] = m->s[2];
			m->s[2] = *val;
		}
	} else if (m->s[1].t == m->s[0].t && dt > win / 4) {
		m->s[2] = *val;
		m->s[1] = *val;
	} else if (m->s[2].t == m->s[1].t && dt > win / 2) {
		m->s[2] = *val;
	}
	return m->s[0].v;
}

u32 minmax_running_max(struct minmax *m, u32 win, u32 t, u32 meas)
{
	struct minmax_sample val = { .t = t, .v = meas };

	if (meas >= m->s[0].v || val.t - m->s[2].t > win)
		return minmax_reset(m, t, meas);
	if (meas >= m->s[1].v) {
		m->s[2] = val;
		m->s[1] = val;
	} else if (meas >= m->s[2].v) {
		m->s[2] = val;
	}
	return minmax_subwin_update(m, win, &val);
}
