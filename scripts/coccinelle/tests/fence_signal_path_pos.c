// SPDX-License-Identifier: GPL-2.0-only
/*
 * Positive cases for fence_signal_path.cocci: every line marked "expect"
 * must be reported, and no other. The code is never built.
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

/* The fence is already in the reservation object when it is dropped. */
int demo_job_submit(struct demo_job *job, struct dma_resv *resv, u64 ctx,
		    u64 seqno)
{
	int ret;

	dma_fence_init(&job->done, &demo_fence_ops, &job->lock, ctx, seqno);
	dma_resv_add_fence(resv, &job->done, DMA_RESV_USAGE_WRITE);
	ret = demo_ring_emit(job->ring, job);
	if (ret) {
		dma_fence_put(&job->done); /* expect: fence_signal_path */
		return ret;
	}
	return 0;
}

/* An error after the fence was handed out frees it, unsignalled. */
struct dma_fence *demo_fence_create(struct demo_ring *ring, u64 ctx, u64 seqno)
{
	struct demo_fence *f;

	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return ERR_PTR(-ENOMEM);
	spin_lock_init(&f->lock);
	dma_fence_init(&f->base, &demo_fence_ops, &f->lock, ctx, seqno);
	if (demo_ring_full(ring)) {
		kfree(f); /* expect: fence_signal_path */
		return ERR_PTR(-EBUSY);
	}
	return &f->base;
}

/* The error return forgets a fence that was emitted to the ring. */
int demo_fence_emit(struct demo_ring *ring, struct dma_fence **out)
{
	struct demo_fence *f;
	struct dma_fence *old;
	int r;

	f = kmem_cache_alloc(demo_fence_slab, GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	dma_fence_init(&f->base, &demo_fence_ops, &ring->lock, ring->ctx,
		       ++ring->seqno);
	demo_ring_write_seqno(ring, ring->seqno);

	old = demo_ring_slot(ring, ring->seqno);
	if (old) {
		r = dma_fence_wait(old, false);
		if (r)
			return r; /* expect: fence_signal_path */
	}
	*out = &f->base;
	return 0;
}
