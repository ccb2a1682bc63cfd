/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The backend conformance suite (gpucore_conformance) and what a backend
 * implements to be run by it.
 *
 * Every backend on gpucore must give the same guarantees: a BO outlives its
 * handle while a job uses it, jobs run in dependency order across queues,
 * destroying a queue or unplugging the device with work in flight completes
 * every fence, a hang fails the guilty job and nothing else outside its
 * queue, and nothing leaks. The suite checks them with the backend's own
 * simulated hardware doing the writes, through the small interface below,
 * which any backend can offer: a device, queues with a timeout, BOs, a job
 * that writes one value into a BO, a job that hangs, unplug, and a way to
 * read a BO back.
 *
 * A backend provides a &struct gc_conf_backend in its own file
 * (conformance_<name>.c) and the suite lists it in conformance_test.c under
 * GC_CONF_BUILTIN() of the backend's Kconfig symbol.
 */
#ifndef _GPUCORE_CONFORMANCE_H_
#define _GPUCORE_CONFORMANCE_H_

#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/kconfig.h>

#include <gpucore/bo.h>
#include <gpucore/device.h>
#include <gpucore/fence.h>
#include <gpucore/queue.h>

struct drm_device;

/*
 * A backend's adapter is linked into the KUnit module only when the suites
 * and the backend are both built in (see tests/kunit/Kbuild): the adapter
 * calls the backend directly.
 */
#define GC_CONF_BUILTIN(sym) \
	(IS_BUILTIN(CONFIG_DRM_GPUCORE_KUNIT_TEST) && IS_BUILTIN(sym))

/**
 * struct gc_conf_dev - one device of a backend, as the suite sees it
 * @backend: the backend that created it
 * @test: the test case it was created for
 * @gdev: the device's gpucore state: its tracking scope and queues
 * @drm: the DRM device the device's BOs belong to
 * @nr_bos: BOs from &gc_conf_backend.bo_create whose memory is not freed
 *	yet; kept by the backend (gc_conf_bo_created(), gc_conf_bo_freed())
 * @freed_word: the u32 at offset 0 of the last of those BOs freed, read by
 *	the backend just before it freed the BO's memory
 *
 * Embedded in the backend's own context structure; the backend fills every
 * field in &gc_conf_backend.create.
 */
struct gc_conf_dev {
	const struct gc_conf_backend *backend;
	struct kunit *test;
	struct gc_device *gdev;
	struct drm_device *drm;
	atomic_t nr_bos;
	u32 freed_word;
};

/**
 * struct gc_conf_queue - one queue of a backend, as the suite sees it
 * @dev: the device
 * @gq: the gpucore queue behind it
 *
 * Embedded in the backend's own queue structure, which must stay valid
 * until &gc_conf_backend.queue_destroy and, after it, until the last job
 * of the queue is freed; the suite does not touch it after queue_destroy.
 */
struct gc_conf_queue {
	struct gc_conf_dev *dev;
	struct gc_queue *gq;
};

/**
 * struct gc_conf_backend - what a backend implements for the suite
 * @name: the backend's name; each case's parameter is named after it
 * @create: create a device context for @test: fill every field of the
 *	&struct gc_conf_dev it embeds (gc_conf_dev_init()). Allocate that
 *	structure with kunit_kzalloc(): it stays readable until the test case
 *	ends, after @destroy, so that the suite can check &gc_conf_dev.nr_bos.
 *	Return it, or an ERR_PTR().
 * @destroy: tear the device down, once every queue was destroyed and
 *	every handle the suite held was dropped: wait for the device's work to
 *	be released and its BOs freed, free everything but the context
 *	structure, and return gc_device_fini()'s count of leaked references.
 * @queue_create: create a queue whose jobs time out after @timeout_ms.
 *	Return it, or an ERR_PTR().
 * @queue_destroy: destroy a queue (gc_queue_destroy() semantics: queued
 *	jobs are cancelled, jobs on the hardware complete or time out).
 * @bo_create: create a zero-filled BO of at least @size bytes, counted in
 *	&gc_conf_dev.nr_bos until its memory is freed. Return an owned
 *	reference, or an error handle (gc_is_err()).
 * @submit_write: submit a job on @q that waits for @dep (if not NULL) and
 *	for earlier writers of @bo, then has the hardware write @value at byte
 *	@offset (4-byte aligned) of @bo. The job holds its own reference to
 *	@bo until it is released. Return the job's done fence, or an error
 *	handle: gc_job_init()'s error (-EIO on a banned queue, -ENODEV after
 *	unplug) or another errno.
 * @submit_hang: submit a job on @q that waits for @dep (if not NULL), then
 *	never completes on the hardware: the backend finds it guilty when it
 *	times out. Return as for @submit_write.
 * @unplug: the device is removed: gc_device_unplug() and whatever the
 *	backend does on removal. BOs stay readable.
 * @bo_read: read the u32 at byte @offset of @bo into @value, after waiting
 *	for the GPU work on @bo (that has not been cancelled) to finish.
 *	Return 0 or an errno.
 */
struct gc_conf_backend {
	const char *name;
	struct gc_conf_dev *(*create)(struct kunit *test);
	unsigned int (*destroy)(struct gc_conf_dev *dev);
	struct gc_conf_queue *(*queue_create)(struct gc_conf_dev *dev, unsigned int timeout_ms);
	void (*queue_destroy)(struct gc_conf_queue *q);
	struct gc_bo_ref (*bo_create)(struct gc_conf_dev *dev, size_t size);
	struct gc_fence_ref (*submit_write)(struct gc_conf_queue *q, struct gc_bo *bo,
					    size_t offset, u32 value, struct dma_fence *dep);
	struct gc_fence_ref (*submit_hang)(struct gc_conf_queue *q, struct dma_fence *dep);
	void (*unplug)(struct gc_conf_dev *dev);
	int (*bo_read)(struct gc_conf_dev *dev, struct gc_bo *bo, size_t offset, u32 *value);
};

extern const struct gc_conf_backend gc_conf_agx;
extern const struct gc_conf_backend gc_conf_amdgpu;
extern const struct gc_conf_backend gc_conf_nova;

/**
 * gc_conf_dev_init() - fill the common part of a device context
 * @dev: the context, embedded in the backend's
 * @backend: the backend
 * @test: the test case
 * @gdev: the device's gpucore state
 * @drm: the DRM device of its BOs
 */
static inline void gc_conf_dev_init(struct gc_conf_dev *dev, const struct gc_conf_backend *backend,
				    struct kunit *test, struct gc_device *gdev,
				    struct drm_device *drm)
{
	dev->backend = backend;
	dev->test = test;
	dev->gdev = gdev;
	dev->drm = drm;
	atomic_set(&dev->nr_bos, 0);
	dev->freed_word = 0;
}

/**
 * gc_conf_bo_created() - count a BO made by &gc_conf_backend.bo_create
 * @dev: the device
 */
static inline void gc_conf_bo_created(struct gc_conf_dev *dev)
{
	atomic_inc(&dev->nr_bos);
}

/**
 * gc_conf_bo_freed() - a BO made by &gc_conf_backend.bo_create is freed
 * @dev: the device
 * @first_word: the u32 at offset 0 of the BO, read just before its memory
 *	is freed
 *
 * The word is published before the count drops, so a reader that sees the
 * count drop (atomic_read_acquire()) sees the word.
 */
static inline void gc_conf_bo_freed(struct gc_conf_dev *dev, u32 first_word)
{
	WRITE_ONCE(dev->freed_word, first_word);
	atomic_dec_return_release(&dev->nr_bos);
}

/*
 * Helpers of conformance_test.c that adapters may use.
 *
 * gc_conf_bo_read_vmap(): &gc_conf_backend.bo_read for BOs that
 * gc_bo_cpu_begin() and gc_bo_vmap() handle (shmem BOs, for example).
 */
int gc_conf_bo_read_vmap(struct gc_conf_dev *dev, struct gc_bo *bo, size_t offset, u32 *value);

#endif /* _GPUCORE_CONFORMANCE_H_ */
