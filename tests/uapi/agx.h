/* SPDX-License-Identifier: MIT */
/*
 * Helpers of the AGX uapi suite: finding and opening the render node, the
 * ioctls as functions returning 0 or -errno, a fixture (file, VM, queue),
 * buffers bound into the fixture's VM, a command stream builder, and
 * syncobj waits and fence status.
 */
#ifndef AGX_UAPI_AGX_H
#define AGX_UAPI_AGX_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "gpucore_agx_drm.h"

/* The name the driver reports in DRM_IOCTL_VERSION. */
#define AGX_DRIVER_NAME		"gpucore-agx"

/* Bounded waits: what a case waits at most for work that must finish. */
#define AGX_WAIT_MS		5000

#define AGX_MAX_WORDS		1024
#define AGX_MAX_SYNCS		8

/*
 * find_node(): the path of the first node /dev/dri/@kind<N> (N from @first)
 * whose driver is @driver; kind is "renderD" (first 128) or "card" (0).
 */
int find_node(const char *kind, int first, const char *driver, char *path, size_t len);
int agx_open(void);
int agx_ioctl(int fd, unsigned long request, void *arg);

int agx_get_params(int fd, struct drm_agx_params *p);
int agx_gem_create(int fd, __u64 size, __u32 *handle);
int agx_gem_close(int fd, __u32 handle);
void *agx_gem_mmap(int fd, __u32 handle, size_t size);
int agx_vm_create(int fd, __u32 *vm);
int agx_vm_destroy(int fd, __u32 vm);
int agx_bind(int fd, __u32 vm, __u32 op, __u32 flags, __u32 handle,
	     __u64 bo_offset, __u64 va, __u64 size);
int agx_queue_create(int fd, __u32 vm, __u32 priority, __u32 *queue);
int agx_queue_destroy(int fd, __u32 queue);

/* A command stream and its syncs, built up and then submitted. */
struct agx_job {
	__u32 words[AGX_MAX_WORDS];
	unsigned int nr_words;
	unsigned int nr_cmds;
	struct drm_agx_sync in[AGX_MAX_SYNCS];
	struct drm_agx_sync out[AGX_MAX_SYNCS];
	unsigned int nr_in, nr_out;
	__u32 result_handle;
	__u64 result_offset;
};

void job_init(struct agx_job *j);
void job_word(struct agx_job *j, __u32 word);
void job_nop(struct agx_job *j);
void job_barrier(struct agx_job *j);
void job_fill(struct agx_job *j, __u64 va, __u32 bytes, __u32 value);
void job_copy(struct agx_job *j, __u64 dst, __u64 src, __u32 bytes);
void job_axpy(struct agx_job *j, __u64 dst, __u64 x, __u64 y, __u32 a, __u32 n);
void job_timestamp(struct agx_job *j, __u64 va);
void job_stall(struct agx_job *j, __u32 usecs);
void job_hang(struct agx_job *j);
/* job_wait_on(), job_signal(): point 0 is a binary syncobj. */
void job_wait_on(struct agx_job *j, __u32 syncobj, __u64 point);
void job_signal(struct agx_job *j, __u32 syncobj, __u64 point);
void job_result(struct agx_job *j, __u32 handle, __u64 offset);
int job_submit(int fd, __u32 queue, const struct agx_job *j);

/* A file with its parameters, one VM and one queue on it. */
struct agx {
	int fd;
	struct drm_agx_params p;
	__u32 vm;
	__u32 queue;
	__u64 next_va;
};

/* A BO, mapped for the CPU and bound read/write in the fixture's VM. */
struct agx_buf {
	__u32 handle;
	__u64 size;
	__u64 va;
	unsigned char *map;
};

bool agx_setup(struct agx *a);
void agx_teardown(struct agx *a);
/* agx_va(): reserve @size bytes of VA, followed by an unmapped guard page. */
__u64 agx_va(struct agx *a, __u64 size);
bool buf_new(struct agx *a, struct agx_buf *b, __u64 size);
void buf_free(struct agx *a, struct agx_buf *b);
__u32 *buf_u32(const struct agx_buf *b);

/* Syncobjs: 0 is never a handle, so a failed create returns 0. */
__u32 sync_new(int fd);
void sync_free(int fd, __u32 syncobj);
/* sync_wait(): 0 when signalled within @ms, -ETIME if not, -errno. */
int sync_wait(int fd, __u32 syncobj, __u64 point, unsigned int ms);
int sync_query(int fd, __u32 syncobj, __u64 *point);
/* sync_signal(): signal from the CPU; point 0 is a binary syncobj. */
int sync_signal(int fd, __u32 syncobj, __u64 point);
int sync_transfer(int fd, __u32 dst, __u64 dst_point, __u32 src, __u64 src_point);
int sync_export(int fd, __u32 syncobj, int *sync_file);
int sync_import(int fd, __u32 syncobj, int sync_file);
int prime_export(int fd, __u32 handle, int *dmabuf);
int prime_import(int fd, int dmabuf, __u32 *handle);
/* sync_status(): the fence's status through a sync_file: 1, 0 or -error. */
int sync_status(int fd, __u32 syncobj, int *status);
/* file_status(): the status of a sync_file: 1, 0 or -error. */
int file_status(int sync_file, int *status);
/* wait_file(): poll a sync_file for up to @ms; 0 once signalled. */
int wait_file(int sync_file, unsigned int ms);

/*
 * A fence that user space signals: from vgem (vgem.ko must be loaded),
 * imported into a syncobj. user_fence_free() signals it if need be.
 */
struct user_fence {
	int card;
	__u32 bo;
	__u32 fence;
	bool signalled;
};

bool user_fence_new(struct user_fence *uf, int fd, __u32 syncobj);
bool user_fence_signal(struct user_fence *uf);
void user_fence_free(struct user_fence *uf);

/* run_job(): submit @j with a binary out-sync and wait for it. */
int run_job(struct agx *a, struct agx_job *j, int *status);

const char *status_name(__u32 status);

#endif /* AGX_UAPI_AGX_H */
