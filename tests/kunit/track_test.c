// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Owner tracking: the records behind every owned handle, exercised
 * directly. Each bug is injected on purpose and must be reported without
 * touching freed memory (KASAN would fail the test).
 */

#include <linux/sched.h>
#include <linux/slab.h>

#include <gpucore/track.h>

#include "gc_test.h"
#include "../../gpucore/internal.h"

#if IS_ENABLED(CONFIG_DRM_GPUCORE_DEBUG)

static int gc_track_obj;	/* any address will do as the tracked object */

static void track_take_drop(struct kunit *test)
{
	u32 id = gc_track_take(&gc_track_obj, "test", 0);

	KUNIT_ASSERT_NE(test, id, 0u);
	KUNIT_EXPECT_TRUE(test, gc_track_check(id, &gc_track_obj, GC_REPORT_USE_AFTER_PUT));
	KUNIT_EXPECT_TRUE(test, gc_track_drop(id, &gc_track_obj, GC_REPORT_DOUBLE_PUT));
	gc_expect_no_reports(test);
}

/*
 * Ids are never reused: when the 32-bit space is used up, new references
 * go untracked (id 0) instead of taking an id a stale handle may carry.
 */
static void track_ids_never_wrap(struct kunit *test)
{
	u32 old = gc_track_set_next_id(U32_MAX);
	u32 last = gc_track_take(&gc_track_obj, "test", 0);
	u32 none = gc_track_take(&gc_track_obj, "test", 0);

	gc_track_set_next_id(old);
	KUNIT_EXPECT_EQ(test, last, U32_MAX);
	KUNIT_EXPECT_EQ(test, none, 0u);
	KUNIT_EXPECT_TRUE(test, gc_track_drop(last, &gc_track_obj, GC_REPORT_DOUBLE_PUT));
	KUNIT_EXPECT_TRUE(test, gc_track_drop(none, &gc_track_obj, GC_REPORT_DOUBLE_PUT));
	gc_expect_no_reports(test);
}

static void track_double_drop(struct kunit *test)
{
	u32 id = gc_track_take(&gc_track_obj, "test", 0);

	KUNIT_ASSERT_TRUE(test, gc_track_drop(id, &gc_track_obj, GC_REPORT_DOUBLE_PUT));
	KUNIT_EXPECT_FALSE(test, gc_track_drop(id, &gc_track_obj, GC_REPORT_DOUBLE_PUT));
	KUNIT_EXPECT_EQ(test, GC_REPORTS(test, GC_REPORT_DOUBLE_PUT), 1u);
	/* The report names the stack that took the reference. */
	KUNIT_EXPECT_TRUE(test, gc_report_stack_has(test, GC_REPORT_DOUBLE_PUT,
						    "track_double_drop"));
}

static void track_check_after_drop(struct kunit *test)
{
	u32 id = gc_track_take(&gc_track_obj, "test", 0);

	gc_track_drop(id, &gc_track_obj, GC_REPORT_DOUBLE_PUT);
	KUNIT_EXPECT_FALSE(test, gc_track_check(id, &gc_track_obj, GC_REPORT_USE_AFTER_PUT));
	KUNIT_EXPECT_EQ(test, GC_REPORTS(test, GC_REPORT_USE_AFTER_PUT), 1u);
}

static void track_wrong_object(struct kunit *test)
{
	int other;
	u32 id = gc_track_take(&gc_track_obj, "test", 0);

	KUNIT_EXPECT_FALSE(test, gc_track_drop(id, &other, GC_REPORT_DOUBLE_PUT));
	KUNIT_EXPECT_EQ(test, GC_REPORTS(test, GC_REPORT_BAD_HANDLE), 1u);
	/* The real owner can still put it. */
	KUNIT_EXPECT_TRUE(test, gc_track_drop(id, &gc_track_obj, GC_REPORT_DOUBLE_PUT));
}

static void track_untracked_id(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, gc_track_drop(0, &gc_track_obj, GC_REPORT_DOUBLE_PUT));
	KUNIT_EXPECT_TRUE(test, gc_track_check(0, &gc_track_obj, GC_REPORT_USE_AFTER_PUT));
	gc_expect_no_reports(test);
}

static void track_dir_counts_live(struct kunit *test)
{
	struct gc_track_dir dir;
	u32 a, b;

	gc_track_dir_init(&dir, "test dir");
	a = gc_track_take(&gc_track_obj, "test", gc_track_dir_id(&dir));
	b = gc_track_take(&gc_track_obj, "test", gc_track_dir_id(&dir));
	KUNIT_EXPECT_EQ(test, gc_track_dir_live(&dir), 2u);
	gc_track_drop(a, &gc_track_obj, GC_REPORT_DOUBLE_PUT);
	KUNIT_EXPECT_EQ(test, gc_track_dir_live(&dir), 1u);
	gc_track_drop(b, &gc_track_obj, GC_REPORT_DOUBLE_PUT);
	KUNIT_EXPECT_EQ(test, gc_track_dir_exit(&dir), 0u);
	gc_expect_no_reports(test);
}

static noinline u32 track_leaky_holder(u32 dir_id)
{
	return gc_track_take(&gc_track_obj, "test", dir_id);
}

static void track_dir_leak_names_holder(struct kunit *test)
{
	struct gc_track_dir *dir = kzalloc(sizeof(*dir), GFP_KERNEL);
	u32 id;

	KUNIT_ASSERT_NOT_NULL(test, dir);
	gc_track_dir_init(dir, "leaky dir");
	id = track_leaky_holder(gc_track_dir_id(dir));
	KUNIT_EXPECT_EQ(test, gc_track_dir_exit(dir), 1u);
	KUNIT_EXPECT_EQ(test, GC_REPORTS(test, GC_REPORT_LEAK), 1u);
	KUNIT_EXPECT_TRUE(test, gc_report_stack_has(test, GC_REPORT_LEAK, "track_leaky_holder"));
	/* The scope is gone; the late put must not touch it (KASAN watches). */
	kfree(dir);
	KUNIT_EXPECT_TRUE(test, gc_track_drop(id, &gc_track_obj, GC_REPORT_DOUBLE_PUT));
	KUNIT_EXPECT_EQ(test, GC_REPORTS(test, GC_REPORT_DOUBLE_PUT), 0u);
}

static void track_take_in_ended_dir(struct kunit *test)
{
	struct gc_track_dir dir;
	u32 dir_id, id;

	gc_track_dir_init(&dir, "ended");
	dir_id = gc_track_dir_id(&dir);
	gc_track_dir_exit(&dir);
	/* An object that outlived its scope is tracked unscoped. */
	id = gc_track_take(&gc_track_obj, "test", dir_id);
	KUNIT_EXPECT_NE(test, id, 0u);
	KUNIT_EXPECT_TRUE(test, gc_track_drop(id, &gc_track_obj, GC_REPORT_DOUBLE_PUT));
	gc_expect_no_reports(test);
}

static void track_forgotten_record(struct kunit *test)
{
	u32 first, id;
	unsigned int i;

	first = gc_track_take(&gc_track_obj, "test", 0);
	gc_track_drop(first, &gc_track_obj, GC_REPORT_DOUBLE_PUT);
	/* Push the first record out of the bounded graveyard. */
	for (i = 0; i < 4200; i++) {
		id = gc_track_take(&gc_track_obj, "test", 0);
		gc_track_drop(id, &gc_track_obj, GC_REPORT_DOUBLE_PUT);
	}
	gc_expect_no_reports(test);
	KUNIT_EXPECT_FALSE(test, gc_track_drop(first, &gc_track_obj, GC_REPORT_DOUBLE_PUT));
	KUNIT_EXPECT_EQ(test, GC_REPORTS(test, GC_REPORT_DOUBLE_PUT), 1u);
}

#ifdef CONFIG_FAULT_INJECTION
static void track_ignores_fail_nth(struct kunit *test)
{
	u32 id;
	void *p;

	if (!IS_ENABLED(CONFIG_FAILSLAB))
		kunit_skip(test, "needs CONFIG_FAILSLAB");

	/* The injected failure is meant for the next driver allocation. */
	current->fail_nth = 1;
	id = gc_track_take(&gc_track_obj, "test", 0);
	KUNIT_EXPECT_NE(test, id, 0u);
	p = kmalloc(8, GFP_NOWAIT);
	current->fail_nth = 0;
	KUNIT_EXPECT_NULL(test, p);
	kfree(p);
	KUNIT_EXPECT_TRUE(test, gc_track_drop(id, &gc_track_obj, GC_REPORT_DOUBLE_PUT));
}
#else
static void track_ignores_fail_nth(struct kunit *test)
{
	kunit_skip(test, "needs CONFIG_FAULT_INJECTION");
}
#endif

static struct kunit_case gc_track_cases[] = {
	KUNIT_CASE(track_take_drop),
	KUNIT_CASE(track_ids_never_wrap),
	KUNIT_CASE(track_double_drop),
	KUNIT_CASE(track_check_after_drop),
	KUNIT_CASE(track_wrong_object),
	KUNIT_CASE(track_untracked_id),
	KUNIT_CASE(track_dir_counts_live),
	KUNIT_CASE(track_dir_leak_names_holder),
	KUNIT_CASE(track_take_in_ended_dir),
	KUNIT_CASE(track_forgotten_record),
	KUNIT_CASE(track_ignores_fail_nth),
	{}
};

static struct kunit_suite gc_track_suite = {
	.name = "gpucore_track",
	.init = gc_test_init,
	.exit = gc_test_exit,
	.test_cases = gc_track_cases,
};

kunit_test_suite(gc_track_suite);

#endif
