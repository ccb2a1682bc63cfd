// SPDX-License-Identifier: GPL-2.0-only OR MIT
/**
 * DOC: amdgpu stub BOs and their placement
 *
 * A BO is a TTM buffer object whose GEM object has gpucore attached, placed
 * by TTM in one of two domains:
 *
 * - VRAM: a range of the device's VRAM;
 * - GTT: TTM's pages for the BO, bound into the GART aperture.
 *
 * A BO is placed when it is created: in VRAM if its domains allow it,
 * evicting the least recently used unpinned BOs to make room; otherwise,
 * or if VRAM is full of pinned BOs, in GTT if allowed (the fallback). TTM
 * moves a BO only while it is unpinned, with its reservation held, once it
 * is idle (amdgpu_mem.c). The GPU uses a BO only while it is pinned for
 * that use (amdsim_bo_pin()): that pin first brings it back into an
 * allowed domain, VRAM first, so an evicted VRAM BO returns to VRAM on its
 * next use. Kernel mappings (gc_bo_vmap()) and gpucore pins pin the BO
 * where it is, placing it first if an eviction left it out of the GART.
 *
 * The BO's contents survive every move; a new BO reads as zeroes. When the
 * last reference to its GEM object goes, TTM destroys the BO, after its
 * fences have signalled if some are pending.
 */

#include <linux/slab.h>

#include "amdgpu.h"

/* Where TTM starts a BO: nowhere the GPU sees, nothing allocated. */
static const struct ttm_place amdsim_place_new = { .mem_type = TTM_PL_SYSTEM };

static struct amdsim_device *bo_adev(struct amdsim_bo *bo)
{
	return to_amdsim_device(bo->tbo.base.dev);
}

static u32 amdsim_bo_mem_type(struct amdsim_bo *bo)
{
	return bo->tbo.resource ? bo->tbo.resource->mem_type : TTM_PL_SYSTEM;
}

static u64 amdsim_bo_gpu_addr(struct amdsim_bo *bo)
{
	u64 base = amdsim_bo_mem_type(bo) == TTM_PL_VRAM ? AMDSIM_VRAM_BASE : AMDSIM_GART_BASE;

	return base + ((u64)bo->tbo.resource->start << PAGE_SHIFT);
}

/* The domain of where the BO is: 0 out of the GPU's reach. */
static u32 amdsim_bo_domain_locked(struct amdsim_bo *bo)
{
	switch (amdsim_bo_mem_type(bo)) {
	case TTM_PL_VRAM:
		return AMDSIM_DOMAIN_VRAM;
	case TTM_PL_TT:
		return AMDSIM_DOMAIN_GTT;
	default:
		return 0;
	}
}

/* Is this error TTM's "no room there"? */
static bool amdsim_no_room(int ret)
{
	return ret == -ENOMEM || ret == -ENOSPC || ret == -EBUSY;
}

/*
 * Place an unpinned @bo in an allowed domain, VRAM first; reservation
 * held. Each domain is validated on its own: one placement of both would
 * leave a BO already in GTT there rather than evict to bring it back.
 */
static int amdsim_bo_place(struct amdsim_bo *bo)
{
	struct ttm_operation_ctx ctx = {};
	struct ttm_placement pl;
	int ret = -ENOMEM;

	dma_resv_assert_held(bo->tbo.base.resv);
	if (bo->domains & AMDSIM_DOMAIN_VRAM) {
		gc_compat_ttm_placement(&pl, &amdsim_place_vram);
		ret = ttm_bo_validate(&bo->tbo, &pl, &ctx);
		if (!amdsim_no_room(ret))
			return ret;
	}
	if (bo->domains & AMDSIM_DOMAIN_GTT) {
		gc_compat_ttm_placement(&pl, &amdsim_place_gtt);
		ret = ttm_bo_validate(&bo->tbo, &pl, &ctx);
	}
	return amdsim_no_room(ret) ? -ENOMEM : ret;
}

/* Pin @bo where it is, placing it first if it is out of the GART. */
static int amdsim_bo_pin_here(struct amdsim_bo *bo)
{
	int ret;

	dma_resv_assert_held(bo->tbo.base.resv);
	if (!bo->tbo.pin_count && !amdsim_bo_domain_locked(bo)) {
		ret = amdsim_bo_place(bo);
		if (ret)
			return ret;
	}
	ttm_bo_pin(&bo->tbo);
	return 0;
}

static void amdsim_bo_destroy(struct ttm_buffer_object *tbo)
{
	struct amdsim_bo *bo = ttm_to_amdsim_bo(tbo);

	atomic_dec(&bo_adev(bo)->nr_ttm_bos);
	drm_gem_object_release(&tbo->base);
	kfree(bo);
}

static void amdsim_bo_free(struct drm_gem_object *obj)
{
	struct amdsim_bo *bo = gem_to_amdsim_bo(obj);

	if (bo->gc.gem)
		gc_bo_release(&bo->gc);
	WARN_ON(bo->tbo.pin_count);
	atomic_dec(&bo_adev(bo)->nr_bos);
	/* TTM destroys it now, or once its fences have signalled. */
	gc_compat_ttm_bo_put(&bo->tbo);
}

/* gpucore pins and kernel mappings pin the BO where it is. */
static int amdsim_bo_gem_pin(struct drm_gem_object *obj)
{
	bool lock = !gc_compat_gem_pin_holds_resv();
	int ret;

	if (lock)
		dma_resv_lock(obj->resv, NULL);
	ret = amdsim_bo_pin_here(gem_to_amdsim_bo(obj));
	if (lock)
		dma_resv_unlock(obj->resv);
	return ret;
}

/*
 * Drop a pin; the BO goes back on its domain's LRU list when unreserved
 * (kernels whose ttm_bo_unpin() does not put it back themselves need that).
 */
static void amdsim_bo_unpin_here(struct amdsim_bo *bo, bool lock)
{
	if (lock)
		dma_resv_lock(bo->tbo.base.resv, NULL);
	ttm_bo_unpin(&bo->tbo);
	if (lock)
		ttm_bo_unreserve(&bo->tbo);
}

static void amdsim_bo_gem_unpin(struct drm_gem_object *obj)
{
	amdsim_bo_unpin_here(gem_to_amdsim_bo(obj), !gc_compat_gem_pin_holds_resv());
}

static int amdsim_bo_vmap(struct drm_gem_object *obj, struct iosys_map *map)
{
	struct amdsim_bo *bo = gem_to_amdsim_bo(obj);
	bool lock = !gc_compat_gem_vmap_holds_resv();
	int ret;

	if (lock)
		dma_resv_lock(obj->resv, NULL);
	ret = amdsim_bo_pin_here(bo);
	/* The simulated VRAM is kernel memory too: no iomem here. */
	if (!ret)
		iosys_map_set_vaddr(map, bo->vaddr);
	if (lock)
		dma_resv_unlock(obj->resv);
	return ret;
}

static void amdsim_bo_vunmap(struct drm_gem_object *obj, struct iosys_map *map)
{
	amdsim_bo_unpin_here(gem_to_amdsim_bo(obj), !gc_compat_gem_vmap_holds_resv());
}

static const struct drm_gem_object_funcs amdsim_bo_funcs = {
	.free = amdsim_bo_free,
	.pin = amdsim_bo_gem_pin,
	.unpin = amdsim_bo_gem_unpin,
	.vmap = amdsim_bo_vmap,
	.vunmap = amdsim_bo_vunmap,
};

/**
 * amdsim_bo_create() - create a BO and place it
 * @adev: the device
 * @size: bytes, rounded up to pages
 * @domains: where the GPU may use it: %AMDSIM_DOMAIN_VRAM, %AMDSIM_DOMAIN_GTT
 *	or both (VRAM preferred, GTT the fallback)
 *
 * Context: process context; may sleep.
 * Return: the unique handle; an error handle that owns nothing on failure:
 * -EINVAL for a zero size or no domain, -ENOMEM if no allowed domain has
 * room (TTM's answer) or memory ran out.
 */
struct gc_bo_unique amdsim_bo_create(struct amdsim_device *adev, size_t size, u32 domains)
{
	struct ttm_operation_ctx ctx = {};
	struct gc_bo_unique unique;
	struct ttm_placement pl;
	struct amdsim_bo *bo;
	int ret;

	size = PAGE_ALIGN(size);
	if (!size || !domains || (domains & ~(AMDSIM_DOMAIN_VRAM | AMDSIM_DOMAIN_GTT)))
		return (struct gc_bo_unique){ .ptr = ERR_PTR(-EINVAL) };
	bo = kzalloc(sizeof(*bo), GFP_KERNEL);
	if (!bo)
		return (struct gc_bo_unique){ .ptr = ERR_PTR(-ENOMEM) };
	bo->domains = domains;
	bo->tbo.base.funcs = &amdsim_bo_funcs;
	drm_gem_private_object_init(&adev->drm, &bo->tbo.base, size);
	/* Born in system memory, placed below: the fallback needs two tries. */
	gc_compat_ttm_placement(&pl, &amdsim_place_new);
	atomic_inc(&adev->nr_ttm_bos);	/* amdsim_bo_destroy() drops it, whatever happens */
	ret = ttm_bo_init_reserved(&adev->ttm, &bo->tbo, ttm_bo_type_device, &pl, 0, &ctx,
				   NULL, NULL, amdsim_bo_destroy);
	if (ret)	/* TTM destroyed it */
		return (struct gc_bo_unique){ .ptr = ERR_PTR(ret) };
	/* From here on the GEM free path undoes everything. */
	atomic_inc(&adev->nr_bos);
	ret = amdsim_bo_place(bo);
	ttm_bo_unreserve(&bo->tbo);
	if (ret) {
		drm_gem_object_put(&bo->tbo.base);
		return (struct gc_bo_unique){ .ptr = ERR_PTR(ret) };
	}
	unique = gc_bo_attach(&bo->gc, &bo->tbo.base, &adev->gdev.refs);
	if (gc_is_err(unique))
		drm_gem_object_put(&bo->tbo.base);
	return unique;
}

/**
 * amdsim_bo_pin() - pin a BO for GPU use and get its GPU address
 * @bo: the BO
 * @gpu_addr: where its address goes
 *
 * A BO not pinned yet is first moved into an allowed domain, VRAM first
 * (evicting other BOs); one already pinned stays where it is, which must
 * then be an allowed domain. The address is valid until the matching
 * amdsim_bo_unpin(). The BO becomes the most recently used.
 *
 * Context: process context; may sleep.
 * Return: 0; -ENOMEM if no allowed domain has room; -EBUSY if the BO is
 * pinned outside its domains (a kernel mapping of an evicted BO).
 */
int amdsim_bo_pin(struct amdsim_bo *bo, u64 *gpu_addr)
{
	int ret = 0;

	dma_resv_lock(bo->tbo.base.resv, NULL);
	if (!bo->tbo.pin_count)
		ret = amdsim_bo_place(bo);
	else if (!(amdsim_bo_domain_locked(bo) & bo->domains))
		ret = -EBUSY;
	if (!ret) {
		ttm_bo_pin(&bo->tbo);
		*gpu_addr = amdsim_bo_gpu_addr(bo);
	}
	/* Unreserving makes it the last BO of its domain to be evicted. */
	ttm_bo_unreserve(&bo->tbo);
	return ret;
}

/**
 * amdsim_bo_unpin() - drop a pin
 * @bo: the BO, pinned
 *
 * Context: process context; may sleep.
 */
void amdsim_bo_unpin(struct amdsim_bo *bo)
{
	amdsim_bo_unpin_here(bo, true);
}

/**
 * amdsim_bo_domain() - where a BO is now
 * @bo: the BO
 *
 * Context: process context; may sleep.
 * Return: %AMDSIM_DOMAIN_VRAM, %AMDSIM_DOMAIN_GTT, or 0 for a BO an
 * eviction left in system memory, out of the GPU's reach.
 */
u32 amdsim_bo_domain(struct amdsim_bo *bo)
{
	u32 domain;

	/* Not ttm_bo_unreserve(): looking is not using. */
	dma_resv_lock(bo->tbo.base.resv, NULL);
	domain = amdsim_bo_domain_locked(bo);
	dma_resv_unlock(bo->tbo.base.resv);
	return domain;
}
