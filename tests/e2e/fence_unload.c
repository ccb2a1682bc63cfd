// SPDX-License-Identifier: GPL-2.0-only
/*
 * fence_unload: a static test program run in the end-to-end VM.
 *
 *   fence_unload          a gpucore fence held by a sync_file outlives the
 *                         device file and gc_e2e, and keeps gpucore loaded
 *                         until the sync_file is closed
 *   fence_unload cancel   closing /dev/gc_e2e completes an unsignalled
 *                         fence with -ECANCELED
 *   fence_unload inject   gc_e2e commits a double put on purpose; gpucore
 *                         reports it once and nothing breaks
 *
 * gpucore.ko and gc_e2e.ko must be loaded. Prints one PASS or FAIL line per
 * step and exits non-zero if any step failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <linux/sync_file.h>

#include "gc_e2e.h"

static int failures;

static void pass(const char *step)
{
	printf("fence_unload: PASS %s\n", step);
}

static void fail(const char *step, const char *fmt, int err)
{
	printf("fence_unload: FAIL %s: %s (errno %d, %s)\n", step, fmt, err,
	       err ? strerror(err) : "none");
	failures++;
}

/* check(): PASS if @ok, else FAIL with @what and the current errno. */
static int check(int ok, const char *step, const char *what)
{
	if (ok)
		pass(step);
	else
		fail(step, what, errno);
	return ok;
}

static int delete_module(const char *name)
{
	return syscall(__NR_delete_module, name, O_NONBLOCK);
}

/* Returns POLLIN when the sync_file's fence is signalled, 0 if not, -1. */
static int fence_polled(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int ret = poll(&p, 1, 0);

	return ret < 0 ? -1 : (p.revents & POLLIN);
}

/* The status of the sync_file's single fence: 1 signalled, 0, or -errno. */
static int fence_info(int fd, struct sync_fence_info *fi)
{
	struct sync_file_info info;

	memset(&info, 0, sizeof(info));
	memset(fi, 0, sizeof(*fi));
	info.num_fences = 1;
	info.sync_fence_info = (uintptr_t)fi;
	if (ioctl(fd, SYNC_IOC_FILE_INFO, &info) < 0)
		return -1;
	return info.num_fences == 1 ? 0 : -1;
}

static int create(int dev, struct gc_e2e_create *c)
{
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	return ioctl(dev, GC_E2E_IOC_CREATE, c);
}

static int signal_fence(int dev, int error, unsigned int pad)
{
	struct gc_e2e_signal s = { .error = error, .pad = pad };

	return ioctl(dev, GC_E2E_IOC_SIGNAL, &s);
}

static int open_dev(void)
{
	int dev = open("/dev/" GC_E2E_DEVICE, O_RDWR | O_CLOEXEC);

	check(dev >= 0, "open", "open /dev/" GC_E2E_DEVICE);
	return dev;
}

/* The ioctls reject what they do not understand. */
static void bad_input(int dev)
{
	struct gc_e2e_create c = { .flags = 1 };
	int ret;

	ret = ioctl(dev, GC_E2E_IOC_CREATE, &c);
	check(ret < 0 && errno == EINVAL, "create_flags_einval", "want EINVAL");
	ret = signal_fence(dev, 0, 1);
	check(ret < 0 && errno == EINVAL, "signal_pad_einval", "want EINVAL");
	ret = signal_fence(dev, 1, 0);
	check(ret < 0 && errno == EINVAL, "signal_positive_einval", "want EINVAL");
	ret = signal_fence(dev, 0, 0);
	check(ret < 0 && errno == ENOENT, "signal_none_enoent", "want ENOENT");
	ret = ioctl(dev, _IO(GC_E2E_IOC_MAGIC, 0x7f));
	check(ret < 0 && errno == ENOTTY, "unknown_enotty", "want ENOTTY");
}

/*
 * The fence's last reference may be dropped after an RCU grace period, so
 * the final unload is retried for a while before it counts as a failure.
 */
static int unload_retry(const char *name, int *tries)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };

	for (*tries = 0; *tries < 500; ++*tries) {
		if (!delete_module(name))
			return 0;
		if (errno != EWOULDBLOCK && errno != EBUSY)
			break;
		nanosleep(&ts, NULL);
	}
	return -1;
}

static int test_pins_module(void)
{
	struct sync_fence_info fi;
	struct gc_e2e_create c;
	int dev, ret, tries;

	dev = open_dev();
	if (dev < 0)
		return 1;
	bad_input(dev);

	ret = create(dev, &c);
	if (!check(ret == 0 && c.fd >= 0, "create", "CREATE"))
		return 1;
	printf("fence_unload: fence seqno %llu in fd %d\n",
	       (unsigned long long)c.seqno, c.fd);
	ret = create(dev, &(struct gc_e2e_create){ 0 });
	check(ret < 0 && errno == EBUSY, "create_busy", "want EBUSY");

	check(fence_polled(c.fd) == 0, "poll_unsignalled", "poll reports signalled");
	check(signal_fence(dev, 0, 0) == 0, "signal", "SIGNAL");
	check(fence_polled(c.fd) == POLLIN, "poll_signalled", "poll reports unsignalled");
	ret = fence_info(c.fd, &fi);
	check(ret == 0 && fi.status == 1, "info_signalled", "status not 1");

	check(close(dev) == 0, "close_dev", "close /dev/" GC_E2E_DEVICE);
	check(delete_module("gc_e2e") == 0, "unload_gc_e2e", "delete_module(gc_e2e)");

	/* The fence keeps its timeline and names: it outlives the module that made it. */
	ret = fence_info(c.fd, &fi);
	check(ret == 0 && fi.status == 1 &&
	      !strcmp(fi.driver_name, GC_E2E_DRIVER_NAME) &&
	      !strcmp(fi.obj_name, GC_E2E_TIMELINE_NAME),
	      "info_after_unload", "SYNC_IOC_FILE_INFO");

	errno = 0;
	ret = delete_module("gpucore");
	if (ret == 0) {
		fail("gpucore_pinned", "gpucore unloaded while a fence is alive", 0);
		return 1;	/* closing c.fd now would run unloaded code */
	}
	check(errno == EWOULDBLOCK || errno == EBUSY, "gpucore_pinned",
	      "want EWOULDBLOCK or EBUSY");

	check(close(c.fd) == 0, "close_sync_file", "close sync_file");
	ret = unload_retry("gpucore", &tries);
	if (check(ret == 0, "unload_gpucore", "delete_module(gpucore)") && tries)
		printf("fence_unload: gpucore unloaded after %d retries\n", tries);
	return failures ? 1 : 0;
}

static int test_cancel(void)
{
	struct sync_fence_info fi;
	struct gc_e2e_create c;
	int dev, ret;

	dev = open_dev();
	if (dev < 0)
		return 1;
	ret = create(dev, &c);
	if (!check(ret == 0 && c.fd >= 0, "create", "CREATE"))
		return 1;
	check(fence_polled(c.fd) == 0, "poll_unsignalled", "poll reports signalled");
	check(close(dev) == 0, "close_dev", "close /dev/" GC_E2E_DEVICE);
	check(fence_polled(c.fd) == POLLIN, "poll_cancelled", "poll reports unsignalled");
	if (fence_info(c.fd, &fi))
		fail("status_ecanceled", "SYNC_IOC_FILE_INFO", errno);
	else if (fi.status != -ECANCELED)
		fail("status_ecanceled", "fence status is not -ECANCELED", -fi.status);
	else
		pass("status_ecanceled");
	check(close(c.fd) == 0, "close_sync_file", "close sync_file");
	return failures ? 1 : 0;
}

static int test_inject(void)
{
	struct gc_e2e_inject inj = { .bug = GC_E2E_BUG_DOUBLE_PUT };
	int dev;

	dev = open_dev();
	if (dev < 0)
		return 1;
	if (!check(ioctl(dev, GC_E2E_IOC_INJECT, &inj) == 0, "inject", "INJECT"))
		return 1;
	if (inj.reports != 1)
		fail("reported_once", "gpucore did not report the double put once", 0);
	else
		pass("reported_once");
	inj.bug = 0;
	check(ioctl(dev, GC_E2E_IOC_INJECT, &inj) == -1 && errno == EINVAL, "inject_bad_bug",
	      "INJECT with an unknown bug");
	/* The device still works after the bug was caught. */
	check(close(dev) == 0, "close_dev", "close /dev/" GC_E2E_DEVICE);
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1 && !strcmp(argv[1], "cancel"))
		return test_cancel();
	if (argc > 1 && !strcmp(argv[1], "inject"))
		return test_inject();
	if (argc > 1) {
		fprintf(stderr, "usage: fence_unload [cancel|inject]\n");
		return 2;
	}
	return test_pins_module();
}
