// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The memory the CPs reach: VRAM, a block of kernel memory seen at
 * %AMDSIM_VRAM_BASE, and the GART, a table of system pages seen at
 * %AMDSIM_GART_BASE that the driver fills.
 *
 * The CPs access memory from their work items while the driver moves BOs
 * in process context. The driver pins what the GPU uses, so VRAM ranges
 * and GART entries do not change under a CP; the GART table is still read
 * under a spinlock, so that a packet addressing a page being unbound (a
 * driver bug) reads a page or a hole, never a freed page.
 */

#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "amdgpu_sim_hw.h"

/* The VRAM and an empty GART table. */
int amdsim_hw_mem_init(struct amdsim_hw *hw)
{
	spin_lock_init(&hw->gart_lock);
	hw->vram = vzalloc(hw->cfg.vram_size);
	hw->gart_entries = hw->cfg.gtt_size >> PAGE_SHIFT;
	hw->gart = kvcalloc(hw->gart_entries, sizeof(*hw->gart), GFP_KERNEL);
	if (!hw->vram || !hw->gart) {
		amdsim_hw_mem_fini(hw);
		return -ENOMEM;
	}
	return 0;
}

void amdsim_hw_mem_fini(struct amdsim_hw *hw)
{
	kvfree(hw->gart);
	vfree(hw->vram);
}

/**
 * amdsim_hw_vram() - the VRAM as the CPU sees it
 * @hw: the hardware
 *
 * Return: the kernel address of the first byte of VRAM, valid until
 * amdsim_hw_destroy().
 */
void *amdsim_hw_vram(struct amdsim_hw *hw)
{
	return hw->vram;
}

/**
 * amdsim_hw_gart_bind() - point GART entries at pages
 * @hw: the hardware
 * @offset: byte offset in the aperture, page aligned
 * @pages: the pages
 * @n: how many
 *
 * Context: any; does not sleep.
 */
void amdsim_hw_gart_bind(struct amdsim_hw *hw, u64 offset, struct page **pages,
			 unsigned int n)
{
	unsigned long first = offset >> PAGE_SHIFT, flags;
	unsigned int i;

	spin_lock_irqsave(&hw->gart_lock, flags);
	for (i = 0; i < n; i++)
		hw->gart[first + i] = pages[i];
	spin_unlock_irqrestore(&hw->gart_lock, flags);
}

/**
 * amdsim_hw_gart_unbind() - clear GART entries
 * @hw: the hardware
 * @offset: byte offset in the aperture, page aligned
 * @n: how many pages
 *
 * After it returns the CPs no longer reach those pages.
 *
 * Context: any; does not sleep.
 */
void amdsim_hw_gart_unbind(struct amdsim_hw *hw, u64 offset, unsigned int n)
{
	unsigned long first = offset >> PAGE_SHIFT, flags;
	unsigned int i;

	spin_lock_irqsave(&hw->gart_lock, flags);
	for (i = 0; i < n; i++)
		hw->gart[first + i] = NULL;
	spin_unlock_irqrestore(&hw->gart_lock, flags);
}

/* One access inside one GART page. */
static int amdsim_hw_gart_rw(struct amdsim_hw *hw, u64 off, void *buf, u32 len, bool write)
{
	unsigned long idx = off >> PAGE_SHIFT, flags;
	struct page *page;
	void *p;
	int ret = 0;

	spin_lock_irqsave(&hw->gart_lock, flags);
	page = idx < hw->gart_entries ? hw->gart[idx] : NULL;
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
	spin_unlock_irqrestore(&hw->gart_lock, flags);
	return ret;
}

/*
 * A memory access of a CP: @len bytes between @buf and GPU address @addr.
 * It is a fault, and does nothing, if any byte of it is outside VRAM and
 * the GART aperture or on a GART page with no entry; a GART access
 * spanning pages may have written its first pages when it faults.
 * Returns 0 or -EFAULT. Context: any; does not sleep.
 */
int amdsim_hw_mem_rw(struct amdsim_hw *hw, u64 addr, void *buf, u32 len, bool write)
{
	u64 vram_end = AMDSIM_VRAM_BASE + hw->cfg.vram_size;
	u64 gart_end = AMDSIM_GART_BASE + hw->cfg.gtt_size;
	int ret;

	if (addr >= AMDSIM_VRAM_BASE && addr < vram_end) {
		if (len > vram_end - addr)
			return -EFAULT;
		if (write)
			memcpy(hw->vram + (addr - AMDSIM_VRAM_BASE), buf, len);
		else
			memcpy(buf, hw->vram + (addr - AMDSIM_VRAM_BASE), len);
		return 0;
	}
	if (addr < AMDSIM_GART_BASE || addr >= gart_end || len > gart_end - addr)
		return -EFAULT;
	addr -= AMDSIM_GART_BASE;
	while (len) {
		u32 chunk = min_t(u64, len, PAGE_SIZE - offset_in_page(addr));

		ret = amdsim_hw_gart_rw(hw, addr, buf, chunk, write);
		if (ret)
			return ret;
		addr += chunk;
		buf += chunk;
		len -= chunk;
	}
	return 0;
}
