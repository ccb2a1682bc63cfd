// SPDX-License-Identifier: MIT
/*
 * Helpers of the AGX uapi suite (see agx.h). Every helper returns 0 or
 * -errno and leaves the judging to the case, except agx_setup() and
 * buf_new(), which record a failure themselves.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/sync_file.h>
#include <xf86drm.h>

#include "agx.h"
#include "vgem.h"
#include "harness.h"

int find_node(const char *kind, int first, const char *driver, char *path, size_t len)
{
	drmVersionPtr v;
	bool match;
	int minor, fd;

	for (minor = first; minor < first + 64; minor++) {
		snprintf(path, len, "/dev/dri/%s%d", kind, minor);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		v = drmGetVersion(fd);
		match = v && !strcmp(v->name, driver);
		drmFreeVersion(v);
		close(fd);
		if (match)
			return 0;
	}
	return -ENOENT;
}

int agx_open(void)
{
	char path[64];
	int fd;

	if (find_node("renderD", 128, AGX_DRIVER_NAME, path, sizeof(path)))
		return -ENOENT;
	fd = open(path, O_RDWR | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int agx_ioctl(int fd, unsigned long request, void *arg)
{
	return drmIoctl(fd, request, arg) ? -errno : 0;
}

int agx_get_params(int fd, struct drm_agx_params *p)
{
	struct drm_agx_get_params gp = {
		.pointer = (uintptr_t)p,
		.size = sizeof(*p),
	};

	memset(p, 0, sizeof(*p));
	return agx_ioctl(fd, DRM_IOCTL_AGX_GET_PARAMS, &gp);
}

int agx_gem_create(int fd, __u64 size, __u32 *handle)
{
	struct drm_agx_gem_create c = { .size = size };
	int err = agx_ioctl(fd, DRM_IOCTL_AGX_GEM_CREATE, &c);

	*handle = err ? 0 : c.handle;
	return err;
}

int agx_gem_close(int fd, __u32 handle)
{
	struct drm_gem_close c = { .handle = handle };

	return agx_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &c);
}

void *agx_gem_mmap(int fd, __u32 handle, size_t size)
{
	struct drm_agx_gem_mmap_offset m = { .handle = handle };
	void *p;

	if (agx_ioctl(fd, DRM_IOCTL_AGX_GEM_MMAP_OFFSET, &m))
		return NULL;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, m.offset);
	return p == MAP_FAILED ? NULL : p;
}

int agx_vm_create(int fd, __u32 *vm)
{
	struct drm_agx_vm_create c = { 0 };
	int err = agx_ioctl(fd, DRM_IOCTL_AGX_VM_CREATE, &c);

	*vm = err ? 0 : c.vm_id;
	return err;
}

int agx_vm_destroy(int fd, __u32 vm)
{
	struct drm_agx_vm_destroy d = { .vm_id = vm };

	return agx_ioctl(fd, DRM_IOCTL_AGX_VM_DESTROY, &d);
}

int agx_bind(int fd, __u32 vm, __u32 op, __u32 flags, __u32 handle,
	     __u64 bo_offset, __u64 va, __u64 size)
{
	struct drm_agx_vm_bind_op o = {
		.op = op,
		.flags = flags,
		.handle = handle,
		.bo_offset = bo_offset,
		.va = va,
		.size = size,
	};
	struct drm_agx_vm_bind b = {
		.vm_id = vm,
		.num_ops = 1,
		.ops = (uintptr_t)&o,
		.op_stride = sizeof(o),
	};

	return agx_ioctl(fd, DRM_IOCTL_AGX_VM_BIND, &b);
}

int agx_queue_create(int fd, __u32 vm, __u32 priority, __u32 *queue)
{
	struct drm_agx_queue_create c = { .vm_id = vm, .priority = priority };
	int err = agx_ioctl(fd, DRM_IOCTL_AGX_QUEUE_CREATE, &c);

	*queue = err ? 0 : c.queue_id;
	return err;
}

int agx_queue_destroy(int fd, __u32 queue)
{
	struct drm_agx_queue_destroy d = { .queue_id = queue };

	return agx_ioctl(fd, DRM_IOCTL_AGX_QUEUE_DESTROY, &d);
}

/* -- command streams ------------------------------------------------------ */

void job_init(struct agx_job *j)
{
	memset(j, 0, sizeof(*j));
}

void job_word(struct agx_job *j, __u32 word)
{
	if (j->nr_words < AGX_MAX_WORDS)
		j->words[j->nr_words++] = word;
}

static void job_cmd(struct agx_job *j, __u32 op, unsigned int nr_args)
{
	job_word(j, DRM_AGX_CMD(op, nr_args));
	j->nr_cmds++;
}

static void job_u64(struct agx_job *j, __u64 v)
{
	job_word(j, (__u32)v);
	job_word(j, (__u32)(v >> 32));
}

void job_nop(struct agx_job *j)
{
	job_cmd(j, DRM_AGX_OP_NOP, 0);
}

void job_barrier(struct agx_job *j)
{
	job_cmd(j, DRM_AGX_OP_BARRIER, 0);
}

void job_fill(struct agx_job *j, __u64 va, __u32 bytes, __u32 value)
{
	job_cmd(j, DRM_AGX_OP_FILL, 4);
	job_u64(j, va);
	job_word(j, bytes);
	job_word(j, value);
}

void job_copy(struct agx_job *j, __u64 dst, __u64 src, __u32 bytes)
{
	job_cmd(j, DRM_AGX_OP_COPY, 5);
	job_u64(j, dst);
	job_u64(j, src);
	job_word(j, bytes);
}

void job_axpy(struct agx_job *j, __u64 dst, __u64 x, __u64 y, __u32 a, __u32 n)
{
	job_cmd(j, DRM_AGX_OP_AXPY, 8);
	job_u64(j, dst);
	job_u64(j, x);
	job_u64(j, y);
	job_word(j, a);
	job_word(j, n);
}

void job_timestamp(struct agx_job *j, __u64 va)
{
	job_cmd(j, DRM_AGX_OP_TIMESTAMP, 2);
	job_u64(j, va);
}

void job_stall(struct agx_job *j, __u32 usecs)
{
	job_cmd(j, DRM_AGX_OP_STALL, 1);
	job_word(j, usecs);
}

void job_hang(struct agx_job *j)
{
	job_cmd(j, DRM_AGX_OP_HANG, 0);
}

static struct drm_agx_sync agx_sync(__u32 syncobj, __u64 point)
{
	struct drm_agx_sync s = {
		.sync_type = point ? DRM_AGX_SYNC_TIMELINE : DRM_AGX_SYNC_BINARY,
		.handle = syncobj,
		.timeline_value = point,
	};

	return s;
}

void job_wait_on(struct agx_job *j, __u32 syncobj, __u64 point)
{
	if (j->nr_in < AGX_MAX_SYNCS)
		j->in[j->nr_in++] = agx_sync(syncobj, point);
}

void job_signal(struct agx_job *j, __u32 syncobj, __u64 point)
{
	if (j->nr_out < AGX_MAX_SYNCS)
		j->out[j->nr_out++] = agx_sync(syncobj, point);
}

void job_result(struct agx_job *j, __u32 handle, __u64 offset)
{
	j->result_handle = handle;
	j->result_offset = offset;
}

int job_submit(int fd, __u32 queue, const struct agx_job *j)
{
	struct drm_agx_submit s = {
		.queue_id = queue,
		.in_sync_count = j->nr_in,
		.out_sync_count = j->nr_out,
		.in_syncs = (uintptr_t)j->in,
		.out_syncs = (uintptr_t)j->out,
		.commands = (uintptr_t)j->words,
		.command_bytes = j->nr_words * 4,
		.result_handle = j->result_handle,
		.result_offset = j->result_offset,
		.sync_stride = sizeof(struct drm_agx_sync),
		.result_size = j->result_handle ? sizeof(struct drm_agx_result) : 0,
	};

	return agx_ioctl(fd, DRM_IOCTL_AGX_SUBMIT, &s);
}

/* -- fixture and buffers -------------------------------------------------- */

bool agx_setup(struct agx *a)
{
	int err;

	memset(a, 0, sizeof(*a));
	a->fd = agx_open();
	if (a->fd < 0) {
		expect(false, "no render node of driver \"%s\" (%s)", AGX_DRIVER_NAME,
		       strerror(-a->fd));
		return false;
	}
	err = agx_get_params(a->fd, &a->p);
	if (!expect_ok(err, "GET_PARAMS") ||
	    !expect(a->p.page_size >= 4096 && a->p.va_end > a->p.va_start,
		    "GET_PARAMS: unusable page size %u or VA range", a->p.page_size))
		goto fail;
	a->next_va = a->p.va_start + a->p.page_size;
	if (!expect_ok(agx_vm_create(a->fd, &a->vm), "VM_CREATE"))
		goto fail;
	if (!expect_ok(agx_queue_create(a->fd, a->vm, DRM_AGX_PRIORITY_NORMAL, &a->queue),
		       "QUEUE_CREATE"))
		goto fail;
	return true;
fail:
	agx_teardown(a);
	return false;
}

void agx_teardown(struct agx *a)
{
	if (a->fd < 0)
		return;
	if (a->queue)
		expect_ok(agx_queue_destroy(a->fd, a->queue), "QUEUE_DESTROY");
	if (a->vm)
		expect_ok(agx_vm_destroy(a->fd, a->vm), "VM_DESTROY");
	expect(close(a->fd) == 0, "close: %s", strerror(errno));
	a->fd = -1;
}

__u64 agx_va(struct agx *a, __u64 size)
{
	__u64 page = a->p.page_size, va = a->next_va;

	size = (size + page - 1) & ~(page - 1);
	a->next_va += size + page;
	return va;
}

bool buf_new(struct agx *a, struct agx_buf *b, __u64 size)
{
	__u64 page = a->p.page_size;

	memset(b, 0, sizeof(*b));
	b->size = (size + page - 1) & ~(page - 1);
	if (!expect_ok(agx_gem_create(a->fd, b->size, &b->handle), "GEM_CREATE"))
		return false;
	b->map = agx_gem_mmap(a->fd, b->handle, b->size);
	if (!expect(b->map, "mmap of a %llu byte BO: %s", (unsigned long long)b->size,
		    strerror(errno)))
		goto fail;
	b->va = agx_va(a, b->size);
	if (!expect_ok(agx_bind(a->fd, a->vm, DRM_AGX_BIND_OP_MAP,
				DRM_AGX_BIND_READ | DRM_AGX_BIND_WRITE, b->handle,
				0, b->va, b->size), "VM_BIND map"))
		goto fail;
	return true;
fail:
	if (b->map)
		munmap(b->map, b->size);
	agx_gem_close(a->fd, b->handle);
	memset(b, 0, sizeof(*b));
	return false;
}

void buf_free(struct agx *a, struct agx_buf *b)
{
	if (!b->handle)
		return;
	expect_ok(agx_bind(a->fd, a->vm, DRM_AGX_BIND_OP_UNMAP, 0, 0, 0, b->va, b->size),
		  "VM_BIND unmap");
	munmap(b->map, b->size);
	expect_ok(agx_gem_close(a->fd, b->handle), "GEM_CLOSE");
	memset(b, 0, sizeof(*b));
}

__u32 *buf_u32(const struct agx_buf *b)
{
	return (__u32 *)b->map;
}

/* -- syncobjs and fences -------------------------------------------------- */

__u32 sync_new(int fd)
{
	__u32 h = 0;
	int err = drmSyncobjCreate(fd, 0, &h) ? -errno : 0;

	return expect_ok(err, "SYNCOBJ_CREATE") ? h : 0;
}

void sync_free(int fd, __u32 syncobj)
{
	if (syncobj)
		expect_ok(drmSyncobjDestroy(fd, syncobj) ? -errno : 0, "SYNCOBJ_DESTROY");
}

static __s64 deadline_ns(unsigned int ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec + ms * 1000000LL;
}

int sync_wait(int fd, __u32 syncobj, __u64 point, unsigned int ms)
{
	__u32 flags = DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL | DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT;
	struct drm_syncobj_timeline_wait w = {
		.handles = (uintptr_t)&syncobj,
		.points = (uintptr_t)&point,
		.timeout_nsec = deadline_ns(ms),
		.count_handles = 1,
		.flags = flags,
	};

	/* libdrm's timeline calls take uint64_t; the ioctl is as simple. */
	if (point)
		return agx_ioctl(fd, DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT, &w);
	return drmSyncobjWait(fd, &syncobj, 1, deadline_ns(ms), flags, NULL) ? -errno : 0;
}

int sync_query(int fd, __u32 syncobj, __u64 *point)
{
	struct drm_syncobj_timeline_array q = {
		.handles = (uintptr_t)&syncobj,
		.points = (uintptr_t)point,
		.count_handles = 1,
	};

	*point = 0;
	return agx_ioctl(fd, DRM_IOCTL_SYNCOBJ_QUERY, &q);
}

int sync_signal(int fd, __u32 syncobj, __u64 point)
{
	struct drm_syncobj_timeline_array s = {
		.handles = (uintptr_t)&syncobj,
		.points = (uintptr_t)&point,
		.count_handles = 1,
	};

	if (point)
		return agx_ioctl(fd, DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL, &s);
	return drmSyncobjSignal(fd, &syncobj, 1) ? -errno : 0;
}

int sync_transfer(int fd, __u32 dst, __u64 dst_point, __u32 src, __u64 src_point)
{
	return drmSyncobjTransfer(fd, dst, dst_point, src, src_point, 0) ? -errno : 0;
}

int sync_export(int fd, __u32 syncobj, int *sync_file)
{
	*sync_file = -1;
	return drmSyncobjExportSyncFile(fd, syncobj, sync_file) ? -errno : 0;
}

int sync_import(int fd, __u32 syncobj, int sync_file)
{
	return drmSyncobjImportSyncFile(fd, syncobj, sync_file) ? -errno : 0;
}

int prime_export(int fd, __u32 handle, int *dmabuf)
{
	*dmabuf = -1;
	return drmPrimeHandleToFD(fd, handle, DRM_CLOEXEC | DRM_RDWR, dmabuf) ? -errno : 0;
}

int prime_import(int fd, int dmabuf, __u32 *handle)
{
	*handle = 0;
	return drmPrimeFDToHandle(fd, dmabuf, handle) ? -errno : 0;
}

int file_status(int sync_file, int *status)
{
	struct sync_file_info info;

	memset(&info, 0, sizeof(info));
	if (ioctl(sync_file, SYNC_IOC_FILE_INFO, &info))
		return -errno;
	*status = info.status;
	return 0;
}

int sync_status(int fd, __u32 syncobj, int *status)
{
	int sync_file, err;

	err = sync_export(fd, syncobj, &sync_file);
	if (err)
		return err;
	err = file_status(sync_file, status);
	close(sync_file);
	return err;
}

int wait_file(int sync_file, unsigned int ms)
{
	struct pollfd p = { .fd = sync_file, .events = POLLIN };
	int ret = poll(&p, 1, ms);

	if (ret < 0)
		return -errno;
	return ret ? 0 : -ETIME;
}

/* -- time ------------------------------------------------------------------ */

/* The clocks of harness.h, here so that every program using agx.c has them. */
double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* -- fences that user space signals ---------------------------------------- */

/*
 * A fence that user space signals when it wants: vgem attaches one to a
 * BO (DRM_IOCTL_VGEM_FENCE_ATTACH) and signals it on request; the BO's
 * dma-buf hands it out as a sync_file, which a syncobj imports.
 */
static int vgem_open(void)
{
	char path[32];
	int fd;

	if (find_node("card", 0, "vgem", path, sizeof(path)))
		return -ENOENT;
	fd = open(path, O_RDWR | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

bool user_fence_signal(struct user_fence *uf)
{
	struct vgem_fence_signal s = { .fence = uf->fence };

	uf->signalled = true;
	return expect_ok(agx_ioctl(uf->card, VGEM_IOCTL_FENCE_SIGNAL, &s), "VGEM_FENCE_SIGNAL");
}

/* user_fence_new(): an unsignalled fence, imported into @syncobj of @fd. */
bool user_fence_new(struct user_fence *uf, int fd, __u32 syncobj)
{
	struct drm_mode_create_dumb dumb = { .width = 64, .height = 64, .bpp = 32 };
	struct dma_buf_export_sync_file ex = { .flags = DMA_BUF_SYNC_READ, .fd = -1 };
	struct vgem_fence_attach at = { .flags = VGEM_FENCE_WRITE };
	int dmabuf = -1, err;

	memset(uf, 0, sizeof(*uf));
	uf->card = vgem_open();
	if (!expect(uf->card >= 0, "no vgem device (is vgem.ko loaded?)"))
		return false;
	err = agx_ioctl(uf->card, DRM_IOCTL_MODE_CREATE_DUMB, &dumb);
	if (!expect_ok(err, "vgem CREATE_DUMB"))
		goto fail;
	uf->bo = dumb.handle;
	at.handle = uf->bo;
	err = agx_ioctl(uf->card, VGEM_IOCTL_FENCE_ATTACH, &at);
	if (!expect_ok(err, "VGEM_FENCE_ATTACH"))
		goto fail;
	uf->fence = at.out_fence;
	err = prime_export(uf->card, uf->bo, &dmabuf);
	if (!expect_ok(err, "vgem PRIME export"))
		goto fail_signal;
	err = ioctl(dmabuf, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &ex) ? -errno : 0;
	close(dmabuf);
	if (!expect_ok(err, "DMA_BUF_IOCTL_EXPORT_SYNC_FILE"))
		goto fail_signal;
	err = sync_import(fd, syncobj, ex.fd);
	close(ex.fd);
	if (!expect_ok(err, "SYNCOBJ import of the user fence"))
		goto fail_signal;
	return true;
fail_signal:
	user_fence_signal(uf);
fail:
	close(uf->card);
	uf->card = -1;
	return false;
}

void user_fence_free(struct user_fence *uf)
{
	if (uf->card < 0)
		return;
	if (!uf->signalled)
		user_fence_signal(uf);
	agx_gem_close(uf->card, uf->bo);
	close(uf->card);
	uf->card = -1;
}

int run_job(struct agx *a, struct agx_job *j, int *status)
{
	unsigned int nr_out = j->nr_out;
	__u32 done = sync_new(a->fd);
	int err;

	*status = 0;
	if (!done)
		return -ENOMEM;
	job_signal(j, done, 0);
	err = job_submit(a->fd, a->queue, j);
	j->nr_out = nr_out;
	if (!err)
		err = sync_wait(a->fd, done, 0, AGX_WAIT_MS);
	if (!err)
		err = sync_status(a->fd, done, status);
	sync_free(a->fd, done);
	return err;
}

const char *status_name(__u32 status)
{
	static const char *const names[] = {
		"PENDING", "COMPLETE", "FAULT", "TIMEOUT", "CANCELLED", "ILLEGAL",
	};

	return status < ARRAY_SIZE(names) ? names[status] : "unknown";
}
