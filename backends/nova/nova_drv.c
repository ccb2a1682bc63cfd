// SPDX-License-Identifier: GPL-2.0-only OR MIT
/**
 * DOC: nova driver structure
 *
 * gpucore_nova is a render-only DRM driver for a simulated GPU driven, as
 * NVIDIA's are, through its GSP firmware:
 *
 * - the driver talks to the GSP only through a command queue and a
 *   message queue in memory both share (nova_cmdq.c): checksummed,
 *   sequenced records behind read and write pointers;
 * - on top, RPCs (nova_rpc.c): one command, one checked reply, bounded
 *   waits; and events, read by an interrupt handler;
 * - the simulated GSP (sim/nova_gsp.c) owns video memory, which it allocates
 *   for BOs, and runs work on its channels;
 * - BOs (nova_bo.c) are GEM objects in video memory with gpucore attached;
 *   channels and jobs (nova_job.c) are gpucore queues and jobs whose
 *   hardware fences the GSP's completion events signal;
 * - the device (&struct nova_device) embeds a &struct gc_device. A
 *   platform driver probes it like vgem; unbinding halts the GSP and
 *   unplugs gpucore (all work completes with -ENODEV), and the final
 *   teardown waits for the last reference to the DRM device.
 *
 * The uapi (GET_PARAM, GEM_CREATE, GEM_INFO) is in nova_ioctl.c; work is
 * submitted in-kernel only (nova_submit()).
 */

#include <linux/log2.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_ioctl.h>
#include <drm/drm_managed.h>
#include <drm/drm_print.h>

#include <gpucore/compat.h>

#include "nova_drv.h"
#include "sim_platform.h"

/* The configuration of probed devices. */
const struct nova_config nova_default_config = {
	.cmdq_size = SZ_16K,
	.msgq_size = SZ_16K,
	.vram_size = SZ_16M,
	.vram_visible = SZ_4M,
	.rpc_timeout_ms = 1000,
};

static const struct drm_ioctl_desc nova_ioctls[] = {
	DRM_IOCTL_DEF_DRV(NOVA_GETPARAM, nova_ioctl_get_param, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(NOVA_GEM_CREATE, nova_ioctl_gem_create, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(NOVA_GEM_INFO, nova_ioctl_gem_info, DRM_RENDER_ALLOW),
};

DEFINE_DRM_GEM_FOPS(nova_fops);

static const struct drm_driver nova_drm_driver = {
	.driver_features = DRIVER_GEM | DRIVER_RENDER,
	.ioctls = nova_ioctls,
	.num_ioctls = ARRAY_SIZE(nova_ioctls),
	.fops = &nova_fops,
	.name = NOVA_DRIVER_NAME,
	.desc = "gpucore Nova-style GPU (simulated GSP)",
	GC_DRM_DRIVER_DATE
	.major = 1,
	.minor = 0,
};

/*
 * The last reference to the DRM device is gone: every file is closed and
 * every BO freed. The GSP outlives the queues' teardown, which may still
 * complete work on it.
 */
static void nova_device_fini(struct drm_device *drm, void *data)
{
	struct nova_device *ndev = data;
	unsigned int leaks, i;

	leaks = gc_device_fini(&ndev->gdev);
	if (leaks)
		drm_err(drm, "%u gpucore references leaked\n", leaks);
	if (ndev->cfg.leaks)
		*ndev->cfg.leaks = leaks;
	for (i = 0; i < NOVA_GSP_CHANNELS; i++)
		WARN_ON(ndev->chans[i]);
	nova_gsp_destroy(ndev->gsp);
	nova_rpc_fini(&ndev->rpc);
	nova_shm_free(&ndev->shm);
}

/* Ask the GSP what it is, and check the answer. */
static int nova_device_boot(struct nova_device *ndev)
{
	struct nova_rpc_msg msg = {
		.function = NOVA_FN_GET_INFO,
		.reply = &ndev->info,
		.reply_len = sizeof(ndev->info),
	};
	struct nova_msg_info *info = &ndev->info;
	int ret;

	ret = nova_rpc_call(&ndev->rpc, &msg, 0);
	if (!ret)
		ret = msg.status;
	if (ret)
		return ret;
	if (info->version != NOVA_GSP_VERSION || !info->nr_channels ||
	    info->nr_channels > NOVA_GSP_CHANNELS || !info->chan_slots ||
	    !is_power_of_2(info->page_size) || info->vram_visible > info->vram_size) {
		drm_err(&ndev->drm, "GSP version %u describes itself inconsistently\n",
			info->version);
		return -EPROTO;
	}
	return 0;
}

/**
 * nova_device_create() - create a nova device, GSP booted, not registered
 * @parent: the parent device; the DRM device is released with it
 *	(devm_drm_dev_alloc())
 * @cfg: sizes and timeouts
 *
 * Probe registers the result; the KUnit suites use it unregistered, with
 * files from mock_drm_getfile().
 *
 * Context: process context; may sleep.
 * Return: the device, or an ERR_PTR(): -EINVAL for a bad @cfg, -ENOMEM,
 * or the GSP's error at boot. On failure the partly created device goes
 * with @parent's resources.
 */
struct nova_device *nova_device_create(struct device *parent, const struct nova_config *cfg)
{
	struct nova_device *ndev;
	struct nova_gsp *gsp;
	int ret;

	ndev = devm_drm_dev_alloc(parent, &nova_drm_driver, struct nova_device, drm);
	if (IS_ERR(ndev))
		return ndev;
	ndev->cfg = *cfg;
	gc_device_init(&ndev->gdev, &ndev->drm);
	spin_lock_init(&ndev->chan_lock);
	atomic_set(&ndev->next_alloc, 0);
	ret = drmm_add_action_or_reset(&ndev->drm, nova_device_fini, ndev);
	if (ret)
		return ERR_PTR(ret);

	ret = nova_shm_alloc(&ndev->shm, cfg->cmdq_size, cfg->msgq_size);
	if (ret)
		return ERR_PTR(ret);
	ret = nova_rpc_init(&ndev->rpc, &ndev->drm, &ndev->shm, cfg->rpc_timeout_ms,
			    nova_job_event, ndev);
	if (ret)
		return ERR_PTR(ret);
	gsp = nova_gsp_create(&ndev->shm, cfg->vram_size, cfg->vram_visible,
			      nova_rpc_interrupt, &ndev->rpc);
	if (IS_ERR(gsp))
		return ERR_CAST(gsp);
	ndev->gsp = gsp;
	nova_rpc_connect(&ndev->rpc, nova_gsp_doorbell, gsp);
	ret = nova_device_boot(ndev);
	if (ret)
		return ERR_PTR(ret);
	return ndev;
}

/**
 * nova_device_unplug() - the device is gone
 * @ndev: the device
 *
 * The GSP stops for good, pending RPCs fail with -ENODEV, then gpucore
 * unplugs: running work completes with -ENODEV, new work is refused. Files,
 * their BOs (readable through nova_bo_cpu_addr()) and channels stay valid
 * until released.
 *
 * Context: process context; may sleep.
 */
void nova_device_unplug(struct nova_device *ndev)
{
	nova_gsp_halt(ndev->gsp);
	nova_rpc_shutdown(&ndev->rpc, -ENODEV);
	gc_device_unplug(&ndev->gdev);
}

static int nova_probe(struct platform_device *pdev)
{
	struct nova_device *ndev;
	int ret;

	ndev = nova_device_create(&pdev->dev, &nova_default_config);
	if (IS_ERR(ndev))
		return PTR_ERR(ndev);
	ret = drm_dev_register(&ndev->drm, 0);
	if (ret)
		return ret;
	platform_set_drvdata(pdev, ndev);
	return 0;
}

/*
 * Unbind, possibly with files open: fail all work with -ENODEV and refuse
 * new work. Everything else stays until the last file is closed.
 */
static void nova_remove(struct platform_device *pdev)
{
	nova_device_unplug(platform_get_drvdata(pdev));
}

static struct platform_driver nova_platform_driver = {
	.probe = nova_probe,
	GC_PLATFORM_REMOVE(nova_remove),
	.driver = {
		.name = NOVA_DRIVER_NAME,
	},
};

static struct platform_device *nova_pdev;
module_sim_platform_driver(nova_platform_driver, nova_pdev);

MODULE_DESCRIPTION("gpucore Nova-style DRM driver for a simulated GSP-driven GPU");
MODULE_LICENSE("Dual MIT/GPL");
MODULE_IMPORT_NS(GPUCORE_NS);
