// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The simulated GSP: the firmware side of the command and message queues,
 * the video memory it manages, and the engines of its channels.
 *
 * - One work item plays the GSP's command processor: it takes the
 *   commands out of the command queue in order and answers each one. Work
 *   items of the channels play the engines, so a channel that hangs or
 *   stalls never keeps the GSP from answering, nor other channels from
 *   running.
 * - Nothing on the GSP's side allocates memory once it is running: video
 *   memory, its page map, the allocation table and the channels' queues
 *   are all sized at creation. Completing work therefore never waits for
 *   memory reclaim, which may itself be waiting for that work.
 * - Replies and events share the message queue under one mutex. When it
 *   is full the writer raises the interrupt, so the driver drains it, and
 *   waits; a halt ends every wait.
 * - A channel's engine looks at its stop flag between chunks of work, so a
 *   reset or a halt never waits long for a running submission.
 */

#include <linux/atomic.h>
#include <linux/bitmap.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/minmax.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>

#include "../nova_cmdq.h"
#include "nova_sim.h"

/* Allocation granule of video memory. */
#define NOVA_GSP_PAGE		SZ_4K
/* Bytes an engine moves between two looks at its stop flag. */
#define NOVA_GSP_CHUNK		SZ_4K
#define NOVA_GSP_MAX_STALL_US	USEC_PER_SEC
#define NOVA_GSP_STALL_SLICE_US	(5 * USEC_PER_MSEC)
/* An engine's verdict on a submission that never ends; not an errno. */
#define NOVA_GSP_HUNG		1

/**
 * struct nova_gsp_alloc - an allocation of video memory
 * @handle: the driver's name for it; 0 for a free entry
 * @first: its first page
 * @nr_pages: its size in pages
 */
struct nova_gsp_alloc {
	u32 handle;
	u32 first;
	u32 nr_pages;
};

/**
 * struct nova_gsp_chan - a channel and its engine
 * @gsp: the GSP
 * @work: the engine: runs the queued submissions in order
 * @id: the channel's number
 * @progress: advanced by the engine as it works
 * @lock: protects the members below
 * @slots: queued submissions, the running one first
 * @head: index of the oldest submission in @slots
 * @count: submissions queued
 * @completed: stamp of the last submission completed
 * @last_status: how it ended
 * @hung: a submission hung: the engine runs nothing until a reset
 * @stopping: a reset is in progress: the engine gives up
 */
struct nova_gsp_chan {
	struct nova_gsp *gsp;
	struct work_struct work;
	u32 id;
	atomic64_t progress;
	spinlock_t lock;	/* slots, head, count, completed, last_status, hung, stopping */
	struct nova_msg_submit slots[NOVA_GSP_CHAN_SLOTS];
	unsigned int head;
	unsigned int count;
	u64 completed;
	int last_status;
	bool hung;
	bool stopping;
};

/**
 * struct nova_gsp - the simulated GSP
 * @wq: runs the command processor and the engines
 * @cmd_work: the command processor
 * @cmdq: the command queue, as its consumer
 * @msgq: the message queue, as its producer
 * @msgq_lock: serialises the writers of @msgq
 * @irq: the interrupt line to the driver
 * @irq_data: for @irq
 * @vram: the video memory; the CPU's view of it too (its BAR)
 * @vram_size: bytes of @vram
 * @nr_pages: pages of @vram
 * @nr_visible: pages, from the first, the CPU reaches
 * @heap_lock: protects @map and @allocs
 * @map: a bit per page of @vram, set while allocated
 * @allocs: @nr_pages entries: one allocation has at least one page
 * @chans: the channels
 * @halted: the GSP is gone for good
 * @paused: the command processor takes no command (for tests)
 * @fault: a &enum nova_gsp_fault for the next reply (or event)
 * @bad_commands: commands dropped because they failed the queue's checks
 * @resets: channel resets done
 * @cmd_buf: the command being processed
 */
struct nova_gsp {
	struct workqueue_struct *wq;
	struct work_struct cmd_work;
	struct nova_ring cmdq;
	struct nova_ring msgq;
	struct mutex msgq_lock;		/* msgq */
	nova_gsp_irq_fn irq;
	void *irq_data;
	u8 *vram;
	u64 vram_size;
	u32 nr_pages;
	u32 nr_visible;
	spinlock_t heap_lock;		/* map, allocs */
	unsigned long *map;
	struct nova_gsp_alloc *allocs;
	struct nova_gsp_chan chans[NOVA_GSP_CHANNELS];
	bool halted;
	bool paused;
	atomic_t fault;
	atomic_t bad_commands;
	atomic_t resets;
	u8 cmd_buf[NOVA_RPC_MAX_PAYLOAD];
};

/* Write a record to the message queue, waiting for room; false if halted. */
static bool nova_gsp_send(struct nova_gsp *gsp, struct nova_rec_hdr *hdr, const void *payload,
			  u32 flags)
{
	int ret;

	mutex_lock(&gsp->msgq_lock);
	for (;;) {
		if (READ_ONCE(gsp->halted)) {
			ret = -ENODEV;
			break;
		}
		ret = nova_ring_write(&gsp->msgq, hdr, payload, flags);
		if (ret != -EAGAIN)
			break;
		/* Full: make sure the driver is draining it, then look again. */
		gsp->irq(gsp->irq_data);
		usleep_range(50, 200);
	}
	mutex_unlock(&gsp->msgq_lock);
	if (ret)
		return false;
	gsp->irq(gsp->irq_data);
	return true;
}

/* Answer the command @req; a pending fault applies to this reply. */
static void nova_gsp_reply(struct nova_gsp *gsp, const struct nova_rec_hdr *req, int status,
			   const void *payload, u32 len)
{
	struct nova_rec_hdr hdr = {
		.function = req->function,
		.length = len,
		.reply_to = req->seq,
		.status = status,
	};
	u8 buf[NOVA_RPC_MAX_PAYLOAD + 4] = {};
	int fault = atomic_read(&gsp->fault);
	u32 flags = 0;

	/* Event faults wait for an event. */
	if (fault == NOVA_GSP_FAULT_CORRUPT_EVENT ||
	    atomic_cmpxchg(&gsp->fault, fault, NOVA_GSP_FAULT_NONE) != fault)
		fault = NOVA_GSP_FAULT_NONE;
	switch (fault) {
	case NOVA_GSP_FAULT_CORRUPT:
		flags |= NOVA_RING_CORRUPT;
		break;
	case NOVA_GSP_FAULT_SKIP_SEQ:
		flags |= NOVA_RING_SKIP_SEQ;
		break;
	case NOVA_GSP_FAULT_BAD_REPLY_TO:
		hdr.reply_to = req->seq + 1;
		break;
	case NOVA_GSP_FAULT_BAD_FUNCTION:
		hdr.function = req->function == NOVA_FN_GET_INFO ? NOVA_FN_FREE : NOVA_FN_GET_INFO;
		break;
	case NOVA_GSP_FAULT_BAD_LENGTH:
		memcpy(buf, payload, len);
		payload = buf;
		hdr.length = len + 4;
		break;
	case NOVA_GSP_FAULT_DROP_REPLY:
		return;
	default:
		break;
	}
	nova_gsp_send(gsp, &hdr, payload, flags);
}

static void nova_gsp_complete(struct nova_gsp_chan *ch, u64 stamp, int status)
{
	struct nova_msg_completion c = { .channel = ch->id, .status = status, .stamp = stamp };
	struct nova_rec_hdr hdr = { .function = NOVA_EVT_COMPLETION, .length = sizeof(c) };
	u32 flags = 0;

	if (atomic_cmpxchg(&ch->gsp->fault, NOVA_GSP_FAULT_CORRUPT_EVENT, NOVA_GSP_FAULT_NONE) ==
	    NOVA_GSP_FAULT_CORRUPT_EVENT)
		flags |= NOVA_RING_CORRUPT;
	nova_gsp_send(ch->gsp, &hdr, &c, flags);
}

/* Is [@addr, @addr + @len) inside allocated video memory? */
static bool nova_gsp_mapped(struct nova_gsp *gsp, u64 addr, u64 len)
{
	unsigned long first, end;
	u64 last;
	bool ok;

	if (!len || check_add_overflow(addr, len, &last) || last > gsp->vram_size)
		return false;
	first = addr / NOVA_GSP_PAGE;
	end = DIV_ROUND_UP(last, NOVA_GSP_PAGE);
	spin_lock(&gsp->heap_lock);
	ok = find_next_zero_bit(gsp->map, end, first) >= end;
	spin_unlock(&gsp->heap_lock);
	return ok;
}

/* Between two chunks: let others run, note progress, give up on a stop. */
static int nova_gsp_yield(struct nova_gsp_chan *ch)
{
	atomic64_inc(&ch->progress);
	cond_resched();
	if (READ_ONCE(ch->stopping) || READ_ONCE(ch->gsp->halted))
		return -ECANCELED;
	return 0;
}

static int nova_gsp_fill(struct nova_gsp_chan *ch, const struct nova_msg_submit *w)
{
	u8 *dst = ch->gsp->vram + w->dst;
	u64 left = w->size;
	int ret;

	if (!nova_gsp_mapped(ch->gsp, w->dst, w->size))
		return -EFAULT;
	while (left) {
		u32 n = min_t(u64, left, NOVA_GSP_CHUNK);

		memset32((u32 *)dst, w->value, n / 4);
		dst += n;
		left -= n;
		ret = nova_gsp_yield(ch);
		if (ret)
			return ret;
	}
	return 0;
}

static int nova_gsp_copy(struct nova_gsp_chan *ch, const struct nova_msg_submit *w)
{
	u8 *dst = ch->gsp->vram + w->dst;
	const u8 *src = ch->gsp->vram + w->src;
	u64 left = w->size;
	int ret;

	if (!nova_gsp_mapped(ch->gsp, w->dst, w->size) ||
	    !nova_gsp_mapped(ch->gsp, w->src, w->size))
		return -EFAULT;
	while (left) {
		u32 n = min_t(u64, left, NOVA_GSP_CHUNK);

		memcpy(dst, src, n);
		dst += n;
		src += n;
		left -= n;
		ret = nova_gsp_yield(ch);
		if (ret)
			return ret;
	}
	return 0;
}

/* Slept in slices, each one progress, so a stop does not wait for it all. */
static int nova_gsp_stall(struct nova_gsp_chan *ch, u32 us)
{
	u32 left = min_t(u32, us, NOVA_GSP_MAX_STALL_US);
	int ret;

	while (left) {
		u32 slice = min_t(u32, left, NOVA_GSP_STALL_SLICE_US);

		usleep_range(slice, slice + slice / 8);
		left -= slice;
		ret = nova_gsp_yield(ch);
		if (ret)
			return ret;
	}
	return 0;
}

/* Run one submission: 0, -EFAULT, -ECANCELED (stopped) or NOVA_GSP_HUNG. */
static int nova_gsp_execute(struct nova_gsp_chan *ch, const struct nova_msg_submit *w)
{
	switch (w->op) {
	case NOVA_OP_FILL:
		return nova_gsp_fill(ch, w);
	case NOVA_OP_COPY:
		return nova_gsp_copy(ch, w);
	case NOVA_OP_WRITE:
		if (!nova_gsp_mapped(ch->gsp, w->dst, sizeof(u32)))
			return -EFAULT;
		WRITE_ONCE(*(u32 *)(ch->gsp->vram + w->dst), w->value);
		atomic64_inc(&ch->progress);
		return 0;
	case NOVA_OP_STALL:
		return nova_gsp_stall(ch, w->value);
	default:
		/* NOVA_OP_HANG; other ops were refused at submission. */
		return NOVA_GSP_HUNG;
	}
}

static void nova_gsp_chan_work(struct work_struct *work)
{
	struct nova_gsp_chan *ch = container_of(work, struct nova_gsp_chan, work);
	struct nova_msg_submit w;
	int status;

	for (;;) {
		spin_lock(&ch->lock);
		if (ch->stopping || ch->hung || !ch->count || READ_ONCE(ch->gsp->halted)) {
			spin_unlock(&ch->lock);
			return;
		}
		w = ch->slots[ch->head];
		spin_unlock(&ch->lock);

		status = nova_gsp_execute(ch, &w);

		spin_lock(&ch->lock);
		if (ch->stopping || READ_ONCE(ch->gsp->halted)) {
			/* A reset drops the submission: it leaves no completion. */
			spin_unlock(&ch->lock);
			return;
		}
		if (status == NOVA_GSP_HUNG) {
			/* Only a reset ends a hang: the submission stays queued. */
			ch->hung = true;
			spin_unlock(&ch->lock);
			return;
		}
		ch->head = (ch->head + 1) % NOVA_GSP_CHAN_SLOTS;
		ch->count--;
		ch->completed = w.stamp;
		ch->last_status = status;
		spin_unlock(&ch->lock);
		/* Before a reset's reply: a reset waits for this work item. */
		nova_gsp_complete(ch, w.stamp, status);
	}
}

static struct nova_gsp_alloc *nova_gsp_find(struct nova_gsp *gsp, u32 handle)
{
	u32 i;

	lockdep_assert_held(&gsp->heap_lock);
	for (i = 0; i < gsp->nr_pages; i++)
		if (gsp->allocs[i].handle == handle)
			return &gsp->allocs[i];
	return NULL;
}

/* First fit in [@from, @limit) pages. */
static u32 nova_gsp_fit(struct nova_gsp *gsp, u32 from, u32 limit, u32 pages)
{
	unsigned long first = bitmap_find_next_zero_area(gsp->map, limit, from, pages, 0);

	return first + pages <= limit ? first : U32_MAX;
}

static int nova_gsp_alloc(struct nova_gsp *gsp, const struct nova_msg_alloc *req,
			  struct nova_msg_alloc_reply *rep)
{
	struct nova_gsp_alloc *a;
	u32 pages, first;
	int ret = 0;

	if (!req->handle || !req->size || !IS_ALIGNED(req->size, NOVA_GSP_PAGE) ||
	    (req->flags & ~NOVA_ALLOC_VISIBLE))
		return -EINVAL;
	if (req->size > gsp->vram_size)
		return -ENOSPC;
	pages = req->size / NOVA_GSP_PAGE;

	spin_lock(&gsp->heap_lock);
	if (nova_gsp_find(gsp, req->handle)) {
		ret = -EEXIST;
		goto out;
	}
	if (req->flags & NOVA_ALLOC_VISIBLE) {
		first = nova_gsp_fit(gsp, 0, gsp->nr_visible, pages);
	} else {
		/* Keep the CPU-visible window for the BOs that need it. */
		first = nova_gsp_fit(gsp, gsp->nr_visible, gsp->nr_pages, pages);
		if (first == U32_MAX)
			first = nova_gsp_fit(gsp, 0, gsp->nr_pages, pages);
	}
	if (first == U32_MAX) {
		ret = -ENOSPC;
		goto out;
	}
	/* Each allocation holds a page: a free entry exists while a page does. */
	a = nova_gsp_find(gsp, 0);
	a->handle = req->handle;
	a->first = first;
	a->nr_pages = pages;
	bitmap_set(gsp->map, first, pages);
out:
	spin_unlock(&gsp->heap_lock);
	if (ret)
		return ret;
	/* The range is ours now; whatever its last owner left is wiped. */
	memset(gsp->vram + (u64)first * NOVA_GSP_PAGE, 0, req->size);
	rep->offset = (u64)first * NOVA_GSP_PAGE;
	return 0;
}

static int nova_gsp_free(struct nova_gsp *gsp, const struct nova_msg_free *req)
{
	struct nova_gsp_alloc *a;
	int ret = 0;

	if (!req->handle || req->pad)
		return -EINVAL;
	spin_lock(&gsp->heap_lock);
	a = nova_gsp_find(gsp, req->handle);
	if (a) {
		bitmap_clear(gsp->map, a->first, a->nr_pages);
		a->handle = 0;
	} else {
		ret = -ENOENT;
	}
	spin_unlock(&gsp->heap_lock);
	return ret;
}

static struct nova_gsp_chan *nova_gsp_chan(struct nova_gsp *gsp, const struct nova_msg_chan *req)
{
	if (req->pad || req->channel >= NOVA_GSP_CHANNELS)
		return NULL;
	return &gsp->chans[req->channel];
}

/* Drop the channel's work; when this returns its engine is idle. */
static void nova_gsp_chan_reset(struct nova_gsp_chan *ch)
{
	spin_lock(&ch->lock);
	ch->stopping = true;
	spin_unlock(&ch->lock);
	cancel_work_sync(&ch->work);
	spin_lock(&ch->lock);
	ch->head = 0;
	ch->count = 0;
	ch->hung = false;
	ch->stopping = false;
	spin_unlock(&ch->lock);
	atomic_inc(&ch->gsp->resets);
}

static void nova_gsp_chan_status(struct nova_gsp_chan *ch, struct nova_msg_chan_status *st)
{
	spin_lock(&ch->lock);
	st->completed = ch->completed;
	st->last_status = ch->last_status;
	st->hung = ch->hung;
	st->pending = ch->count;
	spin_unlock(&ch->lock);
	st->progress = atomic64_read(&ch->progress);
}

static bool nova_gsp_submit_ok(const struct nova_msg_submit *w)
{
	u64 end;

	if (w->pad || w->channel >= NOVA_GSP_CHANNELS)
		return false;
	switch (w->op) {
	case NOVA_OP_FILL:
		return w->size && IS_ALIGNED(w->size, 4) && IS_ALIGNED(w->dst, 4);
	case NOVA_OP_COPY:
		/* Overlapping ranges have no defined result: refused. */
		return w->size && !check_add_overflow(w->dst, w->size, &end) &&
		       !check_add_overflow(w->src, w->size, &end) &&
		       (w->dst >= w->src + w->size || w->src >= w->dst + w->size);
	case NOVA_OP_WRITE:
		return IS_ALIGNED(w->dst, 4);
	case NOVA_OP_STALL:
	case NOVA_OP_HANG:
		return true;
	default:
		return false;
	}
}

/* Queue a submission on its channel; the caller kicks the engine. */
static int nova_gsp_submit(struct nova_gsp *gsp, const struct nova_msg_submit *w)
{
	struct nova_gsp_chan *ch;
	int ret = 0;

	if (!nova_gsp_submit_ok(w))
		return -EINVAL;
	ch = &gsp->chans[w->channel];
	spin_lock(&ch->lock);
	if (ch->count == NOVA_GSP_CHAN_SLOTS)
		ret = -ENOSPC;
	else
		ch->slots[(ch->head + ch->count++) % NOVA_GSP_CHAN_SLOTS] = *w;
	spin_unlock(&ch->lock);
	return ret;
}

/* Run one command and answer it. */
static void nova_gsp_command(struct nova_gsp *gsp, const struct nova_rec_hdr *hdr,
			     const void *payload)
{
	union {
		struct nova_msg_info info;
		struct nova_msg_alloc_reply alloc;
		struct nova_msg_chan_status status;
	} rep = {};
	const struct nova_msg_submit *sub;
	struct nova_gsp_chan *ch;
	u32 len = 0;
	int ret;

	switch (hdr->function) {
	case NOVA_FN_GET_INFO:
		len = sizeof(rep.info);
		rep.info = (struct nova_msg_info){
			.vram_size = gsp->vram_size,
			.vram_visible = (u64)gsp->nr_visible * NOVA_GSP_PAGE,
			.page_size = NOVA_GSP_PAGE,
			.nr_channels = NOVA_GSP_CHANNELS,
			.chan_slots = NOVA_GSP_CHAN_SLOTS,
			.version = NOVA_GSP_VERSION,
		};
		ret = hdr->length ? -EINVAL : 0;
		break;
	case NOVA_FN_ALLOC:
		len = sizeof(rep.alloc);
		ret = hdr->length == sizeof(struct nova_msg_alloc) ?
		      nova_gsp_alloc(gsp, payload, &rep.alloc) : -EINVAL;
		break;
	case NOVA_FN_FREE:
		ret = hdr->length == sizeof(struct nova_msg_free) ?
		      nova_gsp_free(gsp, payload) : -EINVAL;
		break;
	case NOVA_FN_CHAN_RESET:
	case NOVA_FN_CHAN_STATUS:
		ch = NULL;
		if (hdr->length == sizeof(struct nova_msg_chan))
			ch = nova_gsp_chan(gsp, payload);
		ret = ch ? 0 : -EINVAL;
		if (hdr->function == NOVA_FN_CHAN_STATUS) {
			len = sizeof(rep.status);
			if (ch)
				nova_gsp_chan_status(ch, &rep.status);
		} else if (ch) {
			nova_gsp_chan_reset(ch);
		}
		break;
	case NOVA_FN_SUBMIT:
		sub = payload;
		ret = hdr->length == sizeof(*sub) ? nova_gsp_submit(gsp, sub) : -EINVAL;
		nova_gsp_reply(gsp, hdr, ret, NULL, 0);
		/* Kicked after the reply, so the acceptance comes first. */
		if (!ret)
			queue_work(gsp->wq, &gsp->chans[sub->channel].work);
		return;
	default:
		ret = -EOPNOTSUPP;
		break;
	}
	nova_gsp_reply(gsp, hdr, ret, &rep, len);
}

static void nova_gsp_cmd_work(struct work_struct *work)
{
	struct nova_gsp *gsp = container_of(work, struct nova_gsp, cmd_work);
	struct nova_rec_hdr hdr;
	int ret;

	while (!READ_ONCE(gsp->halted) && !READ_ONCE(gsp->paused)) {
		ret = nova_ring_read(&gsp->cmdq, &hdr, gsp->cmd_buf, sizeof(gsp->cmd_buf));
		if (ret == -ENODATA)
			return;
		/* Room in the command queue: a sender may be waiting for it. */
		gsp->irq(gsp->irq_data);
		if (ret == -EIO)
			return;
		if (ret) {
			/* A command that fails the queue's checks is not run. */
			atomic_inc(&gsp->bad_commands);
			continue;
		}
		nova_gsp_command(gsp, &hdr, gsp->cmd_buf);
		cond_resched();
	}
}

/**
 * nova_gsp_create() - boot a simulated GSP
 * @shm: the memory shared with the driver, both queues empty
 * @vram_size: bytes of video memory, a multiple of 4 KiB, at most 1 GiB
 * @vram_visible: bytes of it, from offset 0, the CPU reaches; a multiple
 *	of 4 KiB, at most @vram_size
 * @irq: the interrupt line to the driver
 * @data: for @irq
 *
 * The GSP starts serving the command queue at the first doorbell.
 *
 * Context: process context; may sleep.
 * Return: the GSP, ERR_PTR(-EINVAL) for bad sizes, ERR_PTR(-ENOMEM).
 */
struct nova_gsp *nova_gsp_create(struct nova_shm *shm, u64 vram_size, u64 vram_visible,
				 nova_gsp_irq_fn irq, void *data)
{
	struct nova_gsp *gsp;
	unsigned int i;

	if (!shm || !irq || !vram_size || vram_size > SZ_1G || vram_visible > vram_size ||
	    !IS_ALIGNED(vram_size, NOVA_GSP_PAGE) || !IS_ALIGNED(vram_visible, NOVA_GSP_PAGE))
		return ERR_PTR(-EINVAL);
	gsp = kzalloc(sizeof(*gsp), GFP_KERNEL);
	if (!gsp)
		return ERR_PTR(-ENOMEM);
	INIT_WORK(&gsp->cmd_work, nova_gsp_cmd_work);
	nova_ring_init(&gsp->cmdq, shm->cmdq_ctrl, shm->cmdq_data, shm->cmdq_size);
	nova_ring_init(&gsp->msgq, shm->msgq_ctrl, shm->msgq_data, shm->msgq_size);
	mutex_init(&gsp->msgq_lock);
	gsp->irq = irq;
	gsp->irq_data = data;
	spin_lock_init(&gsp->heap_lock);
	for (i = 0; i < NOVA_GSP_CHANNELS; i++) {
		struct nova_gsp_chan *ch = &gsp->chans[i];

		ch->gsp = gsp;
		ch->id = i;
		INIT_WORK(&ch->work, nova_gsp_chan_work);
		spin_lock_init(&ch->lock);
		atomic64_set(&ch->progress, 0);
	}
	atomic_set(&gsp->fault, NOVA_GSP_FAULT_NONE);

	gsp->vram_size = vram_size;
	gsp->nr_pages = vram_size / NOVA_GSP_PAGE;
	gsp->nr_visible = vram_visible / NOVA_GSP_PAGE;
	gsp->vram = vzalloc(vram_size);
	gsp->map = bitmap_zalloc(gsp->nr_pages, GFP_KERNEL);
	gsp->allocs = kvcalloc(gsp->nr_pages, sizeof(*gsp->allocs), GFP_KERNEL);
	/* Unbound: the command processor and every engine run at once. */
	gsp->wq = alloc_workqueue("nova-gsp", WQ_UNBOUND | WQ_MEM_RECLAIM, 0);
	if (!gsp->vram || !gsp->map || !gsp->allocs || !gsp->wq) {
		nova_gsp_destroy(gsp);
		return ERR_PTR(-ENOMEM);
	}
	return gsp;
}

/**
 * nova_gsp_halt() - the GSP is gone: stop everything for good
 * @gsp: the GSP
 *
 * When this returns the GSP no longer reads the command queue, writes the
 * message queue, raises its interrupt or touches video memory; work still
 * queued never completes. Video memory keeps its contents.
 *
 * Context: process context; may sleep; not from the interrupt handler.
 */
void nova_gsp_halt(struct nova_gsp *gsp)
{
	unsigned int i;

	WRITE_ONCE(gsp->halted, true);
	/* The command processor first: it is the one that kicks engines. */
	cancel_work_sync(&gsp->cmd_work);
	for (i = 0; i < NOVA_GSP_CHANNELS; i++)
		cancel_work_sync(&gsp->chans[i].work);
}

/**
 * nova_gsp_destroy() - halt a GSP and free it
 * @gsp: the GSP, or NULL
 *
 * Context: process context; may sleep.
 */
void nova_gsp_destroy(struct nova_gsp *gsp)
{
	if (IS_ERR_OR_NULL(gsp))
		return;
	if (gsp->wq) {
		nova_gsp_halt(gsp);
		destroy_workqueue(gsp->wq);
	}
	kvfree(gsp->allocs);
	bitmap_free(gsp->map);
	vfree(gsp->vram);
	kfree(gsp);
}

/**
 * nova_gsp_doorbell() - tell the GSP that the command queue has commands
 * @gsp: the GSP (a void pointer, to serve as the driver's doorbell hook)
 *
 * Context: any; does not sleep.
 */
void nova_gsp_doorbell(void *gsp)
{
	struct nova_gsp *g = gsp;

	if (!READ_ONCE(g->halted) && !READ_ONCE(g->paused))
		queue_work(g->wq, &g->cmd_work);
}

/**
 * nova_gsp_pause() - stop or restart taking commands (for tests)
 * @gsp: the GSP
 * @pause: stop when true; restart when false
 *
 * When pausing returns, no command is being processed; commands sent
 * meanwhile stay in the command queue. Channels keep running their work.
 *
 * Context: process context; may sleep.
 */
void nova_gsp_pause(struct nova_gsp *gsp, bool pause)
{
	WRITE_ONCE(gsp->paused, pause);
	if (pause)
		flush_work(&gsp->cmd_work);
	else
		nova_gsp_doorbell(gsp);
}

/**
 * nova_gsp_inject() - make the GSP's next reply or event faulty (for tests)
 * @gsp: the GSP
 * @fault: the fault; replaces one not yet used
 *
 * Context: any.
 */
void nova_gsp_inject(struct nova_gsp *gsp, enum nova_gsp_fault fault)
{
	atomic_set(&gsp->fault, fault);
}

/**
 * nova_gsp_vram() - the CPU's view of video memory
 * @gsp: the GSP
 *
 * The driver reaches only the first &nova_msg_info.vram_visible bytes, as
 * it would through the GPU's BAR. The memory lives until nova_gsp_destroy().
 *
 * Return: the address of video memory offset 0.
 */
u8 *nova_gsp_vram(struct nova_gsp *gsp)
{
	return gsp->vram;
}

/**
 * nova_gsp_vram_used() - bytes of video memory allocated
 * @gsp: the GSP
 *
 * Context: any but hard interrupt.
 * Return: the bytes.
 */
u64 nova_gsp_vram_used(struct nova_gsp *gsp)
{
	u64 pages;

	spin_lock(&gsp->heap_lock);
	pages = bitmap_weight(gsp->map, gsp->nr_pages);
	spin_unlock(&gsp->heap_lock);
	return pages * NOVA_GSP_PAGE;
}

/**
 * nova_gsp_bad_commands() - commands dropped because they failed the checks
 * @gsp: the GSP
 *
 * Return: how many so far.
 */
unsigned int nova_gsp_bad_commands(struct nova_gsp *gsp)
{
	return atomic_read(&gsp->bad_commands);
}

/**
 * nova_gsp_resets() - channel resets done
 * @gsp: the GSP
 *
 * Return: how many so far.
 */
unsigned int nova_gsp_resets(struct nova_gsp *gsp)
{
	return atomic_read(&gsp->resets);
}
