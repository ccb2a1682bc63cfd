// SPDX-License-Identifier: GPL-2.0-only OR MIT
/**
 * DOC: amdgpu stub BOs and their placement
 *
 * A BO is a GEM object with a shmem file and gpucore attached, placed in
 * one of two domains:
 *
 * - VRAM: a range of the device's VRAM, from a drm_mm allocator;
 * - GTT: the BO's shmem pages, bound into the GART aperture.
 *
 * A BO is placed when it is created: in VRAM if its domains allow it,
 * evicting the least recently used BOs that are not pinned to GTT to make
 * room; otherwise, or if VRAM is full of pinned BOs, in GTT if allowed
 * (the fallback). A BO only ever moves while unpinned, under the device's
 * memory lock, by a CPU copy. The GPU uses a BO only while it is pinned
 * for that use (amdsim_bo_pin()): that pin first brings it back into an
 * allowed domain, VRAM first, so an evicted VRAM BO returns to VRAM on its
 * next use. Kernel mappings (gc_bo_vmap()) and gpucore pins pin the BO
 * where it is.
 *
 * The BO's contents survive every move; a new BO reads as zeroes.
 */

#include <linux/slab.h>
#include <linux/vmalloc.h>

#include <gpucore/compat.h>

#include "amdgpu_drv.h"

static struct amdsim_device *bo_adev(struct amdsim_bo *bo)
{
	return to_amdsim_device(bo->base.dev);
}

static u64 amdsim_bo_gpu_addr(struct amdsim_bo *bo)
{
	return (bo->domain == AMDSIM_DOMAIN_VRAM ? AMDSIM_VRAM_BASE : AMDSIM_GART_BASE) +
	       bo->node.start;
}

static unsigned int bo_npages(struct amdsim_bo *bo)
{
	return bo->base.size >> PAGE_SHIFT;
}

/* Take a VRAM range for @bo, evicting unpinned BOs as needed. */
static int amdsim_vram_get(struct amdsim_bo *bo, struct drm_mm_node *node);

/* Map @bo's shmem pages into the GART; @bo's new memory is @bo->vaddr. */
static int amdsim_gtt_get(struct amdsim_bo *bo, struct drm_mm_node *node, struct page ***pages,
			  void **vaddr)
{
	struct amdsim_device *adev = bo_adev(bo);
	struct page **p;
	void *v;
	int ret;

	ret = drm_mm_insert_node(&adev->gtt_mm, node, bo->base.size);
	if (ret)
		return ret;
	p = drm_gem_get_pages(&bo->base);
	if (IS_ERR(p)) {
		drm_mm_remove_node(node);
		return PTR_ERR(p);
	}
	v = vmap(p, bo_npages(bo), VM_MAP, PAGE_KERNEL);
	if (!v) {
		drm_gem_put_pages(&bo->base, p, false, false);
		drm_mm_remove_node(node);
		return -ENOMEM;
	}
	amdsim_hw_gart_bind(adev->hw, node->start, p, bo_npages(bo));
	*pages = p;
	*vaddr = v;
	return 0;
}

/* Leave whatever domain @bo is in; its memory is gone. */
static void amdsim_bo_unplace(struct amdsim_bo *bo, bool dirty)
{
	struct amdsim_device *adev = bo_adev(bo);

	if (bo->domain == AMDSIM_DOMAIN_VRAM) {
		list_del_init(&bo->lru);
	} else if (bo->domain == AMDSIM_DOMAIN_GTT) {
		amdsim_hw_gart_unbind(adev->hw, bo->node.start, bo_npages(bo));
		vunmap(bo->vaddr);
		drm_gem_put_pages(&bo->base, bo->pages, dirty, dirty);
		bo->pages = NULL;
	}
	if (bo->domain)
		drm_mm_remove_node(&bo->node);
	bo->domain = 0;
	bo->vaddr = NULL;
}

/* Move an unplaced or unpinned @bo into @domain, keeping its contents. */
static int amdsim_bo_move(struct amdsim_bo *bo, u32 domain)
{
	struct amdsim_device *adev = bo_adev(bo);
	struct drm_mm_node node = {};
	struct page **pages = NULL;
	void *vaddr;
	int ret;

	lockdep_assert_held(&adev->mem_lock);
	if (bo->domain == domain)
		return 0;
	if (WARN_ON(bo->pin_count))
		return -EBUSY;
	if (domain == AMDSIM_DOMAIN_VRAM) {
		ret = amdsim_vram_get(bo, &node);
		if (ret)
			return ret;
		vaddr = adev->vram + node.start;
	} else {
		ret = amdsim_gtt_get(bo, &node, &pages, &vaddr);
		if (ret)
			return ret;
	}
	if (bo->domain)
		memcpy(vaddr, bo->vaddr, bo->base.size);
	else if (domain == AMDSIM_DOMAIN_VRAM)
		memset(vaddr, 0, bo->base.size);	/* new shmem pages are zero already */
	amdsim_bo_unplace(bo, true);
	gc_compat_drm_mm_move_node(&node, &bo->node);
	bo->domain = domain;
	bo->vaddr = vaddr;
	bo->pages = pages;
	if (domain == AMDSIM_DOMAIN_VRAM)
		list_add_tail(&bo->lru, &adev->vram_lru);
	return 0;
}

static int amdsim_vram_get(struct amdsim_bo *bo, struct drm_mm_node *node)
{
	struct amdsim_device *adev = bo_adev(bo);
	struct amdsim_bo *victim;
	int ret;

	for (;;) {
		ret = drm_mm_insert_node(&adev->vram_mm, node, bo->base.size);
		if (ret != -ENOSPC)
			return ret;
		/* The least recently used BO that may move. */
		victim = NULL;
		list_for_each_entry(victim, &adev->vram_lru, lru) {
			if (!victim->pin_count)
				break;
		}
		if (list_entry_is_head(victim, &adev->vram_lru, lru))
			return -ENOSPC;
		ret = amdsim_bo_move(victim, AMDSIM_DOMAIN_GTT);
		if (ret)
			return ret;
		adev->evictions++;
	}
}

/* Place @bo in an allowed domain, VRAM first; memory lock held. */
static int amdsim_bo_validate(struct amdsim_bo *bo)
{
	int ret = -ENOSPC;

	if (bo->domains & AMDSIM_DOMAIN_VRAM) {
		ret = amdsim_bo_move(bo, AMDSIM_DOMAIN_VRAM);
		if (!ret)
			return 0;
	}
	if (bo->domains & AMDSIM_DOMAIN_GTT)
		ret = amdsim_bo_move(bo, AMDSIM_DOMAIN_GTT);
	return ret;
}

static void amdsim_bo_free(struct drm_gem_object *obj)
{
	struct amdsim_bo *bo = container_of(obj, struct amdsim_bo, base);
	struct amdsim_device *adev = bo_adev(bo);

	if (bo->gc.gem)
		gc_bo_release(&bo->gc);
	mutex_lock(&adev->mem_lock);
	WARN_ON(bo->pin_count);
	amdsim_bo_unplace(bo, false);
	mutex_unlock(&adev->mem_lock);
	drm_gem_object_release(obj);
	kfree(bo);
	atomic_dec(&adev->nr_bos);
}

/* gpucore pins and kernel mappings pin the BO where it is. */
static int amdsim_bo_gem_pin(struct drm_gem_object *obj)
{
	struct amdsim_bo *bo = container_of(obj, struct amdsim_bo, base);
	struct amdsim_device *adev = bo_adev(bo);

	mutex_lock(&adev->mem_lock);
	bo->pin_count++;
	mutex_unlock(&adev->mem_lock);
	return 0;
}

static void amdsim_bo_gem_unpin(struct drm_gem_object *obj)
{
	amdsim_bo_unpin(container_of(obj, struct amdsim_bo, base));
}

static int amdsim_bo_vmap(struct drm_gem_object *obj, struct iosys_map *map)
{
	struct amdsim_bo *bo = container_of(obj, struct amdsim_bo, base);

	amdsim_bo_gem_pin(obj);
	/* The simulated VRAM is kernel memory too: no iomem here. */
	iosys_map_set_vaddr(map, bo->vaddr);
	return 0;
}

static void amdsim_bo_vunmap(struct drm_gem_object *obj, struct iosys_map *map)
{
	amdsim_bo_gem_unpin(obj);
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
 * -EINVAL for a zero size or no domain, -ENOSPC if no allowed domain has
 * room, -ENOMEM.
 */
struct gc_bo_unique amdsim_bo_create(struct amdsim_device *adev, size_t size, u32 domains)
{
	struct gc_bo_unique unique;
	struct amdsim_bo *bo;
	int ret;

	size = PAGE_ALIGN(size);
	if (!size || !domains || (domains & ~(AMDSIM_DOMAIN_VRAM | AMDSIM_DOMAIN_GTT)))
		return (struct gc_bo_unique){ .ptr = ERR_PTR(-EINVAL) };
	bo = kzalloc(sizeof(*bo), GFP_KERNEL);
	if (!bo)
		return (struct gc_bo_unique){ .ptr = ERR_PTR(-ENOMEM) };
	bo->base.funcs = &amdsim_bo_funcs;
	bo->domains = domains;
	INIT_LIST_HEAD(&bo->lru);
	ret = drm_gem_object_init(&adev->drm, &bo->base, size);
	if (ret) {
		kfree(bo);
		return (struct gc_bo_unique){ .ptr = ERR_PTR(ret) };
	}
	/* From here on the GEM free path undoes everything. */
	atomic_inc(&adev->nr_bos);
	mutex_lock(&adev->mem_lock);
	ret = amdsim_bo_validate(bo);
	mutex_unlock(&adev->mem_lock);
	if (ret) {
		drm_gem_object_put(&bo->base);
		return (struct gc_bo_unique){ .ptr = ERR_PTR(ret) };
	}
	unique = gc_bo_attach(&bo->gc, &bo->base, &adev->gdev.refs);
	if (gc_is_err(unique))
		drm_gem_object_put(&bo->base);
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
 * amdsim_bo_unpin().
 *
 * Context: process context; may sleep.
 * Return: 0; -ENOSPC if no allowed domain has room; -EBUSY if the BO is
 * pinned outside its domains (a kernel mapping of an evicted BO).
 */
int amdsim_bo_pin(struct amdsim_bo *bo, u64 *gpu_addr)
{
	struct amdsim_device *adev = bo_adev(bo);
	int ret = 0;

	mutex_lock(&adev->mem_lock);
	if (!bo->pin_count)
		ret = amdsim_bo_validate(bo);
	else if (!(bo->domain & bo->domains))
		ret = -EBUSY;
	if (!ret) {
		bo->pin_count++;
		/* Used now: the last to be evicted. */
		if (bo->domain == AMDSIM_DOMAIN_VRAM)
			list_move_tail(&bo->lru, &adev->vram_lru);
		*gpu_addr = amdsim_bo_gpu_addr(bo);
	}
	mutex_unlock(&adev->mem_lock);
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
	struct amdsim_device *adev = bo_adev(bo);

	mutex_lock(&adev->mem_lock);
	if (!WARN_ON(!bo->pin_count))
		bo->pin_count--;
	mutex_unlock(&adev->mem_lock);
}

/**
 * amdsim_bo_domain() - where a BO is now
 * @bo: the BO
 *
 * Return: %AMDSIM_DOMAIN_VRAM or %AMDSIM_DOMAIN_GTT.
 */
u32 amdsim_bo_domain(struct amdsim_bo *bo)
{
	struct amdsim_device *adev = bo_adev(bo);
	u32 domain;

	mutex_lock(&adev->mem_lock);
	domain = bo->domain;
	mutex_unlock(&adev->mem_lock);
	return domain;
}
