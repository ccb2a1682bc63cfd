/* SPDX-License-Identifier: MIT */
/*
 * Userspace interface of the gpucore AGX-style driver: a render node with
 * explicit GPU VMs, firmware queues and one SUBMIT ioctl taking a flat
 * command stream, in and out syncobjs (binary and timeline), and reporting
 * errors as fence errors plus a per-submission result record.
 *
 * Rules for every struct: 64-bit aligned, sizes fixed (checked at compile
 * time in the driver), pad fields must be zero (-EINVAL otherwise), unknown
 * flags are rejected (-EINVAL), and new fields are only ever appended. An
 * ioctl argument grows with its request number; every struct reached
 * through a pointer comes with its size or stride as user space knows it
 * (a stride below the first version's size is -EINVAL; bytes beyond the
 * kernel's size must be zero, else -E2BIG), so each of them can grow too.
 * GET_PARAMS reports the uapi version and feature bits.
 *
 * Times: TIMESTAMP commands and &drm_agx_result.timestamp count
 * nanoseconds of CLOCK_MONOTONIC, the clock clock_gettime(CLOCK_MONOTONIC)
 * reads, so that GPU and CPU times compare directly.
 */
#ifndef _GPUCORE_AGX_DRM_H_
#define _GPUCORE_AGX_DRM_H_

#include "drm.h"

#if defined(__cplusplus)
extern "C" {
#endif

/**
 * define DRM_AGX_UAPI_VERSION - the version of this interface
 *
 * Reported in &drm_agx_params.uapi_version; raised when ioctls or fields
 * are added.
 */
#define DRM_AGX_UAPI_VERSION		2

/**
 * define DRM_AGX_VM_BIND_OP_MIN_SIZE - the smallest &drm_agx_vm_bind.op_stride
 *
 * The size of &struct drm_agx_vm_bind_op in the first version of this
 * interface; frozen, whatever the struct grows to.
 */
#define DRM_AGX_VM_BIND_OP_MIN_SIZE	40

/**
 * define DRM_AGX_MAX_BIND_OPS - the most ops of one VM_BIND
 *
 * Bounds the time one call holds the file's lock.
 */
#define DRM_AGX_MAX_BIND_OPS		1024

/**
 * define DRM_AGX_SYNC_MIN_SIZE - the smallest &drm_agx_submit.sync_stride
 *
 * The size of &struct drm_agx_sync in the first version; frozen.
 */
#define DRM_AGX_SYNC_MIN_SIZE		16

/**
 * define DRM_AGX_RESULT_MIN_SIZE - the smallest &drm_agx_submit.result_size
 *
 * The size of &struct drm_agx_result in the first version; frozen.
 */
#define DRM_AGX_RESULT_MIN_SIZE		24

/**
 * define DRM_AGX_MAX_STALL_US - the longest STALL command, in microseconds
 *
 * A longer STALL makes the command stream malformed.
 */
#define DRM_AGX_MAX_STALL_US		1000000

/**
 * enum drm_agx_ioctl_id - driver ioctl numbers, relative to DRM_COMMAND_BASE
 * @DRM_AGX_GET_PARAMS: query the device and the driver
 * @DRM_AGX_VM_CREATE: create a GPU address space
 * @DRM_AGX_VM_DESTROY: destroy a GPU address space
 * @DRM_AGX_VM_BIND: bind and unbind BO ranges in a GPU address space
 * @DRM_AGX_GEM_CREATE: create a BO
 * @DRM_AGX_GEM_MMAP_OFFSET: get the offset to mmap() a BO
 * @DRM_AGX_QUEUE_CREATE: create a firmware queue
 * @DRM_AGX_QUEUE_DESTROY: destroy a firmware queue
 * @DRM_AGX_SUBMIT: submit a command stream to a queue
 */
enum drm_agx_ioctl_id {
	DRM_AGX_GET_PARAMS = 0x00,
	DRM_AGX_VM_CREATE = 0x01,
	DRM_AGX_VM_DESTROY = 0x02,
	DRM_AGX_VM_BIND = 0x03,
	DRM_AGX_GEM_CREATE = 0x04,
	DRM_AGX_GEM_MMAP_OFFSET = 0x05,
	DRM_AGX_QUEUE_CREATE = 0x06,
	DRM_AGX_QUEUE_DESTROY = 0x07,
	DRM_AGX_SUBMIT = 0x08,
};

/**
 * enum drm_agx_feature - bits of &drm_agx_params.features
 * @DRM_AGX_FEATURE_TIMELINE_SYNCOBJ: SUBMIT takes timeline syncobj points
 * @DRM_AGX_FEATURE_RESULT_RECORD: SUBMIT can write a &drm_agx_result
 */
enum drm_agx_feature {
	DRM_AGX_FEATURE_TIMELINE_SYNCOBJ = 1 << 0,
	DRM_AGX_FEATURE_RESULT_RECORD = 1 << 1,
};

/**
 * struct drm_agx_params - what the device and driver support
 * @uapi_version: %DRM_AGX_UAPI_VERSION of the driver
 * @pad0: zero
 * @features: DRM_AGX_FEATURE_* bits
 * @va_start: lowest GPU VA user space may bind
 * @va_end: end (exclusive) of the bindable GPU VA range
 * @page_size: GPU page size; binds are aligned to it
 * @max_queues: queues per file
 * @max_command_bytes: largest command stream of one SUBMIT
 * @max_syncs: most in or out syncs of one SUBMIT
 * @timestamp_frequency: ticks per second of TIMESTAMP commands and result
 *	timestamps: 1000000000, as they count CLOCK_MONOTONIC nanoseconds
 */
struct drm_agx_params {
	__u32 uapi_version;
	__u32 pad0;
	__u64 features;
	__u64 va_start;
	__u64 va_end;
	__u32 page_size;
	__u32 max_queues;
	__u32 max_command_bytes;
	__u32 max_syncs;
	__u64 timestamp_frequency;
};

/**
 * struct drm_agx_get_params - DRM_IOCTL_AGX_GET_PARAMS
 * @pointer: user pointer to a struct drm_agx_params
 * @size: size of the caller's struct; the driver writes at most this much
 *	and returns in @size how much it knows (for forward compatibility)
 * @pad: zero
 */
struct drm_agx_get_params {
	__u64 pointer;
	__u32 size;
	__u32 pad;
};

/**
 * struct drm_agx_vm_create - DRM_IOCTL_AGX_VM_CREATE
 * @flags: zero
 * @vm_id: out: the new VM
 */
struct drm_agx_vm_create {
	__u32 flags;
	__u32 vm_id;
};

/**
 * struct drm_agx_vm_destroy - DRM_IOCTL_AGX_VM_DESTROY
 * @vm_id: the VM; its mappings go once the work using them is done
 * @pad: zero
 */
struct drm_agx_vm_destroy {
	__u32 vm_id;
	__u32 pad;
};

/**
 * enum drm_agx_bind_op - what a &drm_agx_vm_bind_op does
 * @DRM_AGX_BIND_OP_MAP: bind a BO range
 * @DRM_AGX_BIND_OP_UNMAP: unbind a range bound before, exactly
 */
enum drm_agx_bind_op {
	DRM_AGX_BIND_OP_MAP = 0,
	DRM_AGX_BIND_OP_UNMAP = 1,
};

/**
 * enum drm_agx_bind_flags - GPU access rights of a mapping
 * @DRM_AGX_BIND_READ: the GPU may read
 * @DRM_AGX_BIND_WRITE: the GPU may write
 */
enum drm_agx_bind_flags {
	DRM_AGX_BIND_READ = 1 << 0,
	DRM_AGX_BIND_WRITE = 1 << 1,
};

/**
 * struct drm_agx_vm_bind_op - one bind or unbind
 * @op: DRM_AGX_BIND_OP_*
 * @flags: DRM_AGX_BIND_READ/WRITE for a map; zero for an unmap
 * @handle: GEM handle for a map; zero for an unmap
 * @pad: zero
 * @bo_offset: offset in the BO, page aligned, for a map; zero for an unmap
 * @va: GPU VA, page aligned
 * @size: length, page aligned
 */
struct drm_agx_vm_bind_op {
	__u32 op;
	__u32 flags;
	__u32 handle;
	__u32 pad;
	__u64 bo_offset;
	__u64 va;
	__u64 size;
};

/**
 * struct drm_agx_vm_bind - DRM_IOCTL_AGX_VM_BIND
 * @vm_id: the VM
 * @num_ops: number of entries at @ops, at most %DRM_AGX_MAX_BIND_OPS
 *	(-EINVAL); out: how many ops were done
 * @ops: user pointer to an array of struct drm_agx_vm_bind_op
 * @op_stride: sizeof(struct drm_agx_vm_bind_op) as user space knows it:
 *	at least %DRM_AGX_VM_BIND_OP_MIN_SIZE and at most
 *	&drm_agx_params.page_size (-EINVAL otherwise); the bytes of each op
 *	beyond the kernel's struct must be zero (-E2BIG otherwise)
 * @pad: zero
 *
 * Ops run in order; on the first failure the call returns its error and
 * the ops before it stay done: @num_ops is set to how many were done, 0
 * when the call failed before its first op (a bad field, an unknown VM).
 * A signal pending between two ops stops the call with -EINTR and
 * @num_ops ops done. Done ops are not undone, so the call must not be
 * restarted as it is (drmIoctl() does restart on EINTR): resubmit the ops
 * from index @num_ops on.
 */
struct drm_agx_vm_bind {
	__u32 vm_id;
	__u32 num_ops;
	__u64 ops;
	__u32 op_stride;
	__u32 pad;
};

/**
 * struct drm_agx_gem_create - DRM_IOCTL_AGX_GEM_CREATE
 * @size: bytes, rounded up to pages; not zero
 * @flags: zero
 * @handle: out: the GEM handle
 */
struct drm_agx_gem_create {
	__u64 size;
	__u32 flags;
	__u32 handle;
};

/**
 * struct drm_agx_gem_mmap_offset - DRM_IOCTL_AGX_GEM_MMAP_OFFSET
 * @handle: the GEM handle
 * @flags: zero
 * @offset: out: the fake offset to mmap() on the DRM file
 */
struct drm_agx_gem_mmap_offset {
	__u32 handle;
	__u32 flags;
	__u64 offset;
};

/**
 * enum drm_agx_priority - scheduling priority of a queue
 * @DRM_AGX_PRIORITY_LOW: background work
 * @DRM_AGX_PRIORITY_NORMAL: the default
 * @DRM_AGX_PRIORITY_HIGH: latency-sensitive work
 */
enum drm_agx_priority {
	DRM_AGX_PRIORITY_LOW = 0,
	DRM_AGX_PRIORITY_NORMAL = 1,
	DRM_AGX_PRIORITY_HIGH = 2,
};

/**
 * struct drm_agx_queue_create - DRM_IOCTL_AGX_QUEUE_CREATE
 * @vm_id: the VM the queue's commands address
 * @priority: DRM_AGX_PRIORITY_*; %DRM_AGX_PRIORITY_HIGH needs CAP_SYS_NICE
 *	or the DRM master (-EPERM otherwise), as it may starve other clients
 * @flags: zero
 * @queue_id: out: the new queue
 */
struct drm_agx_queue_create {
	__u32 vm_id;
	__u32 priority;
	__u32 flags;
	__u32 queue_id;
};

/**
 * struct drm_agx_queue_destroy - DRM_IOCTL_AGX_QUEUE_DESTROY
 * @queue_id: the queue; queued work is cancelled, running work completes
 * @pad: zero
 */
struct drm_agx_queue_destroy {
	__u32 queue_id;
	__u32 pad;
};

/**
 * enum drm_agx_sync_type - kind of syncobj in a &drm_agx_sync
 * @DRM_AGX_SYNC_BINARY: a binary syncobj
 * @DRM_AGX_SYNC_TIMELINE: a point of a timeline syncobj
 */
enum drm_agx_sync_type {
	DRM_AGX_SYNC_BINARY = 0,
	DRM_AGX_SYNC_TIMELINE = 1,
};

/**
 * struct drm_agx_sync - a syncobj to wait on or to signal
 * @sync_type: DRM_AGX_SYNC_*
 * @handle: the syncobj handle
 * @timeline_value: the point, for a timeline syncobj; zero for binary
 */
struct drm_agx_sync {
	__u32 sync_type;
	__u32 handle;
	__u64 timeline_value;
};

/**
 * enum drm_agx_status - how a submission ended, in &drm_agx_result.status
 * @DRM_AGX_STATUS_PENDING: not ended (the record is not written yet)
 * @DRM_AGX_STATUS_COMPLETE: every command ran
 * @DRM_AGX_STATUS_FAULT: a command accessed memory outside its mappings
 * @DRM_AGX_STATUS_TIMEOUT: the submission hung and was stopped
 * @DRM_AGX_STATUS_CANCELLED: the submission was cancelled before it ended
 * @DRM_AGX_STATUS_ILLEGAL: the command stream was malformed
 */
enum drm_agx_status {
	DRM_AGX_STATUS_PENDING = 0,
	DRM_AGX_STATUS_COMPLETE = 1,
	DRM_AGX_STATUS_FAULT = 2,
	DRM_AGX_STATUS_TIMEOUT = 3,
	DRM_AGX_STATUS_CANCELLED = 4,
	DRM_AGX_STATUS_ILLEGAL = 5,
};

/**
 * struct drm_agx_result - written by the firmware when a submission ends
 * @status: DRM_AGX_STATUS_*
 * @command_index: the command that failed, for a fault or illegal command
 *	(0 for the first command of the stream); zero otherwise
 * @fault_va: the faulting GPU VA, for a fault; zero otherwise
 * @timestamp: when the submission ended (completed, failed or was
 *	stopped), in CLOCK_MONOTONIC nanoseconds
 *
 * Every field is written when the submission ends, @status last, with
 * release semantics: a reader that loads @status with acquire semantics
 * (__atomic_load_n(&r->status, __ATOMIC_ACQUIRE)) and sees it not
 * %DRM_AGX_STATUS_PENDING then reads the other fields of the same end.
 * Writes end at the kernel's sizeof(struct drm_agx_result) or at
 * &drm_agx_submit.result_size, whichever is smaller.
 */
struct drm_agx_result {
	__u32 status;
	__u32 command_index;
	__u64 fault_va;
	__u64 timestamp;
};

/**
 * struct drm_agx_submit - DRM_IOCTL_AGX_SUBMIT
 * @queue_id: the queue
 * @flags: zero
 * @in_sync_count: entries at @in_syncs
 * @out_sync_count: entries at @out_syncs
 * @in_syncs: user pointer to struct drm_agx_sync to wait for
 * @out_syncs: user pointer to struct drm_agx_sync to signal when done
 * @commands: user pointer to the command stream (see below)
 * @command_bytes: its size; a multiple of 4, not zero
 * @result_handle: GEM handle of a BO receiving a struct drm_agx_result,
 *	or zero
 * @result_offset: offset of the record in that BO, 8-byte aligned; zero
 *	without a result BO
 * @sync_stride: sizeof(struct drm_agx_sync) as user space knows it, the
 *	distance between entries at @in_syncs and at @out_syncs: at least
 *	%DRM_AGX_SYNC_MIN_SIZE and at most &drm_agx_params.page_size
 *	(-EINVAL otherwise); the bytes of each entry beyond the kernel's
 *	struct must be zero (-E2BIG otherwise). May be zero only when both
 *	sync counts are zero.
 * @result_size: sizeof(struct drm_agx_result) as user space knows it; with
 *	a result BO at least %DRM_AGX_RESULT_MIN_SIZE, and @result_offset +
 *	@result_size within the BO (-EINVAL otherwise); zero without one
 */
struct drm_agx_submit {
	__u32 queue_id;
	__u32 flags;
	__u32 in_sync_count;
	__u32 out_sync_count;
	__u64 in_syncs;
	__u64 out_syncs;
	__u64 commands;
	__u32 command_bytes;
	__u32 result_handle;
	__u64 result_offset;
	__u32 sync_stride;
	__u32 result_size;
};

/**
 * DOC: command stream
 *
 * A flat array of 32-bit words. Each command starts with a header word,
 * DRM_AGX_CMD(op, n): the opcode in bits 31..24 and the number of argument
 * words that follow in bits 23..0. 64-bit arguments are two words, low word
 * first. The whole stream is checked before any command runs: a malformed
 * one (unknown opcode, wrong argument count, a byte count that is not a
 * multiple of 4) runs nothing and ends with %DRM_AGX_STATUS_ILLEGAL, the
 * done fence getting -EINVAL. Commands run in order; a command that faults
 * ends the submission with %DRM_AGX_STATUS_FAULT (commands before it have
 * run) and the done fence gets -EFAULT. Work stopped on the GPU by a hang
 * gets %DRM_AGX_STATUS_TIMEOUT (the hung submission, fence -ETIMEDOUT) or
 * %DRM_AGX_STATUS_CANCELLED (the ones behind it on the GPU, fence
 * -ECANCELED), with every field of the record written; work cancelled
 * before it reached the GPU (queue destroyed, queue banned, device gone)
 * leaves the record as it was, and only its fence error tells. Arguments:
 *
 * - NOP: none
 * - FILL: va:64, bytes:32, value:32 (a u32 fill, 4-byte units)
 * - COPY: dst:64, src:64, bytes:32
 * - AXPY: dst:64, x:64, y:64, a:32, n:32 (dst[i] = a * x[i] + y[i], u32)
 * - TIMESTAMP: va:64 (writes the u64 CLOCK_MONOTONIC time in nanoseconds)
 * - BARRIER: none (earlier writes are visible to later commands)
 * - STALL: usecs:32 (busy for that long, at most %DRM_AGX_MAX_STALL_US)
 * - HANG: none (never completes)
 *
 * STALL and HANG exist to test the driver's timeout and teardown paths:
 * they are legal only while the module parameter test_opcodes of
 * gpucore_agx is on (/sys/module/gpucore_agx/parameters/test_opcodes,
 * root only, off by default); otherwise a stream holding one is malformed,
 * as one with an unknown opcode. A STALL over %DRM_AGX_MAX_STALL_US is
 * malformed too.
 */

/**
 * DRM_AGX_CMD() - the header word of a command
 * @op: an &enum drm_agx_op
 * @n: the number of argument words that follow
 */
#define DRM_AGX_CMD(op, n)		(((__u32)(op) << 24) | ((n) & 0xffffff))

/**
 * DRM_AGX_CMD_OP() - the opcode of a header word
 * @word: the header word
 */
#define DRM_AGX_CMD_OP(word)		((word) >> 24)

/**
 * DRM_AGX_CMD_LEN() - the argument count of a header word
 * @word: the header word
 */
#define DRM_AGX_CMD_LEN(word)		((word) & 0xffffff)

/**
 * enum drm_agx_op - command opcodes
 * @DRM_AGX_OP_NOP: nothing
 * @DRM_AGX_OP_FILL: fill memory with a 32-bit value
 * @DRM_AGX_OP_COPY: copy memory
 * @DRM_AGX_OP_AXPY: integer a * x + y over u32 vectors
 * @DRM_AGX_OP_TIMESTAMP: write the GPU time
 * @DRM_AGX_OP_BARRIER: order memory accesses
 * @DRM_AGX_OP_STALL: keep the GPU busy (test only, see above)
 * @DRM_AGX_OP_HANG: never complete (test only: for tests of hang recovery)
 */
enum drm_agx_op {
	DRM_AGX_OP_NOP = 0x00,
	DRM_AGX_OP_FILL = 0x01,
	DRM_AGX_OP_COPY = 0x02,
	DRM_AGX_OP_AXPY = 0x03,
	DRM_AGX_OP_TIMESTAMP = 0x04,
	DRM_AGX_OP_BARRIER = 0x05,
	DRM_AGX_OP_STALL = 0x06,
	DRM_AGX_OP_HANG = 0x07,
};

/**
 * define DRM_IOCTL_AGX_GET_PARAMS - request number; argument &struct drm_agx_get_params
 */
#define DRM_IOCTL_AGX_GET_PARAMS \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_AGX_GET_PARAMS, struct drm_agx_get_params)

/**
 * define DRM_IOCTL_AGX_VM_CREATE - request number; argument &struct drm_agx_vm_create
 */
#define DRM_IOCTL_AGX_VM_CREATE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_AGX_VM_CREATE, struct drm_agx_vm_create)

/**
 * define DRM_IOCTL_AGX_VM_DESTROY - request number; argument &struct drm_agx_vm_destroy
 */
#define DRM_IOCTL_AGX_VM_DESTROY \
	DRM_IOW(DRM_COMMAND_BASE + DRM_AGX_VM_DESTROY, struct drm_agx_vm_destroy)

/**
 * define DRM_IOCTL_AGX_VM_BIND - request number; argument &struct drm_agx_vm_bind
 */
#define DRM_IOCTL_AGX_VM_BIND \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_AGX_VM_BIND, struct drm_agx_vm_bind)

/**
 * define DRM_IOCTL_AGX_GEM_CREATE - request number; argument &struct drm_agx_gem_create
 */
#define DRM_IOCTL_AGX_GEM_CREATE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_AGX_GEM_CREATE, struct drm_agx_gem_create)

/**
 * define DRM_IOCTL_AGX_GEM_MMAP_OFFSET - request number; argument &struct drm_agx_gem_mmap_offset
 */
#define DRM_IOCTL_AGX_GEM_MMAP_OFFSET \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_AGX_GEM_MMAP_OFFSET, struct drm_agx_gem_mmap_offset)

/**
 * define DRM_IOCTL_AGX_QUEUE_CREATE - request number; argument &struct drm_agx_queue_create
 */
#define DRM_IOCTL_AGX_QUEUE_CREATE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_AGX_QUEUE_CREATE, struct drm_agx_queue_create)

/**
 * define DRM_IOCTL_AGX_QUEUE_DESTROY - request number; argument &struct drm_agx_queue_destroy
 */
#define DRM_IOCTL_AGX_QUEUE_DESTROY \
	DRM_IOW(DRM_COMMAND_BASE + DRM_AGX_QUEUE_DESTROY, struct drm_agx_queue_destroy)

/**
 * define DRM_IOCTL_AGX_SUBMIT - request number; argument &struct drm_agx_submit
 */
#define DRM_IOCTL_AGX_SUBMIT \
	DRM_IOW(DRM_COMMAND_BASE + DRM_AGX_SUBMIT, struct drm_agx_submit)

#if defined(__cplusplus)
}
#endif

#endif /* _GPUCORE_AGX_DRM_H_ */
