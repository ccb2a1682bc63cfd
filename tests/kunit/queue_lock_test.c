// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * From declaring a job's BOs to publishing its done fence: room made for
 * the BOs, gc_job_lock() and the backend's validate step, what arm
 * allocates (nothing), and where the done fence goes in reservations that
 * BOs share. The mock backend's validate op records what it saw.
 */

#include <linux/delay.h>

#include "gc_test.h"
#include "mock_gpu.h"

#define LONG_MS		10000	/* a timeout the cases never reach */
#define ALLOC_COUNT_START	1000

/* What every case starts from: a ring, three BOs and a VM. */
struct lock_fx {
	struct mock_gpu gpu;
	struct mock_ring *ring;
	struct gc_bo_ref refs[3];
	struct gc_bo *bo[3];
	struct gc_vm *vm;
};

static void lock_fx_init(struct kunit *test, struct lock_fx *fx)
{
	unsigned int i;

	mock_gpu_init(test, &fx->gpu);
	fx->ring = mock_ring_create(test, &fx->gpu, 2, 4, LONG_MS, 0);
	for (i = 0; i < ARRAY_SIZE(fx->refs); i++) {
		fx->refs[i] = mock_gpu_bo(test, &fx->gpu, PAGE_SIZE);
		fx->bo[i] = gc_bo_borrow(&fx->refs[i]);
	}
	fx->vm = gc_vm_create(&fx->gpu.gdev, 0x10000, 0x100000, NULL, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(fx->vm));
}

/* A pending job of @mj (a new mock job if NULL) on the fixture's ring. */
static struct gc_job_pending lock_fx_job(struct kunit *test, struct lock_fx *fx,
					 struct mock_job *mj)
{
	struct gc_job_pending pending;

	pending = gc_job_init(&(mj ?: mock_job_alloc(test, fx->ring))->base, fx->ring->queue, 0);
	KUNIT_ASSERT_FALSE(test, gc_is_err(pending));
	return pending;
}

/* Everything released, the ring's jobs freed, no report. */
static void lock_fx_fini(struct kunit *test, struct lock_fx *fx)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(fx->refs); i++)
		gc_bo_put(&fx->refs[i]);
	gc_vm_put(fx->vm);
	mock_ring_destroy(fx->ring);
	mock_gpu_fini(test, &fx->gpu);
	gc_expect_no_reports(test);
}

/* Run the one job on the ring to completion; its done fence succeeded. */
static void lock_fx_complete(struct kunit *test, struct lock_fx *fx, struct gc_fence_ref *done)
{
	KUNIT_ASSERT_TRUE(test, mock_ring_wait_running(fx->ring, 1));
	mock_ring_complete(fx->ring, 1);
	KUNIT_EXPECT_GT(test, wait_done(done), 0L);
	KUNIT_EXPECT_EQ(test, done_status(done), 1);
	KUNIT_EXPECT_TRUE(test, mock_gpu_wait_frees(&fx->gpu, 1));
	gc_fence_put(done);
}

static bool lock_test_can_count_allocations(void)
{
	return gc_test_fail_nth(0) && gc_test_fail_sleeping(false);
}

static void queue_arm_allocates_nothing(struct kunit *test)
{
	struct gc_job_pending pending;
	struct gc_job_armed armed;
	struct gc_fence_ref done;
	struct lock_fx fx;
	unsigned int left;
	bool failed;

	if (!lock_test_can_count_allocations())
		kunit_skip(test, "needs CONFIG_FAILSLAB with its debugfs knobs");
	lock_fx_init(test, &fx);
	pending = lock_fx_job(test, &fx, NULL);
	KUNIT_EXPECT_EQ(test, gc_job_use_bo(&pending, fx.bo[0], GC_ACCESS_READ), 0);
	KUNIT_EXPECT_EQ(test, gc_job_use_bo(&pending, fx.bo[1], GC_ACCESS_WRITE), 0);
	KUNIT_EXPECT_EQ(test, gc_job_use_bo(&pending, fx.bo[2], GC_ACCESS_READ), 0);
	KUNIT_EXPECT_EQ(test, gc_job_use_bo(&pending, fx.bo[0], GC_ACCESS_WRITE), 0);
	KUNIT_EXPECT_EQ(test, gc_job_use_vm(&pending, fx.vm), 0);
	KUNIT_ASSERT_EQ(test, gc_job_lock(&pending), 0);
	KUNIT_EXPECT_EQ(test, gc_job_use_bo(&pending, fx.bo[2], GC_ACCESS_READ), -EBUSY);

	gc_test_fail_sleeping(true);
	/* The count sees a sleeping allocation (and kmemleak's own, if built). */
	gc_test_fail_nth(ALLOC_COUNT_START);
	kfree(kmalloc(16, GFP_KERNEL));
	KUNIT_EXPECT_GE(test, ALLOC_COUNT_START - current->fail_nth, 1u);

	gc_test_fail_nth(ALLOC_COUNT_START);
	armed = gc_job_arm(&pending);
	failed = gc_is_err(armed);
	done = gc_job_done_fence(&armed);
	gc_job_push(&armed);
	left = current->fail_nth;
	gc_test_fail_nth(0);
	gc_test_fail_sleeping(false);
	KUNIT_EXPECT_FALSE(test, failed);
	KUNIT_EXPECT_EQ_MSG(test, ALLOC_COUNT_START - left, 0u, "allocations by arm and push");

	/* The done fence went where the slots were reserved. */
	KUNIT_ASSERT_TRUE(test, mock_ring_wait_running(fx.ring, 1));
	KUNIT_EXPECT_FALSE(test, dma_resv_test_signaled(fx.bo[0]->gem->resv, DMA_RESV_USAGE_WRITE));
	KUNIT_EXPECT_TRUE(test, dma_resv_test_signaled(fx.bo[2]->gem->resv, DMA_RESV_USAGE_WRITE));
	KUNIT_EXPECT_FALSE(test, dma_resv_test_signaled(fx.bo[2]->gem->resv, DMA_RESV_USAGE_READ));
	KUNIT_EXPECT_FALSE(test, dma_resv_test_signaled(&fx.vm->resv, DMA_RESV_USAGE_BOOKKEEP));
	lock_fx_complete(test, &fx, &done);
	lock_fx_fini(test, &fx);
}

/* Aborting a locked job lets go of everything gc_job_lock() took. */
static void queue_locked_job_abort_unlocks(struct kunit *test)
{
	struct gc_job_pending pending;
	struct lock_fx fx;

	lock_fx_init(test, &fx);
	pending = lock_fx_job(test, &fx, NULL);
	KUNIT_EXPECT_EQ(test, gc_job_use_bo(&pending, fx.bo[0], GC_ACCESS_WRITE), 0);
	KUNIT_ASSERT_EQ(test, gc_job_lock(&pending), 0);
	KUNIT_EXPECT_EQ(test, gc_job_lock(&pending), -EBUSY);
	KUNIT_EXPECT_TRUE(test, mutex_is_locked(&fx.ring->queue->submit_lock));
	KUNIT_EXPECT_TRUE(test, dma_resv_is_locked(fx.bo[0]->gem->resv));
	gc_job_abort(&pending);
	KUNIT_EXPECT_FALSE(test, mutex_is_locked(&fx.ring->queue->submit_lock));
	KUNIT_EXPECT_FALSE(test, dma_resv_is_locked(fx.bo[0]->gem->resv));
	KUNIT_EXPECT_TRUE(test, dma_resv_test_signaled(fx.bo[0]->gem->resv,
						       DMA_RESV_USAGE_BOOKKEEP));
	lock_fx_fini(test, &fx);
}

/* Room made for a submission's BOs in one go: adding them allocates nothing. */
static void queue_reserve_bos(struct kunit *test)
{
	struct gc_job_pending pending, empty = {};
	unsigned int i, left;
	struct lock_fx fx;
	int ret = 0;

	if (!lock_test_can_count_allocations())
		kunit_skip(test, "needs CONFIG_FAILSLAB with its debugfs knobs");
	lock_fx_init(test, &fx);
	pending = lock_fx_job(test, &fx, NULL);
	KUNIT_EXPECT_EQ(test, gc_job_reserve_bos(&empty, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, gc_job_use_bo(&pending, fx.bo[0], GC_ACCESS_READ), 0);
	KUNIT_EXPECT_EQ(test, gc_job_reserve_bos(&pending, UINT_MAX), -ENOMEM);
	KUNIT_ASSERT_EQ(test, gc_job_reserve_bos(&pending, 37), 0);

	gc_test_fail_sleeping(true);
	gc_test_fail_nth(ALLOC_COUNT_START);
	for (i = 0; !ret && i < 37; i++)
		ret = gc_job_use_bo(&pending, fx.bo[0], GC_ACCESS_READ);
	left = current->fail_nth;
	gc_test_fail_nth(0);
	gc_test_fail_sleeping(false);
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ_MSG(test, ALLOC_COUNT_START - left, 0u, "allocations by 37 BOs");
	/* The 39th needs more room, which it makes. */
	KUNIT_EXPECT_EQ(test, gc_job_use_bo(&pending, fx.bo[0], GC_ACCESS_READ), 0);
	KUNIT_EXPECT_EQ(test, gc_job_lock(&pending), 0);
	KUNIT_EXPECT_EQ(test, gc_job_reserve_bos(&pending, 1), -EBUSY);
	gc_job_abort(&pending);
	KUNIT_EXPECT_EQ(test, gem_refs(fx.bo[0]), 1u);
	lock_fx_fini(test, &fx);
}

/* How many fences @resv holds, of any usage. */
static unsigned int resv_nr_fences(struct dma_resv *resv)
{
	struct dma_resv_iter cursor;
	struct dma_fence *fence;
	unsigned int n = 0;

	dma_resv_lock(resv, NULL);
	dma_resv_for_each_fence(&cursor, resv, DMA_RESV_USAGE_BOOKKEEP, fence)
		n++;
	dma_resv_unlock(resv);
	return n;
}

/* Does @resv hold @fence, with any usage? */
static bool resv_holds(struct dma_resv *resv, struct gc_fence_ref *ref)
{
	struct dma_fence *want = gc_fence_borrow(ref), *fence;
	struct dma_resv_iter cursor;
	bool found = false;

	dma_resv_lock(resv, NULL);
	dma_resv_for_each_fence(&cursor, resv, DMA_RESV_USAGE_BOOKKEEP, fence)
		found |= fence == want;
	dma_resv_unlock(resv);
	return found;
}

/*
 * What locking a job needs is the queue's, grown to the largest job: jobs
 * of 2, 40 (a BO declared many times), 3 and 0 BOs, each with the VM, lock
 * in turn on one queue, and each publishes its done fence in every
 * reservation it used (KASAN: nothing written past the room).
 */
static void queue_lock_room_follows_jobs(struct kunit *test)
{
	static const unsigned int sizes[] = { 2, 40, 3, 0 };
	struct lock_fx fx;
	unsigned int i, j;

	lock_fx_init(test, &fx);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		struct gc_job_pending pending = lock_fx_job(test, &fx, NULL);
		struct gc_job_armed armed;
		struct gc_fence_ref done;

		for (j = 0; j < sizes[i]; j++)
			KUNIT_EXPECT_EQ(test, gc_job_use_bo(&pending, fx.bo[j % 3],
							    GC_ACCESS_READ), 0);
		KUNIT_EXPECT_EQ(test, gc_job_use_vm(&pending, fx.vm), 0);
		armed = gc_job_arm(&pending);
		KUNIT_ASSERT_FALSE(test, gc_is_err(armed));
		done = gc_job_done_fence(&armed);
		gc_job_push(&armed);
		KUNIT_EXPECT_TRUE(test, resv_holds(&fx.vm->resv, &done));
		for (j = 0; j < ARRAY_SIZE(fx.bo); j++)
			KUNIT_EXPECT_EQ_MSG(test, resv_holds(fx.bo[j]->gem->resv, &done),
					    j < sizes[i], "job %u, BO %u", i, j);
		lock_fx_complete(test, &fx, &done);
	}
	lock_fx_fini(test, &fx);
}

/*
 * BOs that share a reservation (a BO of the VM's, an imported one): the
 * done fence goes in once per reservation, with the strongest use, in the
 * one slot the job reserved there. Adding it once per BO would need a
 * second slot (the weaker use after the stronger one is a new entry).
 */
static void queue_shared_resv_published_once(struct kunit *test)
{
	struct gc_job_pending pending;
	struct gc_job_armed armed;
	struct gc_fence_ref done;
	struct gc_bo *a, *b, *c;
	struct lock_fx fx;

	lock_fx_init(test, &fx);
	a = fx.bo[0];
	b = fx.bo[1];
	c = fx.bo[2];
	/* As a driver sets them up: b shares a's reservation, c the VM's. */
	b->gem->resv = a->gem->resv;
	c->gem->resv = &fx.vm->resv;

	pending = lock_fx_job(test, &fx, NULL);
	KUNIT_EXPECT_EQ(test, gc_job_use_bo(&pending, a, GC_ACCESS_WRITE), 0);
	KUNIT_EXPECT_EQ(test, gc_job_use_bo(&pending, b, GC_ACCESS_READ), 0);
	KUNIT_EXPECT_EQ(test, gc_job_use_bo(&pending, c, GC_ACCESS_READ), 0);
	KUNIT_EXPECT_EQ(test, gc_job_use_vm(&pending, fx.vm), 0);
	armed = gc_job_arm(&pending);
	KUNIT_ASSERT_FALSE(test, gc_is_err(armed));
	done = gc_job_done_fence(&armed);
	gc_job_push(&armed);

	KUNIT_EXPECT_EQ(test, resv_nr_fences(a->gem->resv), 1u);
	KUNIT_EXPECT_FALSE(test, dma_resv_test_signaled(a->gem->resv, DMA_RESV_USAGE_WRITE));
	KUNIT_EXPECT_EQ(test, resv_nr_fences(&fx.vm->resv), 1u);
	KUNIT_EXPECT_TRUE(test, dma_resv_test_signaled(&fx.vm->resv, DMA_RESV_USAGE_WRITE));
	KUNIT_EXPECT_FALSE(test, dma_resv_test_signaled(&fx.vm->resv, DMA_RESV_USAGE_READ));
	lock_fx_complete(test, &fx, &done);
	b->gem->resv = &b->gem->_resv;
	c->gem->resv = &c->gem->_resv;
	lock_fx_fini(test, &fx);
}

/*
 * The validate step runs with every reservation held, before the job
 * collects fences: the move it starts is a dependency, so the job runs
 * only after the move has finished.
 */
static void queue_validate_move_runs_first(struct kunit *test)
{
	struct gc_job_pending pending;
	struct gc_job_armed armed;
	struct gc_fence_ref done;
	struct dma_fence *move;
	struct mock_job *mj;
	struct lock_fx fx;

	lock_fx_init(test, &fx);
	move = gc_test_foreign_fence(test);
	mj = mock_job_alloc(test, fx.ring);
	mj->move = move;
	pending = lock_fx_job(test, &fx, mj);
	KUNIT_EXPECT_EQ(test, gc_job_use_bo(&pending, fx.bo[0], GC_ACCESS_READ), 0);
	KUNIT_EXPECT_EQ(test, gc_job_use_bo(&pending, fx.bo[1], GC_ACCESS_WRITE), 0);
	KUNIT_EXPECT_EQ(test, gc_job_use_vm(&pending, fx.vm), 0);
	KUNIT_ASSERT_EQ(test, gc_job_lock(&pending), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&fx.ring->validates), 1);
	armed = gc_job_arm(&pending);
	KUNIT_ASSERT_FALSE(test, gc_is_err(armed));
	done = gc_job_done_fence(&armed);
	gc_job_push(&armed);
	KUNIT_EXPECT_EQ(test, atomic_read(&fx.ring->validates), 1);

	/*
	 * Both BOs are behind the move: nothing runs until it has finished.
	 * The scheduler gets time to run the job if it wrongly would.
	 */
	msleep(200);
	KUNIT_EXPECT_EQ(test, atomic_read(&fx.gpu.runs), 0);
	dma_fence_signal(move);
	lock_fx_complete(test, &fx, &done);
	dma_fence_put(move);
	lock_fx_fini(test, &fx);
}

/*
 * A validate step that fails (no room to place a BO) fails the lock with
 * its error and leaves nothing held; arm of a job not locked validates too.
 */
static void queue_validate_error_unlocks(struct kunit *test)
{
	struct gc_job_pending pending;
	struct gc_job_armed armed;
	struct mock_job *mj;
	struct lock_fx fx;
	struct gc_bo *bo;

	lock_fx_init(test, &fx);
	bo = fx.bo[0];
	mj = mock_job_alloc(test, fx.ring);
	mj->validate_error = -ENOSPC;
	pending = lock_fx_job(test, &fx, mj);
	KUNIT_EXPECT_EQ(test, gc_job_use_bo(&pending, bo, GC_ACCESS_WRITE), 0);
	KUNIT_EXPECT_EQ(test, gc_job_lock(&pending), -ENOSPC);
	KUNIT_EXPECT_FALSE(test, mutex_is_locked(&fx.ring->queue->submit_lock));
	KUNIT_EXPECT_FALSE(test, dma_resv_is_locked(bo->gem->resv));
	KUNIT_EXPECT_TRUE(test, dma_resv_test_signaled(bo->gem->resv, DMA_RESV_USAGE_BOOKKEEP));

	/* Still pending: the next try goes through arm, which validates. */
	mj->validate_error = -ENOMEM;
	armed = gc_job_arm(&pending);
	KUNIT_EXPECT_TRUE(test, gc_is_err(armed));
	KUNIT_EXPECT_EQ(test, gc_err(armed), -ENOMEM);
	KUNIT_EXPECT_EQ(test, atomic_read(&fx.ring->validates), 2);
	KUNIT_EXPECT_FALSE(test, mutex_is_locked(&fx.ring->queue->submit_lock));
	KUNIT_EXPECT_FALSE(test, dma_resv_is_locked(bo->gem->resv));
	KUNIT_EXPECT_TRUE(test, mock_gpu_wait_frees(&fx.gpu, 1));
	KUNIT_EXPECT_EQ(test, atomic_read(&fx.gpu.runs), 0);
	lock_fx_fini(test, &fx);
}

static struct kunit_case gc_queue_lock_cases[] = {
	KUNIT_CASE(queue_arm_allocates_nothing),
	KUNIT_CASE(queue_locked_job_abort_unlocks),
	KUNIT_CASE(queue_reserve_bos),
	KUNIT_CASE(queue_lock_room_follows_jobs),
	KUNIT_CASE(queue_shared_resv_published_once),
	KUNIT_CASE(queue_validate_move_runs_first),
	KUNIT_CASE(queue_validate_error_unlocks),
	{}
};

static struct kunit_suite gc_queue_lock_suite = {
	.name = "gpucore_queue_lock",
	.init = gc_test_init,
	.exit = gc_test_exit,
	.test_cases = gc_queue_lock_cases,
};

kunit_test_suite(gc_queue_lock_suite);
