// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Ring buffers, the driver's side. The driver writes packets at its write
 * pointer and publishes them by committing: the new write pointer goes to
 * the doorbell (amdsim_hw_doorbell()), which wakes the CP. The CP consumes
 * packets at its read pointer. Both pointers count dwords and run freely;
 * the ring's mask turns them into offsets, so a packet may wrap around the
 * end of the ring. The ring is full when the driver would catch up with
 * the CP: one dword always stays free, as on hardware, where equal
 * pointers mean empty.
 *
 * Writers hold &amdsim_ring.lock from amdsim_ring_alloc() to
 * amdsim_ring_commit() or amdsim_ring_undo(); none of these sleep, since
 * jobs are written from the scheduler's run_job, on the fence signalling
 * path.
 */

#include <linux/slab.h>

#include "amdgpu.h"

/**
 * amdsim_ring_init() - set a ring up and give it to its CP, idle
 * @ring: the ring
 * @adev: the device, with its config and memory set up
 * @idx: the ring's index
 *
 * Context: process context; may sleep.
 * Return: 0 or -ENOMEM.
 */
int amdsim_ring_init(struct amdsim_ring *ring, struct amdsim_device *adev, unsigned int idx)
{
	ring->adev = adev;
	ring->idx = idx;
	snprintf(ring->name, sizeof(ring->name), "amdgpu-gfx%u", idx);
	ring->size_dw = adev->cfg.ring_dw;
	ring->mask = ring->size_dw - 1;
	spin_lock_init(&ring->lock);
	ring->fence_cpu = &adev->wb[AMDSIM_WB_FENCE(idx)];
	ring->fence_gpu = amdsim_wb_gpu_addr(adev, AMDSIM_WB_FENCE(idx));
	ring->buf = kvcalloc(ring->size_dw, sizeof(u32), GFP_KERNEL);
	ring->tl = gc_timeline_create(AMDSIM_DRIVER_NAME, ring->name, NULL);
	if (!ring->buf || IS_ERR(ring->tl)) {
		if (!IS_ERR(ring->tl))
			gc_timeline_put(ring->tl);
		kvfree(ring->buf);
		return -ENOMEM;
	}
	amdsim_hw_ring_setup(adev->hw, idx, ring->buf, ring->size_dw);
	return 0;
}

/**
 * amdsim_ring_fini() - free a ring
 * @ring: the ring; the hardware stopped, no fence in flight
 *
 * Context: process context.
 */
void amdsim_ring_fini(struct amdsim_ring *ring)
{
	gc_timeline_put(ring->tl);
	kvfree(ring->buf);
}

/**
 * amdsim_ring_rptr() - the CP's read pointer
 * @ring: the ring
 *
 * Context: any.
 * Return: the free-running read pointer; everything before it is consumed.
 */
u32 amdsim_ring_rptr(struct amdsim_ring *ring)
{
	return amdsim_hw_rptr(ring->adev->hw, ring->idx);
}

/**
 * amdsim_ring_alloc() - make room for @ndw dwords
 * @ring: the ring; &amdsim_ring.lock held
 * @ndw: dwords the caller will write
 *
 * Context: any; does not sleep.
 * Return: 0, or -ENOSPC if the CP has not consumed enough yet (nothing is
 * reserved then).
 */
int amdsim_ring_alloc(struct amdsim_ring *ring, u32 ndw)
{
	u32 used;

	lockdep_assert_held(&ring->lock);
	used = ring->wptr - amdsim_ring_rptr(ring);
	if (ndw > ring->size_dw - 1 - used)
		return -ENOSPC;
	ring->wptr_old = ring->wptr;
	return 0;
}

/**
 * amdsim_ring_write() - write dwords at the write pointer
 * @ring: the ring, with room made by amdsim_ring_alloc()
 * @dw: the dwords
 * @ndw: how many
 *
 * The CP sees them only once committed.
 *
 * Context: any; does not sleep.
 */
void amdsim_ring_write(struct amdsim_ring *ring, const u32 *dw, u32 ndw)
{
	u32 i;

	lockdep_assert_held(&ring->lock);
	for (i = 0; i < ndw; i++)
		ring->buf[(ring->wptr + i) & ring->mask] = dw[i];
	ring->wptr += ndw;
}

/**
 * amdsim_ring_undo() - forget what was written since amdsim_ring_alloc()
 * @ring: the ring
 *
 * Context: any; does not sleep.
 */
void amdsim_ring_undo(struct amdsim_ring *ring)
{
	lockdep_assert_held(&ring->lock);
	ring->wptr = ring->wptr_old;
}

/**
 * amdsim_ring_commit() - ring the doorbell
 * @ring: the ring
 *
 * Publishes every dword written so far and wakes the CP.
 *
 * Context: any; does not sleep.
 */
void amdsim_ring_commit(struct amdsim_ring *ring)
{
	lockdep_assert_held(&ring->lock);
	amdsim_hw_doorbell(ring->adev->hw, ring->idx, ring->wptr);
}

/**
 * amdsim_ring_reset() - empty a ring whose CP is halted
 * @ring: the ring; &amdsim_ring.lock held, CP halted
 *
 * Both pointers go back to 0 and the ring's contents are cleared, so the
 * CP resumes on an empty ring: packets that were not consumed never run.
 *
 * Context: any; does not sleep.
 */
void amdsim_ring_reset(struct amdsim_ring *ring)
{
	lockdep_assert_held(&ring->lock);
	memset(ring->buf, 0, ring->size_dw * sizeof(u32));
	ring->wptr = 0;
	ring->wptr_old = 0;
	amdsim_hw_cp_reset(ring->adev->hw, ring->idx);
	ring->resets++;
}
