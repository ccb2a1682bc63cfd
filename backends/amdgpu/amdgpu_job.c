// SPDX-License-Identifier: GPL-2.0-only OR MIT
/**
 * DOC: amdgpu stub queues, jobs and hang recovery
 *
 * A queue is a gpucore queue (&struct gc_queue, drm_sched) in front of one
 * ring: amdsim_queue_create() takes a free ring and puts a queue in front
 * of it. A job is a list of packets and the BOs they address; when the
 * scheduler runs it, its packets and a FENCE are written to the ring in one
 * go, and the FENCE's seqno fence (see amdgpu_fence.c) is the job's
 * hardware fence. A job holds a pin and a reference of its own on each of
 * its BOs from submission until it is freed, so the addresses in its
 * packets stay valid even if every handle to the BO is dropped meanwhile.
 *
 * Hang recovery, the policy:
 *
 * - a job that times out is guilty unless its seqno has passed (the CP
 *   finished it and the interrupt is late: the fences are retired and the
 *   job is given more time);
 * - the ring is then recovered (amdsim_ring_recover()): the CP is halted,
 *   the fences the CP had passed are retired normally, so jobs that ran
 *   before the hang keep their results and complete with 0; every other
 *   fence of the ring is forced to complete with -ECANCELED (gpucore's stop
 *   error), and the guilty job's done fence gets -ETIMEDOUT from gpucore;
 * - the ring is reset: its packets not consumed are discarded, so the jobs
 *   behind the hang never run and write nothing. They are not resubmitted:
 *   gpucore bans the queue that hung, so there is no queue to resubmit them
 *   to, and a job submitted behind a hang depends on what hung in practice;
 * - the CP resumes on the empty ring, and once the banned queue is
 *   destroyed and its jobs are freed, a new queue may take the ring; other
 *   rings never notice.
 *
 * On unplug the same recovery runs with -ENODEV and the CP stays halted.
 */

#include <linux/slab.h>

#include "amdgpu.h"

static struct amdsim_job *to_amdsim_job(struct gc_job *job)
{
	return container_of(job, struct amdsim_job, base);
}

static struct dma_fence *amdsim_job_run(struct gc_job *job)
{
	struct amdsim_job *aj = to_amdsim_job(job);
	struct amdsim_ring *ring = aj->ring;
	struct gc_fence_signaller sig;
	struct gc_fence_ref fence;
	unsigned long flags;
	int ret;

	/* On the fence signalling path: no sleeping allocation. */
	sig = gc_fence_create(ring->tl, GFP_NOWAIT);
	if (gc_is_err(sig))
		return ERR_PTR(gc_err(sig));
	fence = gc_fence_signaller_fence(&sig);
	spin_lock_irqsave(&ring->lock, flags);
	ret = amdsim_ring_emit(ring, aj->ib, aj->ib_dw, &sig, &aj->seq);
	spin_unlock_irqrestore(&ring->lock, flags);
	if (ret) {
		gc_fence_put(&fence);
		gc_fence_signal_error(&sig, ret);
		return ERR_PTR(ret);
	}
	return gc_fence_into_raw(&fence);
}

static enum gc_timeout_result amdsim_job_timed_out(struct gc_job *job)
{
	struct amdsim_job *aj = to_amdsim_job(job);

	if (aj->seq && amdsim_fence_passed(aj->ring, aj->seq)) {
		amdsim_fence_process(aj->ring);
		return GC_TIMEOUT_CONTINUE;
	}
	return GC_TIMEOUT_GUILTY;
}

/**
 * amdsim_ring_recover() - reset a ring and complete all its fences
 * @ring: the ring; &amdsim_device.rings_lock held
 * @error: the error of the fences the CP had not reached; -ENODEV leaves
 *	the CP halted
 *
 * See the policy in the DOC above. Jobs the scheduler runs afterwards on
 * the ring fail with @error until a new queue takes it.
 *
 * Context: process context; may sleep.
 */
void amdsim_ring_recover(struct amdsim_ring *ring, int error)
{
	unsigned long flags;

	lockdep_assert_held(&ring->adev->rings_lock);
	amdsim_hw_cp_halt(ring->adev->hw, ring->idx);
	spin_lock_irqsave(&ring->lock, flags);
	/* Nothing more is emitted: run may race with the timeout handler. */
	ring->stopped = true;
	ring->stop_error = error;
	/* Reset before the fences complete: their waiters find it done. */
	amdsim_ring_reset(ring);
	spin_unlock_irqrestore(&ring->lock, flags);
	amdsim_fence_force_completion(ring, error);
	if (error != -ENODEV)
		amdsim_hw_cp_resume(ring->adev->hw, ring->idx);
}

/*
 * gpucore may stop a queue that was destroyed and whose jobs are all gone,
 * until it tears it down: the ring may belong to another queue by then.
 */
static void amdsim_queue_stop(struct gc_queue *queue, int error)
{
	struct amdsim_ring *ring = queue->priv;
	struct amdsim_device *adev = ring->adev;

	mutex_lock(&adev->rings_lock);
	if (ring->gq == queue)
		amdsim_ring_recover(ring, error);
	mutex_unlock(&adev->rings_lock);
}

/* A job or the queue let go of the ring; the last one frees it. */
static void amdsim_ring_release_locked(struct amdsim_ring *ring)
{
	lockdep_assert_held(&ring->adev->rings_lock);
	if (!ring->queue_live && !ring->nr_jobs)
		ring->gq = NULL;
}

static void amdsim_job_free(struct gc_job *job)
{
	struct amdsim_job *aj = to_amdsim_job(job);
	struct amdsim_ring *ring = aj->ring;
	struct amdsim_device *adev = ring->adev;
	unsigned int i;

	for (i = 0; i < aj->nr_pins; i++) {
		amdsim_bo_unpin(to_amdsim_bo(gc_bo_borrow(&aj->pins[i])));
		gc_bo_put(&aj->pins[i]);
	}
	kfree(aj);
	mutex_lock(&adev->rings_lock);
	ring->nr_jobs--;
	amdsim_ring_release_locked(ring);
	mutex_unlock(&adev->rings_lock);
}

static const struct gc_queue_ops amdsim_queue_ops = {
	.run = amdsim_job_run,
	.timed_out = amdsim_job_timed_out,
	.stop = amdsim_queue_stop,
	.free_job = amdsim_job_free,
};

/**
 * amdsim_queue_create() - put a gpucore queue in front of a free ring
 * @adev: the device
 * @timeout_ms: a job running longer is a hang
 *
 * Context: process context; may sleep.
 * Return: the ring, with the queue in &amdsim_ring.gq; ERR_PTR(-EBUSY) if
 * every ring has a queue (or the jobs of one), or gc_queue_create()'s
 * error (-ENODEV after unplug).
 */
struct amdsim_ring *amdsim_queue_create(struct amdsim_device *adev, unsigned int timeout_ms)
{
	struct gc_queue_params params = {
		.hw_jobs = AMDSIM_HW_JOBS,
		.max_jobs = AMDSIM_MAX_JOBS,
		.timeout_ms = timeout_ms,
	};
	struct amdsim_ring *ring = NULL;
	struct gc_queue *gq;
	unsigned long flags;
	unsigned int i;

	mutex_lock(&adev->rings_lock);
	for (i = 0; i < AMDSIM_NUM_RINGS && !ring; i++) {
		if (!adev->rings[i].gq && !adev->rings[i].queue_live)
			ring = &adev->rings[i];
	}
	/* Reserved until the queue exists. */
	if (ring)
		ring->queue_live = true;
	mutex_unlock(&adev->rings_lock);
	if (!ring)
		return ERR_PTR(-EBUSY);

	params.name = ring->name;
	gq = gc_queue_create(&adev->gdev, &params, &amdsim_queue_ops, ring);
	mutex_lock(&adev->rings_lock);
	if (IS_ERR(gq)) {
		ring->queue_live = false;
	} else {
		/* The ring was reset if its last queue hung: it may emit again. */
		spin_lock_irqsave(&ring->lock, flags);
		ring->stopped = false;
		spin_unlock_irqrestore(&ring->lock, flags);
		ring->gq = gq;
	}
	mutex_unlock(&adev->rings_lock);
	return IS_ERR(gq) ? ERR_CAST(gq) : ring;
}

/**
 * amdsim_queue_destroy() - destroy the queue in front of a ring
 * @ring: the ring
 *
 * gc_queue_destroy(): queued jobs are cancelled, jobs on the ring complete
 * or time out. The ring is free again once they are all freed.
 *
 * Context: process context; may sleep.
 */
void amdsim_queue_destroy(struct amdsim_ring *ring)
{
	struct amdsim_device *adev = ring->adev;
	struct gc_queue *gq;

	mutex_lock(&adev->rings_lock);
	gq = ring->gq;
	ring->queue_live = false;
	amdsim_ring_release_locked(ring);
	mutex_unlock(&adev->rings_lock);
	gc_queue_destroy(gq);
}

/* The job's pins and references, taken on BOs the caller has pinned. */
static int amdsim_job_pin(struct amdsim_job *aj, struct gc_job_pending *pending,
			  const struct amdsim_job_desc *desc)
{
	struct amdsim_bo *bo;
	unsigned int i;
	u64 addr;
	int ret;

	for (i = 0; i < desc->nr_bos; i++) {
		bo = desc->bos[i].bo;
		/* The caller's pin keeps the address its packets use. */
		if (WARN_ON(!bo || !READ_ONCE(bo->tbo.pin_count)))
			return -EINVAL;
		ret = amdsim_bo_pin(bo, &addr);
		if (ret)
			return ret;
		aj->pins[aj->nr_pins++] = gc_bo_get(&bo->gc);
		ret = gc_job_use_bo(pending, &bo->gc, desc->bos[i].access);
		if (ret)
			return ret;
	}
	return 0;
}

/**
 * amdsim_job_submit() - run packets on a ring's queue
 * @ring: the ring, with a queue in front
 * @desc: the packets, the BOs they address (pinned by the caller, who may
 *	unpin them once this returns) and a dependency
 *
 * The job waits for @desc->dep and, by implicit sync, for the BOs' earlier
 * conflicting users; it then runs on the ring in queue order.
 *
 * Context: process context; may sleep.
 * Return: the job's done fence, or an error handle: -EINVAL for a bad
 * description, gc_job_init()'s error (-EIO once the queue is banned,
 * -ENODEV after unplug), -ENOMEM.
 */
struct gc_fence_ref amdsim_job_submit(struct amdsim_ring *ring,
				      const struct amdsim_job_desc *desc)
{
	struct gc_job_pending pending __free(gc_job_abort) = {};
	struct amdsim_device *adev = ring->adev;
	struct gc_job_armed armed;
	struct gc_fence_ref done;
	struct amdsim_job *aj;
	int ret;

	if (!desc->ib_dw || desc->ib_dw > AMDSIM_IB_DW || desc->nr_bos > AMDSIM_JOB_BOS ||
	    !ring->gq)
		return (struct gc_fence_ref){ .ptr = ERR_PTR(-EINVAL) };
	aj = kzalloc(sizeof(*aj), GFP_KERNEL);
	if (!aj)
		return (struct gc_fence_ref){ .ptr = ERR_PTR(-ENOMEM) };
	aj->ring = ring;
	memcpy(aj->ib, desc->ib, desc->ib_dw * sizeof(u32));
	aj->ib_dw = desc->ib_dw;
	mutex_lock(&adev->rings_lock);
	ring->nr_jobs++;
	mutex_unlock(&adev->rings_lock);

	pending = gc_job_init(&aj->base, ring->gq, 0);
	if (gc_is_err(pending)) {
		/* Still ours: free_job will not see it. */
		kfree(aj);
		mutex_lock(&adev->rings_lock);
		ring->nr_jobs--;
		amdsim_ring_release_locked(ring);
		mutex_unlock(&adev->rings_lock);
		return (struct gc_fence_ref){ .ptr = ERR_CAST(pending.ptr) };
	}
	/* From here on free_job releases the job and its pins. */
	ret = amdsim_job_pin(aj, &pending, desc);
	if (!ret && desc->dep)
		ret = gc_job_add_dep(&pending, desc->dep);
	if (ret)
		return (struct gc_fence_ref){ .ptr = ERR_PTR(ret) };
	armed = gc_job_arm(&pending);
	if (gc_is_err(armed))
		return (struct gc_fence_ref){ .ptr = ERR_CAST(armed.ptr) };
	done = gc_job_done_fence(&armed);
	gc_job_push(&armed);
	return done;
}
