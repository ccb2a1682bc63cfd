// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* A mock backend for the queue suites. */

#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/slab.h>

#include <gpucore/shmem.h>

#include "gc_test.h"
#include "mock_gpu.h"

static struct mock_job *to_mock_job(struct gc_job *job)
{
	return container_of(job, struct mock_job, base);
}

static void mock_auto_work(struct work_struct *work);

/* The lifetime contract: no op after release. */
static void mock_check_live(struct mock_ring *ring)
{
	if (atomic_read(&ring->releases))
		atomic_inc(&ring->ops_after_release);
}

bool mock_in_signalling(void)
{
	bool cookie = dma_fence_begin_signalling();

	dma_fence_end_signalling(cookie);
	return cookie;
}

static struct dma_fence *mock_run(struct gc_job *job)
{
	struct mock_job *mj = to_mock_job(job);
	struct mock_ring *ring = mj->ring;
	struct gc_fence_ref fence;

	mock_check_live(ring);
	mj->run_signalling = mock_in_signalling();
	/* Holds the scheduler thread, as a slow register write would. */
	if (mj->block_run)
		wait_for_completion_timeout(mj->block_run, 10 * HZ);
	if (mj->fail_run)
		return ERR_PTR(mj->fail_run);
	/* The run path must not sleep: a real driver preallocates. */
	mj->hw = gc_fence_create(ring->tl, GFP_NOWAIT);
	if (gc_is_err(mj->hw))
		return ERR_PTR(gc_err(mj->hw));
	fence = gc_fence_signaller_fence(&mj->hw);
	if (mj->run_stamp)
		*mj->run_stamp = atomic_inc_return(&ring->gpu->order);
	atomic_inc(&ring->gpu->runs);
	spin_lock_irq(&ring->lock);
	list_add_tail(&mj->link, &ring->running);
	spin_unlock_irq(&ring->lock);
	if (ring->auto_ms && !mj->hang)
		mod_delayed_work(system_wq, &ring->auto_work, msecs_to_jiffies(ring->auto_ms));
	return gc_fence_into_raw(&fence);
}

/* Pop the first running job (the first non-hanging one if @skip_hang). */
static struct mock_job *mock_ring_pop(struct mock_ring *ring, bool skip_hang)
{
	struct mock_job *mj, *found = NULL;

	spin_lock_irq(&ring->lock);
	list_for_each_entry(mj, &ring->running, link) {
		if (skip_hang && mj->hang)
			continue;
		found = mj;
		list_del_init(&mj->link);
		break;
	}
	spin_unlock_irq(&ring->lock);
	return found;
}

static void mock_finish(struct mock_job *mj, int error)
{
	if (error)
		gc_fence_signal_error(&mj->hw, error);
	else
		gc_fence_signal(&mj->hw);
}

static void mock_auto_work(struct work_struct *work)
{
	struct mock_ring *ring = container_of(to_delayed_work(work), struct mock_ring,
					      auto_work);
	struct mock_job *mj;

	while ((mj = mock_ring_pop(ring, true)))
		mock_finish(mj, mj->hw_error);
}

/* Whether @resv is held in the acquire context @ctx (set on first use). */
static bool mock_held_in(struct dma_resv *resv, struct ww_acquire_ctx **ctx)
{
	if (!dma_resv_is_locked(resv) || !dma_resv_locking_ctx(resv))
		return false;
	if (!*ctx)
		*ctx = dma_resv_locking_ctx(resv);
	return dma_resv_locking_ctx(resv) == *ctx;
}

/*
 * The validate step: counts the reservations it finds not held in one
 * context, and plays a move of each BO: mj->move goes into the BO's
 * reservation as the kernel fence a TTM move leaves.
 */
static int mock_validate(struct gc_job *job)
{
	struct mock_job *mj = to_mock_job(job);
	struct ww_acquire_ctx *ctx = NULL;
	unsigned int i;
	int ret;

	mock_check_live(mj->ring);
	atomic_inc(&mj->ring->validates);
	if (job->vm && !mock_held_in(&job->vm->resv, &ctx))
		atomic_inc(&mj->ring->validates_unlocked);
	for (i = 0; i < job->nr_bos; i++) {
		struct dma_resv *resv = gc_bo_borrow(&job->bos[i].ref)->gem->resv;

		if (!mock_held_in(resv, &ctx))
			atomic_inc(&mj->ring->validates_unlocked);
		if (!mj->move)
			continue;
		ret = dma_resv_reserve_fences(resv, 1);
		if (ret)
			return ret;
		dma_resv_add_fence(resv, mj->move, DMA_RESV_USAGE_KERNEL);
	}
	return mj->validate_error;
}

static enum gc_timeout_result mock_timed_out(struct gc_job *job)
{
	struct mock_job *mj = to_mock_job(job);

	mock_check_live(mj->ring);
	mj->ring->timed_out_signalling = mock_in_signalling();
	if (mj->slow) {
		/* Still making progress: it finishes on the next auto pass. */
		mj->slow = false;
		mj->hang = false;
		mod_delayed_work(system_wq, &mj->ring->auto_work, 1);
		return GC_TIMEOUT_CONTINUE;
	}
	return GC_TIMEOUT_GUILTY;
}

static void mock_stop(struct gc_queue *queue, int error)
{
	struct mock_ring *ring = queue->priv;
	struct mock_job *mj;

	mock_check_live(ring);
	atomic_inc(&ring->stops);
	ring->last_stop_error = error;
	ring->stop_signalling = mock_in_signalling();
	while ((mj = mock_ring_pop(ring, false)))
		mock_finish(mj, error);
}

static void mock_free_job(struct gc_job *job)
{
	struct mock_job *mj = to_mock_job(job);
	struct mock_gpu *gpu = mj->ring->gpu;

	mock_check_live(mj->ring);
	if (!in_task())
		atomic_inc(&gpu->frees_in_irq);
	if (mj->freed)
		*mj->freed = true;
	/* Anything never run has an empty signaller; a run one has signalled. */
	gc_fence_signaller_drop(&mj->hw);
	kfree(mj);
	atomic_inc(&gpu->frees);
}

static void mock_release(struct gc_queue *queue)
{
	struct mock_ring *ring = queue->priv;

	atomic_inc(&ring->releases);
}

const struct gc_queue_ops mock_queue_ops = {
	.run = mock_run,
	.validate = mock_validate,
	.timed_out = mock_timed_out,
	.stop = mock_stop,
	.free_job = mock_free_job,
	.release = mock_release,
};

void mock_gpu_init(struct kunit *test, struct mock_gpu *gpu)
{
	memset(gpu, 0, sizeof(*gpu));
	INIT_LIST_HEAD(&gpu->rings);
	gpu->mdev = gc_mock_device(test, true);
	gc_device_init(&gpu->gdev, &gpu->mdev->drm);
}

void mock_gpu_fini(struct kunit *test, struct mock_gpu *gpu)
{
	struct mock_ring *ring;

	KUNIT_EXPECT_EQ(test, gc_device_fini(&gpu->gdev), 0u);
	KUNIT_EXPECT_EQ(test, atomic_read(&gpu->frees_in_irq), 0);
	/* Every queue is gone: no job is left for the rings to complete. */
	list_for_each_entry(ring, &gpu->rings, link) {
		cancel_delayed_work_sync(&ring->auto_work);
		gc_timeline_put(ring->tl);
		if (ring->queue_created) {
			KUNIT_EXPECT_EQ(test, atomic_read(&ring->releases), 1);
			KUNIT_EXPECT_EQ(test, atomic_read(&ring->ops_after_release), 0);
			KUNIT_EXPECT_EQ(test, atomic_read(&ring->validates_unlocked), 0);
		}
	}
}

struct mock_ring *mock_ring_create(struct kunit *test, struct mock_gpu *gpu,
				   unsigned int hw_jobs, unsigned int max_jobs,
				   unsigned int timeout_ms, unsigned int auto_ms)
{
	struct gc_queue_params params = {
		.name = "mock-ring",
		.hw_jobs = hw_jobs,
		.max_jobs = max_jobs,
		.timeout_ms = timeout_ms,
	};
	struct mock_ring *ring = kunit_kzalloc(test, sizeof(*ring), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, ring);
	ring->gpu = gpu;
	ring->auto_ms = auto_ms;
	spin_lock_init(&ring->lock);
	INIT_LIST_HEAD(&ring->running);
	INIT_DELAYED_WORK(&ring->auto_work, mock_auto_work);
	ring->tl = gc_timeline_create("mock-hw", "ring", NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(ring->tl));
	list_add_tail(&ring->link, &gpu->rings);
	ring->queue = gc_queue_create(&gpu->gdev, &params, &mock_queue_ops, ring);
	KUNIT_ASSERT_FALSE(test, IS_ERR(ring->queue));
	ring->queue_created = true;
	return ring;
}

void mock_ring_destroy(struct mock_ring *ring)
{
	gc_queue_destroy(ring->queue);
	ring->queue = NULL;
}

unsigned int mock_ring_complete(struct mock_ring *ring, unsigned int n)
{
	struct mock_job *mj;
	unsigned int done = 0;

	while (done < n && (mj = mock_ring_pop(ring, false))) {
		mock_finish(mj, mj->hw_error);
		done++;
	}
	return done;
}

unsigned int mock_ring_nr_running(struct mock_ring *ring)
{
	struct mock_job *mj;
	unsigned int n = 0;

	spin_lock_irq(&ring->lock);
	list_for_each_entry(mj, &ring->running, link)
		n++;
	spin_unlock_irq(&ring->lock);
	return n;
}

bool mock_ring_wait_running(struct mock_ring *ring, unsigned int n)
{
	unsigned long end = jiffies + 10 * HZ;

	while (mock_ring_nr_running(ring) < n) {
		if (time_after(jiffies, end))
			return false;
		msleep(20);
	}
	return true;
}

bool mock_gpu_wait_frees(struct mock_gpu *gpu, int n)
{
	unsigned long end = jiffies + 10 * HZ;

	while (atomic_read(&gpu->frees) < n) {
		if (time_after(jiffies, end))
			return false;
		msleep(20);
	}
	return true;
}

struct gc_bo_ref mock_gpu_bo(struct kunit *test, struct mock_gpu *gpu, size_t size)
{
	struct gc_bo_unique u = gc_shmem_bo_create(&gpu->mdev->drm, size, &gpu->gdev.refs);

	KUNIT_ASSERT_FALSE(test, gc_is_err(u));
	return gc_bo_share(&u);
}

struct gc_bo_ref mock_gpu_file_bo(struct kunit *test, struct mock_gpu *gpu,
				  struct drm_file *file, u32 *handle)
{
	struct gc_bo_unique u = gc_shmem_bo_create(&gpu->mdev->drm, PAGE_SIZE, &gpu->gdev.refs);
	struct gc_bo_ref ref = gc_bo_publish(&u, file, handle);

	KUNIT_ASSERT_FALSE(test, gc_is_err(ref));
	return ref;
}

struct mock_job *mock_job_alloc(struct kunit *test, struct mock_ring *ring)
{
	struct mock_job *mj = kzalloc(sizeof(*mj), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, mj);
	mj->ring = ring;
	INIT_LIST_HEAD(&mj->link);
	return mj;
}

struct gc_fence_ref mock_submit(struct kunit *test, struct mock_ring *ring,
				struct mock_job *mj, struct dma_fence *dep)
{
	struct gc_job_pending pending = gc_job_init(&mj->base, ring->queue, 0);
	struct gc_job_armed armed;
	struct gc_fence_ref done;

	if (gc_is_err(pending)) {
		kfree(mj);
		KUNIT_FAIL(test, "gc_job_init: %ld", gc_err(pending));
		return (struct gc_fence_ref){};
	}
	if (dep)
		KUNIT_EXPECT_EQ(test, gc_job_add_dep(&pending, dep), 0);
	armed = gc_job_arm(&pending);
	if (gc_is_err(armed)) {
		KUNIT_FAIL(test, "gc_job_arm: %ld", gc_err(armed));
		return (struct gc_fence_ref){};
	}
	done = gc_job_done_fence(&armed);
	gc_job_push(&armed);
	return done;
}
