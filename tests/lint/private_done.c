// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Must not pass sparse: a driver signalling a job's done fence itself.
 * scripts/lint.sh checks that sparse reports the access to the private
 * field; it is never built into a module that loads.
 */

#include <linux/module.h>

#include <gpucore/queue.h>

bool gc_lint_private_done(struct gc_job *job);

/* Looks at the signaller as a driver about to signal it would. */
bool gc_lint_private_done(struct gc_job *job)
{
	return job->done.ptr != NULL;
}
EXPORT_SYMBOL_GPL(gc_lint_private_done);

MODULE_LICENSE("Dual MIT/GPL");
