// SPDX-License-Identifier: GPL-2.0-only
/*
 * gc_e2e: test support for gpucore's end-to-end tests.
 *
 * A misc device, /dev/gc_e2e, through which a test program in the VM creates
 * gpucore fences, gets them as sync_file fds and signals them, so that the
 * lifetime of a fence can be followed from userspace: across the close of
 * the device, the unload of this module, and the unload of gpucore.
 *
 * Each open file has its own timeline and keeps at most one unsignalled
 * fence. Closing the file completes that fence with -ECANCELED, so no
 * waiter hangs.
 */

#include <linux/errno.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/sync_file.h>
#include <linux/uaccess.h>

#include <gpucore/compat.h>
#include <gpucore/fence.h>

/* The report catcher, for tests only. */
#include "../../gpucore/report.h"
#include "gc_e2e.h"

/**
 * struct gc_e2e_file - state of one open /dev/gc_e2e
 * @lock: serialises the ioctls of this file
 * @tl: the file's timeline, created by the first %GC_E2E_IOC_CREATE
 * @sig: the signaller of the fence not yet signalled; @sig.ptr is NULL when
 *	there is none
 */
struct gc_e2e_file {
	struct mutex lock;	/* protects tl and sig */
	struct gc_timeline *tl;
	struct gc_fence_signaller sig;
};

static int gc_e2e_open(struct inode *inode, struct file *file)
{
	struct gc_e2e_file *ef;

	ef = kzalloc(sizeof(*ef), GFP_KERNEL);
	if (!ef)
		return -ENOMEM;
	mutex_init(&ef->lock);
	file->private_data = ef;
	return 0;
}

static int gc_e2e_release(struct inode *inode, struct file *file)
{
	struct gc_e2e_file *ef = file->private_data;

	if (ef->sig.ptr)
		gc_fence_signal_error(&ef->sig, -ECANCELED);
	gc_timeline_put(ef->tl);
	mutex_destroy(&ef->lock);
	kfree(ef);
	return 0;
}

/* Install @fence in a new sync_file; returns its fd, not yet installed. */
static int gc_e2e_sync_file(struct dma_fence *fence, struct sync_file **out)
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
	*out = sync;
	return fd;
}

/* Called with ef->lock held. */
static int gc_e2e_create_locked(struct gc_e2e_file *ef, struct gc_e2e_create *arg,
				struct gc_e2e_create __user *uarg)
{
	struct gc_fence_signaller sig;
	struct sync_file *sync;
	int fd;

	if (ef->sig.ptr)
		return -EBUSY;
	if (!ef->tl) {
		struct gc_timeline *tl;

		tl = gc_timeline_create(GC_E2E_DRIVER_NAME, GC_E2E_TIMELINE_NAME, NULL);
		if (IS_ERR(tl))
			return PTR_ERR(tl);
		ef->tl = tl;
	}

	sig = gc_fence_create(ef->tl, GFP_KERNEL);
	if (gc_is_err(sig))
		return gc_err(sig);

	{
		struct gc_fence_ref ref __free(gc_fence_put) = gc_fence_signaller_fence(&sig);

		/* The sync_file takes its own reference. */
		fd = gc_e2e_sync_file(gc_fence_borrow(&ref), &sync);
	}
	if (fd < 0)
		goto cancel;

	arg->fd = fd;
	arg->seqno = gc_fence_signaller_seqno(&sig);
	if (copy_to_user(uarg, arg, sizeof(*arg))) {
		fput(sync->file);
		put_unused_fd(fd);
		fd = -EFAULT;
		goto cancel;
	}

	fd_install(fd, sync->file);
	ef->sig = gc_move(&sig);
	return 0;

cancel:
	gc_fence_signal_error(&sig, -ECANCELED);
	return fd;
}

static long gc_e2e_create(struct gc_e2e_file *ef, struct gc_e2e_create __user *uarg)
{
	struct gc_e2e_create arg;
	int ret;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.flags)
		return -EINVAL;

	mutex_lock(&ef->lock);
	ret = gc_e2e_create_locked(ef, &arg, uarg);
	mutex_unlock(&ef->lock);
	return ret;
}

static long gc_e2e_signal(struct gc_e2e_file *ef, struct gc_e2e_signal __user *uarg)
{
	struct gc_e2e_signal arg;
	int ret;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.pad || arg.error > 0 || arg.error < -MAX_ERRNO)
		return -EINVAL;

	mutex_lock(&ef->lock);
	if (!ef->sig.ptr)
		ret = -ENOENT;
	else if (arg.error)
		ret = gc_fence_signal_error(&ef->sig, arg.error);
	else
		ret = gc_fence_signal(&ef->sig);
	mutex_unlock(&ef->lock);
	return ret;
}

static long gc_e2e_inject(struct gc_e2e_inject __user *uarg)
{
	struct gc_report_catcher catcher;
	struct gc_fence_signaller sig;
	struct gc_fence_ref ref, copy;
	struct gc_e2e_inject arg;
	struct gc_timeline *tl;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.bug != GC_E2E_BUG_DOUBLE_PUT)
		return -EINVAL;
	if (!IS_ENABLED(CONFIG_DRM_GPUCORE_DEBUG))
		return -EOPNOTSUPP;

	tl = gc_timeline_create(GC_E2E_DRIVER_NAME, "inject", NULL);
	if (IS_ERR(tl))
		return PTR_ERR(tl);
	sig = gc_fence_create(tl, GFP_KERNEL);
	gc_timeline_put(tl);
	if (gc_is_err(sig))
		return gc_err(sig);
	ref = gc_fence_signaller_fence(&sig);

	gc_report_catch_begin(&catcher);
	copy = ref;		/* the bug: two owners of one reference */
	gc_fence_put(&ref);
	gc_fence_put(&copy);
	gc_report_catch_end(&catcher);

	gc_fence_signal(&sig);
	arg.reports = catcher.count[GC_REPORT_DOUBLE_PUT];
	return copy_to_user(uarg, &arg, sizeof(arg)) ? -EFAULT : 0;
}

static long gc_e2e_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct gc_e2e_file *ef = file->private_data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case GC_E2E_IOC_CREATE:
		return gc_e2e_create(ef, uarg);
	case GC_E2E_IOC_SIGNAL:
		return gc_e2e_signal(ef, uarg);
	case GC_E2E_IOC_INJECT:
		return gc_e2e_inject(uarg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations gc_e2e_fops = {
	.owner = THIS_MODULE,
	.open = gc_e2e_open,
	.release = gc_e2e_release,
	.unlocked_ioctl = gc_e2e_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice gc_e2e_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = GC_E2E_DEVICE,
	.fops = &gc_e2e_fops,
	.mode = 0600,
};

module_misc_device(gc_e2e_misc);

MODULE_DESCRIPTION("gpucore end-to-end test support");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(GPUCORE_NS);
