// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Fence ownership rules: signallers, waiter references, timelines, and
 * the bugs they turn into reports. Catalogue entry 1 (a fence used after
 * its last put while waiting on it) is fence_catalogue_1_wait_after_put.
 */

#include <linux/delay.h>
#include <linux/slab.h>
#include <linux/sync_file.h>
#include <linux/file.h>
#include <linux/rcupdate.h>
#include <linux/workqueue.h>

#include <gpucore/fence.h>

#include "gc_test.h"

static struct gc_timeline *fence_test_timeline(struct kunit *test)
{
	struct gc_timeline *tl = gc_timeline_create("gc-test", "kunit", NULL);

	KUNIT_ASSERT_FALSE(test, IS_ERR(tl));
	return tl;
}

static void fence_create_signal(struct kunit *test)
{
	struct gc_timeline *tl = fence_test_timeline(test);
	struct gc_fence_signaller sig = gc_fence_create(tl, GFP_KERNEL);
	struct gc_fence_ref ref;
	struct dma_fence *f;

	KUNIT_ASSERT_FALSE(test, gc_is_err(sig));
	ref = gc_fence_signaller_fence(&sig);
	f = gc_fence_borrow(&ref);
	KUNIT_ASSERT_NOT_NULL(test, f);
	KUNIT_EXPECT_TRUE(test, gc_is_fence(f));
	KUNIT_EXPECT_FALSE(test, dma_fence_is_signaled(f));
	KUNIT_EXPECT_EQ(test, gc_fence_signal(&sig), 0);
	KUNIT_EXPECT_NULL(test, sig.ptr);
	KUNIT_EXPECT_TRUE(test, dma_fence_is_signaled(f));
	KUNIT_EXPECT_EQ(test, dma_fence_get_status(f), 1);
	KUNIT_EXPECT_EQ(test, gc_fence_refcount(f), 1u);
	gc_fence_put(&ref);
	KUNIT_EXPECT_NULL(test, ref.ptr);
	gc_timeline_put(tl);
	gc_expect_no_reports(test);
}

static void fence_timeline_seqnos(struct kunit *test)
{
	struct gc_timeline *tl = fence_test_timeline(test);
	struct gc_fence_signaller a = gc_fence_create(tl, GFP_KERNEL);
	struct gc_fence_signaller b = gc_fence_create(tl, GFP_KERNEL);
	struct gc_fence_ref fa = gc_fence_signaller_fence(&a);
	struct gc_fence_ref fb = gc_fence_signaller_fence(&b);

	KUNIT_EXPECT_EQ(test, fa.ptr->context, gc_timeline_context(tl));
	KUNIT_EXPECT_EQ(test, fb.ptr->context, gc_timeline_context(tl));
	KUNIT_EXPECT_EQ(test, gc_fence_signaller_seqno(&b), gc_fence_signaller_seqno(&a) + 1);
	KUNIT_EXPECT_TRUE(test, dma_fence_is_later(fb.ptr, fa.ptr));
	gc_fence_signal(&a);
	gc_fence_signal(&b);
	gc_fence_put(&fa);
	gc_fence_put(&fb);
	gc_timeline_put(tl);
	gc_expect_no_reports(test);
}

static void fence_signal_error(struct kunit *test)
{
	struct gc_timeline *tl = fence_test_timeline(test);
	struct gc_fence_signaller sig = gc_fence_create(tl, GFP_KERNEL);
	struct gc_fence_ref ref = gc_fence_signaller_fence(&sig);

	KUNIT_EXPECT_EQ(test, gc_fence_signal_error(&sig, -ETIMEDOUT), 0);
	KUNIT_EXPECT_EQ(test, dma_fence_get_status(gc_fence_borrow(&ref)), -ETIMEDOUT);
	gc_fence_put(&ref);
	gc_timeline_put(tl);
	gc_expect_no_reports(test);
}

static void fence_signal_error_rejects_non_errno(struct kunit *test)
{
	struct gc_timeline *tl = fence_test_timeline(test);
	struct gc_fence_signaller sig = gc_fence_create(tl, GFP_KERNEL);
	struct gc_fence_ref ref = gc_fence_signaller_fence(&sig);

	KUNIT_EXPECT_EQ(test, gc_fence_signal_error(&sig, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, gc_fence_signal_error(&sig, 5), -EINVAL);
	KUNIT_EXPECT_EQ(test, gc_fence_signal_error(&sig, -MAX_ERRNO - 1), -EINVAL);
	/* The signaller is untouched and still signals. */
	KUNIT_EXPECT_FALSE(test, dma_fence_is_signaled(gc_fence_borrow(&ref)));
	KUNIT_EXPECT_EQ(test, gc_fence_signal(&sig), 0);
	gc_fence_put(&ref);
	gc_timeline_put(tl);
	gc_expect_no_reports(test);
}

static void fence_double_signal(struct kunit *test)
{
	struct gc_timeline *tl = fence_test_timeline(test);
	struct gc_fence_signaller sig = gc_fence_create(tl, GFP_KERNEL);

	KUNIT_EXPECT_EQ(test, gc_fence_signal(&sig), 0);
	KUNIT_EXPECT_EQ(test, gc_fence_signal(&sig), -EINVAL);
	KUNIT_EXPECT_EQ(test, GC_REPORTS(test, GC_REPORT_FENCE_DOUBLE_SIGNAL), 1u);
	gc_timeline_put(tl);
}

static void fence_double_signal_through_copy(struct kunit *test)
{
	struct gc_timeline *tl = fence_test_timeline(test);
	struct gc_fence_signaller sig = gc_fence_create(tl, GFP_KERNEL);
	struct gc_fence_signaller copy = sig;	/* the bug: a second owner */
	struct gc_fence_ref ref = gc_fence_signaller_fence(&sig);

	GC_NEED_TRACKING(test);
	KUNIT_EXPECT_EQ(test, gc_fence_signal(&sig), 0);
	/* The fence was signalled once and its refcount is intact. */
	KUNIT_EXPECT_EQ(test, gc_fence_signal(&copy), -EINVAL);
	KUNIT_EXPECT_EQ(test, GC_REPORTS(test, GC_REPORT_FENCE_DOUBLE_SIGNAL), 1u);
	KUNIT_EXPECT_EQ(test, gc_fence_refcount(gc_fence_borrow(&ref)), 1u);
	gc_fence_put(&ref);
	gc_timeline_put(tl);
}

static void fence_signalled_behind_signallers_back(struct kunit *test)
{
	struct gc_timeline *tl = fence_test_timeline(test);
	struct gc_fence_signaller sig = gc_fence_create(tl, GFP_KERNEL);
	struct gc_fence_ref ref = gc_fence_signaller_fence(&sig);

	dma_fence_signal(gc_fence_borrow(&ref));
	KUNIT_EXPECT_EQ(test, gc_fence_signal(&sig), -EINVAL);
	KUNIT_EXPECT_EQ(test, GC_REPORTS(test, GC_REPORT_FENCE_DOUBLE_SIGNAL), 1u);
	KUNIT_EXPECT_EQ(test, gc_fence_refcount(gc_fence_borrow(&ref)), 1u);
	gc_fence_put(&ref);
	gc_timeline_put(tl);
}

static noinline struct gc_fence_signaller fence_lost_creator(struct gc_timeline *tl)
{
	return gc_fence_create(tl, GFP_KERNEL);
}

static void fence_dropped_signaller_cancels(struct kunit *test)
{
	struct gc_timeline *tl = fence_test_timeline(test);
	struct gc_fence_ref ref;

	{
		struct gc_fence_signaller sig __free(gc_fence_signaller_drop) =
			fence_lost_creator(tl);

		ref = gc_fence_signaller_fence(&sig);
		/* The bug: this scope ends without signalling. */
	}
	KUNIT_EXPECT_EQ(test, GC_REPORTS(test, GC_REPORT_FENCE_DROPPED), 1u);
	if (IS_ENABLED(CONFIG_DRM_GPUCORE_DEBUG))
		KUNIT_EXPECT_TRUE(test, gc_report_stack_has(test, GC_REPORT_FENCE_DROPPED,
							    "fence_lost_creator"));
	/* No waiter hangs: the fence completed with -ECANCELED. */
	KUNIT_EXPECT_EQ(test, dma_fence_get_status(gc_fence_borrow(&ref)), -ECANCELED);
	KUNIT_EXPECT_EQ(test, gc_fence_refcount(gc_fence_borrow(&ref)), 1u);
	gc_fence_put(&ref);
	gc_timeline_put(tl);
}

static void fence_drop_after_signal_is_silent(struct kunit *test)
{
	struct gc_timeline *tl = fence_test_timeline(test);

	{
		struct gc_fence_signaller sig __free(gc_fence_signaller_drop) =
			gc_fence_create(tl, GFP_KERNEL);

		gc_fence_signal(&sig);
	}
	{
		struct gc_fence_signaller failed __free(gc_fence_signaller_drop) =
			gc_fence_create(NULL, GFP_KERNEL);

		KUNIT_EXPECT_TRUE(test, gc_is_err(failed));
		KUNIT_EXPECT_EQ(test, gc_err(failed), -EINVAL);
	}
	gc_timeline_put(tl);
	gc_expect_no_reports(test);
}

static void fence_out_of_order(struct kunit *test)
{
	struct gc_timeline *tl = fence_test_timeline(test);
	struct gc_fence_signaller a = gc_fence_create(tl, GFP_KERNEL);
	struct gc_fence_signaller b = gc_fence_create(tl, GFP_KERNEL);
	struct gc_fence_ref fa = gc_fence_signaller_fence(&a);

	gc_fence_signal(&b);
	gc_expect_no_reports(test);
	gc_fence_signal(&a);
	KUNIT_EXPECT_EQ(test, GC_REPORTS(test, GC_REPORT_FENCE_ORDER), 1u);
	/* Reported, but still signalled: no waiter is left behind. */
	KUNIT_EXPECT_TRUE(test, dma_fence_is_signaled(gc_fence_borrow(&fa)));
	gc_fence_put(&fa);
	gc_timeline_put(tl);
}

static void fence_error_may_complete_early(struct kunit *test)
{
	struct gc_timeline *tl = fence_test_timeline(test);
	struct gc_fence_signaller a = gc_fence_create(tl, GFP_KERNEL);
	struct gc_fence_signaller b = gc_fence_create(tl, GFP_KERNEL);
	struct gc_fence_signaller c = gc_fence_create(tl, GFP_KERNEL);

	gc_fence_signal_error(&b, -ECANCELED);
	gc_fence_signal(&a);
	gc_fence_signal(&c);
	gc_timeline_put(tl);
	gc_expect_no_reports(test);
}

static void fence_outlives_timeline(struct kunit *test)
{
	struct gc_timeline *tl = gc_timeline_create("a-very-long-driver-name",
						    "a-timeline-name-longer-than-thirty-two-bytes",
						    NULL);
	struct gc_fence_signaller sig;
	struct gc_fence_ref ref;
	struct dma_fence *f;

	KUNIT_ASSERT_FALSE(test, IS_ERR(tl));
	sig = gc_fence_create(tl, GFP_KERNEL);
	ref = gc_fence_signaller_fence(&sig);
	/* The creator goes away with the fence in flight. */
	gc_timeline_put(tl);
	KUNIT_EXPECT_EQ(test, gc_fence_signal(&sig), 0);
	/* Past every grace period: the fence keeps the timeline's names (KASAN). */
	rcu_barrier();
	f = gc_fence_borrow(&ref);
	KUNIT_EXPECT_STREQ(test, f->ops->get_driver_name(f), "a-very-long-dri");
	KUNIT_EXPECT_STREQ(test, f->ops->get_timeline_name(f),
			   "a-timeline-name-longer-than-thi");
	gc_fence_put(&ref);
	gc_expect_no_reports(test);
}

static void fence_timeline_bad_args(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, PTR_ERR(gc_timeline_create(NULL, "x", NULL)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(gc_timeline_create("x", NULL, NULL)), -EINVAL);
	gc_timeline_put(NULL);
}

static void fence_create_enomem_owns_nothing(struct kunit *test)
{
	struct gc_timeline *tl = fence_test_timeline(test);
	struct gc_fence_signaller sig;

	if (!gc_test_fail_nth(1))
		kunit_skip(test, "needs CONFIG_FAILSLAB");
	sig = gc_fence_create(tl, GFP_NOWAIT);
	gc_test_fail_nth(0);
	KUNIT_EXPECT_TRUE(test, gc_is_err(sig));
	KUNIT_EXPECT_EQ(test, gc_err(sig), -ENOMEM);
	gc_fence_signaller_drop(&sig);
	KUNIT_EXPECT_NULL(test, sig.ptr);
	gc_timeline_put(tl);
	gc_expect_no_reports(test);
}

static void fence_put_clears_handle(struct kunit *test)
{
	struct dma_fence *foreign = gc_test_foreign_fence(test);
	struct gc_fence_ref ref = gc_fence_get(foreign);

	KUNIT_EXPECT_EQ(test, gc_fence_refcount(foreign), 2u);
	gc_fence_put(&ref);
	KUNIT_EXPECT_NULL(test, ref.ptr);
	gc_fence_put(&ref);	/* a no-op, not a second put */
	KUNIT_EXPECT_EQ(test, gc_fence_refcount(foreign), 1u);
	KUNIT_EXPECT_NULL(test, gc_fence_borrow(&ref));
	KUNIT_EXPECT_EQ(test, gc_fence_wait(&ref, false, 1), -EINVAL);
	dma_fence_signal(foreign);
	dma_fence_put(foreign);
	gc_expect_no_reports(test);
}

static void fence_double_put_through_copy(struct kunit *test)
{
	struct dma_fence *foreign = gc_test_foreign_fence(test);
	struct gc_fence_ref ref = gc_fence_get(foreign);
	struct gc_fence_ref copy = ref;	/* the bug: two owners of one ref */

	GC_NEED_TRACKING(test);
	gc_fence_put(&ref);
	gc_fence_put(&copy);
	KUNIT_EXPECT_EQ(test, GC_REPORTS(test, GC_REPORT_DOUBLE_PUT), 1u);
	KUNIT_EXPECT_TRUE(test, gc_report_stack_has(test, GC_REPORT_DOUBLE_PUT,
						    "fence_double_put_through_copy"));
	/* The second put did not reach the refcount. */
	KUNIT_EXPECT_EQ(test, gc_fence_refcount(foreign), 1u);
	dma_fence_signal(foreign);
	dma_fence_put(foreign);
}

static void fence_move_transfers(struct kunit *test)
{
	struct dma_fence *foreign = gc_test_foreign_fence(test);
	struct gc_fence_ref a = gc_fence_get(foreign);
	struct gc_fence_ref b = gc_move(&a);

	KUNIT_EXPECT_NULL(test, a.ptr);
	KUNIT_EXPECT_PTR_EQ(test, gc_fence_borrow(&b), foreign);
	gc_fence_put(&a);
	KUNIT_EXPECT_EQ(test, gc_fence_refcount(foreign), 2u);
	gc_fence_put(&b);
	KUNIT_EXPECT_EQ(test, gc_fence_refcount(foreign), 1u);
	dma_fence_put(foreign);
	gc_expect_no_reports(test);
}

static void fence_scope_cleanup(struct kunit *test)
{
	struct dma_fence *foreign = gc_test_foreign_fence(test);

	{
		struct gc_fence_ref ref __free(gc_fence_put) = gc_fence_get(foreign);

		KUNIT_EXPECT_EQ(test, gc_fence_refcount(foreign), 2u);
	}
	KUNIT_EXPECT_EQ(test, gc_fence_refcount(foreign), 1u);
	dma_fence_put(foreign);
	gc_expect_no_reports(test);
}

static void fence_adopt_and_into_raw(struct kunit *test)
{
	struct dma_fence *foreign = gc_test_foreign_fence(test);
	struct gc_fence_ref ref = gc_fence_adopt(dma_fence_get(foreign));
	struct dma_fence *raw;

	KUNIT_EXPECT_EQ(test, gc_fence_refcount(foreign), 2u);
	raw = gc_fence_into_raw(&ref);
	KUNIT_EXPECT_PTR_EQ(test, raw, foreign);
	KUNIT_EXPECT_NULL(test, ref.ptr);
	KUNIT_EXPECT_EQ(test, gc_fence_refcount(foreign), 2u);
	dma_fence_put(raw);
	KUNIT_EXPECT_NULL(test, gc_fence_adopt(NULL).ptr);
	KUNIT_EXPECT_NULL(test, gc_fence_get(NULL).ptr);
	dma_fence_put(foreign);
	gc_expect_no_reports(test);
}

static void fence_held_by_sync_file(struct kunit *test)
{
	struct gc_timeline *tl = fence_test_timeline(test);
	struct gc_fence_signaller sig = gc_fence_create(tl, GFP_KERNEL);
	struct gc_fence_ref ref = gc_fence_signaller_fence(&sig);
	struct gc_fence_ref held;
	struct sync_file *file;

	file = sync_file_create(gc_fence_borrow(&ref));
	KUNIT_ASSERT_NOT_NULL(test, file);
	gc_fence_put(&ref);
	gc_timeline_put(tl);
	/* A fence reached through a sync_file goes in the same handle type. */
	held = gc_fence_get(file->fence);
	KUNIT_EXPECT_TRUE(test, gc_is_fence(gc_fence_borrow(&held)));
	gc_fence_signal(&sig);
	KUNIT_EXPECT_EQ(test, gc_fence_wait(&held, false, HZ), (long)HZ);
	fput(file->file);
	KUNIT_EXPECT_EQ(test, dma_fence_get_status(gc_fence_borrow(&held)), 1);
	gc_fence_put(&held);
	gc_expect_no_reports(test);
}

struct fence_delayed_signal {
	struct delayed_work work;
	struct gc_fence_signaller sig;
};

static void fence_delayed_signal_fn(struct work_struct *work)
{
	struct fence_delayed_signal *d =
		container_of(to_delayed_work(work), struct fence_delayed_signal, work);

	gc_fence_signal(&d->sig);
}

static void fence_wait_on_ref(struct kunit *test)
{
	struct gc_timeline *tl = fence_test_timeline(test);
	struct fence_delayed_signal d = { .sig = gc_fence_create(tl, GFP_KERNEL) };
	struct gc_fence_ref ref = gc_fence_signaller_fence(&d.sig);

	KUNIT_EXPECT_EQ(test, gc_fence_wait(&ref, false, 1), 0L);
	INIT_DELAYED_WORK_ONSTACK(&d.work, fence_delayed_signal_fn);
	schedule_delayed_work(&d.work, 2);
	KUNIT_EXPECT_GT(test, gc_fence_wait(&ref, false, 10 * HZ), 0L);
	flush_delayed_work(&d.work);
	destroy_delayed_work_on_stack(&d.work);
	gc_fence_put(&ref);
	gc_timeline_put(tl);
	gc_expect_no_reports(test);
}

/*
 * Catalogue 1: a waiter puts its fence, then reads the fence's error. With
 * an owned handle the put empties the handle, so the read finds nothing;
 * through a stale copy of the handle the read is reported instead of
 * touching the freed fence.
 */
static void fence_catalogue_1_wait_after_put(struct kunit *test)
{
	struct gc_timeline *tl = fence_test_timeline(test);
	struct gc_fence_signaller sig = gc_fence_create(tl, GFP_KERNEL);
	struct gc_fence_ref ref = gc_fence_signaller_fence(&sig);
	struct gc_fence_ref stale = ref;

	GC_NEED_TRACKING(test);
	gc_fence_signal_error(&sig, -EIO);
	KUNIT_EXPECT_GT(test, gc_fence_wait(&ref, false, HZ), 0L);
	gc_fence_put(&ref);	/* the last reference: the fence is freed */
	KUNIT_EXPECT_NULL(test, gc_fence_borrow(&ref));
	KUNIT_EXPECT_NULL(test, gc_fence_borrow(&stale));
	KUNIT_EXPECT_EQ(test, gc_fence_wait(&stale, false, HZ), -EINVAL);
	KUNIT_EXPECT_EQ(test, GC_REPORTS(test, GC_REPORT_USE_AFTER_PUT), 2u);
	gc_timeline_put(tl);
}

static void fence_leak_reported_at_scope_end(struct kunit *test)
{
	struct gc_track_dir dir;
	struct gc_timeline *tl;
	struct gc_fence_signaller sig;
	struct gc_fence_ref leaked;

	GC_NEED_TRACKING(test);
	gc_track_dir_init(&dir, "kunit device");
	tl = gc_timeline_create("gc-test", "scoped", &dir);
	KUNIT_ASSERT_FALSE(test, IS_ERR(tl));
	sig = gc_fence_create(tl, GFP_KERNEL);
	leaked = gc_fence_signaller_fence(&sig);
	gc_fence_signal(&sig);
	gc_timeline_put(tl);
	/* The device goes away while a reference to one of its fences is held. */
	KUNIT_EXPECT_EQ(test, gc_track_dir_exit(&dir), 1u);
	KUNIT_EXPECT_EQ(test, GC_REPORTS(test, GC_REPORT_LEAK), 1u);
	KUNIT_EXPECT_TRUE(test, gc_report_stack_has(test, GC_REPORT_LEAK,
						    "fence_leak_reported_at_scope_end"));
	/* The late put is still safe. */
	gc_fence_put(&leaked);
	KUNIT_EXPECT_EQ(test, GC_REPORTS(test, GC_REPORT_DOUBLE_PUT), 0u);
}

static void fence_lost_signaller_reported_at_scope_end(struct kunit *test)
{
	struct gc_track_dir dir;
	struct gc_timeline *tl;
	struct gc_fence_signaller sig;

	GC_NEED_TRACKING(test);
	gc_track_dir_init(&dir, "kunit file");
	tl = gc_timeline_create("gc-test", "scoped", &dir);
	KUNIT_ASSERT_FALSE(test, IS_ERR(tl));
	sig = gc_fence_create(tl, GFP_KERNEL);
	KUNIT_EXPECT_EQ(test, gc_track_dir_exit(&dir), 1u);
	KUNIT_EXPECT_EQ(test, GC_REPORTS(test, GC_REPORT_LEAK), 1u);
	KUNIT_EXPECT_EQ(test, gc_fence_signal(&sig), 0);
	gc_timeline_put(tl);
}

static struct kunit_case gc_fence_cases[] = {
	KUNIT_CASE(fence_create_signal),
	KUNIT_CASE(fence_timeline_seqnos),
	KUNIT_CASE(fence_signal_error),
	KUNIT_CASE(fence_signal_error_rejects_non_errno),
	KUNIT_CASE(fence_double_signal),
	KUNIT_CASE(fence_double_signal_through_copy),
	KUNIT_CASE(fence_signalled_behind_signallers_back),
	KUNIT_CASE(fence_dropped_signaller_cancels),
	KUNIT_CASE(fence_drop_after_signal_is_silent),
	KUNIT_CASE(fence_out_of_order),
	KUNIT_CASE(fence_error_may_complete_early),
	KUNIT_CASE(fence_outlives_timeline),
	KUNIT_CASE(fence_timeline_bad_args),
	KUNIT_CASE(fence_create_enomem_owns_nothing),
	KUNIT_CASE(fence_put_clears_handle),
	KUNIT_CASE(fence_double_put_through_copy),
	KUNIT_CASE(fence_move_transfers),
	KUNIT_CASE(fence_scope_cleanup),
	KUNIT_CASE(fence_adopt_and_into_raw),
	KUNIT_CASE(fence_held_by_sync_file),
	KUNIT_CASE(fence_wait_on_ref),
	KUNIT_CASE(fence_catalogue_1_wait_after_put),
	KUNIT_CASE(fence_leak_reported_at_scope_end),
	KUNIT_CASE(fence_lost_signaller_reported_at_scope_end),
	{}
};

static struct kunit_suite gc_fence_suite = {
	.name = "gpucore_fence",
	.init = gc_test_init,
	.exit = gc_test_exit,
	.test_cases = gc_fence_cases,
};

kunit_test_suite(gc_fence_suite);
