# SPDX-License-Identifier: GPL-2.0-only
#
# Kernel feature probes for gpucore/include/gpucore/compat.h, the one place
# where the kernels gpucore builds on differ. Each probe greps the headers of
# the kernel being built against and defines GC_HAVE_<FEATURE>: a distribution
# kernel that backports a change gets the right code, whatever its version.
# Every Kbuild that builds against gpucore includes this file.

# gc_have HEADER,TEXT,FEATURE: -DGC_HAVE_FEATURE when HEADER has TEXT.
gc_have = $(if $(shell grep -sqF '$(2)' $(srctree)/include/$(1) && echo y),-DGC_HAVE_$(3))

gc_sched_h := drm/gpu_scheduler.h
# drm_sched_init() takes an argument struct (6.15; Debian backports it to 6.1.y).
ccflags-y += $(call gc_have,$(gc_sched_h),struct drm_sched_init_args,SCHED_INIT_ARGS)
# The driver sets the number of run queues (6.8).
ccflags-y += $(call gc_have,$(gc_sched_h),num_rqs,SCHED_NUM_RQS)
# The scheduler runs on workqueues (6.8): drm_sched_wqueue_stop()/start().
ccflags-y += $(call gc_have,$(gc_sched_h),drm_sched_wqueue_stop,SCHED_WQUEUE)
# Jobs carry a credit count (6.7): drm_sched_job_init(job, entity, credits, owner).
gc_job_credits := u32 credits, void *owner
ccflags-y += $(call gc_have,$(gc_sched_h),$(gc_job_credits),SCHED_JOB_CREDITS)
# ... and the DRM client id, for trace events (after 6.12).
ccflags-y += $(call gc_have,$(gc_sched_h),u64 drm_client_id,SCHED_JOB_CLIENT_ID)
# The platform driver's .remove returns void (6.11).
gc_remove_void := void (*remove)(struct platform_device
ccflags-y += $(call gc_have,linux/platform_device.h,$(gc_remove_void),PLATFORM_REMOVE_VOID)
# drm_driver still has the gem_prime_mmap hook (gone in 6.6).
ccflags-y += $(call gc_have,drm/drm_drv.h,(*gem_prime_mmap),DRIVER_GEM_PRIME_MMAP)
# Symbol namespaces are strings (6.13): MODULE_IMPORT_NS("NS").
ccflags-y += $(call gc_have,linux/module.h,MODULE_INFO(import_ns$(comma) ns),NS_STRING)
# drm_driver still has its date (gone in 6.14).
ccflags-y += $(call gc_have,drm/drm_drv.h,char *date;,DRIVER_DATE)
# nth_page() still exists (gone in 6.18: a folio's pages are contiguous).
ccflags-y += $(call gc_have,linux/mm.h,define nth_page,NTH_PAGE)
# dma_fence_signal() returns void; dma_fence_check_and_signal() tells
# whether the fence was already signalled (after 6.12).
ccflags-y += $(call gc_have,linux/dma-fence.h,bool dma_fence_check_and_signal,FENCE_CHECK_AND_SIGNAL)
# dma_fence_array_create() without signal_on_any (gone after 6.12).
ccflags-y += $(call gc_have,linux/dma-fence-array.h,bool signal_on_any,FENCE_ARRAY_SIGNAL_ON_ANY)
# The timeout handler's DRM_GPU_SCHED_STAT_NO_HANG (6.17): the scheduler
# puts the job back on its pending list itself.
ccflags-y += $(call gc_have,$(gc_sched_h),DRM_GPU_SCHED_STAT_NO_HANG,SCHED_STAT_NO_HANG)
# dma_fence_enable_sw_signaling() (renamed dma_fence_enable_signaling() after 6.12).
ccflags-y += $(call gc_have,linux/dma-fence.h,void dma_fence_enable_sw_signaling,FENCE_ENABLE_SW_SIGNALING)
# A fence's lock is reached through dma_fence_spinlock() (after 6.12: it may be inline).
ccflags-y += $(call gc_have,linux/dma-fence.h,dma_fence_spinlock,FENCE_SPINLOCK)
# destroy_timer_on_stack() (renamed timer_destroy_on_stack() after 6.12).
ccflags-y += $(call gc_have,linux/timer.h,void timer_destroy_on_stack,TIMER_DESTROY_ON_STACK)
# drm_gem_shmem_object's counts are refcount_t, pins counted apart (after 6.12).
ccflags-y += $(call gc_have,drm/drm_gem_shmem_helper.h,refcount_t pages_pin_count,SHMEM_REFCOUNT)
# A VMA's flags are set through vm_flags_init() (6.3); vm_flags is const.
ccflags-y += $(call gc_have,linux/mm.h,void vm_flags_init,VM_FLAGS_INIT)
# The public way to vmap a GEM object, taking the reservation lock its
# vmap callback expects: drm_gem_vmap_unlocked() (6.2), named drm_gem_vmap()
# in later kernels; 6.1 has none (its callbacks lock for themselves).
gc_gem_vmap := int drm_gem_vmap(struct
ccflags-y += $(call gc_have,drm/drm_gem.h,$(gc_gem_vmap),GEM_VMAP)
ccflags-y += $(call gc_have,drm/drm_gem.h,drm_gem_vmap_unlocked,GEM_VMAP_UNLOCKED)
# &drm_gem_object_funcs.pin is called under the reservation lock (6.8; the
# shmem helper's pin became drm_gem_shmem_pin_locked() with it).
ccflags-y += $(call gc_have,drm/drm_gem_shmem_helper.h,drm_gem_shmem_pin_locked,GEM_PIN_LOCKED)
# TTM (for drivers that keep their BOs in it, gpucore/compat_ttm.h):
# one driver header, drm/ttm/ttm_bo.h (after 6.1; the file is absent before).
ccflags-y += $(call gc_have,drm/ttm/ttm_bo.h,ttm_bo_init_reserved,TTM_BO_H)
# ttm_device_init() takes allocation flags instead of two bools (after 6.12).
ccflags-y += $(call gc_have,drm/ttm/ttm_device.h,unsigned int alloc_flags;,TTM_ALLOC_FLAGS)
# ttm_device_init() takes const callbacks (after 6.1).
ccflags-y += $(call gc_have,drm/ttm/ttm_device.h,const struct ttm_device_funcs *funcs,TTM_FUNCS_CONST)
# The last reference of a BO is dropped with ttm_bo_fini() (after 6.12).
gc_ttm_bo_fini := void ttm_bo_fini(struct
ccflags-y += $(call gc_have,drm/ttm/ttm_bo.h,$(gc_ttm_bo_fini),TTM_BO_FINI)
# A placement has a second list for when eviction is needed (gone after 6.1).
ccflags-y += $(call gc_have,drm/ttm/ttm_placement.h,busy_placement,TTM_BUSY_PLACEMENT)
