// SPDX-License-Identifier: GPL-2.0-only
/*
 * Negative cases for put_after_handoff.cocci: nothing here may be reported.
 * The code is never built.
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
	bool done;
};

/* One put of the creator's reference, after the last use. */
int demo_ioctl_create(struct drm_device *dev, void *data, struct drm_file *file)
{
	struct demo_args *args = data;
	struct demo_bo *bo;
	int ret;

	bo = demo_bo_create(dev, args->size);
	if (IS_ERR(bo))
		return PTR_ERR(bo);

	ret = drm_gem_handle_create(file, &bo->base, &args->handle);
	if (!ret)
		ret = demo_map(dev, args->handle);
	drm_gem_object_put(&bo->base);
	return ret;
}

/* Everything that can fail happens before the fd is installed. */
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
	if (put_user(fd, ufd)) {
		fput(sync->file);
		put_unused_fd(fd);
		return -EFAULT;
	}
	fd_install(fd, sync->file);
	return 0;
}

/* The cleanup after the install only runs when nothing was installed. */
int demo_submit(struct demo_submit *submit, struct demo_args *args)
{
	struct sync_file *sync = NULL;
	int fd = -1;
	int ret;

	ret = demo_prepare(submit, &fd);
	if (ret)
		goto out;
	sync = sync_file_create(submit->fence);
	if (!sync) {
		ret = -ENOMEM;
		goto out;
	}
	fd_install(fd, sync->file);
	args->fd = fd;
out:
	if (ret && fd >= 0)
		put_unused_fd(fd);
	return ret;
}

/* Freed only on the branch where the callback was not added. */
int demo_wait_async(struct dma_fence *fence)
{
	struct demo_waiter *w;
	int ret;

	w = kzalloc(sizeof(*w), GFP_KERNEL);
	if (!w)
		return -ENOMEM;
	ret = dma_fence_add_callback(fence, &w->cb, demo_waiter_cb);
	if (ret) {
		kfree(w);
		return ret == -ENOENT ? 0 : ret;
	}
	return 0;
}

/* The stack callback is removed, or known to have run, before returning. */
int demo_wait_stack(struct dma_fence *fence, long timeout)
{
	struct demo_waiter w = { };

	if (dma_fence_add_callback(fence, &w.cb, demo_waiter_cb))
		return 0;
	if (!schedule_timeout(timeout)) {
		dma_fence_remove_callback(fence, &w.cb);
		return -ETIMEDOUT;
	}
	while (!READ_ONCE(w.done))
		cpu_relax();
	return 0;
}

/* Unlinked before it is freed, or freed only when the list is empty. */
int demo_register(struct demo_device *ddev, struct demo_waiter *spare)
{
	struct demo_waiter *w;
	int ret;

	w = kzalloc(sizeof(*w), GFP_KERNEL);
	if (!w)
		return -ENOMEM;
	list_add_tail(&w->link, &ddev->waiters);
	ret = demo_start(ddev);
	if (ret) {
		list_del(&w->link);
		kfree(w);
		return ret;
	}
	INIT_LIST_HEAD(&spare->link);
	if (demo_busy(ddev))
		list_add(&spare->link, &ddev->waiters);
	if (list_empty(&spare->link))
		kfree(spare);
	return 0;
}
