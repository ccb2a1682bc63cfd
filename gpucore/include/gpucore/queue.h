/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
#ifndef _GPUCORE_QUEUE_H_
#define _GPUCORE_QUEUE_H_

#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/stackdepot.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <drm/gpu_scheduler.h>

#include <gpucore/bo.h>
#include <gpucore/device.h>
#include <gpucore/exec.h>
#include <gpucore/fence.h>
#include <gpucore/vm.h>

struct drm_file;

/**
 * DOC: jobs and queues
 *
 * A &struct gc_queue is one hardware (firmware) queue: a drm_sched
 * scheduler with a single entity, behind an API that is the same whatever
 * the drm_sched of the kernel looks like.
 *
 * A job lives in three states, each its own handle type:
 *
 * - pending (&struct gc_job_pending), from gc_job_init(): dependencies
 *   (any dma_fence, syncobj points) and the BOs and VM the job uses are
 *   added; the job takes its own references to all of them. Dropping the
 *   handle (gc_job_abort(), the scope cleanup) frees the job, once.
 * - locked, by gc_job_lock(): the queue's submit lock and the
 *   reservations of the job's BOs and VM are held, the backend has
 *   validated the BOs (&gc_queue_ops.validate), the job waits for the BOs'
 *   conflicting fences, and a fence slot is reserved in each
 *   reservation. This is the last step that may fail for lack of memory:
 *   the done fence and the job's per-BO slots were allocated by
 *   gc_job_init() and gc_job_use_bo(), so gc_job_arm() of a locked job
 *   allocates nothing.
 * - armed (&struct gc_job_armed), from gc_job_arm(): the job's done fence
 *   exists, has been added to the reservations of its BOs and its VM, and
 *   may be published (syncobj, sync_file). Arm holds the queue's submit
 *   lock until gc_job_push(), so done fences signal in seqno order.
 * - pushed: gc_job_push() consumes the handle. From then until the done
 *   fence has signalled the queue owns the job and everything it
 *   references; the references are released in process context (the
 *   scheduler thread), never on the signalling path.
 *
 * A job waits for its dependencies to signal, not for them to succeed: a
 * dependency that completed with an error does not fail the job (as with
 * drm_sched itself on 6.1). A driver whose jobs must not run on the output
 * of failed work checks the errors of its in-fences before gc_job_arm().
 * The done fence is a gpucore fence on the queue's own timeline, not a
 * drm_sched fence, so it may outlive the queue, the device, the file and the
 * driver. It carries the job's fate as its error: 0 when it ran, the
 * hardware fence's error, -ETIMEDOUT for the job that hung, -ECANCELED for
 * work cancelled by a reset or by the queue's destruction, -ENODEV after
 * unplug.
 *
 * Hangs: when a job exceeds the queue's timeout the backend's
 * &gc_queue_ops.timed_out decides. %GC_TIMEOUT_GUILTY: the job fails with
 * -ETIMEDOUT, &gc_queue_ops.stop completes everything else on the hardware
 * with -ECANCELED, the queue is banned (queued jobs complete with
 * -ECANCELED without running, gc_job_init() fails with -EIO); other queues
 * are not affected. %GC_TIMEOUT_CONTINUE: the job is making progress; its
 * timer is re-armed.
 *
 * Destruction: gc_queue_destroy() returns at once. Queued jobs wait for
 * their dependencies, then complete with -ECANCELED without running; jobs
 * on the hardware run to completion (or time out). The scheduler is torn
 * down when the last job has been released, so no job is ever left behind
 * by drm_sched_fini().
 *
 * The backend's lifetime contract: what the backend keeps for a queue
 * (&gc_queue.priv) stays valid for every &struct gc_queue_ops call until
 * &gc_queue_ops.release, which gpucore calls exactly once, after the last
 * reference is gone: the creator's (gc_queue_destroy()), each job's and
 * each gc_queue_get(). No op is called after it, and no two @stop calls
 * of a queue overlap. The backend frees its queue state there and keeps
 * no count or lookup of its own.
 */

/**
 * enum gc_timeout_result - a backend's verdict on a job that timed out
 * @GC_TIMEOUT_GUILTY: the job hung: fail it and ban the queue
 * @GC_TIMEOUT_CONTINUE: the job is still making progress: wait again
 */
enum gc_timeout_result {
	GC_TIMEOUT_GUILTY,
	GC_TIMEOUT_CONTINUE,
};

struct gc_job;
struct gc_queue;

/**
 * struct gc_queue_ops - what a backend provides to run jobs
 * @run: start @job on the hardware, inside the device gate. Return the
 *	hardware fence (a new reference) that signals when the job is done,
 *	or an ERR_PTR() to fail the job without running it (it completes
 *	with that error after the job run before it). Runs in the
 *	scheduler thread, on the fence signalling path: no sleeping
 *	allocation.
 * @validate: optional: called by gc_job_lock() (or gc_job_arm() of a job
 *	not locked) with the queue's submit lock and the reservations of
 *	every BO of @job and of its VM held, in one acquire context, before
 *	the job collects the BOs' fences. Move each BO where the job needs
 *	it (a TTM driver calls ttm_bo_validate() here, which may evict other
 *	BOs in the same context). A fence a move leaves in a BO's
 *	reservation (%DMA_RESV_USAGE_KERNEL) becomes a dependency of the
 *	job, so the job runs after the move; a BO can only be moved away
 *	later by waiting for the job's done fence. Return 0, or an error
 *	that gc_job_lock() returns with nothing held; never -EDEADLK.
 * @timed_out: the job has run longer than the queue's timeout; the
 *	scheduler thread is parked during the call (and during the @stop
 *	that follows a guilty verdict), so @run does not race it. Decide
 *	guilty or continue. Optional: without it every timeout is guilty.
 * @stop: complete every job of @queue still on the hardware with @error
 *	(signal its hardware fence); called after a guilty timeout and on
 *	unplug, never after @release, never twice at once. Afterwards no
 *	hardware fence of @queue may stay unsignalled.
 * @free_job: free the driver's job structure that embeds @job. The BOs
 *	and the VM the job used are still referenced during the call, so
 *	per-BO hardware state (pins, GART entries) may be undone here.
 * @release: optional: the queue is torn down (its last reference gone,
 *	its scheduler finished): free what the backend keeps for it (@priv).
 *	Called once, in process context; no other op follows it.
 */
struct gc_queue_ops {
	struct dma_fence *(*run)(struct gc_job *job);
	int (*validate)(struct gc_job *job);
	enum gc_timeout_result (*timed_out)(struct gc_job *job);
	void (*stop)(struct gc_queue *queue, int error);
	void (*free_job)(struct gc_job *job);
	void (*release)(struct gc_queue *queue);
};

/**
 * struct gc_queue_params - how a queue is created
 * @name: queue name, used for its scheduler and its fences' timeline
 * @hw_jobs: how many jobs the hardware queue (ring) holds at once
 * @max_jobs: how many jobs may be in the queue at once, from
 *	gc_job_init() to release; more block gc_job_init() (back-pressure).
 *	Must be at least @hw_jobs.
 * @timeout_ms: a job running longer than this is a hang
 */
struct gc_queue_params {
	const char *name;
	unsigned int hw_jobs;
	unsigned int max_jobs;
	unsigned int timeout_ms;
};

/**
 * struct gc_queue - a hardware queue with its scheduler
 * @sched: the drm_sched scheduler
 * @entity: its single entity
 * @kref: held by the creator until gc_queue_destroy(), by every job and by
 *	each gc_queue_get()
 * @gdev: the device
 * @ops: the backend
 * @priv: the backend's data
 * @tl: timeline of the jobs' done fences
 * @submit_lock: held from gc_job_arm() to gc_job_push()
 * @space: woken when a job is released
 * @nr_jobs: jobs from gc_job_init() to release
 * @max_jobs: limit of @nr_jobs
 * @banned: a job hung; the queue runs nothing more
 * @dying: gc_queue_destroy() was called
 * @unplugged: the device is gone
 * @nr_timeouts: guilty timeouts so far
 * @last_hw: the hardware fence of the last job the backend ran, with a
 *	reference; jobs that do not run complete after it
 * @fini_work: tears the scheduler down after the last job
 * @link: in the device's list of queues
 * @created: stack depot handle of the creator's stack (debug builds), for
 *	gc_device_fini()'s report of a queue still held
 * @lock_exec: the reservations of the job gc_job_lock() locked, until arm
 * @lock_room: what locking a job needs, for @lock_slots BOs: the list of
 *	reservations the done fence goes in, and those to lock and locked.
 *	It grows to the largest job and is kept for the next one.
 * @lock_slots: the number of BOs (and VM) @lock_room has room for
 * @nr_sync: the number of distinct reservations in @lock_room's list
 * @name: the queue's name; the scheduler keeps a pointer to it
 *
 * The @lock_ fields and @nr_sync belong to the job that holds @submit_lock:
 * only one job at a time is between gc_job_lock() and arm, so what it needs
 * for locking is the queue's, not kept by every job in flight.
 */
struct gc_queue {
	struct drm_gpu_scheduler sched;
	struct drm_sched_entity entity;
	struct kref kref;
	struct gc_device *gdev;
	const struct gc_queue_ops *ops;
	void *priv;
	struct gc_timeline *tl;
	struct mutex submit_lock;	/* from arm to push */
	wait_queue_head_t space;
	atomic_t nr_jobs;
	unsigned int max_jobs;
	bool banned;
	bool dying;
	bool unplugged;
	unsigned int nr_timeouts;
	struct dma_fence *last_hw;
	struct work_struct fini_work;
	struct list_head link;
	depot_stack_handle_t created;
	struct gc_exec lock_exec;
	void *lock_room;
	unsigned int lock_slots;
	unsigned int nr_sync;
	char name[32];
};

/**
 * struct gc_job_bo - a BO a job uses
 * @ref: the job's reference
 * @access: how the job uses it
 */
struct gc_job_bo {
	struct gc_bo_ref ref;
	enum gc_access access;
};

/**
 * struct gc_job - gpucore state of a job, embedded in the driver's job
 * @base: the drm_sched job
 * @queue: the queue; the job holds a reference
 * @done: the right to signal the done fence, from arm to release; private
 *	to gpucore (``__private``: sparse reports any other access), so only
 *	gpucore can signal it
 * @done_mem: the done fence's memory, allocated with the job, until arm
 * @bos: the BOs the job uses, @nr_bos of them
 * @nr_bos: number of entries used in @bos
 * @bo_slots: number of entries @bos has room for
 * @locked: gc_job_lock() holds the submit lock and the reservations
 * @vm: the VM the job uses, with a reference, or NULL
 * @hw_fence: the hardware fence @queue's backend returned, with a
 *	reference
 * @error: the error the done fence gets whatever the hardware said
 *	(-ETIMEDOUT for a guilty job), or 0
 * @not_run: the backend never saw the job: it completes with @error after
 *	the job run before it (@hw_fence is that job's)
 * @done_cb: signals @done when the scheduler's finished fence signals
 */
struct gc_job {
	struct drm_sched_job base;
	struct gc_queue *queue;
	struct gc_fence_signaller __private done;
	struct gc_fence *done_mem;
	struct gc_job_bo *bos;
	unsigned int nr_bos;
	unsigned int bo_slots;
	bool locked;
	struct gc_vm *vm;
	struct dma_fence *hw_fence;
	int error;
	bool not_run;
	struct dma_fence_cb done_cb;
};

/**
 * struct gc_job_pending - a job being prepared
 * @ptr: the job; NULL once armed or aborted, an ERR_PTR() if
 *	gc_job_init() failed
 * @track: owner tracking; empty without CONFIG_DRM_GPUCORE_DEBUG
 */
struct gc_job_pending {
	struct gc_job *ptr;
	struct gc_track_slot track;
};

/**
 * struct gc_job_armed - a job with its done fence, not yet pushed
 * @ptr: the job; NULL once pushed, an ERR_PTR() if gc_job_arm() failed
 * @track: owner tracking; empty without CONFIG_DRM_GPUCORE_DEBUG
 */
struct gc_job_armed {
	struct gc_job *ptr;
	struct gc_track_slot track;
};

/**
 * define GC_JOB_NONBLOCK - do not wait for room in a full queue
 *
 * gc_job_init() fails with -EAGAIN instead.
 */
#define GC_JOB_NONBLOCK	BIT(0)

struct gc_queue *gc_queue_create(struct gc_device *gdev, const struct gc_queue_params *params,
				 const struct gc_queue_ops *ops, void *priv);
void gc_queue_destroy(struct gc_queue *queue);
struct gc_queue *gc_queue_get(struct gc_queue *queue);
void gc_queue_put(struct gc_queue *queue);

struct gc_job_pending gc_job_init(struct gc_job *job, struct gc_queue *queue, u32 flags);
int gc_job_add_dep(struct gc_job_pending *pending, struct dma_fence *fence);
int gc_job_add_syncobj(struct gc_job_pending *pending, struct drm_file *file, u32 handle,
		       u64 point);
int gc_job_reserve_bos(struct gc_job_pending *pending, unsigned int count);
int __gc_job_use_bo(struct gc_job_pending *pending, struct gc_bo *bo, enum gc_access access);
int gc_job_use_vm(struct gc_job_pending *pending, struct gc_vm *vm);
void gc_job_abort(struct gc_job_pending *pending);
int gc_job_lock(struct gc_job_pending *pending);
struct gc_job_armed gc_job_arm(struct gc_job_pending *pending);
struct gc_fence_ref gc_job_done_fence(const struct gc_job_armed *armed);
void gc_job_push(struct gc_job_armed *armed);
void gc_job_armed_drop(struct gc_job_armed *armed);

/**
 * gc_job_use_bo() - declare a BO the job reads or writes
 * @pending: the job
 * @bo: the BO; the job holds its own reference until it is released
 * @access: how the job uses it
 *
 * At gc_job_lock() the job waits for the BO's conflicting fences
 * (implicit sync); at arm its done fence is added to the BO's reservation.
 * A BO declared more than once, or BOs that share a reservation, get the
 * done fence once, for writing if any of the uses writes. Allocates here
 * what arm will need for the BO, unless gc_job_reserve_bos() made room.
 *
 * Without CONFIG_DRM_GPUCORE_DEBUG a job with room takes the BO inline:
 * the GEM reference and two stores, as a driver filling its own array.
 *
 * Context: process context; may sleep.
 * Return: 0, -EINVAL, -EBUSY once the job is locked, -ENOMEM.
 */
static inline int gc_job_use_bo(struct gc_job_pending *pending, struct gc_bo *bo,
				enum gc_access access)
{
#if !IS_ENABLED(CONFIG_DRM_GPUCORE_DEBUG)
	struct gc_job *job = pending->ptr;

	if (!__gc_no_ptr(job) && !__gc_no_ptr(bo) && access <= GC_ACCESS_WRITE &&
	    !job->locked && job->nr_bos < job->bo_slots) {
		job->bos[job->nr_bos].ref = gc_bo_get(bo);
		job->bos[job->nr_bos].access = access;
		job->nr_bos++;
		return 0;
	}
#endif
	return __gc_job_use_bo(pending, bo, access);
}

DEFINE_FREE(gc_job_abort, struct gc_job_pending, gc_job_abort(&_T))
DEFINE_FREE(gc_job_armed_drop, struct gc_job_armed, gc_job_armed_drop(&_T))

#endif /* _GPUCORE_QUEUE_H_ */
