// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Queue lifetimes under failure: teardown with queued and running work,
 * jobs aborted before push, hangs with and without a reset, unplug with
 * work in flight, and the catalogue entry 9 patterns (scheduler teardown
 * with jobs pending, an entity killed without waiting for dependencies, a
 * job freed twice on an aborted submission, scheduler fences outliving the
 * scheduler). Every case ends with gc_device_fini(): no queue, job or
 * reference may be left behind.
 */

#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/kthread.h>

#include <gpucore/compat.h>

#include "gc_test.h"
#include "mock_gpu.h"

#define LONG_MS		10000
#define HANG_MS		100

/* Catalogue 9: destroying a queue with jobs queued cancels and frees them. */
static void lifetime_destroy_cancels_queued(struct kunit *test)
{
	struct gc_fence_ref done[4];
	struct mock_ring *ring;
	struct mock_gpu gpu;
	unsigned int i;

	mock_gpu_init(test, &gpu);
	ring = mock_ring_create(test, &gpu, 1, 4, LONG_MS, 0);
	for (i = 0; i < ARRAY_SIZE(done); i++)
		done[i] = mock_submit(test, ring, mock_job_alloc(test, ring), NULL);
	KUNIT_ASSERT_TRUE(test, mock_ring_wait_running(ring, 1));
	mock_ring_destroy(ring);
	/* The running job finishes normally; the queued ones never run. */
	mock_ring_complete(ring, 1);
	for (i = 0; i < ARRAY_SIZE(done); i++)
		KUNIT_EXPECT_GT(test, wait_done(&done[i]), 0L);
	KUNIT_EXPECT_EQ(test, done_status(&done[0]), 1);
	for (i = 1; i < ARRAY_SIZE(done); i++)
		KUNIT_EXPECT_EQ(test, done_status(&done[i]), -ECANCELED);
	for (i = 0; i < ARRAY_SIZE(done); i++)
		gc_fence_put(&done[i]);
	mock_gpu_fini(test, &gpu);
	KUNIT_EXPECT_EQ(test, atomic_read(&gpu.runs), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&gpu.frees), 4);
	gc_expect_no_reports(test);
}

/*
 * A job cancelled by the queue's destruction while the job before it still
 * runs completes after that job, not at once: done fences of one queue
 * signal in order (a reservation keeps only a context's latest fence, and
 * the VM keeps unbound ranges mapped for exactly that one).
 */
static void lifetime_cancelled_job_completes_in_order(struct kunit *test)
{
	struct dma_fence *gate = gc_test_foreign_fence(test);
	struct gc_fence_ref running, cancelled;
	struct mock_ring *ring;
	struct mock_gpu gpu;

	mock_gpu_init(test, &gpu);
	/* Room for both on the hardware: only the gate holds the second back. */
	ring = mock_ring_create(test, &gpu, 2, 4, LONG_MS, 0);
	running = mock_submit(test, ring, mock_job_alloc(test, ring), NULL);
	cancelled = mock_submit(test, ring, mock_job_alloc(test, ring), gate);
	KUNIT_ASSERT_TRUE(test, mock_ring_wait_running(ring, 1));
	mock_ring_destroy(ring);
	dma_fence_signal(gate);
	/* The scheduler gets time to complete the second job if it wrongly would. */
	msleep(100);
	KUNIT_EXPECT_FALSE(test, dma_fence_is_signaled(gc_fence_borrow(&cancelled)));
	mock_ring_complete(ring, 1);
	KUNIT_EXPECT_GT(test, wait_done(&running), 0L);
	KUNIT_EXPECT_GT(test, wait_done(&cancelled), 0L);
	KUNIT_EXPECT_EQ(test, done_status(&running), 1);
	KUNIT_EXPECT_EQ(test, done_status(&cancelled), -ECANCELED);
	gc_fence_put(&running);
	gc_fence_put(&cancelled);
	dma_fence_put(gate);
	mock_gpu_fini(test, &gpu);
	KUNIT_EXPECT_EQ(test, atomic_read(&gpu.runs), 1);
	gc_expect_no_reports(test);
}

/* Entity cleanup with half the jobs still pending. */
static void lifetime_destroy_half_done(struct kunit *test)
{
	struct gc_fence_ref done[8];
	struct mock_ring *ring;
	struct mock_gpu gpu;
	unsigned int i;

	mock_gpu_init(test, &gpu);
	ring = mock_ring_create(test, &gpu, 2, 8, LONG_MS, 0);
	for (i = 0; i < ARRAY_SIZE(done); i++)
		done[i] = mock_submit(test, ring, mock_job_alloc(test, ring), NULL);
	for (i = 0; i < 4; i++) {
		KUNIT_ASSERT_TRUE(test, mock_ring_wait_running(ring, 1));
		mock_ring_complete(ring, 1);
		KUNIT_EXPECT_GT(test, wait_done(&done[i]), 0L);
	}
	KUNIT_ASSERT_TRUE(test, mock_ring_wait_running(ring, 2));
	mock_ring_destroy(ring);
	mock_ring_complete(ring, 2);
	for (i = 0; i < ARRAY_SIZE(done); i++) {
		KUNIT_EXPECT_GT(test, wait_done(&done[i]), 0L);
		KUNIT_EXPECT_EQ(test, done_status(&done[i]), i < 6 ? 1 : -ECANCELED);
		gc_fence_put(&done[i]);
	}
	mock_gpu_fini(test, &gpu);
	KUNIT_EXPECT_EQ(test, atomic_read(&gpu.frees), 8);
	gc_expect_no_reports(test);
}

/*
 * Catalogue 9: a killed queue's job still waits for its dependencies
 * before it is released; nothing it points at is freed early.
 */
static void lifetime_destroy_waits_for_dependencies(struct kunit *test)
{
	struct gc_timeline *tl = gc_timeline_create("gc-test", "dep", NULL);
	struct gc_fence_signaller dep = gc_fence_create(tl, GFP_KERNEL);
	struct gc_fence_ref dep_fence = gc_fence_signaller_fence(&dep);
	struct mock_ring *ring;
	struct gc_fence_ref done;
	struct mock_gpu gpu;
	bool freed = false;
	struct mock_job *mj;

	mock_gpu_init(test, &gpu);
	ring = mock_ring_create(test, &gpu, 1, 4, LONG_MS, 0);
	mj = mock_job_alloc(test, ring);
	mj->freed = &freed;
	done = mock_submit(test, ring, mj, gc_fence_borrow(&dep_fence));
	mock_ring_destroy(ring);
	msleep(100);
	KUNIT_EXPECT_FALSE(test, freed);
	KUNIT_EXPECT_FALSE(test, dma_fence_is_signaled(gc_fence_borrow(&done)));
	gc_fence_signal(&dep);
	KUNIT_EXPECT_GT(test, wait_done(&done), 0L);
	KUNIT_EXPECT_EQ(test, done_status(&done), -ECANCELED);
	gc_fence_put(&done);
	gc_fence_put(&dep_fence);
	mock_gpu_fini(test, &gpu);
	KUNIT_EXPECT_TRUE(test, freed);
	KUNIT_EXPECT_EQ(test, atomic_read(&gpu.runs), 0);
	gc_timeline_put(tl);
	gc_expect_no_reports(test);
}

/* Catalogue 9: the fences user space holds outlive queue, device, driver. */
static void lifetime_done_fence_outlives_queue(struct kunit *test)
{
	struct mock_ring *ring;
	struct gc_fence_ref done;
	struct mock_gpu gpu;
	struct dma_fence *f;

	mock_gpu_init(test, &gpu);
	ring = mock_ring_create(test, &gpu, 1, 2, LONG_MS, 1);
	done = mock_submit(test, ring, mock_job_alloc(test, ring), NULL);
	KUNIT_EXPECT_GT(test, wait_done(&done), 0L);
	/* Handed to user space, as a sync_file or syncobj holds it. */
	f = gc_fence_into_raw(&done);
	mock_ring_destroy(ring);
	mock_gpu_fini(test, &gpu);
	/* Queue, scheduler and timeline are gone; the names live in the fence. */
	KUNIT_EXPECT_STREQ(test, f->ops->get_driver_name(f), "gc-mock");
	KUNIT_EXPECT_STREQ(test, f->ops->get_timeline_name(f), "mock-ring");
	KUNIT_EXPECT_EQ(test, dma_fence_get_status(f), 1);
	dma_fence_put(f);
	gc_expect_no_reports(test);
}

/* Catalogue 9: an aborted submission frees its job exactly once. */
static void lifetime_abort_frees_once(struct kunit *test)
{
	struct mock_ring *ring;
	struct mock_gpu gpu;
	struct mock_job *mj;

	mock_gpu_init(test, &gpu);
	ring = mock_ring_create(test, &gpu, 1, 2, LONG_MS, 0);
	mj = mock_job_alloc(test, ring);
	{
		struct gc_job_pending pending __free(gc_job_abort) =
			gc_job_init(&mj->base, ring->queue, 0);

		KUNIT_ASSERT_FALSE(test, gc_is_err(pending));
		/* An error path: the scope ends before arm. */
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&gpu.frees), 1);
	mock_ring_destroy(ring);
	mock_gpu_fini(test, &gpu);
	KUNIT_EXPECT_EQ(test, atomic_read(&gpu.frees), 1);
	gc_expect_no_reports(test);
}

static void lifetime_double_abort_through_copy(struct kunit *test)
{
	struct gc_job_pending pending, copy;
	struct mock_ring *ring;
	struct mock_gpu gpu;

	GC_NEED_TRACKING(test);
	mock_gpu_init(test, &gpu);
	ring = mock_ring_create(test, &gpu, 1, 2, LONG_MS, 0);
	pending = gc_job_init(&mock_job_alloc(test, ring)->base, ring->queue, 0);
	KUNIT_ASSERT_FALSE(test, gc_is_err(pending));
	copy = pending;		/* the bug: two error paths own the job */
	gc_job_abort(&pending);
	gc_job_abort(&copy);
	KUNIT_EXPECT_EQ(test, GC_REPORTS(test, GC_REPORT_DOUBLE_PUT), 1u);
	KUNIT_EXPECT_EQ(test, atomic_read(&gpu.frees), 1);
	mock_ring_destroy(ring);
	mock_gpu_fini(test, &gpu);
	KUNIT_EXPECT_EQ(test, atomic_read(&gpu.frees), 1);
}

static void lifetime_use_after_push_detected(struct kunit *test)
{
	struct gc_job_armed armed, stale;
	struct gc_job_pending pending;
	struct gc_fence_ref done, late;
	struct mock_ring *ring;
	struct mock_gpu gpu;

	GC_NEED_TRACKING(test);
	mock_gpu_init(test, &gpu);
	ring = mock_ring_create(test, &gpu, 1, 2, LONG_MS, 1);
	pending = gc_job_init(&mock_job_alloc(test, ring)->base, ring->queue, 0);
	armed = gc_job_arm(&pending);
	KUNIT_ASSERT_FALSE(test, gc_is_err(armed));
	stale = armed;
	done = gc_job_done_fence(&armed);
	gc_job_push(&armed);
	KUNIT_EXPECT_NULL(test, armed.ptr);
	KUNIT_EXPECT_GT(test, wait_done(&done), 0L);
	/* The queue owned and freed the job; the stale handle must not reach it. */
	late = gc_job_done_fence(&stale);
	KUNIT_EXPECT_NULL(test, late.ptr);
	gc_job_push(&stale);
	/* A read through the stale handle, then a second consumption of it. */
	KUNIT_EXPECT_EQ(test, GC_REPORTS(test, GC_REPORT_USE_AFTER_PUT), 1u);
	KUNIT_EXPECT_EQ(test, GC_REPORTS(test, GC_REPORT_DOUBLE_PUT), 1u);
	mock_ring_destroy(ring);
	gc_fence_put(&done);
	mock_gpu_fini(test, &gpu);
	KUNIT_EXPECT_EQ(test, atomic_read(&gpu.frees), 1);
}

static void lifetime_armed_job_dropped(struct kunit *test)
{
	struct mock_ring *ring;
	struct gc_fence_ref done, next;
	struct mock_gpu gpu;

	mock_gpu_init(test, &gpu);
	ring = mock_ring_create(test, &gpu, 1, 2, LONG_MS, 1);
	{
		struct gc_job_pending pending =
			gc_job_init(&mock_job_alloc(test, ring)->base, ring->queue, 0);
		struct gc_job_armed armed __free(gc_job_armed_drop) = gc_job_arm(&pending);

		KUNIT_ASSERT_FALSE(test, gc_is_err(armed));
		done = gc_job_done_fence(&armed);
		/* The bug: an error path leaves without pushing. */
	}
	KUNIT_EXPECT_EQ(test, GC_REPORTS(test, GC_REPORT_FENCE_DROPPED), 1u);
	KUNIT_EXPECT_EQ(test, done_status(&done), -ECANCELED);
	KUNIT_EXPECT_EQ(test, atomic_read(&gpu.frees), 1);
	/* The submit lock was released: the queue still takes jobs. */
	next = mock_submit(test, ring, mock_job_alloc(test, ring), NULL);
	KUNIT_EXPECT_GT(test, wait_done(&next), 0L);
	KUNIT_EXPECT_EQ(test, done_status(&next), 1);
	mock_ring_destroy(ring);
	gc_fence_put(&done);
	gc_fence_put(&next);
	mock_gpu_fini(test, &gpu);
}

static void lifetime_hang_bans_queue(struct kunit *test)
{
	struct gc_fence_ref hung, beside, queued, other_done;
	struct gc_job_pending refused;
	struct mock_ring *ring, *other;
	struct mock_gpu gpu;
	struct mock_job *mj;

	mock_gpu_init(test, &gpu);
	ring = mock_ring_create(test, &gpu, 2, 4, HANG_MS, 0);
	other = mock_ring_create(test, &gpu, 1, 2, LONG_MS, 1);
	mj = mock_job_alloc(test, ring);
	mj->hang = true;
	hung = mock_submit(test, ring, mj, NULL);
	beside = mock_submit(test, ring, mock_job_alloc(test, ring), NULL);
	queued = mock_submit(test, ring, mock_job_alloc(test, ring), NULL);
	KUNIT_EXPECT_GT(test, wait_done(&hung), 0L);
	KUNIT_EXPECT_EQ(test, done_status(&hung), -ETIMEDOUT);
	KUNIT_EXPECT_GT(test, wait_done(&beside), 0L);
	KUNIT_EXPECT_EQ(test, done_status(&beside), -ECANCELED);
	KUNIT_EXPECT_GT(test, wait_done(&queued), 0L);
	KUNIT_EXPECT_EQ(test, done_status(&queued), -ECANCELED);
	KUNIT_EXPECT_EQ(test, atomic_read(&ring->stops), 1);
	KUNIT_EXPECT_EQ(test, ring->queue->nr_timeouts, 1u);
	/* Banned: new work is refused with a clear errno... */
	mj = mock_job_alloc(test, ring);
	refused = gc_job_init(&mj->base, ring->queue, 0);
	KUNIT_EXPECT_EQ(test, gc_err(refused), -EIO);
	kfree(mj);
	/* ...and the other queue is not affected. */
	other_done = mock_submit(test, other, mock_job_alloc(test, other), NULL);
	KUNIT_EXPECT_GT(test, wait_done(&other_done), 0L);
	KUNIT_EXPECT_EQ(test, done_status(&other_done), 1);
	mock_ring_destroy(ring);
	mock_ring_destroy(other);
	gc_fence_put(&hung);
	gc_fence_put(&beside);
	gc_fence_put(&queued);
	gc_fence_put(&other_done);
	mock_gpu_fini(test, &gpu);
	KUNIT_EXPECT_EQ(test, atomic_read(&gpu.frees), 4);
	gc_expect_no_reports(test);
}

static void lifetime_slow_job_skips_reset(struct kunit *test)
{
	struct gc_fence_ref slow, next;
	struct mock_ring *ring;
	struct mock_gpu gpu;
	struct mock_job *mj;

	mock_gpu_init(test, &gpu);
	ring = mock_ring_create(test, &gpu, 1, 4, HANG_MS, 10);
	mj = mock_job_alloc(test, ring);
	mj->hang = true;	/* not completed by the ring... */
	mj->slow = true;	/* ...but not hung either: its timeout says so */
	slow = mock_submit(test, ring, mj, NULL);
	next = mock_submit(test, ring, mock_job_alloc(test, ring), NULL);
	KUNIT_EXPECT_GT(test, wait_done(&slow), 0L);
	KUNIT_EXPECT_EQ(test, done_status(&slow), 1);
	KUNIT_EXPECT_GT(test, wait_done(&next), 0L);
	KUNIT_EXPECT_EQ(test, done_status(&next), 1);
	KUNIT_EXPECT_FALSE(test, ring->queue->banned);
	KUNIT_EXPECT_EQ(test, atomic_read(&ring->stops), 0);
	mock_ring_destroy(ring);
	gc_fence_put(&slow);
	gc_fence_put(&next);
	mock_gpu_fini(test, &gpu);
	gc_expect_no_reports(test);
}

static void lifetime_unplug_with_work_in_flight(struct kunit *test)
{
	struct gc_queue_params params = { .name = "late", .hw_jobs = 1, .max_jobs = 1,
					  .timeout_ms = LONG_MS };
	struct gc_fence_ref running, queued;
	struct gc_job_pending refused;
	struct gc_queue *queue;
	struct mock_ring *ring;
	struct mock_gpu gpu;
	struct mock_job *mj;

	mock_gpu_init(test, &gpu);
	ring = mock_ring_create(test, &gpu, 1, 4, LONG_MS, 0);
	running = mock_submit(test, ring, mock_job_alloc(test, ring), NULL);
	queued = mock_submit(test, ring, mock_job_alloc(test, ring), NULL);
	KUNIT_ASSERT_TRUE(test, mock_ring_wait_running(ring, 1));

	gc_device_unplug(&gpu.gdev);
	KUNIT_EXPECT_GT(test, wait_done(&running), 0L);
	KUNIT_EXPECT_EQ(test, done_status(&running), -ENODEV);
	KUNIT_EXPECT_GT(test, wait_done(&queued), 0L);
	KUNIT_EXPECT_EQ(test, done_status(&queued), -ENODEV);
	KUNIT_EXPECT_EQ(test, ring->last_stop_error, -ENODEV);
	mj = mock_job_alloc(test, ring);
	refused = gc_job_init(&mj->base, ring->queue, 0);
	KUNIT_EXPECT_EQ(test, gc_err(refused), -ENODEV);
	kfree(mj);
	queue = gc_queue_create(&gpu.gdev, &params, &mock_queue_ops, NULL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(queue), -ENODEV);
	/* The file that owns the queue closes later: still valid until then. */
	mock_ring_destroy(ring);
	gc_fence_put(&running);
	gc_fence_put(&queued);
	mock_gpu_fini(test, &gpu);
	KUNIT_EXPECT_EQ(test, atomic_read(&gpu.frees), 2);
	gc_expect_no_reports(test);
}

/* Hardware fences signalled from an interrupt; release in process context. */
struct irq_completer {
	struct timer_list timer;
	struct mock_ring *ring;
};

static void irq_complete_fn(struct timer_list *t)
{
	struct irq_completer *c = container_of(t, struct irq_completer, timer);

	mock_ring_complete(c->ring, 1);
}

static void lifetime_release_in_process_context(struct kunit *test)
{
	struct irq_completer c;
	struct mock_ring *ring;
	struct gc_fence_ref done;
	struct mock_gpu gpu;

	mock_gpu_init(test, &gpu);
	ring = mock_ring_create(test, &gpu, 1, 2, LONG_MS, 0);
	done = mock_submit(test, ring, mock_job_alloc(test, ring), NULL);
	KUNIT_ASSERT_TRUE(test, mock_ring_wait_running(ring, 1));
	c.ring = ring;
	timer_setup_on_stack(&c.timer, irq_complete_fn, 0);
	mod_timer(&c.timer, jiffies + 1);
	KUNIT_EXPECT_GT(test, wait_done(&done), 0L);
	timer_delete_sync(&c.timer);
	gc_compat_destroy_timer_on_stack(&c.timer);
	mock_ring_destroy(ring);
	gc_fence_put(&done);
	/* mock_gpu_fini() checks that no job was freed outside process context. */
	mock_gpu_fini(test, &gpu);
	gc_expect_no_reports(test);
}

static void lifetime_destroy_idle_queue(struct kunit *test)
{
	struct mock_gpu gpu;

	mock_gpu_init(test, &gpu);
	mock_ring_destroy(mock_ring_create(test, &gpu, 1, 1, LONG_MS, 0));
	mock_gpu_fini(test, &gpu);
	KUNIT_EXPECT_EQ(test, atomic_read(&gpu.frees), 0);
	gc_expect_no_reports(test);
}

/* Destroyed with a hung job on the hardware: the hang still ends it. */
static void lifetime_destroy_with_hung_job(struct kunit *test)
{
	struct mock_ring *ring;
	struct gc_fence_ref done;
	struct mock_gpu gpu;
	struct mock_job *mj;

	mock_gpu_init(test, &gpu);
	ring = mock_ring_create(test, &gpu, 1, 2, HANG_MS, 0);
	mj = mock_job_alloc(test, ring);
	mj->hang = true;
	done = mock_submit(test, ring, mj, NULL);
	KUNIT_ASSERT_TRUE(test, mock_ring_wait_running(ring, 1));
	mock_ring_destroy(ring);
	KUNIT_EXPECT_GT(test, wait_done(&done), 0L);
	KUNIT_EXPECT_EQ(test, done_status(&done), -ETIMEDOUT);
	gc_fence_put(&done);
	mock_gpu_fini(test, &gpu);
	KUNIT_EXPECT_EQ(test, atomic_read(&gpu.frees), 1);
	gc_expect_no_reports(test);
}

static void lifetime_arm_after_ban(struct kunit *test)
{
	struct gc_job_pending late;
	struct gc_job_armed armed;
	struct mock_ring *ring;
	struct gc_fence_ref hung;
	struct mock_gpu gpu;
	struct mock_job *mj;

	mock_gpu_init(test, &gpu);
	ring = mock_ring_create(test, &gpu, 1, 4, HANG_MS, 0);
	late = gc_job_init(&mock_job_alloc(test, ring)->base, ring->queue, 0);
	KUNIT_ASSERT_FALSE(test, gc_is_err(late));
	mj = mock_job_alloc(test, ring);
	mj->hang = true;
	hung = mock_submit(test, ring, mj, NULL);
	KUNIT_EXPECT_GT(test, wait_done(&hung), 0L);
	/* Prepared before the hang, armed after: refused, and freed. */
	armed = gc_job_arm(&late);
	KUNIT_EXPECT_EQ(test, gc_err(armed), -EIO);
	KUNIT_EXPECT_TRUE(test, mock_gpu_wait_frees(&gpu, 2));
	gc_fence_put(&hung);
	mock_ring_destroy(ring);
	mock_gpu_fini(test, &gpu);
	gc_expect_no_reports(test);
}

struct blocked_init {
	struct mock_ring *ring;
	struct completion started;
	struct completion finished;
	long result;
};

static int blocked_init_fn(void *arg)
{
	struct blocked_init *b = arg;
	struct mock_job *mj = kzalloc(sizeof(*mj), GFP_KERNEL);
	struct gc_job_pending pending;

	if (mj) {
		mj->ring = b->ring;
		INIT_LIST_HEAD(&mj->link);
	}
	complete(&b->started);
	pending = gc_job_init(mj ? &mj->base : NULL, b->ring->queue, 0);
	b->result = gc_is_err(pending) ? gc_err(pending) : 0;
	if (gc_is_err(pending))
		kfree(mj);
	gc_job_abort(&pending);
	complete(&b->finished);
	while (!kthread_should_stop())
		schedule_timeout_interruptible(1);
	return 0;
}

/* Blocked on a full queue, woken by room (0) or by a ban (-EIO). */
static void blocked_init_case(struct kunit *test, bool hang)
{
	struct blocked_init b = {};
	struct task_struct *task;
	struct mock_ring *ring;
	struct gc_fence_ref done;
	struct mock_gpu gpu;
	struct mock_job *mj;

	mock_gpu_init(test, &gpu);
	ring = mock_ring_create(test, &gpu, 1, 1, HANG_MS, 0);
	mj = mock_job_alloc(test, ring);
	mj->hang = true;
	mj->slow = !hang;
	done = mock_submit(test, ring, mj, NULL);
	b.ring = ring;
	init_completion(&b.started);
	init_completion(&b.finished);
	task = kthread_run(blocked_init_fn, &b, "gc-blocked");
	KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	get_task_struct(task);
	wait_for_completion(&b.started);
	msleep(20);
	KUNIT_EXPECT_FALSE(test, completion_done(&b.finished));
	KUNIT_EXPECT_GT(test, wait_for_completion_timeout(&b.finished, 10 * HZ), 0ul);
	KUNIT_EXPECT_EQ(test, b.result, hang ? (long)-EIO : 0L);
	kthread_stop(task);
	put_task_struct(task);
	KUNIT_EXPECT_GT(test, wait_done(&done), 0L);
	KUNIT_EXPECT_EQ(test, done_status(&done), hang ? -ETIMEDOUT : 1);
	gc_fence_put(&done);
	mock_ring_destroy(ring);
	mock_gpu_fini(test, &gpu);
	gc_expect_no_reports(test);
}

static void lifetime_blocked_init_gets_room(struct kunit *test)
{
	blocked_init_case(test, false);
}

static void lifetime_blocked_init_sees_ban(struct kunit *test)
{
	blocked_init_case(test, true);
}

/*
 * drm_sched kills the jobs still queued in an entity that is torn down
 * (drm_sched_entity_fini()), failing their scheduler fence with -ESRCH,
 * a drm_sched detail. The done fence of such a job carries what gpucore
 * gives every job cancelled before it ran, -ECANCELED, and the job never
 * reaches the backend. The scheduler thread is parked so that the job
 * stays in the entity until the kill.
 */
static void lifetime_entity_kill_cancels(struct kunit *test)
{
	struct drm_gpu_scheduler *sched_list[1];
	struct gc_fence_ref done;
	struct mock_ring *ring;
	struct gc_queue *queue;
	struct mock_gpu gpu;

	mock_gpu_init(test, &gpu);
	ring = mock_ring_create(test, &gpu, 2, 4, LONG_MS, 1);
	queue = ring->queue;
	gc_compat_sched_pause(&queue->sched);
	done = mock_submit(test, ring, mock_job_alloc(test, ring), NULL);
	drm_sched_entity_fini(&queue->entity);
	KUNIT_EXPECT_GT(test, wait_done(&done), 0L);
	KUNIT_EXPECT_EQ(test, done_status(&done), -ECANCELED);
	gc_compat_sched_resume(&queue->sched);
	KUNIT_EXPECT_EQ(test, atomic_read(&gpu.runs), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&ring->stops), 0);
	/*
	 * A killed entity is finished for good (from 6.15 its jobs hold its
	 * statistics, which its second fini would use after free): give the
	 * queue a fresh one, which its own teardown finds empty.
	 */
	sched_list[0] = &queue->sched;
	KUNIT_ASSERT_EQ(test, drm_sched_entity_init(&queue->entity, DRM_SCHED_PRIORITY_NORMAL,
						    sched_list, 1, NULL), 0);
	mock_ring_destroy(ring);
	gc_fence_put(&done);
	mock_gpu_fini(test, &gpu);
	KUNIT_EXPECT_EQ(test, atomic_read(&gpu.frees), 1);
	gc_expect_no_reports(test);
}

static struct kunit_case gc_queue_lifetime_cases[] = {
	KUNIT_CASE(lifetime_entity_kill_cancels),
	KUNIT_CASE(lifetime_destroy_cancels_queued),
	KUNIT_CASE(lifetime_cancelled_job_completes_in_order),
	KUNIT_CASE(lifetime_destroy_half_done),
	KUNIT_CASE(lifetime_destroy_waits_for_dependencies),
	KUNIT_CASE(lifetime_done_fence_outlives_queue),
	KUNIT_CASE(lifetime_abort_frees_once),
	KUNIT_CASE(lifetime_double_abort_through_copy),
	KUNIT_CASE(lifetime_use_after_push_detected),
	KUNIT_CASE(lifetime_armed_job_dropped),
	KUNIT_CASE(lifetime_hang_bans_queue),
	KUNIT_CASE(lifetime_slow_job_skips_reset),
	KUNIT_CASE(lifetime_unplug_with_work_in_flight),
	KUNIT_CASE(lifetime_release_in_process_context),
	KUNIT_CASE(lifetime_destroy_idle_queue),
	KUNIT_CASE(lifetime_destroy_with_hung_job),
	KUNIT_CASE(lifetime_arm_after_ban),
	KUNIT_CASE(lifetime_blocked_init_gets_room),
	KUNIT_CASE(lifetime_blocked_init_sees_ban),
	{}
};

static struct kunit_suite gc_queue_lifetime_suite = {
	.name = "gpucore_queue_lifetime",
	.init = gc_test_init,
	.exit = gc_test_exit,
	.test_cases = gc_queue_lifetime_cases,
};

kunit_test_suite(gc_queue_lifetime_suite);
