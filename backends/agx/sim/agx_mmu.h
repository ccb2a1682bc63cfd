/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The GPU MMU of the simulated AGX: GPU accesses translated through a
 * gc_vm, one page at a time, with the mapping's permissions enforced.
 */
#ifndef _AGX_MMU_H_
#define _AGX_MMU_H_

#include <linux/types.h>

struct gc_vm;

int agx_mmu_read(struct gc_vm *vm, u64 va, void *buf, size_t len, u64 *fault_va);
int agx_mmu_write(struct gc_vm *vm, u64 va, const void *buf, size_t len, u64 *fault_va);

#endif /* _AGX_MMU_H_ */
