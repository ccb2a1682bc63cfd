// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The simulated command processor (CP): the hardware that consumes a
 * ring. One work item per ring, on the device's unbound workqueue, plays
 * it: woken by the doorbell (amdsim_cp_kick()), it executes the packets
 * from its read pointer up to the doorbell's write pointer, one at a time,
 * and advances the read pointer after each. A WAIT_MEM whose condition
 * does not hold stops it on that packet; it looks again every jiffy, as a
 * polling CP would, until the condition holds or the driver halts it. A
 * packet it cannot parse stops it for good: the ring hangs.
 *
 * The CP knows nothing of jobs or fences: it writes memory and raises the
 * interrupt. The driver halts it (amdsim_cp_halt()) before touching the
 * read pointer or the ring contents, and resumes it after.
 */

#include <linux/sched.h>

#include "amdgpu_drv.h"
#include "amdgpu_pm4.h"

/* What executing a packet did. */
enum amdsim_cp_step {
	AMDSIM_CP_DONE,		/* consumed; go on */
	AMDSIM_CP_WAIT,		/* not consumed; look again later */
	AMDSIM_CP_BAD,		/* not consumed, ever: the ring hangs */
};

static u32 cp_dw(struct amdsim_ring *ring, u32 ptr)
{
	return READ_ONCE(ring->buf[ptr & ring->mask]);
}

static u64 cp_addr(struct amdsim_ring *ring, u32 ptr)
{
	return cp_dw(ring, ptr) | (u64)cp_dw(ring, ptr + 1) << 32;
}

static void cp_fault(struct amdsim_ring *ring, int ret)
{
	if (ret)
		atomic_inc(&ring->faults);
}

/* WRITE_DATA: dst, then @n - 2 dwords. */
static enum amdsim_cp_step cp_write_data(struct amdsim_ring *ring, u32 p, u32 n)
{
	u64 dst = cp_addr(ring, p);
	u32 i, v;
	int ret = 0;

	if (n < 3)
		return AMDSIM_CP_BAD;
	for (i = 2; i < n && !ret; i++) {
		v = cp_dw(ring, p + i);
		ret = amdsim_mem_rw(ring->adev, dst + (i - 2) * sizeof(u32), &v, sizeof(v), true);
	}
	cp_fault(ring, ret);
	return AMDSIM_CP_DONE;
}

/* COPY_DATA: dst, src, bytes; through the bounce buffer, a page at a time. */
static enum amdsim_cp_step cp_copy_data(struct amdsim_ring *ring, u32 p, u32 n)
{
	u64 dst = cp_addr(ring, p), src = cp_addr(ring, p + 2);
	u32 bytes = cp_dw(ring, p + 4), chunk;
	int ret = 0;

	if (n != 5 || bytes % sizeof(u32) || bytes > AMDSIM_PM4_MAX_COPY)
		return AMDSIM_CP_BAD;
	while (bytes && !ret) {
		chunk = min_t(u32, bytes, PAGE_SIZE);
		ret = amdsim_mem_rw(ring->adev, src, ring->bounce, chunk, false);
		if (!ret)
			ret = amdsim_mem_rw(ring->adev, dst, ring->bounce, chunk, true);
		src += chunk;
		dst += chunk;
		bytes -= chunk;
	}
	cp_fault(ring, ret);
	return AMDSIM_CP_DONE;
}

/* WAIT_MEM: addr, ref, mask. */
static enum amdsim_cp_step cp_wait_mem(struct amdsim_ring *ring, u32 p, u32 n)
{
	u32 v;
	int ret;

	if (n != 4)
		return AMDSIM_CP_BAD;
	ret = amdsim_mem_rw(ring->adev, cp_addr(ring, p), &v, sizeof(v), false);
	if (ret) {
		/* Nothing to wait on: the packet is dropped like a faulting write. */
		cp_fault(ring, ret);
		return AMDSIM_CP_DONE;
	}
	return (v & cp_dw(ring, p + 3)) == cp_dw(ring, p + 2) ? AMDSIM_CP_DONE : AMDSIM_CP_WAIT;
}

/* FENCE: addr, seqno, flags. */
static enum amdsim_cp_step cp_fence(struct amdsim_ring *ring, u32 p, u32 n)
{
	u64 seq;
	int ret;

	if (n != 5)
		return AMDSIM_CP_BAD;
	seq = cp_addr(ring, p + 2);
	ret = amdsim_mem_rw(ring->adev, cp_addr(ring, p), &seq, sizeof(seq), true);
	cp_fault(ring, ret);
	if (!ret && (cp_dw(ring, p + 4) & AMDSIM_FENCE_INT)) {
		/* The seqno before the interrupt that announces it. */
		smp_wmb();
		amdsim_irq_raise(ring->adev, ring->idx);
	}
	return AMDSIM_CP_DONE;
}

/* Execute the packet whose header is at @rptr; @n payload dwords. */
static enum amdsim_cp_step cp_exec(struct amdsim_ring *ring, u32 hdr, u32 rptr, u32 n)
{
	u32 p = rptr + 1;

	switch (AMDSIM_PACKET_OP(hdr)) {
	case AMDSIM_PM4_NOP:
		return AMDSIM_CP_DONE;
	case AMDSIM_PM4_WRITE_DATA:
		return cp_write_data(ring, p, n);
	case AMDSIM_PM4_COPY_DATA:
		return cp_copy_data(ring, p, n);
	case AMDSIM_PM4_WAIT_MEM:
		return cp_wait_mem(ring, p, n);
	case AMDSIM_PM4_FENCE:
		return cp_fence(ring, p, n);
	default:
		return AMDSIM_CP_BAD;
	}
}

static void amdsim_cp_work(struct work_struct *work)
{
	struct amdsim_ring *ring = container_of(to_delayed_work(work), struct amdsim_ring,
						cp_work);
	enum amdsim_cp_step step;
	u32 rptr, wptr, hdr, n;

	for (;;) {
		if (READ_ONCE(ring->halted))
			return;
		/* The doorbell before the packets it shows. */
		wptr = smp_load_acquire(&ring->hw_wptr);
		rptr = ring->rptr;
		if (rptr == wptr)
			return;
		hdr = cp_dw(ring, rptr);
		n = AMDSIM_PACKET_COUNT(hdr);
		if (AMDSIM_PACKET_TYPE(hdr) != 3 || n >= wptr - rptr) {
			/* Garbage, or a packet longer than what was committed. */
			step = AMDSIM_CP_BAD;
		} else {
			step = cp_exec(ring, hdr, rptr, n);
		}
		if (step == AMDSIM_CP_BAD) {
			atomic_inc(&ring->bad_packets);
			return;
		}
		if (step == AMDSIM_CP_WAIT) {
			queue_delayed_work(ring->adev->cp_wq, &ring->cp_work, 1);
			return;
		}
		/* The packet's effects before the pointer that says it is consumed. */
		smp_store_release(&ring->rptr, rptr + 1 + n);
		cond_resched();
	}
}

/**
 * amdsim_cp_init() - set up a ring's CP, idle
 * @ring: the ring
 */
void amdsim_cp_init(struct amdsim_ring *ring)
{
	INIT_DELAYED_WORK(&ring->cp_work, amdsim_cp_work);
	atomic_set(&ring->faults, 0);
	atomic_set(&ring->bad_packets, 0);
	ring->halted = false;
}

/**
 * amdsim_cp_kick() - the doorbell: have the CP look at the ring
 * @ring: the ring
 *
 * Context: any; does not sleep.
 */
void amdsim_cp_kick(struct amdsim_ring *ring)
{
	mod_delayed_work(ring->adev->cp_wq, &ring->cp_work, 0);
}

/**
 * amdsim_cp_halt() - stop a ring's CP
 * @ring: the ring
 *
 * When it returns the CP executes nothing and touches neither the ring nor
 * memory until amdsim_cp_resume(). A packet being executed finishes first.
 *
 * Context: process context; may sleep.
 */
void amdsim_cp_halt(struct amdsim_ring *ring)
{
	WRITE_ONCE(ring->halted, true);
	cancel_delayed_work_sync(&ring->cp_work);
}

/**
 * amdsim_cp_resume() - restart a halted CP
 * @ring: the ring
 *
 * Context: any; does not sleep.
 */
void amdsim_cp_resume(struct amdsim_ring *ring)
{
	WRITE_ONCE(ring->halted, false);
	amdsim_cp_kick(ring);
}
