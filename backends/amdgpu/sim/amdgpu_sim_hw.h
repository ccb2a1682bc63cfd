/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The simulated hardware's own state, shared by the files under sim/ and
 * by no one else: the driver sees only amdgpu_sim.h.
 */
#ifndef _AMDGPU_SIM_HW_H_
#define _AMDGPU_SIM_HW_H_

#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/irq_work.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include "amdgpu_sim.h"

/**
 * struct amdsim_cp - a ring's command processor
 * @hw: the hardware
 * @idx: the ring's index
 * @buf: the ring buffer, given by the driver; read only
 * @mask: the ring's size in dwords minus one
 * @wptr: the doorbell: the driver's write pointer as last committed
 * @rptr: the read pointer, free-running, written by the CP only
 * @halted: the CP does not execute (set and cleared by the driver)
 * @work: the CP's execution context
 * @bounce: the CP's buffer for COPY_DATA
 * @faults: memory accesses the CP dropped
 * @bad_packets: packets the CP could not parse (the ring hung on them)
 */
struct amdsim_cp {
	struct amdsim_hw *hw;
	unsigned int idx;
	const u32 *buf;
	u32 mask;
	u32 wptr;
	u32 rptr;
	bool halted;
	struct delayed_work work;
	void *bounce;
	atomic_t faults;
	atomic_t bad_packets;
};

/**
 * struct amdsim_hw - one simulated GPU
 * @cfg: what it was created with
 * @vram: the VRAM's backing memory
 * @gart_lock: protects @gart; the CPs take it around each page access
 * @gart: the GART table: the page behind each aperture page, or NULL
 * @gart_entries: entries in @gart
 * @cp_wq: runs the CPs
 * @cp: the CPs
 * @irq_work: the interrupt
 * @irq_pending: rings whose CP raised the interrupt, one bit each
 * @irqs: interrupts delivered
 */
struct amdsim_hw {
	struct amdsim_hw_config cfg;
	void *vram;
	spinlock_t gart_lock;	/* gart */
	struct page **gart;
	unsigned int gart_entries;
	struct workqueue_struct *cp_wq;
	struct amdsim_cp cp[AMDSIM_NUM_RINGS];
	struct irq_work irq_work;
	unsigned long irq_pending;
	atomic_t irqs;
};

/* amdgpu_sim_mem.c */
int amdsim_hw_mem_init(struct amdsim_hw *hw);
void amdsim_hw_mem_fini(struct amdsim_hw *hw);
int amdsim_hw_mem_rw(struct amdsim_hw *hw, u64 addr, void *buf, u32 len, bool write);

/* amdgpu_sim_cp.c */
int amdsim_hw_cp_init(struct amdsim_cp *cp, struct amdsim_hw *hw, unsigned int idx);
void amdsim_hw_cp_fini(struct amdsim_cp *cp);

/* A CP raises the interrupt for its ring. Context: any; does not sleep. */
static inline void amdsim_hw_irq_raise(struct amdsim_hw *hw, unsigned int ring)
{
	set_bit(ring, &hw->irq_pending);
	irq_work_queue(&hw->irq_work);
}

#endif /* _AMDGPU_SIM_HW_H_ */
