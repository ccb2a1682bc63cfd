// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Channels and jobs: the gc_queue backend that feeds GSP channels, and the
 * in-kernel submission API.
 *
 * A channel (&struct nova_chan) pairs a gc_queue with a GSP channel; it is
 * the gc_queue's private data, valid for every op until the release op
 * frees it, and with it the channel number: by then no job of the channel
 * is on the GSP.
 *
 * A job runs by a SUBMIT RPC: the GSP accepts or refuses it in its reply,
 * and completes it later with a completion event, which the interrupt
 * handler turns into the job's hardware fence signalling. A job whose
 * SUBMIT got no valid reply may or may not be on the GSP: it stays
 * running, and its completion event or its timeout ends it.
 *
 * The GSP completes a channel's work in order. A completion therefore also
 * ends the earlier jobs still waiting for theirs: their events were lost
 * (a corrupted record), and their status with them: -EIO. A job whose
 * completion was the last one lost is found by its timeout, which asks the
 * GSP how far the channel got and how its last job ended.
 *
 * Hangs: the timeout asks the GSP how the channel is doing. A hung channel,
 * or one that made no progress since the last timeout, is guilty: gpucore
 * fails the job and stops the queue, and stop has the GSP reset the
 * channel, which drops its work; every job still running then completes
 * with the stop's error. drm_sched keeps running jobs while the timeout
 * and the stop run, so sending a job and stopping the channel exclude
 * each other (&nova_chan.submit_lock): a job is either on the GSP before
 * the reset, which drops it, or never sent.
 */

#include <linux/dma-fence.h>
#include <linux/slab.h>
#include <drm/drm_drv.h>
#include <drm/drm_print.h>

#include "nova_drv.h"

static struct nova_job *to_nova_job(struct gc_job *job)
{
	return container_of(job, struct nova_job, base);
}

/* Free a channel and its number; nothing of it is on the GSP. */
static void nova_chan_free(struct nova_chan *chan)
{
	struct nova_device *ndev = chan->ndev;
	unsigned long flags;

	/* From here on no event finds the channel. */
	spin_lock_irqsave(&ndev->chan_lock, flags);
	if (ndev->chans[chan->id] == chan)
		ndev->chans[chan->id] = NULL;
	spin_unlock_irqrestore(&ndev->chan_lock, flags);
	WARN_ON(!list_empty(&chan->running));
	gc_timeline_put(chan->hw_tl);
	mutex_destroy(&chan->submit_lock);
	kfree(chan);
}

/* Signal a job's hardware fence with the GSP's status; chan_lock held. */
static void nova_job_signal(struct nova_job *nj, int status)
{
	list_del_init(&nj->link);
	if (!status)
		gc_fence_signal(&nj->hw);
	else if (status < 0 && status >= -MAX_ERRNO)
		gc_fence_signal_error(&nj->hw, status);
	else
		gc_fence_signal_error(&nj->hw, -EIO);
}

/*
 * Complete the running jobs up to @stamp: that one with @status, those
 * before it with @earlier.
 */
static void nova_chan_retire(struct nova_chan *chan, u64 stamp, int status, int earlier)
{
	struct nova_job *nj, *next;

	lockdep_assert_held(&chan->ndev->chan_lock);
	list_for_each_entry_safe(nj, next, &chan->running, link) {
		if (nj->stamp > stamp)
			break;
		nova_job_signal(nj, nj->stamp == stamp ? status : earlier);
	}
}

/**
 * nova_job_event() - handle a GSP event
 * @data: the &struct nova_device
 * @hdr: the event's header, checked by the RPC layer
 * @payload: its payload
 *
 * A completion signals the hardware fence of its job (and of earlier jobs
 * of the channel whose completion was lost).
 *
 * Context: the RPC interrupt work item; does not sleep.
 */
void nova_job_event(void *data, const struct nova_rec_hdr *hdr, const void *payload)
{
	struct nova_device *ndev = data;
	const struct nova_msg_completion *c = payload;
	struct nova_chan *chan;
	unsigned long flags;
	bool cookie;

	if (hdr->function != NOVA_EVT_COMPLETION || hdr->length != sizeof(*c) ||
	    c->channel >= NOVA_GSP_CHANNELS) {
		atomic_inc(&ndev->rpc.stats.bad_length);
		drm_err(&ndev->drm, "GSP event %#x of %u bytes not understood\n",
			hdr->function, hdr->length);
		return;
	}
	/* The completion path of the hardware fences: lockdep watches it. */
	cookie = dma_fence_begin_signalling();
	spin_lock_irqsave(&ndev->chan_lock, flags);
	chan = ndev->chans[c->channel];
	/*
	 * Work of a channel already stopped was completed by the stop. Earlier
	 * jobs lost their completion, and their status with it.
	 */
	if (chan)
		nova_chan_retire(chan, c->stamp, c->status, -EIO);
	spin_unlock_irqrestore(&ndev->chan_lock, flags);
	dma_fence_end_signalling(cookie);
}

static struct dma_fence *nova_job_run(struct gc_job *job)
{
	struct nova_job *nj = to_nova_job(job);
	struct nova_chan *chan = nj->chan;
	struct nova_device *ndev = chan->ndev;
	struct nova_rpc_msg msg = {
		.function = NOVA_FN_SUBMIT,
		.req = &nj->desc,
		.req_len = sizeof(nj->desc),
	};
	struct gc_fence_ref fence;
	unsigned long flags;
	int ret;

	/* On the fence signalling path: no sleeping allocation. */
	nj->hw = gc_fence_create(chan->hw_tl, GFP_NOWAIT);
	if (gc_is_err(nj->hw)) {
		ret = gc_err(nj->hw);
		nj->hw.ptr = NULL;
		return ERR_PTR(ret);
	}
	fence = gc_fence_signaller_fence(&nj->hw);

	mutex_lock(&chan->submit_lock);
	/* Running before it is sent: its completion may beat the reply. */
	spin_lock_irqsave(&ndev->chan_lock, flags);
	ret = chan->stopped ? chan->stop_error : 0;
	if (!ret) {
		nj->stamp = ++chan->last_stamp;
		nj->desc.stamp = nj->stamp;
		list_add_tail(&nj->link, &chan->running);
	}
	spin_unlock_irqrestore(&ndev->chan_lock, flags);
	if (ret) {
		mutex_unlock(&chan->submit_lock);
		gc_fence_signal_error(&nj->hw, ret);
		return gc_fence_into_raw(&fence);
	}

	ret = nova_rpc_call(&ndev->rpc, &msg, 0);
	mutex_unlock(&chan->submit_lock);
	if (!ret)
		ret = msg.status;	/* the GSP refused it: it never runs */
	else if (msg.seq)
		ret = 0;		/* sent: its completion or its timeout decides */
	if (ret) {
		spin_lock_irqsave(&ndev->chan_lock, flags);
		/* Unless a stop completed it meanwhile. */
		if (!list_empty(&nj->link))
			nova_job_signal(nj, ret);
		spin_unlock_irqrestore(&ndev->chan_lock, flags);
	}
	return gc_fence_into_raw(&fence);
}

static enum gc_timeout_result nova_job_timed_out(struct gc_job *job)
{
	struct nova_job *nj = to_nova_job(job);
	struct nova_chan *chan = nj->chan;
	struct nova_device *ndev = chan->ndev;
	struct nova_msg_chan req = { .channel = chan->id };
	struct nova_msg_chan_status st = {};
	struct nova_rpc_msg msg = {
		.function = NOVA_FN_CHAN_STATUS,
		.req = &req,
		.req_len = sizeof(req),
		.reply = &st,
		.reply_len = sizeof(st),
	};
	unsigned long flags;
	bool moved;

	if (nova_rpc_call(&ndev->rpc, &msg, 0) || msg.status || st.hung)
		return GC_TIMEOUT_GUILTY;
	if (st.completed >= nj->stamp) {
		/*
		 * Done on the GSP, but its completion was lost. The status
		 * tells how the last one ended; earlier ones, if any, lost it.
		 */
		spin_lock_irqsave(&ndev->chan_lock, flags);
		nova_chan_retire(chan, st.completed, st.last_status, -EIO);
		spin_unlock_irqrestore(&ndev->chan_lock, flags);
		return GC_TIMEOUT_CONTINUE;
	}
	moved = st.progress != chan->seen_progress;
	chan->seen_progress = st.progress;
	return moved ? GC_TIMEOUT_CONTINUE : GC_TIMEOUT_GUILTY;
}

static int nova_chan_reset(struct nova_chan *chan)
{
	struct nova_msg_chan req = { .channel = chan->id };
	struct nova_rpc_msg msg = {
		.function = NOVA_FN_CHAN_RESET,
		.req = &req,
		.req_len = sizeof(req),
	};
	int ret;

	ret = nova_rpc_call(&chan->ndev->rpc, &msg, 0);
	return ret ? ret : msg.status;
}

/*
 * Stop a channel for good: the GSP resets it, then everything still
 * running completes with @error. After unplug the GSP is gone and the
 * reset fails at once; the jobs complete all the same.
 */
static void nova_queue_stop(struct gc_queue *queue, int error)
{
	struct nova_chan *chan = queue->priv;
	struct nova_device *ndev = chan->ndev;
	unsigned long flags;
	bool first, cookie;
	int ret;

	/* No job is being sent: each is on the GSP already, or never will be. */
	mutex_lock(&chan->submit_lock);
	spin_lock_irqsave(&ndev->chan_lock, flags);
	first = !chan->stopped;
	if (first) {
		chan->stopped = true;
		chan->stop_error = error;
	}
	spin_unlock_irqrestore(&ndev->chan_lock, flags);
	if (first) {
		/* Completions sent before the reset's reply are handled first. */
		ret = nova_chan_reset(chan);
		if (ret && ret != -ENODEV)
			drm_err(&ndev->drm, "GSP channel %u not reset (%d): it may still run\n",
				chan->id, ret);
	}
	mutex_unlock(&chan->submit_lock);
	/* Signalling, entered before the channel lock as in run and the event. */
	cookie = dma_fence_begin_signalling();
	spin_lock_irqsave(&ndev->chan_lock, flags);
	nova_chan_retire(chan, U64_MAX, error, error);
	spin_unlock_irqrestore(&ndev->chan_lock, flags);
	dma_fence_end_signalling(cookie);
}

static void nova_job_free(struct gc_job *job)
{
	struct nova_job *nj = to_nova_job(job);
	struct nova_chan *chan = nj->chan;
	unsigned long flags;

	spin_lock_irqsave(&chan->ndev->chan_lock, flags);
	if (WARN_ON(!list_empty(&nj->link)))
		list_del_init(&nj->link);
	spin_unlock_irqrestore(&chan->ndev->chan_lock, flags);
	/* Empty if the job never ran; signalled if it did. */
	gc_fence_signaller_drop(&nj->hw);
	kfree(nj);
}

/* The gc_queue is torn down: every job freed, no op will follow. */
static void nova_queue_release(struct gc_queue *queue)
{
	nova_chan_free(queue->priv);
}

static const struct gc_queue_ops nova_queue_ops = {
	.run = nova_job_run,
	.timed_out = nova_job_timed_out,
	.stop = nova_queue_stop,
	.free_job = nova_job_free,
	.release = nova_queue_release,
};

/* Take a free GSP channel number for @chan; -EBUSY if none is left. */
static int nova_chan_claim(struct nova_device *ndev, struct nova_chan *chan)
{
	unsigned long flags;
	int ret = -EBUSY;
	u32 i;

	spin_lock_irqsave(&ndev->chan_lock, flags);
	for (i = 0; i < ndev->info.nr_channels; i++) {
		if (!ndev->chans[i]) {
			ndev->chans[i] = chan;
			chan->id = i;
			ret = 0;
			break;
		}
	}
	spin_unlock_irqrestore(&ndev->chan_lock, flags);
	return ret;
}

/**
 * nova_chan_create() - create a channel and its gpucore queue
 * @ndev: the device
 * @timeout_ms: a job running longer than this without progress hangs; 0
 *	for %NOVA_CHAN_TIMEOUT_MS
 *
 * The GSP channel is reset first, so it starts clean.
 *
 * Context: process context; may sleep.
 * Return: the channel, or an ERR_PTR(): -EBUSY when every GSP channel is
 * in use, -ENODEV after unplug, -ENOMEM, or the GSP's error.
 */
struct nova_chan *nova_chan_create(struct nova_device *ndev, unsigned int timeout_ms)
{
	struct gc_queue_params params = {
		.hw_jobs = min_t(u32, NOVA_CHAN_HW_JOBS, ndev->info.chan_slots),
		.max_jobs = NOVA_CHAN_MAX_JOBS,
		.timeout_ms = timeout_ms ?: NOVA_CHAN_TIMEOUT_MS,
	};
	struct nova_chan *chan;
	struct gc_queue *gq;
	char name[32];
	int ret;

	chan = kzalloc(sizeof(*chan), GFP_KERNEL);
	if (!chan)
		return ERR_PTR(-ENOMEM);
	chan->ndev = ndev;
	mutex_init(&chan->submit_lock);
	INIT_LIST_HEAD(&chan->running);
	ret = nova_chan_claim(ndev, chan);
	if (ret) {
		mutex_destroy(&chan->submit_lock);
		kfree(chan);
		return ERR_PTR(ret);
	}

	snprintf(name, sizeof(name), "nova-chan%u-hw", chan->id);
	chan->hw_tl = gc_timeline_create(NOVA_DRIVER_NAME, name, &ndev->gdev.refs);
	if (IS_ERR(chan->hw_tl)) {
		ret = PTR_ERR(chan->hw_tl);
		chan->hw_tl = NULL;
		goto err;
	}
	ret = nova_chan_reset(chan);
	if (ret)
		goto err;
	snprintf(name, sizeof(name), "nova-chan%u", chan->id);
	params.name = name;
	gq = gc_queue_create(&ndev->gdev, &params, &nova_queue_ops, chan);
	if (IS_ERR(gq)) {
		ret = PTR_ERR(gq);
		goto err;
	}
	chan->gq = gq;
	return chan;

err:
	nova_chan_free(chan);
	return ERR_PTR(ret);
}

/**
 * nova_chan_destroy() - destroy a channel, whatever it is doing
 * @chan: the channel, or NULL
 *
 * Returns at once: queued jobs are cancelled, jobs on the GSP complete or
 * time out, and the channel goes after its last job.
 *
 * Context: process context.
 */
void nova_chan_destroy(struct nova_chan *chan)
{
	if (chan)
		gc_queue_destroy(chan->gq);
}

/* Is [@offset, @offset + @len) inside @bo, a BO of @ndev? 0 or -EINVAL. */
static int nova_work_range(struct nova_device *ndev, struct gc_bo *bo, u64 offset, u64 len,
			   u64 *addr)
{
	struct nova_bo *nbo = nova_bo_from_gc(bo);
	u64 end;

	if (!nbo || nbo->ndev != ndev || !len || check_add_overflow(offset, len, &end) ||
	    end > nbo->base.size)
		return -EINVAL;
	*addr = nbo->vram_offset + offset;
	return 0;
}

/* Check @w and describe it to the GSP. */
static int nova_work_desc(struct nova_chan *chan, const struct nova_work *w,
			  struct nova_msg_submit *d)
{
	struct nova_device *ndev = chan->ndev;

	*d = (struct nova_msg_submit){ .channel = chan->id, .op = w->op, .value = w->value };
	switch (w->op) {
	case NOVA_OP_FILL:
		if (!IS_ALIGNED(w->dst_offset, 4) || !IS_ALIGNED(w->size, 4))
			return -EINVAL;
		d->size = w->size;
		return nova_work_range(ndev, w->dst, w->dst_offset, w->size, &d->dst);
	case NOVA_OP_COPY:
		d->size = w->size;
		if (w->dst == w->src)
			return -EINVAL;
		return nova_work_range(ndev, w->dst, w->dst_offset, w->size, &d->dst) ?:
		       nova_work_range(ndev, w->src, w->src_offset, w->size, &d->src);
	case NOVA_OP_WRITE:
		if (!IS_ALIGNED(w->dst_offset, 4))
			return -EINVAL;
		return nova_work_range(ndev, w->dst, w->dst_offset, sizeof(u32), &d->dst);
	case NOVA_OP_STALL:
	case NOVA_OP_HANG:
		return w->dst || w->src ? -EINVAL : 0;
	default:
		return -EINVAL;
	}
}

/**
 * nova_submit() - run work on a channel
 * @chan: the channel
 * @work: what the job does; its BOs must be the device's
 * @dep: a fence the job waits for first, or NULL
 *
 * The job waits for @dep and for the earlier GPU users of its BOs that
 * conflict (it writes @work->dst, reads @work->src), and holds its own
 * references to them until it is released.
 *
 * Context: process context; may sleep (waits for room in a full queue).
 * Return: the job's done fence, or an error handle: -EINVAL for bad work,
 * gc_job_init()'s error (-EIO once the channel hung, -ENODEV after
 * unplug), -ENOMEM.
 */
struct gc_fence_ref nova_submit(struct nova_chan *chan, const struct nova_work *work,
				struct dma_fence *dep)
{
	struct gc_job_pending pending __free(gc_job_abort) = {};
	struct gc_job_armed armed __free(gc_job_armed_drop) = {};
	struct nova_msg_submit desc;
	struct gc_fence_ref done;
	struct nova_job *nj;
	int ret;

	ret = nova_work_desc(chan, work, &desc);
	if (ret)
		return (struct gc_fence_ref){ .ptr = ERR_PTR(ret) };
	nj = kzalloc(sizeof(*nj), GFP_KERNEL);
	if (!nj)
		return (struct gc_fence_ref){ .ptr = ERR_PTR(-ENOMEM) };
	nj->chan = chan;
	nj->desc = desc;
	INIT_LIST_HEAD(&nj->link);
	pending = gc_job_init(&nj->base, chan->gq, 0);
	if (gc_is_err(pending)) {
		/* The job is still ours. */
		kfree(nj);
		return (struct gc_fence_ref){ .ptr = ERR_PTR(gc_err(pending)) };
	}
	/* From here on free_job releases the job. */
	if (dep)
		ret = gc_job_add_dep(&pending, dep);
	if (!ret && work->dst)
		ret = gc_job_use_bo(&pending, work->dst, GC_ACCESS_WRITE);
	if (!ret && work->src)
		ret = gc_job_use_bo(&pending, work->src, GC_ACCESS_READ);
	if (ret)
		return (struct gc_fence_ref){ .ptr = ERR_PTR(ret) };
	armed = gc_job_arm(&pending);
	if (gc_is_err(armed))
		return (struct gc_fence_ref){ .ptr = ERR_PTR(gc_err(armed)) };
	done = gc_job_done_fence(&armed);
	gc_job_push(&armed);
	return done;
}
