// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The driver's view of the GPU's memory, kept by TTM: a range manager for
 * VRAM and one for the GART aperture, whose first page is the writeback
 * page, where the CP writes the rings' fence seqnos. Moves between them
 * are CPU copies, once the BO is idle. The memory itself is the
 * hardware's (sim/amdgpu_sim.h).
 */

#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "amdgpu.h"

/* Page 0 of the GART is the writeback page's: BOs start at page 1. */
#define AMDSIM_GTT_FIRST_PAGE	1

/* Anywhere in VRAM. */
const struct ttm_place amdsim_place_vram = { .mem_type = TTM_PL_VRAM };
/* Anywhere in the GART but its first page. */
const struct ttm_place amdsim_place_gtt = {
	.fpfn = AMDSIM_GTT_FIRST_PAGE,
	.mem_type = TTM_PL_TT,
};

static const struct ttm_place amdsim_place_system = { .mem_type = TTM_PL_SYSTEM };

static struct amdsim_device *ttm_to_adev(struct ttm_device *bdev)
{
	return container_of(bdev, struct amdsim_device, ttm);
}

static struct ttm_tt *amdsim_ttm_tt_create(struct ttm_buffer_object *tbo, u32 page_flags)
{
	struct ttm_tt *tt = kzalloc(sizeof(*tt), GFP_KERNEL);

	if (!tt)
		return NULL;
	if (ttm_tt_init(tt, tbo, page_flags, ttm_cached, 0)) {
		kfree(tt);
		return NULL;
	}
	return tt;
}

static void amdsim_ttm_tt_destroy(struct ttm_device *bdev, struct ttm_tt *tt)
{
	ttm_tt_fini(tt);
	kfree(tt);
}

/* Out of VRAM into the GART; out of the GART into system memory. */
static void amdsim_evict_flags(struct ttm_buffer_object *tbo, struct ttm_placement *placement)
{
	bool vram = tbo->resource && tbo->resource->mem_type == TTM_PL_VRAM;

	gc_compat_ttm_placement(placement, vram ? &amdsim_place_gtt : &amdsim_place_system);
}

static void amdsim_gtt_bind(struct amdsim_device *adev, struct ttm_buffer_object *tbo,
			    struct ttm_resource *res)
{
	amdsim_hw_gart_bind(adev->hw, res->start << PAGE_SHIFT, tbo->ttm->pages,
			    tbo->ttm->num_pages);
}

static void amdsim_gtt_unbind(struct amdsim_device *adev, struct ttm_buffer_object *tbo,
			      struct ttm_resource *res)
{
	amdsim_hw_gart_unbind(adev->hw, res->start << PAGE_SHIFT, tbo->ttm->num_pages);
}

/* Does the BO's memory hold data, or is it new (read as zeroes)? */
static bool amdsim_bo_has_data(struct ttm_buffer_object *tbo)
{
	if (!tbo->resource)
		return false;
	if (tbo->resource->mem_type == TTM_PL_VRAM)
		return true;
	return tbo->ttm && ttm_tt_is_populated(tbo->ttm);
}

/* Into the GART: the pages TTM populated, mapped, filled, bound. */
static int amdsim_move_to_gtt(struct amdsim_device *adev, struct amdsim_bo *bo,
			      struct ttm_resource *new_mem)
{
	struct ttm_buffer_object *tbo = &bo->tbo;
	u32 from = tbo->resource ? tbo->resource->mem_type : TTM_PL_SYSTEM;
	bool data = amdsim_bo_has_data(tbo);
	void *vaddr = bo->vaddr;

	if (from == TTM_PL_VRAM || !vaddr) {
		vaddr = vmap(tbo->ttm->pages, tbo->ttm->num_pages, VM_MAP, PAGE_KERNEL);
		if (!vaddr)
			return -ENOMEM;
	}
	if (from == TTM_PL_VRAM)
		memcpy(vaddr, bo->vaddr, tbo->base.size);
	else if (!data)
		memset(vaddr, 0, tbo->base.size);
	amdsim_gtt_bind(adev, tbo, new_mem);
	bo->vaddr = vaddr;
	if (from == TTM_PL_VRAM)
		ttm_bo_move_sync_cleanup(tbo, new_mem);
	else
		ttm_bo_move_null(tbo, new_mem);
	return 0;
}

/* Into VRAM: the BO's data copied, its pages (if any) let go by TTM. */
static void amdsim_move_to_vram(struct amdsim_device *adev, struct amdsim_bo *bo,
				struct ttm_resource *new_mem)
{
	struct ttm_buffer_object *tbo = &bo->tbo;
	void *vaddr = adev->vram + (new_mem->start << PAGE_SHIFT);

	if (amdsim_bo_has_data(tbo))
		memcpy(vaddr, bo->vaddr, tbo->base.size);
	else
		memset(vaddr, 0, tbo->base.size);
	if (tbo->resource && tbo->resource->mem_type == TTM_PL_TT)
		amdsim_gtt_unbind(adev, tbo, tbo->resource);
	if (bo->vaddr && tbo->resource && tbo->resource->mem_type != TTM_PL_VRAM)
		vunmap(bo->vaddr);
	bo->vaddr = vaddr;
	ttm_bo_move_sync_cleanup(tbo, new_mem);
}

static int amdsim_move(struct ttm_buffer_object *tbo, bool evict, struct ttm_operation_ctx *ctx,
		       struct ttm_resource *new_mem, struct ttm_place *hop)
{
	struct amdsim_device *adev = ttm_to_adev(tbo->bdev);
	struct amdsim_bo *bo = ttm_to_amdsim_bo(tbo);
	u32 from = tbo->resource ? tbo->resource->mem_type : TTM_PL_SYSTEM;
	u32 to = new_mem->mem_type;
	int ret;

	/*
	 * System memory and VRAM meet in the GART, where TTM populates the
	 * pages (and brings swapped ones back) before the move.
	 */
	if ((from == TTM_PL_VRAM && to == TTM_PL_SYSTEM) ||
	    (from == TTM_PL_SYSTEM && to == TTM_PL_VRAM && amdsim_bo_has_data(tbo))) {
		*hop = amdsim_place_gtt;
		hop->flags |= TTM_PL_FLAG_TEMPORARY;
		return -EMULTIHOP;
	}
	/* TTM does not wait: the GPU may still use the old memory. */
	ret = ttm_bo_wait_ctx(tbo, ctx);
	if (ret)
		return ret;
	switch (to) {
	case TTM_PL_VRAM:
		amdsim_move_to_vram(adev, bo, new_mem);
		break;
	case TTM_PL_TT:
		ret = amdsim_move_to_gtt(adev, bo, new_mem);
		break;
	default:
		/* Out of the GART: the pages and their mapping stay. */
		if (from == TTM_PL_TT)
			amdsim_gtt_unbind(adev, tbo, tbo->resource);
		ttm_bo_move_null(tbo, new_mem);
		break;
	}
	if (!ret && evict && from == TTM_PL_VRAM)
		atomic_inc(&adev->evictions);
	return ret;
}

/*
 * Only idle BOs are evicted: a BO whose fences are pending (a job still
 * reads it, a CPU write is open) keeps its memory, and the allocation that
 * wanted the room looks elsewhere instead of waiting for it.
 */
static bool amdsim_eviction_valuable(struct ttm_buffer_object *tbo,
				     const struct ttm_place *place)
{
	return dma_resv_test_signaled(tbo->base.resv, DMA_RESV_USAGE_BOOKKEEP) &&
	       ttm_bo_eviction_valuable(tbo, place);
}

/* The BO's memory is going (destroy, or its pages swapped out). */
static void amdsim_release_mem(struct ttm_buffer_object *tbo)
{
	struct amdsim_device *adev = ttm_to_adev(tbo->bdev);
	struct amdsim_bo *bo = ttm_to_amdsim_bo(tbo);
	u32 type = tbo->resource ? tbo->resource->mem_type : TTM_PL_SYSTEM;

	if (type == TTM_PL_TT)
		amdsim_gtt_unbind(adev, tbo, tbo->resource);
	if (bo->vaddr && type != TTM_PL_VRAM)
		vunmap(bo->vaddr);
	bo->vaddr = NULL;
}

static struct ttm_device_funcs amdsim_ttm_funcs = {
	.ttm_tt_create = amdsim_ttm_tt_create,
	.ttm_tt_destroy = amdsim_ttm_tt_destroy,
	.eviction_valuable = amdsim_eviction_valuable,
	.evict_flags = amdsim_evict_flags,
	.move = amdsim_move,
	.delete_mem_notify = amdsim_release_mem,
	.swap_notify = amdsim_release_mem,
};

/**
 * amdsim_mem_init() - set the TTM device up and bind the writeback page
 * @adev: the device, with its &amdsim_device.cfg and hardware set
 *
 * Context: process context; may sleep.
 * Return: 0, -ENOMEM, or the error of TTM's initialisation.
 */
int amdsim_mem_init(struct amdsim_device *adev)
{
	int ret;

	adev->vram = amdsim_hw_vram(adev->hw);
	adev->wb_page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!adev->wb_page)
		return -ENOMEM;
	adev->wb = page_address(adev->wb_page);
	ret = gc_compat_ttm_device_init(&adev->ttm, &amdsim_ttm_funcs, &adev->drm);
	if (ret)
		goto err_page;
	ret = ttm_range_man_init(&adev->ttm, TTM_PL_VRAM, false,
				 adev->cfg.vram_size >> PAGE_SHIFT);
	if (ret)
		goto err_device;
	ret = ttm_range_man_init(&adev->ttm, TTM_PL_TT, true, adev->cfg.gtt_size >> PAGE_SHIFT);
	if (ret)
		goto err_vram;
	amdsim_hw_gart_bind(adev->hw, 0, &adev->wb_page, 1);
	return 0;

err_vram:
	ttm_range_man_fini(&adev->ttm, TTM_PL_VRAM);
err_device:
	ttm_device_fini(&adev->ttm);
err_page:
	__free_page(adev->wb_page);
	return ret;
}

/**
 * amdsim_mem_fini() - take the TTM device down, free the writeback page
 * @adev: the device; every BO's GEM object freed, every fence signalled
 *
 * BOs whose destruction TTM delayed (their fences were pending) go now.
 *
 * Context: process context; may sleep.
 */
void amdsim_mem_fini(struct amdsim_device *adev)
{
	ttm_range_man_fini(&adev->ttm, TTM_PL_VRAM);
	ttm_range_man_fini(&adev->ttm, TTM_PL_TT);
	ttm_device_fini(&adev->ttm);
	WARN_ON(atomic_read(&adev->nr_ttm_bos));
	amdsim_hw_gart_unbind(adev->hw, 0, 1);
	__free_page(adev->wb_page);
}

/**
 * amdsim_wb_gpu_addr() - GPU address of a writeback slot
 * @adev: the device
 * @slot: a 64-bit slot: AMDSIM_WB_FENCE() or AMDSIM_WB_SCRATCH()
 *
 * Return: the slot's address in the GART aperture.
 */
u64 amdsim_wb_gpu_addr(struct amdsim_device *adev, unsigned int slot)
{
	return AMDSIM_GART_BASE + slot * sizeof(u64);
}
