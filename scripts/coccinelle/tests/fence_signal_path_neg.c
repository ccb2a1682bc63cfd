// SPDX-License-Identifier: GPL-2.0-only
/*
 * Negative cases for fence_signal_path.cocci: nothing here may be reported.
 * The code is never built.
 */

#include <linux/dma-fence.h>
#include <linux/dma-resv.h>

struct demo_fence {
	struct dma_fence base;
	spinlock_t lock; /* the fence's lock */
};

struct demo_job {
	struct dma_fence done;
	spinlock_t lock; /* the done fence's lock */
	struct demo_ring *ring;
};

/* The error path completes the fence with the error before dropping it. */
int demo_job_submit(struct demo_job *job, struct dma_resv *resv, u64 ctx,
		    u64 seqno)
{
	int ret;

	dma_fence_init(&job->done, &demo_fence_ops, &job->lock, ctx, seqno);
	dma_resv_add_fence(resv, &job->done, DMA_RESV_USAGE_WRITE);
	ret = demo_ring_emit(job->ring, job);
	if (ret) {
		dma_fence_set_error(&job->done, ret);
		dma_fence_signal(&job->done);
		dma_fence_put(&job->done);
		return ret;
	}
	return 0;
}

/* Published and emitted: the creator's reference goes, the ring signals. */
int demo_job_publish(struct demo_job *job, struct dma_resv *resv, u64 ctx,
		     u64 seqno)
{
	dma_fence_init(&job->done, &demo_fence_ops, &job->lock, ctx, seqno);
	dma_resv_add_fence(resv, &job->done, DMA_RESV_USAGE_WRITE);
	demo_ring_kick(job->ring, job);
	dma_fence_put(&job->done);
	return 0;
}

/* A driver helper that completes the fence counts as signalling it. */
int demo_job_run(struct demo_job *job, u64 ctx, u64 seqno)
{
	int ret;

	dma_fence_init(&job->done, &demo_fence_ops, &job->lock, ctx, seqno);
	ret = demo_ring_emit(job->ring, job);
	if (ret) {
		demo_job_complete(job, ret);
		dma_fence_put(&job->done);
	}
	return ret;
}

/* Success hands the fence to the caller; nothing fails after the init. */
struct dma_fence *demo_fence_create(u64 ctx, u64 seqno)
{
	struct demo_fence *f;

	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return ERR_PTR(-ENOMEM);
	spin_lock_init(&f->lock);
	dma_fence_init(&f->base, &demo_fence_ops, &f->lock, ctx, seqno);
	return &f->base;
}

/* The fence lives in the caller's object: the caller cleans up on error. */
int demo_job_arm(struct demo_job *job, u64 ctx, u64 seqno)
{
	dma_fence_init(&job->done, &demo_fence_ops, &job->lock, ctx, seqno);
	if (demo_ring_full(job->ring))
		return -EBUSY;
	return 0;
}

/* Stored where the interrupt handler signals it before the error. */
int demo_fence_emit(struct demo_ring *ring)
{
	struct demo_fence *f;

	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	dma_fence_init(&f->base, &demo_fence_ops, &ring->lock, ring->ctx,
		       ++ring->seqno);
	ring->fences[ring->seqno % DEMO_RING_SIZE] = &f->base;
	if (demo_ring_write_seqno(ring, ring->seqno))
		return -EIO;
	return 0;
}
