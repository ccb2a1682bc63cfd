/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The simulated amdgpu-style GPU, as its driver sees it: everything the
 * driver may touch of the hardware is declared here, and nothing under
 * sim/ calls into the driver.
 *
 * The hardware has memory, rings' command processors and an interrupt:
 * - Memory. VRAM, seen by the GPU at %AMDSIM_VRAM_BASE and by the CPU at
 *   amdsim_hw_vram() (the BAR), and the GART aperture at
 *   %AMDSIM_GART_BASE, a table of system pages the driver fills with
 *   amdsim_hw_gart_bind(). The CPs reach memory only through these
 *   addresses: an access outside both, or on a GART page with no entry,
 *   is a fault; it is dropped and counted (amdsim_hw_faults()).
 * - Command processors (CPs), one per ring. The driver gives each its
 *   ring buffer (amdsim_hw_ring_setup()), writes packets
 *   (amdgpu_pm4.h) and rings the doorbell with its write pointer
 *   (amdsim_hw_doorbell()); the CP executes up to it and publishes its
 *   read pointer (amdsim_hw_rptr()). The driver halts a CP before it
 *   touches the read pointer or what the CP has not consumed.
 * - The interrupt. A FENCE packet with %AMDSIM_FENCE_INT raises it after
 *   writing its seqno; the handler the driver registered at creation runs
 *   in hard interrupt context with the rings that raised it. Raising it
 *   again before the handler ran is one interrupt.
 *
 * Symbols: the whole backend is amdsim_ (the real driver owns amdgpu_);
 * the hardware's are amdsim_hw_, defined only under sim/.
 */
#ifndef _AMDGPU_SIM_H_
#define _AMDGPU_SIM_H_

#include <linux/types.h>

#include "amdgpu_pm4.h"

struct page;
struct amdsim_hw;

/* Rings, each with its CP. */
#define AMDSIM_NUM_RINGS	4

/* GPU addresses of the two apertures. */
#define AMDSIM_VRAM_BASE	0x0000000100000000ull
#define AMDSIM_GART_BASE	0x0000000200000000ull

/**
 * struct amdsim_hw_config - what the simulated hardware is made of
 * @name: names the CPs' workqueue
 * @vram_size: bytes of VRAM, a multiple of PAGE_SIZE
 * @gtt_size: bytes of GART aperture, a multiple of PAGE_SIZE
 * @irq_handler: the driver's interrupt handler; @rings has one bit per
 *	ring whose CP raised the interrupt since the handler last ran.
 *	Context: hard interrupt; it must not sleep.
 * @irq_data: @irq_handler's first argument
 */
struct amdsim_hw_config {
	const char *name;
	size_t vram_size;
	size_t gtt_size;
	void (*irq_handler)(void *irq_data, unsigned long rings);
	void *irq_data;
};

struct amdsim_hw *amdsim_hw_create(const struct amdsim_hw_config *cfg);
void amdsim_hw_stop(struct amdsim_hw *hw);
void amdsim_hw_destroy(struct amdsim_hw *hw);

void *amdsim_hw_vram(struct amdsim_hw *hw);
void amdsim_hw_gart_bind(struct amdsim_hw *hw, u64 offset, struct page **pages,
			 unsigned int n);
void amdsim_hw_gart_unbind(struct amdsim_hw *hw, u64 offset, unsigned int n);

void amdsim_hw_ring_setup(struct amdsim_hw *hw, unsigned int ring, const u32 *buf,
			  u32 size_dw);
void amdsim_hw_doorbell(struct amdsim_hw *hw, unsigned int ring, u32 wptr);
u32 amdsim_hw_doorbell_wptr(struct amdsim_hw *hw, unsigned int ring);
u32 amdsim_hw_rptr(struct amdsim_hw *hw, unsigned int ring);
void amdsim_hw_cp_halt(struct amdsim_hw *hw, unsigned int ring);
void amdsim_hw_cp_resume(struct amdsim_hw *hw, unsigned int ring);
bool amdsim_hw_cp_halted(struct amdsim_hw *hw, unsigned int ring);
void amdsim_hw_cp_reset(struct amdsim_hw *hw, unsigned int ring);

unsigned int amdsim_hw_faults(struct amdsim_hw *hw, unsigned int ring);
unsigned int amdsim_hw_bad_packets(struct amdsim_hw *hw, unsigned int ring);
unsigned int amdsim_hw_irqs(struct amdsim_hw *hw);

#endif /* _AMDGPU_SIM_H_ */
