// SPDX-License-Identifier: GPL-2.0-only OR MIT
/**
 * DOC: amdgpu stub seqno fences
 *
 * Each ring numbers what it runs: after a job's packets the driver writes a
 * FENCE packet carrying the next seqno (&amdsim_ring.sync_seq) and the GPU
 * address of the ring's fence memory in the writeback page. When the CP
 * reaches it, every earlier packet is done; it writes the seqno there and
 * raises the interrupt. The handler reads the fence memory and signals, in
 * order, the hardware fence of every seqno up to it (&amdsim_ring.last_seq
 * follows). So one interrupt may retire several jobs, and a late interrupt
 * loses nothing.
 *
 * The hardware fences are gpucore fences on the ring's timeline, kept by
 * seqno in &amdsim_ring.fences: the ring owns the right to signal them.
 * They are signalled under the ring's lock, which the interrupt takes, so
 * that they signal in seqno order whoever retires them; outside the
 * interrupt the signalling section (dma_fence_begin_signalling()) is
 * opened before that lock is taken. Opened inside it, on a kernel without
 * preemption counting, it would nest the signalling annotation, taken with
 * interrupts on elsewhere, inside an interrupt-safe lock, which lockdep
 * reports.
 * A ring has %AMDSIM_NUM_FENCES slots, twice what its queue lets run, so a
 * slot is always free when a job is emitted.
 *
 * When the ring is reset (a hang, an unplug), amdsim_fence_force_completion()
 * first retires what the CP finished, then completes every fence still in
 * flight with the given error and writes the last emitted seqno to the
 * fence memory, as the CP would have: no fence of the ring stays
 * unsignalled.
 */

#include "amdgpu.h"

static struct gc_fence_signaller *amdsim_fence_slot(struct amdsim_ring *ring, u64 seq)
{
	return &ring->fences[seq % AMDSIM_NUM_FENCES];
}

/**
 * amdsim_fence_emit() - write a FENCE packet for a new seqno
 * @ring: the ring; &amdsim_ring.lock held, room for %AMDSIM_PM4_FENCE_DW
 *	made by amdsim_ring_alloc()
 * @sig: the hardware fence; the ring takes it over on success
 * @seq: where the seqno goes
 *
 * Context: any; does not sleep.
 * Return: 0, or -EBUSY if the slot of the next seqno is still in use
 * (nothing written then).
 */
int amdsim_fence_emit(struct amdsim_ring *ring, struct gc_fence_signaller *sig, u64 *seq)
{
	struct gc_fence_signaller *slot;
	u32 pkt[AMDSIM_PM4_FENCE_DW];
	u64 s;

	lockdep_assert_held(&ring->lock);
	s = ring->sync_seq + 1;
	slot = amdsim_fence_slot(ring, s);
	if (slot->ptr)
		return -EBUSY;
	amdsim_ring_write(ring, pkt, amdsim_pm4_fence(pkt, ring->fence_gpu, s, AMDSIM_FENCE_INT));
	*slot = gc_move(sig);
	ring->sync_seq = s;
	*seq = s;
	return 0;
}

/* Retire seqnos up to @seq, with @error (0: completed by the CP). */
static void amdsim_fence_retire(struct amdsim_ring *ring, u64 seq, int error)
{
	struct gc_fence_signaller *slot;

	lockdep_assert_held(&ring->lock);
	/* Fence memory beyond what was emitted is garbage: ignore it. */
	seq = min(seq, ring->sync_seq);
	while (ring->last_seq < seq) {
		slot = amdsim_fence_slot(ring, ++ring->last_seq);
		if (!slot->ptr)
			continue;
		if (error)
			gc_fence_signal_error(slot, error);
		else
			gc_fence_signal(slot);
	}
}

/**
 * amdsim_fence_process() - retire what the CP has finished
 * @ring: the ring
 *
 * Called by the interrupt handler; also by the timeout handler, in case an
 * interrupt is late.
 *
 * Context: any, hard interrupt included; does not sleep.
 */
void amdsim_fence_process(struct amdsim_ring *ring)
{
	unsigned long flags;
	bool cookie;

	cookie = dma_fence_begin_signalling();
	spin_lock_irqsave(&ring->lock, flags);
	amdsim_fence_retire(ring, READ_ONCE(*ring->fence_cpu), 0);
	spin_unlock_irqrestore(&ring->lock, flags);
	dma_fence_end_signalling(cookie);
}

/**
 * amdsim_fence_passed() - has the CP written a seqno yet?
 * @ring: the ring
 * @seq: the seqno
 *
 * Context: any.
 * Return: true if the fence memory holds @seq or a later one.
 */
bool amdsim_fence_passed(struct amdsim_ring *ring, u64 seq)
{
	return READ_ONCE(*ring->fence_cpu) >= seq;
}

/**
 * amdsim_fence_force_completion() - complete every fence of a halted ring
 * @ring: the ring; its CP halted
 * @error: the error of the fences the CP had not reached
 *
 * Context: any; does not sleep.
 */
void amdsim_fence_force_completion(struct amdsim_ring *ring, int error)
{
	unsigned long flags;
	bool cookie;

	cookie = dma_fence_begin_signalling();
	spin_lock_irqsave(&ring->lock, flags);
	amdsim_fence_retire(ring, READ_ONCE(*ring->fence_cpu), 0);
	amdsim_fence_retire(ring, ring->sync_seq, error);
	WRITE_ONCE(*ring->fence_cpu, ring->sync_seq);
	spin_unlock_irqrestore(&ring->lock, flags);
	dma_fence_end_signalling(cookie);
}

/**
 * amdsim_fence_pending() - how many fences of a ring are in flight
 * @ring: the ring
 *
 * Context: any.
 * Return: seqnos emitted and not retired.
 */
unsigned int amdsim_fence_pending(struct amdsim_ring *ring)
{
	unsigned long flags;
	unsigned int n;

	spin_lock_irqsave(&ring->lock, flags);
	n = ring->sync_seq - ring->last_seq;
	spin_unlock_irqrestore(&ring->lock, flags);
	return n;
}

/**
 * amdsim_ring_emit() - write packets and a fence after them, and commit
 * @ring: the ring; &amdsim_ring.lock held
 * @ib: the packets
 * @ndw: their length
 * @sig: the hardware fence to signal when the CP has passed them; taken
 *	over on success
 * @seq: where the fence's seqno goes
 *
 * Context: any; does not sleep.
 * Return: 0; -ENOSPC if the ring is full, -EBUSY if every fence slot is
 * in use (nothing is written then); the error the ring was stopped with.
 */
int amdsim_ring_emit(struct amdsim_ring *ring, const u32 *ib, u32 ndw,
		     struct gc_fence_signaller *sig, u64 *seq)
{
	int ret;

	lockdep_assert_held(&ring->lock);
	if (ring->stopped)
		return ring->stop_error;
	ret = amdsim_ring_alloc(ring, ndw + AMDSIM_PM4_FENCE_DW);
	if (ret)
		return ret;
	amdsim_ring_write(ring, ib, ndw);
	ret = amdsim_fence_emit(ring, sig, seq);
	if (ret) {
		amdsim_ring_undo(ring);
		return ret;
	}
	amdsim_ring_commit(ring);
	return 0;
}
