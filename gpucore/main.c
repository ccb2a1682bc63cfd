// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* gpucore module entry points. */

#include <linux/module.h>

#include "internal.h"

static int __init gpucore_init(void)
{
	return gc_track_init();
}

static void __exit gpucore_exit(void)
{
	gc_track_exit();
}

module_init(gpucore_init);
module_exit(gpucore_exit);

MODULE_DESCRIPTION("Ownership-checked buffers, fences, jobs and queues for DRM drivers");
MODULE_LICENSE("Dual MIT/GPL");
