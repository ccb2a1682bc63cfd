// SPDX-License-Identifier: GPL-2.0-only OR MIT
/**
 * DOC: amdgpu stub device
 *
 * gpucore_amdgpu is a stub backend modelled on AMD GPUs: rings of packets
 * consumed by a command processor, seqno fences retired from an interrupt,
 * ring reset and forced fence completion on a hang, and BOs placed in VRAM
 * or GTT. The hardware is simulated (sim/amdgpu_sim.h); everything else is
 * gpucore: BOs are
 * &struct gc_bo, the queues in front of the rings &struct gc_queue, the
 * hardware and done fences gpucore fences.
 *
 * A device (&struct amdsim_device) is created on a parent device by
 * amdsim_device_create(). It has no user-space interface: its users are
 * in the kernel (the KUnit suites, and the platform driver below, which
 * probes one device at module load and tests its rings). Teardown is in
 * two steps, like an unbind: amdsim_device_unplug() completes all work
 * with -ENODEV; amdsim_device_fini(), once every queue is destroyed and
 * every BO freed, waits for the queues to go and reports leaks.
 */

#include <linux/module.h>
#include <linux/platform_device.h>
#include <drm/drm_drv.h>
#include <drm/drm_print.h>

#include <gpucore/compat.h>

#include "amdgpu.h"
#include "sim_platform.h"

static const struct drm_driver amdsim_drm_driver = {
	.driver_features = DRIVER_GEM,
	.name = AMDSIM_DRIVER_NAME,
	.desc = "gpucore amdgpu-style GPU (simulated)",
	GC_DRM_DRIVER_DATE
	.major = 1,
};

static const struct amdsim_config amdsim_default_config = {
	.vram_size = AMDSIM_DEFAULT_VRAM,
	.gtt_size = AMDSIM_DEFAULT_GTT,
	.ring_dw = AMDSIM_DEFAULT_RING_DW,
};

static bool amdsim_config_ok(const struct amdsim_config *cfg)
{
	return cfg->vram_size && PAGE_ALIGNED(cfg->vram_size) &&
	       cfg->gtt_size > PAGE_SIZE && PAGE_ALIGNED(cfg->gtt_size) &&
	       cfg->ring_dw >= 256 && is_power_of_2(cfg->ring_dw);
}

static void amdsim_rings_fini(struct amdsim_device *adev, unsigned int n)
{
	while (n--) {
		WARN_ON(amdsim_fence_pending(&adev->rings[n]));
		amdsim_ring_fini(&adev->rings[n]);
	}
}

/*
 * The interrupt handler, registered with the hardware: a CP wrote a fence
 * seqno. The handler looks at the fence memory of every ring that raised
 * it and retires the fences up to it.
 */
static void amdsim_irq(void *data, unsigned long rings)
{
	struct amdsim_device *adev = data;
	unsigned int i;

	for_each_set_bit(i, &rings, AMDSIM_NUM_RINGS)
		amdsim_fence_process(&adev->rings[i]);
}

/**
 * amdsim_device_create() - create a simulated GPU
 * @parent: the parent device; the DRM device is devm-managed on it
 * @cfg: memory and ring sizes, or NULL for the defaults
 *
 * Context: process context; may sleep.
 * Return: the device, every ring idle and free; ERR_PTR(-EINVAL) for a bad
 * @cfg, -ENOMEM.
 */
struct amdsim_device *amdsim_device_create(struct device *parent,
					   const struct amdsim_config *cfg)
{
	struct amdsim_hw_config hw_cfg = {
		.name = AMDSIM_DRIVER_NAME,
		.irq_handler = amdsim_irq,
	};
	struct amdsim_device *adev;
	unsigned int i;
	int ret;

	cfg = cfg ?: &amdsim_default_config;
	if (!amdsim_config_ok(cfg) || cfg->gtt_size / PAGE_SIZE > UINT_MAX)
		return ERR_PTR(-EINVAL);
	adev = devm_drm_dev_alloc(parent, &amdsim_drm_driver, struct amdsim_device, drm);
	if (IS_ERR(adev))
		return adev;
	adev->cfg = *cfg;
	gc_device_init(&adev->gdev, &adev->drm);
	mutex_init(&adev->rings_lock);
	atomic_set(&adev->nr_bos, 0);
	atomic_set(&adev->nr_ttm_bos, 0);
	atomic_set(&adev->evictions, 0);
	hw_cfg.vram_size = cfg->vram_size;
	hw_cfg.gtt_size = cfg->gtt_size;
	hw_cfg.irq_data = adev;
	adev->hw = amdsim_hw_create(&hw_cfg);
	if (IS_ERR(adev->hw)) {
		ret = PTR_ERR(adev->hw);
		goto err_gdev;
	}
	ret = amdsim_mem_init(adev);
	if (ret)
		goto err_hw;
	for (i = 0; i < AMDSIM_NUM_RINGS; i++) {
		ret = amdsim_ring_init(&adev->rings[i], adev, i);
		if (ret)
			goto err_rings;
	}
	return adev;

err_rings:
	/* No doorbell rang yet: stopping the idle CPs is all it takes. */
	amdsim_hw_stop(adev->hw);
	amdsim_rings_fini(adev, i);
	amdsim_mem_fini(adev);
err_hw:
	amdsim_hw_destroy(adev->hw);
err_gdev:
	gc_device_fini(&adev->gdev);
	mutex_destroy(&adev->rings_lock);
	return ERR_PTR(ret);
}

/**
 * amdsim_device_unplug() - the device is gone
 * @adev: the device
 *
 * gc_device_unplug(): every ring with a queue is recovered with -ENODEV
 * and its CP stays halted; queued jobs complete with -ENODEV; new queues
 * and jobs are refused. BOs stay readable by the CPU.
 *
 * Context: process context; may sleep.
 */
void amdsim_device_unplug(struct amdsim_device *adev)
{
	gc_device_unplug(&adev->gdev);
}

/**
 * amdsim_device_fini() - tear a device down
 * @adev: the device; every queue destroyed, every handle to its BOs dropped
 *
 * Waits for the queues to go with their last jobs (gc_device_fini()), then
 * stops the hardware and frees the rings, the memory and the hardware. If
 * BOs are still alive (a reference leaked), the memory and the hardware
 * whose VRAM they may be in are left allocated rather than freed under
 * them. The DRM device goes with @adev's parent.
 *
 * Context: process context; may sleep.
 * Return: the number of references gc_device_fini() found leaked.
 */
unsigned int amdsim_device_fini(struct amdsim_device *adev)
{
	unsigned int i, leaks, bos;

	leaks = gc_device_fini(&adev->gdev);
	amdsim_hw_stop(adev->hw);
	/* Raw submissions still in flight (nothing waits for them): complete them. */
	for (i = 0; i < AMDSIM_NUM_RINGS; i++)
		amdsim_fence_force_completion(&adev->rings[i], -ECANCELED);
	amdsim_rings_fini(adev, AMDSIM_NUM_RINGS);
	bos = atomic_read(&adev->nr_bos);
	if (bos) {
		drm_err(&adev->drm, "%u BOs still alive: their memory is not freed\n", bos);
	} else {
		amdsim_mem_fini(adev);
		amdsim_hw_destroy(adev->hw);
	}
	mutex_destroy(&adev->rings_lock);
	return leaks;
}

/**
 * amdsim_ring_test() - check that a ring's CP runs packets and signals
 * @ring: a ring without a queue
 *
 * Writes a value to the ring's scratch slot with WRITE_DATA, then waits
 * for the fence after it, as amdgpu tests its rings at init.
 *
 * Context: process context; may sleep.
 * Return: 0; -ETIMEDOUT if the fence did not signal within a second, -EIO
 * if the value did not land, or the emission's error.
 */
int amdsim_ring_test(struct amdsim_ring *ring)
{
	struct amdsim_device *adev = ring->adev;
	unsigned int slot = AMDSIM_WB_SCRATCH(ring->idx);
	u32 value = 0xcafe0000 | ring->idx, ib[4], n;
	struct gc_fence_signaller sig;
	struct gc_fence_ref fence __free(gc_fence_put) = {};
	unsigned long flags;
	u64 seq;
	int ret;

	WRITE_ONCE(adev->wb[slot], 0);
	sig = gc_fence_create(ring->tl, GFP_KERNEL);
	if (gc_is_err(sig))
		return gc_err(sig);
	fence = gc_fence_signaller_fence(&sig);
	spin_lock_irqsave(&ring->lock, flags);
	n = amdsim_pm4_write_data(ib, amdsim_wb_gpu_addr(adev, slot), &value, 1);
	ret = amdsim_ring_emit(ring, ib, n, &sig, &seq);
	spin_unlock_irqrestore(&ring->lock, flags);
	if (ret) {
		gc_fence_signal_error(&sig, ret);
		return ret;
	}
	if (gc_fence_wait(&fence, false, HZ) <= 0)
		return -ETIMEDOUT;
	return lower_32_bits(READ_ONCE(adev->wb[slot])) == value ? 0 : -EIO;
}

static int amdsim_probe(struct platform_device *pdev)
{
	struct amdsim_device *adev = amdsim_device_create(&pdev->dev, NULL);
	unsigned int i;
	int ret = 0;

	if (IS_ERR(adev))
		return PTR_ERR(adev);
	for (i = 0; i < AMDSIM_NUM_RINGS && !ret; i++)
		ret = amdsim_ring_test(&adev->rings[i]);
	if (ret) {
		dev_err(&pdev->dev, "ring %u test failed: %d\n", i - 1, ret);
		amdsim_device_unplug(adev);
		amdsim_device_fini(adev);
		return ret;
	}
	platform_set_drvdata(pdev, adev);
	return 0;
}

static void amdsim_remove(struct platform_device *pdev)
{
	struct amdsim_device *adev = platform_get_drvdata(pdev);

	amdsim_device_unplug(adev);
	amdsim_device_fini(adev);
}

static struct platform_driver amdsim_platform_driver = {
	.probe = amdsim_probe,
	GC_PLATFORM_REMOVE(amdsim_remove),
	.driver = {
		.name = AMDSIM_DRIVER_NAME,
	},
};

static struct platform_device *amdsim_pdev;
module_sim_platform_driver(amdsim_platform_driver, amdsim_pdev);

MODULE_DESCRIPTION("gpucore amdgpu-style stub backend for a simulated GPU");
MODULE_LICENSE("Dual MIT/GPL");
MODULE_IMPORT_NS(GPUCORE_NS);
