// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Queues and jobs: the gc_queue backend that feeds the firmware rings, and
 * the SUBMIT ioctl.
 *
 * A queue is the gc_queue (gpucore's scheduler), the firmware queue and the
 * driver's &struct agx_queue that ties them, the gc_queue's private data:
 * gpucore keeps it valid for every op until the release op frees it.
 *
 * The firmware ring holds AGX_RING_SIZE records and the gc_queue lets at
 * most as many jobs run at once, so a push never finds the ring full.
 * agx_fw_queue_push(), agx_fw_queue_completed() and agx_fw_queue_status()
 * are called with the queue's spinlock held: they must not sleep, and the
 * firmware must not call the event handler from them.
 */

#include <linux/dma-fence.h>
#include <linux/dma-fence-chain.h>
#include <linux/ktime.h>
#include <linux/moduleparam.h>
#include <linux/overflow.h>
#include <linux/uaccess.h>
#include <drm/drm_file.h>
#include <drm/drm_syncobj.h>

#include "agx.h"
#include "sim/agx_sim.h"

unsigned int agx_timeout_ms = 2000;
module_param_named(timeout_ms, agx_timeout_ms, uint, 0644);
MODULE_PARM_DESC(timeout_ms, "Time a job may run before it is a hang, in ms (default 2000)");

/*
 * Each queue is a drm_sched thread: the bound is device-wide, since a
 * client keeps any number of files alive through mmaps of their BOs.
 */
static unsigned int agx_max_queues = 1024;
module_param_named(max_queues, agx_max_queues, uint, 0644);
MODULE_PARM_DESC(max_queues,
		 "Queues of the device at once, those being torn down included (default 1024)");

/*
 * agx_queue_slot_get() - count a new queue against the device's bound
 * @adev: the device
 *
 * Context: any.
 * Return: true if the device has fewer than max_queues queues (those being
 * torn down included), the new one counted; false if it has as many.
 */
static bool agx_queue_slot_get(struct agx_device *adev)
{
	int max = min_t(unsigned int, READ_ONCE(agx_max_queues), INT_MAX);
	int old = atomic_read(&adev->nr_queues);

	/* Not atomic_add_unless(): the bound may be lowered below the count. */
	do {
		if (old >= max)
			return false;
	} while (!atomic_try_cmpxchg(&adev->nr_queues, &old, old + 1));
	return true;
}

/*
 * agx_queue_slot_put() - a queue counted by agx_queue_slot_get() is gone
 * @adev: the device
 *
 * Context: any.
 */
static void agx_queue_slot_put(struct agx_device *adev)
{
	WARN_ON(atomic_dec_return(&adev->nr_queues) < 0);
}

/*
 * STALL and HANG let the tests reach the timeout and teardown paths; in a
 * client's hands they only tie up the GPU, so they are off by default.
 * Read when a job reaches the firmware.
 */
bool agx_test_opcodes;
module_param_named(test_opcodes, agx_test_opcodes, bool, 0644);
MODULE_PARM_DESC(test_opcodes, "Accept the test-only STALL and HANG commands (default: off)");

static struct agx_job *to_agx_job(struct gc_job *job)
{
	return container_of(job, struct agx_job, base);
}

/* Free the driver's side of a queue; nothing on the firmware is left. */
static void agx_queue_free(struct agx_queue *aq)
{
	WARN_ON(!list_empty(&aq->running));
	if (aq->fwq)
		agx_fw_queue_destroy(aq->fwq);
	gc_timeline_put(aq->hw_tl);
	gc_vm_put(aq->vm);
	agx_queue_slot_put(aq->adev);
	kfree(aq);
}

/*
 * Complete a job the firmware has finished, with the record's status. The
 * queue's lock is held: completions of a queue are signalled in stamp
 * order.
 */
static void agx_job_signal(struct agx_job *aj, int status)
{
	if (!status)
		gc_fence_signal(&aj->hw);
	else if (status < 0 && status >= -MAX_ERRNO)
		gc_fence_signal_error(&aj->hw, status);
	else
		gc_fence_signal_error(&aj->hw, -EIO);
}

/* The firmware's completion event: retire every record whose stamp passed. */
static void agx_queue_event(void *data)
{
	struct agx_queue *aq = data;
	struct agx_job *aj, *next;
	unsigned long flags;
	u64 completed;

	spin_lock_irqsave(&aq->lock, flags);
	completed = agx_fw_queue_completed(aq->fwq);
	list_for_each_entry_safe(aj, next, &aq->running, link) {
		if (aj->stamp > completed)
			break;
		list_del_init(&aj->link);
		agx_job_signal(aj, agx_fw_queue_status(aq->fwq, aj->stamp));
	}
	spin_unlock_irqrestore(&aq->lock, flags);
}

static struct dma_fence *agx_job_run(struct gc_job *job)
{
	struct agx_job *aj = to_agx_job(job);
	struct agx_queue *aq = aj->queue;
	struct agx_fw_cmd cmd = {
		.words = aj->words,
		.nr_words = aj->nr_words,
		.vm = aq->vm,
		.result = aj->result,
		.test_opcodes = READ_ONCE(agx_test_opcodes),
	};
	struct gc_fence_ref fence;
	unsigned long flags;
	int ret;

	/* On the fence signalling path: no sleeping allocation. */
	aj->hw = gc_fence_create(aq->hw_tl, GFP_NOWAIT);
	if (gc_is_err(aj->hw)) {
		ret = gc_err(aj->hw);
		aj->hw.ptr = NULL;
		return ERR_PTR(ret);
	}
	fence = gc_fence_signaller_fence(&aj->hw);

	spin_lock_irqsave(&aq->lock, flags);
	if (aq->stopped) {
		ret = aq->stop_error;
	} else {
		cmd.stamp = aq->last_stamp + 1;
		ret = agx_fw_queue_push(aq->fwq, &cmd);
	}
	if (!ret) {
		aq->last_stamp = cmd.stamp;
		aj->stamp = cmd.stamp;
		list_add_tail(&aj->link, &aq->running);
	}
	spin_unlock_irqrestore(&aq->lock, flags);

	if (ret) {
		gc_fence_put(&fence);
		gc_fence_signal_error(&aj->hw, ret);
		return ERR_PTR(ret);
	}
	return gc_fence_into_raw(&fence);
}

/* A HANG command never progresses: a job over the timeout is hung. */
static enum gc_timeout_result agx_job_timed_out(struct gc_job *job)
{
	struct agx_job *aj = to_agx_job(job);
	unsigned long flags;

	spin_lock_irqsave(&aj->queue->lock, flags);
	aj->hung = true;
	spin_unlock_irqrestore(&aj->queue->lock, flags);
	return GC_TIMEOUT_GUILTY;
}

/*
 * The result record of a job the stop took off the firmware: the whole
 * record, as the firmware writes one (agx_fw_complete()), so that no field
 * is left from an earlier use of the memory; the status last, with
 * release semantics, for user space polling it. The firmware no longer
 * touches the record: agx_fw_queue_stop() has returned.
 */
static void agx_job_write_stopped(struct agx_job *aj, u64 now)
{
	struct drm_agx_result *res = aj->result;

	if (!res)
		return;
	WRITE_ONCE(res->command_index, 0);
	WRITE_ONCE(res->fault_va, 0);
	WRITE_ONCE(res->timestamp, now);
	/* Pairs with the reader's acquire load of the status. */
	smp_store_release(&res->status,
			  aj->hung ? DRM_AGX_STATUS_TIMEOUT : DRM_AGX_STATUS_CANCELLED);
}

/*
 * Stop the firmware queue and complete everything it held: records that
 * finished before the stop with their status, the others with @error and,
 * in their result record, TIMEOUT (the hung job) or CANCELLED.
 */
static void agx_queue_stop(struct gc_queue *queue, int error)
{
	struct agx_queue *aq = queue->priv;
	struct agx_job *aj, *next;
	unsigned long flags;
	u64 completed, now;
	bool first, cookie;

	spin_lock_irqsave(&aq->lock, flags);
	first = !aq->stopped;
	if (first) {
		aq->stopped = true;
		aq->stop_error = error;
	}
	spin_unlock_irqrestore(&aq->lock, flags);
	/* No push after this: run sees @stopped. */
	if (first)
		agx_fw_queue_stop(aq->fwq);

	/*
	 * Completing the jobs is a signalling path, entered before the queue
	 * lock as in run and in the firmware's completion event.
	 */
	cookie = dma_fence_begin_signalling();
	now = ktime_get_ns();
	spin_lock_irqsave(&aq->lock, flags);
	completed = agx_fw_queue_completed(aq->fwq);
	list_for_each_entry_safe(aj, next, &aq->running, link) {
		list_del_init(&aj->link);
		if (aj->stamp <= completed) {
			agx_job_signal(aj, agx_fw_queue_status(aq->fwq, aj->stamp));
			continue;
		}
		agx_job_write_stopped(aj, now);
		gc_fence_signal_error(&aj->hw, error);
	}
	spin_unlock_irqrestore(&aq->lock, flags);
	dma_fence_end_signalling(cookie);
}

/* The gc_queue is torn down: every job freed, no op will follow. */
static void agx_queue_release(struct gc_queue *queue)
{
	agx_queue_free(queue->priv);
}

static void agx_job_free(struct gc_job *job)
{
	struct agx_job *aj = to_agx_job(job);
	struct agx_queue *aq = aj->queue;
	unsigned long flags;

	spin_lock_irqsave(&aq->lock, flags);
	if (WARN_ON(!list_empty(&aj->link)))
		list_del_init(&aj->link);
	spin_unlock_irqrestore(&aq->lock, flags);
	/* Empty if the job never ran; signalled if it did. */
	gc_fence_signaller_drop(&aj->hw);
	kvfree(aj->words);
	gc_bo_vunmap(&aj->result_map);
	kfree(aj);
}

static const struct gc_queue_ops agx_queue_ops = {
	.run = agx_job_run,
	.timed_out = agx_job_timed_out,
	.stop = agx_queue_stop,
	.free_job = agx_job_free,
	.release = agx_queue_release,
};

/**
 * agx_queue_create() - create a queue and its firmware queue
 * @adev: the device
 * @vm: the VM the queue's commands address; the queue takes a reference
 * @priority: DRM_AGX_PRIORITY_*, already checked
 *
 * Context: process context; may sleep.
 * Return: the queue, with the creator's reference to its gc_queue
 * (agx_queue_destroy()), or an ERR_PTR(): -ENOSPC when the device has
 * max_queues queues, -ENODEV after unplug, -ENOMEM, or the firmware's
 * error.
 */
struct agx_queue *agx_queue_create(struct agx_device *adev, struct gc_vm *vm, u32 priority)
{
	struct gc_queue_params params = {
		.hw_jobs = AGX_RING_SIZE,
		.max_jobs = AGX_MAX_JOBS,
		.timeout_ms = max(READ_ONCE(agx_timeout_ms), 1U),
	};
	struct agx_fw_queue *fwq;
	struct gc_timeline *tl;
	struct agx_queue *aq;
	struct gc_queue *gq;
	char name[32], hw_name[32];
	unsigned int seq;
	int ret;

	/* Given back when the queue is freed (agx_queue_free()). */
	if (!agx_queue_slot_get(adev))
		return ERR_PTR(-ENOSPC);
	aq = kzalloc(sizeof(*aq), GFP_KERNEL_ACCOUNT);
	if (!aq) {
		agx_queue_slot_put(adev);
		return ERR_PTR(-ENOMEM);
	}
	aq->adev = adev;
	aq->priority = priority;
	spin_lock_init(&aq->lock);
	INIT_LIST_HEAD(&aq->running);
	aq->vm = gc_vm_get(vm);

	seq = atomic_inc_return(&adev->queue_seq);
	snprintf(name, sizeof(name), "agx-queue-%u", seq);
	snprintf(hw_name, sizeof(hw_name), "agx-queue-%u-hw", seq);
	params.name = name;
	tl = gc_timeline_create(AGX_DRIVER_NAME, hw_name, &adev->gdev.refs);
	if (IS_ERR(tl)) {
		ret = PTR_ERR(tl);
		goto err;
	}
	aq->hw_tl = tl;
	fwq = agx_fw_queue_create(adev->fw, AGX_RING_SIZE, agx_queue_event, aq);
	if (IS_ERR_OR_NULL(fwq)) {
		ret = fwq ? PTR_ERR(fwq) : -ENOMEM;
		goto err;
	}
	aq->fwq = fwq;
	gq = gc_queue_create(&adev->gdev, &params, &agx_queue_ops, aq);
	if (IS_ERR(gq)) {
		ret = PTR_ERR(gq);
		goto err;
	}
	aq->gq = gq;
	return aq;

err:
	agx_queue_free(aq);
	return ERR_PTR(ret);
}

/**
 * agx_queue_destroy() - destroy a queue removed from its file
 * @aq: the queue, or NULL
 *
 * Queued jobs are cancelled, jobs on the firmware complete or time out;
 * the firmware queue goes with the queue's release, after the last job
 * and the last SUBMIT that still holds the queue.
 *
 * Context: process context.
 */
void agx_queue_destroy(struct agx_queue *aq)
{
	if (aq)
		gc_queue_destroy(aq->gq);
}

/* Queue @id of the file with a reference to its gc_queue, or NULL. */
static struct agx_queue *agx_queue_lookup(struct agx_file *af, u32 id)
{
	struct agx_queue *aq;

	/* QUEUE_DESTROY erases the entry before it destroys the queue. */
	xa_lock(&af->queues);
	aq = xa_load(&af->queues, id);
	if (aq)
		gc_queue_get(aq->gq);
	xa_unlock(&af->queues);
	return aq;
}

/* Drop agx_queue_lookup()'s reference. */
static void agx_queue_put(struct agx_queue *aq)
{
	if (aq)
		gc_queue_put(aq->gq);
}

DEFINE_FREE(agx_queue_put, struct agx_queue *, agx_queue_put(_T))

/**
 * struct agx_out_sync - an out-syncobj, ready to take the done fence
 * @syncobj: the syncobj, with a reference
 * @chain: for a timeline point, the preallocated chain node
 * @point: the timeline point, 0 for a binary syncobj
 */
struct agx_out_sync {
	struct drm_syncobj *syncobj;
	struct dma_fence_chain *chain;
	u64 point;
};

/**
 * struct agx_submit - what a SUBMIT holds while it is prepared
 * @in: the in-syncs, copied from user space
 * @nr_in: number of entries at @in
 * @out: the out-syncs, looked up
 * @nr_out: number of entries at @out
 * @words: the command stream, until the job takes it
 * @result_bo: the result BO, or empty
 * @result_map: its kernel mapping, until the job takes it
 */
struct agx_submit {
	struct drm_agx_sync *in;
	u32 nr_in;
	struct agx_out_sync *out;
	u32 nr_out;
	u32 *words;
	struct gc_bo_ref result_bo;
	struct gc_bo_vmap result_map;
};

static void agx_submit_fini(struct agx_submit *s)
{
	u32 i;

	for (i = 0; s->out && i < s->nr_out; i++) {
		if (s->out[i].syncobj)
			drm_syncobj_put(s->out[i].syncobj);
		dma_fence_chain_free(s->out[i].chain);
	}
	kvfree(s->out);
	kvfree(s->in);
	kvfree(s->words);
	gc_bo_vunmap(&s->result_map);
	gc_bo_put(&s->result_bo);
}

static int agx_submit_check(const struct drm_agx_submit *args)
{
	if (args->flags)
		return -EINVAL;
	if (args->in_sync_count > AGX_MAX_SYNCS || args->out_sync_count > AGX_MAX_SYNCS)
		return -EINVAL;
	/* Strides and sizes against the frozen first sizes, as VM_BIND's. */
	if ((args->in_sync_count || args->out_sync_count || args->sync_stride) &&
	    (args->sync_stride < DRM_AGX_SYNC_MIN_SIZE || args->sync_stride > AGX_MAX_OP_STRIDE))
		return -EINVAL;
	if (!args->command_bytes || args->command_bytes % sizeof(u32) ||
	    args->command_bytes > AGX_MAX_COMMAND_BYTES)
		return -EINVAL;
	if (!args->result_handle && (args->result_offset || args->result_size))
		return -EINVAL;
	if (args->result_handle && args->result_size < DRM_AGX_RESULT_MIN_SIZE)
		return -EINVAL;
	if (!IS_ALIGNED(args->result_offset, 8))
		return -EINVAL;
	return 0;
}

/*
 * Copy @count syncs, @stride bytes apart: the bytes beyond the kernel's
 * struct must be zero (-E2BIG), those it lacks read as zero.
 */
static int agx_copy_syncs(u64 uptr, u32 count, u32 stride, bool out,
			  struct drm_agx_sync **syncs)
{
	struct drm_agx_sync *s;
	u64 end;
	u32 i;
	int ret;

	*syncs = NULL;
	if (!count)
		return 0;
	if (check_add_overflow(uptr, (u64)count * stride, &end))
		return -EFAULT;
	s = kvmalloc_array(count, sizeof(*s), GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	*syncs = s;
	for (i = 0; i < count; i++) {
		ret = copy_struct_from_user(&s[i], sizeof(s[i]),
					    u64_to_user_ptr(uptr + (u64)i * stride), stride);
		if (ret)
			return ret;
	}
	for (i = 0; i < count; i++) {
		switch (s[i].sync_type) {
		case DRM_AGX_SYNC_BINARY:
			if (s[i].timeline_value)
				return -EINVAL;
			break;
		case DRM_AGX_SYNC_TIMELINE:
			/* A signalled point must be new; a waited-for one may be 0. */
			if (out && !s[i].timeline_value)
				return -EINVAL;
			break;
		default:
			return -EINVAL;
		}
	}
	return 0;
}

/* Look the out-syncobjs up and preallocate what installing the fence needs. */
static int agx_prepare_out_syncs(struct agx_submit *s, struct drm_file *file,
				 const struct drm_agx_sync *syncs)
{
	u32 i;

	if (!s->nr_out)
		return 0;
	s->out = kvcalloc(s->nr_out, sizeof(*s->out), GFP_KERNEL_ACCOUNT);
	if (!s->out)
		return -ENOMEM;
	for (i = 0; i < s->nr_out; i++) {
		struct agx_out_sync *o = &s->out[i];

		o->syncobj = drm_syncobj_find(file, syncs[i].handle);
		if (!o->syncobj)
			return -ENOENT;
		if (syncs[i].sync_type == DRM_AGX_SYNC_TIMELINE) {
			o->chain = dma_fence_chain_alloc();
			if (!o->chain)
				return -ENOMEM;
			o->point = syncs[i].timeline_value;
		}
	}
	return 0;
}

/*
 * Map the record at @offset of @s->result_bo for the firmware. The whole
 * record as user space sizes it (@size) lies in the BO, though the kernel
 * writes only min(@size, sizeof(struct drm_agx_result)), at least
 * DRM_AGX_RESULT_MIN_SIZE: a record is one range, whatever version reads it.
 */
static int agx_map_result(struct agx_submit *s, u64 offset, u64 size)
{
	struct gc_bo *bo = gc_bo_borrow(&s->result_bo);
	size_t bo_size = gc_bo_size(bo);
	int ret;

	if (offset > bo_size || bo_size - offset < size)
		return -EINVAL;
	ret = gc_bo_vmap(&s->result_map, bo);
	if (ret)
		return ret;
	/* The firmware writes the record through a plain pointer. */
	if (s->result_map.map.is_iomem)
		return -EOPNOTSUPP;
	return 0;
}

static int agx_prepare_result(struct agx_submit *s, struct drm_file *file,
			      const struct drm_agx_submit *args)
{
	struct gc_bo_ref ref;

	if (!args->result_handle)
		return 0;
	ref = gc_bo_lookup(file, args->result_handle, gc_shmem_bo_from_gem);
	if (gc_is_err(ref))
		return gc_err(ref);
	s->result_bo = ref;
	return agx_map_result(s, args->result_offset, args->result_size);
}

static void agx_install_out_syncs(struct agx_submit *s, struct dma_fence *done)
{
	u32 i;

	for (i = 0; i < s->nr_out; i++) {
		struct agx_out_sync *o = &s->out[i];

		if (o->chain) {
			drm_syncobj_add_point(o->syncobj, o->chain, done, o->point);
			o->chain = NULL;
		} else {
			drm_syncobj_replace_fence(o->syncobj, done);
		}
	}
}

/*
 * Build, arm and push the job; everything that can fail is done in @s.
 * @file is only used for the in-syncs of @s; @dep (a kernel caller's
 * dependency) may be NULL; if @done_out is not NULL, it takes the done fence.
 */
static int agx_submit_job(struct agx_submit *s, struct agx_queue *aq, struct drm_file *file,
			  const struct drm_agx_submit *args, struct dma_fence *dep,
			  struct gc_fence_ref *done_out)
{
	struct gc_job_pending pending __free(gc_job_abort) = {};
	struct gc_job_armed armed __free(gc_job_armed_drop) = {};
	struct gc_fence_ref done __free(gc_fence_put) = {};
	struct agx_job *aj;
	u32 i;
	int ret;

	aj = kzalloc(sizeof(*aj), GFP_KERNEL_ACCOUNT);
	if (!aj)
		return -ENOMEM;
	aj->queue = aq;
	INIT_LIST_HEAD(&aj->link);
	pending = gc_job_init(&aj->base, aq->gq, 0);
	if (gc_is_err(pending)) {
		/* The job is still ours. */
		kfree(aj);
		return gc_err(pending);
	}
	/* From here on free_job releases the job and what it holds. */
	aj->words = s->words;
	s->words = NULL;
	aj->nr_words = args->command_bytes / sizeof(u32);
	if (s->result_map.ref.ptr) {
		aj->result_map = gc_move(&s->result_map);
		aj->result = aj->result_map.map.vaddr + args->result_offset;
	}

	for (i = 0; i < s->nr_in; i++) {
		const struct drm_agx_sync *in = &s->in[i];

		ret = gc_job_add_syncobj(&pending, file, in->handle,
					 in->sync_type == DRM_AGX_SYNC_TIMELINE ?
					 in->timeline_value : 0);
		if (ret)
			return ret;
	}
	if (dep) {
		ret = gc_job_add_dep(&pending, dep);
		if (ret)
			return ret;
	}
	ret = gc_job_use_vm(&pending, aq->vm);
	if (ret)
		return ret;
	if (aj->result) {
		ret = gc_job_use_bo(&pending, gc_bo_borrow(&s->result_bo), GC_ACCESS_WRITE);
		if (ret)
			return ret;
	}

	/*
	 * Lock, then arm: a locked job arms without allocating, so once the
	 * lock has succeeded the only failures left are a ban or an unplug.
	 */
	ret = gc_job_lock(&pending);
	if (ret)
		return ret;
	armed = gc_job_arm(&pending);
	if (gc_is_err(armed))
		return gc_err(armed);
	/* Nothing can fail from here to the push. */
	done = gc_job_done_fence(&armed);
	agx_install_out_syncs(s, gc_fence_borrow(&done));
	gc_job_push(&armed);
	if (done_out)
		*done_out = gc_move(&done);
	return 0;
}

/**
 * agx_ioctl_submit() - DRM_IOCTL_AGX_SUBMIT: run a command stream on a queue
 * @drm: the DRM device
 * @data: a &struct drm_agx_submit
 * @file: the DRM file
 *
 * The command stream is copied and handed to the firmware as it is: the
 * firmware rejects illegal commands (the job then fails with -EINVAL and
 * the ILLEGAL status). The job waits for the in-syncs and for earlier GPU
 * writers of the result BO; its done fence replaces the fence of each
 * binary out-syncobj and becomes the given point of each timeline one.
 *
 * Context: process context; may sleep (waits for room in a full queue).
 * Return: 0; -EINVAL for a bad argument (a sync stride or result size below
 * the first version's), -E2BIG for non-zero bytes of a sync beyond the
 * kernel's struct, -ENOENT for an unknown queue, BO or syncobj, -EFAULT,
 * -ENOMEM, -EOPNOTSUPP for a result BO without a kernel mapping, -EIO if
 * the queue is banned after a hang, -ENODEV after unplug, -ERESTARTSYS.
 */
int agx_ioctl_submit(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct agx_queue *aq __free(agx_queue_put) = NULL;
	struct drm_agx_submit *args = data;
	struct agx_file *af = file->driver_priv;
	struct drm_agx_sync *out_syncs __free(agx_kvfree) = NULL;
	struct agx_submit s = {};
	int ret;

	ret = agx_submit_check(args);
	if (ret)
		return ret;
	aq = agx_queue_lookup(af, args->queue_id);
	if (!aq)
		return -ENOENT;

	ret = agx_copy_syncs(args->in_syncs, args->in_sync_count, args->sync_stride, false, &s.in);
	if (ret)
		goto out;
	s.nr_in = args->in_sync_count;
	ret = agx_copy_syncs(args->out_syncs, args->out_sync_count, args->sync_stride, true,
			     &out_syncs);
	if (ret)
		goto out;
	s.nr_out = args->out_sync_count;

	s.words = kvmalloc(args->command_bytes, GFP_KERNEL_ACCOUNT);
	if (!s.words) {
		ret = -ENOMEM;
		goto out;
	}
	if (copy_from_user(s.words, u64_to_user_ptr(args->commands), args->command_bytes)) {
		ret = -EFAULT;
		goto out;
	}

	ret = agx_prepare_result(&s, file, args);
	if (ret)
		goto out;
	ret = agx_prepare_out_syncs(&s, file, out_syncs);
	if (ret)
		goto out;
	ret = agx_submit_job(&s, aq, file, args, NULL, NULL);
out:
	agx_submit_fini(&s);
	return ret;
}

/**
 * agx_queue_submit() - SUBMIT from the kernel: run a command stream on a queue
 * @aq: the queue; the caller holds a reference to its gc_queue (the
 *	creator's, until agx_queue_destroy())
 * @words: the command stream, copied
 * @nr_words: number of words at @words
 * @result: the BO receiving the result record, or NULL
 * @result_offset: offset of the record in @result, 8-byte aligned
 * @dep: a fence the job waits for, or NULL
 *
 * The job of agx_ioctl_submit(), built by the same code, for a caller
 * without a DRM file: @dep stands for the in-syncs, and the done fence is
 * returned instead of going to out-syncs. The job waits for earlier GPU
 * writers of @result and holds its own reference to it until released.
 *
 * Context: process context; may sleep (waits for room in a full queue).
 * Return: the job's done fence, or an error handle: -EINVAL for a bad
 * argument, -ENOMEM, -EOPNOTSUPP for a result BO without a kernel mapping,
 * -EIO if the queue is banned after a hang, -ENODEV after unplug.
 */
struct gc_fence_ref agx_queue_submit(struct agx_queue *aq, const u32 *words, u32 nr_words,
				     struct gc_bo *result, u64 result_offset,
				     struct dma_fence *dep)
{
	/* What SUBMIT would be given, for its checks and agx_submit_job(). */
	struct drm_agx_submit args = {
		.command_bytes = min_t(u64, nr_words, U32_MAX / sizeof(u32)) * sizeof(u32),
		.result_handle = result ? 1 : 0,
		.result_offset = result_offset,
		.result_size = result ? sizeof(struct drm_agx_result) : 0,
	};
	struct gc_fence_ref done = {};
	struct agx_submit s = {};
	int ret;

	ret = agx_submit_check(&args);
	if (ret)
		return (struct gc_fence_ref){ .ptr = ERR_PTR(ret) };
	s.words = kvmalloc(args.command_bytes, GFP_KERNEL);
	if (!s.words) {
		ret = -ENOMEM;
		goto out;
	}
	memcpy(s.words, words, args.command_bytes);
	if (result) {
		s.result_bo = gc_bo_get(result);
		ret = agx_map_result(&s, result_offset, args.result_size);
		if (ret)
			goto out;
	}
	ret = agx_submit_job(&s, aq, NULL, &args, dep, &done);
out:
	agx_submit_fini(&s);
	if (ret)
		return (struct gc_fence_ref){ .ptr = ERR_PTR(ret) };
	return done;
}
