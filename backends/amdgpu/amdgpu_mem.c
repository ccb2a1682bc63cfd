// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The simulated memory the CP reaches: VRAM, a block of kernel memory seen
 * at AMDSIM_VRAM_BASE, and the GART, a table of system pages seen at
 * AMDSIM_GART_BASE. The first GART page is the writeback page, where the
 * CP writes the rings' fence seqnos.
 *
 * The CP accesses memory from its work item while the driver moves BOs in
 * process context. BOs the GPU uses are pinned, so their VRAM range and
 * GART entries do not change under the CP; the GART table is still read
 * under a spinlock, so that a packet addressing a page being unbound (a
 * driver bug) reads a page or a hole, never a freed page.
 */

#include <linux/highmem.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "amdgpu_drv.h"

/**
 * amdsim_mem_init() - create the device's VRAM, GART and writeback page
 * @adev: the device, with its &amdsim_device.cfg set
 *
 * Context: process context; may sleep.
 * Return: 0 or -ENOMEM.
 */
int amdsim_mem_init(struct amdsim_device *adev)
{
	int ret;

	mutex_init(&adev->mem_lock);
	spin_lock_init(&adev->gart_lock);
	INIT_LIST_HEAD(&adev->vram_lru);
	adev->vram = vzalloc(adev->cfg.vram_size);
	adev->gart_entries = adev->cfg.gtt_size >> PAGE_SHIFT;
	adev->gart = kvcalloc(adev->gart_entries, sizeof(*adev->gart), GFP_KERNEL);
	adev->wb_page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!adev->vram || !adev->gart || !adev->wb_page) {
		ret = -ENOMEM;
		goto err;
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
		goto err;
	}
	amdsim_gart_bind(adev, 0, &adev->wb_page, 1);
	return 0;

err:
	if (adev->wb_page)
		__free_page(adev->wb_page);
	kvfree(adev->gart);
	vfree(adev->vram);
	mutex_destroy(&adev->mem_lock);
	return ret;
}

/**
 * amdsim_mem_fini() - free the device's memory
 * @adev: the device; every BO must be freed
 *
 * Context: process context.
 */
void amdsim_mem_fini(struct amdsim_device *adev)
{
	amdsim_gart_unbind(adev, 0, 1);
	drm_mm_remove_node(&adev->wb_node);
	drm_mm_takedown(&adev->gtt_mm);
	drm_mm_takedown(&adev->vram_mm);
	__free_page(adev->wb_page);
	kvfree(adev->gart);
	vfree(adev->vram);
	mutex_destroy(&adev->mem_lock);
}

/**
 * amdsim_gart_bind() - point GART entries at pages
 * @adev: the device
 * @offset: byte offset in the aperture, page aligned
 * @pages: the pages
 * @n: how many
 *
 * Context: any; does not sleep.
 */
void amdsim_gart_bind(struct amdsim_device *adev, u64 offset, struct page **pages,
		      unsigned int n)
{
	unsigned long first = offset >> PAGE_SHIFT, flags;
	unsigned int i;

	spin_lock_irqsave(&adev->gart_lock, flags);
	for (i = 0; i < n; i++)
		adev->gart[first + i] = pages[i];
	spin_unlock_irqrestore(&adev->gart_lock, flags);
}

/**
 * amdsim_gart_unbind() - clear GART entries
 * @adev: the device
 * @offset: byte offset in the aperture, page aligned
 * @n: how many pages
 *
 * After it returns the CP no longer reaches those pages.
 *
 * Context: any; does not sleep.
 */
void amdsim_gart_unbind(struct amdsim_device *adev, u64 offset, unsigned int n)
{
	unsigned long first = offset >> PAGE_SHIFT, flags;
	unsigned int i;

	spin_lock_irqsave(&adev->gart_lock, flags);
	for (i = 0; i < n; i++)
		adev->gart[first + i] = NULL;
	spin_unlock_irqrestore(&adev->gart_lock, flags);
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

/* One access inside one GART page. */
static int amdsim_gart_rw(struct amdsim_device *adev, u64 off, void *buf, u32 len, bool write)
{
	unsigned long idx = off >> PAGE_SHIFT, flags;
	struct page *page;
	void *p;
	int ret = 0;

	spin_lock_irqsave(&adev->gart_lock, flags);
	page = idx < adev->gart_entries ? adev->gart[idx] : NULL;
	if (!page) {
		ret = -EFAULT;
	} else {
		p = kmap_local_page(page) + offset_in_page(off);
		if (write)
			memcpy(p, buf, len);
		else
			memcpy(buf, p, len);
		kunmap_local(p);
	}
	spin_unlock_irqrestore(&adev->gart_lock, flags);
	return ret;
}

/**
 * amdsim_mem_rw() - a memory access of the CP
 * @adev: the device
 * @addr: GPU address
 * @buf: the CP's side of the copy
 * @len: bytes
 * @write: copy @buf to @addr, else @addr to @buf
 *
 * An access is a fault, and does nothing, if any byte of it is outside
 * VRAM and the GART aperture or on a GART page with no entry. A GART
 * access spanning pages may have written its first pages when it faults.
 *
 * Context: any; does not sleep.
 * Return: 0 or -EFAULT.
 */
int amdsim_mem_rw(struct amdsim_device *adev, u64 addr, void *buf, u32 len, bool write)
{
	u64 vram_end = AMDSIM_VRAM_BASE + adev->cfg.vram_size;
	u64 gart_end = AMDSIM_GART_BASE + adev->cfg.gtt_size;
	int ret;

	if (addr >= AMDSIM_VRAM_BASE && addr < vram_end) {
		if (len > vram_end - addr)
			return -EFAULT;
		if (write)
			memcpy(adev->vram + (addr - AMDSIM_VRAM_BASE), buf, len);
		else
			memcpy(buf, adev->vram + (addr - AMDSIM_VRAM_BASE), len);
		return 0;
	}
	if (addr < AMDSIM_GART_BASE || addr >= gart_end || len > gart_end - addr)
		return -EFAULT;
	addr -= AMDSIM_GART_BASE;
	while (len) {
		u32 chunk = min_t(u64, len, PAGE_SIZE - offset_in_page(addr));

		ret = amdsim_gart_rw(adev, addr, buf, chunk, write);
		if (ret)
			return ret;
		addr += chunk;
		buf += chunk;
		len -= chunk;
	}
	return 0;
}
