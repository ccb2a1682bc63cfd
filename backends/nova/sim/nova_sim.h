/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The GSP as the driver sees it: the RPC functions it serves and their
 * payloads, the events it sends, and the controls of the simulated GSP.
 *
 * Commands reach the GSP through the command queue, each one record whose
 * function is a NOVA_FN_* value; the GSP runs them in order and answers
 * each in the message queue with a reply record: same function, @reply_to
 * the command's sequence number, a status, and the function's reply
 * payload, always of its full size. Events (NOVA_EVT_*) are records the GSP
 * sends on its own, between replies.
 *
 * The GSP owns the video memory: it allocates and frees ranges of it for
 * the driver's BOs, zeroing each new range, and runs work submitted on
 * its channels against it. Work on a channel runs in submission order;
 * each submission ends with a completion event carrying its stamp and
 * status. A channel whose work hangs runs nothing more until the driver
 * resets it; a reset drops the channel's queued work, and once its reply
 * is sent no completion of that work follows.
 */
#ifndef _NOVA_SIM_H_
#define _NOVA_SIM_H_

#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/types.h>

struct nova_shm;
struct nova_gsp;

/* Channels of the simulated GSP, and the submissions each one queues. */
#define NOVA_GSP_CHANNELS	16
#define NOVA_GSP_CHAN_SLOTS	32

/* Largest payload of a record either side accepts. */
#define NOVA_RPC_MAX_PAYLOAD	128

/**
 * enum nova_fn - what a record is
 * @NOVA_FN_GET_INFO: describe the GSP; no payload, reply &struct nova_msg_info
 * @NOVA_FN_ALLOC: allocate video memory; &struct nova_msg_alloc, reply
 *	&struct nova_msg_alloc_reply; -ENOSPC when no range fits, -EEXIST for
 *	a handle in use
 * @NOVA_FN_FREE: free an allocation; &struct nova_msg_free, no reply
 *	payload; -ENOENT for an unknown handle
 * @NOVA_FN_CHAN_RESET: drop a channel's work and clear its hang;
 *	&struct nova_msg_chan, no reply payload
 * @NOVA_FN_CHAN_STATUS: how far a channel got; &struct nova_msg_chan, reply
 *	&struct nova_msg_chan_status
 * @NOVA_FN_SUBMIT: queue work on a channel; &struct nova_msg_submit, no
 *	reply payload; the reply says whether it was accepted (-EINVAL for a
 *	malformed one, -ENOSPC if the channel is full)
 * @NOVA_FN_EVENT: set in the function of every event
 * @NOVA_EVT_COMPLETION: a submission ended; &struct nova_msg_completion
 */
enum nova_fn {
	NOVA_FN_GET_INFO = 1,
	NOVA_FN_ALLOC = 2,
	NOVA_FN_FREE = 3,
	NOVA_FN_CHAN_RESET = 4,
	NOVA_FN_CHAN_STATUS = 5,
	NOVA_FN_SUBMIT = 6,
	NOVA_FN_EVENT = 0x1000,
	NOVA_EVT_COMPLETION = NOVA_FN_EVENT | 1,
};

/**
 * struct nova_msg_info - reply of %NOVA_FN_GET_INFO
 * @vram_size: bytes of video memory
 * @vram_visible: bytes of video memory, from offset 0, the CPU reaches
 * @page_size: allocation granule of video memory
 * @nr_channels: channels, numbered from 0
 * @chan_slots: submissions a channel queues at most
 * @version: the GSP's interface version, %NOVA_GSP_VERSION
 */
struct nova_msg_info {
	u64 vram_size;
	u64 vram_visible;
	u32 page_size;
	u32 nr_channels;
	u32 chan_slots;
	u32 version;
};

#define NOVA_GSP_VERSION	1

/* Place an allocation in the CPU-visible part of video memory. */
#define NOVA_ALLOC_VISIBLE	BIT(0)

/**
 * struct nova_msg_alloc - payload of %NOVA_FN_ALLOC
 * @size: bytes, a non-zero multiple of the page size
 * @handle: the driver's non-zero name for the allocation
 * @flags: %NOVA_ALLOC_VISIBLE or 0
 */
struct nova_msg_alloc {
	u64 size;
	u32 handle;
	u32 flags;
};

/**
 * struct nova_msg_alloc_reply - reply of %NOVA_FN_ALLOC
 * @offset: where the zeroed range starts in video memory
 */
struct nova_msg_alloc_reply {
	u64 offset;
};

/**
 * struct nova_msg_free - payload of %NOVA_FN_FREE
 * @handle: the allocation's handle
 * @pad: zero
 */
struct nova_msg_free {
	u32 handle;
	u32 pad;
};

/**
 * struct nova_msg_chan - payload of %NOVA_FN_CHAN_RESET and %NOVA_FN_CHAN_STATUS
 * @channel: the channel
 * @pad: zero
 */
struct nova_msg_chan {
	u32 channel;
	u32 pad;
};

/**
 * struct nova_msg_chan_status - reply of %NOVA_FN_CHAN_STATUS
 * @completed: stamp of the last submission completed on the channel
 * @progress: a counter the channel's engine advances while it works
 * @hung: 1 if a submission hung the channel
 * @pending: submissions queued, the running one included
 * @last_status: the status of the submission @completed
 * @pad: zero
 */
struct nova_msg_chan_status {
	u64 completed;
	u64 progress;
	u32 hung;
	u32 pending;
	s32 last_status;
	u32 pad;
};

/**
 * enum nova_op - what a submission does
 * @NOVA_OP_FILL: fill @size bytes at @dst with the 32-bit @value (@dst and
 *	@size multiples of 4)
 * @NOVA_OP_COPY: copy @size bytes from @src to @dst; the ranges must not
 *	overlap
 * @NOVA_OP_WRITE: write the 32-bit @value at @dst (a multiple of 4)
 * @NOVA_OP_STALL: keep the engine busy, making progress, for @value
 *	microseconds (at most one second)
 * @NOVA_OP_HANG: never end: the channel hangs until it is reset
 *
 * An access to video memory that is not allocated ends the submission
 * with -EFAULT.
 */
enum nova_op {
	NOVA_OP_FILL = 1,
	NOVA_OP_COPY = 2,
	NOVA_OP_WRITE = 3,
	NOVA_OP_STALL = 4,
	NOVA_OP_HANG = 5,
};

/**
 * struct nova_msg_submit - payload of %NOVA_FN_SUBMIT
 * @channel: the channel
 * @op: a &enum nova_op
 * @stamp: the driver's number for the submission; its completion event
 *	carries it. Increasing along a channel.
 * @dst: destination address in video memory
 * @src: source address in video memory (%NOVA_OP_COPY)
 * @size: bytes (%NOVA_OP_FILL, %NOVA_OP_COPY)
 * @value: see &enum nova_op
 * @pad: zero
 */
struct nova_msg_submit {
	u32 channel;
	u32 op;
	u64 stamp;
	u64 dst;
	u64 src;
	u64 size;
	u32 value;
	u32 pad;
};

/**
 * struct nova_msg_completion - payload of %NOVA_EVT_COMPLETION
 * @channel: the channel
 * @status: 0, -EFAULT for an access outside allocated video memory
 * @stamp: the submission's stamp
 */
struct nova_msg_completion {
	u32 channel;
	s32 status;
	u64 stamp;
};

static_assert(sizeof(struct nova_msg_info) <= NOVA_RPC_MAX_PAYLOAD);
static_assert(sizeof(struct nova_msg_submit) <= NOVA_RPC_MAX_PAYLOAD);

/**
 * enum nova_gsp_fault - faults the simulated GSP injects in its next record
 * @NOVA_GSP_FAULT_NONE: none
 * @NOVA_GSP_FAULT_CORRUPT: a bit of the reply flips after its checksum
 * @NOVA_GSP_FAULT_SKIP_SEQ: the reply skips a sequence number
 * @NOVA_GSP_FAULT_BAD_REPLY_TO: the reply answers a command not sent yet
 * @NOVA_GSP_FAULT_BAD_FUNCTION: the reply names another function
 * @NOVA_GSP_FAULT_BAD_LENGTH: the reply carries 4 bytes too many
 * @NOVA_GSP_FAULT_DROP_REPLY: the command runs but is not answered
 * @NOVA_GSP_FAULT_CORRUPT_EVENT: a bit of the next event, not reply, flips
 *	after its checksum
 */
enum nova_gsp_fault {
	NOVA_GSP_FAULT_NONE,
	NOVA_GSP_FAULT_CORRUPT,
	NOVA_GSP_FAULT_SKIP_SEQ,
	NOVA_GSP_FAULT_BAD_REPLY_TO,
	NOVA_GSP_FAULT_BAD_FUNCTION,
	NOVA_GSP_FAULT_BAD_LENGTH,
	NOVA_GSP_FAULT_DROP_REPLY,
	NOVA_GSP_FAULT_CORRUPT_EVENT,
};

/**
 * typedef nova_gsp_irq_fn - the GSP's interrupt line to the driver
 * @data: the driver's data given to nova_gsp_create()
 *
 * Raised from the GSP's work items after it wrote to the message queue or
 * took commands out of the command queue. Must not sleep.
 */
typedef void (*nova_gsp_irq_fn)(void *data);

struct nova_gsp *nova_gsp_create(struct nova_shm *shm, u64 vram_size, u64 vram_visible,
				 nova_gsp_irq_fn irq, void *data);
void nova_gsp_destroy(struct nova_gsp *gsp);
void nova_gsp_doorbell(void *gsp);
void nova_gsp_halt(struct nova_gsp *gsp);
void nova_gsp_pause(struct nova_gsp *gsp, bool pause);
void nova_gsp_inject(struct nova_gsp *gsp, enum nova_gsp_fault fault);
u8 *nova_gsp_vram(struct nova_gsp *gsp);
u64 nova_gsp_vram_used(struct nova_gsp *gsp);
unsigned int nova_gsp_bad_commands(struct nova_gsp *gsp);
unsigned int nova_gsp_resets(struct nova_gsp *gsp);

#endif /* _NOVA_SIM_H_ */
