/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Lifetime bug reports: gpucore's own, and the catcher its tests use. Not
 * part of the API: drivers see the reports in the kernel log only.
 */
#ifndef _GPUCORE_REPORT_H_
#define _GPUCORE_REPORT_H_

#include <linux/stackdepot.h>
#include <linux/types.h>

/**
 * DOC: reports
 *
 * When gpucore catches a lifetime bug it prints one report: a line naming
 * the bug and the object, the stacks of the owners involved (who took the
 * reference, who released it, who created the fence), then a WARN with the
 * stack of the offending call. The bug does no damage: the offending put,
 * signal or access is not carried out.
 *
 * A test that injects a bug on purpose catches its reports with
 * gc_report_catch_begin(): they are counted per kind and printed at
 * KERN_INFO level with "caught" in place of "BUG", so a log checker can
 * tell them from real bugs. The catcher is exported for gpucore's tests
 * (KUnit, the VM tests' module, the minimal driver's smoke test) only;
 * they include this header by its path in gpucore's sources.
 */

/**
 * enum gc_report_kind - the lifetime bugs gpucore reports
 * @GC_REPORT_DOUBLE_PUT: an owned reference was put twice, through a copy
 *	of its handle
 * @GC_REPORT_USE_AFTER_PUT: a handle was used after its reference was put
 * @GC_REPORT_LEAK: an owned reference was still held when its scope ended
 * @GC_REPORT_FENCE_DROPPED: a fence's signaller was dropped without
 *	signalling it
 * @GC_REPORT_FENCE_DOUBLE_SIGNAL: a fence was signalled twice
 * @GC_REPORT_FENCE_ORDER: a fence was signalled after a later fence of its
 *	timeline
 * @GC_REPORT_BAD_HANDLE: a handle did not point at a live object of its
 *	kind (corrupted, or never initialised)
 * @GC_REPORT_NOT_UNIQUE: a setup call reached an object that is already
 *	shared
 * @GC_REPORT_STILL_HELD: gc_device_fini() has waited its timeout for a
 *	queue or a VM that is still referenced
 * @GC_REPORT_NR: number of report kinds
 */
enum gc_report_kind {
	GC_REPORT_DOUBLE_PUT,
	GC_REPORT_USE_AFTER_PUT,
	GC_REPORT_LEAK,
	GC_REPORT_FENCE_DROPPED,
	GC_REPORT_FENCE_DOUBLE_SIGNAL,
	GC_REPORT_FENCE_ORDER,
	GC_REPORT_BAD_HANDLE,
	GC_REPORT_NOT_UNIQUE,
	GC_REPORT_STILL_HELD,
	GC_REPORT_NR
};

/**
 * struct gc_report_stack - one owner's stack in a report
 * @what: what the owner did ("taken", "released", "created")
 * @stack: the stack depot handle of the owner's stack; 0 when not recorded
 */
struct gc_report_stack {
	const char *what;
	depot_stack_handle_t stack;
};

/**
 * struct gc_report_catcher - reports expected by a test (tests only)
 * @count: reports caught so far, per &enum gc_report_kind
 * @stack: per kind, the first owner stack of the latest report (0 if none)
 * @prev: the catcher that was active before this one
 */
struct gc_report_catcher {
	unsigned int count[GC_REPORT_NR];
	depot_stack_handle_t stack[GC_REPORT_NR];
	struct gc_report_catcher *prev;
};

__printf(4, 5)
void gc_report(enum gc_report_kind kind, const struct gc_report_stack *stacks,
	       unsigned int nr_stacks, const char *fmt, ...);
depot_stack_handle_t gc_stack_save(gfp_t gfp);

/* For tests only. */
void gc_report_catch_begin(struct gc_report_catcher *catcher);
void gc_report_catch_end(struct gc_report_catcher *catcher);
unsigned int gc_report_total(void);

#endif /* _GPUCORE_REPORT_H_ */
