/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Interface of the gc_e2e test module, shared by the module and the static
 * test programs that run in the end-to-end VM. Not a stable ABI: it changes
 * with the tests.
 */
#ifndef _GC_E2E_H_
#define _GC_E2E_H_

#include <linux/ioctl.h>
#include <linux/types.h>

#define GC_E2E_DEVICE		"gc_e2e"
#define GC_E2E_DRIVER_NAME	"gc_e2e"
#define GC_E2E_TIMELINE_NAME	"e2e"

/**
 * struct gc_e2e_create - arguments of %GC_E2E_IOC_CREATE
 * @flags: in, must be 0
 * @fd: out, a sync_file fd (O_CLOEXEC) holding the new fence
 * @seqno: out, the fence's seqno on the file's timeline
 *
 * Creates a gpucore fence on the file's timeline (created on first use) and
 * keeps its signaller in the file. One fence at a time: -EBUSY while the
 * previous one is not signalled.
 */
struct gc_e2e_create {
	__u32 flags;
	__s32 fd;
	__u64 seqno;
};

/**
 * struct gc_e2e_signal - arguments of %GC_E2E_IOC_SIGNAL
 * @error: in, 0 to signal success, or a negative errno to complete the
 *	fence with that error
 * @pad: must be 0
 *
 * Signals the fence kept by the last %GC_E2E_IOC_CREATE; -ENOENT if there
 * is none.
 */
struct gc_e2e_signal {
	__s32 error;
	__u32 pad;
};

/**
 * struct gc_e2e_inject - arguments of %GC_E2E_IOC_INJECT
 * @bug: in, which lifetime bug to commit: %GC_E2E_BUG_DOUBLE_PUT
 * @reports: out, how many reports gpucore made about it
 *
 * Commits the bug on purpose, on a fence of its own, with gpucore's report
 * catcher active: the report is printed as "gpucore: caught: ..." with the
 * owners' stacks, and the bug does no damage. Needs gpucore built with
 * owner tracking (-EOPNOTSUPP otherwise: the bug would be real).
 */
struct gc_e2e_inject {
	__u32 bug;
	__u32 reports;
};

/* A fence reference put twice through two copies of its handle. */
#define GC_E2E_BUG_DOUBLE_PUT	1

#define GC_E2E_IOC_MAGIC	0xe2
#define GC_E2E_IOC_CREATE	_IOWR(GC_E2E_IOC_MAGIC, 0x00, struct gc_e2e_create)
#define GC_E2E_IOC_SIGNAL	_IOW(GC_E2E_IOC_MAGIC, 0x01, struct gc_e2e_signal)
#define GC_E2E_IOC_INJECT	_IOWR(GC_E2E_IOC_MAGIC, 0x02, struct gc_e2e_inject)

#endif /* _GC_E2E_H_ */
