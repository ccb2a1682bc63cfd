// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Must not pass sparse: a driver signalling a job's done fence itself.
 * scripts/lint.sh checks that sparse reports the access to the private
 * field; it is never built into a module that loads.
 */

#include <linux/module.h>

#include <gpucore/queue.h>

/* Looks at the signaller as a driver about to signal it would. */
static bool gc_lint_private_done(struct gc_job *job)
{
	return job->done.ptr;
}

static int __init gc_lint_init(void)
{
	return gc_lint_private_done(NULL) ? 0 : -ENODEV;
}
module_init(gc_lint_init);

MODULE_LICENSE("Dual MIT/GPL");
