/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The driver's side of the RPC channel to the GSP.
 *
 * A call (nova_rpc_call()) writes one command to the command queue and
 * waits, bounded, for its reply; calls are serialised, so at most one
 * command awaits a reply at any time and the GSP, which answers in order,
 * never has two to answer. The message queue is read by one reader only,
 * the interrupt handler (a work item), which checks every record, hands
 * events to the driver and the awaited reply to its caller.
 *
 * A reply is the awaited one when it answers the caller's command
 * (@reply_to is its sequence number) with the same function and the
 * function's reply size. A reply to an earlier command whose caller gave
 * up is late and dropped. A reply to a command never sent, a reply with
 * the wrong function or length, a corrupted record and lost records are
 * protocol errors: each is reported in the kernel log, counted in
 * &struct nova_rpc_stats, and fails the waiting call, whose reply may be
 * the record lost.
 */
#ifndef _NOVA_RPC_H_
#define _NOVA_RPC_H_

#include <linux/atomic.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "nova_cmdq.h"
#include "sim/nova_sim.h"

struct drm_device;
struct nova_rpc_call;

/**
 * struct nova_rpc_msg - one call
 * @function: the command's &enum nova_fn
 * @req: the command's payload
 * @req_len: its size
 * @reply: where the reply's payload goes
 * @reply_len: the reply payload's size; a reply of another size is a
 *	protocol error
 * @seq: out: the command's sequence number once written to the command
 *	queue, 0 if it never was
 * @status: out: the GSP's answer (0 or a negative errno), when
 *	nova_rpc_call() returns 0
 */
struct nova_rpc_msg {
	u32 function;
	const void *req;
	u32 req_len;
	void *reply;
	u32 reply_len;
	u32 seq;
	int status;
};

/**
 * struct nova_rpc_stats - what went wrong on the channel, for diagnostics
 * @calls: commands sent
 * @timeouts: calls whose reply did not come in time
 * @late_replies: replies that came after their caller gave up
 * @bad_checksum: records that failed their checksum
 * @bad_header: records whose header was inconsistent with the ring
 * @bad_seq: lost or repeated records, and replies to commands never sent
 * @bad_function: replies naming another function than their command
 * @bad_length: replies or events of the wrong size
 * @events: events handed to the driver
 */
struct nova_rpc_stats {
	atomic_t calls;
	atomic_t timeouts;
	atomic_t late_replies;
	atomic_t bad_checksum;
	atomic_t bad_header;
	atomic_t bad_seq;
	atomic_t bad_function;
	atomic_t bad_length;
	atomic_t events;
};

/**
 * typedef nova_rpc_event_fn - the driver's handler of GSP events
 * @data: the driver's data given to nova_rpc_init()
 * @hdr: the event's header, checked
 * @payload: its payload, @hdr->length bytes
 *
 * Called from the interrupt work item, in order. Must not sleep.
 */
typedef void (*nova_rpc_event_fn)(void *data, const struct nova_rec_hdr *hdr,
				  const void *payload);

/**
 * struct nova_rpc - the RPC channel
 * @drm: the device: its gate guards every access to shared memory, its
 *	log gets the reports
 * @cmdq: the command queue, as its producer; under @call_lock
 * @msgq: the message queue, as its consumer; the interrupt work only
 * @call_lock: one call at a time
 * @tx_wait: woken when the GSP took commands out of the command queue
 * @rx_lock: protects @call and @last_seq
 * @call: the call awaiting its reply, or NULL
 * @last_seq: sequence number of the last command written
 * @rx_wait: woken when a call is answered or failed
 * @wq: runs @irq_work
 * @irq_work: the interrupt handler: reads the message queue
 * @doorbell: tells the GSP that commands are waiting
 * @doorbell_data: for @doorbell
 * @event: the driver's event handler
 * @event_data: for @event
 * @timeout: how long a call waits for room and for its reply, in jiffies
 * @dead: 0, or the error every call fails with from now on
 * @stats: the channel's error counters
 * @rx_buf: payload of the record the interrupt handler reads
 */
struct nova_rpc {
	struct drm_device *drm;
	struct nova_ring cmdq;
	struct nova_ring msgq;
	struct mutex call_lock;		/* one call at a time; cmdq */
	wait_queue_head_t tx_wait;
	spinlock_t rx_lock;		/* call, last_seq */
	struct nova_rpc_call *call;
	u32 last_seq;
	wait_queue_head_t rx_wait;
	struct workqueue_struct *wq;
	struct work_struct irq_work;
	void (*doorbell)(void *data);
	void *doorbell_data;
	nova_rpc_event_fn event;
	void *event_data;
	long timeout;
	int dead;
	struct nova_rpc_stats stats;
	u8 rx_buf[NOVA_RPC_MAX_PAYLOAD];
};

/* nova_rpc_call() flag: fail with -EAGAIN instead of waiting for room. */
#define NOVA_RPC_NOWAIT		BIT(0)

int nova_rpc_init(struct nova_rpc *rpc, struct drm_device *drm, struct nova_shm *shm,
		  unsigned int timeout_ms, nova_rpc_event_fn event, void *event_data);
void nova_rpc_connect(struct nova_rpc *rpc, void (*doorbell)(void *data), void *data);
void nova_rpc_fini(struct nova_rpc *rpc);
int nova_rpc_call(struct nova_rpc *rpc, struct nova_rpc_msg *msg, u32 flags);
void nova_rpc_interrupt(void *rpc);
void nova_rpc_shutdown(struct nova_rpc *rpc, int error);

#endif /* _NOVA_RPC_H_ */
