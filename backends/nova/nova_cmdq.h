/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The transport between the driver and the GSP: two rings of records in
 * memory both sides share, the command queue (driver to GSP) and the
 * message queue (GSP to driver).
 *
 * Each ring has one producer and one consumer. The producer owns the write
 * pointer, the consumer the read pointer; both are byte offsets into the
 * ring's data area, published with release stores and read with acquire
 * loads, so a record's bytes are visible before the pointer that covers
 * them. A record is a &struct nova_rec_hdr followed by its payload, padded
 * to %NOVA_REC_ALIGN bytes, and may wrap around the end of the data area.
 * One alignment unit always stays free, so equal pointers mean empty.
 *
 * Nothing that comes out of shared memory is trusted: the consumer checks
 * the pointers, the header's length against the bytes the producer
 * published, the checksum over header and payload, and the sequence
 * number every record carries (one more than the previous record of the
 * ring). A record that fails its checksum is skipped: its length, already
 * known to be within what was published, is vouched for by the checksum
 * and sequence number of the record after it. A length that overruns what
 * was published cannot be trusted at all: what is in the ring is dropped
 * and the next record starts a new sequence.
 */
#ifndef _NOVA_CMDQ_H_
#define _NOVA_CMDQ_H_

#include <linux/bits.h>
#include <linux/types.h>

/* Records start on this boundary; it is also the ring's reserved gap. */
#define NOVA_REC_ALIGN		16

/**
 * struct nova_rec_hdr - the header of a record, as it lies in the ring
 * @checksum: nova_checksum() of the header (with this field zero) and
 *	the payload
 * @seq: the record's sequence number: one more than the previous record
 *	of the same ring, starting at 1
 * @function: what the record is: an RPC function, or an event
 * @length: bytes of payload after the header
 * @reply_to: in a reply, @seq of the command it answers; 0 otherwise
 * @status: in a reply, 0 or the negative errno of the request
 * @pad: zero
 *
 * Shared with the simulated firmware, which runs on the same CPU: the
 * fields are in the CPU's byte order.
 */
struct nova_rec_hdr {
	u32 checksum;
	u32 seq;
	u32 function;
	u32 length;
	u32 reply_to;
	s32 status;
	u32 pad[2];
};

/**
 * struct nova_ring_ctrl - the pointers of one ring, in shared memory
 * @wptr: byte offset of the next record; written by the producer only
 * @rptr: byte offset of the oldest unread record; written by the consumer
 *	only
 */
struct nova_ring_ctrl {
	u32 wptr;
	u32 rptr;
};

/**
 * struct nova_shm - the memory the driver shares with the GSP
 * @mem: the whole region (vmalloc'ed: the simulated GSP reaches it
 *	directly, as the real one does through DMA)
 * @cmdq_ctrl: pointers of the command queue
 * @msgq_ctrl: pointers of the message queue
 * @cmdq_data: data area of the command queue
 * @msgq_data: data area of the message queue
 * @cmdq_size: bytes in @cmdq_data
 * @msgq_size: bytes in @msgq_data
 */
struct nova_shm {
	void *mem;
	struct nova_ring_ctrl *cmdq_ctrl;
	struct nova_ring_ctrl *msgq_ctrl;
	u8 *cmdq_data;
	u8 *msgq_data;
	u32 cmdq_size;
	u32 msgq_size;
};

/**
 * struct nova_ring - one side's view of a ring
 * @ctrl: the ring's pointers, in shared memory
 * @data: the ring's data area, in shared memory
 * @size: bytes in @data, a multiple of %NOVA_REC_ALIGN
 * @pos: the side's own pointer (the producer's write pointer, the
 *	consumer's read pointer), kept privately so a corrupted shared copy
 *	cannot move it
 * @seq: the last sequence number written (producer) or read (consumer)
 * @resync: consumer only: the next record starts a new sequence
 */
struct nova_ring {
	struct nova_ring_ctrl *ctrl;
	u8 *data;
	u32 size;
	u32 pos;
	u32 seq;
	bool resync;
};

/* Flip one bit of the record once it is sealed (simulated link errors). */
#define NOVA_RING_CORRUPT	BIT(0)
/* Skip one sequence number, as if a record had been lost. */
#define NOVA_RING_SKIP_SEQ	BIT(1)

int nova_shm_alloc(struct nova_shm *shm, u32 cmdq_size, u32 msgq_size);
void nova_shm_free(struct nova_shm *shm);

void nova_ring_init(struct nova_ring *ring, struct nova_ring_ctrl *ctrl, u8 *data, u32 size);
u32 nova_ring_max_payload(const struct nova_ring *ring);
bool nova_ring_has_room(const struct nova_ring *ring, u32 len);
int nova_ring_write(struct nova_ring *ring, struct nova_rec_hdr *hdr, const void *payload,
		    u32 flags);
int nova_ring_read(struct nova_ring *ring, struct nova_rec_hdr *hdr, void *payload,
		   u32 max_len);
u32 nova_checksum(u32 sum, const void *buf, size_t len);

#endif /* _NOVA_CMDQ_H_ */
