// SPDX-License-Identifier: GPL-2.0-only
/// A dma_fence initialised with no guaranteed way to be signalled (the
/// fence side of the failure catalogue: gpucore's signaller token).
///
/// Once dma_fence_init() has run, the fence may be handed to waiters
/// (reservation objects, syncobjs, sync_files, the scheduler); whoever holds
/// the right to signal it must signal it, with an error if the work will
/// never run, or those waiters hang. Reported, in the function that
/// initialised the fence and on a path with no dma_fence_signal*() of it and
/// no call whose name says it completes it (signal, complete, done, finish,
/// fail, cancel, abort):
///  - the fence, or the object it is embedded in, dropped with
///    dma_fence_put() or freed with kfree() on the way to a failing return;
///  - a failing return (not 0, NULL, a boolean or a count) that leaves the
///    fence of an object held in a local variable initialised but neither
///    signalled, released, returned, passed to a function, put on a list
///    nor stored for someone else to signal. A fence in an object the
///    caller passed in is the caller's to clean up on the error.
/// dma_fence_set_error() alone does not count: it records the error but
/// wakes nobody.
//
// Confidence: Moderate
// Options: --no-includes --include-headers
// Check-files: dma_fence_init

virtual report

@initialize:python@
@@
seen = set()


def failing(value):
    # What a failing return looks like: not 0, NULL, a boolean or a count.
    value = value.strip()
    return value not in ('0', 'NULL', 'true', 'false') and not value.isdigit()


def say(pos, msg):
    key = (pos.file, pos.line, pos.column)
    if key not in seen:
        seen.add(key)
        coccilib.report.print_report(pos, msg)

@init exists@
expression F;
position p0;
@@
dma_fence_init@p0(F, ...)

// X: the object the fence is embedded in, if it is one.
@embedded@
expression init.F;
idexpression X;
identifier f1, f2;
position init.p0;
@@
(
dma_fence_init@p0(&X->f1, ...)
|
dma_fence_init@p0(&X->f1.f2, ...)
|
dma_fence_init@p0(X, ...)
)

// L: a local variable holding the fence or the object it is embedded in.
@embedded_local exists@
expression init.F, E0;
identifier L, f1, f2;
type T;
position init.p0;
@@
\(T *L; \| T *L = E0;\)
... when any
(
dma_fence_init@p0(&L->f1, ...)
|
dma_fence_init@p0(&L->f1.f2, ...)
|
dma_fence_init@p0(L, ...)
)

@drop exists@
expression init.F, E3;
idexpression embedded.X;
identifier sig =~ "signal|complete|done|finish|fail|cancel|abort";
identifier kf =~ "^(kfree|kvfree|kmem_cache_free)$";
position init.p0, p1;
expression W1, W2;
@@
dma_fence_init@p0(F, ...);
... when != sig(..., F, ...)
    when != sig(..., X, ...)
    when != F = W1
    when != X = W2
(
dma_fence_put@p1(F);
|
kf@p1(..., X);
)
... when != sig(..., F, ...)
    when != sig(..., X, ...)
return E3;

@script:python depends on report@
p0 << init.p0;
p1 << drop.p1;
F << init.F;
E3 << drop.E3;
@@
# On an error path only: after a success the put may be the creator's
# reference, with the hardware still due to signal the fence.
if failing(E3):
    say(p1[0], "fence %s initialised on line %s is released without being signalled" % (F, p0[0].line))

// A failing return that leaves a local object's fence behind.
@lost exists@
expression init.F, E2;
identifier embedded_local.L;
identifier sig =~ "signal|complete|done|finish|fail|cancel|abort";
identifier put =~ "_put$|_unref$|_unreference$|^(kfree|kvfree|kmem_cache_free)$";
identifier f, f1;
position init.p0, p1;
expression W1;
expression W2, W3;
@@
dma_fence_init@p0(F, ...);
... when != sig(..., F, ...)
    when != sig(..., L, ...)
    when != put(..., F, ...)
    when != put(..., L, ...)
    when != put(..., &L, ...)
    when != W2 = F
    when != W3 = L
    when != L = W1
    when != f(..., L, ...)
    when != f(..., F, ...)
    when != list_add(&L->f1, ...)
    when != list_add_tail(&L->f1, ...)
return@p1 E2;

@script:python depends on report@
p0 << init.p0;
p1 << lost.p1;
F << init.F;
L << embedded_local.L;
E2 << lost.E2;
@@
if failing(E2) and E2.strip() not in (F.strip(), L.strip()):
    say(p1[0], "error return leaves fence %s, initialised on line %s, unsignalled" % (F, p0[0].line))
