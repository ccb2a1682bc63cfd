// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The rings between the driver and the GSP (see nova_cmdq.h for the
 * format). The same code serves both sides, so the simulated GSP checks
 * the driver's commands exactly as the driver checks its messages.
 *
 * Locking is the caller's: one producer and one consumer per ring at a
 * time. The two sides only meet through the pointers in shared memory.
 */

#include <linux/align.h>
#include <linux/compiler.h>
#include <linux/errno.h>
#include <linux/minmax.h>
#include <linux/sizes.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <asm/barrier.h>

#include "nova_cmdq.h"

/* FNV-1a: any change to a single byte changes the sum. */
#define NOVA_CHECKSUM_SEED	0x811c9dc5
#define NOVA_CHECKSUM_PRIME	0x01000193

/* A ring must hold at least one header besides its reserved gap. */
#define NOVA_RING_MIN		(4 * NOVA_REC_ALIGN)
#define NOVA_RING_MAX		SZ_1M

/* The control block: each side's pointers on their own cache line. */
#define NOVA_SHM_CTRL		128

/**
 * nova_checksum() - extend a record checksum over more bytes
 * @sum: the checksum so far
 * @buf: the bytes
 * @len: how many
 *
 * Return: the new checksum.
 */
u32 nova_checksum(u32 sum, const void *buf, size_t len)
{
	const u8 *p = buf;

	while (len--) {
		sum ^= *p++;
		sum *= NOVA_CHECKSUM_PRIME;
	}
	return sum;
}

static bool nova_ring_size_ok(u32 size)
{
	return size >= NOVA_RING_MIN && size <= NOVA_RING_MAX &&
	       IS_ALIGNED(size, NOVA_REC_ALIGN);
}

/**
 * nova_shm_alloc() - allocate the memory shared with the GSP
 * @shm: filled in; all zero (both rings empty)
 * @cmdq_size: bytes of the command queue's data area
 * @msgq_size: bytes of the message queue's data area
 *
 * Sizes are multiples of %NOVA_REC_ALIGN, from 64 bytes to 1 MiB.
 *
 * Context: process context; may sleep.
 * Return: 0, -EINVAL for a bad size, -ENOMEM.
 */
int nova_shm_alloc(struct nova_shm *shm, u32 cmdq_size, u32 msgq_size)
{
	u8 *mem;

	memset(shm, 0, sizeof(*shm));
	if (!nova_ring_size_ok(cmdq_size) || !nova_ring_size_ok(msgq_size))
		return -EINVAL;
	mem = vzalloc(NOVA_SHM_CTRL + cmdq_size + msgq_size);
	if (!mem)
		return -ENOMEM;
	shm->mem = mem;
	shm->cmdq_ctrl = (struct nova_ring_ctrl *)mem;
	shm->msgq_ctrl = (struct nova_ring_ctrl *)(mem + NOVA_SHM_CTRL / 2);
	shm->cmdq_data = mem + NOVA_SHM_CTRL;
	shm->msgq_data = mem + NOVA_SHM_CTRL + cmdq_size;
	shm->cmdq_size = cmdq_size;
	shm->msgq_size = msgq_size;
	return 0;
}

/**
 * nova_shm_free() - free the shared memory
 * @shm: the memory; neither side may use it any more
 *
 * Context: process context.
 */
void nova_shm_free(struct nova_shm *shm)
{
	vfree(shm->mem);
	memset(shm, 0, sizeof(*shm));
}

/**
 * nova_ring_init() - set up one side's view of a ring
 * @ring: the view
 * @ctrl: the ring's pointers in shared memory; both must be 0
 * @data: the ring's data area
 * @size: its size, as given to nova_shm_alloc()
 *
 * Context: any.
 */
void nova_ring_init(struct nova_ring *ring, struct nova_ring_ctrl *ctrl, u8 *data, u32 size)
{
	ring->ctrl = ctrl;
	ring->data = data;
	ring->size = size;
	ring->pos = 0;
	ring->seq = 0;
	ring->resync = false;
}

/**
 * nova_ring_max_payload() - the largest payload a record of the ring holds
 * @ring: the ring
 *
 * Return: bytes.
 */
u32 nova_ring_max_payload(const struct nova_ring *ring)
{
	return ring->size - NOVA_REC_ALIGN - sizeof(struct nova_rec_hdr);
}

static u32 nova_rec_bytes(u32 len)
{
	return ALIGN(sizeof(struct nova_rec_hdr) + len, NOVA_REC_ALIGN);
}

static bool nova_ring_ptr_ok(const struct nova_ring *ring, u32 ptr)
{
	return ptr < ring->size && IS_ALIGNED(ptr, NOVA_REC_ALIGN);
}

/* Bytes from @from up to @to, going forward around the ring. */
static u32 nova_ring_dist(const struct nova_ring *ring, u32 from, u32 to)
{
	return to >= from ? to - from : ring->size - from + to;
}

static u32 nova_ring_add(const struct nova_ring *ring, u32 off, u32 len)
{
	off += len;
	return off >= ring->size ? off - ring->size : off;
}

static void nova_ring_copy_in(struct nova_ring *ring, u32 off, const void *src, u32 len)
{
	u32 first = min(len, ring->size - off);

	memcpy(ring->data + off, src, first);
	memcpy(ring->data, src + first, len - first);
}

static void nova_ring_copy_out(const struct nova_ring *ring, u32 off, void *dst, u32 len)
{
	u32 first = min(len, ring->size - off);

	memcpy(dst, ring->data + off, first);
	memcpy(dst + first, ring->data, len - first);
}

static u32 nova_ring_checksum(const struct nova_ring *ring, u32 off, u32 len, u32 sum)
{
	u32 first = min(len, ring->size - off);

	sum = nova_checksum(sum, ring->data + off, first);
	return nova_checksum(sum, ring->data, len - first);
}

static u32 nova_hdr_checksum(const struct nova_rec_hdr *hdr)
{
	struct nova_rec_hdr h = *hdr;

	h.checksum = 0;
	return nova_checksum(NOVA_CHECKSUM_SEED, &h, sizeof(h));
}

/* Free bytes for the producer; false if the consumer's pointer is bad. */
static bool nova_ring_free(const struct nova_ring *ring, u32 *free)
{
	/* Pairs with the consumer's release: it is done with what it read. */
	u32 rptr = smp_load_acquire(&ring->ctrl->rptr);

	if (!nova_ring_ptr_ok(ring, rptr))
		return false;
	*free = ring->size - NOVA_REC_ALIGN - nova_ring_dist(ring, rptr, ring->pos);
	return true;
}

/**
 * nova_ring_has_room() - could a record with @len payload bytes be written now?
 * @ring: the producer's view
 * @len: payload bytes
 *
 * Context: any; the producer's lock held, or a hint only.
 * Return: true if nova_ring_write() would not fail with -EAGAIN.
 */
bool nova_ring_has_room(const struct nova_ring *ring, u32 len)
{
	u32 free;

	if (len > nova_ring_max_payload(ring) || !nova_ring_free(ring, &free))
		return true;	/* the write fails at once, without waiting */
	return nova_rec_bytes(len) <= free;
}

/**
 * nova_ring_write() - append a record to a ring
 * @ring: the producer's view
 * @hdr: the header: @function, @length, @reply_to and @status set by the
 *	caller; @seq and @checksum are filled in here
 * @payload: @hdr->length bytes
 * @flags: 0, or NOVA_RING_CORRUPT / NOVA_RING_SKIP_SEQ to simulate faults
 *
 * The record is published whole: the consumer sees all of it or none.
 *
 * Context: any; does not sleep or allocate. One producer at a time.
 * Return: 0; -EAGAIN if the ring has no room now (the consumer frees it);
 * -EMSGSIZE if the record can never fit; -EPROTO if the consumer's
 * pointer in shared memory is invalid.
 */
int nova_ring_write(struct nova_ring *ring, struct nova_rec_hdr *hdr, const void *payload,
		    u32 flags)
{
	u32 len = hdr->length, rec, free, sum;

	if (len > nova_ring_max_payload(ring))
		return -EMSGSIZE;
	if (!nova_ring_free(ring, &free))
		return -EPROTO;
	rec = nova_rec_bytes(len);
	if (rec > free)
		return -EAGAIN;

	hdr->seq = ring->seq + ((flags & NOVA_RING_SKIP_SEQ) ? 2 : 1);
	memset(hdr->pad, 0, sizeof(hdr->pad));
	sum = nova_hdr_checksum(hdr);
	hdr->checksum = nova_checksum(sum, payload, len);
	nova_ring_copy_in(ring, ring->pos, hdr, sizeof(*hdr));
	nova_ring_copy_in(ring, nova_ring_add(ring, ring->pos, sizeof(*hdr)), payload, len);
	if (flags & NOVA_RING_CORRUPT) {
		/* The last byte of the payload, or of the header without one. */
		u32 off = nova_ring_add(ring, ring->pos, sizeof(*hdr) + len - 1);

		ring->data[off] ^= 0x10;
	}
	ring->seq = hdr->seq;
	ring->pos = nova_ring_add(ring, ring->pos, rec);
	/* The record's bytes before the pointer that covers them. */
	smp_store_release(&ring->ctrl->wptr, ring->pos);
	return 0;
}

/* Hand the space of the record at the read pointer back to the producer. */
static void nova_ring_consume(struct nova_ring *ring, u32 len)
{
	ring->pos = nova_ring_add(ring, ring->pos, nova_rec_bytes(len));
	/* The record was copied out before its space is handed back. */
	smp_store_release(&ring->ctrl->rptr, ring->pos);
}

/* Drop everything published so far; the next record starts a sequence. */
static int nova_ring_drop(struct nova_ring *ring, u32 wptr, int error)
{
	ring->pos = wptr;
	ring->resync = true;
	/* Pairs with the producer's acquire: the space is its own again. */
	smp_store_release(&ring->ctrl->rptr, wptr);
	return error;
}

/**
 * nova_ring_read() - take the oldest record out of a ring
 * @ring: the consumer's view
 * @hdr: out: the record's header; only meaningful for a return of 0,
 *	-EILSEQ or -EMSGSIZE
 * @payload: out: the payload, @hdr->length bytes
 * @max_len: room at @payload
 *
 * The payload is checksummed after it is copied out, so bytes changed in
 * shared memory after the check never reach the caller.
 *
 * Context: any; does not sleep or allocate. One consumer at a time.
 * Return: 0 for a valid record in sequence; -ENODATA if the ring is empty;
 * -EILSEQ for a valid record out of sequence (records were lost or
 * repeated; the record is consumed and the sequence restarts from it);
 * -EMSGSIZE for a valid record longer than @max_len (consumed, not
 * copied); -EBADMSG for a checksum mismatch (the record is skipped and
 * counted in the sequence); -EPROTO for a record that overruns what the
 * producer published: its header cannot be trusted, so everything
 * published is dropped and the ring resynchronised; -EIO if the write
 * pointer in shared memory is invalid (nothing is consumed: the ring stays
 * unusable until the producer repairs it).
 */
int nova_ring_read(struct nova_ring *ring, struct nova_rec_hdr *hdr, void *payload,
		   u32 max_len)
{
	/* Pairs with the producer's release: the record is whole. */
	u32 wptr = smp_load_acquire(&ring->ctrl->wptr);
	u32 avail, body, sum;
	bool in_seq;

	if (!nova_ring_ptr_ok(ring, wptr))
		return -EIO;
	if (wptr == ring->pos)
		return -ENODATA;
	avail = nova_ring_dist(ring, ring->pos, wptr);
	if (avail < sizeof(*hdr))
		return nova_ring_drop(ring, wptr, -EPROTO);
	nova_ring_copy_out(ring, ring->pos, hdr, sizeof(*hdr));
	if (hdr->length > avail - sizeof(*hdr))
		return nova_ring_drop(ring, wptr, -EPROTO);

	body = nova_ring_add(ring, ring->pos, sizeof(*hdr));
	sum = nova_hdr_checksum(hdr);
	if (hdr->length <= max_len) {
		nova_ring_copy_out(ring, body, payload, hdr->length);
		sum = nova_checksum(sum, payload, hdr->length);
	} else {
		sum = nova_ring_checksum(ring, body, hdr->length, sum);
	}
	if (sum != hdr->checksum) {
		/*
		 * Skipped by its length, which is within what was published;
		 * if that length was the damaged part, the next record's
		 * checksum and sequence number tell.
		 */
		ring->seq++;
		nova_ring_consume(ring, hdr->length);
		return -EBADMSG;
	}

	in_seq = ring->resync || hdr->seq == ring->seq + 1;
	ring->seq = hdr->seq;
	ring->resync = false;
	nova_ring_consume(ring, hdr->length);
	if (hdr->length > max_len)
		return -EMSGSIZE;
	return in_seq ? 0 : -EILSEQ;
}
