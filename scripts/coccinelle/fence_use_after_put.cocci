// SPDX-License-Identifier: GPL-2.0-only
/// A dma_fence used after the function dropped its reference (failure
/// catalogue entry 1).
///
/// dma_fence_put() may free the fence; reading it afterwards, even only
/// its error field after a wait, is a use after free whenever that was the
/// last reference. Reported: a mention of the fence after dma_fence_put()
/// of it, further down the function, with no new value assigned to it (or
/// to a part of the expression naming it) and its address not taken in
/// between.
/// Not reported: a put that follows, on the same path, a dma_fence_get() of
/// the fence or its hand-over to something that takes its own reference
/// (sync_file_create, dma_resv_add_fence, a syncobj, a fence array or chain,
/// a scheduler dependency) or its copy into another variable: another
/// owner keeps it alive. Another dma_fence_put() of the same fence ends the
/// search: dropping two references on purpose is common.
//
// Confidence: High
// Options: --no-includes --include-headers
// Check-files: dma_fence_put

virtual report

@initialize:python@
@@
kept = set()


def key(pos):
    return (pos.file, pos.line, pos.column)

@put exists@
expression F;
position p1;
@@
dma_fence_put@p1(F);

// Someone else holds a reference when the put runs.
@kept_alive exists@
expression put.F, E;
identifier taker =~ "^(dma_fence_get|dma_fence_get_rcu|sync_file_create|dma_resv_add_fence|drm_syncobj_replace_fence|drm_syncobj_add_point|dma_fence_chain_init|dma_fence_array_create|drm_sched_job_add_dependency)$";
position put.p1, p0;
@@
(
taker(..., F, ...)
|
E = F
)
...
dma_fence_put@p1@p0(F);

@script:python@
p0 << kept_alive.p0;
@@
kept.add(key(p0[0]))

@use exists@
expression put.F, subF <= put.F, E2;
position put.p1, p2;
expression W1;
@@
dma_fence_put@p1(F);
... when != subF = W1
    when != &subF
(
 subF = E2
|
 &subF
|
 dma_fence_put(F)
|
 F@p2
)

@script:python depends on report@
p1 << put.p1;
p2 << use.p2;
F << put.F;
@@
# Further down only: a loop brings the put before its own next use.
if int(p2[0].line) > int(p1[0].line) and key(p1[0]) not in kept:
    coccilib.report.print_report(p2[0],
        "fence %s used after dma_fence_put() on line %s may have freed it"
        % (F, p1[0].line))
