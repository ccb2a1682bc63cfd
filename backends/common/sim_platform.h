/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * A simulated GPU sits on no bus that could find it: the module that
 * drives it creates the platform device its platform driver binds to, at
 * load, and removes both at unload. Every driver of the project (the
 * backends and the minimal driver) does it with these helpers and keeps
 * only its .probe and .remove (the latter through GC_PLATFORM_REMOVE()).
 *
 * platform_create_bundle() would do the same in one call, but it binds
 * through platform_driver_probe(), which refuses any later bind: the
 * device could not be unbound and bound again through sysfs, which is how
 * a hot unplug is exercised.
 */
#ifndef _SIM_PLATFORM_H_
#define _SIM_PLATFORM_H_

#include <linux/err.h>
#include <linux/module.h>
#include <linux/platform_device.h>

/**
 * sim_platform_register() - register a platform driver and its one device
 * @drv: the driver; its name is the device's; its probe sets the drvdata
 * @pdev: where the device goes
 *
 * The device binds while it is registered. A probe that failed fails the
 * module load too: a simulated device that could not start is not worth
 * keeping the module for.
 *
 * Context: process context (module init); may sleep.
 * Return: 0; a registration's error, or -ENODEV if the probe failed
 * (nothing stays registered then).
 */
static inline int sim_platform_register(struct platform_driver *drv,
					struct platform_device **pdev)
{
	int ret = platform_driver_register(drv);

	if (ret)
		return ret;
	*pdev = platform_device_register_simple(drv->driver.name, PLATFORM_DEVID_NONE, NULL, 0);
	if (IS_ERR(*pdev)) {
		ret = PTR_ERR(*pdev);
		goto err_driver;
	}
	/* The driver core clears the drvdata of a device whose probe failed. */
	if (!platform_get_drvdata(*pdev)) {
		ret = -ENODEV;
		goto err_device;
	}
	return 0;

err_device:
	platform_device_unregister(*pdev);
err_driver:
	platform_driver_unregister(drv);
	return ret;
}

/**
 * sim_platform_unregister() - undo sim_platform_register()
 * @drv: the driver
 * @pdev: the device it registered; unbound (its .remove runs) and freed
 *
 * Context: process context (module exit); may sleep.
 */
static inline void sim_platform_unregister(struct platform_driver *drv,
					   struct platform_device **pdev)
{
	platform_device_unregister(*pdev);
	platform_driver_unregister(drv);
}

/**
 * module_sim_platform_driver() - module init and exit of a simulated device
 * @__drv: the &struct platform_driver
 * @__pdev: a static &struct platform_device pointer, for the device
 *
 * The module's init is sim_platform_register(), its exit
 * sim_platform_unregister().
 */
#define module_sim_platform_driver(__drv, __pdev) \
	module_driver(__drv, sim_platform_register, sim_platform_unregister, &(__pdev))

#endif /* _SIM_PLATFORM_H_ */
