// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Queues and typestate jobs: submission, ordering, dependencies across
 * queues, what a job holds until it retires, back-pressure and concurrent
 * submission. The mock backend completes jobs by hand or after a delay.
 */

#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <drm/drm_syncobj.h>

#include <gpucore/compat.h>
#include <gpucore/shmem.h>

#include "gc_test.h"
#include "mock_gpu.h"

#define LONG_MS		10000	/* a timeout the normal cases never reach */

/*
 * The order in which fences signal, seen from their signal callbacks: each
 * watcher takes the next position of a shared counter when its fence
 * signals (at once if it already has).
 */
struct signal_order {
	struct dma_fence_cb cb;
	atomic_t *next;
	int pos;		/* from 1; 0 while the fence is pending */
};

static void signal_order_cb(struct dma_fence *fence, struct dma_fence_cb *cb)
{
	struct signal_order *o = container_of(cb, struct signal_order, cb);

	WRITE_ONCE(o->pos, atomic_inc_return(o->next));
}

static void signal_order_watch(struct signal_order *o, atomic_t *next, struct dma_fence *fence)
{
	o->next = next;
	o->pos = 0;
	if (dma_fence_add_callback(fence, &o->cb, signal_order_cb))
		signal_order_cb(fence, &o->cb);
}

/* Stop watching; safe whether or not the fence signalled. */
static void signal_order_unwatch(struct signal_order *o, struct dma_fence *fence)
{
	dma_fence_remove_callback(fence, &o->cb);
}

static void queue_single_job(struct kunit *test)
{
	struct mock_gpu gpu;
	struct mock_ring *ring;
	struct gc_fence_ref done;

	mock_gpu_init(test, &gpu);
	ring = mock_ring_create(test, &gpu, 4, 8, LONG_MS, 0);
	done = mock_submit(test, ring, mock_job_alloc(test, ring), NULL);
	KUNIT_ASSERT_TRUE(test, mock_ring_wait_running(ring, 1));
	KUNIT_EXPECT_FALSE(test, dma_fence_is_signaled(gc_fence_borrow(&done)));
	KUNIT_EXPECT_EQ(test, mock_ring_complete(ring, 1), 1u);
	KUNIT_EXPECT_GT(test, wait_done(&done), 0L);
	KUNIT_EXPECT_EQ(test, done_status(&done), 1);
	KUNIT_EXPECT_TRUE(test, gc_is_fence(gc_fence_borrow(&done)));
	mock_ring_destroy(ring);
	gc_fence_put(&done);
	mock_gpu_fini(test, &gpu);
	KUNIT_EXPECT_EQ(test, atomic_read(&gpu.frees), 1);
	gc_expect_no_reports(test);
}

/*
 * Jobs of one queue run in submission order and their done fences signal
 * in that order, as seen by signal callbacks, and with non-decreasing
 * timestamps.
 */
static void queue_jobs_complete_in_order(struct kunit *test)
{
	struct signal_order order[16];
	struct gc_fence_ref done[16];
	int stamps[16] = {};
	struct mock_ring *ring;
	struct mock_gpu gpu;
	struct mock_job *mj;
	atomic_t next = ATOMIC_INIT(0);
	unsigned int i;

	mock_gpu_init(test, &gpu);
	ring = mock_ring_create(test, &gpu, 4, 16, LONG_MS, 1);
	for (i = 0; i < ARRAY_SIZE(done); i++) {
		mj = mock_job_alloc(test, ring);
		mj->run_stamp = &stamps[i];
		done[i] = mock_submit(test, ring, mj, NULL);
		signal_order_watch(&order[i], &next, gc_fence_borrow(&done[i]));
	}
	for (i = 0; i < ARRAY_SIZE(done); i++) {
		KUNIT_EXPECT_GT(test, wait_done(&done[i]), 0L);
		KUNIT_EXPECT_EQ(test, done_status(&done[i]), 1);
	}
	for (i = 0; i < ARRAY_SIZE(done); i++) {
		signal_order_unwatch(&order[i], gc_fence_borrow(&done[i]));
		KUNIT_EXPECT_EQ_MSG(test, READ_ONCE(order[i].pos), (int)i + 1, "job %u", i);
		if (!i)
			continue;
		KUNIT_EXPECT_GT_MSG(test, stamps[i], stamps[i - 1], "job %u ran early", i);
		KUNIT_EXPECT_LE_MSG(test, ktime_to_ns(gc_fence_borrow(&done[i - 1])->timestamp),
				    ktime_to_ns(gc_fence_borrow(&done[i])->timestamp), "job %u", i);
	}
	mock_ring_destroy(ring);
	for (i = 0; i < ARRAY_SIZE(done); i++)
		gc_fence_put(&done[i]);
	mock_gpu_fini(test, &gpu);
	KUNIT_EXPECT_EQ(test, atomic_read(&gpu.frees), 16);
	gc_expect_no_reports(test);
}

static void queue_dependency_chain(struct kunit *test)
{
	struct mock_ring *a, *b;
	struct mock_job *ja, *jb, *jc;
	struct gc_fence_ref da, db, dc;
	struct mock_gpu gpu;

	mock_gpu_init(test, &gpu);
	a = mock_ring_create(test, &gpu, 4, 8, LONG_MS, 0);
	b = mock_ring_create(test, &gpu, 4, 8, LONG_MS, 0);
	ja = mock_job_alloc(test, a);
	jb = mock_job_alloc(test, b);
	jc = mock_job_alloc(test, a);
	da = mock_submit(test, a, ja, NULL);
	db = mock_submit(test, b, jb, gc_fence_borrow(&da));	/* b waits for a */
	dc = mock_submit(test, a, jc, gc_fence_borrow(&db));	/* a waits for b */
	KUNIT_ASSERT_TRUE(test, mock_ring_wait_running(a, 1));
	msleep(50);
	/* Only the head of the chain may run. */
	KUNIT_EXPECT_EQ(test, atomic_read(&gpu.runs), 1);
	mock_ring_complete(a, 1);
	KUNIT_ASSERT_TRUE(test, mock_ring_wait_running(b, 1));
	KUNIT_EXPECT_EQ(test, atomic_read(&gpu.runs), 2);
	mock_ring_complete(b, 1);
	KUNIT_ASSERT_TRUE(test, mock_ring_wait_running(a, 1));
	mock_ring_complete(a, 1);
	KUNIT_EXPECT_GT(test, wait_done(&dc), 0L);
	KUNIT_EXPECT_EQ(test, done_status(&dc), 1);
	mock_ring_destroy(a);
	mock_ring_destroy(b);
	gc_fence_put(&da);
	gc_fence_put(&db);
	gc_fence_put(&dc);
	mock_gpu_fini(test, &gpu);
	gc_expect_no_reports(test);
}

#define NR_QUEUES	4
#define JOBS_PER_QUEUE	8

static void queue_four_independent(struct kunit *test)
{
	struct gc_fence_ref done[NR_QUEUES][JOBS_PER_QUEUE];
	struct mock_ring *ring[NR_QUEUES];
	struct mock_gpu gpu;
	unsigned int q, j;

	mock_gpu_init(test, &gpu);
	for (q = 0; q < NR_QUEUES; q++)
		ring[q] = mock_ring_create(test, &gpu, 2, JOBS_PER_QUEUE, LONG_MS, 1);
	for (j = 0; j < JOBS_PER_QUEUE; j++)
		for (q = 0; q < NR_QUEUES; q++)
			done[q][j] = mock_submit(test, ring[q], mock_job_alloc(test, ring[q]),
						 NULL);
	for (q = 0; q < NR_QUEUES; q++)
		for (j = 0; j < JOBS_PER_QUEUE; j++) {
			KUNIT_EXPECT_GT(test, wait_done(&done[q][j]), 0L);
			KUNIT_EXPECT_EQ(test, done_status(&done[q][j]), 1);
			gc_fence_put(&done[q][j]);
		}
	for (q = 0; q < NR_QUEUES; q++)
		mock_ring_destroy(ring[q]);
	mock_gpu_fini(test, &gpu);
	KUNIT_EXPECT_EQ(test, atomic_read(&gpu.frees), NR_QUEUES * JOBS_PER_QUEUE);
	gc_expect_no_reports(test);
}

static void queue_four_interdependent(struct kunit *test)
{
	struct gc_fence_ref done[NR_QUEUES * JOBS_PER_QUEUE];
	int stamps[NR_QUEUES * JOBS_PER_QUEUE] = {};
	struct mock_ring *ring[NR_QUEUES];
	struct gc_fence_ref prev = {};
	struct mock_gpu gpu;
	unsigned int q, k;

	mock_gpu_init(test, &gpu);
	for (q = 0; q < NR_QUEUES; q++)
		ring[q] = mock_ring_create(test, &gpu, 2, JOBS_PER_QUEUE, LONG_MS, 1);
	/* One chain through every queue in turn: job k runs on queue k % 4. */
	for (k = 0; k < ARRAY_SIZE(done); k++) {
		struct mock_ring *r = ring[k % NR_QUEUES];
		struct mock_job *mj = mock_job_alloc(test, r);

		mj->run_stamp = &stamps[k];
		done[k] = mock_submit(test, r, mj, gc_fence_borrow(&prev));
		gc_fence_put(&prev);
		prev = gc_fence_get(gc_fence_borrow(&done[k]));
	}
	KUNIT_EXPECT_GT(test, wait_done(&prev), 0L);
	gc_fence_put(&prev);
	for (k = 0; k < ARRAY_SIZE(done); k++) {
		KUNIT_EXPECT_EQ(test, done_status(&done[k]), 1);
		/* Each job ran after the one it depended on. */
		if (k)
			KUNIT_EXPECT_GT(test, stamps[k], stamps[k - 1]);
		gc_fence_put(&done[k]);
	}
	for (q = 0; q < NR_QUEUES; q++)
		mock_ring_destroy(ring[q]);
	mock_gpu_fini(test, &gpu);
	KUNIT_EXPECT_EQ(test, atomic_read(&gpu.runs), NR_QUEUES * JOBS_PER_QUEUE);
	gc_expect_no_reports(test);
}

/* Submit a mock job that uses @bo; returns its done fence. */
static struct gc_fence_ref submit_with_bo(struct kunit *test, struct mock_ring *ring,
					  struct mock_job *mj, struct gc_bo *bo,
					  enum gc_access access)
{
	struct gc_job_pending pending = gc_job_init(&mj->base, ring->queue, 0);
	struct gc_job_armed armed;
	struct gc_fence_ref done;

	KUNIT_ASSERT_FALSE(test, gc_is_err(pending));
	KUNIT_EXPECT_EQ(test, gc_job_use_bo(&pending, bo, access), 0);
	armed = gc_job_arm(&pending);
	KUNIT_ASSERT_FALSE(test, gc_is_err(armed));
	done = gc_job_done_fence(&armed);
	gc_job_push(&armed);
	return done;
}

/*
 * Run one job that writes a BO the driver lets go of at once; @stale fills
 * the job's gpucore part with stale bytes first.
 */
static void run_job_owning_bo(struct kunit *test, bool stale)
{
	struct mock_gpu gpu;
	struct mock_ring *ring;
	struct gc_fence_ref done;
	struct gc_bo_ref ref;
	bool freed = false;
	struct mock_job *mj;

	mock_gpu_init(test, &gpu);
	ring = mock_ring_create(test, &gpu, 2, 4, LONG_MS, 0);
	ref = mock_gpu_bo(test, &gpu, PAGE_SIZE);
	mj = mock_job_alloc(test, ring);
	if (stale)
		memset(&mj->base, 0xa5, sizeof(mj->base));
	mj->freed = &freed;
	done = submit_with_bo(test, ring, mj, gc_bo_borrow(&ref), GC_ACCESS_WRITE);
	gc_bo_put(&ref);	/* the driver lets go; the job still holds it */
	KUNIT_EXPECT_EQ(test, gc_track_dir_live(&gpu.gdev.refs), 3u);	/* bo, job, done */
	KUNIT_ASSERT_TRUE(test, mock_ring_wait_running(ring, 1));
	mock_ring_complete(ring, 1);
	KUNIT_EXPECT_GT(test, wait_done(&done), 0L);
	KUNIT_EXPECT_EQ(test, dma_fence_get_status(gc_fence_borrow(&done)), 1);
	mock_ring_destroy(ring);
	gc_fence_put(&done);
	mock_gpu_fini(test, &gpu);
	KUNIT_EXPECT_TRUE(test, freed);
	gc_expect_no_reports(test);
}

/* A job owns its BOs until it retires (catalogue 6, through a queue). */
static void queue_job_holds_bo_until_retired(struct kunit *test)
{
	run_job_owning_bo(test, false);
}

/*
 * gc_job_init() asks nothing of the job's memory: a job structure full of
 * stale bytes (kmalloc() without zeroing, a recycled job) runs and retires
 * like a zeroed one, and the job frees what it took, nothing else.
 */
static void queue_job_init_over_stale_memory(struct kunit *test)
{
	run_job_owning_bo(test, true);
}

static void queue_implicit_sync_between_queues(struct kunit *test)
{
	struct mock_ring *writer, *reader;
	struct gc_fence_ref dw, dr;
	struct mock_gpu gpu;
	struct gc_bo_ref ref;

	mock_gpu_init(test, &gpu);
	writer = mock_ring_create(test, &gpu, 2, 4, LONG_MS, 0);
	reader = mock_ring_create(test, &gpu, 2, 4, LONG_MS, 0);
	ref = mock_gpu_bo(test, &gpu, PAGE_SIZE);
	dw = submit_with_bo(test, writer, mock_job_alloc(test, writer), gc_bo_borrow(&ref),
			    GC_ACCESS_WRITE);
	dr = submit_with_bo(test, reader, mock_job_alloc(test, reader), gc_bo_borrow(&ref),
			    GC_ACCESS_READ);
	KUNIT_ASSERT_TRUE(test, mock_ring_wait_running(writer, 1));
	msleep(50);
	KUNIT_EXPECT_EQ(test, mock_ring_nr_running(reader), 0u);	/* waits for the write */
	mock_ring_complete(writer, 1);
	KUNIT_ASSERT_TRUE(test, mock_ring_wait_running(reader, 1));
	mock_ring_complete(reader, 1);
	KUNIT_EXPECT_GT(test, wait_done(&dr), 0L);
	gc_bo_put(&ref);
	mock_ring_destroy(writer);
	mock_ring_destroy(reader);
	gc_fence_put(&dw);
	gc_fence_put(&dr);
	mock_gpu_fini(test, &gpu);
	gc_expect_no_reports(test);
}

static void queue_gpu_waits_for_cpu_write(struct kunit *test)
{
	struct gc_bo_cpu_access acc;
	struct mock_ring *ring;
	struct gc_fence_ref done;
	struct mock_gpu gpu;
	struct gc_bo_ref ref;

	mock_gpu_init(test, &gpu);
	ring = mock_ring_create(test, &gpu, 2, 4, LONG_MS, 1);
	ref = mock_gpu_bo(test, &gpu, PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, gc_bo_cpu_begin(&acc, gc_bo_borrow(&ref), GC_ACCESS_WRITE,
					      false, HZ), 0);
	done = submit_with_bo(test, ring, mock_job_alloc(test, ring), gc_bo_borrow(&ref),
			      GC_ACCESS_READ);
	msleep(50);
	KUNIT_EXPECT_EQ(test, atomic_read(&gpu.runs), 0);
	gc_bo_cpu_end(&acc);
	KUNIT_EXPECT_GT(test, wait_done(&done), 0L);
	KUNIT_EXPECT_EQ(test, atomic_read(&gpu.runs), 1);
	gc_bo_put(&ref);
	mock_ring_destroy(ring);
	gc_fence_put(&done);
	mock_gpu_fini(test, &gpu);
	gc_expect_no_reports(test);
}

static void queue_vm_unbind_waits_for_job(struct kunit *test)
{
	struct gc_job_pending pending;
	struct gc_job_armed armed;
	struct mock_ring *ring;
	struct gc_fence_ref done;
	struct mock_gpu gpu;
	struct gc_bo_ref ref;
	struct gc_vm *vm;

	mock_gpu_init(test, &gpu);
	ring = mock_ring_create(test, &gpu, 2, 4, LONG_MS, 0);
	ref = mock_gpu_bo(test, &gpu, PAGE_SIZE);
	vm = gc_vm_create(&gpu.gdev, 0x10000, 0x100000, NULL, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(vm));
	KUNIT_ASSERT_EQ(test, gc_vm_bind(vm, gc_bo_borrow(&ref), 0, 0x10000, PAGE_SIZE,
					 GC_VM_READ), 0);
	pending = gc_job_init(&mock_job_alloc(test, ring)->base, ring->queue, 0);
	KUNIT_ASSERT_FALSE(test, gc_is_err(pending));
	KUNIT_EXPECT_EQ(test, gc_job_use_vm(&pending, vm), 0);
	KUNIT_EXPECT_EQ(test, gc_job_use_vm(&pending, vm), -EBUSY);
	armed = gc_job_arm(&pending);
	done = gc_job_done_fence(&armed);
	gc_job_push(&armed);
	KUNIT_ASSERT_TRUE(test, mock_ring_wait_running(ring, 1));
	gc_bo_put(&ref);
	KUNIT_EXPECT_EQ(test, gc_vm_unbind(vm, 0x10000, PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, gc_vm_nr_deferred(vm), 1u);
	mock_ring_complete(ring, 1);
	KUNIT_EXPECT_GT(test, wait_done(&done), 0L);
	gc_vm_flush(vm);
	KUNIT_EXPECT_EQ(test, gc_vm_nr_deferred(vm), 0u);
	gc_vm_destroy(vm);
	mock_ring_destroy(ring);
	gc_fence_put(&done);
	mock_gpu_fini(test, &gpu);
	gc_expect_no_reports(test);
}

/*
 * Arm of a locked job allocates nothing, through to the push. The task's
 * fail_nth counts down by one at each allocation failslab may fail, which
 * here includes sleeping ones; set far above what a job could allocate, it
 * counts without failing anything, so an allocation shows as a count, not
 * as a failure path. The job uses three BOs, one of them twice (the
 * merge), and a VM.
 */
static void queue_backpressure(struct kunit *test)
{
	struct gc_fence_ref done[2], last;
	struct gc_job_pending pending;
	struct mock_ring *ring;
	struct mock_gpu gpu;
	struct mock_job *mj;

	mock_gpu_init(test, &gpu);
	ring = mock_ring_create(test, &gpu, 1, 2, LONG_MS, 0);
	done[0] = mock_submit(test, ring, mock_job_alloc(test, ring), NULL);
	done[1] = mock_submit(test, ring, mock_job_alloc(test, ring), NULL);
	/* Full: a third job is refused without blocking. */
	mj = mock_job_alloc(test, ring);
	pending = gc_job_init(&mj->base, ring->queue, GC_JOB_NONBLOCK);
	KUNIT_EXPECT_TRUE(test, gc_is_err(pending));
	KUNIT_EXPECT_EQ(test, gc_err(pending), -EAGAIN);
	KUNIT_ASSERT_TRUE(test, mock_ring_wait_running(ring, 1));
	KUNIT_EXPECT_EQ(test, mock_ring_nr_running(ring), 1u);	/* hw_jobs = 1 */
	mock_ring_complete(ring, 1);
	KUNIT_EXPECT_GT(test, wait_done(&done[0]), 0L);
	/* The freed slot takes the job that was refused. */
	last = mock_submit(test, ring, mj, NULL);
	KUNIT_ASSERT_TRUE(test, mock_ring_wait_running(ring, 1));
	mock_ring_complete(ring, 1);
	KUNIT_ASSERT_TRUE(test, mock_ring_wait_running(ring, 1));
	mock_ring_complete(ring, 1);
	KUNIT_EXPECT_GT(test, wait_done(&last), 0L);
	mock_ring_destroy(ring);
	gc_fence_put(&done[0]);
	gc_fence_put(&done[1]);
	gc_fence_put(&last);
	mock_gpu_fini(test, &gpu);
	gc_expect_no_reports(test);
}

#define SUBMIT_JOBS	25

struct submitter {
	struct mock_ring *ring;
	struct task_struct *task;
	struct completion finished;
	atomic_t *next;		/* signal positions, shared by the submitters */
	int jobs;		/* jobs pushed */
	bool completed;		/* the last done fence signalled */
	struct gc_fence_ref done[SUBMIT_JOBS];
	struct signal_order order[SUBMIT_JOBS];
	int stamps[SUBMIT_JOBS];	/* run order, from the mock */
};

static int submitter_fn(void *arg)
{
	struct submitter *s = arg;
	int i;

	for (i = 0; i < SUBMIT_JOBS; i++) {
		struct mock_job *mj = kzalloc(sizeof(*mj), GFP_KERNEL);
		struct gc_job_pending pending;
		struct gc_job_armed armed;

		if (!mj)
			break;
		mj->ring = s->ring;
		mj->run_stamp = &s->stamps[i];
		INIT_LIST_HEAD(&mj->link);
		/* Blocks while the queue is full: back-pressure under contention. */
		pending = gc_job_init(&mj->base, s->ring->queue, 0);
		if (gc_is_err(pending)) {
			kfree(mj);
			break;
		}
		armed = gc_job_arm(&pending);
		if (gc_is_err(armed))
			break;
		s->done[i] = gc_job_done_fence(&armed);
		gc_job_push(&armed);
		signal_order_watch(&s->order[i], s->next, gc_fence_borrow(&s->done[i]));
		s->jobs++;
	}
	s->completed = i && gc_fence_wait(&s->done[i - 1], false, 30 * HZ) > 0;
	complete(&s->finished);
	while (!kthread_should_stop())
		schedule_timeout_interruptible(1);
	return 0;
}

/* Check one submitter's jobs, then drop them. */
static void submitter_check(struct kunit *test, struct submitter *s)
{
	struct dma_fence *f;
	int i;

	KUNIT_EXPECT_EQ(test, s->jobs, SUBMIT_JOBS);
	KUNIT_EXPECT_TRUE(test, s->completed);
	for (i = 0; i < s->jobs; i++) {
		f = gc_fence_borrow(&s->done[i]);
		KUNIT_EXPECT_GT_MSG(test, wait_done(&s->done[i]), 0L, "job %d", i);
		signal_order_unwatch(&s->order[i], f);
		KUNIT_EXPECT_EQ_MSG(test, done_status(&s->done[i]), 1, "job %d", i);
		KUNIT_EXPECT_GT_MSG(test, READ_ONCE(s->order[i].pos), 0, "job %d", i);
		/* One thread's jobs ran and completed in the order it pushed them. */
		if (i) {
			KUNIT_EXPECT_GT_MSG(test, READ_ONCE(s->order[i].pos),
					    READ_ONCE(s->order[i - 1].pos), "job %d", i);
			KUNIT_EXPECT_GT_MSG(test, s->stamps[i], s->stamps[i - 1], "job %d", i);
		}
	}
	for (i = 0; i < s->jobs; i++)
		gc_fence_put(&s->done[i]);
}

static void queue_concurrent_submission(struct kunit *test)
{
	struct submitter *s = kunit_kcalloc(test, 4, sizeof(*s), GFP_KERNEL);
	atomic_t next = ATOMIC_INIT(0);
	struct mock_ring *ring;
	struct mock_gpu gpu;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, s);
	mock_gpu_init(test, &gpu);
	ring = mock_ring_create(test, &gpu, 4, 8, LONG_MS, 1);
	for (i = 0; i < 4; i++) {
		s[i].ring = ring;
		s[i].next = &next;
		init_completion(&s[i].finished);
		s[i].task = kthread_run(submitter_fn, &s[i], "gc-submit:%u", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(s[i].task));
		get_task_struct(s[i].task);
	}
	for (i = 0; i < 4; i++) {
		KUNIT_EXPECT_GT(test, wait_for_completion_timeout(&s[i].finished, 60 * HZ), 0ul);
		kthread_stop(s[i].task);
		put_task_struct(s[i].task);
		submitter_check(test, &s[i]);
	}
	/* Every job's signal was seen once. */
	KUNIT_EXPECT_EQ(test, atomic_read(&next), 4 * SUBMIT_JOBS);
	mock_ring_destroy(ring);
	mock_gpu_fini(test, &gpu);
	KUNIT_EXPECT_EQ(test, atomic_read(&gpu.frees), 100);
	gc_expect_no_reports(test);
}

static void queue_syncobj_dependency(struct kunit *test)
{
	struct gc_timeline *tl = gc_timeline_create("gc-test", "ext", NULL);
	struct gc_fence_signaller ext = gc_fence_create(tl, GFP_KERNEL);
	struct gc_fence_ref ext_fence = gc_fence_signaller_fence(&ext);
	struct gc_job_pending pending;
	struct gc_job_armed armed;
	struct drm_syncobj *syncobj;
	struct drm_file *file;
	struct mock_ring *ring;
	struct gc_fence_ref done;
	struct mock_gpu gpu;
	u32 handle;

	mock_gpu_init(test, &gpu);
	file = gc_mock_file(test, gpu.mdev);
	ring = mock_ring_create(test, &gpu, 2, 4, LONG_MS, 1);
	KUNIT_ASSERT_EQ(test, drm_syncobj_create(&syncobj, 0, gc_fence_borrow(&ext_fence)), 0);
	KUNIT_ASSERT_EQ(test, drm_syncobj_get_handle(file, syncobj, &handle), 0);
	drm_syncobj_put(syncobj);

	pending = gc_job_init(&mock_job_alloc(test, ring)->base, ring->queue, 0);
	KUNIT_ASSERT_FALSE(test, gc_is_err(pending));
	KUNIT_EXPECT_EQ(test, gc_job_add_syncobj(&pending, file, handle + 100, 0), -ENOENT);
	KUNIT_EXPECT_EQ(test, gc_job_add_syncobj(&pending, file, handle, 0), 0);
	armed = gc_job_arm(&pending);
	done = gc_job_done_fence(&armed);
	gc_job_push(&armed);
	msleep(50);
	KUNIT_EXPECT_EQ(test, atomic_read(&gpu.runs), 0);
	gc_fence_signal(&ext);
	KUNIT_EXPECT_GT(test, wait_done(&done), 0L);
	KUNIT_EXPECT_EQ(test, atomic_read(&gpu.runs), 1);
	mock_ring_destroy(ring);
	gc_mock_file_close(test, file);
	gc_fence_put(&done);
	gc_fence_put(&ext_fence);
	mock_gpu_fini(test, &gpu);
	gc_timeline_put(tl);
	gc_expect_no_reports(test);
}

static void queue_bad_arguments(struct kunit *test)
{
	struct gc_queue_params params = { .name = "x", .hw_jobs = 2, .max_jobs = 1,
					  .timeout_ms = 100 };
	struct gc_job_pending pending;
	struct mock_ring *ring;
	struct mock_gpu gpu;
	struct mock_job *mj;

	mock_gpu_init(test, &gpu);
	/* max_jobs below hw_jobs, no ops. */
	KUNIT_EXPECT_EQ(test, PTR_ERR(gc_queue_create(&gpu.gdev, &params, NULL, NULL)), -EINVAL);
	ring = mock_ring_create(test, &gpu, 1, 1, LONG_MS, 0);
	mj = mock_job_alloc(test, ring);
	KUNIT_EXPECT_EQ(test, gc_err(gc_job_init(NULL, ring->queue, 0)), -EINVAL);
	KUNIT_EXPECT_EQ(test, gc_err(gc_job_init(&mj->base, NULL, 0)), -EINVAL);
	KUNIT_EXPECT_EQ(test, gc_err(gc_job_init(&mj->base, ring->queue, 0x80)), -EINVAL);
	pending = gc_job_init(&mj->base, ring->queue, 0);
	KUNIT_ASSERT_FALSE(test, gc_is_err(pending));
	KUNIT_EXPECT_EQ(test, gc_job_add_dep(&pending, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, gc_job_use_bo(&pending, NULL, GC_ACCESS_READ), -EINVAL);
	KUNIT_EXPECT_EQ(test, gc_job_use_vm(&pending, NULL), -EINVAL);
	gc_job_abort(&pending);
	KUNIT_EXPECT_EQ(test, gc_err(gc_job_arm(&pending)), -EINVAL);
	mock_ring_destroy(ring);
	mock_gpu_fini(test, &gpu);
	KUNIT_EXPECT_EQ(test, atomic_read(&gpu.frees), 1);
	gc_expect_no_reports(test);
}

static void queue_hw_error_reaches_done_fence(struct kunit *test)
{
	struct gc_fence_ref bad, good, refused;
	struct mock_ring *ring;
	struct mock_gpu gpu;
	struct mock_job *mj;

	mock_gpu_init(test, &gpu);
	ring = mock_ring_create(test, &gpu, 2, 4, LONG_MS, 1);
	mj = mock_job_alloc(test, ring);
	mj->hw_error = -EFAULT;		/* a GPU page fault */
	bad = mock_submit(test, ring, mj, NULL);
	mj = mock_job_alloc(test, ring);
	mj->fail_run = -EINVAL;		/* the backend refuses the command */
	refused = mock_submit(test, ring, mj, NULL);
	good = mock_submit(test, ring, mock_job_alloc(test, ring), NULL);
	KUNIT_EXPECT_GT(test, wait_done(&good), 0L);
	KUNIT_EXPECT_EQ(test, done_status(&bad), -EFAULT);
	KUNIT_EXPECT_EQ(test, done_status(&refused), -EINVAL);
	/* A fault is the job's own; the queue goes on. */
	KUNIT_EXPECT_EQ(test, done_status(&good), 1);
	mock_ring_destroy(ring);
	gc_fence_put(&bad);
	gc_fence_put(&refused);
	gc_fence_put(&good);
	mock_gpu_fini(test, &gpu);
	gc_expect_no_reports(test);
}

/*
 * A job's done fence signals when its hardware fence does, without waiting
 * for the scheduler to free the job: with the scheduler paused, the
 * hardware completion alone signals it, with the hardware's error.
 */
static void queue_done_signals_with_hw_fence(struct kunit *test)
{
	struct gc_fence_ref done, bad;
	struct mock_ring *ring;
	struct mock_gpu gpu;
	struct mock_job *mj;

	mock_gpu_init(test, &gpu);
	ring = mock_ring_create(test, &gpu, 2, 4, LONG_MS, 0);
	done = mock_submit(test, ring, mock_job_alloc(test, ring), NULL);
	mj = mock_job_alloc(test, ring);
	mj->hw_error = -EFAULT;
	bad = mock_submit(test, ring, mj, NULL);
	KUNIT_ASSERT_TRUE(test, mock_ring_wait_running(ring, 2));

	gc_compat_sched_pause(&ring->queue->sched);
	KUNIT_EXPECT_EQ(test, mock_ring_complete(ring, 2), 2u);
	KUNIT_EXPECT_TRUE(test, dma_fence_is_signaled(gc_fence_borrow(&done)));
	KUNIT_EXPECT_EQ(test, done_status(&done), 1);
	KUNIT_EXPECT_TRUE(test, dma_fence_is_signaled(gc_fence_borrow(&bad)));
	KUNIT_EXPECT_EQ(test, done_status(&bad), -EFAULT);
	/* The scheduler, paused, has freed nothing yet. */
	KUNIT_EXPECT_EQ(test, atomic_read(&gpu.frees), 0);
	gc_compat_sched_resume(&ring->queue->sched);

	mock_ring_destroy(ring);
	gc_fence_put(&done);
	gc_fence_put(&bad);
	mock_gpu_fini(test, &gpu);
	KUNIT_EXPECT_EQ(test, atomic_read(&gpu.frees), 2);
	gc_expect_no_reports(test);
}

static struct kunit_case gc_queue_cases[] = {
	KUNIT_CASE(queue_single_job),
	KUNIT_CASE(queue_jobs_complete_in_order),
	KUNIT_CASE(queue_dependency_chain),
	KUNIT_CASE(queue_four_independent),
	KUNIT_CASE(queue_four_interdependent),
	KUNIT_CASE(queue_job_holds_bo_until_retired),
	KUNIT_CASE(queue_job_init_over_stale_memory),
	KUNIT_CASE(queue_implicit_sync_between_queues),
	KUNIT_CASE(queue_gpu_waits_for_cpu_write),
	KUNIT_CASE(queue_vm_unbind_waits_for_job),
	KUNIT_CASE(queue_backpressure),
	KUNIT_CASE(queue_concurrent_submission),
	KUNIT_CASE(queue_syncobj_dependency),
	KUNIT_CASE(queue_bad_arguments),
	KUNIT_CASE(queue_hw_error_reaches_done_fence),
	KUNIT_CASE(queue_done_signals_with_hw_fence),
	{}
};

static struct kunit_suite gc_queue_suite = {
	.name = "gpucore_queue",
	.init = gc_test_init,
	.exit = gc_test_exit,
	.test_cases = gc_queue_cases,
};

kunit_test_suite(gc_queue_suite);
