// SPDX-License-Identifier: MIT
/*
 * Cases of the AGX uapi suite: GET_PARAMS, GEM objects and their mappings,
 * VMs and binds, queues, and the separation of files.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "agx.h"
#include "harness.h"

#define RW	(DRM_AGX_BIND_READ | DRM_AGX_BIND_WRITE)
#define MAP	DRM_AGX_BIND_OP_MAP
#define UNMAP	DRM_AGX_BIND_OP_UNMAP

static int get_params(int fd, void *p, __u32 size, __u32 pad, __u32 *out_size)
{
	struct drm_agx_get_params gp = {
		.pointer = (uintptr_t)p,
		.size = size,
		.pad = pad,
	};
	int err = agx_ioctl(fd, DRM_IOCTL_AGX_GET_PARAMS, &gp);

	if (out_size)
		*out_size = gp.size;
	return err;
}

static void params_values(void)
{
	struct agx a;
	struct drm_agx_params *p = &a.p;
	__u32 size = 0;

	if (!agx_setup(&a))
		return;
	expect_ok(get_params(a.fd, p, sizeof(*p), 0, &size), "GET_PARAMS");
	expect(size == sizeof(*p), "size %u, want %zu", size, sizeof(*p));
	expect(p->uapi_version == DRM_AGX_UAPI_VERSION, "uapi_version %u", p->uapi_version);
	expect(p->pad0 == 0, "pad0 %u", p->pad0);
	expect(p->features & DRM_AGX_FEATURE_TIMELINE_SYNCOBJ, "no TIMELINE_SYNCOBJ feature");
	expect(p->features & DRM_AGX_FEATURE_RESULT_RECORD, "no RESULT_RECORD feature");
	expect(p->page_size >= 4096 && !(p->page_size & (p->page_size - 1)),
	       "page_size %u", p->page_size);
	expect(!(p->va_start % p->page_size) && !(p->va_end % p->page_size) &&
	       p->va_end - p->va_start >= (1ULL << 24),
	       "VA range [%#llx, %#llx)", (unsigned long long)p->va_start,
	       (unsigned long long)p->va_end);
	expect(p->max_queues >= 2, "max_queues %u", p->max_queues);
	expect(p->max_command_bytes >= 64 && !(p->max_command_bytes % 4),
	       "max_command_bytes %u", p->max_command_bytes);
	expect(p->max_syncs >= 2, "max_syncs %u", p->max_syncs);
	expect(p->timestamp_frequency > 0, "timestamp_frequency 0");
	info("va [%#llx, %#llx) page %u queues %u cmd bytes %u syncs %u ts %llu Hz",
	     (unsigned long long)p->va_start, (unsigned long long)p->va_end, p->page_size,
	     p->max_queues, p->max_command_bytes, p->max_syncs,
	     (unsigned long long)p->timestamp_frequency);
	agx_teardown(&a);
}

/* A caller that knows less gets less, and learns how much there is. */
static void params_short_size(void)
{
	unsigned char buf[sizeof(struct drm_agx_params) + 16];
	struct drm_agx_params *p = (void *)buf;
	struct agx a;
	__u32 size = 0;
	unsigned int i;

	if (!agx_setup(&a))
		return;
	memset(buf, 0xa5, sizeof(buf));
	expect_ok(get_params(a.fd, buf, 4, 0, &size), "GET_PARAMS size 4");
	expect(p->uapi_version == DRM_AGX_UAPI_VERSION, "uapi_version %u", p->uapi_version);
	for (i = 4; i < sizeof(buf); i++)
		if (!expect(buf[i] == 0xa5, "byte %u written with size 4", i))
			break;
	expect(size == sizeof(*p), "size %u, want %zu", size, sizeof(*p));

	/* A caller that knows more gets what the driver knows. */
	memset(buf, 0, sizeof(buf));
	size = 0;
	expect_ok(get_params(a.fd, buf, sizeof(buf), 0, &size), "GET_PARAMS larger size");
	expect(size == sizeof(*p), "size %u, want %zu", size, sizeof(*p));
	expect(!memcmp(p, &a.p, sizeof(*p)), "larger size returned other parameters");
	agx_teardown(&a);
}

static void params_bad_input(void)
{
	struct drm_agx_params p;
	struct agx a;

	if (!agx_setup(&a))
		return;
	expect_err(get_params(a.fd, &p, sizeof(p), 1, NULL), EINVAL, "GET_PARAMS pad 1");
	expect_err(get_params(a.fd, &p, sizeof(p), 0x80000000, NULL), EINVAL,
		   "GET_PARAMS pad bit 31");
	expect_err(get_params(a.fd, (void *)16, sizeof(p), 0, NULL), EFAULT,
		   "GET_PARAMS bad pointer");
	agx_teardown(&a);
}

static int gem_create(int fd, __u64 size, __u32 flags, __u32 *handle)
{
	struct drm_agx_gem_create c = { .size = size, .flags = flags };
	int err = agx_ioctl(fd, DRM_IOCTL_AGX_GEM_CREATE, &c);

	*handle = c.handle;
	return err;
}

static void gem_create_close(void)
{
	__u32 h1 = 0, h2 = 0;
	struct agx a;

	if (!agx_setup(&a))
		return;
	if (expect_ok(gem_create(a.fd, 4096, 0, &h1), "GEM_CREATE") &&
	    expect_ok(gem_create(a.fd, 1 << 20, 0, &h2), "GEM_CREATE 1 MiB")) {
		expect(h1 && h2 && h1 != h2, "handles %u and %u", h1, h2);
		expect_ok(agx_gem_close(a.fd, h1), "GEM_CLOSE");
		expect_ok(agx_gem_close(a.fd, h2), "GEM_CLOSE");
		expect_err(agx_gem_close(a.fd, h1), EINVAL, "GEM_CLOSE twice");
	}
	agx_teardown(&a);
}

static void gem_create_bad_input(void)
{
	__u32 h = 0;
	struct agx a;

	if (!agx_setup(&a))
		return;
	expect_err(gem_create(a.fd, 0, 0, &h), EINVAL, "GEM_CREATE size 0");
	expect_err(gem_create(a.fd, 4096, 1, &h), EINVAL, "GEM_CREATE flags 1");
	expect_err(gem_create(a.fd, 4096, 0x80000000, &h), EINVAL, "GEM_CREATE flags bit 31");
	agx_teardown(&a);
}

/* Sizes are rounded up to pages: all of the last page can be mapped. */
static void gem_create_rounds_up(void)
{
	__u32 h = 0;
	unsigned char *m;
	struct agx a;

	if (!agx_setup(&a))
		return;
	if (!expect_ok(agx_gem_create(a.fd, a.p.page_size + 1, &h), "GEM_CREATE page + 1"))
		goto out;
	m = agx_gem_mmap(a.fd, h, 2 * a.p.page_size);
	if (expect(m, "mmap of 2 pages: %s", strerror(errno))) {
		m[2 * a.p.page_size - 1] = 0x5c;
		expect(m[2 * a.p.page_size - 1] == 0x5c && m[0] == 0, "BO contents");
		munmap(m, 2 * a.p.page_size);
	}
	expect_ok(agx_gem_close(a.fd, h), "GEM_CLOSE");
out:
	agx_teardown(&a);
}

static void gem_mmap_rw(void)
{
	size_t size = 64 * 1024, i;
	__u32 *m1, *m2, h = 0;
	struct agx a;

	if (!agx_setup(&a))
		return;
	if (!expect_ok(agx_gem_create(a.fd, size, &h), "GEM_CREATE"))
		goto out;
	m1 = agx_gem_mmap(a.fd, h, size);
	m2 = agx_gem_mmap(a.fd, h, size);
	if (expect(m1 && m2, "mmap: %s", strerror(errno))) {
		for (i = 0; i < size / 4; i++)
			if (!expect(m1[i] == 0, "new BO not zeroed at word %zu", i))
				break;
		for (i = 0; i < size / 4; i++)
			m1[i] = i * 2654435761u;
		for (i = 0; i < size / 4; i++)
			if (!expect(m2[i] == (__u32)(i * 2654435761u),
				    "second mapping differs at word %zu", i))
				break;
		munmap(m1, size);
		m1 = agx_gem_mmap(a.fd, h, size);
		for (i = 0; m1 && i < size / 4; i++)
			if (!expect(m1[i] == (__u32)(i * 2654435761u),
				    "contents lost across munmap at word %zu", i))
				break;
	}
	if (m1)
		munmap(m1, size);
	if (m2)
		munmap(m2, size);
	expect_ok(agx_gem_close(a.fd, h), "GEM_CLOSE");
out:
	agx_teardown(&a);
}

static void gem_mmap_offset_bad_input(void)
{
	struct drm_agx_gem_mmap_offset m = { .handle = 0xdead };
	__u32 h = 0;
	struct agx a;

	if (!agx_setup(&a))
		return;
	expect_err(agx_ioctl(a.fd, DRM_IOCTL_AGX_GEM_MMAP_OFFSET, &m), ENOENT,
		   "MMAP_OFFSET bad handle");
	if (expect_ok(agx_gem_create(a.fd, 4096, &h), "GEM_CREATE")) {
		m.handle = h;
		m.flags = 1;
		expect_err(agx_ioctl(a.fd, DRM_IOCTL_AGX_GEM_MMAP_OFFSET, &m), EINVAL,
			   "MMAP_OFFSET flags 1");
		expect_ok(agx_gem_close(a.fd, h), "GEM_CLOSE");
	}
	agx_teardown(&a);
}

static void vm_create_destroy(void)
{
	__u32 vm1 = 0, vm2 = 0;
	struct agx a;

	if (!agx_setup(&a))
		return;
	if (expect_ok(agx_vm_create(a.fd, &vm1), "VM_CREATE") &&
	    expect_ok(agx_vm_create(a.fd, &vm2), "VM_CREATE")) {
		expect(vm1 != vm2 && vm1 != a.vm && vm2 != a.vm, "VM ids %u %u %u",
		       a.vm, vm1, vm2);
		expect_ok(agx_vm_destroy(a.fd, vm1), "VM_DESTROY");
		expect_ok(agx_vm_destroy(a.fd, vm2), "VM_DESTROY");
	}
	agx_teardown(&a);
}

static void vm_bad_input(void)
{
	struct drm_agx_vm_create c = { .flags = 1 };
	struct drm_agx_vm_destroy d = { 0 };
	__u32 vm = 0;
	struct agx a;

	if (!agx_setup(&a))
		return;
	expect_err(agx_ioctl(a.fd, DRM_IOCTL_AGX_VM_CREATE, &c), EINVAL, "VM_CREATE flags 1");
	expect_err(agx_vm_destroy(a.fd, 0xdead), ENOENT, "VM_DESTROY bad id");
	if (expect_ok(agx_vm_create(a.fd, &vm), "VM_CREATE")) {
		d.vm_id = vm;
		d.pad = 1;
		expect_err(agx_ioctl(a.fd, DRM_IOCTL_AGX_VM_DESTROY, &d), EINVAL,
			   "VM_DESTROY pad 1");
		expect_ok(agx_vm_destroy(a.fd, vm), "VM_DESTROY");
		expect_err(agx_vm_destroy(a.fd, vm), ENOENT, "VM_DESTROY twice");
	}
	agx_teardown(&a);
}

static void vm_bind_map_unmap(void)
{
	__u64 page, va;
	__u32 h = 0;
	struct agx a;

	if (!agx_setup(&a))
		return;
	page = a.p.page_size;
	va = agx_va(&a, 4 * page);
	if (!expect_ok(agx_gem_create(a.fd, 4 * page, &h), "GEM_CREATE"))
		goto out;
	expect_ok(agx_bind(a.fd, a.vm, MAP, RW, h, 0, va, 4 * page), "map");
	expect_ok(agx_bind(a.fd, a.vm, UNMAP, 0, 0, 0, va, 4 * page), "unmap");
	/* The range is free again; a read-only map of part of the BO. */
	expect_ok(agx_bind(a.fd, a.vm, MAP, DRM_AGX_BIND_READ, h, page, va, 2 * page),
		  "map again");
	expect_ok(agx_bind(a.fd, a.vm, UNMAP, 0, 0, 0, va, 2 * page), "unmap again");
	/* The last page of the VA range. */
	va = a.p.va_end - page;
	expect_ok(agx_bind(a.fd, a.vm, MAP, RW, h, 0, va, page), "map at va_end - page");
	expect_ok(agx_bind(a.fd, a.vm, UNMAP, 0, 0, 0, va, page), "unmap at va_end - page");
	expect_ok(agx_gem_close(a.fd, h), "GEM_CLOSE");
out:
	agx_teardown(&a);
}

static void vm_bind_unaligned(void)
{
	__u64 page, va;
	__u32 h = 0;
	struct agx a;

	if (!agx_setup(&a))
		return;
	page = a.p.page_size;
	va = agx_va(&a, 4 * page);
	if (!expect_ok(agx_gem_create(a.fd, 4 * page, &h), "GEM_CREATE"))
		goto out;
	expect_err(agx_bind(a.fd, a.vm, MAP, RW, h, 0, va + 4, page), EINVAL, "unaligned va");
	expect_err(agx_bind(a.fd, a.vm, MAP, RW, h, 0, va, page + 4), EINVAL, "unaligned size");
	expect_err(agx_bind(a.fd, a.vm, MAP, RW, h, 4, va, page), EINVAL,
		   "unaligned bo_offset");
	expect_err(agx_bind(a.fd, a.vm, MAP, RW, h, 0, va, 0), EINVAL, "size 0");
	expect_ok(agx_bind(a.fd, a.vm, MAP, RW, h, 0, va, 2 * page), "map");
	expect_err(agx_bind(a.fd, a.vm, UNMAP, 0, 0, 0, va + 4, page), EINVAL,
		   "unmap unaligned va");
	expect_ok(agx_bind(a.fd, a.vm, UNMAP, 0, 0, 0, va, 2 * page), "unmap");
	expect_ok(agx_gem_close(a.fd, h), "GEM_CLOSE");
out:
	agx_teardown(&a);
}

static void vm_bind_out_of_range(void)
{
	__u64 page, va;
	__u32 h = 0;
	struct agx a;

	if (!agx_setup(&a))
		return;
	page = a.p.page_size;
	va = agx_va(&a, 4 * page);
	if (!expect_ok(agx_gem_create(a.fd, 2 * page, &h), "GEM_CREATE"))
		goto out;
	if (a.p.va_start >= page)
		expect_err2(agx_bind(a.fd, a.vm, MAP, RW, h, 0, a.p.va_start - page, page),
			    EINVAL, ERANGE, "map below va_start");
	expect_err2(agx_bind(a.fd, a.vm, MAP, RW, h, 0, a.p.va_end - page, 2 * page),
		    EINVAL, ERANGE, "map across va_end");
	expect_err2(agx_bind(a.fd, a.vm, MAP, RW, h, 0, a.p.va_end, page),
		    EINVAL, ERANGE, "map at va_end");
	expect_err2(agx_bind(a.fd, a.vm, MAP, RW, h, 0, -page, 2 * page),
		    EINVAL, ERANGE, "map wrapping around 2^64");
	expect_err2(agx_bind(a.fd, a.vm, MAP, RW, h, page, va, 2 * page),
		    EINVAL, ERANGE, "map past the end of the BO");
	expect_err2(agx_bind(a.fd, a.vm, MAP, RW, h, 2 * page, va, page),
		    EINVAL, ERANGE, "bo_offset at the end of the BO");
	expect_ok(agx_gem_close(a.fd, h), "GEM_CLOSE");
out:
	agx_teardown(&a);
}

static void vm_bind_overlap(void)
{
	__u64 page, va;
	__u32 h = 0;
	struct agx a;

	if (!agx_setup(&a))
		return;
	page = a.p.page_size;
	va = agx_va(&a, 8 * page);
	if (!expect_ok(agx_gem_create(a.fd, 8 * page, &h), "GEM_CREATE"))
		goto out;
	if (expect_ok(agx_bind(a.fd, a.vm, MAP, RW, h, 0, va + 2 * page, 2 * page), "map")) {
		expect_err(agx_bind(a.fd, a.vm, MAP, RW, h, 0, va + 2 * page, 2 * page),
			   EEXIST, "same range");
		expect_err(agx_bind(a.fd, a.vm, MAP, RW, h, 0, va + page, 2 * page),
			   EEXIST, "overlapping the start");
		expect_err(agx_bind(a.fd, a.vm, MAP, RW, h, 0, va + 3 * page, 2 * page),
			   EEXIST, "overlapping the end");
		expect_err(agx_bind(a.fd, a.vm, MAP, RW, h, 0, va, 6 * page),
			   EEXIST, "covering it");
		expect_ok(agx_bind(a.fd, a.vm, MAP, RW, h, 0, va + 4 * page, page), "adjacent");
		expect_ok(agx_bind(a.fd, a.vm, MAP, RW, h, 0, va + page, page), "adjacent below");
		expect_ok(agx_bind(a.fd, a.vm, UNMAP, 0, 0, 0, va + page, page), "unmap");
		expect_ok(agx_bind(a.fd, a.vm, UNMAP, 0, 0, 0, va + 4 * page, page), "unmap");
		expect_ok(agx_bind(a.fd, a.vm, UNMAP, 0, 0, 0, va + 2 * page, 2 * page), "unmap");
	}
	expect_ok(agx_gem_close(a.fd, h), "GEM_CLOSE");
out:
	agx_teardown(&a);
}

static void vm_bind_bad_ids(void)
{
	__u64 va;
	__u32 h = 0;
	struct agx a;

	if (!agx_setup(&a))
		return;
	va = agx_va(&a, a.p.page_size);
	expect_err(agx_bind(a.fd, a.vm, MAP, RW, 0xdead, 0, va, a.p.page_size), ENOENT,
		   "map bad handle");
	if (expect_ok(agx_gem_create(a.fd, a.p.page_size, &h), "GEM_CREATE")) {
		expect_err(agx_bind(a.fd, 0xdead, MAP, RW, h, 0, va, a.p.page_size), ENOENT,
			   "map bad vm");
		expect_ok(agx_gem_close(a.fd, h), "GEM_CLOSE");
		expect_err(agx_bind(a.fd, a.vm, MAP, RW, h, 0, va, a.p.page_size), ENOENT,
			   "map closed handle");
	}
	agx_teardown(&a);
}

static int bind_ops(int fd, __u32 vm, struct drm_agx_vm_bind_op *ops, __u32 *num_ops,
		    __u32 pad)
{
	struct drm_agx_vm_bind b = {
		.vm_id = vm,
		.num_ops = *num_ops,
		.ops = (uintptr_t)ops,
		.op_stride = sizeof(*ops),
		.pad = pad,
	};
	int err = agx_ioctl(fd, DRM_IOCTL_AGX_VM_BIND, &b);

	*num_ops = b.num_ops;
	return err;
}

static void vm_bind_bad_args(void)
{
	struct drm_agx_vm_bind_op op;
	__u64 page, va;
	__u32 h = 0, n;
	struct agx a;

	if (!agx_setup(&a))
		return;
	page = a.p.page_size;
	va = agx_va(&a, page);
	if (!expect_ok(agx_gem_create(a.fd, page, &h), "GEM_CREATE"))
		goto out;
	expect_err(agx_bind(a.fd, a.vm, 2, RW, h, 0, va, page), EINVAL, "op 2");
	expect_err(agx_bind(a.fd, a.vm, MAP, RW | 4, h, 0, va, page), EINVAL, "map flag 4");
	expect_err(agx_bind(a.fd, a.vm, MAP, 0x80000000 | RW, h, 0, va, page), EINVAL,
		   "map flag bit 31");
	expect_ok(agx_bind(a.fd, a.vm, MAP, RW, h, 0, va, page), "map");
	expect_err(agx_bind(a.fd, a.vm, UNMAP, DRM_AGX_BIND_READ, 0, 0, va, page), EINVAL,
		   "unmap with flags");
	expect_err(agx_bind(a.fd, a.vm, UNMAP, 0, h, 0, va, page), EINVAL,
		   "unmap with a handle");

	memset(&op, 0, sizeof(op));
	op.op = UNMAP;
	op.va = va;
	op.size = page;
	op.pad = 1;
	n = 1;
	expect_err(bind_ops(a.fd, a.vm, &op, &n, 0), EINVAL, "op pad 1");
	op.pad = 0;
	n = 1;
	expect_err(bind_ops(a.fd, a.vm, &op, &n, 1), EINVAL, "VM_BIND pad 1");
	n = 1;
	expect_ok(bind_ops(a.fd, a.vm, &op, &n, 0), "unmap");
	expect_ok(agx_gem_close(a.fd, h), "GEM_CLOSE");
out:
	agx_teardown(&a);
}

/* Ops run in order; a failure leaves the ones before it done. */
static void vm_bind_num_ops(void)
{
	struct drm_agx_vm_bind_op ops[4];
	__u64 page, va;
	__u32 h = 0, n;
	struct agx a;
	int i;

	if (!agx_setup(&a))
		return;
	page = a.p.page_size;
	va = agx_va(&a, 8 * page);
	if (!expect_ok(agx_gem_create(a.fd, 4 * page, &h), "GEM_CREATE"))
		goto out;
	memset(ops, 0, sizeof(ops));
	for (i = 0; i < 3; i++) {
		ops[i].op = MAP;
		ops[i].flags = RW;
		ops[i].handle = h;
		ops[i].va = va + 2 * i * page;
		ops[i].size = page;
	}
	ops[2].va = va;	/* overlaps ops[0] */
	n = 3;
	expect_err(bind_ops(a.fd, a.vm, ops, &n, 0), EEXIST, "third op overlapping");
	expect(n == 2, "num_ops %u after the third op failed, want 2", n);

	/* The first two stayed: unmapping them (one call, two ops) works. */
	for (i = 0; i < 2; i++) {
		ops[i].op = UNMAP;
		ops[i].flags = 0;
		ops[i].handle = 0;
	}
	n = 2;
	expect_ok(bind_ops(a.fd, a.vm, ops, &n, 0), "unmap both");
	expect(n == 2, "num_ops %u after 2 ops, want 2", n);

	/* A map and its unmap in one call. */
	ops[0].op = MAP;
	ops[0].flags = RW;
	ops[0].handle = h;
	ops[1] = ops[0];
	ops[1].op = UNMAP;
	ops[1].flags = 0;
	ops[1].handle = 0;
	n = 2;
	expect_ok(bind_ops(a.fd, a.vm, ops, &n, 0), "map and unmap");
	n = 1;
	expect_ok(bind_ops(a.fd, a.vm, ops, &n, 0), "map after map and unmap");
	n = 1;
	expect_ok(bind_ops(a.fd, a.vm, &ops[1], &n, 0), "unmap");
	expect_ok(agx_gem_close(a.fd, h), "GEM_CLOSE");
out:
	agx_teardown(&a);
}

/* A stride larger than the op: the bytes user space knows more of are zero. */
static void vm_bind_op_stride(void)
{
	struct {
		struct drm_agx_vm_bind_op op;
		__u64 newer;
	} ops[2];
	struct drm_agx_vm_bind b = { .num_ops = 2, .ops = (uintptr_t)ops,
				     .op_stride = sizeof(ops[0]) };
	__u64 page, va;
	__u32 h = 0;
	struct agx a;
	int i;

	if (!agx_setup(&a))
		return;
	page = a.p.page_size;
	va = agx_va(&a, 2 * page);
	if (!expect_ok(agx_gem_create(a.fd, 2 * page, &h), "GEM_CREATE"))
		goto out;
	memset(ops, 0, sizeof(ops));
	for (i = 0; i < 2; i++) {
		ops[i].op.op = MAP;
		ops[i].op.flags = RW;
		ops[i].op.handle = h;
		ops[i].op.bo_offset = i * page;
		ops[i].op.va = va + i * page;
		ops[i].op.size = page;
	}
	b.vm_id = a.vm;
	expect_ok(agx_ioctl(a.fd, DRM_IOCTL_AGX_VM_BIND, &b), "VM_BIND with a larger stride");
	expect(b.num_ops == 2, "num_ops %u, want 2", b.num_ops);
	expect_err(agx_bind(a.fd, a.vm, MAP, RW, h, 0, va + page, page), EEXIST,
		   "map over the second op's range");
	for (i = 0; i < 2; i++) {
		ops[i].op.op = UNMAP;
		ops[i].op.flags = 0;
		ops[i].op.handle = 0;
		ops[i].op.bo_offset = 0;
	}
	ops[0].newer = 1;
	b.num_ops = 2;
	expect_err2(agx_ioctl(a.fd, DRM_IOCTL_AGX_VM_BIND, &b), EINVAL, E2BIG,
		    "VM_BIND with unknown non-zero bytes");
	ops[0].newer = 0;
	b.num_ops = 2;
	expect_ok(agx_ioctl(a.fd, DRM_IOCTL_AGX_VM_BIND, &b), "unmap with a larger stride");
	expect_ok(agx_gem_close(a.fd, h), "GEM_CLOSE");
out:
	agx_teardown(&a);
}

static void queue_create_destroy(void)
{
	__u32 q[3] = { 0 }, prio;
	struct agx a;

	if (!agx_setup(&a))
		return;
	for (prio = DRM_AGX_PRIORITY_LOW; prio <= DRM_AGX_PRIORITY_HIGH; prio++)
		expect_ok(agx_queue_create(a.fd, a.vm, prio, &q[prio]), "QUEUE_CREATE");
	expect(q[0] != q[1] && q[1] != q[2] && q[0] != q[2] && q[0] != a.queue,
	       "queue ids %u %u %u %u", a.queue, q[0], q[1], q[2]);
	for (prio = DRM_AGX_PRIORITY_LOW; prio <= DRM_AGX_PRIORITY_HIGH; prio++)
		if (q[prio])
			expect_ok(agx_queue_destroy(a.fd, q[prio]), "QUEUE_DESTROY");
	agx_teardown(&a);
}

static void queue_bad_input(void)
{
	struct drm_agx_queue_create c = { 0 };
	struct drm_agx_queue_destroy d = { 0 };
	__u32 q = 0;
	struct agx a;

	if (!agx_setup(&a))
		return;
	expect_err(agx_queue_create(a.fd, 0xdead, DRM_AGX_PRIORITY_NORMAL, &q), ENOENT,
		   "QUEUE_CREATE bad vm");
	expect_err(agx_queue_create(a.fd, a.vm, DRM_AGX_PRIORITY_HIGH + 1, &q), EINVAL,
		   "QUEUE_CREATE priority 3");
	expect_err(agx_queue_create(a.fd, a.vm, ~0u, &q), EINVAL, "QUEUE_CREATE priority ~0");
	c.vm_id = a.vm;
	c.flags = 1;
	expect_err(agx_ioctl(a.fd, DRM_IOCTL_AGX_QUEUE_CREATE, &c), EINVAL,
		   "QUEUE_CREATE flags 1");
	expect_err(agx_queue_destroy(a.fd, 0xdead), ENOENT, "QUEUE_DESTROY bad id");
	d.queue_id = a.queue;
	d.pad = 1;
	expect_err(agx_ioctl(a.fd, DRM_IOCTL_AGX_QUEUE_DESTROY, &d), EINVAL,
		   "QUEUE_DESTROY pad 1");
	if (expect_ok(agx_queue_create(a.fd, a.vm, DRM_AGX_PRIORITY_LOW, &q), "QUEUE_CREATE")) {
		expect_ok(agx_queue_destroy(a.fd, q), "QUEUE_DESTROY");
		expect_err(agx_queue_destroy(a.fd, q), ENOENT, "QUEUE_DESTROY twice");
	}
	agx_teardown(&a);
}

/* A file has at most max_queues queues; destroying one makes room. */
static void queue_max(void)
{
	__u32 *q, extra = 0, n, i;
	struct agx a;

	if (!agx_setup(&a))
		return;
	n = a.p.max_queues - 1;	/* the fixture has one */
	q = calloc(n, sizeof(*q));
	if (!expect(q, "out of memory"))
		goto out;
	for (i = 0; i < n; i++)
		if (!expect_ok(agx_queue_create(a.fd, a.vm, DRM_AGX_PRIORITY_LOW, &q[i]),
			       "QUEUE_CREATE below max_queues"))
			break;
	if (i == n) {
		expect(agx_queue_create(a.fd, a.vm, DRM_AGX_PRIORITY_LOW, &extra) < 0,
		       "QUEUE_CREATE beyond max_queues (%u) succeeded", a.p.max_queues);
		if (extra)
			agx_queue_destroy(a.fd, extra);
		expect_ok(agx_queue_destroy(a.fd, q[0]), "QUEUE_DESTROY");
		expect_ok(agx_queue_create(a.fd, a.vm, DRM_AGX_PRIORITY_LOW, &q[0]),
			  "QUEUE_CREATE after a destroy");
	}
	for (i = 0; i < n; i++)
		if (q[i])
			expect_ok(agx_queue_destroy(a.fd, q[i]), "QUEUE_DESTROY");
	free(q);
out:
	agx_teardown(&a);
}

/* Ids and handles belong to the file that made them. */
static void file_isolation(void)
{
	struct drm_agx_gem_mmap_offset m = { 0 };
	__u32 h = 0, vm = 0, q = 0, q2 = 0;
	struct agx a, b;
	struct agx_job j;

	if (!agx_setup(&a))
		return;
	if (!agx_setup(&b))
		goto out_a;
	/* Objects that only a has: whether ids are per file or global, b has none. */
	if (!expect_ok(agx_gem_create(a.fd, 4096, &h), "GEM_CREATE") ||
	    !expect_ok(agx_vm_create(a.fd, &vm), "VM_CREATE") ||
	    !expect_ok(agx_queue_create(a.fd, vm, 0, &q), "QUEUE_CREATE"))
		goto out;
	m.handle = h;
	expect_err(agx_ioctl(b.fd, DRM_IOCTL_AGX_GEM_MMAP_OFFSET, &m), ENOENT,
		   "MMAP_OFFSET of another file's handle");
	expect_err(agx_bind(b.fd, b.vm, MAP, RW, h, 0, agx_va(&b, 4096), 4096), ENOENT,
		   "VM_BIND of another file's handle");
	expect_err(agx_queue_create(b.fd, vm, 0, &q2), ENOENT,
		   "QUEUE_CREATE on another file's VM");
	expect_err(agx_bind(b.fd, vm, UNMAP, 0, 0, 0, agx_va(&b, 4096), 4096), ENOENT,
		   "VM_BIND on another file's VM");
	job_init(&j);
	job_nop(&j);
	expect_err(job_submit(b.fd, q, &j), ENOENT, "SUBMIT to another file's queue");
	expect_err(agx_queue_destroy(b.fd, q), ENOENT, "QUEUE_DESTROY of another file's queue");
	expect_err(agx_vm_destroy(b.fd, vm), ENOENT, "VM_DESTROY of another file's VM");
out:
	if (q)
		expect_ok(agx_queue_destroy(a.fd, q), "QUEUE_DESTROY");
	if (vm)
		expect_ok(agx_vm_destroy(a.fd, vm), "VM_DESTROY");
	if (h)
		expect_ok(agx_gem_close(a.fd, h), "GEM_CLOSE");
	agx_teardown(&b);
out_a:
	agx_teardown(&a);
}

const struct uapi_case uapi_object_cases[] = {
	{ "params_values", params_values },
	{ "params_short_size", params_short_size },
	{ "params_bad_input", params_bad_input },
	{ "gem_create_close", gem_create_close },
	{ "gem_create_bad_input", gem_create_bad_input },
	{ "gem_create_rounds_up", gem_create_rounds_up },
	{ "gem_mmap_rw", gem_mmap_rw },
	{ "gem_mmap_offset_bad_input", gem_mmap_offset_bad_input },
	{ "vm_create_destroy", vm_create_destroy },
	{ "vm_bad_input", vm_bad_input },
	{ "vm_bind_map_unmap", vm_bind_map_unmap },
	{ "vm_bind_unaligned", vm_bind_unaligned },
	{ "vm_bind_out_of_range", vm_bind_out_of_range },
	{ "vm_bind_overlap", vm_bind_overlap },
	{ "vm_bind_bad_ids", vm_bind_bad_ids },
	{ "vm_bind_bad_args", vm_bind_bad_args },
	{ "vm_bind_num_ops", vm_bind_num_ops },
	{ "vm_bind_op_stride", vm_bind_op_stride },
	{ "queue_create_destroy", queue_create_destroy },
	{ "queue_bad_input", queue_bad_input },
	{ "queue_max", queue_max },
	{ "file_isolation", file_isolation },
	{ NULL, NULL },
};
