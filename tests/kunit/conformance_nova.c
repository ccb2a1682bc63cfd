// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The nova backend under the conformance suite: the driver itself, with no
 * adapter logic of its own. A device is nova_device_create() on a root
 * device (unregistered, as the suite needs no node); a queue is a nova
 * channel; a BO is a CPU-visible BO in the GSP's video memory; a write and
 * a hang are NOVA_OP_WRITE and NOVA_OP_HANG submissions the simulated GSP
 * runs; unplug is the driver's own; a BO is read back through gpucore's
 * CPU access and kernel mapping.
 */

#include <linux/device.h>
#include <linux/err.h>
#include <linux/limits.h>
#include <drm/drm_drv.h>

#include <gpucore/gpucore.h>

#include "conformance.h"
#include "nova_drv.h"

/* The device's final teardown has not run yet. */
#define CONF_NOVA_ALIVE	UINT_MAX

/**
 * struct conf_nova_dev - a nova device for one conformance case
 * @base: what the suite sees
 * @parent: the root device the DRM device hangs off
 * @ndev: the nova device
 * @leaks: gc_device_fini()'s count, stored by the final teardown
 */
struct conf_nova_dev {
	struct gc_conf_dev base;
	struct device *parent;
	struct nova_device *ndev;
	unsigned int leaks;
};

/**
 * struct conf_nova_queue - a nova channel
 * @base: what the suite sees
 * @chan: the channel
 */
struct conf_nova_queue {
	struct gc_conf_queue base;
	struct nova_chan *chan;
};

static struct conf_nova_dev *to_cnd(struct gc_conf_dev *dev)
{
	return container_of(dev, struct conf_nova_dev, base);
}

static struct nova_chan *to_chan(struct gc_conf_queue *q)
{
	return container_of(q, struct conf_nova_queue, base)->chan;
}

static struct gc_conf_dev *conf_nova_create(struct kunit *test)
{
	struct conf_nova_dev *cnd = kunit_kzalloc(test, sizeof(*cnd), GFP_KERNEL);
	struct nova_config cfg = nova_default_config;
	struct nova_device *ndev;
	struct device *parent;

	if (!cnd)
		return ERR_PTR(-ENOMEM);
	parent = root_device_register("gc-conf-nova");
	if (IS_ERR(parent))
		return ERR_CAST(parent);
	/* Outlives the device: freed with the case, after the suite's teardown. */
	cnd->leaks = CONF_NOVA_ALIVE;
	cfg.leaks = &cnd->leaks;
	cfg.vram_size = SZ_4M;
	cfg.vram_visible = SZ_4M;
	ndev = nova_device_create(parent, &cfg);
	if (IS_ERR(ndev)) {
		root_device_unregister(parent);
		return ERR_CAST(ndev);
	}
	cnd->parent = parent;
	cnd->ndev = ndev;
	gc_conf_dev_init(&cnd->base, &gc_conf_nova, test, &ndev->gdev, &ndev->drm);
	return &cnd->base;
}

/*
 * Unregistering the parent drops the last reference to the DRM device,
 * whose final teardown waits for the queues and stores the leak count.
 * Anything still holding the device would make that teardown run later,
 * into freed memory: that is refused and reported instead.
 */
static unsigned int conf_nova_destroy(struct gc_conf_dev *dev)
{
	struct conf_nova_dev *cnd = to_cnd(dev);
	struct drm_device *drm = &cnd->ndev->drm;

	drm_dev_get(drm);
	root_device_unregister(cnd->parent);
	if (kref_read(&drm->ref) != 1) {
		KUNIT_FAIL(dev->test, "nova device still referenced after teardown");
		cnd->ndev->cfg.leaks = NULL;
		drm_dev_put(drm);
		return 1;
	}
	drm_dev_put(drm);
	KUNIT_EXPECT_NE(dev->test, cnd->leaks, CONF_NOVA_ALIVE);
	return cnd->leaks;
}

static struct gc_conf_queue *conf_nova_queue_create(struct gc_conf_dev *dev,
						    unsigned int timeout_ms)
{
	struct conf_nova_queue *cq = kunit_kzalloc(dev->test, sizeof(*cq), GFP_KERNEL);
	struct nova_chan *chan;

	if (!cq)
		return ERR_PTR(-ENOMEM);
	chan = nova_chan_create(to_cnd(dev)->ndev, timeout_ms);
	if (IS_ERR(chan))
		return ERR_CAST(chan);
	cq->chan = chan;
	cq->base.dev = dev;
	cq->base.gq = chan->gq;
	return &cq->base;
}

static void conf_nova_queue_destroy(struct gc_conf_queue *q)
{
	nova_chan_destroy(to_chan(q));
}

/* The BO's memory is about to go back to the GSP: tell the suite. */
static void conf_nova_bo_free(struct nova_bo *bo, void *data)
{
	const u32 *first = nova_bo_cpu_addr(bo);

	gc_conf_bo_freed(data, READ_ONCE(*first));
}

static struct gc_bo_ref conf_nova_bo_create(struct gc_conf_dev *dev, size_t size)
{
	struct gc_bo_unique u;
	struct nova_bo *nbo;

	/* Zero-filled: the GSP wipes every range it allocates. */
	u = nova_bo_create(to_cnd(dev)->ndev, size, NOVA_BO_CPU_VISIBLE);
	if (gc_is_err(u))
		return (struct gc_bo_ref){ .ptr = u.ptr };
	/* Set up while the BO is still unique. */
	nbo = nova_bo_from_gc(gc_bo_unique_borrow(&u));
	nbo->on_free = conf_nova_bo_free;
	nbo->on_free_data = dev;
	gc_conf_bo_created(dev);
	return gc_bo_share(&u);
}

static struct gc_fence_ref conf_nova_submit_write(struct gc_conf_queue *q, struct gc_bo *bo,
						  size_t offset, u32 value, struct dma_fence *dep)
{
	struct nova_work w = {
		.op = NOVA_OP_WRITE,
		.dst = bo,
		.dst_offset = offset,
		.value = value,
	};

	return nova_submit(to_chan(q), &w, dep);
}

static struct gc_fence_ref conf_nova_submit_hang(struct gc_conf_queue *q, struct dma_fence *dep)
{
	struct nova_work w = { .op = NOVA_OP_HANG };

	return nova_submit(to_chan(q), &w, dep);
}

static void conf_nova_unplug(struct gc_conf_dev *dev)
{
	nova_device_unplug(to_cnd(dev)->ndev);
}

const struct gc_conf_backend gc_conf_nova = {
	.name = "nova",
	.create = conf_nova_create,
	.destroy = conf_nova_destroy,
	.queue_create = conf_nova_queue_create,
	.queue_destroy = conf_nova_queue_destroy,
	.bo_create = conf_nova_bo_create,
	.submit_write = conf_nova_submit_write,
	.submit_hang = conf_nova_submit_hang,
	.unplug = conf_nova_unplug,
	.bo_read = gc_conf_bo_read_vmap,
};
