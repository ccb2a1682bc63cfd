// SPDX-License-Identifier: MIT
/*
 * Cases of the AGX uapi suite: the rules that keep the interface
 * extensible and a client within bounds. Frozen minimum strides and sizes,
 * bounded and interruptible VM_BIND, failures that change nothing (the
 * ids handed out next, num_ops, mappings, fences, result records), and
 * the right a high priority queue takes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/capability.h>
#include <xf86drm.h>

#include "agx.h"
#include "harness.h"

#define RW	(DRM_AGX_BIND_READ | DRM_AGX_BIND_WRITE)
#define MAP	DRM_AGX_BIND_OP_MAP
#define UNMAP	DRM_AGX_BIND_OP_UNMAP
/* Room for more syncs than any SUBMIT takes (max_syncs is 64). */
#define SUB_SYNCS	128

/* -- VM_BIND ----------------------------------------------------------------- */

/* bind_raw(): VM_BIND with every field given; @num_ops is in and out. */
static int bind_raw(int fd, __u32 vm, const void *ops, __u32 *num_ops, __u32 stride,
		    __u32 pad)
{
	struct drm_agx_vm_bind b = {
		.vm_id = vm,
		.num_ops = *num_ops,
		.ops = (uintptr_t)ops,
		.op_stride = stride,
		.pad = pad,
	};
	int err = agx_ioctl(fd, DRM_IOCTL_AGX_VM_BIND, &b);

	*num_ops = b.num_ops;
	return err;
}

/* map_ops(): @n ops mapping page 0 of @h at @n consecutive pages from @va. */
static void map_ops(struct drm_agx_vm_bind_op *ops, __u32 n, __u32 h, __u64 va, __u64 page)
{
	__u32 i;

	memset(ops, 0, n * sizeof(*ops));
	for (i = 0; i < n; i++) {
		ops[i].op = MAP;
		ops[i].flags = RW;
		ops[i].handle = h;
		ops[i].va = va + i * page;
		ops[i].size = page;
	}
}

/* unmapped(): nothing is mapped at the page @va: a map of it works (and goes). */
static bool unmapped(struct agx *a, __u32 h, __u64 va, const char *what)
{
	__u64 page = a->p.page_size;

	if (!expect_ok(agx_bind(a->fd, a->vm, MAP, RW, h, 0, va, page), what))
		return false;
	return expect_ok(agx_bind(a->fd, a->vm, UNMAP, 0, 0, 0, va, page), what);
}

/*
 * Every VM_BIND that fails before its first op: the exact errno, num_ops
 * written back as 0, and no op done (the first op's range is still free).
 */
static void vm_bind_early_failure(void)
{
	struct drm_agx_vm_bind_op *ops;
	__u32 n, h = 0, max = DRM_AGX_MAX_BIND_OPS;
	__u64 page, va;
	struct agx a;

	if (!agx_setup(&a))
		return;
	page = a.p.page_size;
	ops = calloc(max + 1, sizeof(*ops));
	if (!expect(ops, "out of memory"))
		goto out;
	va = agx_va(&a, (max + 1) * page);
	if (!expect_ok(agx_gem_create(a.fd, page, &h), "GEM_CREATE"))
		goto out;
	map_ops(ops, max + 1, h, va, page);

	n = 2;
	expect_err(bind_raw(a.fd, a.vm, ops, &n, sizeof(*ops), 1), EINVAL, "pad 1");
	expect(n == 0, "num_ops %u after a bad pad, want 0", n);
	n = 2;
	expect_err(bind_raw(a.fd, a.vm, ops, &n, DRM_AGX_VM_BIND_OP_MIN_SIZE - 1, 0), EINVAL,
		   "op_stride below the first version's size");
	expect(n == 0, "num_ops %u after a short stride, want 0", n);
	n = 2;
	expect_err(bind_raw(a.fd, a.vm, ops, &n, 0, 0), EINVAL, "op_stride 0");
	expect(n == 0, "num_ops %u after stride 0, want 0", n);
	n = 2;
	expect_err(bind_raw(a.fd, a.vm, ops, &n, a.p.page_size + 8, 0), EINVAL,
		   "op_stride above a page");
	expect(n == 0, "num_ops %u after a huge stride, want 0", n);
	n = 2;
	expect_err(bind_raw(a.fd, 0xdead, ops, &n, sizeof(*ops), 0), ENOENT, "unknown VM");
	expect(n == 0, "num_ops %u after an unknown VM, want 0", n);
	n = max + 1;
	expect_err(bind_raw(a.fd, a.vm, ops, &n, sizeof(*ops), 0), EINVAL,
		   "DRM_AGX_MAX_BIND_OPS + 1 ops");
	expect(n == 0, "num_ops %u after too many ops, want 0", n);
	n = 2;
	expect_err(bind_raw(a.fd, a.vm, (void *)16, &n, sizeof(*ops), 0), EFAULT,
		   "ops pointing nowhere");
	expect(n == 0, "num_ops %u after a bad pointer, want 0", n);
	/* None of them did an op, not even the last of DRM_AGX_MAX_BIND_OPS + 1. */
	unmapped(&a, h, va, "first op's range after the failures");
	unmapped(&a, h, va + max * page, "last op's range after the failures");

	/* The bound itself is allowed, and the frozen minimum stride too. */
	n = max;
	if (expect_ok(bind_raw(a.fd, a.vm, ops, &n, DRM_AGX_VM_BIND_OP_MIN_SIZE, 0),
		      "DRM_AGX_MAX_BIND_OPS ops at the minimum stride")) {
		expect(n == max, "num_ops %u, want %u", n, max);
		for (n = 0; n < max; n++) {
			ops[n].op = UNMAP;
			ops[n].flags = 0;
			ops[n].handle = 0;
		}
		n = max;
		expect_ok(bind_raw(a.fd, a.vm, ops, &n, sizeof(*ops), 0), "unmap them all");
	}
	expect_ok(agx_gem_close(a.fd, h), "GEM_CLOSE");
out:
	free(ops);
	agx_teardown(&a);
}

/* Bytes of an op past the kernel's struct: zero is fine, else -E2BIG. */
static void vm_bind_stride_extra_bytes(void)
{
	struct {
		struct drm_agx_vm_bind_op op;
		__u64 newer;
	} ops[2];
	__u64 page, va;
	__u32 h = 0, n;
	struct agx a;

	if (!agx_setup(&a))
		return;
	page = a.p.page_size;
	va = agx_va(&a, 2 * page);
	if (!expect_ok(agx_gem_create(a.fd, page, &h), "GEM_CREATE"))
		goto out;
	memset(ops, 0, sizeof(ops));
	ops[0].op.op = MAP;
	ops[0].op.flags = RW;
	ops[0].op.handle = h;
	ops[0].op.va = va;
	ops[0].op.size = page;
	ops[1] = ops[0];
	ops[1].op.va = va + page;
	ops[1].newer = 1;
	n = 2;
	expect_err(bind_raw(a.fd, a.vm, ops, &n, sizeof(ops[0]), 0), E2BIG,
		   "second op with non-zero unknown bytes");
	expect(n == 1, "num_ops %u, want 1 (the first op done)", n);
	expect_err(agx_bind(a.fd, a.vm, MAP, RW, h, 0, va, page), EEXIST,
		   "the first op's range is mapped");
	unmapped(&a, h, va + page, "the second op's range");
	expect_ok(agx_bind(a.fd, a.vm, UNMAP, 0, 0, 0, va, page), "unmap");
	expect_ok(agx_gem_close(a.fd, h), "GEM_CLOSE");
out:
	agx_teardown(&a);
}

/* An unmap takes neither a handle nor a BO offset; the mapping stays. */
static void vm_bind_unmap_fields(void)
{
	__u64 page, va;
	__u32 h = 0;
	struct agx a;

	if (!agx_setup(&a))
		return;
	page = a.p.page_size;
	va = agx_va(&a, page);
	if (!expect_ok(agx_gem_create(a.fd, 2 * page, &h), "GEM_CREATE"))
		goto out;
	if (expect_ok(agx_bind(a.fd, a.vm, MAP, RW, h, 0, va, page), "map")) {
		expect_err(agx_bind(a.fd, a.vm, UNMAP, 0, 0, page, va, page), EINVAL,
			   "unmap with a bo_offset");
		expect_err(agx_bind(a.fd, a.vm, UNMAP, 0, 0, 1ull << 63, va, page), EINVAL,
			   "unmap with bo_offset bit 63");
		expect_err(agx_bind(a.fd, a.vm, MAP, RW, h, 0, va, page), EEXIST,
			   "the mapping is still there");
		expect_ok(agx_bind(a.fd, a.vm, UNMAP, 0, 0, 0, va, page), "unmap");
	}
	expect_ok(agx_gem_close(a.fd, h), "GEM_CLOSE");
out:
	agx_teardown(&a);
}

/* Counted in the handler, read after: atomics, as the handler interrupts. */
static unsigned int alarms;

static void on_alarm(int sig)
{
	(void)sig;
	__atomic_add_fetch(&alarms, 1, __ATOMIC_RELAXED);
}

/* timer(): SIGALRM every @us microseconds, or none for 0. */
static void timer(unsigned int us)
{
	struct itimerval it = {
		.it_interval = { 0, us },
		.it_value = { 0, us },
	};

	setitimer(ITIMER_REAL, &it, NULL);
}

/*
 * A signal between two ops stops VM_BIND with -EINTR (not a restart: the
 * ops done stay done) and num_ops ops done, exactly the first ones. The
 * ioctl is called directly: drmIoctl() would restart it.
 */
static void vm_bind_signal(void)
{
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	struct drm_agx_vm_bind_op *ops;
	__u32 max = DRM_AGX_MAX_BIND_OPS, h = 0, n = 0, i;
	struct drm_agx_vm_bind b;
	int tries, ret = 0, err = 0;
	__u64 page, va;
	struct agx a;

	if (!agx_setup(&a))
		return;
	page = a.p.page_size;
	ops = calloc(max, sizeof(*ops));
	if (!expect(ops, "out of memory"))
		goto out;
	va = agx_va(&a, max * page);
	if (!expect_ok(agx_gem_create(a.fd, page, &h), "GEM_CREATE") ||
	    !expect(!sigaction(SIGALRM, &sa, NULL), "sigaction: %s", strerror(errno)))
		goto out;
	for (tries = 0; tries < 200; tries++) {
		map_ops(ops, max, h, va, page);
		b = (struct drm_agx_vm_bind){
			.vm_id = a.vm, .num_ops = max, .ops = (uintptr_t)ops,
			.op_stride = sizeof(*ops),
		};
		timer(50 + 20 * (tries % 10));
		ret = ioctl(a.fd, DRM_IOCTL_AGX_VM_BIND, &b);
		err = ret ? errno : 0;
		timer(0);
		n = b.num_ops;
		if (err)
			break;
		/* Not interrupted: all done; undo them, with no timer running. */
		if (!expect(n == max, "num_ops %u after a whole bind, want %u", n, max))
			goto out;
		for (i = 0; i < max; i++)
			ops[i] = (struct drm_agx_vm_bind_op){ .op = UNMAP, .va = ops[i].va,
							      .size = page };
		if (!expect_ok(bind_raw(a.fd, a.vm, ops, &n, sizeof(*ops), 0), "unmap all"))
			goto out;
	}
	info("%u signals, %d binds, the last stopped after %u ops",
	     __atomic_load_n(&alarms, __ATOMIC_RELAXED), tries + 1, n);
	if (!expect(err, "no VM_BIND of %u ops was interrupted by %u signals", max,
		    __atomic_load_n(&alarms, __ATOMIC_RELAXED)) ||
	    !expect(err == EINTR, "interrupted VM_BIND: %s, want EINTR", strerror(err)) ||
	    !expect(n >= 1 && n < max, "num_ops %u after -EINTR, want 1 to %u", n, max - 1))
		goto out;
	/* The first n are mapped, the others not: unmapping them says so. */
	for (i = 0; i < max; i++)
		ops[i] = (struct drm_agx_vm_bind_op){ .op = UNMAP, .va = ops[i].va, .size = page };
	i = n;
	expect_ok(bind_raw(a.fd, a.vm, ops, &i, sizeof(*ops), 0), "unmap the ops done");
	i = 1;
	expect_err(bind_raw(a.fd, a.vm, &ops[n], &i, sizeof(*ops), 0), ENOENT,
		   "unmap of the first op not done");
	i = 1;
	expect_err(bind_raw(a.fd, a.vm, &ops[max - 1], &i, sizeof(*ops), 0), ENOENT,
		   "unmap of the last op");
out:
	timer(0);
	if (h)
		expect_ok(agx_gem_close(a.fd, h), "GEM_CLOSE");
	free(ops);
	agx_teardown(&a);
}

/* -- VM_DESTROY and QUEUE_DESTROY of unknown ids ---------------------------- */

/* A failed destroy of id 0 changes nothing: 0 is never handed out after it. */
static void destroy_id_zero(void)
{
	__u32 vm = 0, q = 0, vm2 = 0;
	struct agx a;

	if (!agx_setup(&a))
		return;
	expect_err(agx_vm_destroy(a.fd, 0), ENOENT, "VM_DESTROY of vm 0");
	if (expect_ok(agx_vm_create(a.fd, &vm), "VM_CREATE after VM_DESTROY(0)"))
		expect(vm != 0 && vm != a.vm, "VM_CREATE handed out vm %u (fixture's %u)", vm,
		       a.vm);
	if (vm)
		expect_ok(agx_vm_destroy(a.fd, vm), "VM_DESTROY");
	expect_err(agx_vm_destroy(a.fd, 0), ENOENT, "VM_DESTROY of vm 0 again");
	if (expect_ok(agx_vm_create(a.fd, &vm2), "VM_CREATE"))
		expect(vm2 != 0, "VM_CREATE handed out vm 0");
	expect_err(agx_queue_destroy(a.fd, 0), ENOENT, "QUEUE_DESTROY of queue 0");
	if (expect_ok(agx_queue_create(a.fd, a.vm, DRM_AGX_PRIORITY_NORMAL, &q),
		      "QUEUE_CREATE after QUEUE_DESTROY(0)"))
		expect(q != 0 && q != a.queue, "QUEUE_CREATE handed out queue %u", q);
	if (q)
		expect_ok(agx_queue_destroy(a.fd, q), "QUEUE_DESTROY");
	if (vm2)
		expect_ok(agx_vm_destroy(a.fd, vm2), "VM_DESTROY");
	agx_teardown(&a);
}

/* -- QUEUE_CREATE priority -------------------------------------------------- */

/* drop_cap(): take @cap out of the effective set of this process. */
static bool drop_cap(int cap)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];

	memset(data, 0, sizeof(data));
	if (!expect(!syscall(SYS_capget, &hdr, data), "capget: %s", strerror(errno)))
		return false;
	data[cap / 32].effective &= ~(1u << (cap % 32));
	return expect(!syscall(SYS_capset, &hdr, data), "capset: %s", strerror(errno));
}

/* The child of queue_high_priority: a client without CAP_SYS_NICE. */
static void high_priority_child(void)
{
	__u32 q = 0, q2 = 0, vm = 0;
	char path[64];
	struct agx a;
	int fd;

	if (!drop_cap(CAP_SYS_NICE) || !agx_setup(&a))
		return;
	expect_err(agx_queue_create(a.fd, a.vm, DRM_AGX_PRIORITY_HIGH, &q), EPERM,
		   "HIGH priority queue without CAP_SYS_NICE");
	if (q)
		agx_queue_destroy(a.fd, q);
	/* Nothing reserved by the refusal: the next queue gets the lowest free id. */
	if (expect_ok(agx_queue_create(a.fd, a.vm, DRM_AGX_PRIORITY_NORMAL, &q2),
		      "NORMAL priority queue without CAP_SYS_NICE"))
		expect(q2 == a.queue + 1, "queue id %u after the refusal, want %u", q2,
		       a.queue + 1);
	if (q2)
		expect_ok(agx_queue_destroy(a.fd, q2), "QUEUE_DESTROY");
	agx_teardown(&a);

	/* The DRM master may: the first opener of the primary node is it. */
	if (find_node("card", 0, AGX_DRIVER_NAME, path, sizeof(path))) {
		info("no primary node: the DRM master's right is not checked");
		return;
	}
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (!expect(fd >= 0, "open %s: %s", path, strerror(errno)))
		return;
	if (expect_ok(agx_vm_create(fd, &vm), "VM_CREATE on the primary node") &&
	    expect_ok(agx_queue_create(fd, vm, DRM_AGX_PRIORITY_HIGH, &q),
		      "HIGH priority queue as DRM master without CAP_SYS_NICE"))
		expect_ok(agx_queue_destroy(fd, q), "QUEUE_DESTROY");
	if (vm)
		expect_ok(agx_vm_destroy(fd, vm), "VM_DESTROY");
	close(fd);
}

/*
 * A HIGH priority queue takes CAP_SYS_NICE (or the DRM master): without
 * it QUEUE_CREATE fails with -EPERM and leaves nothing behind; with it, it
 * works.
 */
static void queue_high_priority(void)
{
	int status = 0;
	__u32 q = 0;
	struct agx a;
	pid_t pid;

	if (!agx_setup(&a))
		return;
	if (expect_ok(agx_queue_create(a.fd, a.vm, DRM_AGX_PRIORITY_HIGH, &q),
		      "HIGH priority queue with CAP_SYS_NICE"))
		expect_ok(agx_queue_destroy(a.fd, q), "QUEUE_DESTROY");
	agx_teardown(&a);
	fflush(stdout);
	pid = fork();
	if (!expect(pid >= 0, "fork: %s", strerror(errno)))
		return;
	if (!pid) {
		/* Its expect()s count for this case: the outcome is shared. */
		high_priority_child();
		fflush(stdout);
		_exit(0);
	}
	expect(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && !WEXITSTATUS(status),
	       "the child without CAP_SYS_NICE did not exit cleanly");
}

/* -- SUBMIT arguments -------------------------------------------------------- */

/* has_fence(): the binary syncobj holds a fence. */
static bool has_fence(int fd, __u32 syncobj)
{
	int sync_file;

	if (sync_export(fd, syncobj, &sync_file))
		return false;
	close(sync_file);
	return true;
}

/* The parts of a SUBMIT that every check of submit_each_check() varies. */
struct sub {
	struct agx *a;
	__u32 cmds[AGX_MAX_WORDS];
	struct drm_agx_sync in[SUB_SYNCS], out[SUB_SYNCS];
	struct drm_agx_submit s;
	struct agx_buf res;
	__u32 sin, sout;
};

/* sub_reset(): a valid SUBMIT: a NOP, one signalled in-sync, one out-sync, a record. */
static void sub_reset(struct sub *u)
{
	memset(u->in, 0, sizeof(u->in));
	memset(u->out, 0, sizeof(u->out));
	u->cmds[0] = DRM_AGX_CMD(DRM_AGX_OP_NOP, 0);
	u->in[0].handle = u->sin;
	u->out[0].handle = u->sout;
	u->s = (struct drm_agx_submit){
		.queue_id = u->a->queue,
		.in_sync_count = 1,
		.out_sync_count = 1,
		.in_syncs = (uintptr_t)u->in,
		.out_syncs = (uintptr_t)u->out,
		.commands = (uintptr_t)u->cmds,
		.command_bytes = 4,
		.result_handle = u->res.handle,
		.result_offset = 64,
		.sync_stride = sizeof(struct drm_agx_sync),
		.result_size = sizeof(struct drm_agx_result),
	};
	memset(u->res.map, 0xee, u->res.size);
	drmSyncobjReset(u->a->fd, &u->sout, 1);
}

/*
 * sub_fails(): the SUBMIT fails with -@want and changes nothing: no fence
 * in the out-syncobj, the result BO untouched, and the same SUBMIT with
 * the field back works.
 */
static bool sub_fails(struct sub *u, int want, const char *what)
{
	unsigned char *m = u->res.map;
	bool ok;

	ok = expect_err(agx_ioctl(u->a->fd, DRM_IOCTL_AGX_SUBMIT, &u->s), want, what);
	ok = ok && expect(!has_fence(u->a->fd, u->sout), "%s: out-syncobj got a fence", what);
	/* Any job would have been pushed by now: a NOP completes at once. */
	sleep_ms(5);
	ok = ok && expect(m[64] == 0xee && m[64 + 23] == 0xee, "%s: result record written",
			  what);
	sub_reset(u);
	return ok;
}

/*
 * Each argument check of SUBMIT on its own: the one field that breaks it in
 * an otherwise valid SUBMIT (which would succeed without the check), the
 * exact errno, and no state changed.
 */
static void submit_each_check(void)
{
	struct sub *u = calloc(1, sizeof(*u));
	struct agx a;
	unsigned int i;
	int status;

	if (!expect(u, "out of memory") || !agx_setup(&a))
		goto out_free;
	u->a = &a;
	u->sin = sync_new(a.fd);
	u->sout = sync_new(a.fd);
	if (!u->sin || !u->sout || !expect_ok(sync_signal(a.fd, u->sin, 0), "signal in-sync") ||
	    !buf_new(&a, &u->res, 4096))
		goto out;
	sub_reset(u);
	/* The base SUBMIT works. */
	if (!expect_ok(agx_ioctl(a.fd, DRM_IOCTL_AGX_SUBMIT, &u->s), "valid SUBMIT") ||
	    !expect_ok(sync_wait(a.fd, u->sout, 0, AGX_WAIT_MS), "wait") ||
	    !expect_ok(sync_status(a.fd, u->sout, &status), "status"))
		goto out;
	expect(status == 1 && __atomic_load_n((__u32 *)(u->res.map + 64), __ATOMIC_ACQUIRE) ==
	       DRM_AGX_STATUS_COMPLETE, "valid SUBMIT: fence %d", status);
	sub_reset(u);

	u->s.flags = 1;
	sub_fails(u, EINVAL, "flags 1");
	/* Counts over max_syncs, every entry valid. */
	if (expect(a.p.max_syncs < SUB_SYNCS, "max_syncs %u", a.p.max_syncs)) {
		u->s.in_sync_count = a.p.max_syncs + 1;
		for (i = 0; i <= a.p.max_syncs; i++)
			u->in[i].handle = u->sin;
		sub_fails(u, EINVAL, "max_syncs + 1 valid in-syncs");
		u->s.out_sync_count = a.p.max_syncs + 1;
		for (i = 0; i <= a.p.max_syncs; i++)
			u->out[i].handle = u->sout;
		sub_fails(u, EINVAL, "max_syncs + 1 valid out-syncs");
	}
	u->s.sync_stride = 0;
	sub_fails(u, EINVAL, "sync_stride 0 with syncs");
	u->s.sync_stride = DRM_AGX_SYNC_MIN_SIZE - 1;
	sub_fails(u, EINVAL, "sync_stride below the first version's size");
	u->s.sync_stride = 8;
	u->s.in_sync_count = 0;
	u->s.out_sync_count = 0;
	sub_fails(u, EINVAL, "sync_stride 8 without syncs");
	u->s.sync_stride = a.p.page_size + 16;
	sub_fails(u, EINVAL, "sync_stride above a page");
	u->s.command_bytes = a.p.max_command_bytes + 4;
	sub_fails(u, EINVAL, "command_bytes over max_command_bytes");
	u->s.command_bytes = 0;
	sub_fails(u, EINVAL, "command_bytes 0");
	u->s.command_bytes = 6;
	sub_fails(u, EINVAL, "command_bytes 6");
	u->s.result_handle = 0;
	u->s.result_size = 0;
	sub_fails(u, EINVAL, "result_offset without a result BO");
	u->s.result_handle = 0;
	u->s.result_offset = 0;
	sub_fails(u, EINVAL, "result_size without a result BO");
	u->s.result_offset = 68;
	sub_fails(u, EINVAL, "result_offset not 8-byte aligned");
	u->s.result_size = 0;
	sub_fails(u, EINVAL, "result_size 0");
	u->s.result_size = DRM_AGX_RESULT_MIN_SIZE - 1;
	sub_fails(u, EINVAL, "result_size below the first version's size");
	u->s.result_offset = u->res.size - 24;
	u->s.result_size = 32;
	sub_fails(u, EINVAL, "result_offset + result_size past the BO");
	u->s.result_offset = u->res.size + 8;
	sub_fails(u, EINVAL, "result_offset past the BO");
	u->in[0].sync_type = 2;
	sub_fails(u, EINVAL, "in-sync type 2");
	u->in[0].timeline_value = 1;
	sub_fails(u, EINVAL, "binary in-sync with a timeline_value");
	u->out[0].sync_type = DRM_AGX_SYNC_TIMELINE;
	sub_fails(u, EINVAL, "timeline out-sync at point 0");
	u->s.queue_id = 0;
	sub_fails(u, ENOENT, "queue 0");
	u->s.result_handle = u->res.handle + 1000;
	sub_fails(u, ENOENT, "unknown result BO");
	u->in[0].handle = u->sin + 1000;
	sub_fails(u, ENOENT, "unknown in-syncobj");
	u->out[0].handle = u->sout + 1000;
	sub_fails(u, ENOENT, "unknown out-syncobj");
	u->s.commands = 16;
	sub_fails(u, EFAULT, "commands pointing nowhere");
	u->s.in_syncs = 16;
	sub_fails(u, EFAULT, "in_syncs pointing nowhere");
	u->s.out_syncs = 16;
	sub_fails(u, EFAULT, "out_syncs pointing nowhere");
	buf_free(&a, &u->res);
out:
	sync_free(a.fd, u->sout);
	sync_free(a.fd, u->sin);
	agx_teardown(&a);
out_free:
	free(u);
}

/*
 * Syncs a larger stride apart: each entry read at its stride, unknown bytes
 * zero or -E2BIG; without syncs the stride may be 0.
 */
static void submit_sync_stride(void)
{
	struct {
		struct drm_agx_sync s;
		__u64 newer;
	} out[2];
	__u32 nop = DRM_AGX_CMD(DRM_AGX_OP_NOP, 0), s0, s1;
	struct drm_agx_submit s = { 0 };
	struct agx a;

	if (!agx_setup(&a))
		return;
	s0 = sync_new(a.fd);
	s1 = sync_new(a.fd);
	if (!s0 || !s1)
		goto out;
	s.queue_id = a.queue;
	s.commands = (uintptr_t)&nop;
	s.command_bytes = 4;
	expect_ok(agx_ioctl(a.fd, DRM_IOCTL_AGX_SUBMIT, &s), "no syncs, sync_stride 0");
	s.sync_stride = 64;
	expect_ok(agx_ioctl(a.fd, DRM_IOCTL_AGX_SUBMIT, &s), "no syncs, sync_stride 64");

	memset(out, 0, sizeof(out));
	out[0].s.handle = s0;
	out[1].s.handle = s1;
	out[1].newer = 1;
	s.out_syncs = (uintptr_t)out;
	s.out_sync_count = 2;
	s.sync_stride = sizeof(out[0]);
	expect_err(agx_ioctl(a.fd, DRM_IOCTL_AGX_SUBMIT, &s), E2BIG,
		   "out-sync with non-zero unknown bytes");
	expect(!has_fence(a.fd, s0), "a failed SUBMIT signalled out-sync 0");
	out[1].newer = 0;
	if (expect_ok(agx_ioctl(a.fd, DRM_IOCTL_AGX_SUBMIT, &s), "out-syncs 24 bytes apart")) {
		expect_ok(sync_wait(a.fd, s0, 0, AGX_WAIT_MS), "out-sync 0 signalled");
		expect_ok(sync_wait(a.fd, s1, 0, AGX_WAIT_MS), "out-sync 1 signalled");
	}
	/* The first version's stride, from an older binary. */
	s.sync_stride = DRM_AGX_SYNC_MIN_SIZE;
	s.out_sync_count = 1;
	expect_ok(agx_ioctl(a.fd, DRM_IOCTL_AGX_SUBMIT, &s), "sync_stride 16");
out:
	sync_free(a.fd, s1);
	sync_free(a.fd, s0);
	agx_teardown(&a);
}

/*
 * result_size larger than the kernel's struct: the kernel writes its own
 * size and not a byte more.
 */
static void submit_result_size(void)
{
	struct agx_buf res;
	struct agx_job j;
	struct drm_agx_submit s;
	__u32 done;
	struct drm_agx_sync out;
	struct agx a;

	if (!agx_setup(&a))
		return;
	done = sync_new(a.fd);
	if (!done || !buf_new(&a, &res, 4096))
		goto out;
	memset(res.map, 0xee, res.size);
	job_init(&j);
	job_nop(&j);
	out = (struct drm_agx_sync){ .handle = done };
	s = (struct drm_agx_submit){
		.queue_id = a.queue,
		.out_sync_count = 1,
		.out_syncs = (uintptr_t)&out,
		.commands = (uintptr_t)j.words,
		.command_bytes = j.nr_words * 4,
		.result_handle = res.handle,
		.result_offset = 128,
		.sync_stride = sizeof(out),
		.result_size = 64,
	};
	if (expect_ok(agx_ioctl(a.fd, DRM_IOCTL_AGX_SUBMIT, &s), "result_size 64") &&
	    expect_ok(sync_wait(a.fd, done, 0, AGX_WAIT_MS), "wait")) {
		expect(*(__u32 *)(res.map + 128) == DRM_AGX_STATUS_COMPLETE, "status %#x",
		       *(__u32 *)(res.map + 128));
		expect(res.map[128 + sizeof(struct drm_agx_result)] == 0xee &&
		       res.map[128 + 63] == 0xee, "bytes past the kernel's record written");
	}
	buf_free(&a, &res);
out:
	sync_free(a.fd, done);
	agx_teardown(&a);
}

/* -- test-only commands ------------------------------------------------------ */

#define TEST_OPCODES	"/sys/module/gpucore_agx/parameters/test_opcodes"

/* test_opcodes(): the module parameter's value, 1 or 0, or -errno. */
static int test_opcodes(void)
{
	char c = 0;
	int fd = open(TEST_OPCODES, O_RDONLY | O_CLOEXEC), err;

	if (fd < 0)
		return -errno;
	err = read(fd, &c, 1) == 1 ? 0 : -EIO;
	close(fd);
	return err ? err : c == 'Y';
}

static bool set_test_opcodes(bool on)
{
	int fd = open(TEST_OPCODES, O_WRONLY | O_CLOEXEC);
	bool ok = fd >= 0 && write(fd, on ? "1" : "0", 1) == 1;

	if (fd >= 0)
		close(fd);
	return expect(ok && test_opcodes() == on, "cannot set %s to %d", TEST_OPCODES, on);
}

/*
 * run_record(): run @j with a result record; its fence status and the
 * record (status read with acquire, as user space must).
 */
static bool run_record(struct agx *a, struct agx_job *j, struct agx_buf *res, int *fence,
		       struct drm_agx_result *r, const char *what)
{
	memset(res->map, 0xee, sizeof(*r));
	job_result(j, res->handle, 0);
	if (!expect_ok(run_job(a, j, fence), what))
		return false;
	r->status = __atomic_load_n((__u32 *)res->map, __ATOMIC_ACQUIRE);
	memcpy((char *)r + 4, res->map + 4, sizeof(*r) - 4);
	return true;
}

/* illegal(): @j ends malformed at command @index, its fence with -EINVAL. */
static void illegal(struct agx *a, struct agx_job *j, struct agx_buf *res, __u32 index,
		    const char *what)
{
	struct drm_agx_result r;
	int fence;

	if (!run_record(a, j, res, &fence, &r, what))
		return;
	expect(fence == -EINVAL, "%s: fence status %d, want -EINVAL", what, fence);
	expect(r.status == DRM_AGX_STATUS_ILLEGAL, "%s: status %s, want ILLEGAL", what,
	       status_name(r.status));
	expect(r.command_index == index, "%s: command_index %u, want %u", what,
	       r.command_index, index);
	expect(r.fault_va == 0 && r.timestamp != 0xeeeeeeeeeeeeeeeeull,
	       "%s: fault_va %#llx, timestamp %#llx", what, (unsigned long long)r.fault_va,
	       (unsigned long long)r.timestamp);
}

/*
 * HANG and STALL are legal only while gpucore_agx.test_opcodes is on:
 * otherwise the stream is malformed (ILLEGAL at their index, -EINVAL,
 * nothing of it runs). A STALL over DRM_AGX_MAX_STALL_US is malformed
 * either way, not cut short. The parameter is left as it was found.
 */
static void test_opcodes_gated(void)
{
	struct drm_agx_result r;
	struct agx_buf b, res;
	struct agx_job j;
	struct agx a;
	int was = test_opcodes(), fence;
	double t0;

	if (!expect(was == 1, "%s is %d: the suite runs with it on", TEST_OPCODES, was) ||
	    !agx_setup(&a))
		return;
	if (!buf_new(&a, &b, 4096))
		goto out;
	if (!buf_new(&a, &res, 4096))
		goto out_b;
	if (!set_test_opcodes(false))
		goto out_res;
	job_init(&j);
	job_fill(&j, b.va, 4, 1);
	job_hang(&j);
	illegal(&a, &j, &res, 1, "HANG without test_opcodes");
	job_init(&j);
	job_fill(&j, b.va + 4, 4, 1);
	job_nop(&j);
	job_stall(&j, 10);
	illegal(&a, &j, &res, 2, "STALL without test_opcodes");
	expect(buf_u32(&b)[0] == 0 && buf_u32(&b)[1] == 0,
	       "a malformed stream ran its FILL: %#x %#x", buf_u32(&b)[0], buf_u32(&b)[1]);
	if (!set_test_opcodes(true))
		goto out_res;

	job_init(&j);
	job_fill(&j, b.va + 8, 4, 1);
	job_stall(&j, DRM_AGX_MAX_STALL_US + 1);
	t0 = now_s();
	illegal(&a, &j, &res, 1, "STALL of DRM_AGX_MAX_STALL_US + 1");
	expect(now_s() - t0 < 0.5, "the too long STALL took %.3f s", now_s() - t0);
	expect(buf_u32(&b)[2] == 0, "the too long STALL's FILL ran");
	job_init(&j);
	job_fill(&j, b.va + 12, 4, 1);
	job_stall(&j, 1000);
	if (run_record(&a, &j, &res, &fence, &r, "STALL of 1 ms with test_opcodes"))
		expect(fence == 1 && r.status == DRM_AGX_STATUS_COMPLETE && buf_u32(&b)[3] == 1,
		       "STALL of 1 ms: fence %d, status %s", fence, status_name(r.status));
out_res:
	buf_free(&a, &res);
out_b:
	buf_free(&a, &b);
out:
	if (test_opcodes() != was)
		set_test_opcodes(was);
	agx_teardown(&a);
}

const struct uapi_case uapi_limit_cases[] = {
	{ "vm_bind_early_failure", vm_bind_early_failure },
	{ "vm_bind_stride_extra_bytes", vm_bind_stride_extra_bytes },
	{ "vm_bind_unmap_fields", vm_bind_unmap_fields },
	{ "vm_bind_signal", vm_bind_signal },
	{ "destroy_id_zero", destroy_id_zero },
	{ "queue_high_priority", queue_high_priority },
	{ "submit_each_check", submit_each_check },
	{ "submit_sync_stride", submit_sync_stride },
	{ "submit_result_size", submit_result_size },
	{ "test_opcodes_gated", test_opcodes_gated },
	{ NULL, NULL },
};
