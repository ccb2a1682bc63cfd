// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The amdgpu stub under the conformance suite, through its in-kernel API
 * (backends/amdgpu/amdgpu.h): a device on a root device of its own, a
 * queue per ring, BOs that may live in VRAM or GTT, a write as one
 * WRITE_DATA packet and a hang as a WAIT_MEM that can never be satisfied.
 */

#include <linux/device.h>
#include <linux/slab.h>

#include "amdgpu.h"
#include "conformance.h"

/**
 * struct conf_amd_dev - an amdgpu stub device for one conformance case
 * @base: what the suite sees
 * @parent: the root device the DRM device hangs off
 * @adev: the device
 */
struct conf_amd_dev {
	struct gc_conf_dev base;
	struct device *parent;
	struct amdsim_device *adev;
};

/**
 * struct conf_amd_queue - a ring with its queue
 * @base: what the suite sees
 * @ring: the ring
 */
struct conf_amd_queue {
	struct gc_conf_queue base;
	struct amdsim_ring *ring;
};

static void (*conf_amd_bo_free_orig)(struct drm_gem_object *obj);
static struct drm_gem_object_funcs conf_amd_bo_funcs;

static struct conf_amd_dev *to_cad(struct gc_conf_dev *dev)
{
	return container_of(dev, struct conf_amd_dev, base);
}

/* The stub's free, after telling the suite what the BO held. */
static void conf_amd_bo_free(struct drm_gem_object *obj)
{
	struct amdsim_bo *bo = gem_to_amdsim_bo(obj);
	struct conf_amd_dev *cad = obj->dev->dev_private;

	/* Unpinned and unreferenced: its memory stays where it is until freed. */
	gc_conf_bo_freed(&cad->base, bo->vaddr ? READ_ONCE(*(u32 *)bo->vaddr) : 0);
	conf_amd_bo_free_orig(obj);
}

static struct gc_conf_dev *conf_amd_create(struct kunit *test)
{
	struct conf_amd_dev *cad = kunit_kzalloc(test, sizeof(*cad), GFP_KERNEL);
	struct amdsim_device *adev;
	struct device *parent;

	if (!cad)
		return ERR_PTR(-ENOMEM);
	parent = root_device_register("gc-conf-amdgpu");
	if (IS_ERR(parent))
		return ERR_CAST(parent);
	adev = amdsim_device_create(parent, NULL);
	if (IS_ERR(adev)) {
		root_device_unregister(parent);
		return ERR_CAST(adev);
	}
	adev->drm.dev_private = cad;
	cad->parent = parent;
	cad->adev = adev;
	gc_conf_dev_init(&cad->base, &gc_conf_amdgpu, test, &adev->gdev, &adev->drm);
	return &cad->base;
}

static unsigned int conf_amd_destroy(struct gc_conf_dev *dev)
{
	struct conf_amd_dev *cad = to_cad(dev);
	unsigned int leaks = amdsim_device_fini(cad->adev);

	/* Releases the devm-managed DRM device. */
	root_device_unregister(cad->parent);
	return leaks;
}

static struct gc_conf_queue *conf_amd_queue_create(struct gc_conf_dev *dev,
						   unsigned int timeout_ms)
{
	struct conf_amd_queue *caq = kunit_kzalloc(dev->test, sizeof(*caq), GFP_KERNEL);
	struct amdsim_ring *ring;

	if (!caq)
		return ERR_PTR(-ENOMEM);
	ring = amdsim_queue_create(to_cad(dev)->adev, timeout_ms);
	if (IS_ERR(ring))
		return ERR_CAST(ring);
	caq->ring = ring;
	caq->base.dev = dev;
	caq->base.gq = ring->gq;
	return &caq->base;
}

static void conf_amd_queue_destroy(struct gc_conf_queue *q)
{
	amdsim_queue_destroy(container_of(q, struct conf_amd_queue, base)->ring);
}

static struct gc_bo_ref conf_amd_bo_create(struct gc_conf_dev *dev, size_t size)
{
	struct gc_bo_unique u;
	struct drm_gem_object *gem;

	u = amdsim_bo_create(to_cad(dev)->adev, size, AMDSIM_DOMAIN_VRAM | AMDSIM_DOMAIN_GTT);
	if (gc_is_err(u))
		return (struct gc_bo_ref){ .ptr = ERR_CAST(u.ptr) };
	/* The stub's operations, with a free that reports to the suite. */
	gem = gc_bo_unique_borrow(&u)->gem;
	if (!conf_amd_bo_free_orig) {
		conf_amd_bo_funcs = *gem->funcs;
		conf_amd_bo_free_orig = conf_amd_bo_funcs.free;
		conf_amd_bo_funcs.free = conf_amd_bo_free;
	}
	gem->funcs = &conf_amd_bo_funcs;
	gc_conf_bo_created(dev);
	gc_bo_set_label(&u, "conformance");
	return gc_bo_share(&u);
}

static struct gc_fence_ref conf_amd_submit(struct gc_conf_queue *q, const u32 *ib, u32 ib_dw,
					   struct amdsim_bo *bo, struct dma_fence *dep)
{
	struct amdsim_job_bo jbo = { .bo = bo, .access = GC_ACCESS_WRITE };
	struct amdsim_job_desc desc = {
		.ib = ib,
		.ib_dw = ib_dw,
		.bos = &jbo,
		.nr_bos = bo ? 1 : 0,
		.dep = dep,
	};

	return amdsim_job_submit(container_of(q, struct conf_amd_queue, base)->ring, &desc);
}

static struct gc_fence_ref conf_amd_submit_write(struct gc_conf_queue *q, struct gc_bo *gbo,
						 size_t offset, u32 value, struct dma_fence *dep)
{
	struct amdsim_bo *bo = to_amdsim_bo(gbo);
	struct gc_fence_ref done;
	u32 ib[4];
	u64 addr;
	int ret;

	if (!IS_ALIGNED(offset, sizeof(u32)) || offset + sizeof(u32) > gc_bo_size(gbo))
		return (struct gc_fence_ref){ .ptr = ERR_PTR(-EINVAL) };
	/* Pinned while the packet is built with its address; the job pins it too. */
	ret = amdsim_bo_pin(bo, &addr);
	if (ret)
		return (struct gc_fence_ref){ .ptr = ERR_PTR(ret) };
	done = conf_amd_submit(q, ib, amdsim_pm4_write_data(ib, addr + offset, &value, 1), bo,
			       dep);
	amdsim_bo_unpin(bo);
	return done;
}

static struct gc_fence_ref conf_amd_submit_hang(struct gc_conf_queue *q, struct dma_fence *dep)
{
	struct amdsim_device *adev = to_cad(q->dev)->adev;
	u32 ib[5];

	/* (anything & 0) == 1 never holds: the CP waits until it is reset. */
	return conf_amd_submit(q, ib, amdsim_pm4_wait_mem(ib, amdsim_wb_gpu_addr(adev, 0), 1, 0),
			       NULL, dep);
}

static void conf_amd_unplug(struct gc_conf_dev *dev)
{
	amdsim_device_unplug(to_cad(dev)->adev);
}

const struct gc_conf_backend gc_conf_amdgpu = {
	.name = "amdgpu",
	.create = conf_amd_create,
	.destroy = conf_amd_destroy,
	.queue_create = conf_amd_queue_create,
	.queue_destroy = conf_amd_queue_destroy,
	.bo_create = conf_amd_bo_create,
	.submit_write = conf_amd_submit_write,
	.submit_hang = conf_amd_submit_hang,
	.unplug = conf_amd_unplug,
	.bo_read = gc_conf_bo_read_vmap,
};
