// SPDX-License-Identifier: MIT
/*
 * fuzz: a bounded, structured, seedable fuzzer of the AGX uapi, with an
 * oracle.
 *
 *   fuzz [-t SECONDS] [-n CALLS] [-j THREADS] [-s SEED] [-v] [RULE...|all]
 *
 * Threads share one file (and a second one, for handles of the wrong
 * file, and a third for random ioctl numbers) and issue random calls:
 * every ioctl of the driver, the DRM core ioctls it serves (GEM close,
 * PRIME, syncobjs), mmap(), and driver ioctl numbers with random sizes and
 * directions. Arguments are plausible with a twist: handles are live,
 * stale (destroyed) or random; sizes, flags, pads, strides and pointers are
 * valid or broken; command streams are built from valid records (that
 * fault or not) and then sometimes corrupted; submits chain on each other
 * through random binary and timeline syncobjs.
 *
 * The oracle. The fuzzer keeps a model of what its file holds (VMs and
 * their mappings, BOs and their sizes, queues, syncobjs and their fences)
 * and knows the rules of the uapi (the kernel-doc of uapi/drm and of the
 * ioctls, and the rules agreed for this round). For each call it computes
 * the errnos of the rules the call breaks: the call must fail with one of
 * them, and must succeed when it breaks none. A success where a rule says
 * failure, or another errno, is reported with the call's fields, the
 * thread, the call number and the seed. The fence of each SUBMIT is
 * checked too: -EINVAL exactly for a malformed command stream.
 *
 * What the model cannot know stays an allowed outcome, named where it is
 * allowed: -ENOMEM (and -ENOSPC of shmem) of any allocation; a mapping
 * unbound while work used the VM still holding its range (-EEXIST); a
 * queue that ran a stream that may hang being banned (-EIO); a syncobj
 * whose fence another thread changes during the call; the device-wide
 * queue bound once as many queues were made as it allows. The DRM core's
 * own syncobj wait, query, transfer and fd ioctls, PRIME and random ioctl
 * numbers below DRM_AGX_SUBMIT keep per-ioctl allowed sets (their rules
 * are the DRM core's, their random payloads unmodelled), with the rules
 * that are certain (pads, flags, counts) checked. To keep the model exact,
 * calls that create or destroy objects run alone (a writer lock), and
 * binds one at a time (as the driver runs them); races of destruction
 * against use are stress's job.
 *
 * Rules agreed for this round that the driver may not implement yet are
 * in spec_rules[] with their state; RULE arguments (or "all") turn them on
 * for a run, GPUCORE_FUZZ_SPEC too.
 *
 * Other checks: every call returns within a limit; every fence of a
 * successful SUBMIT signals (each gets a tracking syncobj of its own); and
 * after the run a fresh file computes right. The seed is printed: -s SEED
 * -j 1 replays a run call for call (with more threads the interleaving
 * varies).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>

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
/* Zeroed scratch of each thread, a guard page after it: arrays the kernel
 * reads past what the fuzzer built read zeros, never random memory.
 */
#define SCRATCH		(64 * 1024)
#define PARAMS		"/sys/module/gpucore_agx/parameters/"

/* Rules of the uapi from its documentation (uapi/drm/gpucore_agx_drm.h). */
#define FZ_BIND_OP_MIN_SIZE	40
#define FZ_MAX_BIND_OPS		1024
#define FZ_SYNC_MIN_SIZE	16
#define FZ_RESULT_MIN_SIZE	24
#define FZ_MAX_STALL_US		1000000
#define FZ_MAX_BO_SIZE		0x40000000ull
#define FZ_MAX_OP_STRIDE	4096
#ifndef DRM_AGX_MAX_VMS_PER_FILE
#define DRM_AGX_MAX_VMS_PER_FILE	16
#endif
#ifndef DRM_AGX_MAX_MAPPINGS_PER_VM
#define DRM_AGX_MAX_MAPPINGS_PER_VM	16384
#endif

/* -- rules agreed for this round, not all in this tree's driver yet ------- */

enum spec_rule {
	SPEC_BIND_MAX_OPS, SPEC_BIND_BIG_STRIDE, SPEC_BIND_NUM_OPS_ZERO,
	SPEC_BIND_UNMAP_OFFSET, SPEC_VM_ID_NONZERO, SPEC_SUBMIT_SIZES, SPEC_TEST_OPCODES,
	SPEC_HIGH_PRIORITY, NR_SPEC,
};

/*
 * Each rule with whether the driver implements it (on: the oracle holds
 * it). All but bind-big-stride are on: the driver caps op_stride at a
 * page (-EINVAL), which that rule does not model.
 */
static struct {
	const char *name;
	bool on;
	const char *what;
} spec_rules[NR_SPEC] = {
	[SPEC_BIND_MAX_OPS] = { "bind-max-ops", true,
		"VM_BIND: num_ops > DRM_AGX_MAX_BIND_OPS (1024) is -EINVAL" },
	[SPEC_BIND_BIG_STRIDE] = { "bind-big-stride", false,
		"VM_BIND: op_stride >= 40 read as copy_struct_from_user() does, no cap" },
	[SPEC_BIND_NUM_OPS_ZERO] = { "bind-num-ops-zero", true,
		"VM_BIND: num_ops written back 0 when the call fails before its first op" },
	[SPEC_BIND_UNMAP_OFFSET] = { "bind-unmap-offset", true,
		"VM_BIND: an UNMAP with a non-zero bo_offset is -EINVAL" },
	[SPEC_VM_ID_NONZERO] = { "vm-id-nonzero", true,
		"VM_DESTROY of vm_id 0 changes nothing: VM_CREATE never hands out 0" },
	[SPEC_SUBMIT_SIZES] = { "submit-sizes", true,
		"SUBMIT: sync_stride and result_size (sizes, -EINVAL/-E2BIG, result range)" },
	[SPEC_TEST_OPCODES] = { "test-opcodes", true,
		"HANG and STALL malformed unless test_opcodes is on; STALL > 1 s malformed" },
	[SPEC_HIGH_PRIORITY] = { "high-priority", true,
		"QUEUE_CREATE: PRIORITY_HIGH without CAP_SYS_NICE (or DRM master) is -EPERM" },
};

#define SPEC(r)	(spec_rules[SPEC_##r].on)

/* -- errno sets -------------------------------------------------------------- */

/* Bit 0: success; bit e: -e; EOPNOTSUPP, the one errno over 62 used, is 63. */
typedef __u64 eset;

static eset E(int err)
{
	err = err < 0 ? -err : err;
	if (err == EOPNOTSUPP)
		return 1ull << 63;
	return err < 63 ? 1ull << err : 0;
}

#define OK	E(0)

static void eset_text(eset s, char *buf, size_t len)
{
	static const int all[] = {
		0, EPERM, ENOENT, EINTR, EIO, E2BIG, EBADF, ENOMEM, EACCES, EFAULT, EBUSY, EEXIST,
		ENODEV, EINVAL, ENOSPC, ETIME, EOPNOTSUPP,
	};
	unsigned int i;

	buf[0] = 0;
	for (i = 0; i < ARRAY_SIZE(all); i++)
		if (s & E(all[i]))
			snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", buf[0] ? "|" : "",
				 all[i] ? rel_errname(-all[i]) : "ok");
}

/*
 * What a call may return: @must, the errnos of the rules it breaks (then
 * it must fail with one of them), else success; plus @may, outcomes the
 * model cannot predict. @fields describes the call for a report.
 */
struct verdict {
	eset must, may;
	char fields[640];
	/* a check of the call's output that failed, or "" */
	char out[160];
};

static void vf_text(struct verdict *v, const char *text)
{
	size_t n = strlen(v->fields);

	snprintf(v->fields + n, sizeof(v->fields) - n, "%s", text);
}

/* vf(): append to the fields of @v, printf-style (snprintf() checks the format). */
#define vf(v, ...)	vf_text((v), rel_fmt(__VA_ARGS__))

static eset allowed(const struct verdict *v)
{
	return (v->must ? v->must : OK) | v->may;
}

enum fz {
	FZ_GET_PARAMS, FZ_VM_CREATE, FZ_VM_DESTROY, FZ_VM_BIND, FZ_GEM_CREATE,
	FZ_GEM_MMAP_OFFSET, FZ_QUEUE_CREATE, FZ_QUEUE_DESTROY, FZ_SUBMIT, FZ_DRIVER_NR,
	FZ_GEM_CLOSE, FZ_PRIME_EXPORT, FZ_PRIME_IMPORT, FZ_SYNCOBJ_CREATE,
	FZ_SYNCOBJ_DESTROY, FZ_SYNCOBJ_WAIT, FZ_SYNCOBJ_TIMELINE_WAIT, FZ_SYNCOBJ_RESET,
	FZ_SYNCOBJ_SIGNAL, FZ_SYNCOBJ_TIMELINE_SIGNAL, FZ_SYNCOBJ_QUERY, FZ_SYNCOBJ_TRANSFER,
	FZ_SYNCOBJ_EXPORT, FZ_SYNCOBJ_IMPORT, FZ_MMAP, NR_FZ,
};

/* A call: its name, weight, and whether it creates or destroys objects. */
struct fz_desc {
	const char *name;
	unsigned int weight;
	bool writer;
};

static const struct fz_desc desc[NR_FZ] = {
	[FZ_GET_PARAMS] = { "GET_PARAMS", 2 },
	[FZ_VM_CREATE] = { "VM_CREATE", 3, true },
	[FZ_VM_DESTROY] = { "VM_DESTROY", 2, true },
	[FZ_VM_BIND] = { "VM_BIND", 14 },
	[FZ_GEM_CREATE] = { "GEM_CREATE", 6, true },
	[FZ_GEM_MMAP_OFFSET] = { "GEM_MMAP_OFFSET", 3 },
	[FZ_QUEUE_CREATE] = { "QUEUE_CREATE", 3, true },
	[FZ_QUEUE_DESTROY] = { "QUEUE_DESTROY", 2, true },
	[FZ_SUBMIT] = { "SUBMIT", 30 },
	[FZ_DRIVER_NR] = { "driver ioctl number", 3 },
	[FZ_GEM_CLOSE] = { "GEM_CLOSE", 3, true },
	[FZ_PRIME_EXPORT] = { "PRIME_HANDLE_TO_FD", 2 },
	[FZ_PRIME_IMPORT] = { "PRIME_FD_TO_HANDLE", 2, true },
	[FZ_SYNCOBJ_CREATE] = { "SYNCOBJ_CREATE", 4, true },
	[FZ_SYNCOBJ_DESTROY] = { "SYNCOBJ_DESTROY", 2, true },
	[FZ_SYNCOBJ_WAIT] = { "SYNCOBJ_WAIT", 3 },
	[FZ_SYNCOBJ_TIMELINE_WAIT] = { "SYNCOBJ_TIMELINE_WAIT", 3 },
	[FZ_SYNCOBJ_RESET] = { "SYNCOBJ_RESET", 1 },
	[FZ_SYNCOBJ_SIGNAL] = { "SYNCOBJ_SIGNAL", 2 },
	[FZ_SYNCOBJ_TIMELINE_SIGNAL] = { "SYNCOBJ_TIMELINE_SIGNAL", 2 },
	[FZ_SYNCOBJ_QUERY] = { "SYNCOBJ_QUERY", 1 },
	[FZ_SYNCOBJ_TRANSFER] = { "SYNCOBJ_TRANSFER", 2 },
	[FZ_SYNCOBJ_EXPORT] = { "SYNCOBJ_HANDLE_TO_FD", 2 },
	[FZ_SYNCOBJ_IMPORT] = { "SYNCOBJ_FD_TO_HANDLE", 2, true },
	[FZ_MMAP] = { "mmap", 2 },
};

/* -- the model ----------------------------------------------------------------- */

struct range {
	__u64 va, size;
};

struct ranges {
	struct range *r;
	unsigned int nr, cap;
};

/* The fence of a syncobj, as far as the model knows. */
enum fence_state { F_NONE, F_BINARY, F_CHAIN, F_UNKNOWN };

struct obj {
	__u32 id;
	/* BO: its size, 0 if unknown; which BO it is (handles are reused) */
	__u64 size, uid;
	/* syncobj: its fence, the chain's last point, the last point handed out */
	enum fence_state fence;
	__u64 top, point;
	/* syncobj: bumped by each change of its fence; changes in flight */
	unsigned long gen;
	unsigned int busy;
	/* queue: may have been banned by a hang */
	bool may_ban;
	/* VM: its mappings, and unbound ranges that may still be held */
	struct ranges maps, ghosts;
};

/* Objects of one kind in the first file: live ones, and some destroyed ids. */
struct pool {
	struct obj live[POOL];
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
	char first_bad[1200];
};

/* What the fence of a tracked SUBMIT may end with. */
enum fence_class { FC_RUN, FC_RUN_HANG, FC_ILLEGAL };

static struct {
	pthread_mutex_t lock;
	/* writers: calls that create or destroy objects; readers: the others */
	pthread_rwlock_t life;
	/* binds of the first file, one at a time (the driver serialises them) */
	pthread_mutex_t bind_lock;
	int fd, fd2, fd3, fd_big;
	struct drm_agx_params p;
	unsigned int max_queues, timeout_ms;
	bool test_opcodes, sys_nice;
	unsigned long queues_made, next_uid;
	/* the arena: a BO bound read/write in vm0, which queue q0 uses */
	__u32 vm0, q0, arena;
	__u64 arena_va;
	struct pool bos, vms, queues, syncs;
	int dmabufs[8];
	__u64 dmabuf_uid[8];
	__u64 dmabuf_size[8];
	unsigned int nr_dmabufs;
	/* tracking syncobjs, one per successful SUBMIT, in a ring; armed:
	 * holds the fence of a SUBMIT that nobody waited for yet
	 */
	__u32 trackers[TRACKERS];
	bool armed[TRACKERS];
	enum fence_class fclass[TRACKERS];
	char fdesc[TRACKERS][160];
	unsigned int next_tracker;
	unsigned long fences, fences_ok, fences_err, fences_lost, fences_bad;
	char first_lost[256], first_bad_fence[512];
	struct stats st[NR_FZ];
	double end;
	unsigned long calls_left;
} S = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.bind_lock = PTHREAD_MUTEX_INITIALIZER,
};

struct fuzzer {
	pthread_t tid;
	unsigned int id;
	struct rel_rng r;
	unsigned long iter;
	/* an unreadable page, for pointers that must fault */
	void *hole;
	/* zeroed scratch: command words, bind ops, syncs */
	unsigned char *scratch;
	__u32 *words;
};

/* -- pools ----------------------------------------------------------------------- */

static void ranges_add(struct ranges *rs, __u64 va, __u64 size)
{
	if (rs->nr == rs->cap) {
		rs->cap = rs->cap ? 2 * rs->cap : 16;
		rs->r = realloc(rs->r, rs->cap * sizeof(*rs->r));
		if (!rs->r)
			abort();
	}
	rs->r[rs->nr++] = (struct range){ va, size };
}

/* The index of a range overlapping [va, va + size), from @from on, or -1. */
static int ranges_overlap(const struct ranges *rs, __u64 va, __u64 size, unsigned int from)
{
	unsigned int i;

	for (i = from; i < rs->nr; i++)
		if (rs->r[i].va < va + size && va < rs->r[i].va + rs->r[i].size)
			return i;
	return -1;
}

static void ranges_del(struct ranges *rs, unsigned int i)
{
	rs->r[i] = rs->r[--rs->nr];
}

static struct obj *pool_add(struct pool *p, __u32 h)
{
	struct obj *o;

	if (p->nr_live == POOL)
		return NULL;
	o = &p->live[p->nr_live++];
	memset(o, 0, sizeof(*o));
	o->id = h;
	return o;
}

static void pool_kill(struct pool *p, __u32 h)
{
	unsigned int i;

	for (i = 0; i < p->nr_live; i++) {
		if (p->live[i].id != h)
			continue;
		free(p->live[i].maps.r);
		free(p->live[i].ghosts.r);
		p->live[i] = p->live[--p->nr_live];
		if (p->nr_stale < POOL)
			p->stale[p->nr_stale++] = h;
		else
			p->stale[h % POOL] = h;
		return;
	}
}

static struct obj *pool_find(struct pool *p, __u32 h)
{
	unsigned int i;

	for (i = 0; i < p->nr_live; i++)
		if (p->live[i].id == h)
			return &p->live[i];
	return NULL;
}

/* A handle: live, stale, small, or odd. Called with S.lock held. */
static __u32 pick(struct fuzzer *f, struct pool *p)
{
	static const __u32 odd[] = { 0, ~0u, 0x80000000u, 0x7fffffffu, 65536 };
	unsigned int c = rel_below(&f->r, 100);

	if (c < 65 && p->nr_live)
		return p->live[rel_below(&f->r, p->nr_live)].id;
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

/* Is @h live in @p for file @fd? The other files hold none of the model's. */
static struct obj *live(int fd, struct pool *p, __u32 h)
{
	return fd == S.fd ? pool_find(p, h) : NULL;
}

/* Mark the syncobjs a call changes (before), and count the change (after). */
static void sync_busy(int fd, const __u32 *h, unsigned int n, bool begin)
{
	struct obj *o;
	unsigned int i;

	for (i = 0; i < n; i++) {
		o = live(fd, &S.syncs, h[i]);
		if (!o)
			continue;
		o->gen++;
		if (begin)
			o->busy++;
		else
			o->busy--;
	}
}

/*
 * The model's view of a point of a syncobj's fence: OK, EINVAL, or both.
 * No fence at all is -EINVAL, a point the fence has is OK. A point past
 * the model's fence is both: once (seed 1796300533885390, 2 threads) the
 * driver found a point on a syncobj the model held a plain fence for, and
 * until that is understood the model claims no more than it is sure of.
 */
static eset fence_at(const struct obj *o, __u64 point)
{
	switch (o->fence) {
	case F_NONE:
		return E(EINVAL);
	case F_BINARY:
		return point ? OK | E(EINVAL) : OK;
	case F_CHAIN:
		return point <= o->top ? OK : OK | E(EINVAL);
	default:
		return OK | E(EINVAL);
	}
}

/*
 * A fence installed: replacing the syncobj's (@chain false), or as a chain
 * node at @point, as drm_syncobj_add_point() does (TIMELINE_SIGNAL even at
 * point 0).
 */
static void fence_add(struct obj *o, __u64 point, bool chain)
{
	if (!chain) {
		o->fence = F_BINARY;
	} else if (o->fence == F_CHAIN) {
		o->top = o->top > point ? o->top : point;
	} else if (o->fence != F_UNKNOWN) {
		/* A chain node on a plain fence or none starts at its own point. */
		o->fence = F_CHAIN;
		o->top = point;
	}
	if (point > o->point)
		o->point = point;
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

/* -- the stream's rules (DOC: command stream; sim/agx_fw.c) --------------------- */

/*
 * What the fence of a SUBMIT of @w may end with. Malformed: an unknown
 * opcode, a wrong argument count, arguments past the end, a FILL or COPY
 * byte count that is not a multiple of 4, a range that wraps past 2^64
 * (sim/agx_fw.c), and with the spec's item 5 HANG or STALL while test_opcodes
 * is off, or a STALL over DRM_AGX_MAX_STALL_US. A well-formed stream may
 * hang if it holds HANG or stalls for a good part of the driver's timeout.
 */
static enum fence_class stream_class(const __u32 *w, unsigned int nw, char *why, size_t len)
{
	static const int nr_args[] = { 0, 4, 5, 8, 2, 0, 1, 0 };
	unsigned long long stall = 0;
	unsigned int i = 0, k = 0, op, n;
	bool hang = false;
	__u64 a, b, bytes;

	for (; i < nw; i += 1 + n, k++) {
		op = DRM_AGX_CMD_OP(w[i]);
		n = DRM_AGX_CMD_LEN(w[i]);
		if (n >= nw - i || op >= ARRAY_SIZE(nr_args) || (int)n != nr_args[op]) {
			snprintf(why, len, "command %u: header %#x", k, w[i]);
			return FC_ILLEGAL;
		}
		a = w[i + 1] | (__u64)w[i + 2] << 32;
		switch (op) {
		case DRM_AGX_OP_FILL:
		case DRM_AGX_OP_COPY:
			bytes = w[i + (op == DRM_AGX_OP_FILL ? 3 : 5)];
			b = op == DRM_AGX_OP_COPY ? w[i + 3] | (__u64)w[i + 4] << 32 : 0;
			if (bytes % 4 || a + bytes < a || b + bytes < b) {
				snprintf(why, len, "command %u: bytes %llu", k,
					 (unsigned long long)bytes);
				return FC_ILLEGAL;
			}
			break;
		case DRM_AGX_OP_AXPY:
			bytes = (__u64)w[i + 8] * 4;
			if (a + bytes < a || (w[i + 3] | (__u64)w[i + 4] << 32) + bytes < bytes ||
			    (w[i + 5] | (__u64)w[i + 6] << 32) + bytes < bytes) {
				snprintf(why, len, "command %u: AXPY range wraps", k);
				return FC_ILLEGAL;
			}
			break;
		case DRM_AGX_OP_TIMESTAMP:
			if (a + 8 < a) {
				snprintf(why, len, "command %u: TIMESTAMP range wraps", k);
				return FC_ILLEGAL;
			}
			break;
		case DRM_AGX_OP_STALL:
		case DRM_AGX_OP_HANG:
			if (SPEC(TEST_OPCODES) &&
			    (!S.test_opcodes ||
			     (op == DRM_AGX_OP_STALL && w[i + 1] > FZ_MAX_STALL_US))) {
				snprintf(why, len, "command %u: %s %u, test_opcodes %d", k,
					 op == DRM_AGX_OP_HANG ? "HANG" : "STALL",
					 op == DRM_AGX_OP_STALL ? w[i + 1] : 0, S.test_opcodes);
				return FC_ILLEGAL;
			}
			if (op == DRM_AGX_OP_HANG)
				hang = true;
			else
				stall += w[i + 1] < FZ_MAX_STALL_US ? w[i + 1] : FZ_MAX_STALL_US;
			break;
		}
	}
	snprintf(why, len, "%u commands%s", k, hang ? ", HANG" : "");
	return hang || stall * 4 >= S.timeout_ms * 1000ull ? FC_RUN_HANG : FC_RUN;
}

/* -- the calls --------------------------------------------------------------------- */

static int xioctl(int fd, unsigned long request, void *arg)
{
	return ioctl(fd, request, arg) ? -errno : 0;
}

static int pick_fd(struct fuzzer *f)
{
	return rel_chance(&f->r, 90) ? S.fd : S.fd2;
}

static const char *fd_name(int fd)
{
	return fd == S.fd ? "fd" : fd == S.fd2 ? "fd2" : "fd3";
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

static bool bad_ptr(struct fuzzer *f, __u64 p)
{
	return !p || p == (uintptr_t)f->hole;
}

static int fz_get_params(struct fuzzer *f, struct verdict *v)
{
	struct drm_agx_params p;
	struct drm_agx_get_params g = {
		.pointer = pick_ptr(f, &p),
		.size = rel_chance(&f->r, 70) ? sizeof(p) : rel_below(&f->r, 2 * sizeof(p)),
		.pad = pick_pad(f),
	};
	__u32 size = g.size;
	int err;

	vf(v, "pointer %#llx size %u pad %#x", (unsigned long long)g.pointer, g.size, g.pad);
	if (g.pad)
		v->must |= E(EINVAL);
	if (g.size && bad_ptr(f, g.pointer))
		v->must |= E(EFAULT);
	err = xioctl(pick_fd(f), DRM_IOCTL_AGX_GET_PARAMS, &g);
	if (!err && g.size < sizeof(p))
		snprintf(v->out, sizeof(v->out), "size %u written back, below %zu", g.size,
			 sizeof(p));
	else if (!err && g.pointer == (uintptr_t)&p && size >= sizeof(p) &&
		 memcmp(&p, &S.p, sizeof(p)))
		snprintf(v->out, sizeof(v->out), "parameters differ from those of the setup");
	return err;
}

static int fz_vm_create(struct fuzzer *f, struct verdict *v)
{
	struct drm_agx_vm_create c = { .flags = pick_flags(f, 0) };
	int fd = pick_fd(f), err;
	unsigned int nr = fd == S.fd ? S.vms.nr_live : 0;

	vf(v, "%s flags %#x, %u VMs", fd_name(fd), c.flags, nr);
	if (c.flags)
		v->must |= E(EINVAL);
	if (nr >= DRM_AGX_MAX_VMS_PER_FILE)
		v->must |= E(ENOSPC);
	v->may |= E(ENOMEM);	/* allocations */
	err = xioctl(fd, DRM_IOCTL_AGX_VM_CREATE, &c);
	if (err)
		return err;
	/* Spec item 2: 0 is never a VM. */
	if ((SPEC(VM_ID_NONZERO) && !c.vm_id) || live(fd, &S.vms, c.vm_id))
		snprintf(v->out, sizeof(v->out), "vm_id %u handed out", c.vm_id);
	if (fd == S.fd && pool_add(&S.vms, c.vm_id))
		return err;
	if (agx_vm_destroy(fd, c.vm_id))
		snprintf(v->out, sizeof(v->out), "VM_DESTROY of new VM %u failed", c.vm_id);
	return err;
}

static int fz_vm_destroy(struct fuzzer *f, struct verdict *v)
{
	struct drm_agx_vm_destroy d = { .vm_id = pick(f, &S.vms), .pad = pick_pad(f) };
	int fd = pick_fd(f), err;

	/* The arena's VM stays, or most streams would only fault. */
	if (d.vm_id == S.vm0 && fd == S.fd)
		d.vm_id = ~0u;
	vf(v, "%s vm_id %u pad %#x", fd_name(fd), d.vm_id, d.pad);
	if (d.pad)
		v->must |= E(EINVAL);
	if (!live(fd, &S.vms, d.vm_id))
		v->must |= E(ENOENT);
	err = xioctl(fd, DRM_IOCTL_AGX_VM_DESTROY, &d);
	if (!err && fd == S.fd)
		pool_kill(&S.vms, d.vm_id);
	return err;
}

/* A VM being bound: its ranges as the ops of one call change them. */
struct bind_sim {
	struct ranges maps, ghosts;
};

static void ranges_copy(struct ranges *dst, const struct ranges *src)
{
	dst->nr = 0;
	dst->cap = 0;
	dst->r = NULL;
	if (!src->nr)
		return;
	dst->r = malloc(src->nr * sizeof(*src->r));
	if (!dst->r)
		abort();
	memcpy(dst->r, src->r, src->nr * sizeof(*src->r));
	dst->nr = src->nr;
	dst->cap = src->nr;
}

/* Apply a successful op to @maps and @ghosts. */
static void bind_apply(struct ranges *maps, struct ranges *ghosts,
		       const struct drm_agx_vm_bind_op *o)
{
	int k;

	if (o->op == DRM_AGX_BIND_OP_MAP) {
		/* A map over them shows the ranges held by deferred unbinds are free. */
		while ((k = ranges_overlap(ghosts, o->va, o->size, 0)) >= 0)
			ranges_del(ghosts, k);
		ranges_add(maps, o->va, o->size);
		return;
	}
	for (k = 0; k < (int)maps->nr; k++) {
		if (maps->r[k].va == o->va && maps->r[k].size == o->size) {
			ranges_del(maps, k);
			/* Work using the VM may hold the range a while. */
			ranges_add(ghosts, o->va, o->size);
			return;
		}
	}
}

/*
 * The rules of one op (kernel-doc of agx_ioctl_vm_bind() and of struct
 * drm_agx_vm_bind_op): errnos it must fail with, or may. @tail: the bytes
 * of the op past the kernel's struct.
 */
static void bind_op_rules(int fd, const struct bind_sim *vm, const struct drm_agx_vm_bind_op *o,
			  const unsigned char *tail, unsigned int tail_len, eset *must, eset *may)
{
	__u64 page = S.p.page_size, end = o->va + o->size;
	struct obj *bo;
	unsigned int i;
	int k;

	*must = *may = 0;
	for (i = 0; i < tail_len; i++)
		if (tail[i])
			*must |= E(E2BIG);
	if (o->pad || !o->size || o->va % page || o->size % page)
		*must |= E(EINVAL);
	if (end < o->va || o->va < S.p.va_start || end > S.p.va_end)
		*must |= E(EINVAL);
	if (o->op == DRM_AGX_BIND_OP_UNMAP) {
		if (o->flags || o->handle || (SPEC(BIND_UNMAP_OFFSET) && o->bo_offset))
			*must |= E(EINVAL);
		for (i = 0; i < vm->maps.nr; i++)
			if (vm->maps.r[i].va == o->va && vm->maps.r[i].size == o->size)
				break;
		if (i == vm->maps.nr)
			*must |= E(ENOENT);
		return;
	}
	if (o->op != DRM_AGX_BIND_OP_MAP) {
		*must |= E(EINVAL);
		return;
	}
	if (!o->flags || o->flags & ~(DRM_AGX_BIND_READ | DRM_AGX_BIND_WRITE) || !o->handle ||
	    o->bo_offset % page)
		*must |= E(EINVAL);
	bo = live(fd, &S.bos, o->handle);
	if (!bo)
		*must |= E(ENOENT);
	else if (!bo->size)
		*may |= E(EINVAL);	/* an import of unknown size */
	else if (o->bo_offset + o->size < o->size || o->bo_offset + o->size > bo->size)
		*must |= E(EINVAL);
	if (vm->maps.nr >= DRM_AGX_MAX_MAPPINGS_PER_VM)
		*must |= E(ENOSPC);
	else if (vm->maps.nr + vm->ghosts.nr >= DRM_AGX_MAX_MAPPINGS_PER_VM)
		*may |= E(ENOSPC);	/* deferred unbinds count */
	if (ranges_overlap(&vm->maps, o->va, o->size, 0) >= 0)
		*must |= E(EEXIST);
	k = ranges_overlap(&vm->ghosts, o->va, o->size, 0);
	if (k >= 0)
		*may |= E(EEXIST);	/* a deferred unbind may hold the range */
	*may |= E(ENOMEM);
}

static int fz_vm_bind(struct fuzzer *f, struct verdict *v, unsigned char *buf)
{
	struct drm_agx_vm_bind b = { 0 };
	unsigned int i, n = rel_below(&f->r, 5), stride = FZ_BIND_OP_MIN_SIZE, nops, used;
	__u64 page = S.p.page_size;
	eset fail_at[8 + 1] = { 0 }, hdr = 0, must, may;
	struct drm_agx_vm_bind_op o, ops[8 + 1];
	struct bind_sim sim = { 0 };
	bool broke = false;
	struct obj *vm;
	unsigned int stop;
	int fd = pick_fd(f), err;

	switch (rel_below(&f->r, 12)) {
	case 0:
		stride = rel_below(&f->r, FZ_BIND_OP_MIN_SIZE + 16);
		break;
	case 1:
		/* A longer op whose extra bytes are zero, or not. */
		stride = FZ_BIND_OP_MIN_SIZE + 8;
		break;
	case 2:
		stride = 4096 + 8;
		break;
	default:
		break;
	}
	for (i = 0; i < n && stride; i++) {
		o = (struct drm_agx_vm_bind_op){
			.op = mostly(f, 95, rel_below(&f->r, 2)),
			.pad = pick_pad(f),
			.va = rel_chance(&f->r, 85) ? pick_va(f) & ~(page - 1) : pick_va(f),
			.size = rel_chance(&f->r, 80) ? page * (1 + rel_below(&f->r, 16)) :
				pick_size(f),
		};
		struct obj *bo;

		if (o.op == DRM_AGX_BIND_OP_MAP) {
			o.flags = rel_chance(&f->r, 90) ? 1 + rel_below(&f->r, 3) :
				  pick_flags(f, 3);
			o.handle = pick(f, &S.bos);
			bo = pool_find(&S.bos, o.handle);
			o.bo_offset = rel_chance(&f->r, 70) ? 0 : page * rel_below(&f->r, 8);
			if (rel_chance(&f->r, 8))
				o.bo_offset = rel_rand(&f->r);
			if (bo && rel_chance(&f->r, 50) && bo->size > o.bo_offset)
				o.size = bo->size - o.bo_offset;
		} else {
			if (rel_chance(&f->r, 10)) {
				o.flags = pick_flags(f, 3);
				o.handle = pick(f, &S.bos);
			}
			if (rel_chance(&f->r, 5))
				o.bo_offset = page * rel_below(&f->r, 4);
		}
		memcpy(buf + i * stride, &o, stride < sizeof(o) ? stride : sizeof(o));
		if (stride > sizeof(o) && rel_chance(&f->r, 20))
			buf[i * stride + sizeof(o)] = 1;
	}
	used = i * stride + (stride > sizeof(o) ? 1 : 0);
	b.vm_id = rel_chance(&f->r, 50) ? S.vm0 : pick(f, &S.vms);
	b.num_ops = rel_chance(&f->r, 97) ? n : (__u32)rel_rand(&f->r);
	b.ops = pick_ptr(f, buf);
	b.op_stride = stride;
	b.pad = pick_pad(f);
	vf(v, "%s vm_id %u num_ops %u ops %#llx op_stride %u pad %#x", fd_name(fd), b.vm_id,
	   b.num_ops, (unsigned long long)b.ops, b.op_stride, b.pad);

	/* The call as a whole. */
	if (b.pad || stride < FZ_BIND_OP_MIN_SIZE ||
	    (!SPEC(BIND_BIG_STRIDE) && stride > FZ_MAX_OP_STRIDE) ||
	    (SPEC(BIND_MAX_OPS) && b.num_ops > FZ_MAX_BIND_OPS))
		hdr |= E(EINVAL);
	vm = live(fd, &S.vms, b.vm_id);
	if (!vm)
		hdr |= E(ENOENT);
	/* Each op in turn, on the VM as the ops before it left it. */
	stop = 0;
	if (!hdr) {
		ranges_copy(&sim.maps, &vm->maps);
		ranges_copy(&sim.ghosts, &vm->ghosts);
		for (; stop < b.num_ops && stop < ARRAY_SIZE(fail_at); stop++) {
			if (bad_ptr(f, b.ops) || (stop + 1) * stride > SCRATCH) {
				fail_at[stop] = E(EFAULT);
				broke = true;
				break;
			}
			memcpy(&ops[stop], buf + stop * stride, sizeof(o));
			o = ops[stop];
			bind_op_rules(fd, &sim, &o, buf + stop * stride + sizeof(o),
				      stride - sizeof(o), &must, &may);
			vf(v, "; op %u: op %u flags %#x handle %u pad %#x", stop, o.op, o.flags,
			   o.handle, o.pad);
			vf(v, " bo_offset %#llx va %#llx size %#llx",
			   (unsigned long long)o.bo_offset, (unsigned long long)o.va,
			   (unsigned long long)o.size);
			fail_at[stop] = must ? must | may : may;
			if (must) {
				broke = true;
				break;
			}
			bind_apply(&sim.maps, &sim.ghosts, &o);
		}
	}
	free(sim.maps.r);
	free(sim.ghosts.r);
	nops = b.num_ops;
	err = xioctl(fd, DRM_IOCTL_AGX_VM_BIND, &b);
	memset(buf, 0, used);
	if (hdr) {
		v->must = hdr;
		if (err && SPEC(BIND_NUM_OPS_ZERO) && b.num_ops)
			snprintf(v->out, sizeof(v->out), "num_ops %u written back, not 0",
				 b.num_ops);
		return err;
	}
	/* The outcome must be one of the ops' (num_ops says which op failed). */
	if (!err && broke) {
		v->must = fail_at[stop] & ~OK;
		vf(v, "; op %u must fail", stop);
		return err;
	}
	if (!err && b.num_ops != nops) {
		snprintf(v->out, sizeof(v->out), "success with num_ops %u written back", b.num_ops);
		return err;
	}
	if (err && (b.num_ops > stop || (b.num_ops == stop && !broke))) {
		snprintf(v->out, sizeof(v->out), "failed at op %u, past the last op that can (%u)",
			 b.num_ops, stop);
		return err;
	}
	if (err) {
		/* That op's errnos; none if it cannot fail. */
		v->must = fail_at[b.num_ops] & ~OK;
		vf(v, "; failed at op %u", b.num_ops);
	}
	/* The model follows the ops done. */
	pthread_mutex_lock(&S.lock);
	for (i = 0; i < (err ? b.num_ops : nops); i++)
		bind_apply(&vm->maps, &vm->ghosts, &ops[i]);
	pthread_mutex_unlock(&S.lock);
	return err;
}

static int fz_gem_create(struct fuzzer *f, struct verdict *v)
{
	struct drm_agx_gem_create c = { .size = pick_size(f), .flags = pick_flags(f, 0) };
	bool big = c.size > BIG_BO;
	int fd = big ? S.fd_big : pick_fd(f), err;

	vf(v, "%s size %#llx flags %#x", big ? "fd_big" : fd_name(fd),
	   (unsigned long long)c.size, c.flags);
	if (c.flags || !c.size || c.size > FZ_MAX_BO_SIZE)
		v->must |= E(EINVAL);
	/* shmem's allocations; -ENOSPC: shmem could not set up the file */
	v->may |= E(ENOMEM) | E(ENOSPC);
	err = xioctl(fd, DRM_IOCTL_AGX_GEM_CREATE, &c);
	if (err)
		return err;
	if (!c.handle || live(fd, &S.bos, c.handle))
		snprintf(v->out, sizeof(v->out), "handle %u handed out", c.handle);
	if (big) {
		/* Created lazily: an mmap offset is fine, a pin is not. */
		struct drm_agx_gem_mmap_offset m = { .handle = c.handle };

		if (xioctl(fd, DRM_IOCTL_AGX_GEM_MMAP_OFFSET, &m) || agx_gem_close(fd, c.handle))
			snprintf(v->out, sizeof(v->out), "MMAP_OFFSET or close of a big BO failed");
		return err;
	}
	if (fd == S.fd) {
		struct obj *o = pool_add(&S.bos, c.handle);

		if (o) {
			o->size = (c.size + 4095) & ~4095ull;
			o->uid = ++S.next_uid;
			return err;
		}
	}
	if (agx_gem_close(fd, c.handle))
		snprintf(v->out, sizeof(v->out), "GEM_CLOSE of new BO %u failed", c.handle);
	return err;
}

static int fz_gem_mmap_offset(struct fuzzer *f, struct verdict *v)
{
	struct drm_agx_gem_mmap_offset m = { .handle = pick(f, &S.bos), .flags = pick_flags(f, 0) };
	int fd = pick_fd(f), err;

	vf(v, "%s handle %u flags %#x", fd_name(fd), m.handle, m.flags);
	if (m.flags)
		v->must |= E(EINVAL);
	if (!live(fd, &S.bos, m.handle))
		v->must |= E(ENOENT);
	v->may |= E(ENOMEM);
	err = xioctl(fd, DRM_IOCTL_AGX_GEM_MMAP_OFFSET, &m);
	if (!err && (!m.offset || m.offset % 4096))
		snprintf(v->out, sizeof(v->out), "offset %#llx", (unsigned long long)m.offset);
	return err;
}

static int fz_queue_create(struct fuzzer *f, struct verdict *v)
{
	struct drm_agx_queue_create c = {
		.vm_id = rel_chance(&f->r, 40) ? S.vm0 : pick(f, &S.vms),
		.priority = mostly(f, 90, rel_below(&f->r, 3)),
		.flags = pick_flags(f, 0),
	};
	int fd = pick_fd(f), err;

	vf(v, "%s vm_id %u priority %u flags %#x, %u queues", fd_name(fd), c.vm_id, c.priority,
	   c.flags, fd == S.fd ? S.queues.nr_live : 0);
	if (c.flags || c.priority > DRM_AGX_PRIORITY_HIGH)
		v->must |= E(EINVAL);
	if (!live(fd, &S.vms, c.vm_id))
		v->must |= E(ENOENT);
	if (fd == S.fd && S.queues.nr_live >= S.p.max_queues)
		v->must |= E(ENOSPC);
	if (SPEC(HIGH_PRIORITY) && c.priority == DRM_AGX_PRIORITY_HIGH && !S.sys_nice)
		v->must |= E(EPERM);
	v->may |= E(ENOMEM);
	/* The device's bound counts queues still being torn down. */
	if (S.queues_made >= S.max_queues)
		v->may |= E(ENOSPC);
	err = xioctl(fd, DRM_IOCTL_AGX_QUEUE_CREATE, &c);
	if (err)
		return err;
	S.queues_made++;
	if (!c.queue_id || live(fd, &S.queues, c.queue_id))
		snprintf(v->out, sizeof(v->out), "queue_id %u handed out", c.queue_id);
	if (fd == S.fd && S.queues.nr_live < POOL - 16) {
		pool_add(&S.queues, c.queue_id);
		return err;
	}
	if (agx_queue_destroy(fd, c.queue_id))
		snprintf(v->out, sizeof(v->out), "QUEUE_DESTROY of new queue %u failed",
			 c.queue_id);
	return err;
}

static int fz_queue_destroy(struct fuzzer *f, struct verdict *v)
{
	struct drm_agx_queue_destroy d = { .queue_id = pick(f, &S.queues), .pad = pick_pad(f) };
	int fd = pick_fd(f), err;

	if (d.queue_id == S.q0 && fd == S.fd)
		d.queue_id = ~0u;
	vf(v, "%s queue_id %u pad %#x", fd_name(fd), d.queue_id, d.pad);
	if (d.pad)
		v->must |= E(EINVAL);
	if (!live(fd, &S.queues, d.queue_id))
		v->must |= E(ENOENT);
	err = xioctl(fd, DRM_IOCTL_AGX_QUEUE_DESTROY, &d);
	if (!err && fd == S.fd)
		pool_kill(&S.queues, d.queue_id);
	return err;
}

/* Syncs of a SUBMIT, at a stride; entries past @n are zero. */
static void gen_syncs(struct fuzzer *f, unsigned char *buf, unsigned int stride,
		      struct drm_agx_sync *s, unsigned int n, bool out)
{
	struct obj *o;
	unsigned int i;

	for (i = 0; i < n; i++) {
		s[i].handle = pick_sync(f);
		s[i].sync_type = mostly(f, 95, rel_below(&f->r, 2));
		s[i].timeline_value = 0;
		o = pool_find(&S.syncs, s[i].handle);
		if (s[i].sync_type != DRM_AGX_SYNC_TIMELINE) {
			if (rel_chance(&f->r, 5))
				s[i].timeline_value = rel_rand(&f->r);
		} else if (!o || rel_chance(&f->r, 10)) {
			s[i].timeline_value = rel_chance(&f->r, 50) ? 0 : rel_rand(&f->r);
		} else if (out) {
			s[i].timeline_value = o->point + 1 + rel_below(&f->r, 3);
		} else if (o->point) {
			s[i].timeline_value = 1 + rel_below(&f->r, o->point);
		}
		memcpy(buf + i * stride, &s[i], sizeof(s[i]));
		if (stride > sizeof(s[i]) && rel_chance(&f->r, 10))
			buf[i * stride + sizeof(s[i])] = 1;
	}
}

/* Wait for the fence of tracker @i, if it holds one nobody waited for. */
static void track_fence(unsigned int i)
{
	int status = 0, err;
	enum fence_class fc;
	char what[160];
	bool ok;
	__u32 t;

	pthread_mutex_lock(&S.lock);
	t = S.armed[i] ? S.trackers[i] : 0;
	S.armed[i] = false;
	fc = S.fclass[i];
	memcpy(what, S.fdesc[i], sizeof(what));
	pthread_mutex_unlock(&S.lock);
	if (!t)
		return;
	err = sync_wait(S.fd, t, 0, FENCE_LIMIT_MS);
	if (!err)
		err = sync_status(S.fd, t, &status);
	/* The doc of the stream: -EINVAL exactly for a malformed one. */
	switch (status) {
	case 1:
	case -EFAULT:
	case -ETIMEDOUT:
		ok = fc != FC_ILLEGAL;
		break;
	case -EIO:
		ok = fc == FC_RUN_HANG;
		break;
	case -EINVAL:
		ok = fc == FC_ILLEGAL;
		break;
	default:
		/* Cancelled: queue destroyed or banned first. */
		ok = status == -ECANCELED || err;
		break;
	}
	pthread_mutex_lock(&S.lock);
	S.fences++;
	if (err || !status) {
		S.fences_lost++;
		if (!S.first_lost[0])
			snprintf(S.first_lost, sizeof(S.first_lost),
				 "a SUBMIT's fence did not signal within %d ms (%s)",
				 FENCE_LIMIT_MS, rel_errname(err));
	} else if (!ok) {
		if (!S.fences_bad++)
			snprintf(S.first_bad_fence, sizeof(S.first_bad_fence),
				 "a SUBMIT's fence ended %s, its stream is %s (%s; seed %llu)",
				 rel_errname(status),
				 fc == FC_ILLEGAL ? "malformed" : "well-formed", what,
				 (unsigned long long)opts.seed);
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

/*
 * SUBMIT with the fields of the spec's item 3 appended (a driver without
 * them ignores the bytes past its struct; one with them reads these).
 */
struct fz_submit {
	__u32 queue_id, flags, in_sync_count, out_sync_count;
	__u64 in_syncs, out_syncs, commands;
	__u32 command_bytes, result_handle;
	__u64 result_offset;
	__u32 sync_stride, result_size;
};

_Static_assert(offsetof(struct fz_submit, sync_stride) == 56, "drm_agx_submit v1 layout");
#define FZ_IOCTL_SUBMIT	DRM_IOW(DRM_COMMAND_BASE + DRM_AGX_SUBMIT, struct fz_submit)

/* The rules of one in- or out-sync (struct drm_agx_sync, SUBMIT's kernel-doc). */
static void sync_rules(int fd, const unsigned char *p, unsigned int stride, bool out,
		       unsigned int own, const unsigned long *gen0, const unsigned int *busy0,
		       struct verdict *v)
{
	struct drm_agx_sync s;
	struct obj *o;
	unsigned int i;

	memcpy(&s, p, sizeof(s));
	for (i = sizeof(s); i < stride; i++)
		if (p[i])
			v->must |= E(E2BIG);
	if (s.sync_type > DRM_AGX_SYNC_TIMELINE ||
	    (s.sync_type == DRM_AGX_SYNC_BINARY && s.timeline_value) ||
	    (out && s.sync_type == DRM_AGX_SYNC_TIMELINE && !s.timeline_value))
		v->must |= E(EINVAL);
	o = live(fd, &S.syncs, s.handle);
	if (!o && !is_tracker(s.handle)) {
		v->must |= E(ENOENT);
	} else if (!out && o) {
		/* Another thread changed its fence meanwhile: either outcome. */
		if (*busy0 || o->gen != *gen0 + own)
			v->may |= E(EINVAL);
		else if (fence_at(o, s.sync_type ? s.timeline_value : 0) & OK)
			v->may |= fence_at(o, s.sync_type ? s.timeline_value : 0) & ~OK;
		else
			v->must |= fence_at(o, s.sync_type ? s.timeline_value : 0);
		vf(v, "; in %u type %u point %llu: fence %d top %llu%s", s.handle, s.sync_type,
		   (unsigned long long)s.timeline_value, o->fence, (unsigned long long)o->top,
		   *busy0 || o->gen != *gen0 + own ? " (changing)" : "");
	}
}

static int fz_submit(struct fuzzer *f, struct verdict *v)
{
	unsigned char *inb = f->scratch + SCRATCH, *outb = f->scratch + SCRATCH + SCRATCH / 2;
	unsigned int nr_in = rel_below(&f->r, 4), nr_out = rel_below(&f->r, 4), nw, i, k, own;
	unsigned int stride = FZ_SYNC_MIN_SIZE, t = TRACKERS, nr_outh = 0;
	unsigned long gen0[4] = { 0 };
	unsigned int busy0[4] = { 0 };
	struct drm_agx_sync in[4], out[5];
	struct fz_submit s = { 0 };
	__u32 outh[5], banned;
	enum fence_class fc;
	struct obj *q, *bo, *o;
	int fd = pick_fd(f), err;
	char why[96];

	nw = gen_stream(f, f->words, AGX_MAX_WORDS);
	if (SPEC(SUBMIT_SIZES)) {
		k = rel_below(&f->r, 100);
		stride = k < 85 ? FZ_SYNC_MIN_SIZE : k < 92 ? FZ_SYNC_MIN_SIZE + 8 :
			 k < 96 ? rel_below(&f->r, FZ_SYNC_MIN_SIZE) : 0;
	}
	pthread_mutex_lock(&S.lock);
	gen_syncs(f, inb, stride ? stride : FZ_SYNC_MIN_SIZE, in, nr_in, false);
	gen_syncs(f, outb, stride ? stride : FZ_SYNC_MIN_SIZE, out, nr_out, true);
	s.queue_id = rel_chance(&f->r, 50) ? S.q0 : pick(f, &S.queues);
	if (rel_chance(&f->r, 30)) {
		s.result_handle = rel_chance(&f->r, 60) ? S.arena : pick(f, &S.bos);
		s.result_offset = rel_chance(&f->r, 80) ? 8ull * rel_below(&f->r, 64) :
				  rel_chance(&f->r, 50) ? rel_rand(&f->r) : 4;
	}
	for (i = 0; i < nr_in; i++) {
		o = live(fd, &S.syncs, in[i].handle);
		gen0[i] = o ? o->gen : 0;
		busy0[i] = o ? o->busy : 0;
	}
	pthread_mutex_unlock(&S.lock);
	s.flags = pick_flags(f, 0);
	s.in_sync_count = rel_chance(&f->r, 97) ? nr_in : (__u32)rel_rand(&f->r) % 200;
	s.out_sync_count = rel_chance(&f->r, 97) ? nr_out : (__u32)rel_rand(&f->r) % 200;
	s.in_syncs = pick_ptr(f, inb);
	s.out_syncs = pick_ptr(f, outb);
	s.commands = pick_ptr(f, f->words);
	s.command_bytes = nw * 4;
	if (rel_chance(&f->r, 5))
		s.command_bytes = mostly(f, 50, s.command_bytes + 1 + rel_below(&f->r, 3));
	if (rel_chance(&f->r, 2))
		s.result_offset = rel_rand(&f->r);
	s.sync_stride = stride;
	s.result_size = FZ_RESULT_MIN_SIZE;
	if (SPEC(SUBMIT_SIZES) && rel_chance(&f->r, 10))
		s.result_size = rel_below(&f->r, 64);
	/* A fence of our own, to wait for at the end. */
	if (fd == S.fd && s.out_syncs == (uintptr_t)outb && s.out_sync_count == nr_out &&
	    stride >= FZ_SYNC_MIN_SIZE) {
		t = tracker();
		out[nr_out] = (struct drm_agx_sync){
			.sync_type = DRM_AGX_SYNC_BINARY,
			.handle = S.trackers[t],
		};
		memcpy(outb + nr_out * stride, &out[nr_out], sizeof(out[0]));
		s.out_sync_count++;
	}
	/* Past the words built the scratch is zero: NOPs. */
	fc = stream_class(f->words, (s.command_bytes < SCRATCH ? s.command_bytes : SCRATCH) / 4,
			  why, sizeof(why));
	vf(v, "%s queue_id %u flags %#x in %u@%#llx out %u@%#llx stride %u", fd_name(fd),
	   s.queue_id, s.flags, s.in_sync_count, (unsigned long long)s.in_syncs,
	   s.out_sync_count, (unsigned long long)s.out_syncs, s.sync_stride);
	vf(v, " commands %#llx bytes %u (%s) result %u@%#llx size %u",
	   (unsigned long long)s.commands, s.command_bytes, why, s.result_handle,
	   (unsigned long long)s.result_offset, s.result_size);

	/* The call's fields. */
	if (s.flags || s.in_sync_count > S.p.max_syncs || s.out_sync_count > S.p.max_syncs ||
	    !s.command_bytes || s.command_bytes % 4 || s.command_bytes > S.p.max_command_bytes ||
	    (!s.result_handle && s.result_offset) || s.result_offset % 8)
		v->must |= E(EINVAL);
	if (SPEC(SUBMIT_SIZES) &&
	    ((stride < FZ_SYNC_MIN_SIZE && (stride || s.in_sync_count || s.out_sync_count)) ||
	     stride > 4096 || (!s.result_handle && s.result_size) ||
	     (s.result_handle && s.result_size < FZ_RESULT_MIN_SIZE)))
		v->must |= E(EINVAL);
	q = live(fd, &S.queues, s.queue_id);
	if (!q)
		v->must |= E(ENOENT);
	if ((s.in_sync_count && bad_ptr(f, s.in_syncs)) ||
	    (s.out_sync_count && bad_ptr(f, s.out_syncs)) || bad_ptr(f, s.commands))
		v->must |= E(EFAULT);
	if (s.result_handle) {
		__u64 need = SPEC(SUBMIT_SIZES) ? s.result_size : FZ_RESULT_MIN_SIZE;

		bo = live(fd, &S.bos, s.result_handle);
		if (!bo)
			v->must |= E(ENOENT);
		else if (!bo->size)
			v->may |= E(EINVAL);	/* an import of unknown size */
		else if (s.result_offset > bo->size || bo->size - s.result_offset < need)
			v->must |= E(EINVAL);
	}
	v->may |= E(ENOMEM);

	/* The syncs; entries past the ones built are zero (handle 0). */
	for (i = 0; i < nr_out + 1 && i < s.out_sync_count; i++)
		outh[nr_outh++] = i < nr_out ? out[i].handle : S.trackers[t % TRACKERS];
	pthread_mutex_lock(&S.lock);
	if (q && fc == FC_RUN_HANG)
		q->may_ban = true;
	if (q && q->may_ban)
		v->may |= E(EIO);	/* banned after a hang */
	sync_busy(fd, outh, nr_outh, true);
	pthread_mutex_unlock(&S.lock);

	err = xioctl(fd, FZ_IOCTL_SUBMIT, &s);

	pthread_mutex_lock(&S.lock);
	if (stride >= FZ_SYNC_MIN_SIZE && s.in_sync_count <= S.p.max_syncs &&
	    !bad_ptr(f, s.in_syncs)) {
		for (i = 0; i < s.in_sync_count; i++) {
			for (own = 0, k = 0; k < nr_outh; k++)
				own += i < nr_in && outh[k] == in[i].handle;
			sync_rules(fd, inb + i * stride, stride, false, own, &gen0[i < 4 ? i : 0],
				   &busy0[i < 4 ? i : 0], v);
		}
	}
	if (stride >= FZ_SYNC_MIN_SIZE && s.out_sync_count <= S.p.max_syncs &&
	    !bad_ptr(f, s.out_syncs)) {
		for (i = 0; i < s.out_sync_count; i++)
			sync_rules(fd, outb + i * stride, stride, true, 0, NULL, NULL, v);
	}
	if (!err) {
		for (i = 0; i < nr_out && i < s.out_sync_count; i++) {
			o = live(fd, &S.syncs, out[i].handle);
			if (o)
				fence_add(o, out[i].timeline_value, out[i].sync_type);
		}
	}
	sync_busy(fd, outh, nr_outh, false);
	if (!err && t < TRACKERS) {
		S.armed[t] = true;
		S.fclass[t] = fc;
		snprintf(S.fdesc[t], sizeof(S.fdesc[t]), "%s, thread %u call %lu", why, f->id,
			 f->iter);
	}
	pthread_mutex_unlock(&S.lock);
	memset(inb, 0, SCRATCH / 2);
	memset(outb, 0, SCRATCH / 2);
	memset(f->words, 0, nw * 4 + 64);

	if (err == -EIO && fd == S.fd && s.queue_id == S.q0) {
		/* The arena's queue was banned after a hang: a new one (under the writer lock). */
		pthread_rwlock_unlock(&S.life);
		pthread_rwlock_wrlock(&S.life);
		banned = S.q0;
		if (!agx_queue_create(S.fd, S.vm0, DRM_AGX_PRIORITY_NORMAL, &S.q0)) {
			S.queues_made++;
			pool_add(&S.queues, S.q0);
			if (!agx_queue_destroy(S.fd, banned))
				pool_kill(&S.queues, banned);
		}
		pthread_rwlock_unlock(&S.life);
		pthread_rwlock_rdlock(&S.life);
	}
	return err;
}

/* A driver ioctl number with a random size and direction, random bytes, on a file of its own. */
static int fz_driver_nr(struct fuzzer *f, struct verdict *v)
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
	vf(v, "fd3 nr %#x size %u", nr, size);
	/* Numbers past the driver's table fail -EINVAL (drm_ioctl()). */
	if (nr >= DRM_COMMAND_BASE + DRM_AGX_SUBMIT + 1)
		v->must = E(EINVAL);
	else
		/* Random payloads on an unmodelled file: any errno of the driver's ioctls. */
		v->may = OK | E(EINVAL) | E(ENOENT) | E(EFAULT) | E(ENOMEM) | E(EEXIST) |
			 E(EOPNOTSUPP) | E(E2BIG) | E(EBUSY) | E(ENOSPC) | E(EIO) | E(EPERM);
	return xioctl(S.fd3, _IOC(dirs[rel_below(&f->r, 4)], DRM_IOCTL_BASE, nr, size), buf);
}

static int fz_gem_close(struct fuzzer *f, struct verdict *v)
{
	struct drm_gem_close c = { .handle = pick(f, &S.bos), .pad = pick_pad(f) };
	int fd = pick_fd(f), err;

	if (c.handle == S.arena && fd == S.fd)
		c.handle = ~0u;
	vf(v, "%s handle %u pad %#x", fd_name(fd), c.handle, c.pad);
	/* drm_gem_close_ioctl(): -EINVAL for an unknown handle; the pad is not looked at */
	if (!live(fd, &S.bos, c.handle))
		v->must = E(EINVAL);
	err = xioctl(fd, DRM_IOCTL_GEM_CLOSE, &c);
	if (!err && fd == S.fd)
		pool_kill(&S.bos, c.handle);
	return err;
}

static int fz_prime_export(struct fuzzer *f, struct verdict *v)
{
	struct drm_prime_handle p = {
		.handle = pick(f, &S.bos),
		.flags = mostly(f, 90, DRM_CLOEXEC | (rel_chance(&f->r, 50) ? DRM_RDWR : 0)),
		.fd = -1,
	};
	int fd = pick_fd(f), err;
	struct obj *bo = live(fd, &S.bos, p.handle);

	vf(v, "%s handle %u flags %#x", fd_name(fd), p.handle, p.flags);
	if (p.flags & ~(DRM_CLOEXEC | DRM_RDWR))
		v->must |= E(EINVAL);
	if (!bo)
		v->must |= E(ENOENT);
	v->may |= E(ENOMEM);
	err = xioctl(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &p);
	if (err)
		return err;
	pthread_mutex_lock(&S.lock);
	if (S.nr_dmabufs < ARRAY_SIZE(S.dmabufs)) {
		S.dmabuf_uid[S.nr_dmabufs] = bo ? bo->uid : 0;
		S.dmabuf_size[S.nr_dmabufs] = bo ? bo->size : 0;
		S.dmabufs[S.nr_dmabufs++] = p.fd;
		p.fd = -1;
	}
	pthread_mutex_unlock(&S.lock);
	if (p.fd >= 0)
		close(p.fd);
	return err;
}

static int fz_prime_import(struct fuzzer *f, struct verdict *v)
{
	struct drm_prime_handle p = { .fd = -1 };
	int fd = pick_fd(f), err, k;
	struct obj *o, *same = NULL;
	__u64 size = 0, uid = 0;
	unsigned int i;

	if (S.nr_dmabufs && rel_chance(&f->r, 80)) {
		k = rel_below(&f->r, S.nr_dmabufs);
		p.fd = S.dmabufs[k];
		uid = S.dmabuf_uid[k];
		size = S.dmabuf_size[k];
		/* Each dma-buf is imported once, then closed. */
		S.dmabufs[k] = S.dmabufs[--S.nr_dmabufs];
		S.dmabuf_uid[k] = S.dmabuf_uid[S.nr_dmabufs];
		S.dmabuf_size[k] = S.dmabuf_size[S.nr_dmabufs];
	} else {
		p.fd = rel_chance(&f->r, 50) ? S.fd : 1000 + (int)rel_below(&f->r, 100);
	}
	p.flags = pick_pad(f);
	vf(v, "%s fd %s flags %#x", fd_name(fd),
	   p.fd == S.fd ? "a DRM file" : p.fd >= 1000 ? "closed" : "a dma-buf", p.flags);
	/* dma_buf_get(): -EBADF for no file, -EINVAL for a file that is no dma-buf */
	if (p.fd == S.fd)
		v->must = E(EINVAL);
	else if (p.fd >= 1000)
		v->must = E(EBADF);
	v->may = E(ENOMEM);
	err = xioctl(fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &p);
	if (p.fd != S.fd && p.fd < 1000)
		close(p.fd);
	if (err)
		return err;
	/* The same BO in the same file is the same handle, else a new one. */
	for (i = 0; fd == S.fd && uid && i < S.bos.nr_live; i++)
		if (S.bos.live[i].uid == uid)
			same = &S.bos.live[i];
	if (same && p.handle != same->id)
		snprintf(v->out, sizeof(v->out), "handle %u for the BO of live handle %u", p.handle,
			 same->id);
	else if (!same && live(fd, &S.bos, p.handle))
		snprintf(v->out, sizeof(v->out), "handle %u of another BO", p.handle);
	if (fd != S.fd) {
		agx_gem_close(fd, p.handle);
		return err;
	}
	if (pool_find(&S.bos, p.handle))
		return err;
	o = pool_add(&S.bos, p.handle);
	if (!o) {
		agx_gem_close(fd, p.handle);
		return err;
	}
	o->size = size;
	o->uid = uid ? uid : ++S.next_uid;
	return err;
}

static int fz_syncobj_create(struct fuzzer *f, struct verdict *v)
{
	struct drm_syncobj_create c = {
		.flags = rel_chance(&f->r, 90) ? rel_below(&f->r, 2) : pick_flags(f, 1),
	};
	int fd = pick_fd(f), err;
	struct obj *o;

	vf(v, "%s flags %#x", fd_name(fd), c.flags);
	if (c.flags & ~DRM_SYNCOBJ_CREATE_SIGNALED)
		v->must = E(EINVAL);
	v->may = E(ENOMEM);
	err = xioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, &c);
	if (err)
		return err;
	if (!c.handle || live(fd, &S.syncs, c.handle) || (fd == S.fd && is_tracker(c.handle)))
		snprintf(v->out, sizeof(v->out), "handle %u handed out", c.handle);
	o = fd == S.fd ? pool_add(&S.syncs, c.handle) : NULL;
	if (o)
		o->fence = c.flags & DRM_SYNCOBJ_CREATE_SIGNALED ? F_BINARY : F_NONE;
	else
		drmSyncobjDestroy(fd, c.handle);
	return err;
}

static int fz_syncobj_destroy(struct fuzzer *f, struct verdict *v)
{
	struct drm_syncobj_destroy d = { .handle = pick_sync(f), .pad = pick_pad(f) };
	int fd = pick_fd(f), err;

	vf(v, "%s handle %u pad %#x", fd_name(fd), d.handle, d.pad);
	/* drm_syncobj_destroy_ioctl(): -EINVAL for a pad and for an unknown handle */
	if (d.pad || !live(fd, &S.syncs, d.handle))
		v->must = E(EINVAL);
	err = xioctl(fd, DRM_IOCTL_SYNCOBJ_DESTROY, &d);
	if (!err && fd == S.fd)
		pool_kill(&S.syncs, d.handle);
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
	struct obj *o;

	pthread_mutex_lock(&S.lock);
	for (i = 0; i < n; i++) {
		h[i] = pick_sync(f);
		o = pool_find(&S.syncs, h[i]);
		pt[i] = o && o->point && rel_chance(&f->r, 70) ?
			1 + rel_below(&f->r, o->point + 2) : rel_below(&f->r, 3);
	}
	pthread_mutex_unlock(&S.lock);
}

/* Every handle is live; -ENOENT if one is not. */
static bool all_live(int fd, const __u32 *h, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (!live(fd, &S.syncs, h[i]))
			return false;
	return true;
}

static int fz_syncobj_wait(struct fuzzer *f, struct verdict *v, bool timeline)
{
	__u32 h[4];
	__u64 pt[4];
	unsigned int n = rel_below(&f->r, 5);
	__u32 flags = mostly(f, 90, rel_below(&f->r, 8));
	__u32 known = DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL | DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT |
		      (timeline ? DRM_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE : 0);
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
	int fd = pick_fd(f);

	gen_handles(f, h, pt, n);
	vf(v, "%s count %u flags %#x", fd_name(fd), n, timeline ? tw.flags : w.flags);
	/* drm_syncobj_*wait_ioctl(): flags, an empty array, the arrays, the handles */
	if ((timeline ? tw.flags : w.flags) & ~known || !n)
		v->must |= E(EINVAL);
	if (n && bad_ptr(f, tw.handles))
		v->must |= E(EFAULT);
	else if (n && !all_live(fd, h, n))
		v->must |= E(ENOENT);
	if (n && timeline && tw.points == (uintptr_t)f->hole)
		v->must |= E(EFAULT);
	/* Not followed here: a point with no fence yet (-EINVAL), the timeout. */
	v->may = E(EINVAL) | E(ETIME) | E(ENOMEM);
	if (timeline)
		return xioctl(fd, DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT, &tw);
	return xioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, &w);
}

static int fz_syncobj_array(struct fuzzer *f, struct verdict *v, enum fz op)
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
	bool signal = op == FZ_SYNCOBJ_SIGNAL || op == FZ_SYNCOBJ_TIMELINE_SIGNAL;
	int fd = pick_fd(f), err;
	struct obj *o;

	gen_handles(f, h, pt, n);
	if (op == FZ_SYNCOBJ_TIMELINE_SIGNAL) {
		/* New points, mostly past the last one. */
		pthread_mutex_lock(&S.lock);
		for (i = 0; i < n; i++) {
			o = pool_find(&S.syncs, h[i]);
			if (o && rel_chance(&f->r, 85))
				pt[i] = o->point + 1 + rel_below(&f->r, 3);
		}
		pthread_mutex_unlock(&S.lock);
	}
	vf(v, "%s count %u pad %#x flags %#x", fd_name(fd), n, a.pad, t.flags);
	/* drm_syncobj_{reset,signal,timeline_signal,query}_ioctl() */
	if (!n || (op == FZ_SYNCOBJ_QUERY ? t.flags & ~DRM_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED :
		   op == FZ_SYNCOBJ_TIMELINE_SIGNAL ? t.flags : a.pad))
		v->must |= E(EINVAL);
	/* TIMELINE_SIGNAL reads no points from NULL: they are all 0. */
	if (op == FZ_SYNCOBJ_TIMELINE_SIGNAL && !t.points)
		memset(pt, 0, sizeof(pt));
	if (n && bad_ptr(f, a.handles))
		v->must |= E(EFAULT);
	else if (n && !all_live(fd, h, n))
		v->must |= E(ENOENT);
	if (n && ((op == FZ_SYNCOBJ_TIMELINE_SIGNAL && t.points == (uintptr_t)f->hole) ||
		  (op == FZ_SYNCOBJ_QUERY && bad_ptr(f, t.points))))
		v->must |= E(EFAULT);
	v->may = E(ENOMEM);
	pthread_mutex_lock(&S.lock);
	if (op != FZ_SYNCOBJ_QUERY)
		sync_busy(fd, h, n, true);
	pthread_mutex_unlock(&S.lock);
	switch (op) {
	case FZ_SYNCOBJ_RESET:
		err = xioctl(fd, DRM_IOCTL_SYNCOBJ_RESET, &a);
		break;
	case FZ_SYNCOBJ_SIGNAL:
		err = xioctl(fd, DRM_IOCTL_SYNCOBJ_SIGNAL, &a);
		break;
	case FZ_SYNCOBJ_QUERY:
		return xioctl(fd, DRM_IOCTL_SYNCOBJ_QUERY, &t);
	default:
		err = xioctl(fd, DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL, &t);
		break;
	}
	pthread_mutex_lock(&S.lock);
	for (i = 0; !err && i < n; i++) {
		o = live(fd, &S.syncs, h[i]);
		if (!o)
			continue;
		if (!signal)
			o->fence = F_NONE;
		else
			fence_add(o, pt[i], op == FZ_SYNCOBJ_TIMELINE_SIGNAL);
	}
	sync_busy(fd, h, n, false);
	pthread_mutex_unlock(&S.lock);
	return err;
}

static int fz_syncobj_transfer(struct fuzzer *f, struct verdict *v)
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
	int fd = pick_fd(f), err;
	struct obj *o;

	vf(v, "%s src %u@%llu dst %u@%llu flags %#x pad %#x", fd_name(fd), t.src_handle,
	   (unsigned long long)t.src_point, t.dst_handle, (unsigned long long)t.dst_point,
	   t.flags, t.pad);
	if (t.pad)
		v->must |= E(EINVAL);
	if (!live(fd, &S.syncs, t.src_handle) || !live(fd, &S.syncs, t.dst_handle))
		v->must |= E(ENOENT);
	/* The DRM core's transfer: the source's fence at the point is not followed. */
	v->may = E(EINVAL) | E(ENOMEM) | E(ETIME);
	pthread_mutex_lock(&S.lock);
	sync_busy(fd, &t.dst_handle, 1, true);
	pthread_mutex_unlock(&S.lock);
	err = xioctl(fd, DRM_IOCTL_SYNCOBJ_TRANSFER, &t);
	pthread_mutex_lock(&S.lock);
	o = live(fd, &S.syncs, t.dst_handle);
	if (o && !err)
		o->fence = F_UNKNOWN;
	sync_busy(fd, &t.dst_handle, 1, false);
	pthread_mutex_unlock(&S.lock);
	return err;
}

static int fz_syncobj_export(struct fuzzer *f, struct verdict *v)
{
	struct drm_syncobj_handle h = {
		.handle = pick_locked(f, &S.syncs),
		.flags = mostly(f, 90, rel_below(&f->r, 2)),
		.fd = -1,
		.pad = pick_pad(f),
	};
	int fd = pick_fd(f), err;

	vf(v, "%s handle %u flags %#x pad %#x", fd_name(fd), h.handle, h.flags, h.pad);
	if (h.pad || h.flags & ~DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE)
		v->must |= E(EINVAL);
	if (!live(fd, &S.syncs, h.handle))
		v->must |= E(ENOENT);
	/* A sync_file of a syncobj without a fence: -EINVAL (not followed here). */
	v->may = E(EINVAL) | E(ENOMEM);
	err = xioctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &h);
	if (!err)
		close(h.fd);
	return err;
}

static int fz_syncobj_import(struct fuzzer *f, struct verdict *v)
{
	struct drm_syncobj_handle h = {
		.handle = pick_sync(f),
		.flags = mostly(f, 90, rel_below(&f->r, 2)),
		.fd = -1,
		.pad = pick_pad(f),
	};
	int fd = pick_fd(f), src = -1, err;
	struct obj *o;

	/* A real sync_file or syncobj fd, or something else. */
	if (rel_chance(&f->r, 70) &&
	    !drmSyncobjExportSyncFile(S.fd, S.trackers[rel_below(&f->r, TRACKERS)], &src))
		h.fd = src;
	else
		h.fd = rel_chance(&f->r, 50) ? S.fd : 1000 + (int)rel_below(&f->r, 100);
	vf(v, "%s handle %u flags %#x pad %#x fd %s", fd_name(fd), h.handle, h.flags, h.pad,
	   h.fd == src ? "a sync_file" : h.fd == S.fd ? "a DRM file" : "closed");
	/*
	 * drm_syncobj_fd_to_handle_ioctl(): without IMPORT_SYNC_FILE the fd
	 * must be a syncobj's (never here); with it a sync_file's, into a
	 * live handle.
	 */
	if (h.pad || h.flags != DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE || h.fd != src)
		v->must |= E(EINVAL);
	if (h.flags == DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE &&
	    !live(fd, &S.syncs, h.handle))
		v->must |= E(ENOENT);
	v->may = E(ENOMEM);
	err = xioctl(fd, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, &h);
	if (src >= 0)
		close(src);
	if (err)
		return err;
	/* Without the import flag a new handle was made: it goes at once. */
	if (!(h.flags & DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE)) {
		drmSyncobjDestroy(fd, h.handle);
		return err;
	}
	o = live(fd, &S.syncs, h.handle);
	if (o)
		fence_add(o, 0, false);
	return err;
}

static int fz_mmap(struct fuzzer *f, struct verdict *v)
{
	struct drm_agx_gem_mmap_offset m = { .handle = pick(f, &S.bos) };
	size_t size = 4096 * (1 + rel_below(&f->r, 16));
	int prot = rel_chance(&f->r, 80) ? PROT_READ | PROT_WRITE : PROT_READ;
	struct obj *bo = live(S.fd, &S.bos, m.handle);
	unsigned int extra = 0;
	bool random = false;
	void *p;

	if (xioctl(S.fd, DRM_IOCTL_AGX_GEM_MMAP_OFFSET, &m) || rel_chance(&f->r, 10)) {
		m.offset = (rel_rand(&f->r) & ~4095ull) % (1ull << 44);
		random = true;
	} else if (rel_chance(&f->r, 10)) {
		extra = 1 + rel_below(&f->r, 3);
		m.offset += 4096 * extra;
	}
	vf(v, "handle %u size %zu offset %#llx%s, %u pages on", m.handle, size,
	   (unsigned long long)m.offset, random ? " (random)" : "", extra);
	/* drm_gem_mmap(): the exact start of a BO, and no page past its end. */
	/* A random offset, or one past a BO's start, may be another BO's start. */
	if (random || extra)
		v->may = OK | E(EINVAL) | E(EACCES);
	else if (!bo || (bo->size && size > bo->size))
		v->must = E(EINVAL);
	else if (!bo->size)
		v->may = E(EINVAL);	/* an import of unknown size */
	v->may |= E(ENOMEM);
	p = mmap(NULL, size, prot, MAP_SHARED, S.fd, m.offset);
	if (p == MAP_FAILED)
		return -errno;
	/* Every page is there. */
	(void)__atomic_load_n((unsigned char *)p + size - 1, __ATOMIC_RELAXED);
	munmap(p, size);
	return 0;
}

static int call(struct fuzzer *f, enum fz op, struct verdict *v)
{
	switch (op) {
	case FZ_GET_PARAMS: return fz_get_params(f, v);
	case FZ_VM_CREATE: return fz_vm_create(f, v);
	case FZ_VM_DESTROY: return fz_vm_destroy(f, v);
	case FZ_VM_BIND: return fz_vm_bind(f, v, f->scratch + 2 * SCRATCH);
	case FZ_GEM_CREATE: return fz_gem_create(f, v);
	case FZ_GEM_MMAP_OFFSET: return fz_gem_mmap_offset(f, v);
	case FZ_QUEUE_CREATE: return fz_queue_create(f, v);
	case FZ_QUEUE_DESTROY: return fz_queue_destroy(f, v);
	case FZ_SUBMIT: return fz_submit(f, v);
	case FZ_DRIVER_NR: return fz_driver_nr(f, v);
	case FZ_GEM_CLOSE: return fz_gem_close(f, v);
	case FZ_PRIME_EXPORT: return fz_prime_export(f, v);
	case FZ_PRIME_IMPORT: return fz_prime_import(f, v);
	case FZ_SYNCOBJ_CREATE: return fz_syncobj_create(f, v);
	case FZ_SYNCOBJ_DESTROY: return fz_syncobj_destroy(f, v);
	case FZ_SYNCOBJ_WAIT: return fz_syncobj_wait(f, v, false);
	case FZ_SYNCOBJ_TIMELINE_WAIT: return fz_syncobj_wait(f, v, true);
	case FZ_SYNCOBJ_TRANSFER: return fz_syncobj_transfer(f, v);
	case FZ_SYNCOBJ_EXPORT: return fz_syncobj_export(f, v);
	case FZ_SYNCOBJ_IMPORT: return fz_syncobj_import(f, v);
	case FZ_MMAP: return fz_mmap(f, v);
	default: return fz_syncobj_array(f, v, op);
	}
}

/* Count the call; a result the rules do not allow is a failure. */
static void record(struct fuzzer *f, enum fz op, int err, const struct verdict *v)
{
	struct stats *st = &S.st[op];
	bool ok = (E(err) & allowed(v)) && !v->out[0];
	char want[128];
	unsigned int i;

	pthread_mutex_lock(&S.lock);
	st->calls++;
	for (i = 0; i < ARRAY_SIZE(st->errs); i++) {
		if (st->errs[i].n && st->errs[i].err != err)
			continue;
		st->errs[i].err = err;
		st->errs[i].n++;
		break;
	}
	if (!ok && !st->bad++) {
		eset_text(allowed(v), want, sizeof(want));
		snprintf(st->first_bad, sizeof(st->first_bad),
			 "%s%s, the rules say %s%s%s (%s; thread %u, call %lu, seed %llu)",
			 err ? "" : "success", err ? rel_errname(err) : "", want,
			 v->out[0] ? "; " : "", v->out, v->fields, f->id, f->iter,
			 (unsigned long long)opts.seed);
		rel_say("%s: %s", desc[op].name, st->first_bad);
	}
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
	struct verdict v;
	enum fz op;
	int err;

	for (i = 0; i < NR_FZ; i++)
		total += desc[i].weight;
	while (more()) {
		pick_op = rel_below(&f->r, total);
		for (op = 0; pick_op >= desc[op].weight; op++)
			pick_op -= desc[op].weight;
		f->iter++;
		if (opts.verbose && opts.threads == 1 && f->iter % 1000 == 0)
			rel_say("%lu calls", f->iter);
		memset(&v, 0, sizeof(v));
		/* Creations and destructions alone: the model's handles are exact. */
		if (desc[op].writer)
			pthread_rwlock_wrlock(&S.life);
		else
			pthread_rwlock_rdlock(&S.life);
		if (op == FZ_VM_BIND)
			pthread_mutex_lock(&S.bind_lock);
		rel_watch_begin(desc[op].name, CALL_LIMIT_S);
		err = call(f, op, &v);
		rel_watch_end();
		if (op == FZ_VM_BIND)
			pthread_mutex_unlock(&S.bind_lock);
		pthread_rwlock_unlock(&S.life);
		record(f, op, err, &v);
	}
	return NULL;
}

/* -- setup and the run ------------------------------------------------------------ */

static bool has_sys_nice(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return false;
	return d[CAP_SYS_NICE / 32].effective & (1u << (CAP_SYS_NICE % 32));
}

static unsigned int read_param(const char *name, unsigned int def)
{
	char path[128], buf[16] = "";
	unsigned int v = def;
	FILE *fp;

	snprintf(path, sizeof(path), PARAMS "%s", name);
	fp = fopen(path, "r");
	if (!fp)
		return def;
	if (fgets(buf, sizeof(buf), fp))
		v = buf[0] == 'Y' ? 1 : buf[0] == 'N' ? 0 : strtoul(buf, NULL, 0);
	fclose(fp);
	return v;
}

/* Turn rules on: "all" or their names, from the arguments and GPUCORE_FUZZ_SPEC. */
static bool spec_on(const char *name)
{
	unsigned int i;
	bool found = false;

	for (i = 0; i < NR_SPEC; i++) {
		if (!strcmp(name, "all") || !strcmp(name, spec_rules[i].name)) {
			spec_rules[i].on = true;
			found = true;
		}
	}
	return found;
}

static bool spec_setup(void)
{
	char buf[512], *env = getenv("GPUCORE_FUZZ_SPEC"), *tok, *save = NULL;
	unsigned int i;
	int k;

	for (k = 0; k < opts.nargs; k++)
		if (!expect(spec_on(opts.args[k]), "unknown rule \"%s\"", opts.args[k]))
			return false;
	if (env) {
		snprintf(buf, sizeof(buf), "%s", env);
		for (tok = strtok_r(buf, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save))
			if (!expect(spec_on(tok), "unknown rule \"%s\" in GPUCORE_FUZZ_SPEC", tok))
				return false;
	}
	buf[0] = 0;
	for (i = 0; i < NR_SPEC; i++)
		if (!spec_rules[i].on)
			snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s",
				 buf[0] ? ", " : "", spec_rules[i].name);
	if (buf[0])
		rel_say("rules of this round not checked (not in the driver yet): %s", buf);
	return true;
}

static bool setup(void)
{
	pthread_rwlockattr_t attr;
	unsigned int i;
	struct obj *o;
	__u32 h;

	/* Writers must not starve behind a stream of readers. */
	pthread_rwlockattr_init(&attr);
	pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&S.life, &attr);
	if (!spec_setup())
		return false;
	S.max_queues = read_param("max_queues", 1024);
	S.timeout_ms = read_param("timeout_ms", 2000);
	S.test_opcodes = read_param("test_opcodes", 0);
	S.sys_nice = has_sys_nice();
	S.fd = agx_open();
	S.fd2 = agx_open();
	S.fd3 = agx_open();
	S.fd_big = agx_open();
	if (!expect(S.fd >= 0 && S.fd2 >= 0 && S.fd3 >= 0 && S.fd_big >= 0, "open: %s",
		    strerror(-S.fd)) ||
	    !expect_ok(agx_get_params(S.fd, &S.p), "GET_PARAMS") ||
	    !expect(S.p.max_command_bytes <= SCRATCH, "max_command_bytes %u",
		    S.p.max_command_bytes) ||
	    !expect_ok(agx_vm_create(S.fd, &S.vm0), "VM_CREATE") ||
	    !expect_ok(agx_queue_create(S.fd, S.vm0, DRM_AGX_PRIORITY_NORMAL, &S.q0),
		       "QUEUE_CREATE") ||
	    !expect_ok(agx_gem_create(S.fd, ARENA_BYTES, &S.arena), "GEM_CREATE"))
		return false;
	S.queues_made = 1;
	S.arena_va = S.p.va_start + 1024ull * S.p.page_size;
	if (!expect_ok(agx_bind(S.fd, S.vm0, DRM_AGX_BIND_OP_MAP,
				DRM_AGX_BIND_READ | DRM_AGX_BIND_WRITE, S.arena, 0, S.arena_va,
				ARENA_BYTES), "VM_BIND of the arena"))
		return false;
	o = pool_add(&S.vms, S.vm0);
	ranges_add(&o->maps, S.arena_va, ARENA_BYTES);
	pool_add(&S.queues, S.q0);
	o = pool_add(&S.bos, S.arena);
	o->size = ARENA_BYTES;
	o->uid = ++S.next_uid;
	for (i = 0; i < 8; i++) {
		if (!expect_ok(agx_gem_create(S.fd, 4096 * (1 + i), &h), "GEM_CREATE"))
			return false;
		o = pool_add(&S.bos, h);
		o->size = 4096 * (1 + i);
		o->uid = ++S.next_uid;
		h = sync_new(S.fd);
		if (!h)
			return false;
		pool_add(&S.syncs, h)->fence = F_NONE;
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
	double t0 = now_s(), dt;
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
		/* Three zeroed scratch areas (words, syncs, bind ops), a guard page after. */
		fz[i].scratch = mmap(NULL, 3 * SCRATCH + 4096, PROT_READ | PROT_WRITE,
				     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (!expect(fz[i].hole != MAP_FAILED && fz[i].scratch != MAP_FAILED,
			    "out of memory") ||
		    !expect(!mprotect(fz[i].scratch + 3 * SCRATCH, 4096, PROT_NONE), "mprotect"))
			return;
		fz[i].words = (__u32 *)fz[i].scratch;
		if (!expect(!pthread_create(&fz[i].tid, NULL, fuzz_main, &fz[i]), "pthread_create"))
			return;
	}
	for (i = 0; i < opts.threads; i++)
		pthread_join(fz[i].tid, NULL);
	dt = now_s() - t0;
	/* Every SUBMIT's fence signals, with an error its stream allows. */
	for (i = 0; i < TRACKERS; i++)
		track_fence(i);
	for (i = 0; i < NR_FZ; i++) {
		errs_text(&S.st[i], text, sizeof(text));
		total += S.st[i].calls;
		if (S.st[i].bad)
			rel_result(false, desc[i].name, "%lu calls against the rules, %s: %s (%s)",
				   S.st[i].bad, "first", S.st[i].first_bad, text);
		else
			rel_result(S.st[i].calls, desc[i].name, "%lu calls: %s", S.st[i].calls,
				   S.st[i].calls ? text : "none");
	}
	if (S.first_lost[0])
		rel_result(false, "fences", "%s (%lu of %lu)", S.first_lost, S.fences_lost,
			   S.fences);
	else if (S.fences_bad)
		rel_result(false, "fences", "%lu fences against the stream's rules, first: %s",
			   S.fences_bad, S.first_bad_fence);
	else
		rel_result(true, "fences", "the fences of %lu SUBMITs signalled: %lu ok, %lu %s",
			   S.fences, S.fences_ok, S.fences_err, "with an error the stream allows");
	/* -n is a promise: the long run must make that many calls in its -t. */
	if (opts.count && total < opts.count)
		rel_result(false, "calls", "%lu calls of the %lu asked for in %.0f s (%.0f/s)",
			   total, opts.count, dt, total / dt);
	rel_note("%lu calls in %.1f s (%.0f/s), %u threads, seed %llu", total, dt, total / dt,
		 opts.threads, (unsigned long long)opts.seed);
	close(S.fd_big);
	close(S.fd3);
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
		.takes_args = true,
	};

	rel_init(&defaults, "  -t SECONDS  how long to fuzz (20)\n"
		 "  -n CALLS    stop after that many calls (0: no limit)\n"
		 "  -j THREADS  fuzzing threads on the same files (2, at most 8)\n"
		 "  RULE...     rules of spec_rules[] to check although off, or \"all\"\n",
		 argc, argv);
	if (opts.threads > MAX_THREADS)
		opts.threads = MAX_THREADS;
	rel_say("seed %llu (replay: fuzz -s %llu -j 1 -n CALLS)", (unsigned long long)opts.seed,
		(unsigned long long)opts.seed);
	rel_run("run", opts.seconds + 2.0 * CALL_LIMIT_S + TRACKERS * 0.5, run, NULL);
	rel_run("works", 120, works, NULL);
	return rel_finish();
}
