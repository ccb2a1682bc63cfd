// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* Locking many BOs for one submission, with deadlock back-off. */

#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/kthread.h>

#include <gpucore/exec.h>
#include <gpucore/shmem.h>

#include "gc_test.h"
#include "mock_drm.h"

#define NR_BOS	4

struct exec_fixture {
	struct gc_mock_device *mdev;
	struct gc_bo_ref refs[NR_BOS];
	struct gc_bo *bos[NR_BOS];
};

static void fixture_init(struct kunit *test, struct exec_fixture *fx)
{
	unsigned int i;

	fx->mdev = gc_mock_device(test, true);
	for (i = 0; i < NR_BOS; i++) {
		struct gc_bo_unique u = gc_shmem_bo_create(&fx->mdev->drm, PAGE_SIZE,
							   &fx->mdev->refs);

		KUNIT_ASSERT_FALSE(test, gc_is_err(u));
		fx->refs[i] = gc_bo_share(&u);
		fx->bos[i] = gc_bo_borrow(&fx->refs[i]);
	}
}

static void fixture_fini(struct exec_fixture *fx)
{
	unsigned int i;

	for (i = 0; i < NR_BOS; i++)
		gc_bo_put(&fx->refs[i]);
}

static bool bo_locked(struct gc_bo *bo)
{
	return ww_mutex_is_locked(&bo->gem->resv->lock);
}

static void exec_locks_all_and_unlocks(struct kunit *test)
{
	struct exec_fixture fx;
	struct gc_exec exec;
	unsigned int i;

	fixture_init(test, &fx);
	gc_exec_init(&exec, true);
	KUNIT_ASSERT_EQ(test, gc_exec_lock(&exec, fx.bos, NR_BOS), 0);
	for (i = 0; i < NR_BOS; i++)
		KUNIT_EXPECT_TRUE(test, bo_locked(fx.bos[i]));
	KUNIT_EXPECT_EQ(test, exec.nr_locked, NR_BOS);
	/* Injected -EDEADLKs (DEBUG_WW_MUTEX_SLOWPATH) may add back-offs. */
	if (!IS_ENABLED(CONFIG_DEBUG_WW_MUTEX_SLOWPATH))
		KUNIT_EXPECT_EQ(test, exec.nr_backoffs, 0u);
	gc_exec_fini(&exec);
	for (i = 0; i < NR_BOS; i++)
		KUNIT_EXPECT_FALSE(test, bo_locked(fx.bos[i]));
	fixture_fini(&fx);
	gc_expect_no_reports(test);
}

static void exec_duplicates(struct kunit *test)
{
	struct exec_fixture fx;
	struct gc_exec exec;
	struct gc_bo *dups[3];

	fixture_init(test, &fx);
	dups[0] = fx.bos[1];
	dups[1] = fx.bos[2];
	dups[2] = fx.bos[1];
	gc_exec_init(&exec, false);
	KUNIT_EXPECT_EQ(test, gc_exec_lock(&exec, dups, 3), 0);
	KUNIT_EXPECT_EQ(test, exec.nr_locked, 2u);
	gc_exec_fini(&exec);
	KUNIT_EXPECT_FALSE(test, bo_locked(fx.bos[1]));
	fixture_fini(&fx);
	gc_expect_no_reports(test);
}

static void exec_bad_entry_locks_nothing(struct kunit *test)
{
	struct exec_fixture fx;
	struct gc_exec exec;
	struct gc_bo *list[3];
	unsigned int i;

	fixture_init(test, &fx);
	list[0] = fx.bos[0];
	list[1] = fx.bos[1];
	list[2] = NULL;
	gc_exec_init(&exec, true);
	KUNIT_EXPECT_EQ(test, gc_exec_lock(&exec, list, 3), -EINVAL);
	for (i = 0; i < NR_BOS; i++)
		KUNIT_EXPECT_FALSE(test, bo_locked(fx.bos[i]));
	gc_exec_fini(&exec);
	fixture_fini(&fx);
	gc_expect_no_reports(test);
}

/* An older transaction that holds one BO for a while. */
struct holder {
	struct gc_bo *bo;
	struct ww_acquire_ctx ctx;
	struct completion locked;
};

static int holder_fn(void *arg)
{
	struct holder *h = arg;

	/* Initialised before the test's context: the holder is the older. */
	ww_acquire_init(&h->ctx, &reservation_ww_class);
	dma_resv_lock(h->bo->gem->resv, &h->ctx);
	complete(&h->locked);
	msleep(50);
	dma_resv_unlock(h->bo->gem->resv);
	ww_acquire_fini(&h->ctx);
	while (!kthread_should_stop())
		schedule_timeout_interruptible(1);
	return 0;
}

static void exec_backs_off_from_older_transaction(struct kunit *test)
{
	struct exec_fixture fx;
	struct task_struct *task;
	struct gc_exec exec;
	struct holder h;
	struct gc_bo *order[2];

	fixture_init(test, &fx);
	h.bo = fx.bos[0];
	init_completion(&h.locked);
	task = kthread_run(holder_fn, &h, "gc-exec-holder");
	KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	get_task_struct(task);
	wait_for_completion(&h.locked);
	gc_exec_init(&exec, false);

	/* We take bos[1], then meet the older holder on bos[0]: back off. */
	order[0] = fx.bos[1];
	order[1] = fx.bos[0];
	KUNIT_EXPECT_EQ(test, gc_exec_lock(&exec, order, 2), 0);
	KUNIT_EXPECT_GE(test, exec.nr_backoffs, 1u);
	KUNIT_EXPECT_TRUE(test, bo_locked(fx.bos[0]));
	KUNIT_EXPECT_TRUE(test, bo_locked(fx.bos[1]));
	gc_exec_fini(&exec);
	kthread_stop(task);
	put_task_struct(task);
	fixture_fini(&fx);
	gc_expect_no_reports(test);
}

static struct kunit_case gc_exec_cases[] = {
	KUNIT_CASE(exec_locks_all_and_unlocks),
	KUNIT_CASE(exec_duplicates),
	KUNIT_CASE(exec_bad_entry_locks_nothing),
	KUNIT_CASE(exec_backs_off_from_older_transaction),
	{}
};

static struct kunit_suite gc_exec_suite = {
	.name = "gpucore_exec",
	.init = gc_test_init,
	.exit = gc_test_exit,
	.test_cases = gc_exec_cases,
};

kunit_test_suite(gc_exec_suite);
