// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The driver's side of the RPC channel (see nova_rpc.h for the rules).
 *
 * A caller registers its call before its command is written, so that the
 * interrupt handler, which may read the reply before the write even
 * returns, always finds it. The call lives on the caller's stack: the
 * handler only touches it under @rx_lock, and the caller takes that lock
 * before it returns, so the handler is done with it by then.
 *
 * Every wait is bounded by the channel's timeout, and nova_rpc_shutdown()
 * ends every wait at once: a GSP that stops answering costs a caller one
 * timeout, never a hang.
 */

#include <linux/err.h>
#include <linux/jiffies.h>
#include <linux/lockdep.h>
#include <linux/minmax.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <drm/drm_drv.h>
#include <drm/drm_print.h>

#include "nova_rpc.h"

/**
 * struct nova_rpc_call - a call awaiting its reply
 * @msg: the caller's message
 * @seq: the sequence number of its command
 * @result: -EINPROGRESS until answered (0) or failed (a negative errno)
 */
struct nova_rpc_call {
	struct nova_rpc_msg *msg;
	u32 seq;
	int result;
};

/* End the awaited call, if any, with @result; rx_lock held. */
static void nova_rpc_end_call(struct nova_rpc *rpc, int result)
{
	struct nova_rpc_call *call = rpc->call;

	lockdep_assert_held(&rpc->rx_lock);
	if (!call)
		return;
	rpc->call = NULL;
	WRITE_ONCE(call->result, result);
	wake_up_all(&rpc->rx_wait);
}

/* A record the queue's checks refused: report it, fail the awaited call. */
static void nova_rpc_bad_record(struct nova_rpc *rpc, const struct nova_rec_hdr *hdr, int err)
{
	switch (err) {
	case -EBADMSG:
		atomic_inc(&rpc->stats.bad_checksum);
		drm_err(rpc->drm, "GSP message queue: record failed its checksum; skipped\n");
		break;
	case -EILSEQ:
		atomic_inc(&rpc->stats.bad_seq);
		drm_err(rpc->drm,
			"GSP message queue: record %u (function %#x) out of sequence; dropped\n",
			hdr->seq, hdr->function);
		break;
	case -EMSGSIZE:
		atomic_inc(&rpc->stats.bad_length);
		drm_err(rpc->drm,
			"GSP message queue: record %u (function %#x) of %u bytes too long; dropped\n",
			hdr->seq, hdr->function, hdr->length);
		err = -EPROTO;
		break;
	default:
		atomic_inc(&rpc->stats.bad_header);
		drm_err(rpc->drm, "GSP message queue: inconsistent record or pointers (%d)\n",
			err);
		break;
	}
	/* The reply awaited may be the record lost. */
	spin_lock(&rpc->rx_lock);
	nova_rpc_end_call(rpc, err);
	spin_unlock(&rpc->rx_lock);
}

/* Check a reply against the awaited call and hand it over. */
static void nova_rpc_reply(struct nova_rpc *rpc, const struct nova_rec_hdr *hdr)
{
	struct nova_rpc_call *call;
	int result = -EPROTO;

	spin_lock(&rpc->rx_lock);
	call = rpc->call;
	if (!hdr->reply_to || (s32)(hdr->reply_to - rpc->last_seq) > 0) {
		atomic_inc(&rpc->stats.bad_seq);
		drm_err(rpc->drm, "GSP reply %u answers command %u, never sent (last sent %u)\n",
			hdr->seq, hdr->reply_to, rpc->last_seq);
	} else if (!call || hdr->reply_to != call->seq) {
		/* Its caller timed out: nobody wants it any more. */
		atomic_inc(&rpc->stats.late_replies);
		drm_dbg(rpc->drm, "GSP reply to command %u came late; dropped\n", hdr->reply_to);
		spin_unlock(&rpc->rx_lock);
		return;
	} else if (hdr->function != call->msg->function) {
		atomic_inc(&rpc->stats.bad_function);
		drm_err(rpc->drm, "GSP reply to command %u is for function %#x, not %#x\n",
			hdr->reply_to, hdr->function, call->msg->function);
	} else if (hdr->length != call->msg->reply_len) {
		atomic_inc(&rpc->stats.bad_length);
		drm_err(rpc->drm, "GSP reply to command %u has %u bytes, not %u\n",
			hdr->reply_to, hdr->length, call->msg->reply_len);
	} else if (hdr->status > 0 || hdr->status < -MAX_ERRNO) {
		atomic_inc(&rpc->stats.bad_header);
		drm_err(rpc->drm, "GSP reply to command %u has status %d\n", hdr->reply_to,
			hdr->status);
	} else {
		if (hdr->length)
			memcpy(call->msg->reply, rpc->rx_buf, hdr->length);
		call->msg->status = hdr->status;
		result = 0;
	}
	nova_rpc_end_call(rpc, result);
	spin_unlock(&rpc->rx_lock);
}

/*
 * The interrupt handler: read every record the GSP published. Shared
 * memory is hardware: after unplug nothing is read.
 */
static void nova_rpc_irq_work(struct work_struct *work)
{
	struct nova_rpc *rpc = container_of(work, struct nova_rpc, irq_work);
	struct nova_rec_hdr hdr;
	int idx, ret;

	if (!drm_dev_enter(rpc->drm, &idx))
		return;
	for (;;) {
		ret = nova_ring_read(&rpc->msgq, &hdr, rpc->rx_buf, sizeof(rpc->rx_buf));
		if (ret == -ENODATA)
			break;
		if (ret) {
			nova_rpc_bad_record(rpc, &hdr, ret);
			/* An invalid write pointer: nothing more can be read. */
			if (ret == -EIO)
				break;
		} else if (hdr.function & NOVA_FN_EVENT) {
			atomic_inc(&rpc->stats.events);
			rpc->event(rpc->event_data, &hdr, rpc->rx_buf);
		} else {
			nova_rpc_reply(rpc, &hdr);
		}
		cond_resched();
	}
	drm_dev_exit(idx);
}

/**
 * nova_rpc_init() - set up the driver's side of the channel
 * @rpc: the channel
 * @drm: the device
 * @shm: the memory shared with the GSP
 * @timeout_ms: how long a call waits for room, and then for its reply
 * @event: the driver's handler of GSP events
 * @event_data: for @event
 *
 * Calls fail with -ENOTCONN until nova_rpc_connect().
 *
 * Context: process context; may sleep.
 * Return: 0 or -ENOMEM.
 */
int nova_rpc_init(struct nova_rpc *rpc, struct drm_device *drm, struct nova_shm *shm,
		  unsigned int timeout_ms, nova_rpc_event_fn event, void *event_data)
{
	memset(rpc, 0, sizeof(*rpc));
	rpc->drm = drm;
	nova_ring_init(&rpc->cmdq, shm->cmdq_ctrl, shm->cmdq_data, shm->cmdq_size);
	nova_ring_init(&rpc->msgq, shm->msgq_ctrl, shm->msgq_data, shm->msgq_size);
	mutex_init(&rpc->call_lock);
	init_waitqueue_head(&rpc->tx_wait);
	spin_lock_init(&rpc->rx_lock);
	init_waitqueue_head(&rpc->rx_wait);
	INIT_WORK(&rpc->irq_work, nova_rpc_irq_work);
	rpc->event = event;
	rpc->event_data = event_data;
	rpc->timeout = max(msecs_to_jiffies(timeout_ms), 1UL);
	rpc->dead = -ENOTCONN;
	/* Ordered: one reader; reclaim may wait for the fences it signals. */
	rpc->wq = alloc_ordered_workqueue("nova-rpc", WQ_MEM_RECLAIM | WQ_HIGHPRI);
	if (!rpc->wq) {
		mutex_destroy(&rpc->call_lock);
		return -ENOMEM;
	}
	return 0;
}

/**
 * nova_rpc_connect() - attach the channel to the GSP's doorbell
 * @rpc: the channel
 * @doorbell: rings the GSP; must not sleep
 * @data: for @doorbell
 *
 * Context: process context, before the first call.
 */
void nova_rpc_connect(struct nova_rpc *rpc, void (*doorbell)(void *data), void *data)
{
	rpc->doorbell = doorbell;
	rpc->doorbell_data = data;
	WRITE_ONCE(rpc->dead, 0);
}

/**
 * nova_rpc_fini() - tear the channel down
 * @rpc: the channel, initialised or not; the GSP must be halted
 *
 * Context: process context; may sleep.
 */
void nova_rpc_fini(struct nova_rpc *rpc)
{
	if (!rpc->wq)
		return;
	cancel_work_sync(&rpc->irq_work);
	destroy_workqueue(rpc->wq);
	rpc->wq = NULL;
	mutex_destroy(&rpc->call_lock);
}

/**
 * nova_rpc_interrupt() - the GSP's interrupt
 * @rpc: the channel (a void pointer, to serve as the GSP's interrupt line)
 *
 * Wakes the callers waiting for room in the command queue and schedules
 * the reading of the message queue.
 *
 * Context: any; does not sleep.
 */
void nova_rpc_interrupt(void *rpc)
{
	struct nova_rpc *r = rpc;

	wake_up_all(&r->tx_wait);
	queue_work(r->wq, &r->irq_work);
}

/**
 * nova_rpc_shutdown() - the GSP is gone: fail every call
 * @rpc: the channel
 * @error: what calls fail with from now on, for example -ENODEV
 *
 * The call awaiting its reply, if any, fails at once.
 *
 * Context: any but hard interrupt.
 */
void nova_rpc_shutdown(struct nova_rpc *rpc, int error)
{
	spin_lock(&rpc->rx_lock);
	WRITE_ONCE(rpc->dead, error);
	nova_rpc_end_call(rpc, error);
	spin_unlock(&rpc->rx_lock);
	wake_up_all(&rpc->tx_wait);
}

static bool nova_rpc_can_send(struct nova_rpc *rpc, u32 len)
{
	return READ_ONCE(rpc->dead) || nova_ring_has_room(&rpc->cmdq, len);
}

/* Register @call and write its command; call_lock held. */
static int nova_rpc_send(struct nova_rpc *rpc, struct nova_rpc_call *call, u32 flags)
{
	struct nova_rpc_msg *msg = call->msg;
	struct nova_rec_hdr hdr = { .function = msg->function, .length = msg->req_len };
	unsigned long deadline = jiffies + rpc->timeout;
	long left;
	int ret;

	lockdep_assert_held(&rpc->call_lock);
	for (;;) {
		spin_lock(&rpc->rx_lock);
		ret = READ_ONCE(rpc->dead);
		if (!ret) {
			call->seq = rpc->cmdq.seq + 1;
			rpc->call = call;
			rpc->last_seq = call->seq;
		}
		spin_unlock(&rpc->rx_lock);
		if (ret)
			return ret;

		ret = nova_ring_write(&rpc->cmdq, &hdr, msg->req, 0);
		if (!ret)
			break;
		spin_lock(&rpc->rx_lock);
		rpc->call = NULL;
		rpc->last_seq = rpc->cmdq.seq;
		spin_unlock(&rpc->rx_lock);
		if (ret != -EAGAIN)
			return ret;
		if (flags & NOVA_RPC_NOWAIT)
			return -EAGAIN;
		/* Full: the GSP empties it; give up when it stays full too long. */
		left = (long)(deadline - jiffies);
		if (left <= 0 ||
		    !wait_event_timeout(rpc->tx_wait, nova_rpc_can_send(rpc, msg->req_len), left))
			return -ENOSPC;
	}
	msg->seq = hdr.seq;
	atomic_inc(&rpc->stats.calls);
	rpc->doorbell(rpc->doorbell_data);
	return 0;
}

/* Wait for the reply of a call whose command was sent; call_lock held. */
static int nova_rpc_wait(struct nova_rpc *rpc, struct nova_rpc_call *call)
{
	int ret;

	wait_event_timeout(rpc->rx_wait, READ_ONCE(call->result) != -EINPROGRESS, rpc->timeout);
	spin_lock(&rpc->rx_lock);
	if (call->result == -EINPROGRESS) {
		/* From now on its reply is late. */
		rpc->call = NULL;
		call->result = -ETIMEDOUT;
		atomic_inc(&rpc->stats.timeouts);
	}
	ret = call->result;
	spin_unlock(&rpc->rx_lock);
	return ret;
}

/**
 * nova_rpc_call() - send a command to the GSP and wait for its reply
 * @rpc: the channel
 * @msg: the command; @msg->seq and @msg->status are set
 * @flags: %NOVA_RPC_NOWAIT, or 0
 *
 * Waits, at most the channel's timeout, for room in the command queue,
 * then as long again for the reply. When the call fails, @msg->seq tells
 * whether the command was sent: a command sent may still run, later, on
 * the GSP, which runs commands in order.
 *
 * Context: process context; may sleep. Allocates nothing, so it may be
 * called on the fence signalling path.
 * Return: 0 when the reply came (the GSP's answer is in @msg->status and
 * the reply's payload at @msg->reply); -EINVAL for a bad @msg or @flags;
 * -ENODEV after unplug (or the error of nova_rpc_shutdown()); -EAGAIN if
 * the queue is full and %NOVA_RPC_NOWAIT; -ENOSPC if it stayed full;
 * -EMSGSIZE if the command can never fit; -ETIMEDOUT if no reply came;
 * -EBADMSG, -EILSEQ, -EPROTO or -EIO if the message queue failed its
 * checks while the reply was awaited.
 */
int nova_rpc_call(struct nova_rpc *rpc, struct nova_rpc_msg *msg, u32 flags)
{
	struct nova_rpc_call call = { .msg = msg, .result = -EINPROGRESS };
	int idx, ret;

	msg->seq = 0;
	msg->status = 0;
	if ((msg->req_len && !msg->req) || (msg->reply_len && !msg->reply) ||
	    msg->req_len > NOVA_RPC_MAX_PAYLOAD || msg->reply_len > NOVA_RPC_MAX_PAYLOAD ||
	    (msg->function & NOVA_FN_EVENT) || (flags & ~NOVA_RPC_NOWAIT))
		return -EINVAL;
	/* The queues are the device's: only inside its gate. */
	if (!drm_dev_enter(rpc->drm, &idx))
		return -ENODEV;
	mutex_lock(&rpc->call_lock);
	ret = nova_rpc_send(rpc, &call, flags);
	if (!ret)
		ret = nova_rpc_wait(rpc, &call);
	mutex_unlock(&rpc->call_lock);
	drm_dev_exit(idx);
	return ret;
}
