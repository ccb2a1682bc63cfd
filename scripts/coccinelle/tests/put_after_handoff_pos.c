// SPDX-License-Identifier: GPL-2.0-only
/*
 * Positive cases for put_after_handoff.cocci: every line marked "expect"
 * must be reported, and no other. The code is never built.
 */

#include <drm/drm_gem.h>
#include <linux/dma-fence.h>
#include <linux/file.h>
#include <linux/sync_file.h>

struct demo_bo {
	struct drm_gem_object base;
	u64 offset;
};

struct demo_waiter {
	struct dma_fence_cb cb;
	struct list_head link;
	struct demo_bo *bo;
};

/* The error path drops the reference the handle took over. */
int demo_ioctl_create(struct drm_device *dev, void *data, struct drm_file *file)
{
	struct demo_args *args = data;
	struct demo_bo *bo;
	int ret;

	bo = demo_bo_create(dev, args->size);
	if (IS_ERR(bo))
		return PTR_ERR(bo);

	ret = drm_gem_handle_create(file, &bo->base, &args->handle);
	drm_gem_object_put(&bo->base);
	if (ret)
		return ret;

	ret = demo_map(dev, args->handle);
	if (ret) {
		drm_gem_object_put(&bo->base); /* expect: put_after_handoff */
		return ret;
	}
	return 0;
}

/* The fd is live once installed: copying it out comes first. */
int demo_fence_fd(struct dma_fence *fence, int __user *ufd)
{
	struct sync_file *sync;
	int fd;

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0)
		return fd;
	sync = sync_file_create(fence);
	if (!sync) {
		put_unused_fd(fd);
		return -ENOMEM;
	}
	fd_install(fd, sync->file);
	if (put_user(fd, ufd)) {
		fput(sync->file); /* expect: put_after_handoff */
		put_unused_fd(fd); /* expect: put_after_handoff */
		return -EFAULT;
	}
	return 0;
}

/* The sync_file may be gone as soon as its fd is installed. */
int demo_fence_fd_late(struct dma_fence *fence, struct demo_args *args)
{
	struct sync_file *sync;
	int fd;

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0)
		return fd;
	sync = sync_file_create(fence);
	if (!sync) {
		put_unused_fd(fd);
		return -ENOMEM;
	}
	fd_install(fd, sync->file);
	args->fd = fd;
	args->seqno = sync->fence->seqno; /* expect: put_after_handoff */
	return 0;
}

/* The fence still points at the waiter after it is freed. */
int demo_wait_async(struct dma_fence *fence, struct demo_bo *bo)
{
	struct demo_waiter *w;
	int ret;

	w = kzalloc(sizeof(*w), GFP_KERNEL);
	if (!w)
		return -ENOMEM;
	w->bo = bo;
	ret = dma_fence_add_callback(fence, &w->cb, demo_waiter_cb);
	if (ret == -ENOENT) {
		kfree(w);
		return 0;
	}
	ret = demo_kick(bo);
	if (ret) {
		kfree(w); /* expect: put_after_handoff */
		return ret;
	}
	return 0;
}

/* A callback on the stack outlives the frame on the timeout path. */
int demo_wait_stack(struct dma_fence *fence, long timeout)
{
	struct demo_waiter w = { };

	if (dma_fence_add_callback(fence, &w.cb, demo_waiter_cb))
		return 0;
	if (!schedule_timeout(timeout))
		return -ETIMEDOUT; /* expect: put_after_handoff */
	dma_fence_remove_callback(fence, &w.cb);
	return 0;
}

/* Freed while still linked into the device's list. */
int demo_register(struct demo_device *ddev, struct demo_bo *bo)
{
	struct demo_waiter *w;
	int ret;

	w = kzalloc(sizeof(*w), GFP_KERNEL);
	if (!w)
		return -ENOMEM;
	mutex_lock(&ddev->lock);
	list_add_tail(&w->link, &ddev->waiters);
	ret = demo_map_handle(ddev, bo);
	if (ret) {
		kfree(w); /* expect: put_after_handoff */
		mutex_unlock(&ddev->lock);
		return ret;
	}
	mutex_unlock(&ddev->lock);
	return 0;
}
