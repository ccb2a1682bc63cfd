/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The packets of the simulated command processor, as the driver writes them
 * to a ring and as the CP reads them back.
 *
 * Every packet is a header dword followed by its payload, PM4 "type 3"
 * style: the header holds the packet type (3) in bits 31..30, the payload
 * length minus one in bits 29..16 and the opcode in bits 15..8. Addresses
 * are GPU addresses (VRAM or GART, see amdgpu_sim.h), two dwords, low
 * dword first. Packets may straddle the end of the ring: the CP reads
 * dword by dword with the ring's mask.
 *
 * A header the CP does not understand, or a payload shorter than its
 * opcode needs, stops the CP on that packet: the ring hangs, as a real one
 * does, and the scheduler's timeout recovers it.
 */
#ifndef _AMDGPU_PM4_H_
#define _AMDGPU_PM4_H_

#include <linux/bits.h>
#include <linux/kernel.h>
#include <linux/sizes.h>
#include <linux/types.h>

/**
 * AMDSIM_PACKET3() - a packet header
 * @op: an &enum amdsim_pm4_op
 * @n: the number of payload dwords, 1 to 16384
 */
#define AMDSIM_PACKET3(op, n)	((3u << 30) | ((((n) - 1) & 0x3fffu) << 16) | \
				 (((op) & 0xffu) << 8))
/**
 * AMDSIM_PACKET_TYPE() - the type of a header; 3 for every valid packet
 * @h: the header dword
 */
#define AMDSIM_PACKET_TYPE(h)	((h) >> 30)
/**
 * AMDSIM_PACKET_COUNT() - the number of payload dwords of a header
 * @h: the header dword
 */
#define AMDSIM_PACKET_COUNT(h)	((((h) >> 16) & 0x3fffu) + 1)
/**
 * AMDSIM_PACKET_OP() - the opcode of a header
 * @h: the header dword
 */
#define AMDSIM_PACKET_OP(h)	(((h) >> 8) & 0xffu)

/**
 * enum amdsim_pm4_op - opcodes
 * @AMDSIM_PM4_NOP: payload ignored; pads the ring
 * @AMDSIM_PM4_WRITE_DATA: payload dst (2), then one or more dwords written
 *	from dst on
 * @AMDSIM_PM4_WAIT_MEM: payload addr (2), ref, mask: the CP stops until
 *	(the dword at addr & mask) == ref
 * @AMDSIM_PM4_COPY_DATA: payload dst (2), src (2), bytes: copies bytes (a
 *	multiple of 4, at most %AMDSIM_PM4_MAX_COPY) from src to dst
 * @AMDSIM_PM4_FENCE: payload addr (2), seqno (2), flags: writes the 64-bit
 *	seqno at addr once every earlier packet is done, then raises the
 *	ring's interrupt if flags has %AMDSIM_FENCE_INT
 */
enum amdsim_pm4_op {
	AMDSIM_PM4_NOP = 0x10,
	AMDSIM_PM4_WRITE_DATA = 0x37,
	AMDSIM_PM4_WAIT_MEM = 0x3c,
	AMDSIM_PM4_COPY_DATA = 0x40,
	AMDSIM_PM4_FENCE = 0x49,
};

/**
 * define AMDSIM_FENCE_INT - the FENCE flag that raises the interrupt after the write
 */
#define AMDSIM_FENCE_INT	BIT(0)

/**
 * define AMDSIM_PM4_MAX_COPY - the longest COPY_DATA, in bytes
 */
#define AMDSIM_PM4_MAX_COPY	SZ_1M

/**
 * define AMDSIM_PM4_FENCE_DW - the length of a FENCE packet, in dwords
 */
#define AMDSIM_PM4_FENCE_DW	6

/*
 * Builders: each writes one packet at @p and returns its length in dwords.
 * The caller makes sure the room is there.
 */

/**
 * amdsim_pm4_nop() - a NOP packet
 * @p: where it goes
 * @n: its length in dwords, header included, at least 2
 *
 * Return: @n.
 */
static inline u32 amdsim_pm4_nop(u32 *p, u32 n)
{
	u32 i;

	p[0] = AMDSIM_PACKET3(AMDSIM_PM4_NOP, n - 1);
	for (i = 1; i < n; i++)
		p[i] = 0;
	return n;
}

/**
 * amdsim_pm4_write_data() - a WRITE_DATA packet
 * @p: where it goes
 * @dst: GPU address of the first dword written
 * @data: the dwords to write
 * @n: how many, at least 1
 *
 * Return: the packet's length, 3 + @n.
 */
static inline u32 amdsim_pm4_write_data(u32 *p, u64 dst, const u32 *data, u32 n)
{
	u32 i;

	p[0] = AMDSIM_PACKET3(AMDSIM_PM4_WRITE_DATA, 2 + n);
	p[1] = lower_32_bits(dst);
	p[2] = upper_32_bits(dst);
	for (i = 0; i < n; i++)
		p[3 + i] = data[i];
	return 3 + n;
}

/**
 * amdsim_pm4_wait_mem() - a WAIT_MEM packet
 * @p: where it goes
 * @addr: GPU address of the dword the CP polls
 * @ref: the value it waits for
 * @mask: the bits compared
 *
 * Return: the packet's length, 5.
 */
static inline u32 amdsim_pm4_wait_mem(u32 *p, u64 addr, u32 ref, u32 mask)
{
	p[0] = AMDSIM_PACKET3(AMDSIM_PM4_WAIT_MEM, 4);
	p[1] = lower_32_bits(addr);
	p[2] = upper_32_bits(addr);
	p[3] = ref;
	p[4] = mask;
	return 5;
}

/**
 * amdsim_pm4_copy_data() - a COPY_DATA packet
 * @p: where it goes
 * @dst: GPU address copied to
 * @src: GPU address copied from
 * @bytes: a multiple of 4, at most %AMDSIM_PM4_MAX_COPY
 *
 * Return: the packet's length, 6.
 */
static inline u32 amdsim_pm4_copy_data(u32 *p, u64 dst, u64 src, u32 bytes)
{
	p[0] = AMDSIM_PACKET3(AMDSIM_PM4_COPY_DATA, 5);
	p[1] = lower_32_bits(dst);
	p[2] = upper_32_bits(dst);
	p[3] = lower_32_bits(src);
	p[4] = upper_32_bits(src);
	p[5] = bytes;
	return 6;
}

/**
 * amdsim_pm4_fence() - a FENCE packet
 * @p: where it goes
 * @addr: GPU address of the 64-bit fence memory
 * @seq: the seqno written there
 * @flags: %AMDSIM_FENCE_INT or 0
 *
 * Return: the packet's length, %AMDSIM_PM4_FENCE_DW.
 */
static inline u32 amdsim_pm4_fence(u32 *p, u64 addr, u64 seq, u32 flags)
{
	p[0] = AMDSIM_PACKET3(AMDSIM_PM4_FENCE, 5);
	p[1] = lower_32_bits(addr);
	p[2] = upper_32_bits(addr);
	p[3] = lower_32_bits(seq);
	p[4] = upper_32_bits(seq);
	p[5] = flags;
	return 6;
}

#endif /* _AMDGPU_PM4_H_ */
