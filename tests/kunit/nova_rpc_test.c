// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * gpucore_nova_rpc: the nova backend's command and message queues and its
 * RPC layer. The rings alone: records of every size wrapping around the
 * end, full rings, and each check of the consumer (checksum, length,
 * pointers, sequence) triggered by damaging shared memory. Then the RPC
 * layer against the simulated GSP: replies corrupted, out of sequence, for
 * the wrong function or of the wrong size, late or missing, a full command
 * queue, a damaged command, and a shutdown; each is refused, counted, and
 * leaves the channel working.
 */

#include <kunit/resource.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/jiffies.h>
#include <linux/sizes.h>
#include <linux/workqueue.h>

#include "gc_test.h"
#include "nova_drv.h"

#define RPC_WAIT_MS	2000	/* a bound the passing cases never reach */

/* -- the rings alone ----------------------------------------------------- */

static void shm_free(struct kunit_resource *res)
{
	nova_shm_free(res->data);
}

/* A producer and a consumer on the command ring of fresh shared memory. */
static struct nova_shm *ring_pair(struct kunit *test, u32 size, struct nova_ring *tx,
				  struct nova_ring *rx)
{
	struct nova_shm *shm = kunit_kzalloc(test, sizeof(*shm), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, shm);
	KUNIT_ASSERT_EQ(test, nova_shm_alloc(shm, size, 64), 0);
	KUNIT_ASSERT_NOT_NULL(test, kunit_alloc_resource(test, NULL, shm_free, GFP_KERNEL, shm));
	nova_ring_init(tx, shm->cmdq_ctrl, shm->cmdq_data, shm->cmdq_size);
	nova_ring_init(rx, shm->cmdq_ctrl, shm->cmdq_data, shm->cmdq_size);
	return shm;
}

static void pattern(u8 *buf, u32 len, u32 seed)
{
	u32 i;

	for (i = 0; i < len; i++)
		buf[i] = seed * 31 + i * 7;
}

static int ring_put(struct nova_ring *tx, u32 fn, const void *payload, u32 len, u32 flags)
{
	struct nova_rec_hdr h = { .function = fn, .length = len, .reply_to = fn + 1,
				  .status = -(int)(fn % 7) };

	return nova_ring_write(tx, &h, payload, flags);
}

/*
 * Records of 0 to 60 bytes, written one at a time and in batches until the
 * ring is full, come out whole and in order while both pointers go around
 * the ring many times, many records straddling its end.
 */
static void ring_wraps_around(struct kunit *test)
{
	struct nova_ring tx, rx;
	struct nova_rec_hdr got;
	u8 out[64], in[64];
	unsigned int round, n, k, wraps = 0, straddled = 0;
	u32 fn = 0, expect_fn = 0, expect_seq = 1;

	ring_pair(test, 256, &tx, &rx);
	for (round = 0; round < 60; round++) {
		/* Round 0 fills the ring; others write 1 to 5 records. */
		for (n = 0; round == 0 || n < 1 + round % 5; n++) {
			u32 len = (fn * 13) % 61, before = tx.pos;
			int ret;

			pattern(out, len, fn);
			ret = ring_put(&tx, fn, out, len, 0);
			if (ret == -EAGAIN)
				break;
			KUNIT_ASSERT_EQ(test, ret, 0);
			if (before + sizeof(got) + len > 256)
				straddled++;
			if (tx.pos < before)
				wraps++;
			fn++;
		}
		for (k = 0; k < n; k++) {
			u32 len = (expect_fn * 13) % 61;

			memset(in, 0, sizeof(in));
			KUNIT_ASSERT_EQ(test, nova_ring_read(&rx, &got, in, sizeof(in)), 0);
			KUNIT_EXPECT_EQ(test, got.seq, expect_seq);
			KUNIT_EXPECT_EQ(test, got.function, expect_fn);
			KUNIT_EXPECT_EQ(test, got.length, len);
			KUNIT_EXPECT_EQ(test, got.reply_to, expect_fn + 1);
			KUNIT_EXPECT_EQ(test, got.status, -(int)(expect_fn % 7));
			pattern(out, len, expect_fn);
			KUNIT_EXPECT_EQ(test, memcmp(in, out, len), 0);
			expect_fn++;
			expect_seq++;
		}
		KUNIT_EXPECT_EQ(test, nova_ring_read(&rx, &got, in, sizeof(in)), -ENODATA);
		KUNIT_EXPECT_EQ(test, rx.pos, tx.pos);
	}
	KUNIT_EXPECT_GT(test, wraps, 10u);
	KUNIT_EXPECT_GT(test, straddled, 5u);
}

/*
 * A full ring refuses a record (-EAGAIN) and has room again once the
 * consumer took one; a record larger than the ring can ever hold is
 * refused (-EMSGSIZE) without touching it; a reader with too small a
 * buffer skips the record (-EMSGSIZE) and stays in sequence.
 */
static void ring_full_and_too_large(struct kunit *test)
{
	struct nova_ring tx, rx;
	struct nova_rec_hdr got;
	u8 buf[256] = {};
	unsigned int n = 0;

	ring_pair(test, 256, &tx, &rx);
	KUNIT_EXPECT_EQ(test, nova_ring_max_payload(&tx), 256u - 16 - 32);
	/* 48-byte records: 15 units of 16 bytes are usable, so 5 fit. */
	while (nova_ring_has_room(&tx, 16)) {
		KUNIT_ASSERT_EQ(test, ring_put(&tx, n, buf, 16, 0), 0);
		KUNIT_ASSERT_LT(test, ++n, 100u);
	}
	KUNIT_EXPECT_EQ(test, n, 5u);
	KUNIT_EXPECT_EQ(test, ring_put(&tx, 99, buf, 16, 0), -EAGAIN);
	/* Not even a bare header fits in the reserved gap. */
	KUNIT_EXPECT_FALSE(test, nova_ring_has_room(&tx, 0));
	KUNIT_EXPECT_EQ(test, ring_put(&tx, 99, buf, nova_ring_max_payload(&tx) + 1, 0),
			-EMSGSIZE);

	KUNIT_ASSERT_EQ(test, nova_ring_read(&rx, &got, buf, sizeof(buf)), 0);
	KUNIT_EXPECT_EQ(test, got.function, 0u);
	KUNIT_EXPECT_TRUE(test, nova_ring_has_room(&tx, 16));
	KUNIT_EXPECT_EQ(test, ring_put(&tx, 5, buf, 16, 0), 0);

	/* Too long for the reader's buffer: skipped, not copied. */
	KUNIT_EXPECT_EQ(test, nova_ring_read(&rx, &got, buf, 8), -EMSGSIZE);
	KUNIT_EXPECT_EQ(test, got.function, 1u);
	KUNIT_EXPECT_EQ(test, nova_ring_read(&rx, &got, buf, sizeof(buf)), 0);
	KUNIT_EXPECT_EQ(test, got.function, 2u);
}

/* Byte offset of the record the producer writes next. */
static u32 next_rec(const struct nova_ring *tx)
{
	return tx->pos;
}

/*
 * Damage in shared memory is caught by the consumer: a flipped payload or
 * header bit fails the checksum (-EBADMSG) and that record alone is
 * skipped; a damaged length that misplaces the next header, or one
 * beyond what was published, is refused (-EPROTO) and the ring dropped
 * and resynchronised. Nothing damaged is ever returned as valid. An
 * invalid write pointer (-EIO) or read pointer (-EPROTO) is refused
 * without moving anything.
 */
static void ring_catches_damage(struct kunit *test)
{
	struct nova_ring tx, rx;
	struct nova_rec_hdr got;
	u8 out[32], in[32];
	u32 rec, wptr, rptr;

	ring_pair(test, 512, &tx, &rx);
	pattern(out, sizeof(out), 1);

	/* A payload bit: that record is skipped, the one behind it is fine. */
	KUNIT_ASSERT_EQ(test, ring_put(&tx, 1, out, 8, 0), 0);
	rec = next_rec(&tx);
	KUNIT_ASSERT_EQ(test, ring_put(&tx, 2, out, 16, 0), 0);
	KUNIT_ASSERT_EQ(test, ring_put(&tx, 3, out, 0, 0), 0);
	tx.data[rec + sizeof(got) + 5] ^= 0x04;
	KUNIT_EXPECT_EQ(test, nova_ring_read(&rx, &got, in, sizeof(in)), 0);
	KUNIT_EXPECT_EQ(test, got.function, 1u);
	KUNIT_EXPECT_EQ(test, nova_ring_read(&rx, &got, in, sizeof(in)), -EBADMSG);
	KUNIT_EXPECT_EQ(test, nova_ring_read(&rx, &got, in, sizeof(in)), 0);
	KUNIT_EXPECT_EQ(test, got.function, 3u);
	KUNIT_EXPECT_EQ(test, got.seq, 3u);
	KUNIT_EXPECT_EQ(test, nova_ring_read(&rx, &got, in, sizeof(in)), -ENODATA);
	KUNIT_EXPECT_FALSE(test, rx.resync);

	/*
	 * A damaged length inside what was published: the checksum fails,
	 * the skip lands in the payload, whose bytes make no header.
	 */
	rec = next_rec(&tx);
	KUNIT_ASSERT_EQ(test, ring_put(&tx, 4, out, 32, 0), 0);
	KUNIT_ASSERT_EQ(test, ring_put(&tx, 5, out, 0, 0), 0);
	*(u32 *)(tx.data + rec + offsetof(struct nova_rec_hdr, length)) = 0;
	KUNIT_EXPECT_EQ(test, nova_ring_read(&rx, &got, in, sizeof(in)), -EBADMSG);
	KUNIT_EXPECT_EQ(test, nova_ring_read(&rx, &got, in, sizeof(in)), -EPROTO);
	KUNIT_EXPECT_EQ(test, nova_ring_read(&rx, &got, in, sizeof(in)), -ENODATA);
	KUNIT_EXPECT_TRUE(test, rx.resync);
	KUNIT_EXPECT_EQ(test, rx.pos, tx.pos);
	/* Resynchronised: the next record is taken as it comes. */
	KUNIT_ASSERT_EQ(test, ring_put(&tx, 6, out, 4, 0), 0);
	KUNIT_EXPECT_EQ(test, nova_ring_read(&rx, &got, in, sizeof(in)), 0);
	KUNIT_EXPECT_EQ(test, got.function, 6u);
	KUNIT_EXPECT_EQ(test, got.seq, 6u);

	/* A header bit (the function), and the producer's own corruption. */
	rec = next_rec(&tx);
	KUNIT_ASSERT_EQ(test, ring_put(&tx, 7, out, 4, 0), 0);
	tx.data[rec + offsetof(struct nova_rec_hdr, function)] ^= 0x01;
	KUNIT_EXPECT_EQ(test, nova_ring_read(&rx, &got, in, sizeof(in)), -EBADMSG);
	KUNIT_EXPECT_EQ(test, rx.pos, tx.pos);
	KUNIT_ASSERT_EQ(test, ring_put(&tx, 8, out, 4, NOVA_RING_CORRUPT), 0);
	KUNIT_EXPECT_EQ(test, nova_ring_read(&rx, &got, in, sizeof(in)), -EBADMSG);
	KUNIT_ASSERT_EQ(test, ring_put(&tx, 9, out, 0, NOVA_RING_CORRUPT), 0);
	KUNIT_EXPECT_EQ(test, nova_ring_read(&rx, &got, in, sizeof(in)), -EBADMSG);

	/* A length past what the producer published. */
	rec = next_rec(&tx);
	KUNIT_ASSERT_EQ(test, ring_put(&tx, 10, out, 8, 0), 0);
	*(u32 *)(tx.data + rec + offsetof(struct nova_rec_hdr, length)) = 200;
	KUNIT_EXPECT_EQ(test, nova_ring_read(&rx, &got, in, sizeof(in)), -EPROTO);
	KUNIT_EXPECT_EQ(test, rx.pos, tx.pos);

	/* An invalid write pointer: nothing is consumed until it is repaired. */
	KUNIT_ASSERT_EQ(test, ring_put(&tx, 11, out, 8, 0), 0);
	wptr = tx.ctrl->wptr;
	rec = rx.pos;
	tx.ctrl->wptr = 3;
	KUNIT_EXPECT_EQ(test, nova_ring_read(&rx, &got, in, sizeof(in)), -EIO);
	KUNIT_EXPECT_EQ(test, rx.pos, rec);
	tx.ctrl->wptr = 1024;
	KUNIT_EXPECT_EQ(test, nova_ring_read(&rx, &got, in, sizeof(in)), -EIO);
	tx.ctrl->wptr = wptr;
	KUNIT_EXPECT_EQ(test, nova_ring_read(&rx, &got, in, sizeof(in)), 0);
	KUNIT_EXPECT_EQ(test, got.function, 11u);

	/* An invalid read pointer: the producer writes nothing. */
	rptr = tx.ctrl->rptr;
	tx.ctrl->rptr = 7;
	KUNIT_EXPECT_EQ(test, ring_put(&tx, 12, out, 8, 0), -EPROTO);
	KUNIT_EXPECT_EQ(test, tx.ctrl->wptr, wptr);
	tx.ctrl->rptr = rptr;
	KUNIT_EXPECT_EQ(test, ring_put(&tx, 12, out, 8, 0), 0);
	KUNIT_EXPECT_EQ(test, nova_ring_read(&rx, &got, in, sizeof(in)), 0);
	KUNIT_EXPECT_EQ(test, memcmp(in, out, 8), 0);
}

/*
 * Sequence numbers: a gap (a record lost) and a step back (a record
 * replayed) are reported (-EILSEQ) with the record, and the sequence
 * continues from it.
 */
static void ring_sequence(struct kunit *test)
{
	struct nova_ring tx, rx;
	struct nova_rec_hdr got;
	u8 buf[16] = {};

	ring_pair(test, 256, &tx, &rx);
	KUNIT_ASSERT_EQ(test, ring_put(&tx, 1, buf, 4, 0), 0);
	KUNIT_ASSERT_EQ(test, ring_put(&tx, 2, buf, 4, NOVA_RING_SKIP_SEQ), 0);
	KUNIT_ASSERT_EQ(test, ring_put(&tx, 3, buf, 4, 0), 0);
	KUNIT_EXPECT_EQ(test, nova_ring_read(&rx, &got, buf, sizeof(buf)), 0);
	KUNIT_EXPECT_EQ(test, got.seq, 1u);
	KUNIT_EXPECT_EQ(test, nova_ring_read(&rx, &got, buf, sizeof(buf)), -EILSEQ);
	KUNIT_EXPECT_EQ(test, got.seq, 3u);
	KUNIT_EXPECT_EQ(test, got.function, 2u);
	KUNIT_EXPECT_EQ(test, nova_ring_read(&rx, &got, buf, sizeof(buf)), 0);
	KUNIT_EXPECT_EQ(test, got.seq, 4u);

	/* The producer starts over: its record repeats a number. */
	tx.seq = 2;
	KUNIT_ASSERT_EQ(test, ring_put(&tx, 4, buf, 4, 0), 0);
	KUNIT_EXPECT_EQ(test, nova_ring_read(&rx, &got, buf, sizeof(buf)), -EILSEQ);
	KUNIT_EXPECT_EQ(test, got.seq, 3u);
	KUNIT_ASSERT_EQ(test, ring_put(&tx, 5, buf, 4, 0), 0);
	KUNIT_EXPECT_EQ(test, nova_ring_read(&rx, &got, buf, sizeof(buf)), 0);
}

/* -- the RPC layer against the simulated GSP ---------------------------- */

struct rpc_fx {
	struct kunit *test;
	struct device *parent;
	struct nova_device *ndev;
	struct nova_rpc *rpc;
	struct nova_gsp *gsp;
	unsigned int leaks;
};

static void rpc_fx_free(struct kunit_resource *res)
{
	struct rpc_fx *fx = res->data;

	if (fx->parent)
		root_device_unregister(fx->parent);
}

/* A device whose queues have @cmdq and @msgq bytes (0: 4 KiB). */
static struct rpc_fx *rpc_fx_init(struct kunit *test, u32 cmdq, u32 msgq, unsigned int timeout_ms)
{
	struct nova_config cfg = nova_default_config;
	struct rpc_fx *fx = kunit_kzalloc(test, sizeof(*fx), GFP_KERNEL);
	struct nova_device *ndev;
	struct device *parent;

	KUNIT_ASSERT_NOT_NULL(test, fx);
	fx->test = test;
	fx->leaks = UINT_MAX;
	cfg.cmdq_size = cmdq ?: SZ_4K;
	cfg.msgq_size = msgq ?: SZ_4K;
	cfg.vram_size = SZ_1M;
	cfg.vram_visible = SZ_512K;
	cfg.rpc_timeout_ms = timeout_ms;
	cfg.leaks = &fx->leaks;
	parent = root_device_register("gpucore-nova-rpc-test");
	KUNIT_ASSERT_FALSE(test, IS_ERR(parent));
	fx->parent = parent;
	KUNIT_ASSERT_NOT_NULL(test, kunit_alloc_resource(test, NULL, rpc_fx_free, GFP_KERNEL, fx));
	ndev = nova_device_create(parent, &cfg);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(ndev), "nova_device_create: %ld", PTR_ERR(ndev));
	fx->ndev = ndev;
	fx->rpc = &ndev->rpc;
	fx->gsp = ndev->gsp;
	return fx;
}

/* The end of a passing case: the device goes, nothing leaked. */
static void rpc_fx_fini(struct rpc_fx *fx)
{
	root_device_unregister(fx->parent);
	fx->parent = NULL;
	KUNIT_EXPECT_EQ(fx->test, fx->leaks, 0u);
	gc_expect_no_reports(fx->test);
}

static int get_info(struct rpc_fx *fx, struct nova_rpc_msg *msg, struct nova_msg_info *info,
		    u32 flags)
{
	memset(info, 0, sizeof(*info));
	*msg = (struct nova_rpc_msg){
		.function = NOVA_FN_GET_INFO,
		.reply = info,
		.reply_len = sizeof(*info),
	};
	return nova_rpc_call(fx->rpc, msg, flags);
}

/* A call that must work, and whose reply must be right. */
static void expect_call_works(struct rpc_fx *fx)
{
	struct nova_msg_info info;
	struct nova_rpc_msg msg;

	KUNIT_EXPECT_EQ(fx->test, get_info(fx, &msg, &info, 0), 0);
	KUNIT_EXPECT_EQ(fx->test, msg.status, 0);
	KUNIT_EXPECT_EQ(fx->test, info.vram_size, (u64)SZ_1M);
	KUNIT_EXPECT_EQ(fx->test, info.vram_visible, (u64)SZ_512K);
}

#define STAT(fx, name)	atomic_read(&(fx)->rpc->stats.name)

/* Wait (bounded) until a counter reaches @n; its value. */
static int wait_stat(atomic_t *stat, int n)
{
	unsigned long end = jiffies + msecs_to_jiffies(RPC_WAIT_MS);

	while (atomic_read(stat) < n && time_before(jiffies, end))
		usleep_range(2000, 5000);
	return atomic_read(stat);
}

#define WAIT_STAT(fx, name, n)	wait_stat(&(fx)->rpc->stats.name, n)

/*
 * Calls through queues of 256 bytes: both wrap around many times, every
 * reply carries what the GSP said, and each call's sequence number is one
 * more than the last.
 */
static void rpc_calls_wrap(struct kunit *test)
{
	struct rpc_fx *fx = rpc_fx_init(test, 256, 256, RPC_WAIT_MS);
	struct nova_msg_info info;
	struct nova_rpc_msg msg;
	u32 last = 0;
	unsigned int i;

	for (i = 0; i < 200; i++) {
		KUNIT_ASSERT_EQ(test, get_info(fx, &msg, &info, 0), 0);
		KUNIT_EXPECT_EQ(test, msg.status, 0);
		KUNIT_EXPECT_EQ(test, info.version, (u32)NOVA_GSP_VERSION);
		KUNIT_EXPECT_EQ(test, info.nr_channels, (u32)NOVA_GSP_CHANNELS);
		KUNIT_EXPECT_EQ(test, info.vram_size, (u64)SZ_1M);
		if (last)
			KUNIT_EXPECT_EQ(test, msg.seq, last + 1);
		last = msg.seq;
	}
	/* 64-byte records in 256-byte rings: around both 50 times. */
	KUNIT_EXPECT_GE(test, msg.seq, 200u);
	KUNIT_EXPECT_EQ(test, STAT(fx, calls), (int)msg.seq);
	KUNIT_EXPECT_EQ(test, STAT(fx, timeouts) + STAT(fx, bad_checksum) + STAT(fx, bad_seq), 0);
	rpc_fx_fini(fx);
}

/*
 * A reply whose bit flipped after its checksum fails the call with
 * -EBADMSG and is counted; the same happens to a corrupted event. The
 * channel keeps working.
 */
static void rpc_checksum_corruption(struct kunit *test)
{
	struct rpc_fx *fx = rpc_fx_init(test, 0, 0, RPC_WAIT_MS);
	struct nova_msg_info info;
	struct nova_rpc_msg msg;

	nova_gsp_inject(fx->gsp, NOVA_GSP_FAULT_CORRUPT);
	KUNIT_EXPECT_EQ(test, get_info(fx, &msg, &info, 0), -EBADMSG);
	KUNIT_EXPECT_NE(test, msg.seq, 0u);
	KUNIT_EXPECT_EQ(test, info.vram_size, 0ull);
	KUNIT_EXPECT_EQ(test, STAT(fx, bad_checksum), 1);
	expect_call_works(fx);
	expect_call_works(fx);
	KUNIT_EXPECT_EQ(test, STAT(fx, bad_checksum), 1);
	rpc_fx_fini(fx);
}

/*
 * Sequence checks: a reply that answers a command never sent fails the
 * call with -EPROTO; a reply that skipped a sequence number (a record
 * lost) with -EILSEQ. Both are counted; the channel keeps working.
 */
static void rpc_sequence_mismatch(struct kunit *test)
{
	struct rpc_fx *fx = rpc_fx_init(test, 0, 0, RPC_WAIT_MS);
	struct nova_msg_info info;
	struct nova_rpc_msg msg;

	nova_gsp_inject(fx->gsp, NOVA_GSP_FAULT_BAD_REPLY_TO);
	KUNIT_EXPECT_EQ(test, get_info(fx, &msg, &info, 0), -EPROTO);
	KUNIT_EXPECT_EQ(test, STAT(fx, bad_seq), 1);
	expect_call_works(fx);

	nova_gsp_inject(fx->gsp, NOVA_GSP_FAULT_SKIP_SEQ);
	KUNIT_EXPECT_EQ(test, get_info(fx, &msg, &info, 0), -EILSEQ);
	KUNIT_EXPECT_EQ(test, STAT(fx, bad_seq), 2);
	KUNIT_EXPECT_EQ(test, info.vram_size, 0ull);
	expect_call_works(fx);
	KUNIT_EXPECT_EQ(test, STAT(fx, bad_seq), 2);
	rpc_fx_fini(fx);
}

/*
 * A reply for another function, or of another size than the function's
 * reply, fails the call with -EPROTO, is counted, and its payload is not
 * copied.
 */
static void rpc_wrong_function_or_length(struct kunit *test)
{
	struct rpc_fx *fx = rpc_fx_init(test, 0, 0, RPC_WAIT_MS);
	struct nova_msg_info info;
	struct nova_rpc_msg msg;

	nova_gsp_inject(fx->gsp, NOVA_GSP_FAULT_BAD_FUNCTION);
	KUNIT_EXPECT_EQ(test, get_info(fx, &msg, &info, 0), -EPROTO);
	KUNIT_EXPECT_EQ(test, STAT(fx, bad_function), 1);
	KUNIT_EXPECT_EQ(test, info.vram_size, 0ull);
	expect_call_works(fx);

	nova_gsp_inject(fx->gsp, NOVA_GSP_FAULT_BAD_LENGTH);
	KUNIT_EXPECT_EQ(test, get_info(fx, &msg, &info, 0), -EPROTO);
	KUNIT_EXPECT_EQ(test, STAT(fx, bad_length), 1);
	KUNIT_EXPECT_EQ(test, info.vram_size, 0ull);
	expect_call_works(fx);
	rpc_fx_fini(fx);
}

/*
 * Receive timeout: with the GSP stopped a call gives up after the channel's
 * timeout (-ETIMEDOUT) and its late reply, once the GSP goes on, is
 * dropped; a command the GSP runs but never answers times out the same.
 */
static void rpc_receive_timeout(struct kunit *test)
{
	const unsigned int timeout_ms = 250;
	struct rpc_fx *fx = rpc_fx_init(test, 0, 0, timeout_ms);
	struct nova_msg_info info;
	struct nova_rpc_msg msg;
	unsigned long start;

	nova_gsp_pause(fx->gsp, true);
	start = jiffies;
	KUNIT_EXPECT_EQ(test, get_info(fx, &msg, &info, 0), -ETIMEDOUT);
	KUNIT_EXPECT_GE(test, jiffies_to_msecs(jiffies - start),
			timeout_ms - jiffies_to_msecs(1));
	KUNIT_EXPECT_NE(test, msg.seq, 0u);
	KUNIT_EXPECT_EQ(test, STAT(fx, timeouts), 1);
	KUNIT_EXPECT_EQ(test, STAT(fx, late_replies), 0);
	nova_gsp_pause(fx->gsp, false);
	KUNIT_EXPECT_EQ(test, WAIT_STAT(fx, late_replies, 1), 1);
	expect_call_works(fx);

	nova_gsp_inject(fx->gsp, NOVA_GSP_FAULT_DROP_REPLY);
	KUNIT_EXPECT_EQ(test, get_info(fx, &msg, &info, 0), -ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, STAT(fx, timeouts), 2);
	expect_call_works(fx);
	KUNIT_EXPECT_EQ(test, STAT(fx, late_replies), 1);
	rpc_fx_fini(fx);
}

/*
 * Send when full: a 128-byte command queue holds three commands. With the
 * GSP stopped, a fourth is refused at once with NOVA_RPC_NOWAIT (-EAGAIN)
 * or after waiting the timeout (-ENOSPC), and never written; a command
 * larger than the queue can ever hold is refused (-EMSGSIZE), and bad
 * arguments with -EINVAL. Once the GSP goes on, the three late replies are
 * dropped and calls work.
 */
static void rpc_send_when_full(struct kunit *test)
{
	const unsigned int timeout_ms = 250;
	struct rpc_fx *fx = rpc_fx_init(test, 128, 0, timeout_ms);
	u8 big[96] = {};
	struct nova_msg_info info;
	struct nova_rpc_msg msg;
	unsigned long start;
	unsigned int i;
	u32 seq;

	nova_gsp_pause(fx->gsp, true);
	for (i = 0; i < 3; i++) {
		KUNIT_EXPECT_EQ(test, get_info(fx, &msg, &info, 0), -ETIMEDOUT);
		KUNIT_EXPECT_NE(test, msg.seq, 0u);
	}
	seq = msg.seq;
	KUNIT_EXPECT_EQ(test, get_info(fx, &msg, &info, NOVA_RPC_NOWAIT), -EAGAIN);
	KUNIT_EXPECT_EQ(test, msg.seq, 0u);
	start = jiffies;
	KUNIT_EXPECT_EQ(test, get_info(fx, &msg, &info, 0), -ENOSPC);
	KUNIT_EXPECT_GE(test, jiffies_to_msecs(jiffies - start),
			timeout_ms - jiffies_to_msecs(1));
	KUNIT_EXPECT_EQ(test, msg.seq, 0u);

	msg = (struct nova_rpc_msg){ .function = NOVA_FN_GET_INFO, .req = big,
				     .req_len = sizeof(big) };
	KUNIT_EXPECT_EQ(test, nova_rpc_call(fx->rpc, &msg, 0), -EMSGSIZE);
	msg.req_len = NOVA_RPC_MAX_PAYLOAD + 1;
	KUNIT_EXPECT_EQ(test, nova_rpc_call(fx->rpc, &msg, 0), -EINVAL);
	msg = (struct nova_rpc_msg){ .function = NOVA_EVT_COMPLETION };
	KUNIT_EXPECT_EQ(test, nova_rpc_call(fx->rpc, &msg, 0), -EINVAL);
	msg = (struct nova_rpc_msg){ .function = NOVA_FN_GET_INFO };
	KUNIT_EXPECT_EQ(test, nova_rpc_call(fx->rpc, &msg, BIT(5)), -EINVAL);
	KUNIT_EXPECT_EQ(test, STAT(fx, calls), (int)seq);

	nova_gsp_pause(fx->gsp, false);
	KUNIT_EXPECT_EQ(test, WAIT_STAT(fx, late_replies, 3), 3);
	expect_call_works(fx);
	rpc_fx_fini(fx);
}

/*
 * The GSP checks commands as the driver checks replies: a command damaged
 * in the queue is dropped without running, and without a reply; the next
 * one runs.
 */
static void rpc_gsp_drops_bad_command(struct kunit *test)
{
	struct rpc_fx *fx = rpc_fx_init(test, 0, 0, 250);
	struct nova_msg_info info;
	struct nova_rpc_msg msg;
	u32 rec;

	nova_gsp_pause(fx->gsp, true);
	rec = fx->rpc->cmdq.pos;
	KUNIT_EXPECT_EQ(test, get_info(fx, &msg, &info, 0), -ETIMEDOUT);
	fx->rpc->cmdq.data[rec + offsetof(struct nova_rec_hdr, function)] ^= 0x02;
	nova_gsp_pause(fx->gsp, false);
	expect_call_works(fx);
	KUNIT_EXPECT_EQ(test, nova_gsp_bad_commands(fx->gsp), 1u);
	KUNIT_EXPECT_EQ(test, STAT(fx, late_replies), 0);
	rpc_fx_fini(fx);
}

struct rpc_async {
	struct work_struct work;
	struct rpc_fx *fx;
	struct nova_rpc_msg msg;
	struct nova_msg_info info;
	int ret;
};

static void rpc_async_call(struct work_struct *work)
{
	struct rpc_async *a = container_of(work, struct rpc_async, work);

	a->ret = get_info(a->fx, &a->msg, &a->info, 0);
}

/*
 * Shutdown (the GSP is gone): the call waiting for its reply fails at once
 * with the shutdown's error, long before its timeout, and so do later
 * calls, without writing anything.
 */
static void rpc_shutdown_fails_calls(struct kunit *test)
{
	struct rpc_fx *fx = rpc_fx_init(test, 0, 0, 10 * RPC_WAIT_MS);
	struct rpc_async *a = kunit_kzalloc(test, sizeof(*a), GFP_KERNEL);
	struct nova_msg_info info;
	struct nova_rpc_msg msg;
	unsigned long start;
	int calls;

	KUNIT_ASSERT_NOT_NULL(test, a);
	a->fx = fx;
	INIT_WORK(&a->work, rpc_async_call);
	calls = STAT(fx, calls);
	nova_gsp_pause(fx->gsp, true);
	queue_work(system_unbound_wq, &a->work);
	KUNIT_ASSERT_EQ(test, WAIT_STAT(fx, calls, calls + 1), calls + 1);
	start = jiffies;
	nova_rpc_shutdown(fx->rpc, -ENODEV);
	flush_work(&a->work);
	KUNIT_EXPECT_LT(test, jiffies_to_msecs(jiffies - start), (unsigned int)RPC_WAIT_MS);
	KUNIT_EXPECT_EQ(test, a->ret, -ENODEV);
	KUNIT_EXPECT_NE(test, a->msg.seq, 0u);
	KUNIT_EXPECT_EQ(test, get_info(fx, &msg, &info, 0), -ENODEV);
	KUNIT_EXPECT_EQ(test, msg.seq, 0u);
	KUNIT_EXPECT_EQ(test, STAT(fx, calls), calls + 1);
	rpc_fx_fini(fx);
}

static struct kunit_case nova_rpc_cases[] = {
	KUNIT_CASE(ring_wraps_around),
	KUNIT_CASE(ring_full_and_too_large),
	KUNIT_CASE(ring_catches_damage),
	KUNIT_CASE(ring_sequence),
	KUNIT_CASE(rpc_calls_wrap),
	KUNIT_CASE(rpc_checksum_corruption),
	KUNIT_CASE(rpc_sequence_mismatch),
	KUNIT_CASE(rpc_wrong_function_or_length),
	KUNIT_CASE(rpc_receive_timeout),
	KUNIT_CASE(rpc_send_when_full),
	KUNIT_CASE(rpc_gsp_drops_bad_command),
	KUNIT_CASE(rpc_shutdown_fails_calls),
	{}
};

static struct kunit_suite nova_rpc_suite = {
	.name = "gpucore_nova_rpc",
	.init = gc_test_init,
	.exit = gc_test_exit,
	.test_cases = nova_rpc_cases,
};

kunit_test_suite(nova_rpc_suite);
