// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The GPU MMU of the simulated AGX. The page tables are the gc_vm itself:
 * every access is translated page by page through gc_vm_find(), under the
 * VM lock, because an unbind may free the mapping and its page list as soon
 * as the lock is dropped. Taking the lock per page rather than per access
 * keeps a long GPU access from holding off binds for long.
 */

#include <linux/highmem.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/scatterlist.h>
#include <linux/string.h>

#include <gpucore/compat.h>
#include <gpucore/vm.h>

#include "agx_mmu.h"

/*
 * The page holding byte @offset of the pages in @sgt, the offset of that
 * byte in the page, and how many bytes from there the same page and
 * segment hold. NULL if @sgt is shorter than @offset. The table is not
 * DMA-mapped: its CPU view (orig_nents) is the one to walk. An sg_table has
 * no index, so the walk is linear in the number of segments.
 */
static struct page *agx_mmu_page(struct sg_table *sgt, u64 offset, size_t *in_page,
				 size_t *avail)
{
	struct scatterlist *sg;
	unsigned int i;

	for_each_sgtable_sg(sgt, sg, i) {
		if (offset < sg->length) {
			u64 pos = sg->offset + offset;

			*in_page = offset_in_page(pos);
			*avail = min_t(u64, PAGE_SIZE - *in_page, sg->length - offset);
			return gc_compat_nth_page(sg_page(sg), pos >> PAGE_SHIFT);
		}
		offset -= sg->length;
	}
	return NULL;
}

/*
 * Copy @len bytes from the GPU VA range at @va to @to (a read, @perm
 * %GC_VM_READ) or to it from @from (a write, @perm %GC_VM_WRITE), stopping
 * at the first page the GPU may not access that way.
 */
static int agx_mmu_access(struct gc_vm *vm, u64 va, void *to, const void *from, size_t len,
			  u32 perm, u64 *fault_va)
{
	while (len) {
		struct gc_vm_mapping *m;
		struct page *page = NULL;
		size_t in_page, chunk;
		void *vaddr;

		mutex_lock(&vm->lock);
		m = gc_vm_find(vm, va);
		if (m && (m->flags & perm) && m->sgt)
			page = agx_mmu_page(m->sgt, va - m->node.start, &in_page, &chunk);
		if (!page) {
			mutex_unlock(&vm->lock);
			if (fault_va)
				*fault_va = va;
			return -EFAULT;
		}
		chunk = min_t(u64, chunk, min_t(u64, len, m->node.start + m->node.size - va));

		vaddr = kmap_local_page(page);
		if (perm == GC_VM_READ) {
			memcpy(to, vaddr + in_page, chunk);
			to += chunk;
		} else {
			memcpy(vaddr + in_page, from, chunk);
			from += chunk;
		}
		kunmap_local(vaddr);
		mutex_unlock(&vm->lock);

		va += chunk;
		len -= chunk;
	}
	return 0;
}

/**
 * agx_mmu_read() - read GPU memory as the GPU would
 * @vm: the GPU address space
 * @va: GPU VA of the first byte
 * @buf: where the bytes go
 * @len: how many bytes
 * @fault_va: set to the first VA that faulted, on a fault; may be NULL
 *
 * Every byte must lie in a mapping of @vm that allows %GC_VM_READ and has
 * pages. On a fault the bytes before *@fault_va have been copied.
 *
 * Context: process context; takes the VM lock (may sleep).
 * Return: 0, or -EFAULT.
 */
int agx_mmu_read(struct gc_vm *vm, u64 va, void *buf, size_t len, u64 *fault_va)
{
	return agx_mmu_access(vm, va, buf, NULL, len, GC_VM_READ, fault_va);
}

/**
 * agx_mmu_write() - write GPU memory as the GPU would
 * @vm: the GPU address space
 * @va: GPU VA of the first byte
 * @buf: the bytes to write
 * @len: how many bytes
 * @fault_va: set to the first VA that faulted, on a fault; may be NULL
 *
 * Every byte must lie in a mapping of @vm that allows %GC_VM_WRITE and has
 * pages. On a fault the bytes before *@fault_va have been written.
 *
 * Context: process context; takes the VM lock (may sleep).
 * Return: 0, or -EFAULT.
 */
int agx_mmu_write(struct gc_vm *vm, u64 va, const void *buf, size_t len, u64 *fault_va)
{
	return agx_mmu_access(vm, va, NULL, buf, len, GC_VM_WRITE, fault_va);
}
