// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The simulated AGX firmware: one work item per queue plays the command
 * processor of that queue's ring. Choices that shape it:
 *
 * - Each queue has its own work item on an unbound workqueue of the
 *   device, so queues run in parallel and a slow queue never delays
 *   another. A hung queue does not even hold a worker: HANG leaves its
 *   record pending and the work item returns.
 * - The ring pointers and statuses are under a spinlock, because the driver
 *   pushes from the scheduler's run_job, on the fence signalling path, where
 *   sleeping is not allowed. The VM lock, a mutex, is only taken by the work
 *   item, through the MMU helpers, never under the spinlock.
 * - The completion stamp is the firmware's memory write, read without a
 *   lock: a release store after the result and the status, so whoever sees
 *   the stamp also sees those. The result record itself is read by user
 *   space polling its status without a lock: its payload is written first
 *   and its status last, with a release store.
 * - A record is checked whole before its first command runs, as a command
 *   processor that fetches the stream first would: a malformed record has
 *   no effect but its ILLEGAL status.
 * - Memory is moved in chunks of AGX_FW_CHUNK bytes through per-queue
 *   bounce buffers, and the stopped flag is looked at between chunks, so a
 *   stop never waits for a long command to end.
 */

#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/dma-fence.h>
#include <linux/err.h>
#include <linux/ktime.h>
#include <linux/lockdep.h>
#include <linux/minmax.h>
#include <linux/overflow.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include "agx_sim.h"
#include "agx_mmu.h"
#include "gpucore_agx_drm.h"

/* Bytes moved per MMU access: bounds the bounce buffers and the stop latency. */
#define AGX_FW_CHUNK		SZ_4K
/* Longest STALL: no single command keeps a queue busy for long. */
#define AGX_FW_MAX_STALL_US	DRM_AGX_MAX_STALL_US
/* Longest sleep of a STALL between two looks at the stopped flag. */
#define AGX_FW_STALL_SLICE_US	(10 * USEC_PER_MSEC)
/* Largest ring: bounds a queue's memory and the status lookup. */
#define AGX_FW_MAX_RING		4096

/* What the stream returns for HANG; positive, so never an error code. */
#define AGX_FW_HUNG		1

/**
 * struct agx_fw - the firmware of a device
 * @wq: runs the work items of all the device's queues
 */
struct agx_fw {
	struct workqueue_struct *wq;
};

/**
 * struct agx_fw_slot - a ring entry
 * @cmd: the record as pushed
 * @status: -EINPROGRESS until the record ends, then how it ended; kept until
 *	the slot is reused
 */
struct agx_fw_slot {
	struct agx_fw_cmd cmd;
	int status;
};

/**
 * struct agx_fw_queue - a firmware work queue
 * @fw: the firmware
 * @work: executes the ring's records, in order
 * @event: the completion interrupt, or NULL
 * @data: for @event
 * @bounce: two buffers of %AGX_FW_CHUNK bytes; only @work uses them, and a
 *	work item never runs twice at once
 * @completed: the completion stamp, as the firmware writes it to memory
 * @lock: protects the members below, taken with interrupts off as the
 *	driver may ask from any context
 * @ring: @size slots
 * @size: the ring's size
 * @rptr: slot of the oldest record not ended
 * @wptr: slot the next push fills
 * @pending: records from @rptr up to @wptr
 * @used: slots filled at least once
 * @last_stamp: stamp of the last record pushed
 * @stopped: set for good by agx_fw_queue_stop(); @work also reads it
 *	without the lock, between chunks
 * @hung: a HANG was reached: @work no longer runs anything
 */
struct agx_fw_queue {
	struct agx_fw *fw;
	struct work_struct work;
	agx_fw_event_fn event;
	void *data;
	void *bounce[2];
	atomic64_t completed;

	spinlock_t lock;	/* ring, pointers, last_stamp, stopped, hung */
	struct agx_fw_slot *ring;
	unsigned int size;
	unsigned int rptr;
	unsigned int wptr;
	unsigned int pending;
	unsigned int used;
	u64 last_stamp;
	bool stopped;
	bool hung;
};

/**
 * struct agx_fw_exec - one record's run through its command stream
 * @q: the queue
 * @vm: the record's GPU address space
 * @test_opcodes: STALL and HANG are legal
 * @run: false on the first pass, which only checks the stream
 * @index: index of the current command in the stream
 * @fault_va: the faulting VA, after -EFAULT
 */
struct agx_fw_exec {
	struct agx_fw_queue *q;
	struct gc_vm *vm;
	bool test_opcodes;
	bool run;
	u32 index;
	u64 fault_va;
};

static const u8 agx_fw_nr_args[] = {
	[DRM_AGX_OP_NOP] = 0,
	[DRM_AGX_OP_FILL] = 4,
	[DRM_AGX_OP_COPY] = 5,
	[DRM_AGX_OP_AXPY] = 8,
	[DRM_AGX_OP_TIMESTAMP] = 2,
	[DRM_AGX_OP_BARRIER] = 0,
	[DRM_AGX_OP_STALL] = 1,
	[DRM_AGX_OP_HANG] = 0,
};

static u64 agx_fw_arg64(const u32 *arg)
{
	return arg[0] | (u64)arg[1] << 32;
}

/* Ranges that wrap past the top of the address space are malformed. */
static bool agx_fw_range_ok(u64 va, u64 len)
{
	u64 end;

	return !check_add_overflow(va, len, &end);
}

/* Between two chunks: let others run, and give up once the queue stops. */
static int agx_fw_yield(struct agx_fw_exec *ex)
{
	cond_resched();
	return READ_ONCE(ex->q->stopped) ? -ECANCELED : 0;
}

static int agx_fw_fill(struct agx_fw_exec *ex, const u32 *arg)
{
	u64 va = agx_fw_arg64(&arg[0]);
	u32 bytes = arg[2], value = arg[3];
	u32 *buf = ex->q->bounce[0];
	unsigned int i;
	int ret;

	if (bytes % 4 || !agx_fw_range_ok(va, bytes))
		return -EINVAL;
	if (!ex->run)
		return 0;
	for (i = 0; i < min_t(u32, bytes, AGX_FW_CHUNK) / 4; i++)
		buf[i] = value;
	while (bytes) {
		u32 n = min_t(u32, bytes, AGX_FW_CHUNK);

		if (agx_mmu_write(ex->vm, va, buf, n, &ex->fault_va))
			return -EFAULT;
		va += n;
		bytes -= n;
		ret = agx_fw_yield(ex);
		if (ret)
			return ret;
	}
	return 0;
}

/* Overlapping ranges are copied chunk by chunk, front to back. */
static int agx_fw_copy(struct agx_fw_exec *ex, const u32 *arg)
{
	u64 dst = agx_fw_arg64(&arg[0]);
	u64 src = agx_fw_arg64(&arg[2]);
	u32 bytes = arg[4];
	void *buf = ex->q->bounce[0];
	int ret;

	if (bytes % 4 || !agx_fw_range_ok(dst, bytes) || !agx_fw_range_ok(src, bytes))
		return -EINVAL;
	if (!ex->run)
		return 0;
	while (bytes) {
		u32 n = min_t(u32, bytes, AGX_FW_CHUNK);

		if (agx_mmu_read(ex->vm, src, buf, n, &ex->fault_va) ||
		    agx_mmu_write(ex->vm, dst, buf, n, &ex->fault_va))
			return -EFAULT;
		src += n;
		dst += n;
		bytes -= n;
		ret = agx_fw_yield(ex);
		if (ret)
			return ret;
	}
	return 0;
}

static int agx_fw_axpy(struct agx_fw_exec *ex, const u32 *arg)
{
	u64 dst = agx_fw_arg64(&arg[0]);
	u64 x = agx_fw_arg64(&arg[2]);
	u64 y = agx_fw_arg64(&arg[4]);
	u32 a = arg[6], count = arg[7];
	u64 bytes = (u64)count * sizeof(u32);
	u32 *xb = ex->q->bounce[0], *yb = ex->q->bounce[1];
	unsigned int i;
	int ret;

	if (!agx_fw_range_ok(dst, bytes) || !agx_fw_range_ok(x, bytes) ||
	    !agx_fw_range_ok(y, bytes))
		return -EINVAL;
	if (!ex->run)
		return 0;
	while (count) {
		u32 k = min_t(u32, count, AGX_FW_CHUNK / sizeof(u32));
		size_t n = k * sizeof(u32);

		if (agx_mmu_read(ex->vm, x, xb, n, &ex->fault_va) ||
		    agx_mmu_read(ex->vm, y, yb, n, &ex->fault_va))
			return -EFAULT;
		/* u32 arithmetic: wraps modulo 2^32, as the hardware's would. */
		for (i = 0; i < k; i++)
			xb[i] = a * xb[i] + yb[i];
		if (agx_mmu_write(ex->vm, dst, xb, n, &ex->fault_va))
			return -EFAULT;
		dst += n;
		x += n;
		y += n;
		count -= k;
		ret = agx_fw_yield(ex);
		if (ret)
			return ret;
	}
	return 0;
}

static int agx_fw_timestamp(struct agx_fw_exec *ex, const u32 *arg)
{
	u64 va = agx_fw_arg64(arg);
	u64 ticks;

	if (!agx_fw_range_ok(va, sizeof(ticks)))
		return -EINVAL;
	if (!ex->run)
		return 0;
	/* Monotonic nanoseconds: agx_fw_timestamp_frequency() is 1 GHz. */
	ticks = ktime_get_ns();
	if (agx_mmu_write(ex->vm, va, &ticks, sizeof(ticks), &ex->fault_va))
		return -EFAULT;
	return 0;
}

/* Slept in slices, so that a stop does not wait for the whole stall. */
static int agx_fw_stall(struct agx_fw_exec *ex, const u32 *arg)
{
	u32 left = arg[0];
	int ret;

	/* Longer is malformed, not cut short: the stream would lie about its time. */
	if (!ex->test_opcodes || left > AGX_FW_MAX_STALL_US)
		return -EINVAL;
	if (!ex->run)
		return 0;
	while (left) {
		u32 slice = min_t(u32, left, AGX_FW_STALL_SLICE_US);

		usleep_range(slice, slice + slice / 8);
		left -= slice;
		ret = agx_fw_yield(ex);
		if (ret)
			return ret;
	}
	return 0;
}

static int agx_fw_command(struct agx_fw_exec *ex, u32 op, const u32 *arg)
{
	switch (op) {
	case DRM_AGX_OP_FILL:
		return agx_fw_fill(ex, arg);
	case DRM_AGX_OP_COPY:
		return agx_fw_copy(ex, arg);
	case DRM_AGX_OP_AXPY:
		return agx_fw_axpy(ex, arg);
	case DRM_AGX_OP_TIMESTAMP:
		return agx_fw_timestamp(ex, arg);
	case DRM_AGX_OP_STALL:
		return agx_fw_stall(ex, arg);
	case DRM_AGX_OP_HANG:
		if (!ex->test_opcodes)
			return -EINVAL;
		return ex->run ? AGX_FW_HUNG : 0;
	default:
		/*
		 * NOP, and BARRIER: every command's writes are done before the
		 * next command starts, so there is nothing to order.
		 */
		return 0;
	}
}

/*
 * Walk the stream once: 0 at its end, or the first command's error (with
 * ex->index on that command). Both passes check every header, so the
 * stream is never read past its end, whatever it holds.
 */
static int agx_fw_stream(struct agx_fw_exec *ex, const struct agx_fw_cmd *cmd)
{
	const u32 *w = cmd->words;
	u32 nr = cmd->nr_words, i = 0;
	int ret;

	for (ex->index = 0; i < nr; ex->index++) {
		u32 op = DRM_AGX_CMD_OP(w[i]);
		u32 len = DRM_AGX_CMD_LEN(w[i]);

		if (len >= nr - i || op >= ARRAY_SIZE(agx_fw_nr_args) ||
		    len != agx_fw_nr_args[op])
			return -EINVAL;
		ret = agx_fw_command(ex, op, &w[i + 1]);
		if (ret)
			return ret;
		i += 1 + len;
	}
	return 0;
}

/* Run a record: 0, -EFAULT, -EINVAL, -ECANCELED or AGX_FW_HUNG. */
static int agx_fw_execute(struct agx_fw_queue *q, const struct agx_fw_cmd *cmd,
			  struct agx_fw_exec *ex)
{
	int ret;

	*ex = (struct agx_fw_exec){ .q = q, .vm = cmd->vm, .test_opcodes = cmd->test_opcodes };
	ret = agx_fw_stream(ex, cmd);
	if (ret)
		return ret;
	ex->run = true;
	return agx_fw_stream(ex, cmd);
}

/* Retire the record at rptr, which ended with @ret; queue lock held. */
static void agx_fw_complete(struct agx_fw_queue *q, const struct agx_fw_cmd *cmd,
			    const struct agx_fw_exec *ex, int ret)
{
	struct drm_agx_result *res = cmd->result;

	lockdep_assert_held(&q->lock);
	if (res) {
		/*
		 * User space polls the status without a lock: the payload
		 * first, then the status with release semantics, so that a
		 * reader loading it with acquire sees the payload of this end.
		 */
		WRITE_ONCE(res->command_index, ret ? ex->index : 0);
		WRITE_ONCE(res->fault_va, ret == -EFAULT ? ex->fault_va : 0);
		WRITE_ONCE(res->timestamp, ktime_get_ns());
		/* Pairs with the reader's acquire load of the status. */
		smp_store_release(&res->status,
				  ret == 0 ? DRM_AGX_STATUS_COMPLETE :
				  ret == -EFAULT ? DRM_AGX_STATUS_FAULT : DRM_AGX_STATUS_ILLEGAL);
	}
	q->ring[q->rptr].status = ret;
	q->rptr = (q->rptr + 1) % q->size;
	q->pending--;
	atomic64_set_release(&q->completed, cmd->stamp);
}

static void agx_fw_queue_work(struct work_struct *work)
{
	struct agx_fw_queue *q = container_of(work, struct agx_fw_queue, work);
	struct agx_fw_exec ex;
	struct agx_fw_cmd cmd;
	unsigned long flags;
	bool cookie;
	int ret;

	for (;;) {
		spin_lock_irqsave(&q->lock, flags);
		if (q->stopped || q->hung || !q->pending) {
			spin_unlock_irqrestore(&q->lock, flags);
			return;
		}
		cmd = q->ring[q->rptr].cmd;
		spin_unlock_irqrestore(&q->lock, flags);

		/*
		 * Running a record and reporting its completion is what signals
		 * the job's fences: no allocation that may reclaim, and no lock
		 * held around one (the VM lock, taken per page, included).
		 */
		cookie = dma_fence_begin_signalling();
		ret = agx_fw_execute(q, &cmd, &ex);

		spin_lock_irqsave(&q->lock, flags);
		if (q->stopped) {
			/* The record was cancelled meanwhile: it leaves no trace. */
			spin_unlock_irqrestore(&q->lock, flags);
			dma_fence_end_signalling(cookie);
			return;
		}
		if (ret == AGX_FW_HUNG) {
			/* Only a stop ends a hang: the record stays pending. */
			q->hung = true;
			spin_unlock_irqrestore(&q->lock, flags);
			dma_fence_end_signalling(cookie);
			return;
		}
		agx_fw_complete(q, &cmd, &ex, ret);
		spin_unlock_irqrestore(&q->lock, flags);

		if (q->event)
			q->event(q->data);
		dma_fence_end_signalling(cookie);
		cond_resched();
	}
}

/**
 * agx_fw_create() - start the firmware of a device
 * @name: name of the firmware's workqueue, or NULL
 *
 * Context: process context; may sleep.
 * Return: the firmware, or ERR_PTR(-ENOMEM).
 */
struct agx_fw *agx_fw_create(const char *name)
{
	struct agx_fw *fw = kzalloc(sizeof(*fw), GFP_KERNEL);

	if (!fw)
		return ERR_PTR(-ENOMEM);
	/*
	 * Unbound with the largest max_active, so every queue gets a worker
	 * of its own; WQ_MEM_RECLAIM because completing records signals
	 * fences that memory reclaim may be waiting for.
	 */
	fw->wq = alloc_workqueue("%s", WQ_UNBOUND | WQ_MEM_RECLAIM, WQ_UNBOUND_MAX_ACTIVE,
				 name ?: "agx-fw");
	if (!fw->wq) {
		kfree(fw);
		return ERR_PTR(-ENOMEM);
	}
	return fw;
}

/**
 * agx_fw_destroy() - stop the firmware of a device
 * @fw: the firmware, or NULL; all its queues must have been destroyed
 *
 * Context: process context; may sleep.
 */
void agx_fw_destroy(struct agx_fw *fw)
{
	if (!fw)
		return;
	destroy_workqueue(fw->wq);
	kfree(fw);
}

/**
 * agx_fw_queue_create() - create a firmware work queue
 * @fw: the firmware
 * @ring_size: how many records the ring holds, 1 to 4096
 * @event: the queue's completion interrupt, or NULL
 * @data: passed to @event
 *
 * @event runs in the firmware's work item after each record completes,
 * with no firmware lock held; it must not sleep, nor stop or destroy the
 * queue. It is never called for a record cancelled by a stop, nor once
 * agx_fw_queue_stop() has returned.
 *
 * Context: process context; may sleep.
 * Return: the queue, ERR_PTR(-EINVAL) for a bad @fw or @ring_size,
 * ERR_PTR(-ENOMEM).
 */
struct agx_fw_queue *agx_fw_queue_create(struct agx_fw *fw, unsigned int ring_size,
					 agx_fw_event_fn event, void *data)
{
	struct agx_fw_queue *q;

	if (!fw || !ring_size || ring_size > AGX_FW_MAX_RING)
		return ERR_PTR(-EINVAL);
	q = kzalloc(sizeof(*q), GFP_KERNEL);
	if (!q)
		return ERR_PTR(-ENOMEM);
	q->ring = kcalloc(ring_size, sizeof(*q->ring), GFP_KERNEL);
	q->bounce[0] = kmalloc(AGX_FW_CHUNK, GFP_KERNEL);
	q->bounce[1] = kmalloc(AGX_FW_CHUNK, GFP_KERNEL);
	if (!q->ring || !q->bounce[0] || !q->bounce[1]) {
		kfree(q->bounce[1]);
		kfree(q->bounce[0]);
		kfree(q->ring);
		kfree(q);
		return ERR_PTR(-ENOMEM);
	}
	q->fw = fw;
	INIT_WORK(&q->work, agx_fw_queue_work);
	q->event = event;
	q->data = data;
	atomic64_set(&q->completed, 0);
	spin_lock_init(&q->lock);
	q->size = ring_size;
	return q;
}

/**
 * agx_fw_queue_destroy() - stop a queue and free it
 * @queue: the queue, or NULL
 *
 * Records still pending are cancelled as by agx_fw_queue_stop().
 *
 * Context: process context; may sleep; not from the queue's @event.
 */
void agx_fw_queue_destroy(struct agx_fw_queue *queue)
{
	if (!queue)
		return;
	agx_fw_queue_stop(queue);
	kfree(queue->bounce[1]);
	kfree(queue->bounce[0]);
	kfree(queue->ring);
	kfree(queue);
}

/**
 * agx_fw_queue_push() - write a record to a queue's ring and ring the doorbell
 * @queue: the queue
 * @cmd: the record; copied, but the memory it points at is only used later
 *
 * Context: any context; does not sleep or allocate (it may be called on the
 * fence signalling path).
 * Return: 0; -EINVAL for a NULL argument, an empty command stream, no VM or
 * a stamp not above the previous record's; -ENODEV once the queue is
 * stopped; -ENOSPC if the ring is full (no record was dropped).
 */
int agx_fw_queue_push(struct agx_fw_queue *queue, const struct agx_fw_cmd *cmd)
{
	struct agx_fw_slot *slot;
	unsigned long flags;
	int ret = 0;

	if (!queue || !cmd || !cmd->words || !cmd->nr_words || !cmd->vm)
		return -EINVAL;

	spin_lock_irqsave(&queue->lock, flags);
	if (queue->stopped) {
		ret = -ENODEV;
	} else if (cmd->stamp <= queue->last_stamp) {
		ret = -EINVAL;
	} else if (queue->pending == queue->size) {
		ret = -ENOSPC;
	} else {
		slot = &queue->ring[queue->wptr];
		slot->cmd = *cmd;
		slot->status = -EINPROGRESS;
		queue->wptr = (queue->wptr + 1) % queue->size;
		queue->pending++;
		if (queue->used < queue->size)
			queue->used++;
		queue->last_stamp = cmd->stamp;
		/* Under the lock, so that a stop cannot miss the kick it must cancel. */
		queue_work(queue->fw->wq, &queue->work);
	}
	spin_unlock_irqrestore(&queue->lock, flags);
	return ret;
}

/**
 * agx_fw_queue_completed() - read a queue's completion stamp
 * @queue: the queue
 *
 * Every record with a stamp up to the value read has ended (records
 * cancelled by a stop do not move it). The result record and the status of
 * a record are visible to whoever read a stamp at or past it.
 *
 * Context: any context.
 * Return: the stamp of the last completed record, 0 before the first.
 */
u64 agx_fw_queue_completed(struct agx_fw_queue *queue)
{
	return atomic64_read_acquire(&queue->completed);
}

/* The slot of the record with @stamp, while it holds it; queue lock held. */
static struct agx_fw_slot *agx_fw_find(struct agx_fw_queue *q, u64 stamp)
{
	/* Stamps grow along the ring from its oldest slot. */
	unsigned int first = q->used < q->size ? 0 : q->wptr;
	unsigned int lo = 0, hi = q->used;

	lockdep_assert_held(&q->lock);
	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;
		struct agx_fw_slot *slot = &q->ring[(first + mid) % q->size];

		if (slot->cmd.stamp == stamp)
			return slot;
		if (slot->cmd.stamp < stamp)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/**
 * agx_fw_queue_status() - how a record ended
 * @queue: the queue
 * @stamp: the record's stamp
 *
 * The answer is kept in the record's ring slot, so it can be read until a
 * later push reuses the slot, @ring_size pushes later.
 *
 * Context: any context.
 * Return: 0 if the record completed, -EFAULT if it ended with a GPU fault,
 * -EINVAL if it was malformed, -EINPROGRESS if it has not ended (a hung
 * record stays so until the stop), -ECANCELED if a stop dropped it, -ENOENT
 * if no record with @stamp is in the ring.
 */
int agx_fw_queue_status(struct agx_fw_queue *queue, u64 stamp)
{
	struct agx_fw_slot *slot;
	unsigned long flags;
	int ret;

	spin_lock_irqsave(&queue->lock, flags);
	slot = agx_fw_find(queue, stamp);
	ret = slot ? slot->status : -ENOENT;
	spin_unlock_irqrestore(&queue->lock, flags);
	return ret;
}

/**
 * agx_fw_queue_stop() - stop a queue for good
 * @queue: the queue, or NULL
 *
 * Every record not completed yet, the running or hung one included, ends
 * with -ECANCELED: its result record is not written, the completion stamp
 * does not move, and @event is not called for it; the driver completes that
 * work itself. Later pushes fail with -ENODEV. When this returns the
 * firmware no longer touches any record's words, VM or result. Calling it
 * again does nothing.
 *
 * Context: process context; may sleep (waits for the running command to
 * give up, a few milliseconds at most); not from the queue's @event.
 */
void agx_fw_queue_stop(struct agx_fw_queue *queue)
{
	unsigned long flags;

	if (!queue)
		return;
	spin_lock_irqsave(&queue->lock, flags);
	WRITE_ONCE(queue->stopped, true);
	while (queue->pending) {
		queue->ring[queue->rptr].status = -ECANCELED;
		queue->rptr = (queue->rptr + 1) % queue->size;
		queue->pending--;
	}
	spin_unlock_irqrestore(&queue->lock, flags);
	cancel_work_sync(&queue->work);
}

/**
 * agx_fw_timestamp_frequency() - ticks per second of TIMESTAMP commands
 *
 * Return: the frequency in Hz.
 */
u64 agx_fw_timestamp_frequency(void)
{
	return NSEC_PER_SEC;
}
