// SPDX-License-Identifier: MIT
/*
 * Cases of the AGX uapi suite: work that cannot finish normally. A hung
 * job, a queue destroyed, a file closed, a VM destroyed and a BO closed with
 * work in flight, and the device unbound under an open file. Every one must
 * end with every fence signalled, the right errors, and a device that still
 * works.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "agx.h"
#include "harness.h"

#define MARKER	0x57a27ed0

static bool words(const __u32 *w, size_t from, size_t to, __u32 v, const char *what)
{
	size_t i;

	for (i = from; i < to; i++)
		if (w[i] != v)
			return expect(false, "%s: word %zu is %#x, want %#x", what, i, w[i], v);
	return true;
}

/* wait_marker(): wait until the GPU wrote MARKER to @word, the job started. */
static bool wait_marker(__u32 *word)
{
	double end = now_s() + AGX_WAIT_MS / 1000.0;

	while (__atomic_load_n(word, __ATOMIC_ACQUIRE) != MARKER) {
		if (now_s() > end)
			return expect(false, "the job did not start within %d ms", AGX_WAIT_MS);
		sleep_ms(1);
	}
	return true;
}

/* done(): wait for @syncobj and check its fence status is @want. */
static bool done(int fd, __u32 syncobj, int want, const char *what)
{
	int status = 0;

	if (!expect_ok(sync_wait(fd, syncobj, 0, AGX_WAIT_MS), what) ||
	    !expect_ok(sync_status(fd, syncobj, &status), what))
		return false;
	return expect(status == want, "%s: fence status %d, want %d", what, status, want);
}

/* signalled_now(): the binary syncobj's fence is signalled. */
static bool signalled_now(int fd, __u32 syncobj)
{
	return sync_wait(fd, syncobj, 0, 0) == 0;
}

static bool works(struct agx *a, __u32 queue, const char *what)
{
	struct agx_buf b;
	struct agx_job j;
	__u32 saved = a->queue;
	int status = 0;
	bool ok = false;

	if (!buf_new(a, &b, 4096))
		return false;
	job_init(&j);
	job_fill(&j, b.va, 4096, 0x1234);
	a->queue = queue;
	if (expect_ok(run_job(a, &j, &status), what))
		ok = expect(status == 1, "%s: fence status %d", what, status) &&
		     words(buf_u32(&b), 0, 1024, 0x1234, what);
	a->queue = saved;
	buf_free(a, &b);
	return ok;
}

/* job_timeout_ms(): the driver's job timeout, from its module parameter. */
static bool job_timeout_ms(unsigned int *ms)
{
	FILE *f = fopen("/sys/module/gpucore_agx/parameters/timeout_ms", "re");
	bool ok = f && fscanf(f, "%u", ms) == 1;

	if (f)
		fclose(f);
	return expect(ok && *ms, "cannot read gpucore_agx.timeout_ms");
}

/* mono_ns(): CLOCK_MONOTONIC now, the clock of the result timestamps. */
static __u64 mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/*
 * stopped_record(): the record at @m of a job the stop took off the GPU,
 * read as user space must (status with acquire, then the rest): @status,
 * no command index or fault, stopped between @t0 and @t1. Every byte was
 * 0xee before, so a field left unwritten shows.
 */
static void stopped_record(const unsigned char *m, __u32 status, __u64 t0, __u64 t1,
			   const char *what)
{
	struct drm_agx_result r;

	r.status = __atomic_load_n((const __u32 *)m, __ATOMIC_ACQUIRE);
	memcpy((char *)&r + sizeof(r.status), m + sizeof(r.status), sizeof(r) - sizeof(r.status));
	expect(r.status == status, "%s: status %s (%#x), want %s", what, status_name(r.status),
	       r.status, status_name(status));
	expect(r.command_index == 0, "%s: command_index %#x, want 0", what, r.command_index);
	expect(r.fault_va == 0, "%s: fault_va %#llx, want 0", what,
	       (unsigned long long)r.fault_va);
	expect(r.timestamp >= t0 && r.timestamp <= t1,
	       "%s: timestamp %llu outside [%llu, %llu] (CLOCK_MONOTONIC ns)", what,
	       (unsigned long long)r.timestamp, (unsigned long long)t0,
	       (unsigned long long)t1);
}

/*
 * HANG never completes: after the driver's timeout (not before, and not
 * much later) the job fails with -ETIMEDOUT and its record says TIMEOUT;
 * the job behind it on the GPU is cancelled (-ECANCELED, CANCELLED), both
 * records written whole; the queue refuses new work with -EIO, and a new
 * queue works.
 */
static void hang_timeout(void)
{
	__u32 s1 = 0, s2 = 0, q2 = 0;
	struct agx_buf b, res, res2;
	unsigned int limit_ms = 0;
	struct agx_job j;
	struct agx a;
	__u64 t0, t1, early;

	if (!job_timeout_ms(&limit_ms) || !agx_setup(&a))
		return;
	s1 = sync_new(a.fd);
	s2 = sync_new(a.fd);
	if (!s1 || !s2 || !buf_new(&a, &b, 4096))
		goto out;
	if (!buf_new(&a, &res, 4096))
		goto out_b;
	/*
	 * A result BO of its own for the second job: a job waits for the
	 * earlier writers of its result BO, and this one must reach the GPU
	 * behind the hung job to be cancelled there.
	 */
	if (!buf_new(&a, &res2, 4096))
		goto out_res;
	memset(res.map, 0xee, res.size);
	memset(res2.map, 0xee, res2.size);
	job_init(&j);
	job_fill(&j, b.va, 4, 1);
	job_hang(&j);
	job_fill(&j, b.va + 4, 4, 1);
	job_result(&j, res.handle, 0);
	job_signal(&j, s1, 0);
	t0 = mono_ns();
	if (!expect_ok(job_submit(a.fd, a.queue, &j), "SUBMIT of HANG"))
		goto out_res2;
	job_init(&j);
	job_fill(&j, b.va + 64, 4, 2);
	job_result(&j, res2.handle, 64);
	job_signal(&j, s2, 0);
	if (!expect_ok(job_submit(a.fd, a.queue, &j), "SUBMIT behind HANG"))
		goto out_res2;
	if (!done(a.fd, s1, -ETIMEDOUT, "hung job"))
		goto out_res2;
	t1 = mono_ns();
	info("hang reported after %.3f s, timeout %u ms", (t1 - t0) / 1e9, limit_ms);
	/*
	 * The timeout runs from when the job started, after t0; its timer may
	 * fire up to a tick early, and 10 ms is a tick at HZ >= 100.
	 */
	early = t0 + (limit_ms > 10 ? limit_ms - 10 : 0) * 1000000ull;
	expect(t1 >= early,
	       "the hung job failed after %.3f s, before the %u ms timeout", (t1 - t0) / 1e9,
	       limit_ms);
	expect(t1 - t0 < (limit_ms + 2000) * 1000000ull,
	       "the hung job failed after %.3f s, over 2 s past the %u ms timeout",
	       (t1 - t0) / 1e9, limit_ms);
	done(a.fd, s2, -ECANCELED, "job behind the hung one");
	stopped_record(res.map, DRM_AGX_STATUS_TIMEOUT, early, t1, "hung job's record");
	stopped_record(res2.map + 64, DRM_AGX_STATUS_CANCELLED, early, mono_ns(),
		       "cancelled job's record");
	words(buf_u32(&b), 0, 1, 1, "FILL before HANG");
	words(buf_u32(&b), 1, 2, 0, "FILL after HANG");
	words(buf_u32(&b), 16, 17, 0, "FILL of the cancelled job");

	job_init(&j);
	job_nop(&j);
	expect_err(job_submit(a.fd, a.queue, &j), EIO, "SUBMIT to the hung queue");
	if (expect_ok(agx_queue_create(a.fd, a.vm, DRM_AGX_PRIORITY_NORMAL, &q2),
		      "QUEUE_CREATE after the hang"))
		works(&a, q2, "FILL on a new queue");
out_res2:
	buf_free(&a, &res2);
out_res:
	buf_free(&a, &res);
out_b:
	buf_free(&a, &b);
out:
	if (q2)
		expect_ok(agx_queue_destroy(a.fd, q2), "QUEUE_DESTROY");
	sync_free(a.fd, s2);
	sync_free(a.fd, s1);
	agx_teardown(&a);
}

/*
 * QUEUE_DESTROY with one job running and two queued (behind a fence that
 * user space holds): it returns at once, the running job completes, the
 * queued ones are cancelled without running once the fence signals.
 */
static void queue_destroy_inflight(void)
{
	__u32 q2 = 0, destroyed, gate = 0, s[3] = { 0 };
	struct user_fence uf = { .card = -1 };
	struct agx_buf b;
	struct agx_job j;
	struct agx a;
	double t0;
	int i;

	if (!agx_setup(&a))
		return;
	gate = sync_new(a.fd);
	for (i = 0; i < 3; i++)
		s[i] = sync_new(a.fd);
	if (!gate || !s[2] || !user_fence_new(&uf, a.fd, gate) ||
	    !expect_ok(agx_queue_create(a.fd, a.vm, DRM_AGX_PRIORITY_NORMAL, &q2), "QUEUE_CREATE"))
		goto out;
	if (!buf_new(&a, &b, 4096))
		goto out;
	job_init(&j);
	job_fill(&j, b.va, 4, MARKER);
	job_stall(&j, 200000);
	job_fill(&j, b.va + 4, 4, 1);
	job_signal(&j, s[0], 0);
	if (!expect_ok(job_submit(a.fd, q2, &j), "SUBMIT running job"))
		goto out_b;
	for (i = 1; i < 3; i++) {
		job_init(&j);
		if (i == 1)
			job_wait_on(&j, gate, 0);
		job_fill(&j, b.va + 64 * i, 4, 2);
		job_signal(&j, s[i], 0);
		if (!expect_ok(job_submit(a.fd, q2, &j), "SUBMIT queued job"))
			goto out_b;
	}
	if (!wait_marker(buf_u32(&b)))
		goto out_b;
	t0 = now_s();
	if (!expect_ok(agx_queue_destroy(a.fd, q2), "QUEUE_DESTROY with work in flight"))
		goto out_b;
	destroyed = q2;
	q2 = 0;
	info("QUEUE_DESTROY returned after %.3f s", now_s() - t0);
	expect(!signalled_now(a.fd, s[0]), "QUEUE_DESTROY waited for the running job");
	done(a.fd, s[0], 1, "running job");
	words(buf_u32(&b), 1, 2, 1, "running job's last FILL");
	expect(!signalled_now(a.fd, s[1]), "queued job done before its in-sync signalled");
	user_fence_signal(&uf);
	done(a.fd, s[1], -ECANCELED, "queued job waiting on the user fence");
	done(a.fd, s[2], -ECANCELED, "queued job behind it");
	words(buf_u32(&b), 16, 17, 0, "cancelled job's FILL");
	words(buf_u32(&b), 32, 33, 0, "cancelled job's FILL");
	job_init(&j);
	job_nop(&j);
	expect_err(job_submit(a.fd, destroyed, &j), ENOENT, "SUBMIT to the destroyed queue");
	works(&a, a.queue, "FILL on the other queue");
out_b:
	user_fence_free(&uf);
	for (i = 0; i < 3; i++)
		sync_wait(a.fd, s[i], 0, AGX_WAIT_MS);
	buf_free(&a, &b);
out:
	user_fence_free(&uf);
	if (q2)
		agx_queue_destroy(a.fd, q2);
	for (i = 0; i < 3; i++)
		sync_free(a.fd, s[i]);
	sync_free(a.fd, gate);
	agx_teardown(&a);
}

/*
 * take_fds(): copy file descriptors out of a live child with pidfd_getfd(),
 * so that the test needs no unix sockets (the debug kernel has no
 * networking).
 */
static int take_fds(pid_t pid, const int *child_fds, int *fds, int n)
{
	int pidfd, i, err = 0;

	pidfd = syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		return -errno;
	for (i = 0; i < n && !err; i++) {
		fds[i] = syscall(SYS_pidfd_getfd, pidfd, child_fds[i], 0);
		if (fds[i] < 0)
			err = -errno;
	}
	close(pidfd);
	return err;
}

/*
 * The child of close_inflight: submit a running and a queued job, hand their
 * out fences to the parent as sync_files, and exit without cleaning up.
 */
static void close_inflight_child(int to_parent, int from_parent)
{
	int fds[2] = { -1, -1 };
	__u32 s[2];
	struct agx_buf b;
	struct agx_job j;
	struct agx a;
	int i;

	if (!agx_setup(&a) || !buf_new(&a, &b, 4096))
		return;
	for (i = 0; i < 2; i++) {
		s[i] = sync_new(a.fd);
		job_init(&j);
		if (i == 0) {
			job_fill(&j, b.va, 4, MARKER);
			job_stall(&j, 200000);
		}
		job_fill(&j, b.va + 4 + 4 * i, 4, 1);
		job_signal(&j, s[i], 0);
		if (!s[i] || !expect_ok(job_submit(a.fd, a.queue, &j), "child: SUBMIT") ||
		    !expect_ok(sync_export(a.fd, s[i], &fds[i]), "child: export sync_file"))
			return;
	}
	if (!wait_marker(buf_u32(&b)))
		return;
	/* Tell the parent which fds to take, and wait until it has them. */
	if (!expect(write(to_parent, fds, sizeof(fds)) == sizeof(fds), "child: write the fds"))
		return;
	expect(read(from_parent, fds, 1) == 0, "child: the parent did not just close the pipe");
	/* _exit() closes the DRM file with both jobs in flight. */
}

static void close_inflight(void)
{
	int up[2] = { -1, -1 }, down[2] = { -1, -1 }, fds[2] = { -1, -1 }, child_fds[2];
	int status = 0, i;
	struct agx a;
	pid_t pid;

	if (!expect(!pipe2(up, O_CLOEXEC) && !pipe2(down, O_CLOEXEC), "pipe2: %s",
		    strerror(errno)))
		goto out;
	pid = fork();
	if (!expect(pid >= 0, "fork: %s", strerror(errno)))
		goto out;
	if (!pid) {
		close(up[0]);
		close(down[1]);
		close_inflight_child(up[1], down[0]);
		_exit(0);
	}
	close(up[1]);
	up[1] = -1;
	close(down[0]);
	down[0] = -1;
	if (!expect(read(up[0], child_fds, sizeof(child_fds)) == sizeof(child_fds),
		    "read the child's fds") ||
	    !expect_ok(take_fds(pid, child_fds, fds, 2), "take the child's sync_files")) {
		close(down[1]);
		down[1] = -1;
		waitpid(pid, NULL, 0);
		goto out;
	}
	/* Closing the pipe lets the child exit. */
	close(down[1]);
	down[1] = -1;
	expect(waitpid(pid, &status, 0) == pid && WIFEXITED(status), "child did not exit");
	for (i = 0; i < 2; i++) {
		if (!expect_ok(wait_file(fds[i], AGX_WAIT_MS), "fence of a closed file") ||
		    !expect_ok(file_status(fds[i], &status), "SYNC_IOC_FILE_INFO"))
			continue;
		if (i == 0)
			expect(status == 1, "running job of a closed file: status %d", status);
		else
			expect(status == 1 || status == -ECANCELED,
			       "queued job of a closed file: status %d", status);
		info("job %d of the closed file: fence status %d", i, status);
	}
	if (agx_setup(&a)) {
		works(&a, a.queue, "FILL after a file closed with work in flight");
		agx_teardown(&a);
	}
out:
	for (i = 0; i < 2; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	for (i = 0; i < 2; i++) {
		if (up[i] >= 0)
			close(up[i]);
		if (down[i] >= 0)
			close(down[i]);
	}
}

/* VM_DESTROY while a job uses its mappings: the job still completes right. */
static void vm_destroy_inflight(void)
{
	struct agx_buf b, c;
	__u32 vm2 = 0, q2 = 0, s1 = 0;
	struct agx_job j;
	struct agx a, v;

	memset(&b, 0, sizeof(b));
	memset(&c, 0, sizeof(c));
	if (!agx_setup(&a))
		return;
	s1 = sync_new(a.fd);
	if (!s1 || !expect_ok(agx_vm_create(a.fd, &vm2), "VM_CREATE") ||
	    !expect_ok(agx_queue_create(a.fd, vm2, DRM_AGX_PRIORITY_NORMAL, &q2), "QUEUE_CREATE"))
		goto out;
	v = a;
	v.vm = vm2;
	if (!buf_new(&v, &b, 4096) || !buf_new(&v, &c, 64 * 1024))
		goto out;
	job_init(&j);
	job_fill(&j, b.va, 4, MARKER);
	job_stall(&j, 200000);
	job_fill(&j, c.va, 64 * 1024, 0xc0ffee);
	job_copy(&j, b.va + 64, c.va + 60 * 1024, 1024);
	job_signal(&j, s1, 0);
	if (!expect_ok(job_submit(a.fd, q2, &j), "SUBMIT") || !wait_marker(buf_u32(&b)))
		goto out;
	if (expect_ok(agx_vm_destroy(a.fd, vm2), "VM_DESTROY with work in flight"))
		vm2 = 0;
	if (done(a.fd, s1, 1, "job of the destroyed VM")) {
		words(buf_u32(&c), 0, 16 * 1024, 0xc0ffee, "FILL after VM_DESTROY");
		words(buf_u32(&b), 16, 16 + 256, 0xc0ffee, "COPY after VM_DESTROY");
	}
	expect_err(agx_vm_destroy(a.fd, v.vm), ENOENT, "VM_DESTROY twice");
out:
	sync_wait(a.fd, s1, 0, AGX_WAIT_MS);
	if (q2)
		expect_ok(agx_queue_destroy(a.fd, q2), "QUEUE_DESTROY");
	/* The VM and its mappings are gone: only the handles are left. */
	if (vm2) {
		buf_free(&v, &c);
		buf_free(&v, &b);
		agx_vm_destroy(a.fd, vm2);
	}
	if (b.handle) {
		munmap(b.map, b.size);
		expect_ok(agx_gem_close(a.fd, b.handle), "GEM_CLOSE");
	}
	if (c.handle) {
		munmap(c.map, c.size);
		expect_ok(agx_gem_close(a.fd, c.handle), "GEM_CLOSE");
	}
	sync_free(a.fd, s1);
	agx_teardown(&a);
}

/*
 * Unmap and close a BO, and munmap it, while a job writes it: the job holds
 * the BO, so it completes and its copy out of the BO is right; afterwards
 * the VA is unmapped.
 */
static void bo_close_inflight(void)
{
	struct agx_buf keep, gone, res;
	struct drm_agx_result r;
	__u32 s1 = 0, s2 = 0;
	struct agx_job j;
	struct agx a;
	__u64 va;
	int status;

	if (!agx_setup(&a))
		return;
	s1 = sync_new(a.fd);
	s2 = sync_new(a.fd);
	if (!s1 || !s2 || !buf_new(&a, &keep, 8192))
		goto out;
	if (!buf_new(&a, &res, 4096))
		goto out_keep;
	if (!buf_new(&a, &gone, 64 * 1024))
		goto out_res;
	va = gone.va;
	job_init(&j);
	job_fill(&j, keep.va, 4, MARKER);
	job_stall(&j, 200000);
	job_fill(&j, gone.va, 64 * 1024, 0x0dd0beef);
	job_copy(&j, keep.va + 4096, gone.va + 32 * 1024, 4096);
	job_signal(&j, s1, 0);
	if (!expect_ok(job_submit(a.fd, a.queue, &j), "SUBMIT") || !wait_marker(buf_u32(&keep))) {
		buf_free(&a, &gone);
		goto out_res;
	}
	buf_free(&a, &gone);	/* unmap, munmap, GEM_CLOSE */
	if (done(a.fd, s1, 1, "job whose BO was closed"))
		words(buf_u32(&keep), 1024, 2048, 0x0dd0beef, "copy out of the closed BO");

	job_init(&j);
	job_fill(&j, va, 4, 1);
	job_result(&j, res.handle, 0);
	job_signal(&j, s2, 0);
	if (expect_ok(job_submit(a.fd, a.queue, &j), "SUBMIT to the unmapped VA") &&
	    expect_ok(sync_wait(a.fd, s2, 0, AGX_WAIT_MS), "wait") &&
	    expect_ok(sync_status(a.fd, s2, &status), "status")) {
		memcpy(&r, res.map, sizeof(r));
		expect(status == -EFAULT && r.status == DRM_AGX_STATUS_FAULT,
		       "FILL of the closed BO's VA: fence %d, status %s", status,
		       status_name(r.status));
	}
out_res:
	buf_free(&a, &res);
out_keep:
	buf_free(&a, &keep);
out:
	sync_free(a.fd, s2);
	sync_free(a.fd, s1);
	agx_teardown(&a);
}

static bool write_sysfs(const char *dir, const char *file, const char *value)
{
	char path[PATH_MAX];
	ssize_t n = -1;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = write(fd, value, strlen(value));
		close(fd);
	}
	return expect(n == (ssize_t)strlen(value), "write %s to %s: %s", value, path,
		      strerror(errno));
}

/* sysfs_device(): the device of @fd's node and the directory of its driver. */
static bool sysfs_device(int fd, char *dev, char *driver_dir)
{
	char path[PATH_MAX], real[PATH_MAX];
	struct stat st;

	if (!expect(!fstat(fd, &st), "fstat: %s", strerror(errno)))
		return false;
	snprintf(path, sizeof(path), "/sys/dev/char/%u:%u/device", major(st.st_rdev),
		 minor(st.st_rdev));
	if (!expect(realpath(path, real), "%s: %s", path, strerror(errno)))
		return false;
	snprintf(dev, NAME_MAX + 1, "%s", basename(real));
	strcat(path, "/driver");
	if (!expect(realpath(path, driver_dir), "%s: %s", path, strerror(errno)))
		return false;
	info("device %s of driver %s", dev, driver_dir);
	return expect(!strncmp(driver_dir, "/sys/bus/platform/drivers/", 26),
		      "driver %s is not a platform driver", driver_dir);
}

/*
 * Unbind the device through sysfs under an open file with a job running:
 * the job's fence completes with -ENODEV, every ioctl of the file fails
 * with -ENODEV, closing it works; after a rebind a new open works.
 */
static void unplug_rebind(void)
{
	char dev[NAME_MAX + 1], driver_dir[PATH_MAX];
	struct drm_agx_params p;
	int sync_file = -1, status = 0;
	bool unbound = false;
	struct agx_buf b;
	struct agx_job j;
	struct agx a, n;
	__u32 s1, h;
	double t0;

	if (!agx_setup(&a))
		return;
	s1 = sync_new(a.fd);
	if (!s1 || !buf_new(&a, &b, 4096) || !sysfs_device(a.fd, dev, driver_dir))
		goto out;
	job_init(&j);
	job_fill(&j, b.va, 4, MARKER);
	job_stall(&j, 250000);
	job_fill(&j, b.va + 4, 4, 1);
	job_signal(&j, s1, 0);
	if (!expect_ok(job_submit(a.fd, a.queue, &j), "SUBMIT") ||
	    !expect_ok(sync_export(a.fd, s1, &sync_file), "export sync_file") ||
	    !wait_marker(buf_u32(&b)))
		goto out;

	t0 = now_s();
	unbound = write_sysfs(driver_dir, "unbind", dev);
	if (!unbound)
		goto out;
	info("unbind took %.3f s", now_s() - t0);
	if (expect_ok(wait_file(sync_file, AGX_WAIT_MS), "fence of the running job") &&
	    expect_ok(file_status(sync_file, &status), "SYNC_IOC_FILE_INFO"))
		expect(status == -ENODEV, "running job's fence status %d, want -ENODEV", status);
	expect_err(agx_get_params(a.fd, &p), ENODEV, "GET_PARAMS after unbind");
	expect_err(agx_gem_create(a.fd, 4096, &h), ENODEV, "GEM_CREATE after unbind");
	job_init(&j);
	job_nop(&j);
	expect_err(job_submit(a.fd, a.queue, &j), ENODEV, "SUBMIT after unbind");
	expect_err(agx_queue_destroy(a.fd, a.queue), ENODEV, "QUEUE_DESTROY after unbind");

	/* Everything goes with the file. */
	munmap(b.map, b.size);
	expect(!close(a.fd), "close after unbind: %s", strerror(errno));
	a.fd = -1;
	s1 = 0;
out:
	if (sync_file >= 0)
		close(sync_file);
	if (!unbound) {
		buf_free(&a, &b);
		sync_free(a.fd, s1);
		agx_teardown(&a);
		return;
	}
	if (!write_sysfs(driver_dir, "bind", dev))
		return;
	/* The new device may take a moment to show its node. */
	for (t0 = now_s(); now_s() - t0 < AGX_WAIT_MS / 1000.0; sleep_ms(20)) {
		int fd = agx_open();

		if (fd >= 0) {
			close(fd);
			break;
		}
	}
	if (agx_setup(&n)) {
		works(&n, n.queue, "FILL after rebind");
		agx_teardown(&n);
	}
}

const struct uapi_case uapi_teardown_cases[] = {
	{ "hang_timeout", hang_timeout },
	{ "queue_destroy_inflight", queue_destroy_inflight },
	{ "close_inflight", close_inflight },
	{ "vm_destroy_inflight", vm_destroy_inflight },
	{ "bo_close_inflight", bo_close_inflight },
	/* Last: it unbinds and rebinds the device. */
	{ "unplug_rebind", unplug_rebind },
	{ NULL, NULL },
};
