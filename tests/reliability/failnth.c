// SPDX-License-Identifier: MIT
/*
 * fail-nth: the allocation-failure sweep of the AGX uapi.
 *
 *   failnth [-n MAX] [-s SEED] [-v] [ENTRY...]
 *
 * For each entry point (GEM, VM, queue, SUBMIT, PRIME and syncobj paths),
 * and n = 1, 2, ...: write n to /proc/thread-self/fail-nth, so that the
 * n-th allocation of the task fails (slab or page; FAILSLAB and
 * FAIL_PAGE_ALLOC, configured here to fail sleeping allocations too), make
 * the call, and read fail-nth back: 0 if the injected failure fired, the
 * remaining count if not. The sweep of an entry point ends at the first n
 * whose call succeeds without the failure firing: every allocation the call
 * makes has then been failed once.
 *
 * Checks, for every n: a failed call returns an errno of the allowed set
 * (ENOMEM, EINTR, EAGAIN and the few an entry adds, each with its reason)
 * and never fails without an injected failure; a call whose documentation
 * says it cannot fail (destroy, close) does not; no half-done state (a
 * failed bind leaves nothing bound, a failed SUBMIT installs no fence, a
 * failed unbind leaves the mapping); a successful call did its job (its
 * result is used); and after every failure the device computes an AXPY
 * whose every byte is right. Leaks are for kmemleak, scanned by the VM
 * script after the stage.
 *
 * Figures: the failure points of each entry point (the n whose call
 * failed), the ones absorbed (the failure fired, the call still succeeded:
 * a fallback, such as an unbind deferred to the worker; with kmemleak on,
 * each allocation's tracking object is a site of its own that kmemleak
 * survives from its pool), and the total. The figures vary a little from
 * run to run: caches and per-CPU pools allocate now and then. -n bounds n
 * (default 1000). Named entries run alone. Without fault injection in the
 * kernel each entry runs once, as a dry run of the checks.
 *
 * The injected calls use ioctl() itself: libdrm's drmIoctl() repeats a
 * call that failed -EINTR or -EAGAIN, and the repeat, without the
 * injected failure, would hide it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <xf86drm.h>

#include "rel.h"

#define BO_SIZE		(64 * 1024)
/* BOs that a bind pins: small, so that each page is not a point of its own. */
#define PIN_SIZE	(2 * 4096)
#define AXPY_WORDS	1024
/* How long a producer job keeps its dependency unsignalled, in us. */
#define PRODUCER_US	5000
#define STALL_US	20000
/* A single injected call must return within this. */
#define CALL_LIMIT_S	60.0

/* The debugfs directories of the fault types fail-nth drives. */
static const char *const fault_dirs[] = {
	"/sys/kernel/debug/failslab",
	"/sys/kernel/debug/fail_page_alloc",
};

struct ctx {
	struct agx a;			/* the file under test, its VM and queue */
	__u32 q2;			/* a second queue, for producer jobs */
	struct rel_axpy v;		/* buffers of the device check */
	struct agx_buf src, res;	/* SUBMIT: source data, result record */
	struct rel_rng rng;
	int nth;			/* /proc/thread-self/fail-nth, or -1 */
	int fd2;			/* a second file of the device */
	int vgem;			/* a vgem card, or -1 */
	/* syncobjs: binary in/out, timeline in/out and their last points */
	__u32 sin, sout, tin, tout, sync, sync2;
	__u64 tin_point, tout_point;
	/* what prepare made and what the call made, for after and cleanup */
	__u32 h, h2, vm, queue, vgem_bo, k;
	__u64 offset, va;
	int fd, dmabuf;
	void *map;
};

/* An entry point of the sweep. */
struct entry {
	const char *name;
	/* errnos allowed besides ENOMEM, EINTR and EAGAIN, and why */
	int extra[3];
	const char *why_extra;
	/* documented as not failing: any failure is a finding */
	bool must_succeed;
	bool (*prepare)(struct ctx *c);
	int (*call)(struct ctx *c);
	/* checks after the call; undoes what a successful call made */
	bool (*after)(struct ctx *c, int err);
	void (*cleanup)(struct ctx *c);
	bool needs_vgem;
};

/* Figures of an entry, for the total; in memory shared with the checks. */
struct figures {
	unsigned int points, absorbed, last_n;
	bool done;
};

static struct figures *figs;
static bool injecting;

static int xioctl(int fd, unsigned long request, void *arg)
{
	return ioctl(fd, request, arg) ? -errno : 0;
}

/* -- fail-nth ------------------------------------------------------------- */

static void nth_arm(struct ctx *c, unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	if (c->nth >= 0 && write(c->nth, buf, len) != len)
		expect(false, "write fail-nth: %s", strerror(errno));
}

/* nth_disarm(): what is left of the count (0: the failure fired); clears it. */
static unsigned int nth_disarm(struct ctx *c)
{
	char buf[16] = "";
	unsigned int left;

	if (c->nth < 0)
		return 1;
	if (pread(c->nth, buf, sizeof(buf) - 1, 0) <= 0)
		expect(false, "read fail-nth: %s", strerror(errno));
	left = strtoul(buf, NULL, 10);
	if (write(c->nth, "0", 1) != 1)
		expect(false, "clear fail-nth: %s", strerror(errno));
	return left;
}

static bool write_file(const char *dir, const char *name, const char *value)
{
	char path[256];
	ssize_t n = -1;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = write(fd, value, strlen(value));
		close(fd);
	}
	return n == (ssize_t)strlen(value);
}

/*
 * Fail-nth mode: nothing fails at random (probability 0), sleeping and
 * highmem allocations may fail (failslab skips GFP_KERNEL by default), any
 * order, and no stack dump per injected failure (verbose 0), which the VM
 * script would take for a problem.
 */
static bool configure_faults(void)
{
	static const char *const settings[][2] = {
		{ "probability", "0" }, { "interval", "1" }, { "times", "-1" },
		{ "space", "0" }, { "verbose", "0" }, { "task-filter", "N" },
		{ "ignore-gfp-wait", "N" }, { "ignore-gfp-highmem", "N" },
		{ "min-order", "0" }, { "cache-filter", "N" },
	};
	bool ok = true;
	unsigned int d, s;
	struct stat st;

	for (d = 0; d < ARRAY_SIZE(fault_dirs); d++) {
		if (stat(fault_dirs[d], &st)) {
			rel_say("%s missing: that fault type is not injected", fault_dirs[d]);
			continue;
		}
		for (s = 0; s < ARRAY_SIZE(settings); s++) {
			char path[256];

			snprintf(path, sizeof(path), "%s/%s", fault_dirs[d], settings[s][0]);
			if (stat(path, &st))
				continue;	/* not every type has every knob */
			if (!write_file(fault_dirs[d], settings[s][0], settings[s][1])) {
				rel_say("cannot set %s to %s", path, settings[s][1]);
				ok = false;
			}
		}
	}
	return ok;
}

/* -- helpers -------------------------------------------------------------- */

static int bind_raw(int fd, __u32 vm, __u32 op, __u32 handle, __u64 va, __u64 size,
		    __u32 *done)
{
	struct drm_agx_vm_bind_op o = {
		.op = op,
		.flags = op == DRM_AGX_BIND_OP_MAP ? DRM_AGX_BIND_READ | DRM_AGX_BIND_WRITE : 0,
		.handle = handle,
		.va = va,
		.size = size,
	};
	struct drm_agx_vm_bind b = {
		.vm_id = vm,
		.num_ops = 1,
		.ops = (uintptr_t)&o,
		.op_stride = sizeof(o),
	};
	int err = xioctl(fd, DRM_IOCTL_AGX_VM_BIND, &b);

	if (done)
		*done = b.num_ops;
	return err;
}

/* no_fence(): the binary syncobj holds no fence (a wait without WAIT_FOR_SUBMIT). */
static bool no_fence(int fd, __u32 syncobj)
{
	return drmSyncobjWait(fd, &syncobj, 1, 0, 0, NULL) && errno == EINVAL;
}

static bool touch(void *map, size_t size, struct rel_rng *r, const char *what)
{
	__u32 *w = map, seed = (__u32)rel_rand(r);
	size_t i;

	for (i = 0; i < size / 4; i++)
		w[i] = seed ^ (__u32)(i * 2654435761u);
	for (i = 0; i < size / 4; i++)
		if (w[i] != (seed ^ (__u32)(i * 2654435761u)))
			return expect(false, "%s: word %zu did not keep its value", what, i);
	return true;
}

/* A job on @queue that keeps the GPU busy a while, then signals @syncobj. */
static bool busy_job(struct ctx *c, __u32 queue, __u32 syncobj, __u64 point)
{
	struct agx_job j;

	job_init(&j);
	job_stall(&j, STALL_US);
	job_fill(&j, c->v.dst.va, 4, 1);
	job_signal(&j, syncobj, point);
	return expect_ok(job_submit(c->a.fd, queue, &j), "SUBMIT of a busy job");
}

static bool wait_ok(int fd, __u32 syncobj, __u64 point, const char *what)
{
	return expect_ok(sync_wait(fd, syncobj, point, AGX_WAIT_MS * 4), what);
}

static bool reset(int fd, __u32 syncobj)
{
	return expect_ok(drmSyncobjReset(fd, &syncobj, 1) ? -errno : 0, "SYNCOBJ_RESET");
}

static void close_handle(struct ctx *c)
{
	if (c->h)
		expect_ok(agx_gem_close(c->a.fd, c->h), "GEM_CLOSE");
	c->h = 0;
}

static bool new_bo(struct ctx *c, __u64 size)
{
	return expect_ok(agx_gem_create(c->a.fd, size, &c->h), "GEM_CREATE");
}

static bool new_pin_bo(struct ctx *c)
{
	return new_bo(c, PIN_SIZE);
}

static void cleanup_bo(struct ctx *c)
{
	close_handle(c);
}

static void cleanup_none(struct ctx *c)
{
	(void)c;
}

static bool prepare_none(struct ctx *c)
{
	(void)c;
	return true;
}

/* -- GEM ------------------------------------------------------------------ */

static int call_gem_create(struct ctx *c)
{
	struct drm_agx_gem_create g = { .size = BO_SIZE };
	int err = xioctl(c->a.fd, DRM_IOCTL_AGX_GEM_CREATE, &g);

	c->h = err ? 0 : g.handle;
	return err;
}

static bool after_gem_create(struct ctx *c, int err)
{
	void *p;
	bool ok;

	if (err)
		return true;
	p = agx_gem_mmap(c->a.fd, c->h, BO_SIZE);
	ok = expect(p, "mmap of the new BO: %s", strerror(errno)) &&
	     touch(p, BO_SIZE, &c->rng, "new BO");
	if (p)
		munmap(p, BO_SIZE);
	close_handle(c);
	return ok;
}

static bool prepare_bo(struct ctx *c)
{
	return new_bo(c, BO_SIZE);
}

static int call_mmap_offset(struct ctx *c)
{
	struct drm_agx_gem_mmap_offset m = { .handle = c->h };
	int err = xioctl(c->a.fd, DRM_IOCTL_AGX_GEM_MMAP_OFFSET, &m);

	c->offset = err ? 0 : m.offset;
	return err;
}

static bool after_mmap_offset(struct ctx *c, int err)
{
	void *p;
	bool ok;

	if (err && !expect_ok(call_mmap_offset(c), "MMAP_OFFSET after a failed one"))
		return false;
	p = mmap(NULL, BO_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, c->a.fd, c->offset);
	ok = expect(p != MAP_FAILED, "mmap at the offset: %s", strerror(errno));
	if (ok) {
		ok = touch(p, BO_SIZE, &c->rng, "mapped BO");
		munmap(p, BO_SIZE);
	}
	return ok;
}

static bool prepare_mapped_bo(struct ctx *c)
{
	return new_bo(c, BO_SIZE) && expect_ok(call_mmap_offset(c), "MMAP_OFFSET");
}

static int call_mmap(struct ctx *c)
{
	c->map = mmap(NULL, BO_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, c->a.fd, c->offset);
	if (c->map != MAP_FAILED)
		return 0;
	c->map = NULL;
	return -errno;
}

static bool after_mmap(struct ctx *c, int err)
{
	bool ok;

	if (err && !expect_ok(call_mmap(c), "mmap after a failed one"))
		return false;
	ok = touch(c->map, BO_SIZE, &c->rng, "mapped BO");
	munmap(c->map, BO_SIZE);
	c->map = NULL;
	return ok;
}

/* GEM_CLOSE of a BO that is bound and used by a running job. */
static bool prepare_gem_close(struct ctx *c)
{
	c->va = agx_va(&c->a, PIN_SIZE);
	return new_pin_bo(c) &&
	       expect_ok(bind_raw(c->a.fd, c->a.vm, DRM_AGX_BIND_OP_MAP, c->h, c->va, PIN_SIZE,
				  NULL), "VM_BIND map") &&
	       reset(c->a.fd, c->sync) && busy_job(c, c->a.queue, c->sync, 0);
}

static int call_gem_close(struct ctx *c)
{
	struct drm_gem_close g = { .handle = c->h };

	return xioctl(c->a.fd, DRM_IOCTL_GEM_CLOSE, &g);
}

static bool after_gem_close(struct ctx *c, int err)
{
	__u32 h;

	if (err)
		return expect_ok(call_gem_close(c), "GEM_CLOSE after a failed one");
	h = c->h;
	c->h = 0;
	return expect_err(agx_gem_close(c->a.fd, h), EINVAL, "GEM_CLOSE twice") &&
	       wait_ok(c->a.fd, c->sync, 0, "busy job") &&
	       expect_ok(bind_raw(c->a.fd, c->a.vm, DRM_AGX_BIND_OP_UNMAP, 0, c->va, PIN_SIZE,
				  NULL), "unmap of the closed BO");
}

/* -- VMs ------------------------------------------------------------------ */

static int call_vm_create(struct ctx *c)
{
	struct drm_agx_vm_create v = { 0 };
	int err = xioctl(c->a.fd, DRM_IOCTL_AGX_VM_CREATE, &v);

	c->vm = err ? 0 : v.vm_id;
	return err;
}

static bool after_vm_create(struct ctx *c, int err)
{
	bool ok;

	if (err)
		return true;
	/* The VM works: a queue on it computes. */
	ok = expect_ok(agx_queue_create(c->a.fd, c->vm, DRM_AGX_PRIORITY_NORMAL, &c->queue),
		       "QUEUE_CREATE on the new VM");
	if (ok) {
		struct agx b = c->a;
		struct rel_axpy v;

		b.vm = c->vm;
		ok = rel_axpy_init(&b, &v, 256);
		if (ok) {
			ok = rel_axpy_check(&b, c->queue, &v, &c->rng, "AXPY on the new VM");
			rel_axpy_fini(&b, &v);
		}
		c->a.next_va = b.next_va;
		expect_ok(agx_queue_destroy(c->a.fd, c->queue), "QUEUE_DESTROY");
	}
	return expect_ok(agx_vm_destroy(c->a.fd, c->vm), "VM_DESTROY") && ok;
}

/* VM_DESTROY of a VM with a mapping and a job using it. */
static bool prepare_vm_destroy(struct ctx *c)
{
	c->va = agx_va(&c->a, PIN_SIZE);
	return new_pin_bo(c) && expect_ok(agx_vm_create(c->a.fd, &c->vm), "VM_CREATE") &&
	       expect_ok(agx_queue_create(c->a.fd, c->vm, DRM_AGX_PRIORITY_NORMAL, &c->queue),
			 "QUEUE_CREATE") &&
	       expect_ok(bind_raw(c->a.fd, c->vm, DRM_AGX_BIND_OP_MAP, c->h, c->va, PIN_SIZE,
				  NULL), "VM_BIND map") &&
	       reset(c->a.fd, c->sync) && busy_job(c, c->queue, c->sync, 0);
}

static int call_vm_destroy(struct ctx *c)
{
	struct drm_agx_vm_destroy d = { .vm_id = c->vm };

	return xioctl(c->a.fd, DRM_IOCTL_AGX_VM_DESTROY, &d);
}

static bool after_vm_destroy(struct ctx *c, int err)
{
	bool ok = err ? expect_ok(call_vm_destroy(c), "VM_DESTROY after a failed one") :
			expect_err(call_vm_destroy(c), ENOENT, "VM_DESTROY twice");
	int status = 0;

	/* The job ran with its mappings, or faults: its fence signals either way. */
	ok = wait_ok(c->a.fd, c->sync, 0, "job of the destroyed VM") && ok;
	if (ok && !sync_status(c->a.fd, c->sync, &status))
		ok = expect(status == 1 || status == -EFAULT,
			    "job of the destroyed VM: fence status %d", status);
	return ok;
}

static void cleanup_vm_destroy(struct ctx *c)
{
	if (c->queue)
		expect_ok(agx_queue_destroy(c->a.fd, c->queue), "QUEUE_DESTROY");
	c->queue = 0;
	close_handle(c);
}

static bool prepare_bind(struct ctx *c)
{
	c->va = agx_va(&c->a, PIN_SIZE);
	return new_pin_bo(c);
}

static int call_bind(struct ctx *c)
{
	__u32 done = ~0u;
	int err = bind_raw(c->a.fd, c->a.vm, DRM_AGX_BIND_OP_MAP, c->h, c->va, PIN_SIZE, &done);

	expect(done == (err ? 0u : 1u), "VM_BIND: num_ops %u after %s", done, rel_errname(err));
	return err;
}

/* The mapping works: the GPU fills it and copies it out. */
static bool mapping_works(struct ctx *c, __u64 va, __u32 size)
{
	__u32 value = (__u32)rel_rand(&c->rng), *want, *d = buf_u32(&c->v.dst);
	struct agx_job j;
	int status = 0;
	bool ok;

	/* The whole range is filled, its last page copied out into dst. */
	want = malloc(4096);
	if (!expect(want, "out of memory"))
		return false;
	for (__u32 i = 0; i < 4096 / 4; i++)
		want[i] = value;
	memset(d, 0, 4096);
	job_init(&j);
	job_fill(&j, va, size, value);
	job_copy(&j, c->v.dst.va, va + size - 4096, 4096);
	ok = expect_ok(run_job(&c->a, &j, &status), "job on the new mapping") &&
	     expect(status == 1, "job on the new mapping: fence status %d", status) &&
	     rel_cmp(d, want, 4096, "copy out of the new mapping");
	free(want);
	return ok;
}

static bool after_bind(struct ctx *c, int err)
{
	if (err)
		return expect_err(bind_raw(c->a.fd, c->a.vm, DRM_AGX_BIND_OP_UNMAP, 0, c->va,
					   PIN_SIZE, NULL), ENOENT,
				  "unmap after a failed map (nothing may be bound)") &&
		       expect_ok(bind_raw(c->a.fd, c->a.vm, DRM_AGX_BIND_OP_MAP, c->h, c->va,
					  PIN_SIZE, NULL), "map after a failed one") &&
		       expect_ok(bind_raw(c->a.fd, c->a.vm, DRM_AGX_BIND_OP_UNMAP, 0, c->va,
					  PIN_SIZE, NULL), "unmap");
	return mapping_works(c, c->va, PIN_SIZE) &&
	       expect_ok(bind_raw(c->a.fd, c->a.vm, DRM_AGX_BIND_OP_UNMAP, 0, c->va, PIN_SIZE,
				  NULL), "unmap");
}

static bool prepare_unbind(struct ctx *c)
{
	return prepare_bind(c) &&
	       expect_ok(bind_raw(c->a.fd, c->a.vm, DRM_AGX_BIND_OP_MAP, c->h, c->va, PIN_SIZE,
				  NULL), "VM_BIND map");
}

/* An unbind while a job uses the VM: deferred until the job is done. */
static bool prepare_unbind_busy(struct ctx *c)
{
	return prepare_unbind(c) && reset(c->a.fd, c->sync) &&
	       busy_job(c, c->a.queue, c->sync, 0);
}

static int call_unbind(struct ctx *c)
{
	__u32 done = ~0u;
	int err = bind_raw(c->a.fd, c->a.vm, DRM_AGX_BIND_OP_UNMAP, 0, c->va, PIN_SIZE, &done);

	expect(done == (err ? 0u : 1u), "VM_BIND: num_ops %u after %s", done, rel_errname(err));
	return err;
}

static bool after_unbind(struct ctx *c, int err)
{
	return err ? expect_ok(call_unbind(c), "unmap after a failed one (still mapped)") :
		     expect_err(call_unbind(c), ENOENT, "unmap twice");
}

static bool after_unbind_busy(struct ctx *c, int err)
{
	bool ok = after_unbind(c, err);

	return wait_ok(c->a.fd, c->sync, 0, "busy job") && ok;
}

/* -- queues --------------------------------------------------------------- */

static int call_queue_create(struct ctx *c)
{
	struct drm_agx_queue_create q = {
		.vm_id = c->a.vm,
		.priority = DRM_AGX_PRIORITY_NORMAL,
	};
	int err = xioctl(c->a.fd, DRM_IOCTL_AGX_QUEUE_CREATE, &q);

	c->queue = err ? 0 : q.queue_id;
	return err;
}

static bool after_queue_create(struct ctx *c, int err)
{
	bool ok;

	if (err)
		return true;
	ok = rel_axpy_check(&c->a, c->queue, &c->v, &c->rng, "AXPY on the new queue");
	ok = expect_ok(agx_queue_destroy(c->a.fd, c->queue), "QUEUE_DESTROY") && ok;
	c->queue = 0;
	return ok;
}

/* QUEUE_DESTROY with a job running on the queue. */
static bool prepare_queue_destroy(struct ctx *c)
{
	return expect_ok(agx_queue_create(c->a.fd, c->a.vm, DRM_AGX_PRIORITY_NORMAL, &c->queue),
			 "QUEUE_CREATE") &&
	       reset(c->a.fd, c->sync) && busy_job(c, c->queue, c->sync, 0);
}

static int call_queue_destroy(struct ctx *c)
{
	struct drm_agx_queue_destroy d = { .queue_id = c->queue };

	return xioctl(c->a.fd, DRM_IOCTL_AGX_QUEUE_DESTROY, &d);
}

static bool after_queue_destroy(struct ctx *c, int err)
{
	int status = 0;
	bool ok = err ? expect_ok(call_queue_destroy(c), "QUEUE_DESTROY after a failed one") :
			expect_err(call_queue_destroy(c), ENOENT, "QUEUE_DESTROY twice");

	c->queue = 0;
	ok = wait_ok(c->a.fd, c->sync, 0, "job of the destroyed queue") && ok;
	if (ok && !sync_status(c->a.fd, c->sync, &status))
		ok = expect(status == 1 || status == -ECANCELED,
			    "job of the destroyed queue: fence status %d", status);
	return ok;
}

/* -- SUBMIT --------------------------------------------------------------- */

/*
 * SUBMIT of a consumer that waits for a producer on the other queue through
 * a binary syncobj and a timeline point, computes dst = k * x + y from what
 * the producer copied into x, signals a binary syncobj and a timeline
 * point, and writes a result record into a BO.
 */
static bool prepare_submit(struct ctx *c)
{
	__u32 *src = buf_u32(&c->src), *y = buf_u32(&c->v.y), *d = buf_u32(&c->v.dst);
	struct agx_job j;
	unsigned int i;

	for (i = 0; i < AXPY_WORDS; i++) {
		src[i] = (__u32)rel_rand(&c->rng);
		y[i] = (__u32)rel_rand(&c->rng);
		d[i] = ~0u;
	}
	memset(c->res.map, 0, sizeof(struct drm_agx_result));
	c->k = (__u32)rel_rand(&c->rng) | 1;
	job_init(&j);
	job_stall(&j, PRODUCER_US);
	job_copy(&j, c->v.x.va, c->src.va, AXPY_WORDS * 4);
	job_signal(&j, c->sin, 0);
	job_signal(&j, c->tin, ++c->tin_point);
	return reset(c->a.fd, c->sout) &&
	       expect_ok(job_submit(c->a.fd, c->q2, &j), "SUBMIT of the producer");
}

static int call_submit(struct ctx *c)
{
	struct agx_job j;
	struct drm_agx_submit s;

	job_init(&j);
	job_axpy(&j, c->v.dst.va, c->v.x.va, c->v.y.va, c->k, AXPY_WORDS);
	job_wait_on(&j, c->sin, 0);
	job_wait_on(&j, c->tin, c->tin_point);
	job_signal(&j, c->sout, 0);
	job_signal(&j, c->tout, c->tout_point + 1);
	job_result(&j, c->res.handle, 0);
	s = (struct drm_agx_submit){
		.queue_id = c->a.queue,
		.in_sync_count = j.nr_in,
		.out_sync_count = j.nr_out,
		.in_syncs = (uintptr_t)j.in,
		.out_syncs = (uintptr_t)j.out,
		.commands = (uintptr_t)j.words,
		.command_bytes = j.nr_words * 4,
		.result_handle = j.result_handle,
		.result_offset = j.result_offset,
		.sync_stride = sizeof(j.in[0]),
		.result_size = sizeof(struct drm_agx_result),
	};
	return xioctl(c->a.fd, DRM_IOCTL_AGX_SUBMIT, &s);
}

static bool after_submit(struct ctx *c, int err)
{
	__u32 *src = buf_u32(&c->src), *y = buf_u32(&c->v.y), *want;
	struct drm_agx_result r;
	__u64 point = 0;
	int status = 0;
	unsigned int i;
	bool ok;

	if (err) {
		ok = expect(no_fence(c->a.fd, c->sout),
			    "a failed SUBMIT installed a fence in its binary out-syncobj") &&
		     expect_ok(sync_query(c->a.fd, c->tout, &point), "SYNCOBJ_QUERY") &&
		     expect(point == c->tout_point,
			    "a failed SUBMIT moved its timeline out-syncobj to %llu (was %llu)",
			    (unsigned long long)point, (unsigned long long)c->tout_point);
		return wait_ok(c->a.fd, c->sin, 0, "producer") && ok;
	}
	c->tout_point++;
	if (!wait_ok(c->a.fd, c->sout, 0, "binary out-syncobj") ||
	    !wait_ok(c->a.fd, c->tout, c->tout_point, "timeline out-point") ||
	    !expect_ok(sync_status(c->a.fd, c->sout, &status), "fence status") ||
	    !expect(status == 1, "consumer: fence status %d", status))
		return false;
	memcpy(&r, c->res.map, sizeof(r));
	if (!expect(r.status == DRM_AGX_STATUS_COMPLETE, "consumer: result status %s",
		    status_name(r.status)))
		return false;
	want = malloc(AXPY_WORDS * 4);
	if (!expect(want, "out of memory"))
		return false;
	for (i = 0; i < AXPY_WORDS; i++)
		want[i] = c->k * src[i] + y[i];
	ok = rel_cmp(buf_u32(&c->v.dst), want, AXPY_WORDS * 4, "consumer's dst");
	free(want);
	return ok;
}

/* -- PRIME ---------------------------------------------------------------- */

static int call_prime_export(struct ctx *c)
{
	struct drm_prime_handle p = { .handle = c->h, .flags = DRM_CLOEXEC | DRM_RDWR };
	int err = xioctl(c->a.fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &p);

	c->dmabuf = err ? -1 : p.fd;
	return err;
}

static bool after_prime_export(struct ctx *c, int err)
{
	struct stat st;
	bool ok;

	if (err && !expect_ok(call_prime_export(c), "PRIME export after a failed one"))
		return false;
	ok = expect(!fstat(c->dmabuf, &st), "fstat of the dma-buf: %s", strerror(errno));
	close(c->dmabuf);
	c->dmabuf = -1;
	return ok;
}

/* Import into the other file of the same device. */
static bool prepare_prime_import(struct ctx *c)
{
	return prepare_bo(c) && expect_ok(prime_export(c->a.fd, c->h, &c->dmabuf), "PRIME export");
}

static int call_prime_import(struct ctx *c)
{
	struct drm_prime_handle p = { .fd = c->dmabuf };
	int err = xioctl(c->fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &p);

	c->h2 = err ? 0 : p.handle;
	return err;
}

static bool after_prime_import(struct ctx *c, int err)
{
	if (err && !expect_ok(call_prime_import(c), "PRIME import after a failed one"))
		return false;
	return expect_ok(agx_gem_close(c->fd, c->h2), "GEM_CLOSE of the import");
}

static void cleanup_prime_import(struct ctx *c)
{
	if (c->dmabuf >= 0)
		close(c->dmabuf);
	c->dmabuf = -1;
	close_handle(c);
}

static bool prepare_prime_import_same(struct ctx *c)
{
	c->fd = c->fd2;
	return prepare_prime_import(c);
}

/* Import of a vgem BO: a foreign dma-buf, attached and mapped. */
static bool prepare_prime_import_foreign(struct ctx *c)
{
	struct drm_mode_create_dumb dumb = { .width = 64, .height = 64, .bpp = 32 };

	c->fd = c->a.fd;
	if (!expect_ok(agx_ioctl(c->vgem, DRM_IOCTL_MODE_CREATE_DUMB, &dumb), "vgem CREATE_DUMB"))
		return false;
	c->vgem_bo = dumb.handle;
	return expect_ok(prime_export(c->vgem, c->vgem_bo, &c->dmabuf), "vgem PRIME export");
}

static bool after_prime_import_foreign(struct ctx *c, int err)
{
	__u64 va = agx_va(&c->a, 16384);

	if (err && !expect_ok(call_prime_import(c), "PRIME import after a failed one"))
		return false;
	/* Documented: the GPU reaches its own shmem pages only. */
	return expect_err(agx_bind(c->a.fd, c->a.vm, DRM_AGX_BIND_OP_MAP,
				   DRM_AGX_BIND_READ, c->h2, 0, va, 16384),
			  EOPNOTSUPP, "VM_BIND of an imported BO") &&
	       expect_ok(agx_gem_close(c->a.fd, c->h2), "GEM_CLOSE of the import");
}

static void cleanup_prime_import_foreign(struct ctx *c)
{
	if (c->dmabuf >= 0)
		close(c->dmabuf);
	c->dmabuf = -1;
	if (c->vgem_bo)
		agx_gem_close(c->vgem, c->vgem_bo);
	c->vgem_bo = 0;
}

/* -- syncobjs ------------------------------------------------------------- */

static int call_syncobj_create(struct ctx *c)
{
	struct drm_syncobj_create s = { 0 };
	int err = xioctl(c->a.fd, DRM_IOCTL_SYNCOBJ_CREATE, &s);

	c->sync2 = err ? 0 : s.handle;
	return err;
}

static bool after_syncobj_create(struct ctx *c, int err)
{
	bool ok;

	if (err)
		return true;
	ok = expect(no_fence(c->a.fd, c->sync2), "a new syncobj holds a fence") &&
	     expect_ok(sync_signal(c->a.fd, c->sync2, 0), "SYNCOBJ_SIGNAL") &&
	     wait_ok(c->a.fd, c->sync2, 0, "signalled syncobj");
	return expect_ok(drmSyncobjDestroy(c->a.fd, c->sync2) ? -errno : 0,
			 "SYNCOBJ_DESTROY") && ok;
}

/* A job whose fence is not signalled yet, in the binary syncobj c->sync. */
static bool prepare_busy(struct ctx *c)
{
	return reset(c->a.fd, c->sync) && busy_job(c, c->a.queue, c->sync, 0);
}

/* The same in timeline point c->tout_point + 1. */
static bool prepare_busy_point(struct ctx *c)
{
	return busy_job(c, c->a.queue, c->tout, ++c->tout_point);
}

static int call_syncobj_wait(struct ctx *c)
{
	struct timespec ts;
	struct drm_syncobj_wait w = {
		.handles = (uintptr_t)&c->sync,
		.count_handles = 1,
		.flags = DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL,
	};

	clock_gettime(CLOCK_MONOTONIC, &ts);
	w.timeout_nsec = (ts.tv_sec + 20) * 1000000000LL + ts.tv_nsec;
	return xioctl(c->a.fd, DRM_IOCTL_SYNCOBJ_WAIT, &w);
}

/* After a wait (or export) of c->sync: it signalled without error. */
static bool after_busy(struct ctx *c, int err)
{
	int status = 0;

	if (err && !wait_ok(c->a.fd, c->sync, 0, "wait after a failed one"))
		return false;
	return expect_ok(sync_status(c->a.fd, c->sync, &status), "fence status") &&
	       expect(status == 1, "busy job: fence status %d", status);
}

static int call_syncobj_timeline_wait(struct ctx *c)
{
	struct timespec ts;
	struct drm_syncobj_timeline_wait w = {
		.handles = (uintptr_t)&c->tout,
		.points = (uintptr_t)&c->tout_point,
		.count_handles = 1,
		.flags = DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL | DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT,
	};

	clock_gettime(CLOCK_MONOTONIC, &ts);
	w.timeout_nsec = (ts.tv_sec + 20) * 1000000000LL + ts.tv_nsec;
	return xioctl(c->a.fd, DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT, &w);
}

static bool after_timeline_wait(struct ctx *c, int err)
{
	__u64 point = 0;

	if (err && !wait_ok(c->a.fd, c->tout, c->tout_point, "wait after a failed one"))
		return false;
	return expect_ok(sync_query(c->a.fd, c->tout, &point), "SYNCOBJ_QUERY") &&
	       expect(point >= c->tout_point, "timeline at %llu after its point %llu signalled",
		      (unsigned long long)point, (unsigned long long)c->tout_point);
}

static int call_syncobj_export(struct ctx *c)
{
	struct drm_syncobj_handle h = {
		.handle = c->sync,
		.flags = DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE,
		.fd = -1,
	};
	int err = xioctl(c->a.fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &h);

	c->dmabuf = err ? -1 : h.fd;
	return err;
}

static bool after_syncobj_export(struct ctx *c, int err)
{
	int status = 0;
	bool ok;

	if (err && !expect_ok(call_syncobj_export(c), "export after a failed one"))
		return false;
	ok = expect_ok(wait_file(c->dmabuf, AGX_WAIT_MS * 4), "wait on the sync_file") &&
	     expect_ok(file_status(c->dmabuf, &status), "SYNC_IOC_FILE_INFO") &&
	     expect(status == 1, "sync_file status %d", status);
	close(c->dmabuf);
	c->dmabuf = -1;
	return ok;
}

static bool prepare_syncobj_import(struct ctx *c)
{
	return prepare_busy(c) && reset(c->a.fd, c->sync2) &&
	       expect_ok(sync_export(c->a.fd, c->sync, &c->dmabuf), "export sync_file");
}

static int call_syncobj_import(struct ctx *c)
{
	struct drm_syncobj_handle h = {
		.handle = c->sync2,
		.flags = DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE,
		.fd = c->dmabuf,
	};

	return xioctl(c->a.fd, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, &h);
}

static bool after_syncobj_import(struct ctx *c, int err)
{
	int status = 0;

	if (err && (!expect(no_fence(c->a.fd, c->sync2),
			    "a failed import installed a fence") ||
		    !expect_ok(call_syncobj_import(c), "import after a failed one")))
		return false;
	return wait_ok(c->a.fd, c->sync2, 0, "imported fence") &&
	       expect_ok(sync_status(c->a.fd, c->sync2, &status), "fence status") &&
	       expect(status == 1, "imported fence: status %d", status);
}

static void cleanup_fd(struct ctx *c)
{
	if (c->dmabuf >= 0)
		close(c->dmabuf);
	c->dmabuf = -1;
	sync_wait(c->a.fd, c->sync, 0, AGX_WAIT_MS * 4);
}

static int call_syncobj_fd_export(struct ctx *c)
{
	struct drm_syncobj_handle h = { .handle = c->sync, .fd = -1 };
	int err = xioctl(c->a.fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &h);

	c->dmabuf = err ? -1 : h.fd;
	return err;
}

static bool after_syncobj_fd_export(struct ctx *c, int err)
{
	__u32 h = 0;
	bool ok;

	if (err && !expect_ok(call_syncobj_fd_export(c), "export after a failed one"))
		return false;
	/* The fd is the syncobj itself: imported, it holds the job's fence. */
	ok = expect_ok(drmSyncobjFDToHandle(c->a.fd, c->dmabuf, &h) ? -errno : 0,
		       "import of the syncobj fd");
	close(c->dmabuf);
	c->dmabuf = -1;
	if (ok)
		ok = wait_ok(c->a.fd, h, 0, "fence of the imported syncobj");
	if (h)
		drmSyncobjDestroy(c->a.fd, h);
	return ok;
}

static bool prepare_syncobj_fd_import(struct ctx *c)
{
	return prepare_busy(c) &&
	       expect_ok(drmSyncobjHandleToFD(c->a.fd, c->sync, &c->dmabuf) ? -errno : 0,
			 "syncobj fd export");
}

static int call_syncobj_fd_import(struct ctx *c)
{
	struct drm_syncobj_handle h = { .fd = c->dmabuf };
	int err = xioctl(c->a.fd, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, &h);

	c->sync2 = err ? 0 : h.handle;
	return err;
}

static bool after_syncobj_fd_import(struct ctx *c, int err)
{
	bool ok;

	if (err && !expect_ok(call_syncobj_fd_import(c), "import after a failed one"))
		return false;
	ok = wait_ok(c->a.fd, c->sync2, 0, "fence of the imported syncobj");
	ok = expect_ok(drmSyncobjDestroy(c->a.fd, c->sync2) ? -errno : 0, "SYNCOBJ_DESTROY") &&
	     ok;
	/* The shared syncobj of c->sync2 is recreated for the next step. */
	c->sync2 = sync_new(c->a.fd);
	return ok;
}

/* TRANSFER of a job's fence from a binary syncobj to a new timeline point. */
static int call_syncobj_transfer(struct ctx *c)
{
	struct drm_syncobj_transfer t = {
		.src_handle = c->sync,
		.dst_handle = c->tout,
		.dst_point = c->tout_point + 1,
	};

	return xioctl(c->a.fd, DRM_IOCTL_SYNCOBJ_TRANSFER, &t);
}

static bool after_syncobj_transfer(struct ctx *c, int err)
{
	__u64 point = 0;

	if (err && (!expect_ok(sync_query(c->a.fd, c->tout, &point), "SYNCOBJ_QUERY") ||
		    !expect(point == c->tout_point, "a failed TRANSFER moved the timeline to %llu",
			    (unsigned long long)point) ||
		    !expect_ok(call_syncobj_transfer(c), "TRANSFER after a failed one")))
		return false;
	c->tout_point++;
	return wait_ok(c->a.fd, c->tout, c->tout_point, "transferred point");
}

static int call_timeline_signal(struct ctx *c)
{
	__u64 point = c->tout_point + 1;
	struct drm_syncobj_timeline_array s = {
		.handles = (uintptr_t)&c->tout,
		.points = (uintptr_t)&point,
		.count_handles = 1,
	};

	return xioctl(c->a.fd, DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL, &s);
}

static bool after_timeline_signal(struct ctx *c, int err)
{
	__u64 point = 0;

	if (err && !expect_ok(call_timeline_signal(c), "TIMELINE_SIGNAL after a failed one"))
		return false;
	c->tout_point++;
	return expect_ok(sync_query(c->a.fd, c->tout, &point), "SYNCOBJ_QUERY") &&
	       expect(point == c->tout_point, "timeline at %llu after signalling %llu",
		      (unsigned long long)point, (unsigned long long)c->tout_point);
}

/* -- closing a file with everything in it ----------------------------------- */

/*
 * close() of a file with a VM, a queue, a bound BO and a running job: it
 * returns no error, so only the fate of the job and the absence of leaks
 * and splats tell. The job's fence is kept as a sync_file.
 */
static bool prepare_file_close(struct ctx *c)
{
	struct agx b;
	struct agx_buf buf;
	struct agx_job j;
	__u32 s;
	bool ok;

	c->fd = -1;
	c->dmabuf = -1;
	if (!agx_setup(&b))
		return false;
	s = sync_new(b.fd);
	ok = s && buf_new(&b, &buf, 8192);
	if (ok) {
		job_init(&j);
		job_stall(&j, STALL_US);
		job_fill(&j, buf.va, 8192, 7);
		job_signal(&j, s, 0);
		ok = expect_ok(job_submit(b.fd, b.queue, &j), "SUBMIT") &&
		     expect_ok(sync_export(b.fd, s, &c->dmabuf), "export sync_file");
		munmap(buf.map, buf.size);
	}
	c->fd = b.fd;
	return ok;
}

static int call_close(struct ctx *c)
{
	int err = close(c->fd) ? -errno : 0;

	c->fd = -1;
	return err;
}

static bool after_file_close(struct ctx *c, int err)
{
	int status = 0;

	(void)err;
	return expect_ok(wait_file(c->dmabuf, AGX_WAIT_MS * 4), "fence of the closed file") &&
	       expect_ok(file_status(c->dmabuf, &status), "SYNC_IOC_FILE_INFO") &&
	       expect(status == 1 || status == -ECANCELED,
		      "job of the closed file: fence status %d", status);
}

static void cleanup_file_close(struct ctx *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	if (c->dmabuf >= 0)
		close(c->dmabuf);
	c->dmabuf = -1;
}

/* -- the entry points ----------------------------------------------------- */

#define ENTRY(n, must, p, c, a, cl) \
	{ .name = (n), .must_succeed = (must), .prepare = (p), .call = (c), .after = (a), \
	  .cleanup = (cl) }

static const struct entry entries[] = {
	{
		.name = "gem_create",
		/* A shmem file without an inode fails -ENOSPC (__shmem_file_setup()). */
		.extra = { ENOSPC },
		.why_extra = "shmem_file_setup() fails -ENOSPC without an inode",
		.prepare = prepare_none,
		.call = call_gem_create,
		.after = after_gem_create,
		.cleanup = cleanup_none,
	},
	ENTRY("gem_mmap_offset", false, prepare_bo, call_mmap_offset, after_mmap_offset,
	      cleanup_bo),
	ENTRY("gem_mmap", false, prepare_mapped_bo, call_mmap, after_mmap, cleanup_bo),
	ENTRY("gem_close", true, prepare_gem_close, call_gem_close, after_gem_close, cleanup_bo),
	ENTRY("vm_create", false, prepare_none, call_vm_create, after_vm_create, cleanup_none),
	ENTRY("vm_destroy", true, prepare_vm_destroy, call_vm_destroy, after_vm_destroy,
	      cleanup_vm_destroy),
	ENTRY("vm_bind", false, prepare_bind, call_bind, after_bind, cleanup_bo),
	ENTRY("vm_unbind", false, prepare_unbind, call_unbind, after_unbind, cleanup_bo),
	ENTRY("vm_unbind_busy", false, prepare_unbind_busy, call_unbind, after_unbind_busy,
	      cleanup_bo),
	ENTRY("queue_create", false, prepare_none, call_queue_create, after_queue_create,
	      cleanup_none),
	ENTRY("queue_destroy", true, prepare_queue_destroy, call_queue_destroy,
	      after_queue_destroy, cleanup_none),
	ENTRY("submit", false, prepare_submit, call_submit, after_submit, cleanup_none),
	ENTRY("prime_export", false, prepare_bo, call_prime_export, after_prime_export,
	      cleanup_bo),
	ENTRY("prime_import", false, prepare_prime_import_same, call_prime_import,
	      after_prime_import, cleanup_prime_import),
	{
		.name = "prime_import_foreign",
		.prepare = prepare_prime_import_foreign,
		.call = call_prime_import,
		.after = after_prime_import_foreign,
		.cleanup = cleanup_prime_import_foreign,
		.needs_vgem = true,
	},
	ENTRY("syncobj_create", false, prepare_none, call_syncobj_create, after_syncobj_create,
	      cleanup_none),
	ENTRY("syncobj_wait", false, prepare_busy, call_syncobj_wait, after_busy, cleanup_none),
	ENTRY("syncobj_timeline_wait", false, prepare_busy_point, call_syncobj_timeline_wait,
	      after_timeline_wait, cleanup_none),
	{
		.name = "syncobj_export_sync_file",
		/* drm_syncobj_export_sync_file() turns a failed sync_file_create() into -EINVAL. */
		.extra = { EINVAL },
		.why_extra = "the DRM core reports a failed sync_file_create() as -EINVAL",
		.prepare = prepare_busy,
		.call = call_syncobj_export,
		.after = after_syncobj_export,
		.cleanup = cleanup_fd,
	},
	ENTRY("syncobj_import_sync_file", false, prepare_syncobj_import, call_syncobj_import,
	      after_syncobj_import, cleanup_fd),
	ENTRY("syncobj_fd_export", false, prepare_busy, call_syncobj_fd_export,
	      after_syncobj_fd_export, cleanup_fd),
	ENTRY("syncobj_fd_import", false, prepare_syncobj_fd_import, call_syncobj_fd_import,
	      after_syncobj_fd_import, cleanup_fd),
	ENTRY("syncobj_transfer", false, prepare_busy, call_syncobj_transfer,
	      after_syncobj_transfer, cleanup_fd),
	ENTRY("syncobj_timeline_signal", false, prepare_none, call_timeline_signal,
	      after_timeline_signal, cleanup_none),
	ENTRY("file_close", true, prepare_file_close, call_close, after_file_close,
	      cleanup_file_close),
};

static bool allowed(const struct entry *e, int err)
{
	unsigned int i;

	if (err == -ENOMEM || err == -EINTR || err == -EAGAIN)
		return true;
	for (i = 0; i < ARRAY_SIZE(e->extra); i++)
		if (e->extra[i] && err == -e->extra[i])
			return true;
	return false;
}

/* -- the sweep ------------------------------------------------------------ */

/*
 * Nothing of the task may fault memory in between arming fail-nth and the
 * call: a page fault whose allocation is failed would be the OOM killer's,
 * not the call's. Grow the stack once and lock everything in.
 */
static void lock_memory(void)
{
	char pad[256 * 1024];

	memset(pad, 0, sizeof(pad));
	/* Keep the stores: they are what grows the stack. */
	__asm__ __volatile__("" : : "r"(pad) : "memory");
	if (mlockall(MCL_CURRENT | MCL_FUTURE))
		rel_say("mlockall: %s (page faults may be failed)", strerror(errno));
}

static bool ctx_init(struct ctx *c, const struct entry *e)
{
	memset(c, 0, sizeof(*c));
	c->nth = -1;
	c->fd = -1;
	c->fd2 = -1;
	c->vgem = -1;
	c->dmabuf = -1;
	rel_rng_seed(&c->rng, opts.seed ^ (uintptr_t)e);
	if (!agx_setup(&c->a))
		return false;
	if (!expect_ok(agx_queue_create(c->a.fd, c->a.vm, DRM_AGX_PRIORITY_NORMAL, &c->q2),
		       "QUEUE_CREATE") ||
	    !rel_axpy_init(&c->a, &c->v, AXPY_WORDS) || !buf_new(&c->a, &c->src, AXPY_WORDS * 4) ||
	    !buf_new(&c->a, &c->res, 4096))
		return false;
	c->sin = sync_new(c->a.fd);
	c->sout = sync_new(c->a.fd);
	c->tin = sync_new(c->a.fd);
	c->tout = sync_new(c->a.fd);
	c->sync = sync_new(c->a.fd);
	c->sync2 = sync_new(c->a.fd);
	if (!c->sin || !c->sout || !c->tin || !c->tout || !c->sync || !c->sync2)
		return false;
	c->fd2 = agx_open();
	if (!expect(c->fd2 >= 0, "second open: %s", strerror(-c->fd2)))
		return false;
	if (e->needs_vgem) {
		char path[32];

		if (!expect(!find_node("card", 0, "vgem", path, sizeof(path)), "no vgem device"))
			return false;
		c->vgem = open(path, O_RDWR | O_CLOEXEC);
		if (!expect(c->vgem >= 0, "open %s: %s", path, strerror(errno)))
			return false;
	}
	if (injecting) {
		c->nth = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
		if (!expect(c->nth >= 0, "open /proc/thread-self/fail-nth: %s", strerror(errno)))
			return false;
		lock_memory();
	}
	return true;
}

static void ctx_fini(struct ctx *c)
{
	if (c->nth >= 0)
		close(c->nth);
	if (c->vgem >= 0)
		close(c->vgem);
	if (c->fd2 >= 0)
		close(c->fd2);
	/* Closing the file ends everything else. */
	if (c->a.fd >= 0)
		close(c->a.fd);
	c->a.fd = -1;
}

static void add_range(char *buf, size_t len, unsigned int from, unsigned int to)
{
	size_t used = strlen(buf);

	if (from == to)
		snprintf(buf + used, len - used, "%s%u", used ? "," : "", from);
	else
		snprintf(buf + used, len - used, "%s%u-%u", used ? "," : "", from, to);
}

static void sweep_entry(void *arg)
{
	const struct entry *e = arg;
	struct figures *f = &figs[e - entries];
	unsigned int n, left, max = injecting ? opts.count : 1;
	char errnos[256] = "";
	bool fired;
	struct ctx c;
	char ns[128] = "";
	unsigned int run_from = 0;
	int err;

	if (!ctx_init(&c, e))
		goto out;
	for (n = 1; n <= max; n++) {
		f->last_n = n;
		if (!e->prepare(&c))
			break;
		rel_watch_begin(e->name, CALL_LIMIT_S);
		nth_arm(&c, n);
		err = e->call(&c);
		left = nth_disarm(&c);
		rel_watch_end();
		fired = injecting && !left;
		if (err) {
			if (!expect(fired, "n=%u: failed with %s without an injected failure", n,
				    rel_errname(err)))
				break;
			f->points++;
			if (!run_from)
				run_from = n;
			if (!strstr(errnos, rel_errname(err)))
				snprintf(errnos + strlen(errnos), sizeof(errnos) - strlen(errnos),
					 "%s%s", *errnos ? " " : "", rel_errname(err));
			expect(allowed(e, err), "n=%u: failed with %s, not an allowed errno", n,
			       rel_errname(err));
			expect(!e->must_succeed, "n=%u: failed with %s; documented not to fail", n,
			       rel_errname(err));
		} else if (fired) {
			f->absorbed++;
		}
		/* The failing n, as ranges: "1-3 5 7-9". */
		if (run_from && (!err || n == max))
			add_range(ns, sizeof(ns), run_from, err ? n : n - 1);
		if (!err)
			run_from = 0;
		if (!e->after(&c, err)) {
			info("n=%u: the checks after the call failed", n);
			e->cleanup(&c);
			break;
		}
		e->cleanup(&c);
		if (err && !rel_axpy_check(&c.a, c.a.queue, &c.v, &c.rng, "AXPY after a failure")) {
			expect(false, "n=%u: the device no longer computes right", n);
			break;
		}
		if (!err && !fired) {
			f->done = true;
			break;
		}
	}
	if (rel_failures())
		goto out;
	if (!injecting) {
		rel_note("dry run: no fault injection in this kernel");
		goto out;
	}
	expect(f->done, "the call still failed at n=%u (raise -n)", max);
	rel_works(&c.rng, "AXPY on a fresh file after the sweep");
	rel_note("%u failure points%s%s%s%s%s, %u absorbed, succeeded at n=%u", f->points,
		 *errnos ? " (" : "", errnos, *ns ? " at n=" : "", ns, *errnos ? ")" : "",
		 f->absorbed, f->last_n);
out:
	ctx_fini(&c);
}

static bool selected(const char *name)
{
	int i;

	for (i = 0; i < opts.nargs; i++)
		if (!strcmp(opts.args[i], name))
			return true;
	return !opts.nargs;
}

int main(int argc, char **argv)
{
	static const struct rel_opts defaults = {
		.name = "fail-nth",
		.count = 1000,
		.threads = 1,
		.takes_args = true,
	};
	unsigned int i, points = 0, absorbed = 0, entries_run = 0;
	double t0 = now_s();
	struct stat st;

	rel_init(&defaults, "  -n MAX    largest n tried per entry point (1000)\n"
		 "  ARG...    only these entry points\n", argc, argv);
	figs = mmap(NULL, sizeof(*figs) * ARRAY_SIZE(entries), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (figs == MAP_FAILED) {
		perror("mmap");
		return 2;
	}
	injecting = !stat("/proc/thread-self/fail-nth", &st);
	if (injecting) {
		bool ok = configure_faults();

		if (!rel_result(ok, "configure", "%s", "failslab and fail_page_alloc for fail-nth"))
			return rel_finish();
	} else {
		rel_say("%s", "no fault injection in this kernel: each entry point runs once");
	}
	for (i = 0; i < ARRAY_SIZE(entries); i++) {
		const struct entry *e = &entries[i];

		if (!selected(e->name))
			continue;
		if (e->needs_vgem && !rel_has_vgem()) {
			rel_say("%s: skipped, no vgem device", e->name);
			continue;
		}
		if (e->why_extra && opts.verbose)
			rel_say("%s also allows %s: %s", e->name, rel_errname(e->extra[0]),
				e->why_extra);
		rel_run(e->name, injecting ? 1200.0 : 120.0, sweep_entry, (void *)e);
		points += figs[i].points;
		absorbed += figs[i].absorbed;
		entries_run++;
	}
	if (injecting)
		rel_say("%u failure points over %u entry points (%u more absorbed) in %.1f s",
			points, entries_run, absorbed, now_s() - t0);
	return rel_finish();
}
