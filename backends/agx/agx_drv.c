// SPDX-License-Identifier: GPL-2.0-only OR MIT
/**
 * DOC: AGX driver structure
 *
 * gpucore_agx is a render-only DRM driver for a simulated AGX-style GPU.
 * Every object it hands out comes from gpucore:
 *
 * - the device (&struct agx_device) embeds a &struct gc_device; a platform
 *   driver probes it like vgem, and unbinding it unplugs gpucore (all work
 *   completes with -ENODEV) while the final teardown waits for the last
 *   reference to the DRM device, i.e. for the last open file;
 * - BOs are &struct gc_shmem_bo, imported ones included;
 * - a file's VMs are &struct gc_vm, its queues &struct gc_queue, each paired
 *   with a firmware queue (&struct agx_queue, in agx_job.c);
 * - a submission is a &struct gc_job whose hardware fence is a gpucore fence
 *   that the firmware's completion event signals.
 *
 * The ioctls are in agx_ioctl.c, the queue backend and SUBMIT in agx_job.c,
 * the simulated firmware behind sim/agx_sim.h.
 */

#include <linux/dma-mapping.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_ioctl.h>
#include <drm/drm_managed.h>
#include <drm/drm_prime.h>
#include <drm/drm_print.h>

#include <gpucore/compat.h>

#include "agx.h"
#include "sim/agx_sim.h"
#include "sim_platform.h"

static int agx_open(struct drm_device *drm, struct drm_file *file)
{
	/* Memory a client makes the kernel hold is charged to its memcg. */
	struct agx_file *af = kzalloc(sizeof(*af), GFP_KERNEL_ACCOUNT);

	if (!af)
		return -ENOMEM;
	af->adev = to_agx_device(drm);
	mutex_init(&af->lock);
	xa_init_flags(&af->vms, XA_FLAGS_ALLOC1);
	xa_init_flags(&af->queues, XA_FLAGS_ALLOC1);
	file->driver_priv = af;
	return 0;
}

static void agx_postclose(struct drm_device *drm, struct drm_file *file)
{
	struct agx_file *af = file->driver_priv;
	struct agx_queue *aq;
	struct agx_vm *avm;
	unsigned long id;

	/* Queued work is cancelled, running work completes or times out. */
	xa_for_each(&af->queues, id, aq) {
		xa_erase(&af->queues, id);
		agx_queue_destroy(aq);
	}
	xa_destroy(&af->queues);
	/* Mappings still used by that work go when it is done. */
	xa_for_each(&af->vms, id, avm) {
		xa_erase(&af->vms, id);
		agx_vm_destroy(avm);
	}
	xa_destroy(&af->vms);
	mutex_destroy(&af->lock);
	kfree(af);
}

/*
 * Imported dma-bufs become gpucore BOs too: gem_create_object allocated a
 * &struct gc_shmem_bo, gpucore is attached here. The DRM core keeps the
 * creation reference as a plain GEM reference, so the unique handle that
 * gc_bo_attach() returns is traded for one.
 */
static struct drm_gem_object *agx_gem_prime_import_sg_table(struct drm_device *drm,
							    struct dma_buf_attachment *attach,
							    struct sg_table *sgt)
{
	struct agx_device *adev = to_agx_device(drm);
	struct gc_bo_unique unique;
	struct drm_gem_object *obj;
	struct gc_shmem_bo *sbo;
	struct gc_bo_ref ref;

	obj = drm_gem_shmem_prime_import_sg_table(drm, attach, sgt);
	if (IS_ERR(obj))
		return obj;
	sbo = container_of(obj, struct gc_shmem_bo, shmem.base);
	if (sbo->gc.gem)
		return obj;
	unique = gc_bo_attach(&sbo->gc, obj, &adev->gdev.refs);
	gc_bo_set_label(&unique, "agx-import");
	drm_gem_object_get(obj);
	ref = gc_bo_share(&unique);
	gc_bo_put(&ref);
	return obj;
}

static const struct drm_ioctl_desc agx_ioctls[] = {
	DRM_IOCTL_DEF_DRV(AGX_GET_PARAMS, agx_ioctl_get_params, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(AGX_VM_CREATE, agx_ioctl_vm_create, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(AGX_VM_DESTROY, agx_ioctl_vm_destroy, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(AGX_VM_BIND, agx_ioctl_vm_bind, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(AGX_GEM_CREATE, agx_ioctl_gem_create, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(AGX_GEM_MMAP_OFFSET, agx_ioctl_gem_mmap_offset, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(AGX_QUEUE_CREATE, agx_ioctl_queue_create, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(AGX_QUEUE_DESTROY, agx_ioctl_queue_destroy, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(AGX_SUBMIT, agx_ioctl_submit, DRM_RENDER_ALLOW),
};

DEFINE_DRM_GEM_FOPS(agx_fops);

static const struct drm_driver agx_drm_driver = {
	.driver_features = DRIVER_GEM | DRIVER_RENDER | DRIVER_SYNCOBJ |
			   DRIVER_SYNCOBJ_TIMELINE,
	.open = agx_open,
	.postclose = agx_postclose,
	.ioctls = agx_ioctls,
	.num_ioctls = ARRAY_SIZE(agx_ioctls),
	.fops = &agx_fops,
	.gem_create_object = gc_shmem_gem_create_object,
	.prime_handle_to_fd = drm_gem_prime_handle_to_fd,
	.prime_fd_to_handle = drm_gem_prime_fd_to_handle,
	.gem_prime_import_sg_table = agx_gem_prime_import_sg_table,
	GC_DRM_DRIVER_PRIME_MMAP
	.name = AGX_DRIVER_NAME,
	.desc = "gpucore AGX-style GPU (simulated)",
	GC_DRM_DRIVER_DATE
	.major = 1,
	.minor = 0,
};

/*
 * The last reference to the DRM device is gone: every file is closed.
 * gc_device_fini() waits for the queues and VMs, and with them for the
 * BOs their work and mappings hold, before the firmware and the DRM
 * device go.
 */
static void agx_device_fini(struct drm_device *drm, void *data)
{
	struct agx_device *adev = data;
	unsigned int leaks;

	leaks = gc_device_fini(&adev->gdev);
	if (leaks)
		drm_err(drm, "%u gpucore references leaked\n", leaks);
	if (adev->fw)
		agx_fw_destroy(adev->fw);
	WARN_ON(atomic_read(&adev->nr_queues));
}

static int agx_probe(struct platform_device *pdev)
{
	struct agx_device *adev;
	struct agx_fw *fw;
	int ret;

	/* Imported dma-bufs are mapped for this device. */
	ret = dma_coerce_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	if (ret)
		return ret;
	adev = devm_drm_dev_alloc(&pdev->dev, &agx_drm_driver, struct agx_device, drm);
	if (IS_ERR(adev))
		return PTR_ERR(adev);
	gc_device_init(&adev->gdev, &adev->drm);
	atomic_set(&adev->queue_seq, 0);
	atomic_set(&adev->nr_queues, 0);
	ret = drmm_add_action_or_reset(&adev->drm, agx_device_fini, adev);
	if (ret)
		return ret;

	fw = agx_fw_create(AGX_DRIVER_NAME);
	if (IS_ERR_OR_NULL(fw))
		return fw ? PTR_ERR(fw) : -ENOMEM;
	adev->fw = fw;

	ret = drm_dev_register(&adev->drm, 0);
	if (ret)
		return ret;
	platform_set_drvdata(pdev, adev);
	return 0;
}

/*
 * Unbind, possibly with files open: fail all work with -ENODEV and refuse
 * new work. Everything else stays until the last file is closed.
 */
static void agx_remove(struct platform_device *pdev)
{
	struct agx_device *adev = platform_get_drvdata(pdev);

	gc_device_unplug(&adev->gdev);
}

static struct platform_driver agx_platform_driver = {
	.probe = agx_probe,
	GC_PLATFORM_REMOVE(agx_remove),
	.driver = {
		.name = AGX_DRIVER_NAME,
	},
};

static struct platform_device *agx_pdev;
module_sim_platform_driver(agx_platform_driver, agx_pdev);

MODULE_DESCRIPTION("gpucore AGX-style DRM driver for a simulated GPU");
MODULE_LICENSE("Dual MIT/GPL");
MODULE_IMPORT_NS(GPUCORE_NS);
