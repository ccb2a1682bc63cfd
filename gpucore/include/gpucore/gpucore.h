/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * gpucore: ownership-checked objects for DRM drivers. Include this header,
 * add MODULE_IMPORT_NS(GPUCORE_NS) to the driver, and see
 * Documentation/safety-model.rst for the rules every handle follows.
 */
#ifndef _GPUCORE_GPUCORE_H_
#define _GPUCORE_GPUCORE_H_

#include <gpucore/bo.h>
#include <gpucore/cleanup.h>
#include <gpucore/compat.h>
#include <gpucore/device.h>
#include <gpucore/exec.h>
#include <gpucore/fence.h>
#include <gpucore/fence_set.h>
#include <gpucore/queue.h>
#include <gpucore/shmem.h>
#include <gpucore/track.h>
#include <gpucore/vm.h>

#endif /* _GPUCORE_GPUCORE_H_ */
