// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The interrupt. The CP raises it after writing a ring's fence memory; the
 * handler runs in hard interrupt context (an irq_work, which is what a
 * device interrupt would be) and retires the fences of every ring that
 * raised it. Like a real interrupt line it is level-less: raising it again
 * before the handler ran is one interrupt, and the handler looks at the
 * fence memory, not at how often the CP called.
 */

#include "amdgpu_drv.h"

static void amdsim_irq_handler(struct irq_work *work)
{
	struct amdsim_device *adev = container_of(work, struct amdsim_device, irq_work);
	unsigned int i;

	atomic_inc(&adev->irqs);
	for (i = 0; i < AMDSIM_NUM_RINGS; i++) {
		/* Fully ordered: the fence memory is read after the bit. */
		if (test_and_clear_bit(i, &adev->irq_pending))
			amdsim_fence_process(&adev->rings[i]);
	}
}

/**
 * amdsim_irq_init() - set the device's interrupt up
 * @adev: the device
 */
void amdsim_irq_init(struct amdsim_device *adev)
{
	adev->irq_pending = 0;
	atomic_set(&adev->irqs, 0);
	init_irq_work(&adev->irq_work, amdsim_irq_handler);
}

/**
 * amdsim_irq_raise() - the CP raises the interrupt for a ring
 * @adev: the device
 * @ring: the ring's index
 *
 * Context: any; does not sleep.
 */
void amdsim_irq_raise(struct amdsim_device *adev, unsigned int ring)
{
	set_bit(ring, &adev->irq_pending);
	irq_work_queue(&adev->irq_work);
}

/**
 * amdsim_irq_fini() - wait for the last interrupt to be handled
 * @adev: the device; every CP halted, so nothing raises it any more
 *
 * Context: process context; may sleep.
 */
void amdsim_irq_fini(struct amdsim_device *adev)
{
	irq_work_sync(&adev->irq_work);
}
