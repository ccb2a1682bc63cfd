// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The AGX backend under the conformance suite: a small driver over the
 * AGX simulated firmware (agx_fw.h), as backends/agx/agx_job.c is one
 * behind the uapi. Each queue is a firmware work queue with a gc_queue in
 * front; a job is one command record (FILL of one word, or HANG) running
 * in the device's GPU VM, where the job's BO is bound for the job alone:
 * bound before it is armed and unbound right after the push, so the
 * mapping, deferred by gpucore until the job is done, is what the
 * firmware writes through.
 */

#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/jiffies.h>
#include <linux/slab.h>
#include <drm/drm_drv.h>
#include <drm/drm_gem.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_ioctl.h>

#include <gpucore/gpucore.h>

#include "agx_fw.h"
#include "conformance.h"
#include "gpucore_agx_drm.h"

#define CONF_AGX_VA_BASE	0x100000ull
#define CONF_AGX_VA_SIZE	BIT_ULL(32)
#define CONF_AGX_RING		16
#define CONF_AGX_MAX_JOBS	64
#define CONF_AGX_WORDS		6
#define CONF_AGX_WAIT		(10 * HZ)

/* The DRM device; devm-allocated on a root device of its own. */
struct conf_agx_drm {
	struct drm_device drm;
	struct conf_agx_dev *cdev;
};

/**
 * struct conf_agx_dev - an AGX device for one conformance case
 * @base: what the suite sees
 * @parent: the root device the DRM device hangs off
 * @ddev: the DRM device
 * @gdev: gpucore's state of the device
 * @fw: the simulated firmware
 * @vm: the GPU VM every queue runs in
 * @next_va: VA of the next binding; VAs are never reused
 * @lock: protects @queues
 * @queues: every queue created, freed with the device
 */
struct conf_agx_dev {
	struct gc_conf_dev base;
	struct device *parent;
	struct conf_agx_drm *ddev;
	struct gc_device gdev;
	struct agx_fw *fw;
	struct gc_vm *vm;
	atomic64_t next_va;
	struct mutex lock;		/* queues */
	struct list_head queues;
};

/**
 * struct conf_agx_queue - a firmware queue with a gc_queue in front
 * @base: what the suite sees
 * @cdev: the device
 * @fwq: the firmware queue
 * @hw_tl: timeline of the hardware fences
 * @lock: protects @running, @last_stamp, @stopped and the pushes
 * @running: jobs pushed to the firmware and not yet signalled, in order
 * @last_stamp: stamp of the last record pushed
 * @stopped: the firmware queue was stopped; nothing more is pushed
 * @stop_error: the error of the stop
 * @link: in &conf_agx_dev.queues
 */
struct conf_agx_queue {
	struct gc_conf_queue base;
	struct conf_agx_dev *cdev;
	struct agx_fw_queue *fwq;
	struct gc_timeline *hw_tl;
	spinlock_t lock;		/* running, last_stamp, stopped, pushes */
	struct list_head running;
	u64 last_stamp;
	bool stopped;
	int stop_error;
	struct list_head link;
};

/**
 * struct conf_agx_job - one command record
 * @base: gpucore's job
 * @q: the queue
 * @words: the command stream
 * @nr_words: its length
 * @hw: the hardware fence's signaller, from run until signalled
 * @stamp: the record's stamp, 0 until pushed
 * @link: in &conf_agx_queue.running while on the firmware
 */
struct conf_agx_job {
	struct gc_job base;
	struct conf_agx_queue *q;
	u32 words[CONF_AGX_WORDS];
	u32 nr_words;
	struct gc_fence_signaller hw;
	u64 stamp;
	struct list_head link;
};

/* BOs: gpucore shmem BOs that tell the suite when they are freed. */
struct conf_agx_bo {
	struct gc_shmem_bo sbo;
	struct conf_agx_dev *cdev;
};

static void (*conf_agx_shmem_free)(struct drm_gem_object *obj);
static struct drm_gem_object_funcs conf_agx_bo_funcs;

static void conf_agx_bo_free(struct drm_gem_object *obj)
{
	struct conf_agx_bo *bo = container_of(obj, struct conf_agx_bo, sbo.shmem.base);
	struct iosys_map map;
	u32 word = 0;

	/* Nothing else can map it now: read what the GPU left in it. */
	if (!drm_gem_shmem_vmap(&bo->sbo.shmem, &map)) {
		word = iosys_map_rd(&map, 0, u32);
		drm_gem_shmem_vunmap(&bo->sbo.shmem, &map);
	}
	gc_conf_bo_freed(&bo->cdev->base, word);
	conf_agx_shmem_free(obj);
}

static struct drm_gem_object *conf_agx_gem_create_object(struct drm_device *drm, size_t size)
{
	struct conf_agx_bo *bo = kzalloc(sizeof(*bo), GFP_KERNEL);

	if (!bo)
		return ERR_PTR(-ENOMEM);
	gc_shmem_bo_prepare(&bo->sbo);
	bo->cdev = container_of(drm, struct conf_agx_drm, drm)->cdev;
	return &bo->sbo.shmem.base;
}

DEFINE_DRM_GEM_FOPS(conf_agx_fops);

static const struct drm_driver conf_agx_driver = {
	.driver_features = DRIVER_GEM | DRIVER_RENDER,
	.gem_create_object = conf_agx_gem_create_object,
	.fops = &conf_agx_fops,
	.name = "gc-conf-agx",
	.desc = "AGX firmware under the gpucore conformance suite",
	.date = "20260101",
	.major = 1,
};

static struct conf_agx_dev *to_cdev(struct gc_conf_dev *dev)
{
	return container_of(dev, struct conf_agx_dev, base);
}

static struct conf_agx_queue *to_cq(struct gc_conf_queue *q)
{
	return container_of(q, struct conf_agx_queue, base);
}

static struct conf_agx_job *to_cj(struct gc_job *job)
{
	return container_of(job, struct conf_agx_job, base);
}

static void conf_agx_signal(struct conf_agx_job *cj, int status)
{
	if (!status)
		gc_fence_signal(&cj->hw);
	else
		gc_fence_signal_error(&cj->hw, status < 0 ? status : -EIO);
}

/* The firmware's completion event: retire every record whose stamp passed. */
static void conf_agx_event(void *data)
{
	struct conf_agx_queue *cq = data;
	struct conf_agx_job *cj, *next;
	unsigned long flags;
	u64 completed;

	spin_lock_irqsave(&cq->lock, flags);
	completed = agx_fw_queue_completed(cq->fwq);
	list_for_each_entry_safe(cj, next, &cq->running, link) {
		if (cj->stamp > completed)
			break;
		list_del_init(&cj->link);
		conf_agx_signal(cj, agx_fw_queue_status(cq->fwq, cj->stamp));
	}
	spin_unlock_irqrestore(&cq->lock, flags);
}

static struct dma_fence *conf_agx_run(struct gc_job *job)
{
	struct conf_agx_job *cj = to_cj(job);
	struct conf_agx_queue *cq = cj->q;
	struct agx_fw_cmd cmd = {
		.words = cj->words,
		.nr_words = cj->nr_words,
		.vm = cq->cdev->vm,
		.test_opcodes = true,
	};
	struct gc_fence_ref fence;
	unsigned long flags;
	int ret;

	cj->hw = gc_fence_create(cq->hw_tl, GFP_NOWAIT);
	if (gc_is_err(cj->hw)) {
		ret = gc_err(cj->hw);
		cj->hw.ptr = NULL;
		return ERR_PTR(ret);
	}
	fence = gc_fence_signaller_fence(&cj->hw);
	spin_lock_irqsave(&cq->lock, flags);
	if (cq->stopped) {
		ret = cq->stop_error;
	} else {
		cmd.stamp = cq->last_stamp + 1;
		ret = agx_fw_queue_push(cq->fwq, &cmd);
	}
	if (!ret) {
		cq->last_stamp = cmd.stamp;
		cj->stamp = cmd.stamp;
		list_add_tail(&cj->link, &cq->running);
	}
	spin_unlock_irqrestore(&cq->lock, flags);
	if (ret) {
		gc_fence_put(&fence);
		gc_fence_signal_error(&cj->hw, ret);
		return ERR_PTR(ret);
	}
	return gc_fence_into_raw(&fence);
}

/* Only HANG records time out: they never progress. */
static enum gc_timeout_result conf_agx_timed_out(struct gc_job *job)
{
	return GC_TIMEOUT_GUILTY;
}

/*
 * Stop the firmware queue for good and complete what it held: records
 * that ended before the stop with their status, the others with @error.
 * The queue structure lives as long as the device, so a stop of a queue
 * the suite already destroyed is harmless.
 */
static void conf_agx_stop(struct gc_queue *queue, int error)
{
	struct conf_agx_queue *cq = queue->priv;
	struct conf_agx_job *cj, *next;
	unsigned long flags;
	u64 completed;
	bool first;

	spin_lock_irqsave(&cq->lock, flags);
	first = !cq->stopped;
	if (first) {
		cq->stopped = true;
		cq->stop_error = error;
	}
	spin_unlock_irqrestore(&cq->lock, flags);
	if (first)
		agx_fw_queue_stop(cq->fwq);

	spin_lock_irqsave(&cq->lock, flags);
	completed = agx_fw_queue_completed(cq->fwq);
	list_for_each_entry_safe(cj, next, &cq->running, link) {
		list_del_init(&cj->link);
		if (cj->stamp <= completed)
			conf_agx_signal(cj, agx_fw_queue_status(cq->fwq, cj->stamp));
		else
			gc_fence_signal_error(&cj->hw, error);
	}
	spin_unlock_irqrestore(&cq->lock, flags);
}

static void conf_agx_free_job(struct gc_job *job)
{
	struct conf_agx_job *cj = to_cj(job);

	/* Empty if the job never ran; signalled if it did. */
	gc_fence_signaller_drop(&cj->hw);
	kfree(cj);
}

static const struct gc_queue_ops conf_agx_queue_ops = {
	.run = conf_agx_run,
	.timed_out = conf_agx_timed_out,
	.stop = conf_agx_stop,
	.free_job = conf_agx_free_job,
};

static struct gc_conf_dev *conf_agx_create(struct kunit *test)
{
	struct conf_agx_dev *cdev = kunit_kzalloc(test, sizeof(*cdev), GFP_KERNEL);
	struct conf_agx_drm *ddev;
	struct device *parent;
	int ret;

	if (!cdev)
		return ERR_PTR(-ENOMEM);
	mutex_init(&cdev->lock);
	INIT_LIST_HEAD(&cdev->queues);
	atomic64_set(&cdev->next_va, CONF_AGX_VA_BASE);
	parent = root_device_register("gc-conf-agx");
	if (IS_ERR(parent))
		return ERR_CAST(parent);
	ddev = devm_drm_dev_alloc(parent, &conf_agx_driver, struct conf_agx_drm, drm);
	if (IS_ERR(ddev)) {
		ret = PTR_ERR(ddev);
		goto err_parent;
	}
	ddev->cdev = cdev;
	cdev->parent = parent;
	cdev->ddev = ddev;
	gc_device_init(&cdev->gdev, &ddev->drm);
	gc_conf_dev_init(&cdev->base, &gc_conf_agx, test, &cdev->gdev, &ddev->drm);
	cdev->fw = agx_fw_create("gc-conf-agx-fw");
	if (IS_ERR(cdev->fw)) {
		ret = PTR_ERR(cdev->fw);
		goto err_gdev;
	}
	cdev->vm = gc_vm_create(CONF_AGX_VA_BASE, CONF_AGX_VA_SIZE, NULL, NULL);
	if (IS_ERR(cdev->vm)) {
		ret = PTR_ERR(cdev->vm);
		goto err_fw;
	}
	return &cdev->base;

err_fw:
	agx_fw_destroy(cdev->fw);
err_gdev:
	gc_device_fini(&cdev->gdev);
err_parent:
	root_device_unregister(parent);
	return ERR_PTR(ret);
}

static unsigned int conf_agx_destroy(struct gc_conf_dev *dev)
{
	struct conf_agx_dev *cdev = to_cdev(dev);
	unsigned long end = jiffies + CONF_AGX_WAIT;
	struct conf_agx_queue *cq, *next;
	unsigned int leaks;

	/* The last unbinds wait for the last jobs; their pins hold BOs. */
	while (gc_vm_nr_deferred(cdev->vm) && time_before(jiffies, end))
		usleep_range(2000, 5000);
	gc_vm_flush(cdev->vm);
	gc_vm_destroy(cdev->vm);
	leaks = gc_device_fini(&cdev->gdev);
	list_for_each_entry_safe(cq, next, &cdev->queues, link) {
		list_del(&cq->link);
		agx_fw_queue_destroy(cq->fwq);
		gc_timeline_put(cq->hw_tl);
		kfree(cq);
	}
	agx_fw_destroy(cdev->fw);
	mutex_destroy(&cdev->lock);
	/* Releases the devm-managed DRM device. */
	root_device_unregister(cdev->parent);
	return leaks;
}

static struct gc_conf_queue *conf_agx_queue_create(struct gc_conf_dev *dev,
						   unsigned int timeout_ms)
{
	struct conf_agx_dev *cdev = to_cdev(dev);
	struct gc_queue_params params = {
		.name = "gc-conf-agx",
		.hw_jobs = CONF_AGX_RING,
		.max_jobs = CONF_AGX_MAX_JOBS,
		.timeout_ms = timeout_ms,
	};
	struct conf_agx_queue *cq = kzalloc(sizeof(*cq), GFP_KERNEL);
	struct gc_queue *gq;
	int ret;

	if (!cq)
		return ERR_PTR(-ENOMEM);
	cq->cdev = cdev;
	cq->base.dev = dev;
	spin_lock_init(&cq->lock);
	INIT_LIST_HEAD(&cq->running);
	cq->hw_tl = gc_timeline_create("gc-conf-agx", "hw", NULL);
	if (IS_ERR(cq->hw_tl)) {
		ret = PTR_ERR(cq->hw_tl);
		goto err_free;
	}
	cq->fwq = agx_fw_queue_create(cdev->fw, CONF_AGX_RING, conf_agx_event, cq);
	if (IS_ERR(cq->fwq)) {
		ret = PTR_ERR(cq->fwq);
		goto err_tl;
	}
	gq = gc_queue_create(&cdev->gdev, &params, &conf_agx_queue_ops, cq);
	if (IS_ERR(gq)) {
		ret = PTR_ERR(gq);
		goto err_fwq;
	}
	cq->base.gq = gq;
	mutex_lock(&cdev->lock);
	list_add_tail(&cq->link, &cdev->queues);
	mutex_unlock(&cdev->lock);
	return &cq->base;

err_fwq:
	agx_fw_queue_destroy(cq->fwq);
err_tl:
	gc_timeline_put(cq->hw_tl);
err_free:
	kfree(cq);
	return ERR_PTR(ret);
}

static void conf_agx_queue_destroy(struct gc_conf_queue *q)
{
	/* The firmware queue goes with the device, after the last job. */
	gc_queue_destroy(q->gq);
}

static struct gc_bo_ref conf_agx_bo_create(struct gc_conf_dev *dev, size_t size)
{
	struct conf_agx_dev *cdev = to_cdev(dev);
	struct gc_bo_unique u = gc_shmem_bo_create(dev->drm, size, &cdev->gdev.refs);
	struct drm_gem_object *gem;

	if (gc_is_err(u))
		return (struct gc_bo_ref){ .ptr = ERR_CAST(u.ptr) };
	/*
	 * gpucore's shmem operations, with a free that reports to the suite;
	 * swapped in only now, as gc_shmem_bo_create() checks them.
	 */
	gem = gc_bo_unique_borrow(&u)->gem;
	if (!conf_agx_shmem_free) {
		conf_agx_bo_funcs = *gem->funcs;
		conf_agx_shmem_free = conf_agx_bo_funcs.free;
		conf_agx_bo_funcs.free = conf_agx_bo_free;
	}
	gem->funcs = &conf_agx_bo_funcs;
	gc_conf_bo_created(dev);
	gc_bo_set_label(&u, "conformance");
	return gc_bo_share(&u);
}

/* Bind @bo at @va (if any), then arm and push the job; its done fence. */
static struct gc_fence_ref conf_agx_submit(struct conf_agx_queue *cq, struct conf_agx_job *cj,
					   struct gc_bo *bo, u64 va, struct dma_fence *dep)
{
	struct conf_agx_dev *cdev = cq->cdev;
	struct gc_job_pending pending __free(gc_job_abort) = {};
	struct gc_job_armed armed;
	struct gc_fence_ref done;
	int ret;

	pending = gc_job_init(&cj->base, cq->base.gq, 0);
	if (gc_is_err(pending)) {
		kfree(cj);
		return (struct gc_fence_ref){ .ptr = ERR_CAST(pending.ptr) };
	}
	/* From here on free_job frees the job. */
	ret = dep ? gc_job_add_dep(&pending, dep) : 0;
	if (!ret)
		ret = gc_job_use_vm(&pending, cdev->vm);
	if (!ret && bo)
		ret = gc_job_use_bo(&pending, bo, GC_ACCESS_WRITE);
	if (!ret && bo)
		ret = gc_vm_bind(cdev->vm, bo, 0, va, gc_bo_size(bo), GC_VM_READ | GC_VM_WRITE);
	if (ret)
		return (struct gc_fence_ref){ .ptr = ERR_PTR(ret) };
	armed = gc_job_arm(&pending);
	if (!gc_is_err(armed)) {
		done = gc_job_done_fence(&armed);
		gc_job_push(&armed);
	} else {
		done = (struct gc_fence_ref){ .ptr = ERR_CAST(armed.ptr) };
	}
	/* Deferred until the job is done, if it was pushed. */
	if (bo)
		WARN_ON(gc_vm_unbind(cdev->vm, va, gc_bo_size(bo)));
	return done;
}

static struct conf_agx_job *conf_agx_job_alloc(struct conf_agx_queue *cq)
{
	struct conf_agx_job *cj = kzalloc(sizeof(*cj), GFP_KERNEL);

	if (cj) {
		cj->q = cq;
		INIT_LIST_HEAD(&cj->link);
	}
	return cj;
}

static struct gc_fence_ref conf_agx_submit_write(struct gc_conf_queue *q, struct gc_bo *bo,
						 size_t offset, u32 value, struct dma_fence *dep)
{
	struct conf_agx_queue *cq = to_cq(q);
	size_t size = PAGE_ALIGN(gc_bo_size(bo));
	struct conf_agx_job *cj;
	u64 va;

	if (!IS_ALIGNED(offset, sizeof(u32)) || offset + sizeof(u32) > gc_bo_size(bo))
		return (struct gc_fence_ref){ .ptr = ERR_PTR(-EINVAL) };
	cj = conf_agx_job_alloc(cq);
	if (!cj)
		return (struct gc_fence_ref){ .ptr = ERR_PTR(-ENOMEM) };
	va = atomic64_fetch_add(size, &cq->cdev->next_va);
	cj->words[0] = DRM_AGX_CMD(DRM_AGX_OP_FILL, 4);
	cj->words[1] = lower_32_bits(va + offset);
	cj->words[2] = upper_32_bits(va + offset);
	cj->words[3] = sizeof(u32);
	cj->words[4] = value;
	cj->nr_words = 5;
	return conf_agx_submit(cq, cj, bo, va, dep);
}

static struct gc_fence_ref conf_agx_submit_hang(struct gc_conf_queue *q, struct dma_fence *dep)
{
	struct conf_agx_queue *cq = to_cq(q);
	struct conf_agx_job *cj = conf_agx_job_alloc(cq);

	if (!cj)
		return (struct gc_fence_ref){ .ptr = ERR_PTR(-ENOMEM) };
	cj->words[0] = DRM_AGX_CMD(DRM_AGX_OP_HANG, 0);
	cj->nr_words = 1;
	return conf_agx_submit(cq, cj, NULL, 0, dep);
}

static void conf_agx_unplug(struct gc_conf_dev *dev)
{
	gc_device_unplug(dev->gdev);
}

const struct gc_conf_backend gc_conf_agx = {
	.name = "agx",
	.create = conf_agx_create,
	.destroy = conf_agx_destroy,
	.queue_create = conf_agx_queue_create,
	.queue_destroy = conf_agx_queue_destroy,
	.bo_create = conf_agx_bo_create,
	.submit_write = conf_agx_submit_write,
	.submit_hang = conf_agx_submit_hang,
	.unplug = conf_agx_unplug,
	.bo_read = gc_conf_bo_read_vmap,
};
