// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* Helpers shared by gpucore's KUnit suites. */

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/stackdepot.h>
#include <linux/string.h>

#include <gpucore/compat.h>

#include "gc_test.h"

int gc_test_init(struct kunit *test)
{
	struct gc_report_catcher *catcher;

	catcher = kunit_kzalloc(test, sizeof(*catcher), GFP_KERNEL);
	if (!catcher)
		return -ENOMEM;
	gc_report_catch_begin(catcher);
	test->priv = catcher;
	return 0;
}

void gc_test_exit(struct kunit *test)
{
	gc_report_catch_end(gc_test_catcher(test));
}

void gc_expect_no_reports(struct kunit *test)
{
	unsigned int kind;

	for (kind = 0; kind < GC_REPORT_NR; kind++)
		KUNIT_EXPECT_EQ_MSG(test, GC_REPORTS(test, kind), 0u, "report kind %u", kind);
}

bool gc_report_stack_has(struct kunit *test, enum gc_report_kind kind, const char *fn)
{
	depot_stack_handle_t stack = gc_test_catcher(test)->stack[kind];
	char *buf;
	bool found;

	if (!stack)
		return false;
	buf = kunit_kzalloc(test, 4096, GFP_KERNEL);
	if (!buf)
		return false;
	stack_depot_snprint(stack, buf, 4096, 0);
	found = strstr(buf, fn);
	kunit_kfree(test, buf);
	return found;
}

static const char *gc_test_foreign_name(struct dma_fence *fence)
{
	return "foreign";
}

static const struct dma_fence_ops gc_test_foreign_ops = {
	.get_driver_name = gc_test_foreign_name,
	.get_timeline_name = gc_test_foreign_name,
};

struct gc_test_foreign {
	struct dma_fence base;
	spinlock_t lock;	/* the dma_fence lock */
};

struct dma_fence *gc_test_foreign_fence(struct kunit *test)
{
	struct gc_test_foreign *f = kzalloc(sizeof(*f), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, f);
	spin_lock_init(&f->lock);
	dma_fence_init(&f->base, &gc_test_foreign_ops, &f->lock,
		       dma_fence_context_alloc(1), 1);
	return &f->base;
}

MODULE_IMPORT_NS(GPUCORE_NS);
MODULE_DESCRIPTION("KUnit tests for gpucore");
MODULE_LICENSE("Dual MIT/GPL");

/*
 * failslab's "ignore-gfp-wait" knob exists only as a debugfs file, whose
 * inode points at the flag itself (debugfs_create_bool()): set it there,
 * without going through a mount of debugfs that the test kernel lacks.
 */
bool gc_test_fail_sleeping(bool on)
{
#if IS_ENABLED(CONFIG_FAILSLAB) && IS_ENABLED(CONFIG_FAULT_INJECTION_DEBUG_FS)
	struct dentry *dir, *knob;

	dir = debugfs_lookup("failslab", NULL);
	if (IS_ERR_OR_NULL(dir))
		return false;
	knob = debugfs_lookup("ignore-gfp-wait", dir);
	dput(dir);
	if (IS_ERR_OR_NULL(knob))
		return false;
	WRITE_ONCE(*(bool *)d_inode(knob)->i_private, !on);
	dput(knob);
	return true;
#else
	return false;
#endif
}
