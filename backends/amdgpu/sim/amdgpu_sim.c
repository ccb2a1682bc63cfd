// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The simulated hardware as a whole: creation, power-down, and the
 * interrupt. The interrupt is an irq_work, which runs in hard interrupt
 * context as a device interrupt would; its handler is the driver's, given
 * at creation, like a driver's request_irq(). Like a real interrupt line
 * it is level-less: raising it again before the handler ran is one
 * interrupt, and the handler must look at the fence memory, not count
 * calls.
 */

#include <linux/bitops.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "amdgpu_sim_hw.h"

static void amdsim_hw_irq(struct irq_work *work)
{
	struct amdsim_hw *hw = container_of(work, struct amdsim_hw, irq_work);
	/* Fully ordered: the driver reads the fence memory after the bits. */
	unsigned long rings = xchg(&hw->irq_pending, 0);

	atomic_inc(&hw->irqs);
	if (rings)
		hw->cfg.irq_handler(hw->cfg.irq_data, rings);
}

/**
 * amdsim_hw_create() - power a simulated GPU up
 * @cfg: its sizes and the driver's interrupt handler
 *
 * Every CP is idle, with no ring until amdsim_hw_ring_setup(); VRAM is
 * zeroed, the GART empty.
 *
 * Context: process context; may sleep.
 * Return: the hardware; ERR_PTR(-EINVAL) for a bad @cfg, -ENOMEM.
 */
struct amdsim_hw *amdsim_hw_create(const struct amdsim_hw_config *cfg)
{
	struct amdsim_hw *hw;
	unsigned int i;
	int ret;

	if (!cfg->irq_handler || !cfg->vram_size || !PAGE_ALIGNED(cfg->vram_size) ||
	    !cfg->gtt_size || !PAGE_ALIGNED(cfg->gtt_size) ||
	    cfg->gtt_size / PAGE_SIZE > UINT_MAX)
		return ERR_PTR(-EINVAL);
	hw = kzalloc(sizeof(*hw), GFP_KERNEL);
	if (!hw)
		return ERR_PTR(-ENOMEM);
	hw->cfg = *cfg;
	init_irq_work(&hw->irq_work, amdsim_hw_irq);
	ret = amdsim_hw_mem_init(hw);
	if (ret)
		goto err_free;
	hw->cp_wq = alloc_workqueue("%s-cp", WQ_UNBOUND | WQ_MEM_RECLAIM,
				    AMDSIM_NUM_RINGS, cfg->name);
	if (!hw->cp_wq) {
		ret = -ENOMEM;
		goto err_mem;
	}
	for (i = 0; i < AMDSIM_NUM_RINGS; i++) {
		ret = amdsim_hw_cp_init(&hw->cp[i], hw, i);
		if (ret)
			goto err_cp;
	}
	return hw;

err_cp:
	while (i--)
		amdsim_hw_cp_fini(&hw->cp[i]);
	destroy_workqueue(hw->cp_wq);
err_mem:
	amdsim_hw_mem_fini(hw);
err_free:
	kfree(hw);
	return ERR_PTR(ret);
}

/**
 * amdsim_hw_stop() - power the engines down for good
 * @hw: the hardware
 *
 * Halts every CP and waits for the last interrupt's handler: afterwards
 * nothing of @hw reads a ring or calls the driver. Memory stays, for the
 * CPU, until amdsim_hw_destroy().
 *
 * Context: process context; may sleep.
 */
void amdsim_hw_stop(struct amdsim_hw *hw)
{
	unsigned int i;

	for (i = 0; i < AMDSIM_NUM_RINGS; i++)
		amdsim_hw_cp_halt(hw, i);
	irq_work_sync(&hw->irq_work);
}

/**
 * amdsim_hw_destroy() - free a simulated GPU
 * @hw: the hardware, stopped (amdsim_hw_stop()); nothing uses its VRAM
 *
 * Context: process context; may sleep.
 */
void amdsim_hw_destroy(struct amdsim_hw *hw)
{
	unsigned int i;

	for (i = 0; i < AMDSIM_NUM_RINGS; i++)
		amdsim_hw_cp_fini(&hw->cp[i]);
	destroy_workqueue(hw->cp_wq);
	amdsim_hw_mem_fini(hw);
	kfree(hw);
}

/**
 * amdsim_hw_irqs() - interrupts delivered so far
 * @hw: the hardware
 *
 * Return: how many times the interrupt ran.
 */
unsigned int amdsim_hw_irqs(struct amdsim_hw *hw)
{
	return atomic_read(&hw->irqs);
}
