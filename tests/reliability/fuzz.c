// SPDX-License-Identifier: MIT
/*
 * fuzz: a bounded, structured, seedable fuzzer of the AGX uapi.
 *
 *   fuzz [-t SECONDS] [-n CALLS] [-j THREADS] [-s SEED] [-v]
 *
 * Threads share one file (and a second one, for handles of the wrong
 * file) and issue random calls: every ioctl of the driver, the DRM core
 * ioctls it serves (GEM close, PRIME, syncobjs), mmap(), and driver ioctl
 * numbers with random sizes and directions. Arguments are plausible with a
 * twist: handles are live, stale (destroyed) or random; sizes, flags, pads,
 * strides and pointers are valid or broken; command streams are built from
 * valid records (that fault or not) and then sometimes corrupted; submits
 * chain on each other through random binary and timeline syncobjs.
 *
 * Checks: every call returns within a limit; its errno is one its
 * documentation allows (per ioctl, below); every fence of a successful
 * SUBMIT signals (each gets a tracking syncobj of its own); and after the
 * run a fresh file computes right. The seed is printed: -s SEED -j 1
 * replays a run call for call (with more threads the interleaving varies).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <xf86drm.h>

#include "rel.h"

#define POOL		48
#define MAX_THREADS	8
#define ARENA_BYTES	(256 * 1024)
/* BOs above this go to a file of their own and are closed at once: bound,
 * they would pin more memory than the VM has.
 */
#define BIG_BO		(4u << 20)
#define TRACKERS	256
/* No call may take longer (a SUBMIT may wait for room in a full queue). */
#define CALL_LIMIT_S	60.0
#define FENCE_LIMIT_MS	30000

enum fz {
	FZ_GET_PARAMS, FZ_VM_CREATE, FZ_VM_DESTROY, FZ_VM_BIND, FZ_GEM_CREATE,
	FZ_GEM_MMAP_OFFSET, FZ_QUEUE_CREATE, FZ_QUEUE_DESTROY, FZ_SUBMIT, FZ_DRIVER_NR,
	FZ_GEM_CLOSE, FZ_PRIME_EXPORT, FZ_PRIME_IMPORT, FZ_SYNCOBJ_CREATE,
	FZ_SYNCOBJ_DESTROY, FZ_SYNCOBJ_WAIT, FZ_SYNCOBJ_TIMELINE_WAIT, FZ_SYNCOBJ_RESET,
	FZ_SYNCOBJ_SIGNAL, FZ_SYNCOBJ_TIMELINE_SIGNAL, FZ_SYNCOBJ_QUERY, FZ_SYNCOBJ_TRANSFER,
	FZ_SYNCOBJ_EXPORT, FZ_SYNCOBJ_IMPORT, FZ_MMAP, NR_FZ,
};

/* Allowed errnos of each call, 0-terminated (success is always allowed). */
struct fz_desc {
	const char *name;
	unsigned int weight;
	int allowed[12];
};

/*
 * From the kernel-doc of the driver's ioctls (backends/agx), of the DRM core
 * for the others. Every DRM ioctl may also fail -EFAULT for an unreadable
 * argument and -EINVAL for a size it cannot use.
 */
static const struct fz_desc desc[NR_FZ] = {
	[FZ_GET_PARAMS] = { "GET_PARAMS", 2, { EINVAL, EFAULT } },
	[FZ_VM_CREATE] = { "VM_CREATE", 3, { EINVAL, ENOMEM, EBUSY } },
	[FZ_VM_DESTROY] = { "VM_DESTROY", 2, { EINVAL, ENOENT } },
	[FZ_VM_BIND] = { "VM_BIND", 14,
			 { EINVAL, ENOENT, EEXIST, EOPNOTSUPP, E2BIG, EFAULT, ENOMEM } },
	[FZ_GEM_CREATE] = { "GEM_CREATE", 6, { EINVAL, ENOMEM } },
	[FZ_GEM_MMAP_OFFSET] = { "GEM_MMAP_OFFSET", 3, { EINVAL, ENOENT, ENOMEM } },
	[FZ_QUEUE_CREATE] = { "QUEUE_CREATE", 3, { EINVAL, ENOENT, ENOSPC, ENODEV, ENOMEM } },
	[FZ_QUEUE_DESTROY] = { "QUEUE_DESTROY", 2, { EINVAL, ENOENT } },
	[FZ_SUBMIT] = { "SUBMIT", 30,
			{ EINVAL, ENOENT, EFAULT, ENOMEM, EOPNOTSUPP, EIO, ENODEV, EINTR } },
	/* Numbers past the driver's table fail -EINVAL (drm_ioctl()). */
	[FZ_DRIVER_NR] = { "driver ioctl number", 3,
			   { EINVAL, ENOENT, EFAULT, ENOMEM, EEXIST, EOPNOTSUPP, E2BIG, EBUSY,
			     ENOSPC, EIO } },
	[FZ_GEM_CLOSE] = { "GEM_CLOSE", 3, { EINVAL } },
	[FZ_PRIME_EXPORT] = { "PRIME_HANDLE_TO_FD", 2, { EINVAL, ENOENT, ENOMEM } },
	[FZ_PRIME_IMPORT] = { "PRIME_FD_TO_HANDLE", 2, { EINVAL, EBADF, ENOMEM } },
	[FZ_SYNCOBJ_CREATE] = { "SYNCOBJ_CREATE", 4, { EINVAL, ENOMEM } },
	[FZ_SYNCOBJ_DESTROY] = { "SYNCOBJ_DESTROY", 2, { EINVAL } },
	[FZ_SYNCOBJ_WAIT] = { "SYNCOBJ_WAIT", 3, { EINVAL, ENOENT, ETIME, EFAULT, ENOMEM } },
	[FZ_SYNCOBJ_TIMELINE_WAIT] = { "SYNCOBJ_TIMELINE_WAIT", 3,
				       { EINVAL, ENOENT, ETIME, EFAULT, ENOMEM } },
	[FZ_SYNCOBJ_RESET] = { "SYNCOBJ_RESET", 1, { EINVAL, ENOENT, EFAULT } },
	[FZ_SYNCOBJ_SIGNAL] = { "SYNCOBJ_SIGNAL", 2, { EINVAL, ENOENT, EFAULT, ENOMEM } },
	[FZ_SYNCOBJ_TIMELINE_SIGNAL] = { "SYNCOBJ_TIMELINE_SIGNAL", 2,
					 { EINVAL, ENOENT, EFAULT, ENOMEM } },
	[FZ_SYNCOBJ_QUERY] = { "SYNCOBJ_QUERY", 1, { EINVAL, ENOENT, EFAULT } },
	/* WAIT_FOR_SUBMIT in the flags waits 5 s for a fence, then -ETIME. */
	[FZ_SYNCOBJ_TRANSFER] = { "SYNCOBJ_TRANSFER", 2, { EINVAL, ENOENT, ENOMEM, ETIME } },
	[FZ_SYNCOBJ_EXPORT] = { "SYNCOBJ_HANDLE_TO_FD", 2, { EINVAL, ENOENT, ENOMEM } },
	[FZ_SYNCOBJ_IMPORT] = { "SYNCOBJ_FD_TO_HANDLE", 2, { EINVAL, ENOENT, EBADF, ENOMEM } },
	/* drm_gem_mmap(): -EINVAL for no object there or a size past it. */
	[FZ_MMAP] = { "mmap", 2, { EINVAL, EACCES, ENOMEM } },
};

/* Handles of one kind: live ones, and some destroyed ones. */
struct pool {
	__u32 live[POOL];
	__u64 size[POOL];	/* BOs: their size */
	__u64 point[POOL];	/* syncobjs: the last timeline point given */
	unsigned int nr_live;
	__u32 stale[POOL];
	unsigned int nr_stale;
};

struct errcount {
	int err;
	unsigned long n;
};

struct stats {
	unsigned long calls;
	struct errcount errs[16];
	unsigned long bad;
	char first_bad[256];
};

static struct {
	pthread_mutex_t lock;
	int fd, fd2, fd_big;
	struct drm_agx_params p;
	/* the arena: a BO bound read/write in vm0, which queue q0 uses */
	__u32 vm0, q0, arena;
	__u64 arena_va;
	struct pool bos, vms, queues, syncs;
	int dmabufs[8];
	unsigned int nr_dmabufs;
	/* tracking syncobjs, one per successful SUBMIT, in a ring; armed:
	 * holds the fence of a SUBMIT that nobody waited for yet
	 */
	__u32 trackers[TRACKERS];
	bool armed[TRACKERS];
	unsigned int next_tracker;
	unsigned long fences, fences_ok, fences_err, fences_lost;
	char first_lost[256];
	struct stats st[NR_FZ];
	double end;
	unsigned long calls_left;
} S = { .lock = PTHREAD_MUTEX_INITIALIZER };

struct fuzzer {
	pthread_t tid;
	unsigned int id;
	struct rel_rng r;
	unsigned long iter;
	/* an unreadable page, for pointers that must fault */
	void *hole;
	__u32 *words;
};

/* -- pools ---------------------------------------------------------------- */

static void pool_add(struct pool *p, __u32 h, __u64 size)
{
	if (p->nr_live == POOL)
		return;
	p->size[p->nr_live] = size;
	p->point[p->nr_live] = 0;
	p->live[p->nr_live++] = h;
}

static void pool_kill(struct pool *p, __u32 h)
{
	unsigned int i;

	for (i = 0; i < p->nr_live; i++) {
		if (p->live[i] != h)
			continue;
		p->nr_live--;
		p->live[i] = p->live[p->nr_live];
		p->size[i] = p->size[p->nr_live];
		p->point[i] = p->point[p->nr_live];
		if (p->nr_stale < POOL)
			p->stale[p->nr_stale++] = h;
		else
			p->stale[h % POOL] = h;
		return;
	}
}

static int pool_find(struct pool *p, __u32 h)
{
	unsigned int i;

	for (i = 0; i < p->nr_live; i++)
		if (p->live[i] == h)
			return i;
	return -1;
}

/* A handle: live, stale, small, or odd. Called with S.lock held. */
static __u32 pick(struct fuzzer *f, struct pool *p)
{
	static const __u32 odd[] = { 0, ~0u, 0x80000000u, 0x7fffffffu, 65536 };
	unsigned int c = rel_below(&f->r, 100);

	if (c < 65 && p->nr_live)
		return p->live[rel_below(&f->r, p->nr_live)];
	if (c < 78 && p->nr_stale)
		return p->stale[rel_below(&f->r, p->nr_stale)];
	if (c < 92)
		return 1 + rel_below(&f->r, 64);
	if (c < 97)
		return odd[rel_below(&f->r, ARRAY_SIZE(odd))];
	return (__u32)rel_rand(&f->r);
}

static bool is_tracker(__u32 h)
{
	unsigned int i;

	for (i = 0; i < TRACKERS; i++)
		if (S.trackers[i] == h)
			return true;
	return false;
}

/*
 * A syncobj handle, never a tracker: a reset or destroy of one would make
 * a fence the run must see signal vanish.
 */
static __u32 pick_sync(struct fuzzer *f)
{
	__u32 h;

	do {
		h = pick(f, &S.syncs);
	} while (is_tracker(h));
	return h;
}

static __u32 pick_locked(struct fuzzer *f, struct pool *p)
{
	__u32 h;

	pthread_mutex_lock(&S.lock);
	h = p == &S.syncs ? pick_sync(f) : pick(f, p);
	pthread_mutex_unlock(&S.lock);
	return h;
}

/* -- value generators ----------------------------------------------------- */

static __u64 pick_size(struct fuzzer *f)
{
	static const __u64 sizes[] = {
		0, 1, 4095, 4096, 4097, 8192, 12288, 65536, 65537, 1 << 20, 1 << 30,
		(1ull << 30) + 1, (1ull << 30) + 4096, 1ull << 32, 1ull << 63, ~0ull,
	};

	if (rel_chance(&f->r, 60))
		return 4096ull * (1 + rel_below(&f->r, 16));
	if (rel_chance(&f->r, 80))
		return sizes[rel_below(&f->r, ARRAY_SIZE(sizes))];
	return rel_rand(&f->r);
}

/* mostly(): @v, or with (100 - @pct)% chance any 32-bit value. */
static __u32 mostly(struct fuzzer *f, unsigned int pct, __u32 v)
{
	return rel_chance(&f->r, pct) ? v : (__u32)rel_rand(&f->r);
}

/* Flags: mostly the valid ones, sometimes a stray bit. */
static __u32 pick_flags(struct fuzzer *f, __u32 valid)
{
	__u32 v = (__u32)rel_rand(&f->r) & valid;

	if (rel_chance(&f->r, 12))
		v |= 1u << rel_below(&f->r, 32);
	return v;
}

/* A pad or a must-be-zero field: mostly zero. */
static __u32 pick_pad(struct fuzzer *f)
{
	return rel_chance(&f->r, 8) ? (__u32)rel_rand(&f->r) | 1 : 0;
}

static __u64 pick_va(struct fuzzer *f)
{
	__u64 page = S.p.page_size, span = (S.p.va_end - S.p.va_start) / page;

	switch (rel_below(&f->r, 10)) {
	case 0:
		return S.p.va_start - page;
	case 1:
		return S.p.va_end - page * rel_below(&f->r, 3);
	case 2:
		return rel_rand(&f->r);
	case 3:
		return S.arena_va + page * rel_below(&f->r, ARENA_BYTES / 4096) +
		       (rel_chance(&f->r, 20) ? 4 : 0);
	case 4:
		return S.p.va_start + page * (rel_rand(&f->r) % span) + 8;
	default:
		/* A small window, so that binds meet each other. */
		return S.p.va_start + page * (64 + rel_below(&f->r, 256));
	}
}

/* A GPU address for a command: mostly inside the arena. */
static __u64 cmd_va(struct fuzzer *f, __u32 bytes)
{
	if (rel_chance(&f->r, 80) && bytes <= ARENA_BYTES)
		return S.arena_va + ((rel_below(&f->r, ARENA_BYTES - bytes + 1)) & ~3u);
	return pick_va(f);
}

static __u32 cmd_bytes(struct fuzzer *f)
{
	if (rel_chance(&f->r, 85))
		return 4 * (1 + rel_below(&f->r, 4096));
	if (rel_chance(&f->r, 50))
		return rel_below(&f->r, 64);
	return (__u32)rel_rand(&f->r);
}

static void put64(__u32 *w, unsigned int *n, __u64 v)
{
	w[(*n)++] = (__u32)v;
	w[(*n)++] = (__u32)(v >> 32);
}

/* A command stream of valid records, then maybe corrupted; returns words. */
static unsigned int gen_stream(struct fuzzer *f, __u32 *w, unsigned int max)
{
	unsigned int n = 0, cmds = 1 + rel_below(&f->r, 8), i;
	__u32 bytes, count;

	for (i = 0; i < cmds && n + 12 < max; i++) {
		switch (rel_below(&f->r, 100)) {
		case 0 ... 9:
			w[n++] = DRM_AGX_CMD(DRM_AGX_OP_NOP, 0);
			break;
		case 10 ... 29:
			bytes = cmd_bytes(f);
			w[n++] = DRM_AGX_CMD(DRM_AGX_OP_FILL, 4);
			put64(w, &n, cmd_va(f, bytes));
			w[n++] = bytes;
			w[n++] = (__u32)rel_rand(&f->r);
			break;
		case 30 ... 49:
			bytes = cmd_bytes(f);
			w[n++] = DRM_AGX_CMD(DRM_AGX_OP_COPY, 5);
			put64(w, &n, cmd_va(f, bytes));
			put64(w, &n, cmd_va(f, bytes));
			w[n++] = bytes;
			break;
		case 50 ... 64:
			count = mostly(f, 90, rel_below(&f->r, 2048));
			w[n++] = DRM_AGX_CMD(DRM_AGX_OP_AXPY, 8);
			put64(w, &n, cmd_va(f, count * 4));
			put64(w, &n, cmd_va(f, count * 4));
			put64(w, &n, cmd_va(f, count * 4));
			w[n++] = (__u32)rel_rand(&f->r);
			w[n++] = count;
			break;
		case 65 ... 72:
			w[n++] = DRM_AGX_CMD(DRM_AGX_OP_TIMESTAMP, 2);
			put64(w, &n, cmd_va(f, 8));
			break;
		case 73 ... 80:
			w[n++] = DRM_AGX_CMD(DRM_AGX_OP_BARRIER, 0);
			break;
		case 81 ... 88:
			/* Mostly short; rarely up to the firmware's cap of a second. */
			w[n++] = DRM_AGX_CMD(DRM_AGX_OP_STALL, 1);
			w[n++] = rel_chance(&f->r, 99) ? rel_below(&f->r, 2000) :
				 (__u32)rel_rand(&f->r);
			break;
		case 89:
			/* Hangs cost a timeout and ban the queue: rare. */
			if (rel_chance(&f->r, 10))
				w[n++] = DRM_AGX_CMD(DRM_AGX_OP_HANG, 0);
			break;
		case 90 ... 94:
			/* An unknown opcode or a wrong argument count. */
			w[n++] = DRM_AGX_CMD(rel_below(&f->r, 256), rel_below(&f->r, 10));
			break;
		default:
			w[n++] = (__u32)rel_rand(&f->r);
			break;
		}
	}
	if (!n)
		w[n++] = DRM_AGX_CMD(DRM_AGX_OP_NOP, 0);
	if (rel_chance(&f->r, 10))
		w[rel_below(&f->r, n)] ^= 1u << rel_below(&f->r, 32);
	if (rel_chance(&f->r, 5) && n > 1)
		n -= 1 + rel_below(&f->r, n - 1);
	return n;
}

/* -- the calls ------------------------------------------------------------ */

static int xioctl(int fd, unsigned long request, void *arg)
{
	return ioctl(fd, request, arg) ? -errno : 0;
}

static int pick_fd(struct fuzzer *f)
{
	return rel_chance(&f->r, 90) ? S.fd : S.fd2;
}

/* A user pointer: mostly @p, sometimes NULL or unreadable. */
static __u64 pick_ptr(struct fuzzer *f, void *p)
{
	unsigned int c = rel_below(&f->r, 100);

	if (c < 92)
		return (uintptr_t)p;
	if (c < 96)
		return 0;
	return (uintptr_t)f->hole;
}

static int fz_get_params(struct fuzzer *f)
{
	struct drm_agx_params p;
	struct drm_agx_get_params g = {
		.pointer = pick_ptr(f, &p),
		.size = rel_chance(&f->r, 70) ? sizeof(p) : rel_below(&f->r, 2 * sizeof(p)),
		.pad = pick_pad(f),
	};

	return xioctl(pick_fd(f), DRM_IOCTL_AGX_GET_PARAMS, &g);
}

static int fz_vm_create(struct fuzzer *f)
{
	struct drm_agx_vm_create c = { .flags = pick_flags(f, 0) };
	int fd = pick_fd(f), err = xioctl(fd, DRM_IOCTL_AGX_VM_CREATE, &c);

	if (!err && fd == S.fd) {
		pthread_mutex_lock(&S.lock);
		if (S.vms.nr_live < POOL) {
			pool_add(&S.vms, c.vm_id, 0);
			c.vm_id = 0;
		}
		pthread_mutex_unlock(&S.lock);
		/* A full pool: the new VM goes at once. */
		if (c.vm_id)
			agx_vm_destroy(fd, c.vm_id);
	}
	return err;
}

static int fz_vm_destroy(struct fuzzer *f)
{
	struct drm_agx_vm_destroy d = { .vm_id = pick_locked(f, &S.vms), .pad = pick_pad(f) };
	int fd = pick_fd(f), err;

	/* The arena's VM stays, or most streams would only fault. */
	if (d.vm_id == S.vm0 && fd == S.fd)
		d.vm_id = ~0u;
	err = xioctl(fd, DRM_IOCTL_AGX_VM_DESTROY, &d);
	if (!err && fd == S.fd) {
		pthread_mutex_lock(&S.lock);
		pool_kill(&S.vms, d.vm_id);
		pthread_mutex_unlock(&S.lock);
	}
	return err;
}

static int fz_vm_bind(struct fuzzer *f)
{
	struct drm_agx_vm_bind_op ops[4 * 2];
	unsigned char buf[sizeof(ops) + 64];
	struct drm_agx_vm_bind b = { 0 };
	unsigned int i, n = rel_below(&f->r, 5), stride = sizeof(ops[0]);
	__u64 page = S.p.page_size;

	switch (rel_below(&f->r, 12)) {
	case 0:
		stride = rel_below(&f->r, sizeof(ops[0]) + 16);
		break;
	case 1:
		/* A longer op whose extra bytes are zero, or not. */
		stride = sizeof(ops[0]) + 8;
		break;
	case 2:
		stride = 4096 + 8;
		break;
	default:
		break;
	}
	memset(buf, 0, sizeof(buf));
	pthread_mutex_lock(&S.lock);
	for (i = 0; i < n && (i + 1) * stride <= sizeof(buf); i++) {
		struct drm_agx_vm_bind_op o = {
			.op = mostly(f, 95, rel_below(&f->r, 2)),
			.pad = pick_pad(f),
			.va = rel_chance(&f->r, 85) ? pick_va(f) & ~(page - 1) : pick_va(f),
			.size = rel_chance(&f->r, 80) ? page * (1 + rel_below(&f->r, 16)) :
				pick_size(f),
		};
		int k;

		if (o.op == DRM_AGX_BIND_OP_MAP) {
			o.flags = rel_chance(&f->r, 90) ? 1 + rel_below(&f->r, 3) :
				  pick_flags(f, 3);
			o.handle = pick(f, &S.bos);
			k = pool_find(&S.bos, o.handle);
			o.bo_offset = rel_chance(&f->r, 70) ? 0 : page * rel_below(&f->r, 8);
			if (rel_chance(&f->r, 8))
				o.bo_offset = rel_rand(&f->r);
			if (k >= 0 && rel_chance(&f->r, 50) && S.bos.size[k] > o.bo_offset)
				o.size = S.bos.size[k] - o.bo_offset;
		} else if (rel_chance(&f->r, 10)) {
			o.flags = pick_flags(f, 3);
			o.handle = pick(f, &S.bos);
		}
		memcpy(buf + i * stride, &o, stride < sizeof(o) ? stride : sizeof(o));
		if (stride > sizeof(o) && rel_chance(&f->r, 20))
			buf[i * stride + sizeof(o)] = 1;
	}
	b.vm_id = rel_chance(&f->r, 50) ? S.vm0 : pick(f, &S.vms);
	pthread_mutex_unlock(&S.lock);
	b.num_ops = rel_chance(&f->r, 97) ? i : (__u32)rel_rand(&f->r);
	b.ops = pick_ptr(f, buf);
	b.op_stride = stride;
	b.pad = pick_pad(f);
	return xioctl(pick_fd(f), DRM_IOCTL_AGX_VM_BIND, &b);
}

static int fz_gem_create(struct fuzzer *f)
{
	struct drm_agx_gem_create c = { .size = pick_size(f), .flags = pick_flags(f, 0) };
	bool big = c.size > BIG_BO;
	int fd = big ? S.fd_big : pick_fd(f), err;

	err = xioctl(fd, DRM_IOCTL_AGX_GEM_CREATE, &c);
	if (err)
		return err;
	if (big) {
		/* Created lazily: an mmap offset is fine, a pin is not. */
		struct drm_agx_gem_mmap_offset m = { .handle = c.handle };

		expect_ok(xioctl(fd, DRM_IOCTL_AGX_GEM_MMAP_OFFSET, &m), "MMAP_OFFSET of a big BO");
		expect_ok(agx_gem_close(fd, c.handle), "GEM_CLOSE of a big BO");
		return err;
	}
	if (fd == S.fd) {
		pthread_mutex_lock(&S.lock);
		if (S.bos.nr_live < POOL) {
			pool_add(&S.bos, c.handle, (c.size + 4095) & ~4095ull);
			c.handle = 0;
		}
		pthread_mutex_unlock(&S.lock);
	}
	if (c.handle)
		agx_gem_close(fd, c.handle);
	return err;
}

static int fz_gem_mmap_offset(struct fuzzer *f)
{
	struct drm_agx_gem_mmap_offset m = {
		.handle = pick_locked(f, &S.bos),
		.flags = pick_flags(f, 0),
	};

	return xioctl(pick_fd(f), DRM_IOCTL_AGX_GEM_MMAP_OFFSET, &m);
}

static int fz_queue_create(struct fuzzer *f)
{
	struct drm_agx_queue_create c = {
		.vm_id = rel_chance(&f->r, 40) ? S.vm0 : pick_locked(f, &S.vms),
		.priority = mostly(f, 90, rel_below(&f->r, 3)),
		.flags = pick_flags(f, 0),
	};
	int fd = pick_fd(f), err = xioctl(fd, DRM_IOCTL_AGX_QUEUE_CREATE, &c);

	if (!err && fd == S.fd) {
		pthread_mutex_lock(&S.lock);
		if (S.queues.nr_live < POOL - 16) {
			pool_add(&S.queues, c.queue_id, 0);
			c.queue_id = 0;
		}
		pthread_mutex_unlock(&S.lock);
	}
	if (!err && c.queue_id)
		agx_queue_destroy(fd, c.queue_id);
	return err;
}

static int fz_queue_destroy(struct fuzzer *f)
{
	struct drm_agx_queue_destroy d = {
		.queue_id = pick_locked(f, &S.queues),
		.pad = pick_pad(f),
	};
	int fd = pick_fd(f), err;

	if (d.queue_id == S.q0 && fd == S.fd)
		d.queue_id = ~0u;
	err = xioctl(fd, DRM_IOCTL_AGX_QUEUE_DESTROY, &d);
	if (!err && fd == S.fd) {
		pthread_mutex_lock(&S.lock);
		pool_kill(&S.queues, d.queue_id);
		pthread_mutex_unlock(&S.lock);
	}
	return err;
}

static void gen_syncs(struct fuzzer *f, struct drm_agx_sync *s, unsigned int n, bool out)
{
	unsigned int i;
	int k;

	for (i = 0; i < n; i++) {
		s[i].handle = pick_sync(f);
		s[i].sync_type = mostly(f, 95, rel_below(&f->r, 2));
		s[i].timeline_value = 0;
		if (s[i].sync_type != DRM_AGX_SYNC_TIMELINE) {
			if (rel_chance(&f->r, 5))
				s[i].timeline_value = rel_rand(&f->r);
			continue;
		}
		k = pool_find(&S.syncs, s[i].handle);
		if (k < 0 || rel_chance(&f->r, 10))
			s[i].timeline_value = rel_chance(&f->r, 50) ? 0 : rel_rand(&f->r);
		else if (out)
			s[i].timeline_value = S.syncs.point[k] + 1 + rel_below(&f->r, 3);
		else if (S.syncs.point[k])
			s[i].timeline_value = 1 + rel_below(&f->r, S.syncs.point[k]);
	}
}

/* Wait for the fence of tracker @i, if it holds one nobody waited for. */
static void track_fence(unsigned int i)
{
	int status = 0, err;
	__u32 t;

	pthread_mutex_lock(&S.lock);
	t = S.armed[i] ? S.trackers[i] : 0;
	S.armed[i] = false;
	pthread_mutex_unlock(&S.lock);
	if (!t)
		return;
	err = sync_wait(S.fd, t, 0, FENCE_LIMIT_MS);
	if (!err)
		err = sync_status(S.fd, t, &status);
	pthread_mutex_lock(&S.lock);
	S.fences++;
	if (err || !status) {
		S.fences_lost++;
		if (!S.first_lost[0])
			snprintf(S.first_lost, sizeof(S.first_lost),
				 "a SUBMIT's fence did not signal within %d ms (%s)",
				 FENCE_LIMIT_MS, rel_errname(err));
	} else if (status == 1) {
		S.fences_ok++;
	} else {
		S.fences_err++;
	}
	pthread_mutex_unlock(&S.lock);
}

/* The next tracking syncobj, its last fence waited for. */
static unsigned int tracker(void)
{
	unsigned int i;

	pthread_mutex_lock(&S.lock);
	i = S.next_tracker++ % TRACKERS;
	pthread_mutex_unlock(&S.lock);
	track_fence(i);
	return i;
}

static int fz_submit(struct fuzzer *f)
{
	struct drm_agx_sync in[4], out[5];
	struct drm_agx_submit s = { 0 };
	unsigned int nr_in = rel_below(&f->r, 4), nr_out = rel_below(&f->r, 4), nw, i;
	unsigned int t = TRACKERS;
	__u32 banned;
	int fd = pick_fd(f), err, k;

	nw = gen_stream(f, f->words, AGX_MAX_WORDS);
	pthread_mutex_lock(&S.lock);
	gen_syncs(f, in, nr_in, false);
	gen_syncs(f, out, nr_out, true);
	s.queue_id = rel_chance(&f->r, 50) ? S.q0 : pick(f, &S.queues);
	if (rel_chance(&f->r, 30)) {
		s.result_handle = rel_chance(&f->r, 60) ? S.arena : pick(f, &S.bos);
		s.result_offset = rel_chance(&f->r, 80) ? 8ull * rel_below(&f->r, 64) :
				  rel_chance(&f->r, 50) ? rel_rand(&f->r) : 4;
	}
	pthread_mutex_unlock(&S.lock);
	s.flags = pick_flags(f, 0);
	s.in_sync_count = rel_chance(&f->r, 97) ? nr_in : (__u32)rel_rand(&f->r) % 200;
	s.out_sync_count = rel_chance(&f->r, 97) ? nr_out : (__u32)rel_rand(&f->r) % 200;
	s.in_syncs = pick_ptr(f, in);
	s.out_syncs = pick_ptr(f, out);
	s.commands = pick_ptr(f, f->words);
	s.command_bytes = nw * 4;
	if (rel_chance(&f->r, 5))
		s.command_bytes = mostly(f, 50, s.command_bytes + 1 + rel_below(&f->r, 3));
	if (rel_chance(&f->r, 2))
		s.result_offset = rel_rand(&f->r);
	/* A fence of our own, to wait for at the end. */
	if (fd == S.fd && s.out_syncs == (uintptr_t)out && s.out_sync_count == nr_out) {
		t = tracker();
		out[nr_out] = (struct drm_agx_sync){
			.sync_type = DRM_AGX_SYNC_BINARY,
			.handle = S.trackers[t],
		};
		s.out_sync_count++;
	}
	err = xioctl(fd, DRM_IOCTL_AGX_SUBMIT, &s);
	if (!err && t < TRACKERS) {
		pthread_mutex_lock(&S.lock);
		S.armed[t] = true;
		pthread_mutex_unlock(&S.lock);
	}
	if (err == -EIO && fd == S.fd) {
		/* A queue banned after a hang: replace the arena's queue. */
		pthread_mutex_lock(&S.lock);
		banned = s.queue_id == S.q0 ? S.q0 : 0;
		if (banned && !agx_queue_create(S.fd, S.vm0, DRM_AGX_PRIORITY_NORMAL, &S.q0))
			pool_add(&S.queues, S.q0, 0);
		pthread_mutex_unlock(&S.lock);
		if (banned && !agx_queue_destroy(S.fd, banned)) {
			pthread_mutex_lock(&S.lock);
			pool_kill(&S.queues, banned);
			pthread_mutex_unlock(&S.lock);
		}
	}
	if (!err && fd == S.fd) {
		pthread_mutex_lock(&S.lock);
		for (i = 0; i < nr_out; i++) {
			k = pool_find(&S.syncs, out[i].handle);
			if (k >= 0 && out[i].sync_type == DRM_AGX_SYNC_TIMELINE &&
			    out[i].timeline_value > S.syncs.point[k])
				S.syncs.point[k] = out[i].timeline_value;
		}
		pthread_mutex_unlock(&S.lock);
	}
	return err;
}

/* A driver ioctl number with a random size and direction, random bytes. */
static int fz_driver_nr(struct fuzzer *f)
{
	static const unsigned int dirs[] = { _IOC_NONE, _IOC_READ, _IOC_WRITE,
					     _IOC_READ | _IOC_WRITE };
	unsigned int nr = DRM_COMMAND_BASE + (rel_chance(&f->r, 50) ? 9 + rel_below(&f->r, 0x20) :
					      rel_below(&f->r, 9));
	unsigned int size = rel_chance(&f->r, 50) ? rel_below(&f->r, 128) :
			    rel_below(&f->r, _IOC_SIZEMASK + 1);
	static __thread unsigned char buf[_IOC_SIZEMASK + 1];
	unsigned int i;

	/* Random bytes but zero pads; VM and BO handles stay small. */
	for (i = 0; i < 128; i++)
		buf[i] = rel_chance(&f->r, 70) ? 0 : (unsigned char)rel_rand(&f->r);
	/* GEM_CREATE's size is the first u64: keep it small enough to pin. */
	if (nr == DRM_COMMAND_BASE + DRM_AGX_GEM_CREATE)
		memset(buf + 3, 0, 5);
	return xioctl(S.fd, _IOC(dirs[rel_below(&f->r, 4)], DRM_IOCTL_BASE, nr, size), buf);
}

static int fz_gem_close(struct fuzzer *f)
{
	struct drm_gem_close c = { .handle = pick_locked(f, &S.bos), .pad = pick_pad(f) };
	int fd = pick_fd(f), err;

	if (c.handle == S.arena && fd == S.fd)
		c.handle = ~0u;
	err = xioctl(fd, DRM_IOCTL_GEM_CLOSE, &c);
	if (!err && fd == S.fd) {
		pthread_mutex_lock(&S.lock);
		pool_kill(&S.bos, c.handle);
		pthread_mutex_unlock(&S.lock);
	}
	return err;
}

static int fz_prime_export(struct fuzzer *f)
{
	struct drm_prime_handle p = {
		.handle = pick_locked(f, &S.bos),
		.flags = mostly(f, 90, DRM_CLOEXEC | (rel_chance(&f->r, 50) ? DRM_RDWR : 0)),
		.fd = -1,
	};
	int err = xioctl(pick_fd(f), DRM_IOCTL_PRIME_HANDLE_TO_FD, &p);

	if (!err) {
		pthread_mutex_lock(&S.lock);
		if (S.nr_dmabufs < ARRAY_SIZE(S.dmabufs)) {
			S.dmabufs[S.nr_dmabufs++] = p.fd;
			p.fd = -1;
		}
		pthread_mutex_unlock(&S.lock);
		if (p.fd >= 0)
			close(p.fd);
	}
	return err;
}

static int fz_prime_import(struct fuzzer *f)
{
	struct drm_prime_handle p = { .fd = -1 };
	int fd = pick_fd(f), err, k;

	pthread_mutex_lock(&S.lock);
	if (S.nr_dmabufs && rel_chance(&f->r, 80)) {
		k = rel_below(&f->r, S.nr_dmabufs);
		p.fd = S.dmabufs[k];
		/* Each dma-buf is imported once, then closed. */
		S.dmabufs[k] = S.dmabufs[--S.nr_dmabufs];
	} else {
		p.fd = rel_chance(&f->r, 50) ? S.fd : 1000 + (int)rel_below(&f->r, 100);
	}
	pthread_mutex_unlock(&S.lock);
	p.flags = pick_pad(f);
	err = xioctl(fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &p);
	if (p.fd != S.fd && p.fd < 1000)
		close(p.fd);
	if (!err && fd == S.fd) {
		pthread_mutex_lock(&S.lock);
		/* An import of our own BO is the same handle. */
		if (pool_find(&S.bos, p.handle) < 0)
			pool_add(&S.bos, p.handle, 0);
		pthread_mutex_unlock(&S.lock);
	}
	return err;
}

static int fz_syncobj_create(struct fuzzer *f)
{
	struct drm_syncobj_create c = {
		.flags = rel_chance(&f->r, 90) ? rel_below(&f->r, 2) : pick_flags(f, 1),
	};
	int fd = pick_fd(f), err = xioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, &c);

	if (!err && fd == S.fd) {
		pthread_mutex_lock(&S.lock);
		if (S.syncs.nr_live < POOL) {
			pool_add(&S.syncs, c.handle, 0);
			c.handle = 0;
		}
		pthread_mutex_unlock(&S.lock);
	}
	if (!err && c.handle)
		drmSyncobjDestroy(fd, c.handle);
	return err;
}

static int fz_syncobj_destroy(struct fuzzer *f)
{
	struct drm_syncobj_destroy d = { .handle = pick_locked(f, &S.syncs), .pad = pick_pad(f) };
	int fd = pick_fd(f), err = xioctl(fd, DRM_IOCTL_SYNCOBJ_DESTROY, &d);

	if (!err && fd == S.fd) {
		pthread_mutex_lock(&S.lock);
		pool_kill(&S.syncs, d.handle);
		pthread_mutex_unlock(&S.lock);
	}
	return err;
}

/* An absolute timeout: now, past, or a little ahead (never long). */
static __s64 pick_timeout(struct fuzzer *f)
{
	struct timespec ts;
	__s64 now;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = ts.tv_sec * 1000000000LL + ts.tv_nsec;
	switch (rel_below(&f->r, 4)) {
	case 0:
		return 0;
	case 1:
		return now - 1000000;
	default:
		return now + rel_below(&f->r, 20) * 1000000LL;
	}
}

static void gen_handles(struct fuzzer *f, __u32 *h, __u64 *pt, unsigned int n)
{
	unsigned int i;
	int k;

	pthread_mutex_lock(&S.lock);
	for (i = 0; i < n; i++) {
		h[i] = pick_sync(f);
		k = pool_find(&S.syncs, h[i]);
		pt[i] = k >= 0 && S.syncs.point[k] && rel_chance(&f->r, 70) ?
			1 + rel_below(&f->r, S.syncs.point[k] + 2) : rel_below(&f->r, 3);
	}
	pthread_mutex_unlock(&S.lock);
}

static int fz_syncobj_wait(struct fuzzer *f, bool timeline)
{
	__u32 h[4];
	__u64 pt[4];
	unsigned int n = rel_below(&f->r, 5);
	__u32 flags = mostly(f, 90, rel_below(&f->r, 8));
	struct drm_syncobj_timeline_wait tw = {
		.handles = pick_ptr(f, h),
		.points = pick_ptr(f, pt),
		.timeout_nsec = pick_timeout(f),
		.count_handles = n,
		.flags = flags,
	};
	struct drm_syncobj_wait w = {
		.handles = tw.handles,
		.timeout_nsec = tw.timeout_nsec,
		.count_handles = n,
		.flags = flags & ~DRM_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE,
	};

	gen_handles(f, h, pt, n);
	if (timeline)
		return xioctl(pick_fd(f), DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT, &tw);
	return xioctl(pick_fd(f), DRM_IOCTL_SYNCOBJ_WAIT, &w);
}

static int fz_syncobj_array(struct fuzzer *f, enum fz op)
{
	__u32 h[4];
	__u64 pt[4];
	unsigned int n = rel_below(&f->r, 5), i;
	struct drm_syncobj_array a = {
		.handles = pick_ptr(f, h),
		.count_handles = n,
		.pad = pick_pad(f),
	};
	struct drm_syncobj_timeline_array t = {
		.handles = a.handles,
		.points = pick_ptr(f, pt),
		.count_handles = n,
		.flags = mostly(f, 80, rel_below(&f->r, 2)),
	};
	int fd = pick_fd(f), err, k;

	gen_handles(f, h, pt, n);
	switch (op) {
	case FZ_SYNCOBJ_RESET:
		return xioctl(fd, DRM_IOCTL_SYNCOBJ_RESET, &a);
	case FZ_SYNCOBJ_SIGNAL:
		return xioctl(fd, DRM_IOCTL_SYNCOBJ_SIGNAL, &a);
	case FZ_SYNCOBJ_QUERY:
		return xioctl(fd, DRM_IOCTL_SYNCOBJ_QUERY, &t);
	default:
		/* Signal new points, mostly past the last one. */
		pthread_mutex_lock(&S.lock);
		for (i = 0; i < n; i++) {
			k = pool_find(&S.syncs, h[i]);
			if (k >= 0 && rel_chance(&f->r, 85))
				pt[i] = S.syncs.point[k] + 1 + rel_below(&f->r, 3);
		}
		pthread_mutex_unlock(&S.lock);
		err = xioctl(fd, DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL, &t);
		if (!err && fd == S.fd) {
			pthread_mutex_lock(&S.lock);
			for (i = 0; i < n; i++) {
				k = pool_find(&S.syncs, h[i]);
				if (k >= 0 && pt[i] > S.syncs.point[k])
					S.syncs.point[k] = pt[i];
			}
			pthread_mutex_unlock(&S.lock);
		}
		return err;
	}
}

static int fz_syncobj_transfer(struct fuzzer *f)
{
	struct drm_syncobj_transfer t = {
		.src_handle = pick_locked(f, &S.syncs),
		.dst_handle = pick_locked(f, &S.syncs),
		.src_point = rel_below(&f->r, 4),
		.dst_point = rel_chance(&f->r, 50) ? 0 : 1 + rel_below(&f->r, 64),
		/* Rarely WAIT_FOR_SUBMIT (or junk): it may wait 5 s. */
		.flags = rel_chance(&f->r, 97) ? 0 : (__u32)rel_rand(&f->r),
		.pad = pick_pad(f),
	};

	return xioctl(pick_fd(f), DRM_IOCTL_SYNCOBJ_TRANSFER, &t);
}

static int fz_syncobj_export(struct fuzzer *f)
{
	struct drm_syncobj_handle h = {
		.handle = pick_locked(f, &S.syncs),
		.flags = mostly(f, 90, rel_below(&f->r, 2)),
		.fd = -1,
		.pad = pick_pad(f),
	};
	int err = xioctl(pick_fd(f), DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &h);

	if (!err)
		close(h.fd);
	return err;
}

static int fz_syncobj_import(struct fuzzer *f)
{
	struct drm_syncobj_handle h = {
		.handle = pick_locked(f, &S.syncs),
		.flags = mostly(f, 90, rel_below(&f->r, 2)),
		.fd = -1,
		.pad = pick_pad(f),
	};
	int fd = pick_fd(f), src = -1, err;

	/* A real sync_file or syncobj fd, or something else. */
	if (rel_chance(&f->r, 70) &&
	    !drmSyncobjExportSyncFile(S.fd, S.trackers[rel_below(&f->r, TRACKERS)], &src))
		h.fd = src;
	else
		h.fd = rel_chance(&f->r, 50) ? S.fd : 1000 + (int)rel_below(&f->r, 100);
	err = xioctl(fd, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, &h);
	if (src >= 0)
		close(src);
	/* Without the import flag a new handle was made: it goes at once. */
	if (!err && !(h.flags & DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE))
		drmSyncobjDestroy(fd, h.handle);
	return err;
}

static int fz_mmap(struct fuzzer *f)
{
	struct drm_agx_gem_mmap_offset m = { .handle = pick_locked(f, &S.bos) };
	size_t size = 4096 * (1 + rel_below(&f->r, 16));
	int prot = rel_chance(&f->r, 80) ? PROT_READ | PROT_WRITE : PROT_READ;
	void *p;

	if (xioctl(S.fd, DRM_IOCTL_AGX_GEM_MMAP_OFFSET, &m) || rel_chance(&f->r, 10))
		m.offset = (rel_rand(&f->r) & ~4095ull) % (1ull << 44);
	else if (rel_chance(&f->r, 10))
		m.offset += 4096 * rel_below(&f->r, 4);
	p = mmap(NULL, size, prot, MAP_SHARED, S.fd, m.offset);
	if (p == MAP_FAILED)
		return -errno;
	/* drm_gem_mmap() refuses a mapping past the object: every page is there. */
	(void)__atomic_load_n((unsigned char *)p + size - 1, __ATOMIC_RELAXED);
	munmap(p, size);
	return 0;
}

static int call(struct fuzzer *f, enum fz op)
{
	switch (op) {
	case FZ_GET_PARAMS: return fz_get_params(f);
	case FZ_VM_CREATE: return fz_vm_create(f);
	case FZ_VM_DESTROY: return fz_vm_destroy(f);
	case FZ_VM_BIND: return fz_vm_bind(f);
	case FZ_GEM_CREATE: return fz_gem_create(f);
	case FZ_GEM_MMAP_OFFSET: return fz_gem_mmap_offset(f);
	case FZ_QUEUE_CREATE: return fz_queue_create(f);
	case FZ_QUEUE_DESTROY: return fz_queue_destroy(f);
	case FZ_SUBMIT: return fz_submit(f);
	case FZ_DRIVER_NR: return fz_driver_nr(f);
	case FZ_GEM_CLOSE: return fz_gem_close(f);
	case FZ_PRIME_EXPORT: return fz_prime_export(f);
	case FZ_PRIME_IMPORT: return fz_prime_import(f);
	case FZ_SYNCOBJ_CREATE: return fz_syncobj_create(f);
	case FZ_SYNCOBJ_DESTROY: return fz_syncobj_destroy(f);
	case FZ_SYNCOBJ_WAIT: return fz_syncobj_wait(f, false);
	case FZ_SYNCOBJ_TIMELINE_WAIT: return fz_syncobj_wait(f, true);
	case FZ_SYNCOBJ_TRANSFER: return fz_syncobj_transfer(f);
	case FZ_SYNCOBJ_EXPORT: return fz_syncobj_export(f);
	case FZ_SYNCOBJ_IMPORT: return fz_syncobj_import(f);
	case FZ_MMAP: return fz_mmap(f);
	default: return fz_syncobj_array(f, op);
	}
}

static void record(struct fuzzer *f, enum fz op, int err)
{
	struct stats *st = &S.st[op];
	bool ok = !err;
	unsigned int i;

	for (i = 0; !ok && desc[op].allowed[i]; i++)
		ok = err == -desc[op].allowed[i];
	pthread_mutex_lock(&S.lock);
	st->calls++;
	for (i = 0; i < ARRAY_SIZE(st->errs); i++) {
		if (st->errs[i].n && st->errs[i].err != err)
			continue;
		st->errs[i].err = err;
		st->errs[i].n++;
		break;
	}
	if (!ok && !st->bad++)
		snprintf(st->first_bad, sizeof(st->first_bad),
			 "%s, not allowed (thread %u, call %lu)", rel_errname(err), f->id, f->iter);
	pthread_mutex_unlock(&S.lock);
}

static bool more(void)
{
	bool go;

	pthread_mutex_lock(&S.lock);
	go = now_s() < S.end && (!opts.count || S.calls_left);
	if (go && opts.count)
		S.calls_left--;
	pthread_mutex_unlock(&S.lock);
	return go && !rel_failures();
}

static void *fuzz_main(void *arg)
{
	struct fuzzer *f = arg;
	unsigned int total = 0, pick_op, i;
	enum fz op;

	for (i = 0; i < NR_FZ; i++)
		total += desc[i].weight;
	while (more()) {
		pick_op = rel_below(&f->r, total);
		for (op = 0; pick_op >= desc[op].weight; op++)
			pick_op -= desc[op].weight;
		f->iter++;
		if (opts.verbose && opts.threads == 1 && f->iter % 1000 == 0)
			rel_say("%lu calls", f->iter);
		rel_watch_begin(desc[op].name, CALL_LIMIT_S);
		record(f, op, call(f, op));
		rel_watch_end();
	}
	return NULL;
}

/* -- setup and the run ------------------------------------------------------ */

static bool setup(void)
{
	unsigned int i;
	__u32 h;

	S.fd = agx_open();
	S.fd2 = agx_open();
	S.fd_big = agx_open();
	if (!expect(S.fd >= 0 && S.fd2 >= 0 && S.fd_big >= 0, "open: %s", strerror(-S.fd)) ||
	    !expect_ok(agx_get_params(S.fd, &S.p), "GET_PARAMS") ||
	    !expect_ok(agx_vm_create(S.fd, &S.vm0), "VM_CREATE") ||
	    !expect_ok(agx_queue_create(S.fd, S.vm0, DRM_AGX_PRIORITY_NORMAL, &S.q0),
		       "QUEUE_CREATE") ||
	    !expect_ok(agx_gem_create(S.fd, ARENA_BYTES, &S.arena), "GEM_CREATE"))
		return false;
	S.arena_va = S.p.va_start + 1024ull * S.p.page_size;
	if (!expect_ok(agx_bind(S.fd, S.vm0, DRM_AGX_BIND_OP_MAP,
				DRM_AGX_BIND_READ | DRM_AGX_BIND_WRITE, S.arena, 0, S.arena_va,
				ARENA_BYTES), "VM_BIND of the arena"))
		return false;
	pool_add(&S.vms, S.vm0, 0);
	pool_add(&S.queues, S.q0, 0);
	pool_add(&S.bos, S.arena, ARENA_BYTES);
	for (i = 0; i < 8; i++) {
		if (!expect_ok(agx_gem_create(S.fd, 4096 * (1 + i), &h), "GEM_CREATE"))
			return false;
		pool_add(&S.bos, h, 4096 * (1 + i));
		h = sync_new(S.fd);
		if (!h)
			return false;
		pool_add(&S.syncs, h, 0);
	}
	/* Trackers start signalled: a sync_file can be exported from any of them. */
	for (i = 0; i < TRACKERS; i++) {
		S.trackers[i] = sync_new(S.fd);
		if (!S.trackers[i] || !expect_ok(sync_signal(S.fd, S.trackers[i], 0), "SIGNAL"))
			return false;
	}
	return true;
}

static void errs_text(const struct stats *st, char *buf, size_t len)
{
	unsigned int i;

	buf[0] = 0;
	for (i = 0; i < ARRAY_SIZE(st->errs) && st->errs[i].n; i++)
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%s %lu", i ? ", " : "",
			 st->errs[i].err ? rel_errname(st->errs[i].err) : "ok", st->errs[i].n);
}

static void run(void *arg)
{
	static struct fuzzer fz[MAX_THREADS];
	unsigned long total = 0;
	char text[512];
	double t0 = now_s();
	unsigned int i;

	(void)arg;
	if (!setup())
		return;
	S.end = t0 + opts.seconds;
	S.calls_left = opts.count;
	for (i = 0; i < opts.threads; i++) {
		fz[i].id = i;
		rel_rng_seed(&fz[i].r, opts.seed + i * 0x9e3779b9u);
		fz[i].hole = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		fz[i].words = calloc(AGX_MAX_WORDS, sizeof(__u32));
		if (!expect(fz[i].hole != MAP_FAILED && fz[i].words, "out of memory") ||
		    !expect(!pthread_create(&fz[i].tid, NULL, fuzz_main, &fz[i]), "pthread_create"))
			return;
	}
	for (i = 0; i < opts.threads; i++)
		pthread_join(fz[i].tid, NULL);
	/* Every SUBMIT's fence signals. */
	for (i = 0; i < TRACKERS; i++)
		track_fence(i);
	for (i = 0; i < NR_FZ; i++) {
		errs_text(&S.st[i], text, sizeof(text));
		total += S.st[i].calls;
		if (S.st[i].bad)
			rel_result(false, desc[i].name, "%lu bad errnos, first: %s (%s)",
				   S.st[i].bad, S.st[i].first_bad, text);
		else
			rel_result(S.st[i].calls, desc[i].name, "%lu calls: %s", S.st[i].calls,
				   S.st[i].calls ? text : "none");
	}
	if (S.first_lost[0])
		rel_result(false, "fences", "%s (%lu of %lu)", S.first_lost, S.fences_lost,
			   S.fences);
	else
		rel_result(true, "fences", "the fences of %lu SUBMITs signalled: %lu ok, %lu %s",
			   S.fences, S.fences_ok, S.fences_err, "with an error");
	rel_note("%lu calls in %.1f s, %u threads, seed %llu", total, now_s() - t0,
		 opts.threads, (unsigned long long)opts.seed);
	close(S.fd_big);
	close(S.fd2);
	close(S.fd);
}

static void works(void *arg)
{
	struct rel_rng r;

	(void)arg;
	rel_rng_seed(&r, opts.seed ^ 0xf022);
	if (rel_works(&r, "AXPY after the fuzzing"))
		rel_note("a fresh file computes a 1024-word AXPY right");
}

int main(int argc, char **argv)
{
	static const struct rel_opts defaults = {
		.name = "fuzz",
		.seconds = 20,
		.threads = 2,
	};

	rel_init(&defaults, "  -t SECONDS  how long to fuzz (20)\n"
		 "  -n CALLS    stop after that many calls (0: no limit)\n"
		 "  -j THREADS  fuzzing threads on the same files (2, at most 8)\n", argc, argv);
	if (opts.threads > MAX_THREADS)
		opts.threads = MAX_THREADS;
	rel_say("seed %llu (replay: fuzz -s %llu -j 1 -n CALLS)", (unsigned long long)opts.seed,
		(unsigned long long)opts.seed);
	rel_run("run", opts.seconds + 2.0 * CALL_LIMIT_S + TRACKERS * 0.5, run, NULL);
	rel_run("works", 120, works, NULL);
	return rel_finish();
}
