// SPDX-License-Identifier: GPL-2.0-only
/*
 * Negative cases for fence_use_after_put.cocci: nothing here may be
 * reported. The code is never built.
 */

#include <linux/dma-fence.h>
#include <linux/sync_file.h>

/* The error is read before the reference goes. */
long demo_wait_one(struct dma_fence *fence, long timeout)
{
	long r;

	r = dma_fence_wait_timeout(fence, true, timeout);
	if (r > 0)
		r = fence->error;
	dma_fence_put(fence);
	return r;
}

/* The variable is given a new fence through its address. */
int demo_two_messages(struct demo_ring *ring)
{
	struct dma_fence *fence;
	int r;

	r = demo_send(ring, 1, &fence);
	if (r)
		return r;
	dma_fence_wait(fence, false);
	dma_fence_put(fence);

	r = demo_send(ring, 2, &fence);
	if (r)
		return r;
	r = dma_fence_wait(fence, false);
	dma_fence_put(fence);
	return r;
}

/* Another reference was taken before this one was dropped. */
int demo_keep(struct demo_job *job, struct dma_fence *fence)
{
	job->parent = dma_fence_get(fence);
	dma_fence_put(fence);
	return dma_fence_add_callback(fence, &job->cb, demo_job_done);
}

/* The sync_file holds its own reference. */
struct sync_file *demo_export(struct dma_fence *fence)
{
	struct sync_file *sync = sync_file_create(fence);

	dma_fence_put(fence);
	if (!sync)
		return NULL;
	demo_trace(fence->seqno);
	return sync;
}

/* Two references dropped on purpose; a loop puts at the end of a turn. */
void demo_release_all(struct demo_ring *ring, struct dma_fence *old)
{
	struct dma_fence *f;
	int i;

	dma_fence_put(old);
	dma_fence_put(old);
	for (i = 0; i < ring->count; i++) {
		f = ring->fences[i];
		dma_fence_wait(f, false);
		dma_fence_put(f);
	}
}
