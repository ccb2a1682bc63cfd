// SPDX-License-Identifier: MIT
/*
 * Cases of the AGX uapi suite: in and out syncobjs (binary and timeline),
 * dependencies across queues, waits on fences that user space signals,
 * sync_file export and import, and BOs shared through PRIME.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "agx.h"
#include "harness.h"

static bool words(const __u32 *w, size_t from, size_t to, __u32 v, const char *what)
{
	size_t i;

	for (i = from; i < to; i++)
		if (w[i] != v)
			return expect(false, "%s: word %zu is %#x, want %#x", what, i, w[i], v);
	return true;
}

/* signalled(): the fence of @point is signalled, right now. */
static bool signalled(int fd, __u32 syncobj, __u64 point)
{
	return sync_wait(fd, syncobj, point, 0) == 0;
}

static __u64 u64_at(const struct agx_buf *b, size_t offset)
{
	__u64 v;

	memcpy(&v, b->map + offset, sizeof(v));
	return v;
}

/* One job signals a binary syncobj and a timeline point. */
static void sync_out_binary_timeline(void)
{
	__u32 bin, tl;
	__u64 point = 0;
	struct agx_buf b;
	struct agx_job j;
	struct agx a;
	int status = 0;

	if (!agx_setup(&a))
		return;
	bin = sync_new(a.fd);
	tl = sync_new(a.fd);
	if (!bin || !tl || !buf_new(&a, &b, 4096))
		goto out;
	job_init(&j);
	job_stall(&j, 10000);
	job_fill(&j, b.va, 4096, 0xabcdef01);
	job_signal(&j, bin, 0);
	job_signal(&j, tl, 5);
	if (expect_ok(job_submit(a.fd, a.queue, &j), "SUBMIT") &&
	    expect_ok(sync_wait(a.fd, tl, 5, AGX_WAIT_MS), "wait for point 5") &&
	    expect_ok(sync_wait(a.fd, bin, 0, AGX_WAIT_MS), "wait for the binary syncobj")) {
		words(buf_u32(&b), 0, 1024, 0xabcdef01, "FILL");
		expect_ok(sync_query(a.fd, tl, &point), "QUERY");
		expect(point == 5, "timeline at %llu, want 5", (unsigned long long)point);
		expect_ok(sync_status(a.fd, bin, &status), "status");
		expect(status == 1, "fence status %d", status);
	}
	buf_free(&a, &b);
out:
	sync_free(a.fd, tl);
	sync_free(a.fd, bin);
	agx_teardown(&a);
}

/*
 * A chain over two queues: copy A to B on queue 1 (after a stall), AXPY on B
 * on queue 2, copy the result on queue 1 again. Each step reads what the
 * step before wrote, so the result is only right if the order held.
 */
static void sync_chain_two_queues(void)
{
	const __u32 n = 2048, alpha = 0x01000193;
	struct agx_buf A, B, Y, C, D;
	__u32 q2 = 0, s1 = 0, tl = 0, i;
	__u64 point = 0;
	struct agx_job j;
	struct agx a;
	bool ok;

	memset(&A, 0, sizeof(A));
	memset(&B, 0, sizeof(B));
	memset(&Y, 0, sizeof(Y));
	memset(&C, 0, sizeof(C));
	memset(&D, 0, sizeof(D));
	if (!agx_setup(&a))
		return;
	s1 = sync_new(a.fd);
	tl = sync_new(a.fd);
	ok = s1 && tl &&
	     expect_ok(agx_queue_create(a.fd, a.vm, DRM_AGX_PRIORITY_HIGH, &q2), "QUEUE_CREATE") &&
	     buf_new(&a, &A, n * 4) && buf_new(&a, &B, n * 4) && buf_new(&a, &Y, n * 4) &&
	     buf_new(&a, &C, n * 4) && buf_new(&a, &D, n * 4);
	if (!ok)
		goto out;
	for (i = 0; i < n; i++) {
		buf_u32(&A)[i] = i * 0x9e3779b9u + 1;
		buf_u32(&Y)[i] = i ^ 0xa5a5a5a5u;
	}
	job_init(&j);
	job_stall(&j, 100000);
	job_copy(&j, B.va, A.va, n * 4);
	job_signal(&j, s1, 0);
	if (!expect_ok(job_submit(a.fd, a.queue, &j), "SUBMIT copy A to B on queue 1"))
		goto out;
	job_init(&j);
	job_wait_on(&j, s1, 0);
	job_axpy(&j, C.va, B.va, Y.va, alpha, n);
	job_signal(&j, tl, 1);
	if (!expect_ok(job_submit(a.fd, q2, &j), "SUBMIT AXPY on queue 2"))
		goto out;
	job_init(&j);
	job_wait_on(&j, tl, 1);
	job_copy(&j, D.va, C.va, n * 4);
	job_signal(&j, tl, 2);
	if (!expect_ok(job_submit(a.fd, a.queue, &j), "SUBMIT copy C to D on queue 1") ||
	    !expect_ok(sync_wait(a.fd, tl, 2, AGX_WAIT_MS), "wait for point 2"))
		goto out;
	for (i = 0; i < n; i++) {
		__u32 want = alpha * buf_u32(&A)[i] + buf_u32(&Y)[i];

		if (!expect(buf_u32(&D)[i] == want, "D[%u] = %#x, want %#x (order not kept)", i,
			    buf_u32(&D)[i], want))
			break;
	}
	expect_ok(sync_query(a.fd, tl, &point), "QUERY");
	expect(point == 2, "timeline at %llu, want 2", (unsigned long long)point);
out:
	buf_free(&a, &D);
	buf_free(&a, &C);
	buf_free(&a, &Y);
	buf_free(&a, &B);
	buf_free(&a, &A);
	sync_free(a.fd, tl);
	sync_free(a.fd, s1);
	if (q2)
		expect_ok(agx_queue_destroy(a.fd, q2), "QUEUE_DESTROY");
	agx_teardown(&a);
}

/* In-syncs that user space signalled: a binary syncobj, a timeline point. */
static void sync_in_signalled(void)
{
	__u32 bin = 0, tl = 0;
	__u64 point = 0;
	struct agx_buf b;
	struct agx_job j;
	struct agx a;

	if (!agx_setup(&a))
		return;
	bin = sync_new(a.fd);
	tl = sync_new(a.fd);
	if (!bin || !tl || !buf_new(&a, &b, 4096))
		goto out;
	if (!expect_ok(sync_signal(a.fd, bin, 0), "SYNCOBJ_SIGNAL") ||
	    !expect_ok(sync_signal(a.fd, tl, 3), "SYNCOBJ_TIMELINE_SIGNAL"))
		goto out_b;
	job_init(&j);
	job_wait_on(&j, bin, 0);
	job_wait_on(&j, tl, 3);
	job_fill(&j, b.va, 64, 0x31);
	job_signal(&j, tl, 4);
	if (expect_ok(job_submit(a.fd, a.queue, &j), "SUBMIT") &&
	    expect_ok(sync_wait(a.fd, tl, 4, AGX_WAIT_MS), "wait for point 4")) {
		words(buf_u32(&b), 0, 16, 0x31, "FILL");
		expect_ok(sync_query(a.fd, tl, &point), "QUERY");
		expect(point == 4, "timeline at %llu, want 4", (unsigned long long)point);
	}
out_b:
	buf_free(&a, &b);
out:
	sync_free(a.fd, tl);
	sync_free(a.fd, bin);
	agx_teardown(&a);
}

/* A job waiting on another queue's job runs after it, not before. */
static void sync_in_gpu_gate(void)
{
	__u32 q2 = 0, gate = 0, done = 0;
	struct agx_buf b;
	struct agx_job j;
	struct agx a;

	if (!agx_setup(&a))
		return;
	if (!expect_ok(agx_queue_create(a.fd, a.vm, DRM_AGX_PRIORITY_NORMAL, &q2), "QUEUE_CREATE"))
		goto out;
	gate = sync_new(a.fd);
	done = sync_new(a.fd);
	if (!gate || !done || !buf_new(&a, &b, 4096))
		goto out_s;
	job_init(&j);
	job_stall(&j, 200000);
	job_timestamp(&j, b.va);
	job_signal(&j, gate, 0);
	if (!expect_ok(job_submit(a.fd, q2, &j), "SUBMIT the gate"))
		goto out_b;
	job_init(&j);
	job_wait_on(&j, gate, 0);
	job_timestamp(&j, b.va + 8);
	job_fill(&j, b.va + 64, 4, 1);
	job_signal(&j, done, 0);
	if (!expect_ok(job_submit(a.fd, a.queue, &j), "SUBMIT the waiter"))
		goto out_b;
	sleep_ms(20);
	expect(!signalled(a.fd, done, 0) && buf_u32(&b)[16] == 0,
	       "the waiter ran while the gate was running");
	if (expect_ok(sync_wait(a.fd, done, 0, AGX_WAIT_MS), "wait for the waiter")) {
		expect(signalled(a.fd, gate, 0), "the waiter finished before the gate");
		expect(u64_at(&b, 8) >= u64_at(&b, 0), "the waiter's timestamp %llu < gate's %llu",
		       (unsigned long long)u64_at(&b, 8), (unsigned long long)u64_at(&b, 0));
		words(buf_u32(&b), 16, 17, 1, "the waiter's FILL");
	}
out_b:
	sync_wait(a.fd, gate, 0, AGX_WAIT_MS);
	buf_free(&a, &b);
out_s:
	sync_free(a.fd, done);
	sync_free(a.fd, gate);
	expect_ok(agx_queue_destroy(a.fd, q2), "QUEUE_DESTROY");
out:
	agx_teardown(&a);
}

/*
 * An in-sync on an unsignalled fence holds the job back until user space
 * signals it; once through a binary syncobj, once through a timeline point.
 */
static void sync_in_user_fence(void)
{
	struct drm_agx_result *r;
	struct user_fence uf[2];
	__u32 bin = 0, tl = 0, tmp = 0, done = 0;
	struct agx_buf b;
	struct agx_job j;
	struct agx a;
	int round;

	uf[0].card = -1;
	uf[1].card = -1;
	if (!agx_setup(&a))
		return;
	bin = sync_new(a.fd);
	tl = sync_new(a.fd);
	tmp = sync_new(a.fd);
	done = sync_new(a.fd);
	if (!bin || !tl || !tmp || !done || !buf_new(&a, &b, 4096))
		goto out;
	r = (struct drm_agx_result *)(b.map + 1024);
	if (!user_fence_new(&uf[0], a.fd, bin) || !user_fence_new(&uf[1], a.fd, tmp))
		goto out_b;
	/* Point 3 of the timeline gets the second user fence. */
	if (!expect_ok(sync_transfer(a.fd, tl, 3, tmp, 0), "SYNCOBJ_TRANSFER to point 3"))
		goto out_b;
	for (round = 0; round < 2; round++) {
		memset(b.map, 0, b.size);
		job_init(&j);
		if (round == 0)
			job_wait_on(&j, bin, 0);
		else
			job_wait_on(&j, tl, 3);
		job_fill(&j, b.va, 64, 0x600d + round);
		job_result(&j, b.handle, 1024);
		job_signal(&j, done, 0);
		if (!expect_ok(job_submit(a.fd, a.queue, &j), "SUBMIT"))
			break;
		sleep_ms(100);
		expect(!signalled(a.fd, done, 0), "round %d: the job finished before its in-sync",
		       round);
		expect(buf_u32(&b)[0] == 0 && r->status == DRM_AGX_STATUS_PENDING,
		       "round %d: the job ran before its in-sync (status %s)", round,
		       status_name(r->status));
		if (!user_fence_signal(&uf[round]) ||
		    !expect_ok(sync_wait(a.fd, done, 0, AGX_WAIT_MS), "wait after the signal"))
			break;
		words(buf_u32(&b), 0, 16, 0x600d + round, "FILL");
		expect(r->status == DRM_AGX_STATUS_COMPLETE, "round %d: status %s", round,
		       status_name(r->status));
	}
out_b:
	user_fence_free(&uf[1]);
	user_fence_free(&uf[0]);
	sync_wait(a.fd, done, 0, AGX_WAIT_MS);
	buf_free(&a, &b);
out:
	sync_free(a.fd, done);
	sync_free(a.fd, tmp);
	sync_free(a.fd, tl);
	sync_free(a.fd, bin);
	agx_teardown(&a);
}

/*
 * An out fence exported as a sync_file and imported again is an in-sync of
 * a job on another queue, which copies what the first job wrote.
 */
static void sync_file_export_import(void)
{
	__u32 q2 = 0, s1 = 0, s2 = 0, s3 = 0;
	int sync_file = -1, status = 0;
	struct agx_buf b;
	struct agx_job j;
	struct agx a;

	if (!agx_setup(&a))
		return;
	if (!expect_ok(agx_queue_create(a.fd, a.vm, DRM_AGX_PRIORITY_LOW, &q2), "QUEUE_CREATE"))
		goto out;
	s1 = sync_new(a.fd);
	s2 = sync_new(a.fd);
	s3 = sync_new(a.fd);
	if (!s1 || !s2 || !s3 || !buf_new(&a, &b, 8192))
		goto out_s;
	job_init(&j);
	job_stall(&j, 100000);
	job_fill(&j, b.va, 4096, 7);
	job_signal(&j, s1, 0);
	if (!expect_ok(job_submit(a.fd, a.queue, &j), "SUBMIT"))
		goto out_b;
	if (!expect_ok(sync_export(a.fd, s1, &sync_file), "export sync_file") ||
	    !expect_ok(sync_import(a.fd, s2, sync_file), "import sync_file"))
		goto out_b;
	job_init(&j);
	job_wait_on(&j, s2, 0);
	job_copy(&j, b.va + 4096, b.va, 4096);
	job_signal(&j, s3, 0);
	if (expect_ok(job_submit(a.fd, q2, &j), "SUBMIT waiting on the sync_file") &&
	    expect_ok(sync_wait(a.fd, s3, 0, AGX_WAIT_MS), "wait")) {
		words(buf_u32(&b), 1024, 2048, 7, "copy of the first job's FILL");
		expect_ok(wait_file(sync_file, 0), "poll of the sync_file");
		expect_ok(file_status(sync_file, &status), "SYNC_IOC_FILE_INFO");
		expect(status == 1, "sync_file status %d", status);
	}
out_b:
	if (sync_file >= 0)
		close(sync_file);
	sync_wait(a.fd, s1, 0, AGX_WAIT_MS);
	buf_free(&a, &b);
out_s:
	sync_free(a.fd, s3);
	sync_free(a.fd, s2);
	sync_free(a.fd, s1);
	expect_ok(agx_queue_destroy(a.fd, q2), "QUEUE_DESTROY");
out:
	agx_teardown(&a);
}

static bool run(struct agx *a, struct agx_job *j, const char *what)
{
	int status = 0;

	if (!expect_ok(run_job(a, j, &status), what))
		return false;
	return expect(status == 1, "%s: fence status %d, want 1", what, status);
}

/*
 * A BO exported by one file and imported by another: the second file's GPU
 * work is visible through the first file's mapping, and the BO outlives the
 * first file.
 */
static void prime_share(void)
{
	__u32 h1 = 0, h1b = 0, h2 = 0, *m1 = NULL, *m2 = NULL;
	size_t size = 4 * 4096;
	int dmabuf = -1;
	struct agx a, b;
	struct agx_job j;
	__u64 va;

	if (!agx_setup(&a))
		return;
	if (!agx_setup(&b)) {
		agx_teardown(&a);
		return;
	}
	if (!expect_ok(agx_gem_create(a.fd, size, &h1), "GEM_CREATE"))
		goto out;
	m1 = agx_gem_mmap(a.fd, h1, size);
	if (!expect(m1, "mmap") ||
	    !expect_ok(prime_export(a.fd, h1, &dmabuf), "PRIME export") ||
	    !expect_ok(prime_import(b.fd, dmabuf, &h2), "PRIME import") ||
	    !expect_ok(prime_import(a.fd, dmabuf, &h1b), "PRIME self-import"))
		goto out;
	expect(h1b == h1, "self-import gave handle %u, not %u", h1b, h1);
	va = agx_va(&b, size);
	if (!expect_ok(agx_bind(b.fd, b.vm, DRM_AGX_BIND_OP_MAP,
				DRM_AGX_BIND_READ | DRM_AGX_BIND_WRITE, h2, 0, va, size),
		       "map the imported BO"))
		goto out;
	m1[1024] = 0x4242;
	job_init(&j);
	job_fill(&j, va, 4096, 0xfeedface);
	job_copy(&j, va + 8192, va + 4096, 4);
	if (run(&b, &j, "FILL of the imported BO")) {
		words(m1, 0, 1024, 0xfeedface, "importer's FILL seen by the exporter");
		words(m1, 2048, 2049, 0x4242, "exporter's write seen by the importer's COPY");
	}

	/* The exporter goes away; the importer's BO stays. */
	close(dmabuf);
	dmabuf = -1;
	munmap(m1, size);
	m1 = NULL;
	expect_ok(agx_gem_close(a.fd, h1), "GEM_CLOSE");
	h1 = 0;
	agx_teardown(&a);
	job_init(&j);
	job_fill(&j, va + 4096 * 3, 4096, 0x0badcafe);
	if (run(&b, &j, "FILL after the exporter closed")) {
		m2 = agx_gem_mmap(b.fd, h2, size);
		if (expect(m2, "mmap of the imported BO")) {
			words(m2, 0, 1024, 0xfeedface, "earlier FILL");
			words(m2, 3072, 4096, 0x0badcafe, "FILL after the exporter closed");
			munmap(m2, size);
		}
	}
	expect_ok(agx_bind(b.fd, b.vm, DRM_AGX_BIND_OP_UNMAP, 0, 0, 0, va, size), "unmap");
out:
	if (dmabuf >= 0)
		close(dmabuf);
	if (m1)
		munmap(m1, size);
	if (h1)
		agx_gem_close(a.fd, h1);
	if (h2)
		expect_ok(agx_gem_close(b.fd, h2), "GEM_CLOSE of the import");
	agx_teardown(&b);
	agx_teardown(&a);
}

const struct uapi_case uapi_sync_cases[] = {
	{ "sync_out_binary_timeline", sync_out_binary_timeline },
	{ "sync_chain_two_queues", sync_chain_two_queues },
	{ "sync_in_signalled", sync_in_signalled },
	{ "sync_in_gpu_gate", sync_in_gpu_gate },
	{ "sync_in_user_fence", sync_in_user_fence },
	{ "sync_file_export_import", sync_file_export_import },
	{ "prime_share", prime_share },
	{ NULL, NULL },
};
