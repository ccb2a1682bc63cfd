// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Fence sets, and catalogue entry 10: merge and get-fences paths must not
 * leak or read freed memory when an allocation fails. Failures are
 * injected with the task's fail_nth (failslab), then every refcount is
 * checked to be exactly what it was.
 */

#include <linux/dma-fence-array.h>
#include <linux/dma-resv.h>
#include <linux/irq_work.h>

#include <gpucore/compat.h>
#include <gpucore/fence_set.h>

#include "gc_test.h"

#define NR_FOREIGN	4

struct set_fixture {
	struct dma_fence *f[NR_FOREIGN];	/* distinct contexts */
	struct gc_fence_set set;
};

static void fixture_init(struct kunit *test, struct set_fixture *fx)
{
	unsigned int i;

	for (i = 0; i < NR_FOREIGN; i++)
		fx->f[i] = gc_test_foreign_fence(test);
	gc_fence_set_init(&fx->set);
}

static void fixture_fini(struct kunit *test, struct set_fixture *fx)
{
	unsigned int i;

	gc_fence_set_fini(&fx->set);
	for (i = 0; i < NR_FOREIGN; i++) {
		/* The set released everything it took. */
		KUNIT_EXPECT_EQ(test, gc_fence_refcount(fx->f[i]), 1u);
		dma_fence_signal(fx->f[i]);
		dma_fence_put(fx->f[i]);
	}
}

static void set_add_and_fini(struct kunit *test)
{
	struct set_fixture fx;
	unsigned int i;

	fixture_init(test, &fx);
	for (i = 0; i < NR_FOREIGN; i++)
		KUNIT_EXPECT_EQ(test, gc_fence_set_add(&fx.set, fx.f[i], GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, gc_fence_set_count(&fx.set), NR_FOREIGN);
	KUNIT_EXPECT_EQ(test, gc_fence_refcount(fx.f[0]), 2u);
	KUNIT_EXPECT_EQ(test, gc_fence_set_add(&fx.set, NULL, GFP_KERNEL), -EINVAL);
	fixture_fini(test, &fx);
	gc_expect_no_reports(test);
}

static void set_keeps_later_fence_of_context(struct kunit *test)
{
	struct gc_timeline *tl = gc_timeline_create("gc-test", "set", NULL);
	struct gc_fence_signaller a = gc_fence_create(tl, GFP_KERNEL);
	struct gc_fence_signaller b = gc_fence_create(tl, GFP_KERNEL);
	struct gc_fence_ref fa = gc_fence_signaller_fence(&a);
	struct gc_fence_ref fb = gc_fence_signaller_fence(&b);
	struct gc_fence_set set;

	gc_fence_set_init(&set);
	KUNIT_EXPECT_EQ(test, gc_fence_set_add(&set, fa.ptr, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, gc_fence_set_add(&set, fb.ptr, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, gc_fence_set_add(&set, fa.ptr, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, gc_fence_set_count(&set), 1u);
	KUNIT_EXPECT_PTR_EQ(test, set.refs[0].ptr, fb.ptr);
	KUNIT_EXPECT_EQ(test, gc_fence_refcount(fa.ptr), 2u);	/* a's signaller + fa */
	gc_fence_set_fini(&set);
	gc_fence_signal(&a);
	gc_fence_signal(&b);
	gc_fence_put(&fa);
	gc_fence_put(&fb);
	gc_timeline_put(tl);
	gc_expect_no_reports(test);
}

static void set_skips_signalled(struct kunit *test)
{
	struct set_fixture fx;

	fixture_init(test, &fx);
	dma_fence_signal(fx.f[0]);
	KUNIT_EXPECT_EQ(test, gc_fence_set_add(&fx.set, fx.f[0], GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, gc_fence_set_count(&fx.set), 0u);
	fixture_fini(test, &fx);
	gc_expect_no_reports(test);
}

static void set_unwraps_containers(struct kunit *test)
{
	struct set_fixture fx;
	struct gc_fence_set src;
	struct gc_fence_ref merged;

	fixture_init(test, &fx);
	gc_fence_set_init(&src);
	gc_fence_set_add(&src, fx.f[0], GFP_KERNEL);
	gc_fence_set_add(&src, fx.f[1], GFP_KERNEL);
	merged = gc_fence_set_merge(&src, GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, gc_is_err(merged));
	KUNIT_EXPECT_NOT_NULL(test, to_dma_fence_array(gc_fence_borrow(&merged)));
	KUNIT_EXPECT_EQ(test, gc_fence_set_add(&fx.set, merged.ptr, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, gc_fence_set_count(&fx.set), 2u);
	gc_fence_put(&merged);
	gc_fence_set_fini(&src);
	fixture_fini(test, &fx);
	gc_expect_no_reports(test);
}

static void set_add_enomem_unchanged(struct kunit *test)
{
	struct set_fixture fx;

	fixture_init(test, &fx);
	KUNIT_ASSERT_EQ(test, gc_fence_set_add(&fx.set, fx.f[0], GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, fx.set.capacity, 1u);
	if (!gc_test_fail_nth(1))
		kunit_skip(test, "needs CONFIG_FAILSLAB");
	/* Growing the set is the first allocation: it fails. */
	KUNIT_EXPECT_EQ(test, gc_fence_set_add(&fx.set, fx.f[1], GFP_NOWAIT), -ENOMEM);
	gc_test_fail_nth(0);
	KUNIT_EXPECT_EQ(test, gc_fence_set_count(&fx.set), 1u);
	KUNIT_EXPECT_EQ(test, gc_fence_refcount(fx.f[1]), 1u);
	KUNIT_EXPECT_PTR_EQ(test, fx.set.refs[0].ptr, fx.f[0]);
	/* And the set still works. */
	KUNIT_EXPECT_EQ(test, gc_fence_set_add(&fx.set, fx.f[1], GFP_NOWAIT), 0);
	KUNIT_EXPECT_EQ(test, gc_fence_set_count(&fx.set), 2u);
	fixture_fini(test, &fx);
	gc_expect_no_reports(test);
}

static void set_merge_empty_is_stub(struct kunit *test)
{
	struct gc_fence_set set;
	struct gc_fence_ref merged;

	gc_fence_set_init(&set);
	merged = gc_fence_set_merge(&set, GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, gc_is_err(merged));
	KUNIT_EXPECT_TRUE(test, dma_fence_is_signaled(gc_fence_borrow(&merged)));
	gc_fence_put(&merged);
	gc_fence_set_fini(&set);
	gc_expect_no_reports(test);
}

static void set_merge_one_is_itself(struct kunit *test)
{
	struct set_fixture fx;
	struct gc_fence_ref merged;

	fixture_init(test, &fx);
	gc_fence_set_add(&fx.set, fx.f[2], GFP_KERNEL);
	merged = gc_fence_set_merge(&fx.set, GFP_KERNEL);
	KUNIT_EXPECT_PTR_EQ(test, gc_fence_borrow(&merged), fx.f[2]);
	gc_fence_put(&merged);
	fixture_fini(test, &fx);
	gc_expect_no_reports(test);
}

static void set_merge_signals_when_all_do(struct kunit *test)
{
	struct set_fixture fx;
	struct gc_fence_ref merged;
	struct dma_fence *m;
	unsigned int i;

	fixture_init(test, &fx);
	for (i = 0; i < NR_FOREIGN; i++)
		gc_fence_set_add(&fx.set, fx.f[i], GFP_KERNEL);
	merged = gc_fence_set_merge(&fx.set, GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, gc_is_err(merged));
	m = gc_fence_borrow(&merged);
	gc_compat_fence_enable_signaling(m);
	for (i = 0; i < NR_FOREIGN; i++) {
		KUNIT_EXPECT_FALSE(test, dma_fence_is_signaled(m));
		dma_fence_signal(fx.f[i]);
	}
	KUNIT_EXPECT_TRUE(test, dma_fence_is_signaled(m));
	/* The array drops its last callback reference from an irq_work. */
	irq_work_sync(&to_dma_fence_array(m)->work);
	gc_fence_put(&merged);
	fixture_fini(test, &fx);
	gc_expect_no_reports(test);
}

/* Catalogue 10: the merge's allocation fails; nothing leaks, nothing moves. */
static void set_catalogue_10_merge_enomem(struct kunit *test)
{
	struct set_fixture fx;
	struct gc_fence_ref merged;
	unsigned int i;

	fixture_init(test, &fx);
	for (i = 0; i < NR_FOREIGN; i++)
		gc_fence_set_add(&fx.set, fx.f[i], GFP_KERNEL);
	if (!gc_test_fail_nth(1))
		kunit_skip(test, "needs CONFIG_FAILSLAB");
	merged = gc_fence_set_merge(&fx.set, GFP_NOWAIT);
	gc_test_fail_nth(0);
	KUNIT_EXPECT_TRUE(test, gc_is_err(merged));
	KUNIT_EXPECT_EQ(test, gc_err(merged), -ENOMEM);
	gc_fence_put(&merged);	/* a failed handle owns nothing */
	KUNIT_EXPECT_EQ(test, gc_fence_set_count(&fx.set), NR_FOREIGN);
	for (i = 0; i < NR_FOREIGN; i++)
		KUNIT_EXPECT_EQ(test, gc_fence_refcount(fx.f[i]), 2u);
	fixture_fini(test, &fx);
	gc_expect_no_reports(test);
}

static void set_add_resv(struct kunit *test)
{
	struct set_fixture fx;
	struct dma_resv resv;

	fixture_init(test, &fx);
	dma_resv_init(&resv);
	KUNIT_ASSERT_EQ(test, dma_resv_lock(&resv, NULL), 0);
	KUNIT_ASSERT_EQ(test, dma_resv_reserve_fences(&resv, 2), 0);
	dma_resv_add_fence(&resv, fx.f[0], DMA_RESV_USAGE_WRITE);
	dma_resv_add_fence(&resv, fx.f[1], DMA_RESV_USAGE_READ);
	dma_resv_unlock(&resv);

	/* Writers only, then everything. */
	KUNIT_EXPECT_EQ(test, gc_fence_set_add_resv(&fx.set, &resv, DMA_RESV_USAGE_WRITE,
						    GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, gc_fence_set_count(&fx.set), 1u);
	KUNIT_EXPECT_EQ(test, gc_fence_set_add_resv(&fx.set, &resv, DMA_RESV_USAGE_READ,
						    GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, gc_fence_set_count(&fx.set), 2u);
	dma_resv_fini(&resv);
	fixture_fini(test, &fx);
	gc_expect_no_reports(test);
}

static void set_add_resv_enomem_unchanged(struct kunit *test)
{
	struct set_fixture fx;
	struct dma_resv resv;

	fixture_init(test, &fx);
	dma_resv_init(&resv);
	KUNIT_ASSERT_EQ(test, dma_resv_lock(&resv, NULL), 0);
	KUNIT_ASSERT_EQ(test, dma_resv_reserve_fences(&resv, 1), 0);
	dma_resv_add_fence(&resv, fx.f[0], DMA_RESV_USAGE_WRITE);
	dma_resv_unlock(&resv);

	if (!gc_test_fail_nth(1))
		kunit_skip(test, "needs CONFIG_FAILSLAB");
	/* The snapshot of the reservation (GFP_KERNEL) succeeds; the set's fails. */
	KUNIT_EXPECT_EQ(test, gc_fence_set_add_resv(&fx.set, &resv, DMA_RESV_USAGE_READ,
						    GFP_NOWAIT), -ENOMEM);
	gc_test_fail_nth(0);
	KUNIT_EXPECT_EQ(test, gc_fence_set_count(&fx.set), 0u);
	/* Only the reservation's own reference is left. */
	KUNIT_EXPECT_EQ(test, gc_fence_refcount(fx.f[0]), 2u);
	dma_resv_fini(&resv);
	fixture_fini(test, &fx);
	gc_expect_no_reports(test);
}

static void set_wait(struct kunit *test)
{
	struct set_fixture fx;
	unsigned int i;

	fixture_init(test, &fx);
	for (i = 0; i < NR_FOREIGN; i++)
		gc_fence_set_add(&fx.set, fx.f[i], GFP_KERNEL);
	KUNIT_EXPECT_EQ(test, gc_fence_set_wait(&fx.set, false, 1), 0L);
	for (i = 0; i < NR_FOREIGN; i++)
		dma_fence_signal(fx.f[i]);
	KUNIT_EXPECT_GT(test, gc_fence_set_wait(&fx.set, false, HZ), 0L);
	fixture_fini(test, &fx);
	gc_expect_no_reports(test);
}

static struct kunit_case gc_fence_set_cases[] = {
	KUNIT_CASE(set_add_and_fini),
	KUNIT_CASE(set_keeps_later_fence_of_context),
	KUNIT_CASE(set_skips_signalled),
	KUNIT_CASE(set_unwraps_containers),
	KUNIT_CASE(set_add_enomem_unchanged),
	KUNIT_CASE(set_merge_empty_is_stub),
	KUNIT_CASE(set_merge_one_is_itself),
	KUNIT_CASE(set_merge_signals_when_all_do),
	KUNIT_CASE(set_catalogue_10_merge_enomem),
	KUNIT_CASE(set_add_resv),
	KUNIT_CASE(set_add_resv_enomem_unchanged),
	KUNIT_CASE(set_wait),
	{}
};

static struct kunit_suite gc_fence_set_suite = {
	.name = "gpucore_fence_set",
	.init = gc_test_init,
	.exit = gc_test_exit,
	.test_cases = gc_fence_set_cases,
};

kunit_test_suite(gc_fence_set_suite);
