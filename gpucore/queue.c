// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Queues and typestate jobs on drm_sched. The lifetime rules (see the DOC
 * in queue.h) are kept here by three choices:
 *
 * - a job holds a reference to its queue, and the scheduler is torn down
 *   by a worker after the last job is released: drm_sched_fini() never
 *   meets a pending job, and free_job never runs on a dead scheduler;
 * - the done fence user space sees is a gpucore fence, signalled when the
 *   scheduler's finished fence signals: drm_sched's own fences never leave
 *   the queue, so none can outlive the scheduler they point at;
 * - cancelled and failed jobs go through the scheduler like the others
 *   (run returns an error), so every job takes the one release path;
 * - whatever the signalling side needs is allocated before arm: the done
 *   fence's memory with the job, the per-BO slots with each BO, fence slots
 *   in the reservations by gc_job_lock().
 */

#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <drm/drm_drv.h>
#include <drm/drm_syncobj.h>

#include <gpucore/compat.h>
#include <gpucore/exec.h>
#include <gpucore/queue.h>

#include "internal.h"

static struct gc_job *to_gc_job(struct drm_sched_job *sched_job)
{
	return container_of(sched_job, struct gc_job, base);
}

/* The done fence's signaller: private to gpucore (sparse checks it). */
#define gc_job_done(job)	ACCESS_PRIVATE(job, done)

static void gc_queue_release(struct kref *kref)
{
	struct gc_queue *queue = container_of(kref, struct gc_queue, kref);

	/* The last job may be released from the scheduler's own thread. */
	queue_work(system_unbound_wq, &queue->fini_work);
}

/**
 * gc_queue_get() - take a reference to a queue
 * @queue: the queue; the caller holds a reference (the creator's, a job's
 *	or another gc_queue_get()'s) or a lock its gc_queue_destroy() takes
 *
 * The queue, its &gc_queue.priv and every backend op stay valid until the
 * matching gc_queue_put(), even past gc_queue_destroy(): a driver looks a
 * queue up and uses it without a count of its own.
 *
 * Context: any.
 * Return: @queue.
 */
struct gc_queue *gc_queue_get(struct gc_queue *queue)
{
	kref_get(&queue->kref);
	return queue;
}
EXPORT_SYMBOL_NS_GPL(gc_queue_get, GPUCORE_NS);

/**
 * gc_queue_put() - drop a reference taken by gc_queue_get()
 * @queue: the queue, or NULL
 *
 * The last reference tears the queue down in a worker, which calls
 * &gc_queue_ops.release.
 *
 * Context: any.
 */
void gc_queue_put(struct gc_queue *queue)
{
	if (queue)
		kref_put(&queue->kref, gc_queue_release);
}
EXPORT_SYMBOL_NS_GPL(gc_queue_put, GPUCORE_NS);

static void gc_queue_fini(struct gc_queue *queue)
{
	struct gc_device *gdev = queue->gdev;

	/* No job is left: the entity is idle and the scheduler has nothing pending. */
	drm_sched_entity_destroy(&queue->entity);
	drm_sched_fini(&queue->sched);
	/*
	 * Nothing calls into the backend any more: the scheduler is gone and
	 * gc_device_unplug() skips a queue whose count reached zero.
	 */
	if (queue->ops->release)
		queue->ops->release(queue);
	dma_fence_put(queue->last_hw);
	gc_timeline_put(queue->tl);
	mutex_destroy(&queue->submit_lock);
	kfree(queue->lock_room);

	mutex_lock(&gdev->lock);
	list_del(&queue->link);
	mutex_unlock(&gdev->lock);
	kfree(queue);

	spin_lock_irq(&gdev->idle_lock);
	gdev->nr_queues--;
	wake_up_all(&gdev->idle);
	spin_unlock_irq(&gdev->idle_lock);
}

static void gc_queue_fini_work(struct work_struct *work)
{
	gc_queue_fini(container_of(work, struct gc_queue, fini_work));
}

/* The last reference went in process context, outside the scheduler. */
static void gc_queue_release_now(struct kref *kref)
{
	gc_queue_fini(container_of(kref, struct gc_queue, kref));
}

static void gc_queue_unreserve(struct gc_queue *queue);

/*
 * Free a job whose done fence is settled, then release what it held: the
 * backend's free_job may still undo per-BO hardware state (pins, GART
 * entries), so the BOs and the VM outlive it.
 */
static void gc_job_release(struct gc_job *job)
{
	struct gc_queue *queue = job->queue;
	struct dma_fence *hw_fence = job->hw_fence;
	unsigned int i, nr_bos = job->nr_bos;
	struct gc_job_bo *bos = job->bos;
	struct gc_vm *vm = job->vm;

	queue->ops->free_job(job);
	for (i = 0; i < nr_bos; i++)
		gc_bo_put(&bos[i].ref);
	kfree(bos);
	gc_vm_put(vm);
	dma_fence_put(hw_fence);

	gc_queue_unreserve(queue);
	gc_queue_put(queue);
}

/*
 * run_job, the backend's timed_out verdict and the done fence's signal are on
 * the path that signals the job's fences: each runs inside
 * dma_fence_begin_signalling(), so lockdep reports a backend callback that
 * allocates with reclaim or takes a lock held around such an allocation.
 */
/*
 * A job that does not run (its queue is banned or dying, the device is
 * gone, the backend refused it) completes with @error, but only after the
 * job run before it: done fences of one queue signal in order. A
 * reservation keeps only the latest fence of a context, so an out-of-order
 * one would stand for work still running; the VM, for one, keeps unbound
 * ranges mapped for exactly that fence. Runs in the scheduler's submission
 * context, as every run_job, so @queue->last_hw needs no lock.
 */
static struct dma_fence *gc_job_not_run(struct gc_job *job, int error)
{
	struct gc_queue *queue = job->queue;

	job->error = error;
	job->not_run = true;
	job->hw_fence = queue->last_hw ? dma_fence_get(queue->last_hw) : dma_fence_get_stub();
	return dma_fence_get(job->hw_fence);
}

static struct dma_fence *gc_sched_run_job(struct drm_sched_job *sched_job)
{
	struct gc_job *job = to_gc_job(sched_job);
	struct gc_queue *queue = job->queue;
	struct dma_fence *fence;
	bool cookie;
	int idx;

	if (READ_ONCE(queue->banned) || READ_ONCE(queue->dying))
		return gc_job_not_run(job, -ECANCELED);
	/* Hardware is only touched inside the device gate. */
	if (!drm_dev_enter(queue->gdev->drm, &idx))
		return gc_job_not_run(job, -ENODEV);
	cookie = dma_fence_begin_signalling();
	fence = queue->ops->run(job);
	dma_fence_end_signalling(cookie);
	drm_dev_exit(idx);
	if (IS_ERR_OR_NULL(fence))
		return gc_job_not_run(job, fence ? PTR_ERR(fence) : -EINVAL);
	job->hw_fence = dma_fence_get(fence);
	dma_fence_put(queue->last_hw);
	queue->last_hw = dma_fence_get(fence);
	return fence;
}

static enum drm_gpu_sched_stat gc_sched_timedout_job(struct drm_sched_job *sched_job)
{
	struct gc_job *job = to_gc_job(sched_job);
	struct gc_queue *queue = job->queue;
	enum gc_timeout_result verdict = GC_TIMEOUT_GUILTY;
	bool cookie;
	int idx;

	/*
	 * drm_sched leaves its submission side running during this handler:
	 * pause it, so that the backend's run never races its timed_out and stop.
	 */
	gc_compat_sched_pause(&queue->sched);
	cookie = dma_fence_begin_signalling();
	/*
	 * The job may have finished since the timer fired (6.1 picks the
	 * oldest pending job, freed or not yet): a finished job is never
	 * judged, nor one the backend never saw (it waits for the job before
	 * it, which is judged in its turn). After unplug the hardware is gone
	 * and gc_device_unplug() has stopped the queue: nothing to judge
	 * either.
	 */
	if (job->not_run || (job->hw_fence && dma_fence_is_signaled(job->hw_fence)) ||
	    !drm_dev_enter(queue->gdev->drm, &idx)) {
		gc_compat_sched_requeue(&queue->sched, sched_job);
		goto out;
	}
	if (queue->ops->timed_out)
		verdict = queue->ops->timed_out(job);
	/* Back before stop can complete it: it is freed like any other job. */
	gc_compat_sched_requeue(&queue->sched, sched_job);
	/*
	 * stop is outside the annotation: a backend's reset may wait for its
	 * own completion worker (flush_work()), which lockdep cannot tell from
	 * waiting on a fence. The fences stop completes are signalled inside
	 * gc_fence_signal()'s own annotation.
	 */
	dma_fence_end_signalling(cookie);
	if (verdict == GC_TIMEOUT_GUILTY) {
		job->error = -ETIMEDOUT;
		WRITE_ONCE(queue->banned, true);
		queue->nr_timeouts++;
		/* Everything else on the hardware is cancelled; queued jobs won't run. */
		queue->ops->stop(queue, -ECANCELED);
		wake_up_all(&queue->space);
	}
	drm_dev_exit(idx);
	gc_compat_sched_resume(&queue->sched);
	/* The job completes, and is freed, through its hardware fence. */
	return gc_compat_sched_timeout_status();
out:
	dma_fence_end_signalling(cookie);
	gc_compat_sched_resume(&queue->sched);
	return gc_compat_sched_timeout_status();
}

/* The error the job's done fence carries. */
static int gc_job_fate(struct gc_job *job)
{
	struct dma_fence *finished = &job->base.s_fence->finished;

	if (job->error)
		return job->error;
	if (job->hw_fence && job->hw_fence->error)
		return job->hw_fence->error;
	/* -ESRCH: drm_sched killed the job with its entity. */
	if (finished->error == -ESRCH)
		return -ECANCELED;
	return finished->error;
}

/*
 * The done fence signals as soon as the scheduler's finished fence does,
 * in the same context (the hardware fence's signaller, for a job that
 * ran), rather than from free_job, which waits for the scheduler's next
 * round. The callback may run in hard irq context.
 */
static void gc_job_finished(struct dma_fence *finished, struct dma_fence_cb *cb)
{
	struct gc_job *job = container_of(cb, struct gc_job, done_cb);
	int error = gc_job_fate(job);
	bool cookie;

	cookie = dma_fence_begin_signalling();
	if (error)
		gc_fence_signal_error(&gc_job_done(job), error);
	else
		gc_fence_signal(&gc_job_done(job));
	dma_fence_end_signalling(cookie);
}

static void gc_sched_free_job(struct drm_sched_job *sched_job)
{
	struct gc_job *job = to_gc_job(sched_job);

	/*
	 * drm_sched may free a job as soon as its finished fence reads as
	 * signalled, which is before the fence's callbacks have returned.
	 * Removing ours takes the fence's lock, under which the callbacks
	 * run: once it returns, gc_job_finished() is done with the job.
	 */
	dma_fence_remove_callback(&sched_job->s_fence->finished, &job->done_cb);
	drm_sched_job_cleanup(sched_job);
	gc_job_release(job);
}

static const struct drm_sched_backend_ops gc_sched_ops = {
	.run_job = gc_sched_run_job,
	.timedout_job = gc_sched_timedout_job,
	.free_job = gc_sched_free_job,
};

static int gc_sched_init(struct gc_queue *queue, const struct gc_queue_params *params)
{
	return gc_compat_sched_init(&queue->sched, &gc_sched_ops, params->hw_jobs,
				    msecs_to_jiffies(params->timeout_ms), queue->name,
				    queue->gdev->drm->dev);
}

/**
 * gc_queue_create() - create a hardware queue with its scheduler
 * @gdev: the device
 * @params: name, hardware capacity, back-pressure limit, timeout
 * @ops: the backend; @run, @stop and @free_job are required
 * @priv: the backend's data, in &gc_queue.priv
 *
 * Context: process context; may sleep.
 * Return: the queue; ERR_PTR(-EINVAL) for bad parameters, -ENODEV after
 * unplug, -ENOMEM.
 */
struct gc_queue *gc_queue_create(struct gc_device *gdev, const struct gc_queue_params *params,
				 const struct gc_queue_ops *ops, void *priv)
{
	struct drm_gpu_scheduler *sched_list[1];
	struct gc_queue *queue;
	int ret;

	if (!gdev || !params || !params->name || !params->hw_jobs ||
	    params->max_jobs < params->hw_jobs || !params->timeout_ms ||
	    !ops || !ops->run || !ops->stop || !ops->free_job)
		return ERR_PTR(-EINVAL);
	if (drm_dev_is_unplugged(gdev->drm))
		return ERR_PTR(-ENODEV);

	queue = kzalloc(sizeof(*queue), GFP_KERNEL);
	if (!queue)
		return ERR_PTR(-ENOMEM);
	queue->gdev = gdev;
	queue->ops = ops;
	queue->priv = priv;
	queue->max_jobs = params->max_jobs;
	strscpy(queue->name, params->name, sizeof(queue->name));
	kref_init(&queue->kref);
	mutex_init(&queue->submit_lock);
	init_waitqueue_head(&queue->space);
	INIT_WORK(&queue->fini_work, gc_queue_fini_work);
	queue->created = gc_track_stack(GFP_KERNEL);

	queue->tl = gc_timeline_create(gdev->drm->driver->name, queue->name, &gdev->refs);
	if (IS_ERR(queue->tl)) {
		ret = PTR_ERR(queue->tl);
		goto err_free;
	}
	ret = gc_sched_init(queue, params);
	if (ret)
		goto err_timeline;
	sched_list[0] = &queue->sched;
	ret = drm_sched_entity_init(&queue->entity, DRM_SCHED_PRIORITY_NORMAL, sched_list, 1,
				    NULL);
	if (ret)
		goto err_sched;

	mutex_lock(&gdev->lock);
	list_add_tail(&queue->link, &gdev->queues);
	mutex_unlock(&gdev->lock);
	spin_lock_irq(&gdev->idle_lock);
	gdev->nr_queues++;
	spin_unlock_irq(&gdev->idle_lock);
	return queue;

err_sched:
	drm_sched_fini(&queue->sched);
err_timeline:
	gc_timeline_put(queue->tl);
err_free:
	mutex_destroy(&queue->submit_lock);
	kfree(queue);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL_NS_GPL(gc_queue_create, GPUCORE_NS);

/**
 * gc_queue_destroy() - destroy a queue, whatever it is doing
 * @queue: the queue, or NULL; the creator's reference, consumed
 *
 * Returns at once. Queued jobs, and jobs of holders of gc_queue_get()
 * references pushed later, complete with -ECANCELED (after their
 * dependencies signal) without running; jobs on the hardware complete or
 * time out. The queue is released after its last reference (its last job
 * included), before this returns if that was the creator's;
 * gc_device_fini() waits for that. A second destroy of the same queue is
 * reported as a double put and does nothing.
 *
 * Context: process context.
 */
void gc_queue_destroy(struct gc_queue *queue)
{
	struct gc_device *gdev;
	bool again;

	if (!queue)
		return;
	gdev = queue->gdev;
	/* Under the lock that keeps the queue listed: a second call reads it. */
	mutex_lock(&gdev->lock);
	again = queue->dying;
	WRITE_ONCE(queue->dying, true);
	mutex_unlock(&gdev->lock);
	if (again) {
		gc_report(GC_REPORT_DOUBLE_PUT, NULL, 0, "queue %s destroyed twice", queue->name);
		return;
	}
	wake_up_all(&queue->space);
	/* An idle queue is released now: its resources are free when this returns. */
	kref_put(&queue->kref, gc_queue_release_now);
}
EXPORT_SYMBOL_NS_GPL(gc_queue_destroy, GPUCORE_NS);

/* Record a new owned reference to @job, for the slot of its handle. */
static struct gc_track_slot gc_job_track(struct gc_job *job, const char *kind)
{
	return gc_track_slot_take(job, kind, gc_track_dir_id(&job->queue->gdev->refs));
}

/* The job behind a handle, if it may be used; reports a stale handle. */
static struct gc_job *gc_job_check(struct gc_job *job, struct gc_track_slot track)
{
	if (IS_ERR_OR_NULL(job))
		return NULL;
	if (!gc_track_slot_check(track, job, GC_REPORT_USE_AFTER_PUT))
		return NULL;
	return job;
}

/*
 * Consume a handle: its job, if it may be used. A handle consumed a second
 * time (a stale copy) is a double put, and reported as one.
 */
static struct gc_job *gc_job_take(struct gc_job **ptr, struct gc_track_slot track)
{
	struct gc_job *job = *ptr;

	*ptr = NULL;
	if (IS_ERR_OR_NULL(job))
		return NULL;
	if (!gc_track_slot_drop(track, job, GC_REPORT_DOUBLE_PUT))
		return NULL;
	return job;
}

static bool gc_queue_space(struct gc_queue *queue)
{
	return atomic_add_unless(&queue->nr_jobs, 1, queue->max_jobs);
}

static void gc_queue_unreserve(struct gc_queue *queue)
{
	atomic_dec(&queue->nr_jobs);
	wake_up(&queue->space);
}

static int gc_queue_refuses(struct gc_queue *queue)
{
	if (READ_ONCE(queue->unplugged) || drm_dev_is_unplugged(queue->gdev->drm))
		return -ENODEV;
	if (READ_ONCE(queue->banned))
		return -EIO;
	return 0;
}

/* Stop waiting for room: the queue refuses jobs, or *@got a slot. */
static bool gc_queue_wait_done(struct gc_queue *queue, bool *got)
{
	if (gc_queue_refuses(queue))
		return true;
	*got = gc_queue_space(queue);
	return *got;
}

/**
 * gc_job_init() - start preparing a job
 * @job: the gpucore part of the driver's job structure
 * @queue: the queue the job will run on
 * @flags: %GC_JOB_NONBLOCK, or 0
 *
 * Waits, interruptibly, while the queue holds its maximum of jobs. On
 * success the returned handle owns the driver's job structure: every way
 * out (abort, arm failure, release after running) frees it once, through
 * &gc_queue_ops.free_job. On failure the driver still owns it.
 *
 * Context: process context; may sleep.
 * Return: the pending handle. Errors in it: -EINVAL, -ENODEV (unplugged),
 * -EIO (queue banned after a hang), -EAGAIN (full, %GC_JOB_NONBLOCK),
 * -ERESTARTSYS, -ENOMEM.
 */
struct gc_job_pending gc_job_init(struct gc_job *job, struct gc_queue *queue, u32 flags)
{
	struct gc_job_pending pending = {};
	int ret;

	if (!job || !queue || (flags & ~GC_JOB_NONBLOCK))
		return (struct gc_job_pending){ .ptr = ERR_PTR(-EINVAL) };
	ret = gc_queue_refuses(queue);
	if (ret)
		return (struct gc_job_pending){ .ptr = ERR_PTR(ret) };
	if (flags & GC_JOB_NONBLOCK) {
		if (!gc_queue_space(queue))
			return (struct gc_job_pending){ .ptr = ERR_PTR(-EAGAIN) };
	} else {
		bool got = false;

		ret = wait_event_interruptible(queue->space, gc_queue_wait_done(queue, &got));
		if (!ret)
			ret = gc_queue_refuses(queue);
		if (ret) {
			if (got)
				gc_queue_unreserve(queue);
			return (struct gc_job_pending){ .ptr = ERR_PTR(ret) };
		}
	}

	/* drm_sched_job_init() zeroes job->base itself. */
	memset_after(job, 0, base);
	job->done_mem = gc_fence_alloc_done(GFP_KERNEL);
	ret = job->done_mem ? gc_compat_sched_job_init(&job->base, &queue->entity, NULL) :
			      -ENOMEM;
	if (ret) {
		gc_fence_free_unused(job->done_mem);
		gc_queue_unreserve(queue);
		return (struct gc_job_pending){ .ptr = ERR_PTR(ret) };
	}
	kref_get(&queue->kref);
	job->queue = queue;
	pending.ptr = job;
	pending.track = gc_job_track(job, "job (pending)");
	return pending;
}
EXPORT_SYMBOL_NS_GPL(gc_job_init, GPUCORE_NS);

/**
 * gc_job_add_dep() - make a job wait for a fence
 * @pending: the job
 * @fence: any dma_fence; the job takes its own reference
 *
 * Context: process context; may sleep.
 * Return: 0, -EINVAL, -ENOMEM.
 */
int gc_job_add_dep(struct gc_job_pending *pending, struct dma_fence *fence)
{
	struct gc_job *job = gc_job_check(pending->ptr, pending->track);

	if (!job || !fence)
		return -EINVAL;
	/* Consumes the reference on success and on failure. */
	return drm_sched_job_add_dependency(&job->base, dma_fence_get(fence));
}
EXPORT_SYMBOL_NS_GPL(gc_job_add_dep, GPUCORE_NS);

/**
 * gc_job_add_syncobj() - make a job wait for a syncobj's fence
 * @pending: the job
 * @file: the DRM file the handle belongs to
 * @handle: a binary or timeline syncobj handle
 * @point: the timeline point, 0 for a binary syncobj
 *
 * Context: process context; may sleep.
 * Return: 0; -EINVAL for bad arguments and for a syncobj or timeline point
 * that has no fence yet (drm_syncobj_find_fence()'s rule); -ENOENT for an
 * unknown handle; -ENOMEM.
 */
int gc_job_add_syncobj(struct gc_job_pending *pending, struct drm_file *file, u32 handle,
		       u64 point)
{
	struct gc_job *job = gc_job_check(pending->ptr, pending->track);
	struct dma_fence *fence;
	int ret;

	if (!job || !file)
		return -EINVAL;
	ret = drm_syncobj_find_fence(file, handle, point, 0, &fence);
	if (ret)
		return ret;
	return drm_sched_job_add_dependency(&job->base, fence);
}
EXPORT_SYMBOL_NS_GPL(gc_job_add_syncobj, GPUCORE_NS);

/**
 * struct gc_job_sync - a reservation a job publishes its done fence in
 * @resv: the reservation, once per job
 * @bo: a BO of the job with that reservation, for its implicit
 *	dependencies; NULL for the VM's alone
 * @usage: the strongest use of the job's BOs (and VM) that share it
 */
struct gc_job_sync {
	struct dma_resv *resv;
	struct gc_bo *bo;
	enum dma_resv_usage usage;
};

/* What locking a job needs per BO (and VM): see &gc_queue.lock_room. */
#define GC_LOCK_SLOT_SIZE	(sizeof(struct gc_job_sync) + 2 * sizeof(struct dma_resv *))

static struct gc_job_sync *gc_queue_sync_room(struct gc_queue *queue)
{
	return queue->lock_room;
}

/* The reservations to lock; then, from entry lock_slots, those locked. */
static struct dma_resv **gc_queue_resv_room(struct gc_queue *queue)
{
	return (struct dma_resv **)(gc_queue_sync_room(queue) + queue->lock_slots);
}

/*
 * Room in the queue to lock a job of @nr BOs and VM. Called under the
 * submit lock; grows to the largest job, doubling, so that a queue's jobs
 * cost O(log n) allocations here in all.
 */
static int gc_queue_lock_room(struct gc_queue *queue, unsigned int nr)
{
	unsigned int slots = max(2 * queue->lock_slots, nr);
	void *room;

	lockdep_assert_held(&queue->submit_lock);
	if (nr <= queue->lock_slots)
		return 0;
	room = kmalloc_array(slots, GC_LOCK_SLOT_SIZE, GFP_KERNEL);
	if (!room)
		return -ENOMEM;
	kfree(queue->lock_room);
	queue->lock_room = room;
	queue->lock_slots = slots;
	return 0;
}

/*
 * Room for @nr BOs: exactly @nr when the driver said how many (@exact),
 * else doubling from 4 entries, so that a job of n BOs added one by one
 * costs O(n) copies.
 */
static int gc_job_grow(struct gc_job *job, unsigned int nr, bool exact)
{
	unsigned int slots = exact ? nr : max3(4u, 2 * job->bo_slots, nr);
	struct gc_job_bo *bos;

	if (nr <= job->bo_slots)
		return 0;
	bos = kmalloc_array(slots, sizeof(*bos), GFP_KERNEL);
	if (!bos)
		return -ENOMEM;
	if (job->nr_bos)
		memcpy(bos, job->bos, array_size(job->nr_bos, sizeof(*bos)));
	kfree(job->bos);
	job->bos = bos;
	job->bo_slots = slots;
	return 0;
}

/**
 * gc_job_reserve_bos() - make room for the BOs a job will use
 * @pending: the job
 * @count: how many gc_job_use_bo() calls will follow
 *
 * Optional: a driver that knows how many BOs a submission has (the length
 * of its BO list) makes room for them in one allocation, so that the
 * gc_job_use_bo() calls that follow allocate nothing; without it the room
 * doubles as BOs are added.
 *
 * Context: process context; may sleep.
 * Return: 0, -EINVAL, -EBUSY once the job is locked, -ENOMEM (also for a
 * @count too large to allocate).
 */
int gc_job_reserve_bos(struct gc_job_pending *pending, unsigned int count)
{
	struct gc_job *job = gc_job_check(pending->ptr, pending->track);
	unsigned int nr;

	if (!job)
		return -EINVAL;
	if (job->locked)
		return -EBUSY;
	if (check_add_overflow(job->nr_bos, count, &nr))
		return -ENOMEM;
	return gc_job_grow(job, nr, true);
}
EXPORT_SYMBOL_NS_GPL(gc_job_reserve_bos, GPUCORE_NS);

/**
 * __gc_job_use_bo() - gc_job_use_bo() with its checks
 * @pending: as for gc_job_use_bo()
 * @bo: as for gc_job_use_bo()
 * @access: as for gc_job_use_bo()
 *
 * What gc_job_use_bo() calls when it cannot add the BO inline: with owner
 * tracking, for a job without room for one more BO, and for bad arguments.
 *
 * Context: process context; may sleep.
 * Return: as gc_job_use_bo().
 */
int __gc_job_use_bo(struct gc_job_pending *pending, struct gc_bo *bo, enum gc_access access)
{
	struct gc_job *job = gc_job_check(pending->ptr, pending->track);
	struct gc_job_bo *bos;
	int ret;

	if (!job || __gc_no_ptr(bo) || access > GC_ACCESS_WRITE)
		return -EINVAL;
	if (job->locked)
		return -EBUSY;
	ret = gc_job_grow(job, job->nr_bos + 1, false);
	if (ret)
		return ret;
	bos = job->bos;
	bos[job->nr_bos].ref = gc_bo_get(bo);
	bos[job->nr_bos].access = access;
	job->nr_bos++;
	return 0;
}
EXPORT_SYMBOL_NS_GPL(__gc_job_use_bo, GPUCORE_NS);

/**
 * gc_job_use_vm() - declare the VM the job runs in
 * @pending: the job
 * @vm: the VM; the job holds a reference until it is released, and its
 *	done fence keeps the VM's unbound ranges mapped until it signals
 *
 * Context: process context.
 * Return: 0, -EINVAL, -EBUSY if the job already has a VM or is locked.
 */
int gc_job_use_vm(struct gc_job_pending *pending, struct gc_vm *vm)
{
	struct gc_job *job = gc_job_check(pending->ptr, pending->track);

	if (!job || !vm)
		return -EINVAL;
	if (job->vm || job->locked)
		return -EBUSY;
	job->vm = gc_vm_get(vm);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(gc_job_use_vm, GPUCORE_NS);

/* Release the reservations gc_job_lock() holds; the submit lock stays. */
static void gc_job_unlock_resvs(struct gc_job *job)
{
	struct gc_exec *exec = &job->queue->lock_exec;

	if (exec->locked)
		gc_exec_fini_resvs(exec);
}

/* Undo gc_job_lock(). */
static void gc_job_unlock(struct gc_job *job)
{
	if (!job->locked)
		return;
	gc_job_unlock_resvs(job);
	job->locked = false;
	mutex_unlock(&job->queue->submit_lock);
}

/* Undo a job that was never pushed: settle its done fence, free it. */
static void gc_job_cancel(struct gc_job *job)
{
	gc_job_unlock(job);
	gc_fence_free_unused(job->done_mem);
	job->done_mem = NULL;
	if (gc_job_done(job).ptr)
		gc_fence_signal_error(&gc_job_done(job), -ECANCELED);
	drm_sched_job_cleanup(&job->base);
	gc_job_release(job);
}

/**
 * gc_job_abort() - drop a job before arming it
 * @pending: the job; empty on return
 *
 * Releases everything the job holds and frees it. Does nothing for an
 * empty or failed handle, so it is the scope cleanup of pending jobs.
 *
 * Context: process context; may sleep.
 */
void gc_job_abort(struct gc_job_pending *pending)
{
	struct gc_job *job = gc_job_take(&pending->ptr, pending->track);

	if (job)
		gc_job_cancel(job);
}
EXPORT_SYMBOL_NS_GPL(gc_job_abort, GPUCORE_NS);

static int gc_job_sync_cmp(const void *a, const void *b)
{
	const struct dma_resv *x = ((const struct gc_job_sync *)a)->resv;
	const struct dma_resv *y = ((const struct gc_job_sync *)b)->resv;

	return x < y ? -1 : x > y;
}

/*
 * The reservations of the job's BOs and VM, in @sync (and in @resvs, to
 * lock), one entry per use. Returns their number; -EINVAL if a handle of
 * the job no longer holds its BO (reported).
 */
static int gc_job_sync_list(struct gc_job *job, struct gc_job_sync *sync,
			    struct dma_resv **resvs)
{
	unsigned int i, n = job->nr_bos;

	for (i = 0; i < n; i++) {
		sync[i].bo = gc_bo_borrow(&job->bos[i].ref);
		if (!sync[i].bo)
			return -EINVAL;
		sync[i].resv = sync[i].bo->gem->resv;
		sync[i].usage = job->bos[i].access == GC_ACCESS_WRITE ?
				DMA_RESV_USAGE_WRITE : DMA_RESV_USAGE_READ;
		resvs[i] = sync[i].resv;
	}
	if (job->vm) {
		sync[n] = (struct gc_job_sync){ &job->vm->resv, NULL, DMA_RESV_USAGE_BOOKKEEP };
		resvs[n++] = &job->vm->resv;
	}
	return n;
}

/*
 * Merge the entries of @sync that share a reservation: a BO declared twice,
 * BOs that share one (an imported BO, a BO of the VM's). A reservation
 * holds one fence per context, and the job reserved one slot in each, so
 * the done fence goes in once, with the strongest of the uses
 * (%DMA_RESV_USAGE_WRITE before READ before BOOKKEEP). Only called when
 * locking found a reservation twice: the common job pays no sort.
 */
static unsigned int gc_job_sync_merge(struct gc_job_sync *sync, unsigned int count)
{
	unsigned int i, n = 0;

	sort(sync, count, sizeof(*sync), gc_job_sync_cmp, NULL);
	for (i = 0; i < count; i++) {
		struct gc_job_sync *last = n ? &sync[n - 1] : NULL;

		if (!last || last->resv != sync[i].resv) {
			sync[n++] = sync[i];
			continue;
		}
		last->usage = min(last->usage, sync[i].usage);
		if (!last->bo)
			last->bo = sync[i].bo;
	}
	return n;
}

/*
 * Lock the reservations of the job's BOs and VM together, let the backend
 * validate, make the job wait for the BOs' conflicting fences (the moves
 * validation started among them), and reserve the slot of the done fence
 * in each: all that may allocate, done before the fence exists.
 */
static int gc_job_lock_resvs(struct gc_job *job)
{
	int (*validate)(struct gc_job *job) = job->queue->ops->validate;
	struct gc_queue *queue = job->queue;
	struct gc_exec *exec = &queue->lock_exec;
	struct gc_job_sync *sync;
	struct dma_resv **resvs;
	unsigned int i, n;
	int ret;

	queue->nr_sync = 0;
	if (!job->nr_bos && !job->vm)
		return validate ? validate(job) : 0;
	ret = gc_queue_lock_room(queue, job->nr_bos + 1);
	if (ret)
		return ret;
	sync = gc_queue_sync_room(queue);
	resvs = gc_queue_resv_room(queue);
	ret = gc_job_sync_list(job, sync, resvs);
	if (ret < 0)
		return ret;
	n = ret;
	gc_exec_init(exec, true);
	ret = gc_exec_lock_resvs(exec, resvs, n, resvs + queue->lock_slots);
	if (ret)
		goto err;
	/* Each reservation is locked once: fewer locked means some repeat. */
	if (exec->nr_locked < n)
		n = gc_job_sync_merge(sync, n);
	queue->nr_sync = n;
	if (validate) {
		ret = validate(job);
		if (ret)
			goto err;
	}
	ww_acquire_done(&exec->ctx);
	for (i = 0; i < n; i++) {
		bool write = sync[i].usage == DMA_RESV_USAGE_WRITE;

		/* A job does not wait for what its VM's reservation holds. */
		if (sync[i].bo && sync[i].usage != DMA_RESV_USAGE_BOOKKEEP) {
			ret = drm_sched_job_add_implicit_dependencies(&job->base,
								      sync[i].bo->gem, write);
			if (ret)
				goto err;
		}
		ret = dma_resv_reserve_fences(sync[i].resv, 1);
		if (ret)
			goto err;
	}
	return 0;

err:
	gc_exec_fini_resvs(exec);
	return ret;
}

/* gc_job_lock() of a job known to be unlocked. */
static int gc_job_lock_job(struct gc_job *job)
{
	struct gc_queue *queue = job->queue;
	int ret;

	ret = mutex_lock_interruptible(&queue->submit_lock);
	if (ret)
		return ret;
	ret = gc_queue_refuses(queue);
	if (!ret)
		ret = gc_job_lock_resvs(job);
	if (ret) {
		mutex_unlock(&queue->submit_lock);
		return ret;
	}
	job->locked = true;
	return 0;
}

/**
 * gc_job_lock() - lock what a job uses, before arm
 * @pending: the job, with its BOs and VM declared
 *
 * In this order: takes the queue's submit lock, then the reservations of
 * the job's BOs and VM in one acquire context; calls the backend's
 * &gc_queue_ops.validate, if any, to move the BOs where the job needs
 * them; makes the job wait for the BOs' conflicting fences (implicit sync,
 * including the kernel fences of those moves) and reserves room for its
 * done fence in each reservation. All of it is held until gc_job_arm() (or
 * gc_job_abort()), so that arm needs no memory: call it, then do whatever
 * else may fail (allocate out-syncobj chains), then arm. Dependencies may
 * still be added; BOs and the VM may not. gc_job_arm() locks a job that
 * was not locked itself.
 *
 * Context: process context; may sleep.
 * Return: 0; -EINVAL; -EBUSY if already locked; -ERESTARTSYS or -EINTR;
 * -EIO for a banned queue; -ENODEV after unplug; -ENOMEM; the error of
 * &gc_queue_ops.validate. On failure nothing is held and the job is still
 * pending.
 */
int gc_job_lock(struct gc_job_pending *pending)
{
	struct gc_job *job = gc_job_check(pending->ptr, pending->track);

	if (!job)
		return -EINVAL;
	if (job->locked)
		return -EBUSY;
	return gc_job_lock_job(job);
}
EXPORT_SYMBOL_NS_GPL(gc_job_lock, GPUCORE_NS);

/* Publish the done fence where gc_job_lock() reserved room for it. */
static void gc_job_publish(struct gc_job *job, struct dma_fence *done)
{
	struct gc_job_sync *sync = gc_queue_sync_room(job->queue);
	unsigned int i;

	for (i = 0; i < job->queue->nr_sync; i++)
		dma_resv_add_fence(sync[i].resv, done, sync[i].usage);
}

/**
 * gc_job_arm() - give a job its done fence; the job can no longer change
 * @pending: the job; empty on return
 *
 * Makes the done fence (in the memory gc_job_init() allocated), adds it to
 * the reservations of the job's BOs and VM (in the slots gc_job_lock()
 * reserved), releases those reservations, and keeps the queue's submit
 * lock, which gc_job_push() releases: between the two, publish the done
 * fence (gc_job_done_fence()) and nothing else.
 *
 * Arm of a locked job allocates nothing, so it cannot fail for lack of
 * memory; a job that was not locked is locked first, with the errors of
 * gc_job_lock().
 *
 * Context: process context; may sleep (only to lock a job not yet locked).
 * Return: the armed handle. On failure an error handle: -EINVAL for an
 * empty or stale handle, -EIO if the queue was banned, -ENODEV if the
 * device was unplugged since the job was locked; for a job not locked,
 * gc_job_lock()'s errors too. The job was freed, nothing was published,
 * nothing is held.
 */
struct gc_job_armed gc_job_arm(struct gc_job_pending *pending)
{
	struct gc_job *job = gc_job_take(&pending->ptr, pending->track);
	struct gc_job_armed armed = {};
	struct gc_fence_ref done;
	int ret;

	if (!job)
		return (struct gc_job_armed){ .ptr = ERR_PTR(-EINVAL) };
	ret = job->locked ? gc_queue_refuses(job->queue) : gc_job_lock_job(job);
	if (ret) {
		gc_job_cancel(job);
		return (struct gc_job_armed){ .ptr = ERR_PTR(ret) };
	}
	gc_job_done(job) = gc_fence_init_done(job->done_mem, job->queue->tl);
	job->done_mem = NULL;
	done = gc_fence_signaller_fence(&gc_job_done(job));
	gc_job_publish(job, gc_fence_borrow(&done));
	gc_fence_put(&done);
	gc_job_unlock_resvs(job);
	/* The submit lock is the push's to release now. */
	job->locked = false;
	drm_sched_job_arm(&job->base);
	armed.ptr = job;
	armed.track = gc_job_track(job, "job (armed)");
	return armed;
}
EXPORT_SYMBOL_NS_GPL(gc_job_arm, GPUCORE_NS);

/**
 * gc_job_done_fence() - a reference to an armed job's done fence
 * @armed: the job
 *
 * For the out-syncobjs and sync_files of the submission.
 *
 * Context: any.
 * Return: a new owned reference; empty for an empty or failed handle.
 */
struct gc_fence_ref gc_job_done_fence(const struct gc_job_armed *armed)
{
	struct gc_job *job = gc_job_check(armed->ptr, armed->track);

	return job ? gc_fence_signaller_fence(&gc_job_done(job)) : (struct gc_fence_ref){};
}
EXPORT_SYMBOL_NS_GPL(gc_job_done_fence, GPUCORE_NS);

/**
 * gc_job_push() - hand a job to its queue
 * @armed: the job; empty on return, whatever happens
 *
 * From now on the queue owns the job and everything it references until
 * its done fence has signalled. Releases the queue's submit lock.
 *
 * Context: process context, after gc_job_arm().
 */
void gc_job_push(struct gc_job_armed *armed)
{
	struct gc_job *job = gc_job_take(&armed->ptr, armed->track);
	struct gc_queue *queue;

	if (!job)
		return;
	queue = job->queue;
	/* Nothing can signal the finished fence before the push. */
	WARN_ON(dma_fence_add_callback(&job->base.s_fence->finished, &job->done_cb,
				       gc_job_finished));
	drm_sched_entity_push_job(&job->base);
	mutex_unlock(&queue->submit_lock);
}
EXPORT_SYMBOL_NS_GPL(gc_job_push, GPUCORE_NS);

/**
 * gc_job_armed_drop() - scope cleanup for an armed job
 * @armed: the job; empty on return
 *
 * Does nothing for an empty or failed handle. An armed job that was never
 * pushed is a bug (its done fence may already be published): it is
 * reported, its done fence completes with -ECANCELED, the job is freed and
 * the submit lock released.
 *
 * Context: process context.
 */
void gc_job_armed_drop(struct gc_job_armed *armed)
{
	struct gc_job *job = gc_job_take(&armed->ptr, armed->track);
	struct gc_queue *queue;

	if (!job)
		return;
	queue = job->queue;
	gc_report(GC_REPORT_FENCE_DROPPED, NULL, 0,
		  "armed job of queue %s dropped without push; done fence seqno %llu cancelled",
		  queue->name, gc_fence_signaller_seqno(&gc_job_done(job)));
	mutex_unlock(&queue->submit_lock);
	gc_job_cancel(job);
}
EXPORT_SYMBOL_NS_GPL(gc_job_armed_drop, GPUCORE_NS);
