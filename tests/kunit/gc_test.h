/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/* Helpers shared by gpucore's KUnit suites. */
#ifndef _GPUCORE_TEST_H_
#define _GPUCORE_TEST_H_

#include <kunit/test.h>
#include <linux/dma-fence.h>
#include <linux/sched.h>

#include "../../gpucore/report.h"

/*
 * Every gpucore suite uses gc_test_init/gc_test_exit: each test case runs
 * with a report catcher in test->priv, so reports a test provokes are
 * counted instead of WARNing, and every test can assert the exact reports
 * it expects (none, for a correct sequence of calls).
 */
int gc_test_init(struct kunit *test);
void gc_test_exit(struct kunit *test);

static inline struct gc_report_catcher *gc_test_catcher(struct kunit *test)
{
	return test->priv;
}

/* The number of reports of @kind the current test caught. */
#define GC_REPORTS(test, kind)	(gc_test_catcher(test)->count[kind])

/* Assert that the test caught no report of any kind so far. */
void gc_expect_no_reports(struct kunit *test);

/* Does the stack of the latest @kind report contain function @fn? */
bool gc_report_stack_has(struct kunit *test, enum gc_report_kind kind, const char *fn);

/* Skip the test unless owner tracking is built in. */
#define GC_NEED_TRACKING(test) do {						\
	if (!IS_ENABLED(CONFIG_DRM_GPUCORE_DEBUG))				\
		kunit_skip(test, "needs CONFIG_DRM_GPUCORE_DEBUG");		\
} while (0)

/* A minimal foreign dma_fence, like the ones other drivers create. */
struct dma_fence *gc_test_foreign_fence(struct kunit *test);

/*
 * Make the @nth next fault-injectable allocation of this task fail
 * (failslab honours GFP_NOWAIT allocations by default); 0 cancels. False
 * if the kernel has no fault injection: the caller skips.
 */
static inline bool gc_test_fail_nth(unsigned int nth)
{
#if IS_ENABLED(CONFIG_FAILSLAB)
	current->fail_nth = nth;
	return true;
#else
	return false;
#endif
}

/*
 * Let gc_test_fail_nth() reach sleeping (GFP_KERNEL) allocations too, or
 * (@on false) give failslab back its default of leaving them alone. False
 * if the kernel has no failslab knob to turn: the caller skips.
 */
bool gc_test_fail_sleeping(bool on);

static inline unsigned int gc_fence_refcount(struct dma_fence *f)
{
	return kref_read(&f->refcount);
}

/* References held on a BO's GEM object. */
#define gem_refs(bo)	kref_read(&(bo)->gem->refcount)

#endif /* _GPUCORE_TEST_H_ */
