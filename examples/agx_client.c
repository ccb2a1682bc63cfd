// SPDX-License-Identifier: MIT
/*
 * agx_client: a small client of the gpucore AGX driver, through libdrm.
 *
 * It opens the render node, makes a GPU VM and a queue, binds three BOs,
 * has the GPU compute out[i] = 3 * x[i] + y[i], waits on a syncobj and
 * checks the result. Then it closes a BO while a job using it is in flight,
 * which gpucore makes safe: the job holds the BO until it is done.
 *
 * scripts/e2e.sh builds it into the VM; by hand, in this directory:
 *   gcc -O2 $(pkg-config --cflags libdrm) -I ../uapi/drm -o agx_client \
 *       agx_client.c $(pkg-config --libs libdrm)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <xf86drm.h>

#include "gpucore_agx_drm.h"

#define N	4096			/* elements */
#define SIZE	(N * sizeof(__u32))	/* bytes of each vector */
/* The BO closed under a job: big, so that the job filling it takes a while. */
#define BIG	(8u << 20)

struct bo {
	__u32 handle;
	__u64 va;
	__u64 size;
	__u32 *cpu;
};

static int fd;
static __u32 vm, queue;

static void check(int ret, const char *what)
{
	if (ret) {
		fprintf(stderr, "agx_client: %s: %s\n", what, strerror(errno));
		exit(1);
	}
}

/* The first render node whose driver is gpucore-agx. */
static int open_agx(char *path, size_t len)
{
	drmVersionPtr v;
	int i, f;

	for (i = 128; i < 192; i++) {
		snprintf(path, len, "/dev/dri/renderD%d", i);
		f = open(path, O_RDWR | O_CLOEXEC);
		if (f < 0)
			continue;
		v = drmGetVersion(f);
		if (v && !strcmp(v->name, "gpucore-agx")) {
			printf("agx_client on %s: %s %d.%d.%d (%s)\n", path, v->name,
			       v->version_major, v->version_minor, v->version_patchlevel, v->desc);
			drmFreeVersion(v);
			return f;
		}
		drmFreeVersion(v);
		close(f);
	}
	fprintf(stderr, "agx_client: no gpucore-agx render node\n");
	exit(1);
}

/* A BO of @size bytes, mapped for the CPU and bound read/write at @va. */
static void bo_new(struct bo *bo, __u64 va, __u64 size)
{
	struct drm_agx_gem_create create = { .size = size };
	struct drm_agx_gem_mmap_offset map = { 0 };
	struct drm_agx_vm_bind_op op = {
		.op = DRM_AGX_BIND_OP_MAP,
		.flags = DRM_AGX_BIND_READ | DRM_AGX_BIND_WRITE,
		.va = va,
		.size = size,
	};
	struct drm_agx_vm_bind bind = {
		.vm_id = vm, .num_ops = 1, .ops = (uintptr_t)&op, .op_stride = sizeof(op),
	};

	check(drmIoctl(fd, DRM_IOCTL_AGX_GEM_CREATE, &create), "GEM_CREATE");
	bo->handle = create.handle;
	map.handle = bo->handle;
	op.handle = bo->handle;
	check(drmIoctl(fd, DRM_IOCTL_AGX_GEM_MMAP_OFFSET, &map), "GEM_MMAP_OFFSET");
	bo->cpu = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, map.offset);
	check(bo->cpu == MAP_FAILED, "mmap");
	check(drmIoctl(fd, DRM_IOCTL_AGX_VM_BIND, &bind), "VM_BIND map");
	bo->va = va;
	bo->size = size;
}

/* Unbind, unmap and close a BO: after this, only in-flight jobs hold it. */
static void bo_free(struct bo *bo)
{
	struct drm_agx_vm_bind_op op = {
		.op = DRM_AGX_BIND_OP_UNMAP, .va = bo->va, .size = bo->size,
	};
	struct drm_agx_vm_bind bind = {
		.vm_id = vm, .num_ops = 1, .ops = (uintptr_t)&op, .op_stride = sizeof(op),
	};

	check(drmIoctl(fd, DRM_IOCTL_AGX_VM_BIND, &bind), "VM_BIND unmap");
	munmap(bo->cpu, bo->size);
	check(drmCloseBufferHandle(fd, bo->handle), "GEM_CLOSE");
}

/* Submit a command stream that signals the syncobj @done when finished. */
static void submit(const __u32 *cmds, unsigned int words, __u32 done)
{
	struct drm_agx_sync out = { .sync_type = DRM_AGX_SYNC_BINARY, .handle = done };
	struct drm_agx_submit s = {
		.queue_id = queue,
		.out_sync_count = 1,
		.out_syncs = (uintptr_t)&out,
		.sync_stride = sizeof(out),
		.commands = (uintptr_t)cmds,
		.command_bytes = words * 4,
	};

	check(drmIoctl(fd, DRM_IOCTL_AGX_SUBMIT, &s), "SUBMIT");
}

static void wait_done(__u32 done)
{
	struct timespec now;
	__s64 deadline;

	clock_gettime(CLOCK_MONOTONIC, &now);
	deadline = now.tv_sec * 1000000000LL + now.tv_nsec + 5000000000LL;	/* 5 s */
	check(drmSyncobjWait(fd, &done, 1, deadline, 0, NULL), "wait for the GPU");
}

#define LO(va)	((__u32)(va))
#define HI(va)	((__u32)((va) >> 32))

int main(void)
{
	struct drm_agx_params p = { 0 };
	struct drm_agx_get_params gp = { .pointer = (uintptr_t)&p, .size = sizeof(p) };
	struct drm_agx_vm_create vc = { 0 };
	struct drm_agx_queue_create qc = { .priority = DRM_AGX_PRIORITY_NORMAL };
	struct bo x, y, out, tmp;
	unsigned int i, bad = 0, wrong = 0;
	char path[32], line[1024];
	__u32 done;
	int kmsg;
	ssize_t n;

	setvbuf(stdout, NULL, _IOLBF, 0);
	/* Only the kernel messages from here on. */
	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kmsg >= 0)
		lseek(kmsg, 0, SEEK_END);

	fd = open_agx(path, sizeof(path));
	check(drmIoctl(fd, DRM_IOCTL_AGX_GET_PARAMS, &gp), "GET_PARAMS");
	printf("  uapi %u, GPU VA [%#llx, %#llx), %u KiB pages, timestamps at %llu Hz\n",
	       p.uapi_version, (unsigned long long)p.va_start, (unsigned long long)p.va_end,
	       p.page_size / 1024, (unsigned long long)p.timestamp_frequency);
	check(drmIoctl(fd, DRM_IOCTL_AGX_VM_CREATE, &vc), "VM_CREATE");
	vm = vc.vm_id;
	qc.vm_id = vm;
	check(drmIoctl(fd, DRM_IOCTL_AGX_QUEUE_CREATE, &qc), "QUEUE_CREATE");
	queue = qc.queue_id;
	check(drmSyncobjCreate(fd, 0, &done), "SYNCOBJ_CREATE");

	/* out = 3 * x + y, computed by the GPU. */
	bo_new(&x, p.va_start, SIZE);
	bo_new(&y, p.va_start + 1 * 0x100000, SIZE);
	bo_new(&out, p.va_start + 2 * 0x100000, SIZE);
	for (i = 0; i < N; i++) {
		x.cpu[i] = i;
		y.cpu[i] = 0xfffff000u + i;	/* out wraps around 2^32 from i = 1024 */
	}
	__u32 axpy[] = {
		DRM_AGX_CMD(DRM_AGX_OP_AXPY, 8), LO(out.va), HI(out.va),
		LO(x.va), HI(x.va), LO(y.va), HI(y.va), 3, N,
	};
	submit(axpy, sizeof(axpy) / 4, done);
	wait_done(done);
	for (i = 0; i < N; i++)
		bad += out.cpu[i] != 3 * x.cpu[i] + y.cpu[i];
	printf("  GPU computed out[i] = 3 * x[i] + y[i] for %d u32s: %s\n", N,
	       bad ? "WRONG" : "all correct");
	wrong += bad;
	printf("  out[0..2] = %#x %#x %#x, out[%d] = %#x (wrapped around)\n", out.cpu[0],
	       out.cpu[1], out.cpu[2], N - 1, out.cpu[N - 1]);

	/*
	 * A lifetime bug on purpose: a job fills all of the big BO tmp and
	 * copies its end to out; meanwhile we unbind tmp, unmap it and close
	 * its handle. The job holds its own reference, so it runs on memory
	 * that is still there.
	 */
	bo_new(&tmp, p.va_start + 3 * 0x100000, BIG);
	__u32 late[] = {
		DRM_AGX_CMD(DRM_AGX_OP_FILL, 4), LO(tmp.va), HI(tmp.va), BIG, 0x5eed,
		DRM_AGX_CMD(DRM_AGX_OP_COPY, 5), LO(out.va), HI(out.va),
		LO(tmp.va + BIG - SIZE), HI(tmp.va + BIG - SIZE), SIZE,
	};
	submit(late, sizeof(late) / 4, done);
	bo_free(&tmp);
	/* A zero timeout only looks: was the job still going? */
	printf("  closed, unmapped and unbound a BO while the job writing it was %s\n",
	       drmSyncobjWait(fd, &done, 1, 0, 0, NULL) ? "in flight" : "already done");
	wait_done(done);
	for (i = 0, bad = 0; i < N; i++)
		bad += out.cpu[i] != 0x5eed;
	wrong += bad;
	if (bad)
		printf("  the job's copy is WRONG in %u of %d words\n", bad, N);
	else
		printf("  gpucore: the BO outlived its handle for the job in flight %s\n",
		       "(no use-after-free)");

	/* What gpucore said in the kernel log meanwhile ("N,seq,usec,-;text"). */
	for (i = 0; kmsg >= 0 && (n = read(kmsg, line, sizeof(line) - 1)) > 0;) {
		line[n] = '\0';
		line[strcspn(line, "\n")] = '\0';
		if (strstr(line, "gpucore:") && strchr(line, ';')) {
			printf("  kernel: %s\n", strchr(line, ';') + 1);
			i++;
		}
	}
	if (!i)
		printf("  kernel log: %s\n", kmsg >= 0 ? "no gpucore messages" : "not readable");

	bo_free(&out);
	bo_free(&y);
	bo_free(&x);
	drmSyncobjDestroy(fd, done);
	close(fd);
	return wrong ? 1 : 0;
}
