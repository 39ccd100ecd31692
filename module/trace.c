// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp tracepoints: the one place they are defined (trace.h says what
 * each one carries; docs/tracepoints.md when it fires).
 */
#define CREATE_TRACE_POINTS
#include "trace.h"
