// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Lifetime bug reports: one format for every check, and a way for tests
 * to catch the reports they provoke on purpose.
 */

#include <linux/bug.h>
#include <linux/module.h>
#include <linux/printk.h>
#include <linux/spinlock.h>
#include <linux/stacktrace.h>

#include "report.h"

#include "internal.h"

static const char *const gc_report_names[GC_REPORT_NR] = {
	[GC_REPORT_DOUBLE_PUT] = "double put",
	[GC_REPORT_USE_AFTER_PUT] = "use after put",
	[GC_REPORT_LEAK] = "leaked reference",
	[GC_REPORT_FENCE_DROPPED] = "fence signaller dropped unsignalled",
	[GC_REPORT_FENCE_DOUBLE_SIGNAL] = "fence signalled twice",
	[GC_REPORT_FENCE_ORDER] = "fence signalled out of order",
	[GC_REPORT_BAD_HANDLE] = "bad handle",
	[GC_REPORT_NOT_UNIQUE] = "setup of a shared object",
	[GC_REPORT_STILL_HELD] = "object still held at device teardown",
};

/* Protects gc_catcher and the counts of the catcher it points at. */
static DEFINE_SPINLOCK(gc_catcher_lock);
static struct gc_report_catcher *gc_catcher;
static atomic_t gc_reports_total = ATOMIC_INIT(0);

#define GC_STACK_DEPTH	16

/* Caught reports are expected by a test: informational, not errors. */
static __printf(2, 3) void gc_print(bool caught, const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	if (caught)
		pr_info("%pV", &vaf);
	else
		pr_err("%pV", &vaf);
	va_end(args);
}

/**
 * gc_stack_save() - record the caller's stack in the stack depot
 * @gfp: allocation flags for the depot; GFP_NOWAIT where sleeping is not
 *	allowed
 *
 * Context: any.
 * Return: a stack depot handle, 0 if the stack could not be stored.
 */
depot_stack_handle_t gc_stack_save(gfp_t gfp)
{
	unsigned long entries[GC_STACK_DEPTH];
	unsigned int nr;

	nr = stack_trace_save(entries, ARRAY_SIZE(entries), 1);
	return stack_depot_save(entries, nr, gfp | __GFP_NOWARN);
}

/**
 * gc_report() - report a lifetime bug
 * @kind: what kind of bug
 * @stacks: the owners' stacks to print; may be NULL if @nr_stacks is 0
 * @nr_stacks: number of entries in @stacks
 * @fmt: printf format naming the object involved
 *
 * Prints "gpucore: BUG: <kind>: <message>", each recorded stack, then WARNs
 * with the caller's stack. While a &struct gc_report_catcher is active the
 * report is counted in it and printed at KERN_INFO as "gpucore: caught"
 * without a WARN.
 *
 * The caller must already have made the bug harmless (skipped the put,
 * the signal or the access).
 *
 * Context: any.
 */
void gc_report(enum gc_report_kind kind, const struct gc_report_stack *stacks,
	       unsigned int nr_stacks, const char *fmt, ...)
{
	const char *tag = "BUG";
	struct va_format vaf;
	unsigned long flags;
	unsigned int i;
	va_list args;
	bool caught = false;

	if (WARN_ON_ONCE(kind >= GC_REPORT_NR))
		return;

	atomic_inc(&gc_reports_total);
	spin_lock_irqsave(&gc_catcher_lock, flags);
	if (gc_catcher) {
		gc_catcher->count[kind]++;
		gc_catcher->stack[kind] = nr_stacks ? stacks[0].stack : 0;
		caught = true;
	}
	spin_unlock_irqrestore(&gc_catcher_lock, flags);
	if (caught)
		tag = "caught";

	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	gc_print(caught, "gpucore: %s: %s: %pV\n", tag, gc_report_names[kind], &vaf);
	va_end(args);

	for (i = 0; i < nr_stacks; i++) {
		gc_print(caught, "gpucore: %s at:%s\n", stacks[i].what,
			 stacks[i].stack ? "" : " (stack not recorded)");
		if (stacks[i].stack)
			stack_depot_print(stacks[i].stack);
	}
	WARN(!caught, "gpucore: %s\n", gc_report_names[kind]);
}

/**
 * gc_report_catch_begin() - start catching reports (tests only)
 * @catcher: where to count them; zeroed here
 *
 * Until gc_report_catch_end(), every report from any context is counted in
 * @catcher instead of WARNing. Catchers nest: the innermost counts.
 *
 * Context: process context.
 */
void gc_report_catch_begin(struct gc_report_catcher *catcher)
{
	memset(catcher, 0, sizeof(*catcher));
	spin_lock_irq(&gc_catcher_lock);
	catcher->prev = gc_catcher;
	gc_catcher = catcher;
	spin_unlock_irq(&gc_catcher_lock);
}
EXPORT_SYMBOL_NS_GPL(gc_report_catch_begin, GPUCORE_NS);

/**
 * gc_report_catch_end() - stop catching reports (tests only)
 * @catcher: the catcher passed to the matching gc_report_catch_begin()
 *
 * The previous catcher, if any, becomes active again. @catcher keeps its
 * counts.
 *
 * Context: process context.
 */
void gc_report_catch_end(struct gc_report_catcher *catcher)
{
	spin_lock_irq(&gc_catcher_lock);
	WARN_ON(gc_catcher != catcher);
	gc_catcher = catcher->prev;
	spin_unlock_irq(&gc_catcher_lock);
}
EXPORT_SYMBOL_NS_GPL(gc_report_catch_end, GPUCORE_NS);

/**
 * gc_report_total() - number of reports since gpucore was loaded (tests only)
 *
 * Description: counts caught reports too. Lets a test assert that a correct sequence of
 * calls reported nothing.
 *
 * Return: the number of reports so far.
 */
unsigned int gc_report_total(void)
{
	return atomic_read(&gc_reports_total);
}
EXPORT_SYMBOL_NS_GPL(gc_report_total, GPUCORE_NS);
