// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The simulated command processor (CP): the hardware that consumes a
 * ring. One work item per ring, on the device's unbound workqueue, plays
 * it: woken by the doorbell (amdsim_hw_doorbell()), it executes the packets
 * from its read pointer up to the doorbell's write pointer, one at a time,
 * and advances the read pointer after each. A WAIT_MEM whose condition
 * does not hold stops it on that packet; it looks again every jiffy, as a
 * polling CP would, until the condition holds or the driver halts it. A
 * packet it cannot parse stops it for good: the ring hangs.
 *
 * The CP knows nothing of jobs or fences: it writes memory and raises the
 * interrupt. The driver halts it (amdsim_hw_cp_halt()) before touching the
 * read pointer or the ring contents, and resumes it after.
 */

#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "amdgpu_sim_hw.h"

/* What executing a packet did. */
enum amdsim_cp_step {
	AMDSIM_CP_DONE,		/* consumed; go on */
	AMDSIM_CP_WAIT,		/* not consumed; look again later */
	AMDSIM_CP_BAD,		/* not consumed, ever: the ring hangs */
};

static u32 cp_dw(struct amdsim_cp *cp, u32 ptr)
{
	return READ_ONCE(cp->buf[ptr & cp->mask]);
}

static u64 cp_addr(struct amdsim_cp *cp, u32 ptr)
{
	return cp_dw(cp, ptr) | (u64)cp_dw(cp, ptr + 1) << 32;
}

static void cp_fault(struct amdsim_cp *cp, int ret)
{
	if (ret)
		atomic_inc(&cp->faults);
}

/* WRITE_DATA: dst, then @n - 2 dwords. */
static enum amdsim_cp_step cp_write_data(struct amdsim_cp *cp, u32 p, u32 n)
{
	u64 dst = cp_addr(cp, p);
	u32 i, v;
	int ret = 0;

	if (n < 3)
		return AMDSIM_CP_BAD;
	for (i = 2; i < n && !ret; i++) {
		v = cp_dw(cp, p + i);
		ret = amdsim_hw_mem_rw(cp->hw, dst + (i - 2) * sizeof(u32), &v, sizeof(v), true);
	}
	cp_fault(cp, ret);
	return AMDSIM_CP_DONE;
}

/* COPY_DATA: dst, src, bytes; through the bounce buffer, a page at a time. */
static enum amdsim_cp_step cp_copy_data(struct amdsim_cp *cp, u32 p, u32 n)
{
	u64 dst = cp_addr(cp, p), src = cp_addr(cp, p + 2);
	u32 bytes = cp_dw(cp, p + 4), chunk;
	int ret = 0;

	if (n != 5 || bytes % sizeof(u32) || bytes > AMDSIM_PM4_MAX_COPY)
		return AMDSIM_CP_BAD;
	while (bytes && !ret) {
		chunk = min_t(u32, bytes, PAGE_SIZE);
		ret = amdsim_hw_mem_rw(cp->hw, src, cp->bounce, chunk, false);
		if (!ret)
			ret = amdsim_hw_mem_rw(cp->hw, dst, cp->bounce, chunk, true);
		src += chunk;
		dst += chunk;
		bytes -= chunk;
	}
	cp_fault(cp, ret);
	return AMDSIM_CP_DONE;
}

/* WAIT_MEM: addr, ref, mask. */
static enum amdsim_cp_step cp_wait_mem(struct amdsim_cp *cp, u32 p, u32 n)
{
	u32 v;
	int ret;

	if (n != 4)
		return AMDSIM_CP_BAD;
	ret = amdsim_hw_mem_rw(cp->hw, cp_addr(cp, p), &v, sizeof(v), false);
	if (ret) {
		/* Nothing to wait on: the packet is dropped like a faulting write. */
		cp_fault(cp, ret);
		return AMDSIM_CP_DONE;
	}
	return (v & cp_dw(cp, p + 3)) == cp_dw(cp, p + 2) ? AMDSIM_CP_DONE : AMDSIM_CP_WAIT;
}

/* FENCE: addr, seqno, flags. */
static enum amdsim_cp_step cp_fence(struct amdsim_cp *cp, u32 p, u32 n)
{
	u64 seq;
	int ret;

	if (n != 5)
		return AMDSIM_CP_BAD;
	seq = cp_addr(cp, p + 2);
	ret = amdsim_hw_mem_rw(cp->hw, cp_addr(cp, p), &seq, sizeof(seq), true);
	cp_fault(cp, ret);
	if (!ret && (cp_dw(cp, p + 4) & AMDSIM_FENCE_INT)) {
		/* The seqno before the interrupt that announces it. */
		smp_wmb();
		amdsim_hw_irq_raise(cp->hw, cp->idx);
	}
	return AMDSIM_CP_DONE;
}

/* Execute the packet whose header is at @rptr; @n payload dwords. */
static enum amdsim_cp_step cp_exec(struct amdsim_cp *cp, u32 hdr, u32 rptr, u32 n)
{
	u32 p = rptr + 1;

	switch (AMDSIM_PACKET_OP(hdr)) {
	case AMDSIM_PM4_NOP:
		return AMDSIM_CP_DONE;
	case AMDSIM_PM4_WRITE_DATA:
		return cp_write_data(cp, p, n);
	case AMDSIM_PM4_COPY_DATA:
		return cp_copy_data(cp, p, n);
	case AMDSIM_PM4_WAIT_MEM:
		return cp_wait_mem(cp, p, n);
	case AMDSIM_PM4_FENCE:
		return cp_fence(cp, p, n);
	default:
		return AMDSIM_CP_BAD;
	}
}

static void amdsim_cp_work(struct work_struct *work)
{
	struct amdsim_cp *cp = container_of(to_delayed_work(work), struct amdsim_cp, work);
	enum amdsim_cp_step step;
	u32 rptr, wptr, hdr, n;

	for (;;) {
		if (READ_ONCE(cp->halted))
			return;
		/* The doorbell before the packets it shows. */
		wptr = smp_load_acquire(&cp->wptr);
		rptr = cp->rptr;
		if (rptr == wptr)
			return;
		hdr = cp_dw(cp, rptr);
		n = AMDSIM_PACKET_COUNT(hdr);
		if (AMDSIM_PACKET_TYPE(hdr) != 3 || n >= wptr - rptr) {
			/* Garbage, or a packet longer than what was committed. */
			step = AMDSIM_CP_BAD;
		} else {
			step = cp_exec(cp, hdr, rptr, n);
		}
		if (step == AMDSIM_CP_BAD) {
			atomic_inc(&cp->bad_packets);
			return;
		}
		if (step == AMDSIM_CP_WAIT) {
			queue_delayed_work(cp->hw->cp_wq, &cp->work, 1);
			return;
		}
		/* The packet's effects before the pointer that says it is consumed. */
		smp_store_release(&cp->rptr, rptr + 1 + n);
		cond_resched();
	}
}

/* Set a CP up, idle, with no ring. */
int amdsim_hw_cp_init(struct amdsim_cp *cp, struct amdsim_hw *hw, unsigned int idx)
{
	cp->hw = hw;
	cp->idx = idx;
	INIT_DELAYED_WORK(&cp->work, amdsim_cp_work);
	atomic_set(&cp->faults, 0);
	atomic_set(&cp->bad_packets, 0);
	cp->halted = false;
	cp->bounce = kmalloc(PAGE_SIZE, GFP_KERNEL);
	return cp->bounce ? 0 : -ENOMEM;
}

/* Free a CP's own memory; it is halted. */
void amdsim_hw_cp_fini(struct amdsim_cp *cp)
{
	kfree(cp->bounce);
}

/**
 * amdsim_hw_ring_setup() - give a CP its ring buffer
 * @hw: the hardware
 * @ring: the ring's index
 * @buf: the ring, @size_dw dwords; the CP reads it until amdsim_hw_stop()
 * @size_dw: a power of two
 *
 * Both pointers start at 0. Called once per ring, before its first doorbell.
 *
 * Context: any; does not sleep.
 */
void amdsim_hw_ring_setup(struct amdsim_hw *hw, unsigned int ring, const u32 *buf,
			  u32 size_dw)
{
	struct amdsim_cp *cp = &hw->cp[ring];

	cp->buf = buf;
	cp->mask = size_dw - 1;
	cp->wptr = 0;
	cp->rptr = 0;
}

/**
 * amdsim_hw_doorbell() - publish a ring's packets up to a write pointer
 * @hw: the hardware
 * @ring: the ring's index
 * @wptr: the driver's free-running write pointer; every dword before it
 *	is written
 *
 * Context: any; does not sleep.
 */
void amdsim_hw_doorbell(struct amdsim_hw *hw, unsigned int ring, u32 wptr)
{
	struct amdsim_cp *cp = &hw->cp[ring];

	/* The packets before the pointer that shows them. */
	smp_store_release(&cp->wptr, wptr);
	mod_delayed_work(hw->cp_wq, &cp->work, 0);
}

/**
 * amdsim_hw_doorbell_wptr() - the write pointer a ring's doorbell holds
 * @hw: the hardware
 * @ring: the ring's index
 *
 * Context: any.
 * Return: the last value given to amdsim_hw_doorbell(), or 0 after a reset.
 */
u32 amdsim_hw_doorbell_wptr(struct amdsim_hw *hw, unsigned int ring)
{
	return READ_ONCE(hw->cp[ring].wptr);
}

/**
 * amdsim_hw_rptr() - a CP's read pointer
 * @hw: the hardware
 * @ring: the ring's index
 *
 * Context: any.
 * Return: the free-running read pointer; everything before it is consumed.
 */
u32 amdsim_hw_rptr(struct amdsim_hw *hw, unsigned int ring)
{
	/* Pairs with the CP's release: what it consumed is done. */
	return smp_load_acquire(&hw->cp[ring].rptr);
}

/**
 * amdsim_hw_cp_halt() - stop a ring's CP
 * @hw: the hardware
 * @ring: the ring's index
 *
 * When it returns the CP executes nothing and touches neither the ring nor
 * memory until amdsim_hw_cp_resume(). A packet being executed finishes
 * first.
 *
 * Context: process context; may sleep.
 */
void amdsim_hw_cp_halt(struct amdsim_hw *hw, unsigned int ring)
{
	struct amdsim_cp *cp = &hw->cp[ring];

	WRITE_ONCE(cp->halted, true);
	cancel_delayed_work_sync(&cp->work);
}

/**
 * amdsim_hw_cp_resume() - restart a halted CP
 * @hw: the hardware
 * @ring: the ring's index
 *
 * Context: any; does not sleep.
 */
void amdsim_hw_cp_resume(struct amdsim_hw *hw, unsigned int ring)
{
	struct amdsim_cp *cp = &hw->cp[ring];

	WRITE_ONCE(cp->halted, false);
	mod_delayed_work(hw->cp_wq, &cp->work, 0);
}

/**
 * amdsim_hw_cp_halted() - is a CP halted?
 * @hw: the hardware
 * @ring: the ring's index
 *
 * Context: any.
 * Return: true between amdsim_hw_cp_halt() and amdsim_hw_cp_resume().
 */
bool amdsim_hw_cp_halted(struct amdsim_hw *hw, unsigned int ring)
{
	return READ_ONCE(hw->cp[ring].halted);
}

/**
 * amdsim_hw_cp_reset() - put a halted CP's pointers back to 0
 * @hw: the hardware
 * @ring: the ring's index; its CP halted
 *
 * The driver empties the ring buffer first: the CP resumes on it from
 * the start.
 *
 * Context: any; does not sleep.
 */
void amdsim_hw_cp_reset(struct amdsim_hw *hw, unsigned int ring)
{
	struct amdsim_cp *cp = &hw->cp[ring];

	WARN_ON(!READ_ONCE(cp->halted));
	WRITE_ONCE(cp->wptr, 0);
	/* The cleared ring before the pointer the driver reads. */
	smp_store_release(&cp->rptr, 0);
}

/**
 * amdsim_hw_faults() - memory accesses a CP dropped
 * @hw: the hardware
 * @ring: the ring's index
 *
 * Return: the count since creation.
 */
unsigned int amdsim_hw_faults(struct amdsim_hw *hw, unsigned int ring)
{
	return atomic_read(&hw->cp[ring].faults);
}

/**
 * amdsim_hw_bad_packets() - packets a CP could not parse
 * @hw: the hardware
 * @ring: the ring's index
 *
 * Return: the count since creation; the ring hung on each.
 */
unsigned int amdsim_hw_bad_packets(struct amdsim_hw *hw, unsigned int ring)
{
	return atomic_read(&hw->cp[ring].bad_packets);
}
