// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The smallest DRM driver on gpucore, meant to be copied: a render node
 * with shmem BOs and one queue feeding a simulated engine (minimal_engine.c).
 * Comments marked "Rule:" are gpucore rules a real driver keeps as they are.
 *
 * Lifetimes: the platform device probes like vgem. Unbinding it unplugs
 * gpucore (all work completes, with -ENODEV if it had not run) while the
 * DRM device, its files and their BOs stay valid until the last file is
 * closed; then minimal_release() destroys the queue, waits until gpucore
 * has released it (after its last job) and checks that no gpucore
 * reference is left.
 */

#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/sizes.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_ioctl.h>
#include <drm/drm_managed.h>
#include <drm/drm_print.h>
#include <drm/drm_syncobj.h>
#include <drm/drm_vma_manager.h>

#include <gpucore/compat.h>

#include "minimal_drm.h"
#include "minimal_drv.h"
#include "sim_platform.h"

static struct minimal_device *to_minimal_device(struct drm_device *drm)
{
	return container_of(drm, struct minimal_device, drm);
}

static struct minimal_job *to_minimal_job(struct gc_job *job)
{
	return container_of(job, struct minimal_job, base);
}

/* Runs inside the device gate (drm_dev_enter), on the signalling path. */
static struct dma_fence *minimal_job_run(struct gc_job *job)
{
	struct minimal_device *mdev = job->queue->priv;

	return minimal_engine_push(&mdev->engine, &to_minimal_job(job)->cmd);
}

/* After a hang (-ECANCELED) and on unplug (-ENODEV). */
static void minimal_queue_stop(struct gc_queue *queue, int error)
{
	struct minimal_device *mdev = queue->priv;

	minimal_engine_stop(&mdev->engine, error);
}

/* The done fence has signalled; gpucore drops the job's BOs after this. */
static void minimal_job_free(struct gc_job *job)
{
	struct minimal_job *mj = to_minimal_job(job);

	/*
	 * Rule: drop every signaller. Empty if the job never ran, consumed if
	 * it did; a live one would be reported and its fence cancelled.
	 */
	gc_fence_signaller_drop(&mj->cmd.hw);
	gc_bo_vunmap(&mj->map);
	kfree(mj);
}

/*
 * Rule: the queue's own state goes here, not earlier. gpucore calls it once,
 * after the last job and the last op: no count of the driver's own.
 */
static void minimal_queue_release(struct gc_queue *queue)
{
	struct minimal_device *mdev = queue->priv;

	minimal_engine_fini(&mdev->engine);
}

static const struct gc_queue_ops minimal_queue_ops = {
	.run = minimal_job_run,
	.stop = minimal_queue_stop,
	.free_job = minimal_job_free,
	.release = minimal_queue_release,
	/* No .timed_out: a job running longer than timeout_ms is guilty. */
};

/* DRM_IOCTL_MINIMAL_GEM_CREATE. */
int minimal_ioctl_gem_create(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct drm_minimal_gem_create *args = data;
	/* Rule: every owned handle is declared with its cleanup. */
	struct gc_bo_unique unique __free(gc_bo_unique_drop) = {};
	struct gc_bo_ref ref __free(gc_bo_put) = {};
	int ret;

	if (args->pad || !args->size || args->size > SZ_64M)
		return -EINVAL;
	unique = gc_shmem_bo_create(drm, args->size, &to_minimal_device(drm)->gdev.refs);
	if (gc_is_err(unique))
		return gc_err(unique);	/* Rule: a failed constructor left nothing */
	/* Rule: set up while the BO is unique, before anyone else can see it. */
	gc_bo_set_label(&unique, "minimal-bo");
	ret = drm_gem_create_mmap_offset(gc_bo_unique_borrow(&unique)->gem);
	if (ret)
		return ret;	/* the scope cleanup frees the BO */
	/*
	 * Rule: publish last. The kernel's reference exists before the handle
	 * does: user space closing the handle at once cannot free the BO under
	 * the line below.
	 */
	ref = gc_bo_publish(&unique, file, &args->handle);
	if (gc_is_err(ref))
		return gc_err(ref);	/* the BO is freed, the handle never existed */
	args->mmap_offset = drm_vma_node_offset_addr(&gc_bo_borrow(&ref)->gem->vma_node);
	return 0;	/* our reference goes; the handle keeps the BO */
}

/* DRM_IOCTL_MINIMAL_SUBMIT_FILL: the fill's outcome is its done fence's error. */
int minimal_ioctl_submit_fill(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct minimal_device *mdev = to_minimal_device(drm);
	struct drm_minimal_submit_fill *args = data;
	struct drm_syncobj *out __free(minimal_syncobj_put) = NULL;
	struct gc_job_pending pending __free(gc_job_abort) = {};
	struct gc_job_armed armed __free(gc_job_armed_drop) = {};
	struct gc_fence_ref done __free(gc_fence_put) = {};
	struct gc_bo_ref bo __free(gc_bo_put) = {};
	struct minimal_job *mj;
	size_t size;
	int ret;

	/* Rule: a looked-up reference is an owned handle at once. */
	bo = gc_bo_lookup(file, args->handle, gc_shmem_bo_from_gem);
	if (gc_is_err(bo))
		return gc_err(bo);
	size = gc_bo_size(gc_bo_borrow(&bo));
	if (!args->size || !IS_ALIGNED(args->offset | args->size, 4) ||
	    args->offset > size || args->size > size - args->offset)
		return -EINVAL;
	/* Rule: what can fail is done before arm. */
	if (args->out_syncobj) {
		out = drm_syncobj_find(file, args->out_syncobj);
		if (!out)
			return -ENOENT;
	}

	mj = kzalloc(sizeof(*mj), GFP_KERNEL);
	if (!mj)
		return -ENOMEM;
	pending = gc_job_init(&mj->base, mdev->queue, 0);
	if (gc_is_err(pending)) {
		kfree(mj);	/* Rule: a failed gc_job_init() leaves the job ours */
		return gc_err(pending);
	}
	/* Rule: from here every way out frees mj once, through free_job. */
	ret = gc_bo_vmap(&mj->map, gc_bo_borrow(&bo));
	if (ret)
		return ret;
	if (mj->map.map.is_iomem)
		return -EOPNOTSUPP;	/* the engine writes through a plain pointer */
	mj->cmd.dst = mj->map.map.vaddr + args->offset;
	mj->cmd.count = args->size / sizeof(u32);
	mj->cmd.value = args->value;
	if (args->in_syncobj) {
		ret = gc_job_add_syncobj(&pending, file, args->in_syncobj, 0);
		if (ret)
			return ret;
	}
	/* Rule: the job holds its own reference to every BO it uses. */
	ret = gc_job_use_bo(&pending, gc_bo_borrow(&bo), GC_ACCESS_WRITE);
	if (ret)
		return ret;
	/* Rule: lock before arm; what can fail for lack of memory fails here. */
	ret = gc_job_lock(&pending);
	if (ret)
		return ret;

	armed = gc_job_arm(&pending);
	if (gc_is_err(armed))
		return gc_err(armed);	/* the job is freed, nothing was published */
	/* Rule: between arm and push, publish the done fence and nothing else. */
	done = gc_job_done_fence(&armed);
	if (out)
		drm_syncobj_replace_fence(out, gc_fence_borrow(&done));
	gc_job_push(&armed);	/* consumed: the queue owns the job now */
	return 0;
}

static const struct drm_ioctl_desc minimal_ioctls[] = {
	DRM_IOCTL_DEF_DRV(MINIMAL_GEM_CREATE, minimal_ioctl_gem_create, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(MINIMAL_SUBMIT_FILL, minimal_ioctl_submit_fill, DRM_RENDER_ALLOW),
};

DEFINE_DRM_GEM_FOPS(minimal_fops);

const struct drm_driver minimal_drm_driver = {
	.driver_features = DRIVER_GEM | DRIVER_RENDER | DRIVER_SYNCOBJ,
	.ioctls = minimal_ioctls,
	.num_ioctls = ARRAY_SIZE(minimal_ioctls),
	.fops = &minimal_fops,
	/* Rule: every GEM object of the driver is a BO gpucore is attached to. */
	.gem_create_object = gc_shmem_gem_create_object,
	.name = MINIMAL_DRIVER_NAME,
	.desc = "gpucore minimal driver (simulated engine)",
	GC_DRM_DRIVER_DATE
	.major = 1,
};

/* Bring gpucore and the engine up; on failure nothing is left to undo. */
int minimal_device_init(struct minimal_device *mdev)
{
	static const struct gc_queue_params params = {
		.name = "fill",
		.hw_jobs = 16,		/* commands on the engine at once */
		.max_jobs = 64,		/* more make SUBMIT_FILL wait */
		.timeout_ms = 2000,	/* a job running longer hung */
	};
	int ret;

	/* Rule: gc_device first: it is the tracking scope of all that follows. */
	gc_device_init(&mdev->gdev, &mdev->drm);
	ret = minimal_engine_init(&mdev->engine, &mdev->gdev.refs);
	if (ret)
		goto err_gdev;
	mdev->queue = gc_queue_create(&mdev->gdev, &params, &minimal_queue_ops, mdev);
	if (IS_ERR(mdev->queue)) {
		ret = PTR_ERR(mdev->queue);
		goto err_engine;
	}
	return 0;

err_engine:
	minimal_engine_fini(&mdev->engine);
err_gdev:
	gc_device_fini(&mdev->gdev);
	return ret;
}

/* Tear down once every file is closed; returns the leaked references. */
unsigned int minimal_device_fini(struct minimal_device *mdev)
{
	/* Queued jobs are cancelled; jobs on the engine complete or time out. */
	gc_queue_destroy(mdev->queue);
	/* Rule: waits for the queue's release (the engine's end), then reports leaks. */
	return gc_device_fini(&mdev->gdev);
}

/* The last reference to the DRM device is gone: every file is closed. */
static void minimal_release(struct drm_device *drm, void *mdev)
{
	unsigned int leaks = minimal_device_fini(mdev);

	if (leaks)
		drm_err(drm, "%u gpucore references leaked\n", leaks);
}

static int minimal_probe(struct platform_device *pdev)
{
	struct minimal_device *mdev;
	int ret;

	mdev = devm_drm_dev_alloc(&pdev->dev, &minimal_drm_driver, struct minimal_device, drm);
	if (IS_ERR(mdev))
		return PTR_ERR(mdev);
	ret = minimal_device_init(mdev);
	if (ret)
		return ret;
	/* Rule: the teardown waits for the last file, not for the unbind. */
	ret = drmm_add_action_or_reset(&mdev->drm, minimal_release, mdev);
	if (ret)
		return ret;
	platform_set_drvdata(pdev, mdev);
	return drm_dev_register(&mdev->drm, 0);
}

/*
 * Unbind, maybe with files open and work in flight. Rule: gc_device_unplug()
 * (it calls drm_dev_unplug()): work completes, with -ENODEV if the engine
 * had not run it, and new work is refused; files stay usable until closed.
 */
static void minimal_remove(struct platform_device *pdev)
{
	struct minimal_device *mdev = platform_get_drvdata(pdev);

	gc_device_unplug(&mdev->gdev);
}

static struct platform_driver minimal_platform_driver = {
	.probe = minimal_probe,
	GC_PLATFORM_REMOVE(minimal_remove),
	.driver.name = MINIMAL_DRIVER_NAME,
};

static struct platform_device *minimal_pdev;
module_sim_platform_driver(minimal_platform_driver, minimal_pdev);

MODULE_DESCRIPTION("gpucore minimal DRM driver with a simulated engine");
MODULE_LICENSE("Dual MIT/GPL");
MODULE_IMPORT_NS(GPUCORE_NS);
