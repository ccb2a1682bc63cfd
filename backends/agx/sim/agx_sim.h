/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The simulated AGX GPU and its firmware, as the driver sees them.
 *
 * Like the real hardware, work reaches the GPU through per-queue firmware
 * work queues: a ring of command records in memory that the firmware reads
 * at its read pointer, and a completion stamp the firmware writes back
 * when a record is done, followed by an event (the interrupt) that the
 * driver handles by retiring every record whose stamp has passed. The GPU
 * reaches memory only through the GPU MMU, here the queue's gc_vm: an
 * access outside every mapping is a GPU fault that ends the record with
 * -EFAULT; the queue then goes on with the next record.
 *
 * Nothing here knows about DRM, jobs or fences: the driver owns those.
 */
#ifndef _AGX_SIM_H_
#define _AGX_SIM_H_

#include <linux/types.h>

struct gc_vm;
struct drm_agx_result;
struct agx_fw;
struct agx_fw_queue;

/**
 * struct agx_fw_cmd - a command record, as the driver writes it to a ring
 * @stamp: the value the firmware writes to the completion stamp when done;
 *	strictly increasing along a ring
 * @words: the command stream (see uapi/drm/gpucore_agx_drm.h); must stay
 *	valid until the record completes or the queue is stopped
 * @nr_words: number of words at @words
 * @vm: the GPU address space the commands use; the driver keeps it alive
 *	until the record completes or the queue is stopped
 * @result: where the firmware writes the record's result, or NULL; a
 *	kernel mapping the driver keeps valid as long as @words
 * @test_opcodes: STALL and HANG are legal in @words; without it the
 *	firmware treats them as unknown opcodes (the record is malformed), as
 *	a command processor does privileged commands in an unprivileged batch
 */
struct agx_fw_cmd {
	u64 stamp;
	const u32 *words;
	u32 nr_words;
	struct gc_vm *vm;
	struct drm_agx_result *result;
	bool test_opcodes;
};

/**
 * typedef agx_fw_event_fn - the completion interrupt of a queue
 * @data: the driver's data given to agx_fw_queue_create()
 *
 * Called from the firmware's execution context (a workqueue, standing in
 * for the interrupt) after the completion stamp advanced. Must not sleep.
 */
typedef void (*agx_fw_event_fn)(void *data);

struct agx_fw *agx_fw_create(const char *name);
void agx_fw_destroy(struct agx_fw *fw);

struct agx_fw_queue *agx_fw_queue_create(struct agx_fw *fw, unsigned int ring_size,
					 agx_fw_event_fn event, void *data);
void agx_fw_queue_destroy(struct agx_fw_queue *queue);
int agx_fw_queue_push(struct agx_fw_queue *queue, const struct agx_fw_cmd *cmd);
u64 agx_fw_queue_completed(struct agx_fw_queue *queue);
int agx_fw_queue_status(struct agx_fw_queue *queue, u64 stamp);
void agx_fw_queue_stop(struct agx_fw_queue *queue);
u64 agx_fw_timestamp_frequency(void);

#endif /* _AGX_SIM_H_ */
