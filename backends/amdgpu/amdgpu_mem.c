// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The driver's view of the GPU's memory: the allocators of VRAM and of
 * the GART aperture, and the writeback page, at the start of the GART,
 * where the CP writes the rings' fence seqnos. The memory itself is the
 * hardware's (sim/amdgpu_sim.h).
 */

#include <linux/mm.h>

#include "amdgpu_drv.h"

/**
 * amdsim_mem_init() - set the allocators up and bind the writeback page
 * @adev: the device, with its &amdsim_device.cfg and hardware set
 *
 * Context: process context; may sleep.
 * Return: 0 or -ENOMEM.
 */
int amdsim_mem_init(struct amdsim_device *adev)
{
	int ret;

	mutex_init(&adev->mem_lock);
	INIT_LIST_HEAD(&adev->vram_lru);
	adev->vram = amdsim_hw_vram(adev->hw);
	adev->wb_page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!adev->wb_page) {
		mutex_destroy(&adev->mem_lock);
		return -ENOMEM;
	}
	adev->wb = page_address(adev->wb_page);
	drm_mm_init(&adev->vram_mm, 0, adev->cfg.vram_size);
	drm_mm_init(&adev->gtt_mm, 0, adev->cfg.gtt_size);
	adev->wb_node.start = 0;
	adev->wb_node.size = PAGE_SIZE;
	ret = drm_mm_reserve_node(&adev->gtt_mm, &adev->wb_node);
	if (ret) {
		drm_mm_takedown(&adev->gtt_mm);
		drm_mm_takedown(&adev->vram_mm);
		__free_page(adev->wb_page);
		mutex_destroy(&adev->mem_lock);
		return ret;
	}
	amdsim_hw_gart_bind(adev->hw, 0, &adev->wb_page, 1);
	return 0;
}

/**
 * amdsim_mem_fini() - take the allocators down, free the writeback page
 * @adev: the device; every BO must be freed
 *
 * Context: process context.
 */
void amdsim_mem_fini(struct amdsim_device *adev)
{
	amdsim_hw_gart_unbind(adev->hw, 0, 1);
	drm_mm_remove_node(&adev->wb_node);
	drm_mm_takedown(&adev->gtt_mm);
	drm_mm_takedown(&adev->vram_mm);
	__free_page(adev->wb_page);
	mutex_destroy(&adev->mem_lock);
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
	return AMDSIM_GART_BASE + adev->wb_node.start + slot * sizeof(u64);
}
