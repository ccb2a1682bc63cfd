/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/* Declarations shared between gpucore's own files; not part of the API. */
#ifndef _GPUCORE_INTERNAL_H_
#define _GPUCORE_INTERNAL_H_

#include <gpucore/compat.h>
#include <gpucore/fence.h>

#include "track_internal.h"

/* A job's done fence: gc_fence_create() with a lock class of its own. */
struct gc_fence_signaller gc_fence_create_done(struct gc_timeline *tl, gfp_t gfp);

#endif /* _GPUCORE_INTERNAL_H_ */
