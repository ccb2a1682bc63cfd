// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * What the queue code enforces on its own: the signalling paths are
 * annotated for lockdep, a job that lists a BO twice publishes one fence,
 * jobs of many BOs, and a job that finished before its timeout handler
 * ran is never judged.
 */

#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/dma-resv.h>
#include <drm/drm_syncobj.h>

#include <gpucore/shmem.h>

#include "gc_test.h"
#include "mock_gpu.h"

#define LONG_MS		10000	/* a timeout the normal cases never reach */
#define SHORT_MS	200	/* a timeout the cases wait out on purpose */

static struct gc_bo_ref safety_bo(struct kunit *test, struct mock_gpu *gpu)
{
	struct gc_bo_unique u = gc_shmem_bo_create(&gpu->mdev->drm, PAGE_SIZE,
						   &gpu->gdev.refs);

	KUNIT_ASSERT_FALSE(test, gc_is_err(u));
	return gc_bo_share(&u);
}

/*
 * run and timed_out run inside dma_fence_begin_signalling(): a backend
 * that allocates there is reported by lockdep (stop may wait for the
 * backend's own completion worker, so it is outside). The test thread
 * itself is outside, which shows the probe can say no.
 */
static void safety_signalling_annotated(struct kunit *test)
{
	struct mock_ring *ring;
	struct gc_fence_ref done;
	struct mock_job *mj;
	struct mock_gpu gpu;
	bool run_signalling;

	if (!IS_ENABLED(CONFIG_LOCKDEP))
		kunit_skip(test, "needs lockdep");
	KUNIT_ASSERT_FALSE(test, mock_in_signalling());
	mock_gpu_init(test, &gpu);
	ring = mock_ring_create(test, &gpu, 2, 4, SHORT_MS, 0);
	mj = mock_job_alloc(test, ring);
	mj->hang = true;
	done = mock_submit(test, ring, mj, NULL);
	KUNIT_ASSERT_TRUE(test, mock_ring_wait_running(ring, 1));
	run_signalling = mj->run_signalling;	/* mj is freed after the timeout */
	KUNIT_EXPECT_TRUE(test, run_signalling);
	KUNIT_EXPECT_GT(test, wait_done(&done), 0L);
	KUNIT_EXPECT_EQ(test, done_status(&done), -ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, atomic_read(&ring->stops), 1);
	KUNIT_EXPECT_TRUE(test, ring->timed_out_signalling);
	/* stop may flush the backend's completion worker: not annotated. */
	KUNIT_EXPECT_FALSE(test, ring->stop_signalling);
	KUNIT_EXPECT_FALSE(test, mock_in_signalling());
	mock_ring_destroy(ring);
	gc_fence_put(&done);
	mock_gpu_fini(test, &gpu);
	gc_expect_no_reports(test);
}

/*
 * A job finished on the hardware, but the scheduler thread, held in the
 * next job's run, has not freed it when its timer fires: the timeout
 * handler gets the finished job. It must not be judged: no -ETIMEDOUT, no
 * ban, no stop.
 */
static void safety_finished_job_not_guilty(struct kunit *test)
{
	struct gc_fence_ref done_a, done_b;
	struct completion block;
	struct mock_job *a, *b;
	struct mock_ring *ring;
	struct mock_gpu gpu;

	init_completion(&block);
	mock_gpu_init(test, &gpu);
	ring = mock_ring_create(test, &gpu, 2, 4, SHORT_MS, 0);
	a = mock_job_alloc(test, ring);
	done_a = mock_submit(test, ring, a, NULL);
	KUNIT_ASSERT_TRUE(test, mock_ring_wait_running(ring, 1));
	b = mock_job_alloc(test, ring);
	b->block_run = &block;
	done_b = mock_submit(test, ring, b, NULL);
	/* Give the thread time to enter b's run, then finish a. */
	msleep(20);
	KUNIT_EXPECT_EQ(test, mock_ring_complete(ring, 1), 1u);
	/* a's timer fires; the handler waits for the thread, held in b's run. */
	msleep(3 * SHORT_MS);
	complete(&block);
	KUNIT_ASSERT_TRUE(test, mock_ring_wait_running(ring, 1));
	KUNIT_EXPECT_GT(test, wait_done(&done_a), 0L);
	KUNIT_EXPECT_EQ(test, done_status(&done_a), 1);
	KUNIT_EXPECT_FALSE(test, READ_ONCE(ring->queue->banned));
	KUNIT_EXPECT_EQ(test, ring->queue->nr_timeouts, 0u);
	KUNIT_EXPECT_EQ(test, atomic_read(&ring->stops), 0);
	KUNIT_EXPECT_EQ(test, mock_ring_complete(ring, 1), 1u);
	KUNIT_EXPECT_GT(test, wait_done(&done_b), 0L);
	KUNIT_EXPECT_EQ(test, done_status(&done_b), 1);
	mock_ring_destroy(ring);
	gc_fence_put(&done_a);
	gc_fence_put(&done_b);
	mock_gpu_fini(test, &gpu);
	gc_expect_no_reports(test);
}

#define NR_BOS		9
#define NR_USES		12

/* How often @fence is in @resv, and whether as a writer. */
static unsigned int resv_count(struct dma_resv *resv, struct dma_fence *fence, bool *write)
{
	struct dma_resv_iter cursor;
	struct dma_fence *f;
	unsigned int n = 0;

	*write = false;
	dma_resv_lock(resv, NULL);
	dma_resv_for_each_fence(&cursor, resv, DMA_RESV_USAGE_BOOKKEEP, f) {
		if (f != fence)
			continue;
		n++;
		*write |= dma_resv_iter_usage(&cursor) == DMA_RESV_USAGE_WRITE;
	}
	dma_resv_unlock(resv);
	return n;
}

/*
 * One job, nine BOs, twelve uses: BO 0 written then read, BO 1 read then
 * written, BO 2 read twice. Each BO already holds an unsignalled reader
 * from another driver, so no slot can be reused: every distinct BO gets
 * the done fence exactly once, as a writer if any use writes.
 */
static void safety_duplicate_and_many_bos(struct kunit *test)
{
	static const u8 use_bo[NR_USES] = { 0, 1, 2, 3, 0, 4, 5, 1, 6, 7, 2, 8 };
	static const u8 use_write[NR_USES] = { 1, 0, 0, 1, 0, 0, 1, 1, 0, 1, 0, 0 };
	struct gc_bo_ref refs[NR_BOS];
	struct gc_job_pending pending;
	struct gc_fence_ref done;
	struct gc_job_armed armed;
	struct dma_fence *reader;
	struct mock_ring *ring;
	bool expect_write[NR_BOS] = {};
	struct mock_job *mj;
	struct mock_gpu gpu;
	unsigned int i;
	bool write;

	mock_gpu_init(test, &gpu);
	ring = mock_ring_create(test, &gpu, 2, 4, LONG_MS, 0);
	reader = gc_test_foreign_fence(test);
	for (i = 0; i < NR_BOS; i++) {
		struct dma_resv *resv;

		refs[i] = safety_bo(test, &gpu);
		resv = gc_bo_borrow(&refs[i])->gem->resv;
		dma_resv_lock(resv, NULL);
		KUNIT_ASSERT_EQ(test, dma_resv_reserve_fences(resv, 1), 0);
		dma_resv_add_fence(resv, reader, DMA_RESV_USAGE_READ);
		dma_resv_unlock(resv);
	}
	for (i = 0; i < NR_USES; i++)
		expect_write[use_bo[i]] |= use_write[i];

	mj = mock_job_alloc(test, ring);
	pending = gc_job_init(&mj->base, ring->queue, 0);
	KUNIT_ASSERT_FALSE(test, gc_is_err(pending));
	for (i = 0; i < NR_USES; i++)
		KUNIT_EXPECT_EQ(test, gc_job_use_bo(&pending, gc_bo_borrow(&refs[use_bo[i]]),
						    use_write[i] ? GC_ACCESS_WRITE :
						    GC_ACCESS_READ), 0);
	armed = gc_job_arm(&pending);
	KUNIT_ASSERT_FALSE(test, gc_is_err(armed));
	done = gc_job_done_fence(&armed);
	gc_job_push(&armed);

	for (i = 0; i < NR_BOS; i++) {
		struct dma_resv *resv = gc_bo_borrow(&refs[i])->gem->resv;

		KUNIT_EXPECT_EQ_MSG(test, resv_count(resv, gc_fence_borrow(&done), &write), 1u,
				    "BO %u", i);
		KUNIT_EXPECT_EQ_MSG(test, write, expect_write[i], "BO %u", i);
	}
	/* The writers wait for the foreign reader; then the job runs. */
	msleep(20);
	KUNIT_EXPECT_EQ(test, mock_ring_nr_running(ring), 0u);
	dma_fence_signal(reader);
	KUNIT_ASSERT_TRUE(test, mock_ring_wait_running(ring, 1));
	KUNIT_EXPECT_EQ(test, mock_ring_complete(ring, 1), 1u);
	KUNIT_EXPECT_GT(test, wait_done(&done), 0L);
	KUNIT_EXPECT_EQ(test, done_status(&done), 1);
	for (i = 0; i < NR_BOS; i++)
		gc_bo_put(&refs[i]);
	mock_ring_destroy(ring);
	gc_fence_put(&done);
	dma_fence_put(reader);
	mock_gpu_fini(test, &gpu);
	gc_expect_no_reports(test);
}

/* A syncobj without a fence, or a timeline point not reached: -EINVAL. */
static void safety_syncobj_without_fence(struct kunit *test)
{
	struct gc_job_pending pending;
	struct drm_syncobj *syncobj;
	struct drm_file *file;
	struct mock_ring *ring;
	struct mock_gpu gpu;
	u32 handle;

	mock_gpu_init(test, &gpu);
	file = gc_mock_file(test, gpu.mdev);
	ring = mock_ring_create(test, &gpu, 2, 4, LONG_MS, 1);
	KUNIT_ASSERT_EQ(test, drm_syncobj_create(&syncobj, 0, NULL), 0);
	KUNIT_ASSERT_EQ(test, drm_syncobj_get_handle(file, syncobj, &handle), 0);
	drm_syncobj_put(syncobj);

	pending = gc_job_init(&mock_job_alloc(test, ring)->base, ring->queue, 0);
	KUNIT_ASSERT_FALSE(test, gc_is_err(pending));
	KUNIT_EXPECT_EQ(test, gc_job_add_syncobj(&pending, file, handle, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, gc_job_add_syncobj(&pending, file, handle, 5), -EINVAL);
	KUNIT_EXPECT_EQ(test, gc_job_add_syncobj(&pending, file, handle + 100, 0), -ENOENT);
	gc_job_abort(&pending);
	mock_ring_destroy(ring);
	gc_mock_file_close(test, file);
	mock_gpu_fini(test, &gpu);
	gc_expect_no_reports(test);
}

static struct kunit_case gc_queue_safety_cases[] = {
	KUNIT_CASE(safety_signalling_annotated),
	KUNIT_CASE(safety_finished_job_not_guilty),
	KUNIT_CASE(safety_duplicate_and_many_bos),
	KUNIT_CASE(safety_syncobj_without_fence),
	{}
};

static struct kunit_suite gc_queue_safety_suite = {
	.name = "gpucore_queue_safety",
	.init = gc_test_init,
	.exit = gc_test_exit,
	.test_cases = gc_queue_safety_cases,
};

kunit_test_suite(gc_queue_safety_suite);
