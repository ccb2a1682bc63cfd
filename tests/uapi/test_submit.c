// SPDX-License-Identifier: MIT
/*
 * Cases of the AGX uapi suite: SUBMIT, the commands and what they compute,
 * the result record, GPU faults and illegal commands, and bad input.
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

/* words(): words [from, to) of @w all equal @v. */
static bool words(const __u32 *w, size_t from, size_t to, __u32 v, const char *what)
{
	size_t i;

	for (i = from; i < to; i++)
		if (w[i] != v)
			return expect(false, "%s: word %zu is %#x, want %#x", what, i, w[i], v);
	return true;
}

/* run(): run @j on the fixture's queue and check that it succeeded. */
static bool run(struct agx *a, struct agx_job *j, const char *what)
{
	int status = 0;

	if (!expect_ok(run_job(a, j, &status), what))
		return false;
	return expect(status == 1, "%s: fence status %d, want 1", what, status);
}

static void submit_fill(void)
{
	struct agx_buf b;
	struct agx_job j;
	struct agx a;

	if (!agx_setup(&a))
		return;
	if (!buf_new(&a, &b, 64 * 1024))
		goto out;
	job_init(&j);
	job_fill(&j, b.va + 256, 60 * 1024, 0xdeadbeef);
	job_fill(&j, b.va + 4, 4, 0x01020304);
	if (run(&a, &j, "FILL")) {
		words(buf_u32(&b), 0, 1, 0, "before the fills");
		words(buf_u32(&b), 1, 2, 0x01020304, "4-byte fill");
		words(buf_u32(&b), 2, 64, 0, "between the fills");
		words(buf_u32(&b), 64, 64 + 15 * 1024, 0xdeadbeef, "60 KiB fill");
		words(buf_u32(&b), 64 + 15 * 1024, 16 * 1024, 0, "after the fill");
	}
	buf_free(&a, &b);
out:
	agx_teardown(&a);
}

static void submit_copy(void)
{
	size_t size = 3 * 4096 + 12, i;
	struct agx_buf src, dst;
	struct agx_job j;
	struct agx a;

	if (!agx_setup(&a))
		return;
	if (!buf_new(&a, &src, 16 * 1024))
		goto out;
	if (!buf_new(&a, &dst, 16 * 1024))
		goto out_src;
	for (i = 0; i < src.size; i++)
		src.map[i] = (i * 7 + 3) ^ (i >> 8);
	memset(dst.map, 0xee, dst.size);
	job_init(&j);
	job_copy(&j, dst.va + 4, src.va + 8, size);
	if (run(&a, &j, "COPY")) {
		for (i = 0; i < dst.size; i++) {
			unsigned char want = i >= 4 && i < 4 + size ?
				src.map[i + 4] : 0xee;

			if (!expect(dst.map[i] == want, "byte %zu is %#x, want %#x", i,
				    dst.map[i], want))
				break;
		}
	}
	buf_free(&a, &dst);
out_src:
	buf_free(&a, &src);
out:
	agx_teardown(&a);
}

/* dst[i] = a * x[i] + y[i] over 4096 u32s, wrapping around. */
static void submit_axpy(void)
{
	const __u32 n = 4096, alpha = 0x9e3779b1;
	struct agx_buf x, y, d;
	struct agx_job j;
	struct agx a;
	__u32 i;

	if (!agx_setup(&a))
		return;
	if (!buf_new(&a, &x, n * 4))
		goto out;
	if (!buf_new(&a, &y, n * 4))
		goto out_x;
	if (!buf_new(&a, &d, n * 4 + 4096))
		goto out_y;
	for (i = 0; i < n; i++) {
		buf_u32(&x)[i] = i * 2654435761u + 7;
		buf_u32(&y)[i] = ~i * 40503u;
	}
	memset(d.map, 0xee, d.size);
	job_init(&j);
	job_axpy(&j, d.va, x.va, y.va, alpha, n);
	if (run(&a, &j, "AXPY")) {
		for (i = 0; i < n; i++) {
			__u32 want = alpha * buf_u32(&x)[i] + buf_u32(&y)[i];

			if (!expect(buf_u32(&d)[i] == want, "dst[%u] = %#x, want %#x", i,
				    buf_u32(&d)[i], want))
				break;
		}
		words(buf_u32(&d), n, n + 1024, 0xeeeeeeee, "past n");
	}
	buf_free(&a, &d);
out_y:
	buf_free(&a, &y);
out_x:
	buf_free(&a, &x);
out:
	agx_teardown(&a);
}

/* Commands run in order: each one reads what the one before wrote. */
static void submit_stream_order(void)
{
	const __u32 n = 1024;
	struct agx_buf b;
	struct agx_job j;
	struct agx a;
	__u64 x, y, d, o;

	if (!agx_setup(&a))
		return;
	if (!buf_new(&a, &b, 4 * n * 4))
		goto out;
	x = b.va;
	y = x + n * 4;
	d = y + n * 4;
	o = d + n * 4;
	job_init(&j);
	job_fill(&j, x, n * 4, 3);
	job_fill(&j, y, n * 4, 4);
	job_axpy(&j, d, x, y, 5, n);
	job_barrier(&j);
	job_copy(&j, o, d, n * 4);
	job_fill(&j, x, n * 4, 1);
	if (run(&a, &j, "FILL, FILL, AXPY, COPY, FILL")) {
		words(buf_u32(&b), 0, n, 1, "x, filled last");
		words(buf_u32(&b), n, 2 * n, 4, "y");
		words(buf_u32(&b), 2 * n, 3 * n, 19, "5 * 3 + 4");
		words(buf_u32(&b), 3 * n, 4 * n, 19, "copy of 5 * 3 + 4");
	}
	buf_free(&a, &b);
out:
	agx_teardown(&a);
}

static __u64 u64_at(const struct agx_buf *b, size_t offset)
{
	__u64 v;

	memcpy(&v, b->map + offset, sizeof(v));
	return v;
}

static void submit_timestamp(void)
{
	struct agx_buf b;
	struct agx_job j;
	struct agx a;
	__u64 t0, t1, t2, freq, min_stall;

	if (!agx_setup(&a))
		return;
	freq = a.p.timestamp_frequency;
	if (!buf_new(&a, &b, 4096))
		goto out;
	job_init(&j);
	job_timestamp(&j, b.va);
	job_stall(&j, 20000);
	job_timestamp(&j, b.va + 8);
	if (!run(&a, &j, "TIMESTAMP, STALL 20 ms, TIMESTAMP"))
		goto out_b;
	job_init(&j);
	job_timestamp(&j, b.va + 16);
	if (!run(&a, &j, "TIMESTAMP"))
		goto out_b;
	t0 = u64_at(&b, 0);
	t1 = u64_at(&b, 8);
	t2 = u64_at(&b, 16);
	min_stall = freq / 50;	/* 20 ms */
	expect(t0 > 0, "first timestamp is 0");
	expect(t1 >= t0 + min_stall, "timestamps %llu, %llu: less than 20 ms (%llu ticks) apart",
	       (unsigned long long)t0, (unsigned long long)t1, (unsigned long long)min_stall);
	expect(t2 >= t1, "later submission's timestamp %llu < %llu", (unsigned long long)t2,
	       (unsigned long long)t1);
	expect(t2 - t0 < 60 * freq, "timestamps %llu, %llu more than a minute apart",
	       (unsigned long long)t0, (unsigned long long)t2);
	info("STALL 20 ms took %.2f ms of GPU time", (t1 - t0) * 1000.0 / freq);
out_b:
	buf_free(&a, &b);
out:
	agx_teardown(&a);
}

static void submit_nop_barrier(void)
{
	struct agx_job j;
	struct agx a;

	if (!agx_setup(&a))
		return;
	job_init(&j);
	job_nop(&j);
	run(&a, &j, "NOP");
	job_init(&j);
	job_nop(&j);
	job_barrier(&j);
	job_stall(&j, 0);
	job_nop(&j);
	run(&a, &j, "NOP, BARRIER, STALL 0, NOP");
	agx_teardown(&a);
}

/* The largest command stream is accepted, one more word is not. */
static void submit_max_command_bytes(void)
{
	struct drm_agx_submit s = { 0 };
	__u32 *words_, n, done;
	struct agx a;
	int status;

	if (!agx_setup(&a))
		return;
	n = a.p.max_command_bytes / 4 + 1;
	words_ = calloc(n, 4);	/* NOPs */
	done = sync_new(a.fd);
	if (!expect(words_ && done, "out of memory"))
		goto out;
	s.queue_id = a.queue;
	s.commands = (uintptr_t)words_;
	s.command_bytes = a.p.max_command_bytes + 4;
	expect_err2(agx_ioctl(a.fd, DRM_IOCTL_AGX_SUBMIT, &s), EINVAL, E2BIG,
		    "SUBMIT of max_command_bytes + 4");
	s.command_bytes = a.p.max_command_bytes;
	s.out_sync_count = 1;
	s.sync_stride = sizeof(struct drm_agx_sync);
	s.out_syncs = (uintptr_t)&(struct drm_agx_sync){ .handle = done };
	if (expect_ok(agx_ioctl(a.fd, DRM_IOCTL_AGX_SUBMIT, &s), "SUBMIT of max_command_bytes") &&
	    expect_ok(sync_wait(a.fd, done, 0, AGX_WAIT_MS), "wait") &&
	    expect_ok(sync_status(a.fd, done, &status), "status"))
		expect(status == 1, "fence status %d", status);
out:
	sync_free(a.fd, done);
	free(words_);
	agx_teardown(&a);
}

/* Many small jobs in a row, more than a firmware ring holds. */
static void submit_many(void)
{
	const unsigned int n = 256;
	struct agx_buf b;
	struct agx_job j;
	struct agx a;
	unsigned int i;
	__u32 done;
	int err = 0, status;

	if (!agx_setup(&a))
		return;
	done = sync_new(a.fd);
	if (!done || !buf_new(&a, &b, n * 4))
		goto out;
	for (i = 0; i < n && !err; i++) {
		job_init(&j);
		job_fill(&j, b.va + i * 4, 4, i + 1);
		if (i == n - 1)
			job_signal(&j, done, 0);
		err = job_submit(a.fd, a.queue, &j);
	}
	if (expect_ok(err, "SUBMIT") &&
	    expect_ok(sync_wait(a.fd, done, 0, AGX_WAIT_MS), "wait for the last job") &&
	    expect_ok(sync_status(a.fd, done, &status), "status") &&
	    expect(status == 1, "fence status %d", status)) {
		for (i = 0; i < n; i++)
			if (!expect(buf_u32(&b)[i] == i + 1, "job %u did not run", i))
				break;
	}
	buf_free(&a, &b);
out:
	sync_free(a.fd, done);
	agx_teardown(&a);
}

/* A bind at a BO offset: the GPU sees that part of the BO. */
static void bind_bo_offset(void)
{
	struct agx_job j;
	struct agx a;
	__u64 page, va;
	__u32 h = 0, *m = NULL;

	if (!agx_setup(&a))
		return;
	page = a.p.page_size;
	va = agx_va(&a, page);
	if (!expect_ok(agx_gem_create(a.fd, 4 * page, &h), "GEM_CREATE"))
		goto out;
	m = agx_gem_mmap(a.fd, h, 4 * page);
	if (!expect(m, "mmap"))
		goto out_h;
	if (!expect_ok(agx_bind(a.fd, a.vm, DRM_AGX_BIND_OP_MAP,
				DRM_AGX_BIND_READ | DRM_AGX_BIND_WRITE, h, 2 * page, va, page),
		       "map page 2"))
		goto out_m;
	job_init(&j);
	job_fill(&j, va, page, 0x600df00d);
	if (run(&a, &j, "FILL")) {
		words(m, 0, 2 * page / 4, 0, "pages 0 and 1");
		words(m, 2 * page / 4, 3 * page / 4, 0x600df00d, "page 2");
		words(m, 3 * page / 4, page, 0, "page 3");
	}
	expect_ok(agx_bind(a.fd, a.vm, DRM_AGX_BIND_OP_UNMAP, 0, 0, 0, va, page), "unmap");
out_m:
	munmap(m, 4 * page);
out_h:
	expect_ok(agx_gem_close(a.fd, h), "GEM_CLOSE");
out:
	agx_teardown(&a);
}

/* A file with a data BO @b and a result BO @res of 4 KiB each, bound. */
static bool setup_with_result(struct agx *a, struct agx_buf *b, struct agx_buf *res)
{
	if (!agx_setup(a))
		return false;
	if (buf_new(a, b, 4096)) {
		if (buf_new(a, res, 4096))
			return true;
		buf_free(a, b);
	}
	agx_teardown(a);
	return false;
}

static void teardown_with_result(struct agx *a, struct agx_buf *b, struct agx_buf *res)
{
	buf_free(a, res);
	buf_free(a, b);
	agx_teardown(a);
}

/* The record of a completed submission, at an offset in a BO. */
static void result_complete(void)
{
	struct drm_agx_result r;
	struct agx_buf b, res;
	struct agx_job j;
	struct agx a;

	if (!setup_with_result(&a, &b, &res))
		return;
	memset(res.map, 0xee, res.size);
	job_init(&j);
	job_fill(&j, b.va, 4096, 1);
	job_timestamp(&j, b.va + 64);
	job_result(&j, res.handle, 128);
	if (run(&a, &j, "FILL, TIMESTAMP with a result record")) {
		memcpy(&r, res.map + 128, sizeof(r));
		expect(r.status == DRM_AGX_STATUS_COMPLETE, "status %u (%s)", r.status,
		       status_name(r.status));
		expect(r.fault_va == 0, "fault_va %#llx", (unsigned long long)r.fault_va);
		expect(r.timestamp >= u64_at(&b, 64) && r.timestamp > 0,
		       "result timestamp %llu before the TIMESTAMP command's %llu",
		       (unsigned long long)r.timestamp, (unsigned long long)u64_at(&b, 64));
		expect(res.map[127] == 0xee && res.map[128 + sizeof(r)] == 0xee,
		       "bytes around the record written");
	}
	teardown_with_result(&a, &b, &res);
}

/*
 * The record's status is written last, with release semantics: a CPU
 * polling it with acquire, as the header says, never sees a new status
 * with an old payload. Polled while many faulting jobs end, each with its
 * own fault_va, on a record whose payload starts as 0xee bytes.
 */
static void result_status_last(void)
{
	unsigned int i, seen = 0, rounds = 100;
	struct drm_agx_result r;
	struct agx_buf b, res;
	struct agx_job j;
	struct agx a;
	__u32 done = 0, *status;
	double end;

	if (!setup_with_result(&a, &b, &res))
		return;
	done = sync_new(a.fd);
	status = (__u32 *)res.map;
	for (i = 0; done && i < rounds; i++) {
		memset(res.map, 0xee, sizeof(r));
		__atomic_store_n(status, DRM_AGX_STATUS_PENDING, __ATOMIC_RELEASE);
		job_init(&j);
		job_nop(&j);
		job_fill(&j, b.va + b.size + 4 * i, 4, 0);	/* the guard page faults */
		job_result(&j, res.handle, 0);
		job_signal(&j, done, 0);
		if (!expect_ok(job_submit(a.fd, a.queue, &j), "SUBMIT"))
			break;
		end = now_s() + AGX_WAIT_MS / 1000.0;
		while (__atomic_load_n(status, __ATOMIC_ACQUIRE) == DRM_AGX_STATUS_PENDING &&
		       now_s() < end)
			;
		memcpy(&r, res.map, sizeof(r));
		if (!expect(r.status == DRM_AGX_STATUS_FAULT, "job %u: status %s", i,
			    status_name(r.status)) ||
		    !expect(r.command_index == 1 && r.fault_va == b.va + b.size + 4 * i &&
			    r.timestamp != 0xeeeeeeeeeeeeeeeeull,
			    "job %u: status FAULT seen with command_index %#x, fault_va %#llx, timestamp %#llx",
			    i, r.command_index, (unsigned long long)r.fault_va,
			    (unsigned long long)r.timestamp) ||
		    !expect_ok(sync_wait(a.fd, done, 0, AGX_WAIT_MS), "wait"))
			break;
		seen++;
	}
	info("%u records polled", seen);
	sync_free(a.fd, done);
	teardown_with_result(&a, &b, &res);
}

/*
 * check_fault(): run @j, whose command @index faults at @va; check the result
 * record, the fence error, and that the queue still works afterwards.
 */
static void check_fault(struct agx *a, struct agx_job *j, struct agx_buf *res,
			__u32 index, __u64 va, const char *what)
{
	struct drm_agx_result r;
	struct agx_job ok;
	int status;

	memset(res->map, 0, sizeof(r));
	job_result(j, res->handle, 0);
	if (!expect_ok(run_job(a, j, &status), what))
		return;
	expect(status == -EFAULT, "%s: fence status %d, want -EFAULT", what, status);
	memcpy(&r, res->map, sizeof(r));
	expect(r.status == DRM_AGX_STATUS_FAULT, "%s: status %u (%s), want FAULT", what,
	       r.status, status_name(r.status));
	expect(r.command_index == index, "%s: command_index %u, want %u", what,
	       r.command_index, index);
	expect(r.fault_va == va, "%s: fault_va %#llx, want %#llx", what,
	       (unsigned long long)r.fault_va, (unsigned long long)va);

	/* The queue goes on. */
	memset(res->map, 0, sizeof(r));
	job_init(&ok);
	job_nop(&ok);
	job_result(&ok, res->handle, 0);
	if (expect_ok(run_job(a, &ok, &status), "NOP after the fault")) {
		memcpy(&r, res->map, sizeof(r));
		expect(status == 1, "NOP after the fault: fence status %d", status);
		expect(r.status == DRM_AGX_STATUS_COMPLETE, "NOP after the fault: status %s",
		       status_name(r.status));
	}
}

/* A write to an unmapped VA: the commands before it ran, those after did not. */
static void result_fault_write(void)
{
	struct agx_buf b, res;
	struct agx_job j;
	struct agx a;
	__u64 hole;

	if (!setup_with_result(&a, &b, &res))
		return;
	hole = b.va + b.size;	/* the guard page after b */
	job_init(&j);
	job_nop(&j);
	job_fill(&j, b.va, 64, 0x11111111);
	job_fill(&j, hole, 64, 0x22222222);
	job_fill(&j, b.va + 64, 64, 0x33333333);
	check_fault(&a, &j, &res, 2, hole, "FILL of an unmapped VA");
	words(buf_u32(&b), 0, 16, 0x11111111, "FILL before the fault");
	words(buf_u32(&b), 16, 32, 0, "FILL after the fault");
	teardown_with_result(&a, &b, &res);
}

/* A read of an unmapped VA. */
static void result_fault_read(void)
{
	struct agx_buf b, res;
	struct agx_job j;
	struct agx a;
	__u64 hole;

	if (!setup_with_result(&a, &b, &res))
		return;
	hole = agx_va(&a, 4096);	/* never bound */
	job_init(&j);
	job_copy(&j, b.va, hole, 64);
	check_fault(&a, &j, &res, 0, hole, "COPY from an unmapped VA");
	teardown_with_result(&a, &b, &res);
}

/* A write to a read-only mapping faults; reading it works. */
static void result_fault_readonly(void)
{
	struct agx_buf b, res;
	struct agx_job j;
	struct agx a;
	__u64 ro;

	if (!setup_with_result(&a, &b, &res))
		return;
	ro = agx_va(&a, 4096);
	if (!expect_ok(agx_bind(a.fd, a.vm, DRM_AGX_BIND_OP_MAP, DRM_AGX_BIND_READ, b.handle,
				0, ro, 4096), "read-only map"))
		goto out;
	buf_u32(&b)[0] = 0x12345678;
	job_init(&j);
	job_copy(&j, b.va + 64, ro, 4);
	if (run(&a, &j, "COPY from the read-only mapping"))
		words(buf_u32(&b), 16, 17, 0x12345678, "copy through the read-only mapping");
	job_init(&j);
	job_fill(&j, ro + 128, 4, 0x99);
	check_fault(&a, &j, &res, 0, ro + 128, "FILL of a read-only mapping");
	words(buf_u32(&b), 32, 33, 0, "word behind the read-only mapping");
	expect_ok(agx_bind(a.fd, a.vm, DRM_AGX_BIND_OP_UNMAP, 0, 0, 0, ro, 4096), "unmap");
out:
	teardown_with_result(&a, &b, &res);
}

/* After an unmap the GPU cannot reach the BO any more. */
static void result_fault_after_unbind(void)
{
	struct agx_buf b, res;
	struct agx_job j;
	struct agx a;
	__u64 va;

	if (!setup_with_result(&a, &b, &res))
		return;
	va = agx_va(&a, 4096);
	if (!expect_ok(agx_bind(a.fd, a.vm, DRM_AGX_BIND_OP_MAP,
				DRM_AGX_BIND_READ | DRM_AGX_BIND_WRITE, b.handle, 0, va, 4096),
		       "second map"))
		goto out;
	job_init(&j);
	job_fill(&j, va, 4, 0x77);
	run(&a, &j, "FILL through the second mapping");
	words(buf_u32(&b), 0, 1, 0x77, "FILL through the second mapping");
	if (expect_ok(agx_bind(a.fd, a.vm, DRM_AGX_BIND_OP_UNMAP, 0, 0, 0, va, 4096), "unmap")) {
		job_init(&j);
		job_fill(&j, va + 4, 4, 0x88);
		check_fault(&a, &j, &res, 0, va + 4, "FILL after the unmap");
		words(buf_u32(&b), 1, 2, 0, "word written after the unmap");
	}
out:
	teardown_with_result(&a, &b, &res);
}

/* An unknown opcode ends the submission with STATUS_ILLEGAL; nothing after it runs. */
static void result_illegal(void)
{
	struct drm_agx_result r;
	struct agx_buf b, res;
	struct agx_job j;
	struct agx a;
	int status;

	if (!setup_with_result(&a, &b, &res))
		return;
	job_init(&j);
	job_nop(&j);
	job_fill(&j, b.va, 4, 0x5a5a5a5a);
	job_word(&j, DRM_AGX_CMD(0x7e, 0));
	job_fill(&j, b.va + 4, 4, 0x5a5a5a5a);
	job_result(&j, res.handle, 8);
	if (expect_ok(run_job(&a, &j, &status), "SUBMIT with opcode 0x7e")) {
		memcpy(&r, res.map + 8, sizeof(r));
		expect(r.status == DRM_AGX_STATUS_ILLEGAL, "status %u (%s), want ILLEGAL",
		       r.status, status_name(r.status));
		expect(r.command_index == 2, "command_index %u, want 2", r.command_index);
		expect(status < 0, "fence status %d: an illegal command succeeded", status);
		/* Whether commands before it ran is the firmware's choice. */
		words(buf_u32(&b), 1, 2, 0, "FILL after the illegal command");
		info("illegal command: fence error %d", status);
	}
	job_init(&j);
	job_nop(&j);
	run(&a, &j, "NOP after the illegal command");
	teardown_with_result(&a, &b, &res);
}

static int submit_raw(struct agx *a, struct drm_agx_submit *s)
{
	return agx_ioctl(a->fd, DRM_IOCTL_AGX_SUBMIT, s);
}

static void submit_bad_queue(void)
{
	struct agx_job j;
	struct agx a;

	if (!agx_setup(&a))
		return;
	job_init(&j);
	job_nop(&j);
	expect_err(job_submit(a.fd, 0xdead, &j), ENOENT, "SUBMIT to queue 0xdead");
	expect_err(job_submit(a.fd, 0, &j), ENOENT, "SUBMIT to queue 0");
	agx_teardown(&a);
}

static void submit_bad_commands(void)
{
	__u32 words_[4] = { DRM_AGX_CMD(DRM_AGX_OP_NOP, 0), 0, 0, 0 };
	struct drm_agx_submit s = { 0 };
	struct agx a;

	if (!agx_setup(&a))
		return;
	s.queue_id = a.queue;
	s.commands = (uintptr_t)words_;
	s.command_bytes = 0;
	expect_err(submit_raw(&a, &s), EINVAL, "command_bytes 0");
	s.command_bytes = 6;
	expect_err(submit_raw(&a, &s), EINVAL, "command_bytes 6");
	s.command_bytes = 3;
	expect_err(submit_raw(&a, &s), EINVAL, "command_bytes 3");
	s.command_bytes = 4;
	s.commands = 16;
	expect_err(submit_raw(&a, &s), EFAULT, "commands pointing nowhere");
	s.commands = (uintptr_t)words_;
	s.flags = 1;
	expect_err(submit_raw(&a, &s), EINVAL, "flags 1");
	s.flags = 0x80000000;
	expect_err(submit_raw(&a, &s), EINVAL, "flags bit 31");
	agx_teardown(&a);
}

static void submit_bad_syncs(void)
{
	struct drm_agx_sync sync[2];
	struct drm_agx_submit s = { 0 };
	__u32 nop = DRM_AGX_CMD(DRM_AGX_OP_NOP, 0), so, bad;
	struct agx a;

	if (!agx_setup(&a))
		return;
	so = sync_new(a.fd);
	if (!so)
		goto out;
	bad = so + 1000;
	s.queue_id = a.queue;
	s.sync_stride = sizeof(struct drm_agx_sync);
	s.commands = (uintptr_t)&nop;
	s.command_bytes = 4;
	memset(sync, 0, sizeof(sync));

	sync[0].handle = bad;
	s.in_syncs = (uintptr_t)sync;
	s.in_sync_count = 1;
	expect_err(submit_raw(&a, &s), ENOENT, "bad in-sync handle");
	s.in_sync_count = 0;
	s.out_syncs = (uintptr_t)sync;
	s.out_sync_count = 1;
	expect_err(submit_raw(&a, &s), ENOENT, "bad out-sync handle");
	sync[0].handle = so;
	sync[0].sync_type = 2;
	expect_err(submit_raw(&a, &s), EINVAL, "sync_type 2");
	sync[0].sync_type = DRM_AGX_SYNC_BINARY;
	sync[0].timeline_value = 1;
	expect_err(submit_raw(&a, &s), EINVAL, "binary sync with a timeline_value");
	sync[0].timeline_value = 0;
	s.out_syncs = 16;
	expect_err(submit_raw(&a, &s), EFAULT, "out_syncs pointing nowhere");
	s.out_sync_count = 0;
	s.in_syncs = 16;
	s.in_sync_count = 1;
	expect_err(submit_raw(&a, &s), EFAULT, "in_syncs pointing nowhere");
	s.in_sync_count = a.p.max_syncs + 1;
	expect_err2(submit_raw(&a, &s), EINVAL, E2BIG, "max_syncs + 1 in-syncs");
	s.in_sync_count = 0;
	s.out_syncs = (uintptr_t)sync;
	s.out_sync_count = a.p.max_syncs + 1;
	expect_err2(submit_raw(&a, &s), EINVAL, E2BIG, "max_syncs + 1 out-syncs");
	s.out_sync_count = 1;
	expect_ok(submit_raw(&a, &s), "valid out-sync");
	expect_ok(sync_wait(a.fd, so, 0, AGX_WAIT_MS), "wait");
out:
	sync_free(a.fd, so);
	agx_teardown(&a);
}

static void submit_bad_result(void)
{
	struct agx_buf res;
	struct agx_job j;
	struct agx a;

	if (!agx_setup(&a))
		return;
	if (!buf_new(&a, &res, 4096))
		goto out;
	job_init(&j);
	job_nop(&j);
	job_result(&j, res.handle + 1000, 0);
	expect_err(job_submit(a.fd, a.queue, &j), ENOENT, "bad result handle");
	job_result(&j, res.handle, 4);
	expect_err(job_submit(a.fd, a.queue, &j), EINVAL, "result_offset 4");
	job_result(&j, res.handle, res.size - 8);
	expect_err(job_submit(a.fd, a.queue, &j), EINVAL, "record past the end of the BO");
	job_result(&j, res.handle, res.size);
	expect_err(job_submit(a.fd, a.queue, &j), EINVAL, "result_offset at the end");
	job_result(&j, res.handle, ~7ULL);
	expect_err(job_submit(a.fd, a.queue, &j), EINVAL, "result_offset ~7");
	job_result(&j, res.handle, res.size - sizeof(struct drm_agx_result));
	run(&a, &j, "record at the very end of the BO");
	buf_free(&a, &res);
out:
	agx_teardown(&a);
}

const struct uapi_case uapi_submit_cases[] = {
	{ "submit_fill", submit_fill },
	{ "submit_copy", submit_copy },
	{ "submit_axpy", submit_axpy },
	{ "submit_stream_order", submit_stream_order },
	{ "submit_timestamp", submit_timestamp },
	{ "submit_nop_barrier", submit_nop_barrier },
	{ "submit_max_command_bytes", submit_max_command_bytes },
	{ "submit_many", submit_many },
	{ "bind_bo_offset", bind_bo_offset },
	{ "result_complete", result_complete },
	{ "result_status_last", result_status_last },
	{ "result_fault_write", result_fault_write },
	{ "result_fault_read", result_fault_read },
	{ "result_fault_readonly", result_fault_readonly },
	{ "result_fault_after_unbind", result_fault_after_unbind },
	{ "result_illegal", result_illegal },
	{ "submit_bad_queue", submit_bad_queue },
	{ "submit_bad_commands", submit_bad_commands },
	{ "submit_bad_syncs", submit_bad_syncs },
	{ "submit_bad_result", submit_bad_result },
	{ NULL, NULL },
};
