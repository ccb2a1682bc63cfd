// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* gpucore module entry points, and the symbol that names its debug ABI. */

#include <linux/module.h>
#include <linux/rcupdate.h>

#include "internal.h"

/*
 * gpucore_abi_debug_tracking_on or _off, after this build's
 * CONFIG_DRM_GPUCORE_DEBUG: every user of <gpucore/track.h> refers to the
 * one of its own build, so the loader refuses a module built with the
 * other setting (see "debug ABI" in <gpucore/track.h>). Its value, the
 * size of a handle's tracking slot, is for whoever reads it in a debugger.
 */
const u32 GC_ABI_SYMBOL = sizeof(struct gc_track_slot);
EXPORT_SYMBOL_NS_GPL(GC_ABI_SYMBOL, GPUCORE_NS);

static int __init gpucore_init(void)
{
	return gc_track_init();
}

static void __exit gpucore_exit(void)
{
	/* Timelines are freed after a grace period, by gpucore's code. */
	rcu_barrier();
	gc_track_exit();
}

module_init(gpucore_init);
module_exit(gpucore_exit);

MODULE_DESCRIPTION("Ownership-checked buffers, fences, jobs and queues for DRM drivers");
MODULE_LICENSE("Dual MIT/GPL");
