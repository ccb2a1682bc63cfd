// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The AGX driver under the conformance suite: its queues, jobs, hang
 * handling and teardown (agx_job.c) on its simulated firmware (sim/agx_fw.c).
 * The adapter only builds what a probe and an open file would give those:
 * an &struct agx_device initialised as agx_probe() does (not registered, as
 * the suite needs no node) and one VM, as VM_CREATE makes it. A queue is
 * agx_queue_create() on that VM, destroyed by agx_queue_destroy() as
 * QUEUE_DESTROY does; a job is agx_queue_submit(), the kernel entry of
 * SUBMIT. A write is a FILL of one word through a mapping of the BO bound
 * just before the submission and unbound right after it, as VM_BIND would:
 * gpucore defers the unbind until the job is done, so the mapping the
 * firmware writes through is the job's. The BO is also the job's result
 * BO, which is how SUBMIT makes a job wait for the BO's earlier writers
 * and hold it; the record goes at the end of the BO, after the words the
 * suite writes. A hang is a HANG command. Unplug is agx_remove()'s.
 */

#include <linux/atomic.h>
#include <linux/device.h>
#include <linux/limits.h>
#include <drm/drm_drv.h>
#include <drm/drm_gem.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_ioctl.h>
#include <drm/drm_managed.h>

#include <gpucore/gpucore.h>

#include "agx.h"
#include "sim/agx_sim.h"
#include "conformance.h"

/* The device's final teardown has not run yet. */
#define CONF_AGX_ALIVE	UINT_MAX

/**
 * struct conf_agx_drm - the DRM device: the driver's device, and the case
 * @adev: the AGX device
 * @cdev: the case's context, NULL once the case stopped waiting for it
 */
struct conf_agx_drm {
	struct agx_device adev;
	struct conf_agx_dev *cdev;
};

/**
 * struct conf_agx_dev - an AGX device for one conformance case
 * @base: what the suite sees
 * @parent: the root device the DRM device hangs off
 * @ddev: the DRM device
 * @avm: the VM every queue runs in, as VM_CREATE makes it
 * @next_va: VA of the next binding; VAs are never reused
 * @leaks: gc_device_fini()'s count, stored by the final teardown
 * @test_opcodes: the driver's test_opcodes parameter before the case
 */
struct conf_agx_dev {
	struct gc_conf_dev base;
	struct device *parent;
	struct conf_agx_drm *ddev;
	struct agx_vm *avm;
	atomic64_t next_va;
	unsigned int leaks;
	bool test_opcodes;
};

/**
 * struct conf_agx_queue - a queue of the driver
 * @base: what the suite sees
 * @cdev: the device
 * @aq: the driver's queue, with the creator's reference QUEUE_CREATE gives
 */
struct conf_agx_queue {
	struct gc_conf_queue base;
	struct conf_agx_dev *cdev;
	struct agx_queue *aq;
};

/* BOs: gpucore shmem BOs, as GEM_CREATE makes them, that report their free. */
struct conf_agx_bo {
	struct gc_shmem_bo sbo;
	struct conf_agx_drm *ddev;
};

static void (*conf_agx_shmem_free)(struct drm_gem_object *obj);
static struct drm_gem_object_funcs conf_agx_bo_funcs;

static void conf_agx_bo_free(struct drm_gem_object *obj)
{
	struct conf_agx_bo *bo = container_of(obj, struct conf_agx_bo, sbo.shmem.base);
	struct conf_agx_dev *cdev = READ_ONCE(bo->ddev->cdev);
	struct iosys_map map;
	u32 word = 0;

	/* Nothing else can map it now: read what the GPU left in it. */
	if (!gc_compat_gem_vmap(obj, &map)) {
		word = iosys_map_rd(&map, 0, u32);
		gc_compat_gem_vunmap(obj, &map);
	}
	if (cdev)
		gc_conf_bo_freed(&cdev->base, word);
	conf_agx_shmem_free(obj);
}

static struct drm_gem_object *conf_agx_gem_create_object(struct drm_device *drm, size_t size)
{
	struct conf_agx_bo *bo = kzalloc(sizeof(*bo), GFP_KERNEL);

	if (!bo)
		return ERR_PTR(-ENOMEM);
	gc_shmem_bo_prepare(&bo->sbo);
	bo->ddev = container_of(drm, struct conf_agx_drm, adev.drm);
	return &bo->sbo.shmem.base;
}

DEFINE_DRM_GEM_FOPS(conf_agx_fops);

static const struct drm_driver conf_agx_driver = {
	.driver_features = DRIVER_GEM | DRIVER_RENDER | DRIVER_SYNCOBJ |
			   DRIVER_SYNCOBJ_TIMELINE,
	.gem_create_object = conf_agx_gem_create_object,
	.fops = &conf_agx_fops,
	.name = "gc-conf-agx",
	.desc = "the AGX driver under the gpucore conformance suite",
	GC_DRM_DRIVER_DATE
	.major = 1,
};

static struct conf_agx_dev *to_cdev(struct gc_conf_dev *dev)
{
	return container_of(dev, struct conf_agx_dev, base);
}

static struct agx_device *to_adev(struct gc_conf_dev *dev)
{
	return &to_cdev(dev)->ddev->adev;
}

static struct conf_agx_queue *to_cq(struct gc_conf_queue *q)
{
	return container_of(q, struct conf_agx_queue, base);
}

/*
 * The last reference to the DRM device is gone: agx_device_fini()'s
 * teardown. gpucore's state waits for the queues and the VMs (and so for
 * the BOs their work and mappings hold), then the firmware goes.
 */
static void conf_agx_fini(struct drm_device *drm, void *data)
{
	struct conf_agx_drm *ddev = data;
	struct agx_device *adev = &ddev->adev;
	unsigned int leaks;

	leaks = gc_device_fini(&adev->gdev);
	if (adev->fw)
		agx_fw_destroy(adev->fw);
	WARN_ON(atomic_read(&adev->nr_queues));
	if (ddev->cdev)
		ddev->cdev->leaks = leaks;
}

/* A VM of the device, as VM_CREATE makes it. */
static struct agx_vm *conf_agx_vm_create(struct agx_device *adev)
{
	struct agx_vm *avm = kzalloc(sizeof(*avm), GFP_KERNEL);
	struct gc_vm *vm;

	if (!avm)
		return ERR_PTR(-ENOMEM);
	vm = gc_vm_create(&adev->gdev, AGX_VA_START, AGX_VA_END - AGX_VA_START, NULL, NULL);
	if (IS_ERR(vm)) {
		kfree(avm);
		return ERR_CAST(vm);
	}
	avm->vm = vm;
	return avm;
}

static struct gc_conf_dev *conf_agx_create(struct kunit *test)
{
	struct conf_agx_dev *cdev = kunit_kzalloc(test, sizeof(*cdev), GFP_KERNEL);
	struct conf_agx_drm *ddev;
	struct agx_device *adev;
	struct device *parent;
	struct agx_vm *avm;
	int ret;

	if (!cdev)
		return ERR_PTR(-ENOMEM);
	atomic64_set(&cdev->next_va, AGX_VA_START);
	cdev->leaks = CONF_AGX_ALIVE;
	/* The suite's hangs use the test-only HANG command; restored at destroy. */
	cdev->test_opcodes = READ_ONCE(agx_test_opcodes);
	WRITE_ONCE(agx_test_opcodes, true);
	parent = root_device_register("gc-conf-agx");
	if (IS_ERR(parent))
		return ERR_CAST(parent);
	ddev = devm_drm_dev_alloc(parent, &conf_agx_driver, struct conf_agx_drm, adev.drm);
	if (IS_ERR(ddev)) {
		ret = PTR_ERR(ddev);
		goto err_parent;
	}
	ddev->cdev = cdev;
	cdev->parent = parent;
	cdev->ddev = ddev;

	/* agx_probe(), but for the DMA mask and the registration. */
	adev = &ddev->adev;
	gc_device_init(&adev->gdev, &adev->drm);
	atomic_set(&adev->queue_seq, 0);
	atomic_set(&adev->nr_queues, 0);
	ret = drmm_add_action_or_reset(&adev->drm, conf_agx_fini, ddev);
	if (ret)
		goto err_parent;
	adev->fw = agx_fw_create("gc-conf-agx");
	if (IS_ERR_OR_NULL(adev->fw)) {
		ret = adev->fw ? PTR_ERR(adev->fw) : -ENOMEM;
		adev->fw = NULL;
		goto err_parent;
	}
	avm = conf_agx_vm_create(adev);
	if (IS_ERR(avm)) {
		ret = PTR_ERR(avm);
		goto err_parent;
	}
	cdev->avm = avm;
	gc_conf_dev_init(&cdev->base, &gc_conf_agx, test, &adev->gdev, &adev->drm);
	return &cdev->base;

err_parent:
	/* Releases the DRM device and runs what its teardown was given. */
	root_device_unregister(parent);
	return ERR_PTR(ret);
}

/*
 * The file's close destroys its VM (agx_vm_destroy()); unregistering the
 * parent drops the last reference to the DRM device, whose final teardown
 * stores the leak count. Anything still holding the device would make that
 * teardown run later, after the case: that is refused and reported.
 */
static unsigned int conf_agx_destroy(struct gc_conf_dev *dev)
{
	struct conf_agx_dev *cdev = to_cdev(dev);
	struct agx_device *adev = to_adev(dev);
	struct drm_device *drm = &adev->drm;

	agx_vm_destroy(cdev->avm);
	WRITE_ONCE(agx_test_opcodes, cdev->test_opcodes);
	drm_dev_get(drm);
	root_device_unregister(cdev->parent);
	if (kref_read(&drm->ref) != 1) {
		KUNIT_FAIL(dev->test, "AGX device still referenced after teardown");
		WRITE_ONCE(cdev->ddev->cdev, NULL);
		drm_dev_put(drm);
		return 1;
	}
	drm_dev_put(drm);
	KUNIT_EXPECT_NE(dev->test, cdev->leaks, CONF_AGX_ALIVE);
	return cdev->leaks;
}

static struct gc_conf_queue *conf_agx_queue_create(struct gc_conf_dev *dev,
						   unsigned int timeout_ms)
{
	struct conf_agx_queue *cq = kunit_kzalloc(dev->test, sizeof(*cq), GFP_KERNEL);
	struct conf_agx_dev *cdev = to_cdev(dev);
	struct agx_queue *aq;
	unsigned int saved;

	if (!cq)
		return ERR_PTR(-ENOMEM);
	/*
	 * The driver's queues time out after its timeout_ms parameter: set
	 * for this queue only. The cases of a suite run one at a time, and
	 * nothing else creates AGX queues under KUnit.
	 */
	saved = READ_ONCE(agx_timeout_ms);
	WRITE_ONCE(agx_timeout_ms, timeout_ms);
	aq = agx_queue_create(to_adev(dev), cdev->avm->vm, DRM_AGX_PRIORITY_NORMAL);
	WRITE_ONCE(agx_timeout_ms, saved);
	if (IS_ERR(aq))
		return ERR_CAST(aq);
	cq->cdev = cdev;
	cq->aq = aq;
	cq->base.dev = dev;
	cq->base.gq = aq->gq;
	return &cq->base;
}

static void conf_agx_queue_destroy(struct gc_conf_queue *q)
{
	agx_queue_destroy(to_cq(q)->aq);
}

static struct gc_bo_ref conf_agx_bo_create(struct gc_conf_dev *dev, size_t size)
{
	struct gc_bo_unique u = gc_shmem_bo_create(dev->drm, size, &to_adev(dev)->gdev.refs);
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
	gc_bo_set_label(&u, "agx-bo");
	return gc_bo_share(&u);
}

/* The result record of a write's job: at the end of its BO. */
static u64 conf_agx_result_offset(struct gc_bo *bo)
{
	return ALIGN_DOWN(gc_bo_size(bo) - sizeof(struct drm_agx_result), 8);
}

static struct gc_fence_ref conf_agx_submit_write(struct gc_conf_queue *q, struct gc_bo *bo,
						 size_t offset, u32 value, struct dma_fence *dep)
{
	struct conf_agx_queue *cq = to_cq(q);
	struct gc_vm *vm = cq->cdev->avm->vm;
	size_t size = gc_bo_size(bo);
	struct gc_fence_ref done;
	u32 words[5];
	u64 va;
	int ret;

	if (size < sizeof(struct drm_agx_result) || !IS_ALIGNED(offset, sizeof(u32)) ||
	    offset + sizeof(u32) > conf_agx_result_offset(bo))
		return (struct gc_fence_ref){ .ptr = ERR_PTR(-EINVAL) };
	/* VM_BIND's map, at a VA of its own. */
	va = atomic64_fetch_add(PAGE_ALIGN(size), &cq->cdev->next_va);
	ret = gc_vm_bind(vm, bo, 0, va, PAGE_ALIGN(size), GC_VM_READ | GC_VM_WRITE);
	if (ret)
		return (struct gc_fence_ref){ .ptr = ERR_PTR(ret) };
	words[0] = DRM_AGX_CMD(DRM_AGX_OP_FILL, 4);
	words[1] = lower_32_bits(va + offset);
	words[2] = upper_32_bits(va + offset);
	words[3] = sizeof(u32);
	words[4] = value;
	done = agx_queue_submit(cq->aq, words, ARRAY_SIZE(words), bo,
				conf_agx_result_offset(bo), dep);
	/* VM_BIND's unmap: deferred until the job is done, if it was pushed. */
	WARN_ON(gc_vm_unbind(vm, va, PAGE_ALIGN(size)));
	return done;
}

static struct gc_fence_ref conf_agx_submit_hang(struct gc_conf_queue *q, struct dma_fence *dep)
{
	const u32 words[] = { DRM_AGX_CMD(DRM_AGX_OP_HANG, 0) };

	return agx_queue_submit(to_cq(q)->aq, words, ARRAY_SIZE(words), NULL, 0, dep);
}

static void conf_agx_unplug(struct gc_conf_dev *dev)
{
	/* agx_remove(). */
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
