// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The simulated engine: a ring of fill commands that a worker executes in
 * order, writing the memory and then signalling the command's hardware
 * fence. On real hardware the worker is the GPU and the signal comes from
 * its completion interrupt; the driver around it does not change.
 */

#include <linux/string.h>

#include "minimal_drv.h"

static void minimal_engine_work(struct work_struct *work)
{
	struct minimal_engine *e = container_of(work, struct minimal_engine, work);
	struct minimal_cmd *cmd;

	for (;;) {
		spin_lock(&e->lock);
		cmd = e->stalled ? NULL :
		      list_first_entry_or_null(&e->ring, struct minimal_cmd, link);
		if (cmd)
			list_del_init(&cmd->link);
		spin_unlock(&e->lock);
		if (!cmd)
			return;
		memset32(cmd->dst, cmd->value, cmd->count);
		/* The job, cmd with it, may be freed as soon as this returns. */
		gc_fence_signal(&cmd->hw);
	}
}

/* Power up; the hardware fences are tracked in @dir, the device's scope. */
int minimal_engine_init(struct minimal_engine *e, struct gc_track_dir *dir)
{
	spin_lock_init(&e->lock);
	INIT_LIST_HEAD(&e->ring);
	INIT_WORK(&e->work, minimal_engine_work);
	e->stop_error = 0;
	e->stalled = false;
	e->tl = gc_timeline_create(MINIMAL_DRIVER_NAME, "engine", dir);
	if (IS_ERR(e->tl))
		return PTR_ERR(e->tl);
	/* Memory reclaim may wait for the fences this worker signals. */
	e->wq = alloc_ordered_workqueue("gpucore-minimal", WQ_MEM_RECLAIM);
	if (!e->wq) {
		gc_timeline_put(e->tl);
		return -ENOMEM;
	}
	return 0;
}

/* Power down, once no command can be pushed or left on the ring. */
void minimal_engine_fini(struct minimal_engine *e)
{
	destroy_workqueue(e->wq);
	WARN_ON(!list_empty(&e->ring));
	/* Rule: fences outlive their timeline; this only drops ours. */
	gc_timeline_put(e->tl);
}

/*
 * Put @cmd on the ring; returns its hardware fence (a new reference) or an
 * ERR_PTR(). Called from gc_queue_ops.run, on the fence signalling path.
 */
struct dma_fence *minimal_engine_push(struct minimal_engine *e, struct minimal_cmd *cmd)
{
	struct gc_fence_ref fence;
	int error;

	/* Rule: no sleeping allocation on the signalling path. */
	cmd->hw = gc_fence_create(e->tl, GFP_NOWAIT);
	if (gc_is_err(cmd->hw))
		return ERR_PTR(gc_err(cmd->hw));	/* an error handle owns nothing */
	fence = gc_fence_signaller_fence(&cmd->hw);

	spin_lock(&e->lock);
	error = e->stop_error;
	if (!error)
		list_add_tail(&cmd->link, &e->ring);
	spin_unlock(&e->lock);
	if (error) {
		/* Rule: every signaller is consumed, this one by an error. */
		gc_fence_signal_error(&cmd->hw, error);
		gc_fence_put(&fence);
		return ERR_PTR(error);
	}
	queue_work(e->wq, &e->work);
	return gc_fence_into_raw(&fence);	/* the scheduler takes this reference */
}

/*
 * Stop for good: the command being executed completes, those on the ring
 * complete with @error. Rule (gc_queue_ops.stop): on return no hardware
 * fence of the queue is left unsignalled.
 */
void minimal_engine_stop(struct minimal_engine *e, int error)
{
	struct minimal_cmd *cmd, *next;
	LIST_HEAD(dead);

	spin_lock(&e->lock);
	if (!e->stop_error)
		e->stop_error = error;
	list_splice_init(&e->ring, &dead);
	spin_unlock(&e->lock);
	flush_work(&e->work);
	/* Errors may overtake the timeline's order; successes may not. */
	list_for_each_entry_safe(cmd, next, &dead, link)
		gc_fence_signal_error(&cmd->hw, error);
}

/* Simulation knob: hold commands on the ring (stuck hardware), or resume. */
void minimal_engine_stall(struct minimal_engine *e, bool stalled)
{
	spin_lock(&e->lock);
	e->stalled = stalled;
	spin_unlock(&e->lock);
	if (!stalled)
		queue_work(e->wq, &e->work);
}
