// SPDX-License-Identifier: GPL-2.0-only
/*
 * Positive cases for fence_use_after_put.cocci: every line marked "expect"
 * must be reported, and no other. The code is never built.
 */

#include <linux/dma-fence.h>

/* The error is read from a fence whose reference is gone. */
long demo_wait_one(struct dma_fence *fence, long timeout)
{
	long r;

	r = dma_fence_wait_timeout(fence, true, timeout);
	dma_fence_put(fence);
	if (r < 0)
		return r;
	if (r == 0)
		return -ETIME;
	return fence->error; /* expect: fence_use_after_put */
}

/* Put first, then waited on. */
int demo_sync(struct demo_ring *ring)
{
	struct dma_fence *f = demo_ring_last(ring);

	if (!f)
		return 0;
	dma_fence_put(f);
	return dma_fence_wait(f, false); /* expect: fence_use_after_put */
}

/* Put on one branch only, tested after both join. */
bool demo_busy(struct demo_ring *ring, bool drop)
{
	struct dma_fence *f = demo_ring_last(ring);

	if (drop)
		dma_fence_put(f);
	return !dma_fence_is_signaled(f); /* expect: fence_use_after_put */
}
