// SPDX-License-Identifier: MIT
/*
 * agx_bench: the round trip of a job through the AGX driver, seen from user
 * space through libdrm, against the cheapest fence round trip another DRM
 * driver of the same kernel offers.
 *
 *   A: DRM_IOCTL_AGX_SUBMIT of a one-command (NOP) stream that signals a
 *      binary syncobj, then a syncobj wait until it has signalled;
 *   B: vgem's DRM_IOCTL_VGEM_FENCE_ATTACH on a BO, then
 *      DRM_IOCTL_VGEM_FENCE_SIGNAL of that fence.
 *
 * A goes through gpucore's job, queue and fence paths, the scheduler and
 * the simulated firmware; B creates and signals one fence. Both are
 * reported, not judged. Rounds alternate which side goes first; each prints
 *
 *   bench: result CFG agx_submit_wait A_MIN A_MED A_MAX B_MIN B_MED B_MAX
 *
 * in nanoseconds per round trip (min, median and max of the rounds' means),
 * like the kernel module's lines. Usage: agx_bench CFG [ROUNDS [ITERS]].
 * Exits non-zero, after a "bench: error" line, if either side fails.
 *
 * scripts/bench.sh builds it statically against libdrm.a.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <linux/sync_file.h>
#include <linux/types.h>
#include <xf86drm.h>

#include "gpucore_agx_drm.h"
#include "vgem.h"

#define MAX_ROUNDS	31

static const char *cfg;

static int fail(const char *what, int err)
{
	printf("bench: error %s agx_submit_wait %d (%s: %s)\n", cfg, -err, what, strerror(err));
	return -1;
}

static __s64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* The first /dev/dri/@kind<N> node, N from @first, whose driver is @driver. */
static int open_node(const char *kind, int first, const char *driver)
{
	drmVersionPtr v;
	char path[64];
	int minor, fd;

	for (minor = first; minor < first + 64; minor++) {
		snprintf(path, sizeof(path), "/dev/dri/%s%d", kind, minor);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		v = drmGetVersion(fd);
		if (v && !strcmp(v->name, driver)) {
			drmFreeVersion(v);
			return fd;
		}
		drmFreeVersion(v);
		close(fd);
	}
	return -1;
}

struct agx {
	int fd;
	__u32 vm, queue, done;
	__u32 cmd;
};

static int agx_setup(struct agx *a)
{
	struct drm_agx_vm_create vc = { 0 };
	struct drm_agx_queue_create qc = { .priority = DRM_AGX_PRIORITY_NORMAL };

	a->fd = open_node("renderD", 128, "gpucore-agx");
	if (a->fd < 0)
		return fail("no gpucore-agx render node", ENOENT);
	if (drmIoctl(a->fd, DRM_IOCTL_AGX_VM_CREATE, &vc))
		return fail("VM_CREATE", errno);
	a->vm = vc.vm_id;
	qc.vm_id = a->vm;
	if (drmIoctl(a->fd, DRM_IOCTL_AGX_QUEUE_CREATE, &qc))
		return fail("QUEUE_CREATE", errno);
	a->queue = qc.queue_id;
	if (drmSyncobjCreate(a->fd, 0, &a->done))
		return fail("SYNCOBJ_CREATE", errno);
	a->cmd = DRM_AGX_CMD(DRM_AGX_OP_NOP, 0);
	return 0;
}

/* One SUBMIT and the wait for its out-syncobj. */
static int agx_round_trip(struct agx *a)
{
	struct drm_agx_sync out = { .sync_type = DRM_AGX_SYNC_BINARY, .handle = a->done };
	struct drm_agx_submit s = {
		.queue_id = a->queue,
		.out_sync_count = 1,
		.out_syncs = (uintptr_t)&out,
		.sync_stride = sizeof(out),
		.commands = (uintptr_t)&a->cmd,
		.command_bytes = sizeof(a->cmd),
	};

	if (drmIoctl(a->fd, DRM_IOCTL_AGX_SUBMIT, &s))
		return fail("SUBMIT", errno);
	if (drmSyncobjWait(a->fd, &a->done, 1, now_ns() + 5000000000LL, 0, NULL))
		return fail("SYNCOBJ_WAIT", errno);
	return 0;
}

/* The last job really ran: its fence signalled without an error. */
static int agx_check(struct agx *a)
{
	struct sync_file_info info;
	int sync_file = -1, err = 0;

	if (drmSyncobjExportSyncFile(a->fd, a->done, &sync_file))
		return fail("SYNCOBJ export", errno);
	memset(&info, 0, sizeof(info));
	if (ioctl(sync_file, SYNC_IOC_FILE_INFO, &info))
		err = fail("SYNC_IOC_FILE_INFO", errno);
	else if (info.status != 1)
		err = fail("job fence status", EIO);
	close(sync_file);
	return err;
}

struct vgem {
	int fd;
	__u32 bo;
};

static int vgem_setup(struct vgem *v)
{
	struct drm_mode_create_dumb dumb = { .width = 64, .height = 64, .bpp = 32 };

	v->fd = open_node("card", 0, "vgem");
	if (v->fd < 0)
		return fail("no vgem device", ENOENT);
	if (drmIoctl(v->fd, DRM_IOCTL_MODE_CREATE_DUMB, &dumb))
		return fail("vgem CREATE_DUMB", errno);
	v->bo = dumb.handle;
	return 0;
}

static int vgem_round_trip(struct vgem *v)
{
	struct vgem_fence_attach at = { .handle = v->bo, .flags = VGEM_FENCE_WRITE };
	struct vgem_fence_signal sig = { 0 };

	if (drmIoctl(v->fd, VGEM_IOCTL_FENCE_ATTACH, &at))
		return fail("VGEM_FENCE_ATTACH", errno);
	sig.fence = at.out_fence;
	if (drmIoctl(v->fd, VGEM_IOCTL_FENCE_SIGNAL, &sig))
		return fail("VGEM_FENCE_SIGNAL", errno);
	return 0;
}

static int cmp_i64(const void *a, const void *b)
{
	__s64 x = *(const __s64 *)a, y = *(const __s64 *)b;

	return x < y ? -1 : x > y;
}

/* "min median max" of @n values in ps, as ns with one decimal. */
static void stats(__s64 *ps, int n, char *buf, size_t len)
{
	__s64 med;

	qsort(ps, n, sizeof(*ps), cmp_i64);
	med = n % 2 ? ps[n / 2] : (ps[n / 2 - 1] + ps[n / 2]) / 2;
	snprintf(buf, len, "%lld.%lld %lld.%lld %lld.%lld",
		 (long long)(ps[0] / 1000), (long long)(ps[0] % 1000 / 100),
		 (long long)(med / 1000), (long long)(med % 1000 / 100),
		 (long long)(ps[n - 1] / 1000), (long long)(ps[n - 1] % 1000 / 100));
}

int main(int argc, char **argv)
{
	int rounds = argc > 2 ? atoi(argv[2]) : 7;
	int iters = argc > 3 ? atoi(argv[3]) : 200;
	__s64 ps[2][MAX_ROUNDS], t0;
	struct agx a = { .fd = -1 };
	struct vgem v = { .fd = -1 };
	char sa[96], sb[96];
	int r, s, i;

	cfg = argc > 1 ? argv[1] : "off";
	if (rounds < 1 || rounds > MAX_ROUNDS || iters < 1) {
		fprintf(stderr, "usage: agx_bench CFG [ROUNDS (1-%d) [ITERS]]\n", MAX_ROUNDS);
		return 2;
	}
	if (agx_setup(&a) || vgem_setup(&v))
		return 1;
	/* One of each first, so that no round pays for a first use. */
	if (agx_round_trip(&a) || vgem_round_trip(&v))
		return 1;
	for (r = 0; r < rounds; r++) {
		for (s = 0; s < 2; s++) {
			/* Alternate which side goes first, so drift hits both. */
			int side = s ^ (r & 1);

			t0 = now_ns();
			for (i = 0; i < iters; i++)
				if (side ? vgem_round_trip(&v) : agx_round_trip(&a))
					return 1;
			ps[side][r] = (now_ns() - t0) * 1000 / iters;
		}
	}
	if (agx_check(&a))
		return 1;
	stats(ps[0], rounds, sa, sizeof(sa));
	stats(ps[1], rounds, sb, sizeof(sb));
	printf("bench: result %s agx_submit_wait %s %s\n", cfg, sa, sb);
	/* Closing the files releases the queue, the VM, the syncobj and the BO. */
	close(a.fd);
	close(v.fd);
	return 0;
}
