// SPDX-License-Identifier: GPL-2.0-only
/// A reference put, or an object freed, after its ownership moved
/// elsewhere (failure catalogue entries 2 and 3).
///
/// Some calls take over what the caller owned, and the caller's cleanup
/// must then leave it alone. Reported:
///  - GEM handles: after drm_gem_handle_create() the caller puts its own
///    reference ("the handle holds it now"); a second put of the object on
///    a later path drops the handle's reference instead;
///  - file descriptors: after fd_install() the file belongs to the file
///    table and user space can close it at once; a later fput() of the
///    file, put_unused_fd() of the descriptor, or use of the object whose
///    file it is (a sync_file, a dma_buf) is too late;
///  - fence callbacks: once dma_fence_add_callback() succeeded the callback
///    node belongs to the fence until the callback runs or
///    dma_fence_remove_callback() takes it back; freeing the object that
///    embeds it, or returning while it sits in a local variable, leaves the
///    fence pointing at freed memory;
///  - lists: an object freed while still linked into a list it was added
///    to, with no list_del(), list_move() or list_replace() of it and no
///    list_empty() test of its node in between.
/// A release under a test of an error code that nothing set since the
/// hand-off is not reported: on the paths that reach it the hand-off did
/// not happen ("if (ret) put_unused_fd(fd)" after an fd_install() that
/// only runs when ret is 0).
//
// Confidence: Moderate
// Options: --no-includes --include-headers
// Check-files: drm_gem_handle_create fd_install dma_fence_add_callback list_add
// Check-files: list_add_tail list_add_rcu list_add_tail_rcu

virtual report

@initialize:python@
@@
seen = set()
guarded = set()


def inside(p, s):
    # Whether position p lies within the statement at s.
    start = (int(s.line), int(s.column))
    end = (int(s.line_end), int(s.column_end))
    return start <= (int(p.line), int(p.column)) <= end


def pair(p1, p2):
    return (p1.file, p1.line, p1.column, p2.line, p2.column)


def say(pos, msg):
    key = (pos.file, pos.line, pos.column)
    if key not in seen:
        seen.add(key)
        coccilib.report.print_report(pos, msg)

// ---------------------------------------------------------------------------
// GEM handles.

@handle exists@
expression file, h, E2;
idexpression X;
identifier put =~ "_put$";
identifier unref =~ "_(unref|unreference)$";
identifier get =~ "(^|_)get(_|$)|_reference$";
identifier f1, f2, f3;
position p0, p1, p2;
expression W1;
expression W2;
@@
(
drm_gem_handle_create@p0(file, X, h)
|
drm_gem_handle_create@p0(file, &X->f1, h)
|
drm_gem_handle_create@p0(file, &X->f1.f2, h)
|
drm_gem_handle_create@p0(file, &X->f1.f2.f3, h)
)
... when != X = W1
    when != get(...)
(
put@p1(X)
|
put@p1(&X->f1)
|
put@p1(&X->f1.f2)
|
put@p1(&X->f1.f2.f3)
|
unref@p1(&X)
)
... when != X = W2
    when != get(...)
(
X = E2
|
put@p2(X)
|
put@p2(&X->f1)
|
put@p2(&X->f1.f2)
|
put@p2(&X->f1.f2.f3)
|
unref@p2(&X)
)

@script:python depends on report@
p0 << handle.p0;
p1 << handle.p1;
p2 << handle.p2;
X << handle.X;
@@
say(p2[0], "%s put again: its reference went to the handle created on line %s when it was put on line %s" % (X, p0[0].line, p1[0].line))

// ---------------------------------------------------------------------------
// File descriptors.

@fd exists@
expression FD, FILE, E;
position p1, p2;
expression W1;
@@
fd_install@p1(FD, FILE);
... when != FD = W1
    when any
(
FD = E
|
fput@p2(FILE)
|
put_unused_fd@p2(FD)
)

// The release sits under a test of an error code nothing set since the
// hand-off: on the paths that reach it, the hand-off did not happen.
@fd_guard exists@
position fd.p1, fd.p2;
identifier err =~ "^(ret|err|r|rc|error|result)$";
expression W1 : script:python () { W1.strip() != "0" };
statement S;
position pg;
@@
fd_install@p1(...);
... when != err = W1
    when any
if (<+... err ...+>) S@pg

@script:python@
p1 << fd.p1;
p2 << fd.p2;
pg << fd_guard.pg;
@@
if inside(p2[0], pg[0]):
    guarded.add(pair(p1[0], p2[0]))

@script:python depends on report@
p1 << fd.p1;
p2 << fd.p2;
@@
if pair(p1[0], p2[0]) not in guarded:
    say(p2[0], "released after fd_install() on line %s gave it to user space" % p1[0].line)

@fd_obj exists@
expression FD, E;
idexpression X;
identifier fld;
position p1, p2;
expression W1;
@@
fd_install@p1(FD, X->fld);
... when != X = W1
(
X = E
|
!X
|
X == NULL
|
X != NULL
|
X@p2
)

@script:python depends on report@
p1 << fd_obj.p1;
p2 << fd_obj.p2;
X << fd_obj.X;
@@
say(p2[0], "%s used after fd_install() on line %s: user space may already have closed its file" % (X, p1[0].line))

// ---------------------------------------------------------------------------
// Fence callbacks.

// How the callback was added: result ignored, stored but never tested, or
// tested (the path then continues past the branch taken on failure).
@cb_plain exists@
expression F, E2;
expression W1;
idexpression X;
identifier fn, f1;
identifier kf =~ "^(kfree|kvfree)$";
position p1, p2;
@@
dma_fence_add_callback@p1(F, &X->f1, fn);
... when != dma_fence_remove_callback(F, ...)
    when any
    when != X = W1
(
X = E2
|
kf@p2(X)
|
kmem_cache_free@p2(E2, X)
)

@script:python depends on report@
p1 << cb_plain.p1;
p2 << cb_plain.p2;
X << cb_plain.X;
@@
say(p2[0], "%s freed while its callback added on line %s may still be on the fence" % (X, p1[0].line))

@cb_unchecked exists@
expression F, E2, ret;
expression W1;
idexpression X;
identifier fn, f1;
identifier kf =~ "^(kfree|kvfree)$";
position p1, p2;
@@
ret = dma_fence_add_callback@p1(F, &X->f1, fn);
... when != dma_fence_remove_callback(F, ...)
    when any
    when != X = W1
    when != ret
(
X = E2
|
kf@p2(X)
|
kmem_cache_free@p2(E2, X)
)

@script:python depends on report@
p1 << cb_unchecked.p1;
p2 << cb_unchecked.p2;
X << cb_unchecked.X;
@@
say(p2[0], "%s freed while its callback added on line %s may still be on the fence" % (X, p1[0].line))

@cb_tested exists@
expression F, E2, ret;
expression W1;
idexpression X;
identifier fn, f1;
identifier kf =~ "^(kfree|kvfree)$";
statement S;
position p1, p2;
@@
ret = dma_fence_add_callback@p1(F, &X->f1, fn);
if (\(ret == -ENOENT\|ret < 0\|ret != 0\|ret\)) S
... when != dma_fence_remove_callback(F, ...)
    when any
    when != X = W1
(
X = E2
|
kf@p2(X)
|
kmem_cache_free@p2(E2, X)
)

@script:python depends on report@
p1 << cb_tested.p1;
p2 << cb_tested.p2;
X << cb_tested.X;
@@
say(p2[0], "%s freed while its callback added on line %s may still be on the fence" % (X, p1[0].line))

@cb_cond exists@
expression F, E2;
expression W1;
idexpression X;
identifier fn, f1;
identifier kf =~ "^(kfree|kvfree)$";
statement S;
position p1, p2;
@@
if (\(dma_fence_add_callback@p1(F, &X->f1, fn) < 0\|dma_fence_add_callback@p1(F, &X->f1, fn)\)) S
... when != dma_fence_remove_callback(F, ...)
    when any
    when != X = W1
(
X = E2
|
kf@p2(X)
|
kmem_cache_free@p2(E2, X)
)

@script:python depends on report@
p1 << cb_cond.p1;
p2 << cb_cond.p2;
X << cb_cond.X;
@@
say(p2[0], "%s freed while its callback added on line %s may still be on the fence" % (X, p1[0].line))

// The callback node in a local variable: returning leaves the fence with a
// pointer into a dead stack frame, unless the code removed the callback or
// looked at the variable again (waiting for the callback to have run).
@stack_plain exists@
expression F, E;
initializer I;
identifier V, fn, f1, f3;
type T;
position p1, p2;
@@
\(T V; \| T V = I;\)
... when any
dma_fence_add_callback@p1(F, &V.f1, fn);
... when != dma_fence_remove_callback(...)
    when any
    when != V.f3
\(return@p2; \| return@p2 E;\)

@script:python depends on report@
p1 << stack_plain.p1;
p2 << stack_plain.p2;
V << stack_plain.V;
@@
say(p2[0], "return while the callback in local %s, added on line %s, may still be on the fence" % (V, p1[0].line))

@stack_unchecked exists@
expression F, E, ret;
initializer I;
identifier V, fn, f1, f3;
type T;
position p1, p2;
@@
\(T V; \| T V = I;\)
... when any
ret = dma_fence_add_callback@p1(F, &V.f1, fn);
... when != dma_fence_remove_callback(...)
    when any
    when != V.f3
    when != ret
\(return@p2; \| return@p2 E;\)

@script:python depends on report@
p1 << stack_unchecked.p1;
p2 << stack_unchecked.p2;
V << stack_unchecked.V;
@@
say(p2[0], "return while the callback in local %s, added on line %s, may still be on the fence" % (V, p1[0].line))

@stack_tested exists@
expression F, E, ret;
initializer I;
identifier V, fn, f1, f3;
type T;
statement S;
position p1, p2;
@@
\(T V; \| T V = I;\)
... when any
ret = dma_fence_add_callback@p1(F, &V.f1, fn);
if (\(ret == -ENOENT\|ret < 0\|ret != 0\|ret\)) S
... when != dma_fence_remove_callback(...)
    when any
    when != V.f3
\(return@p2; \| return@p2 E;\)

@script:python depends on report@
p1 << stack_tested.p1;
p2 << stack_tested.p2;
V << stack_tested.V;
@@
say(p2[0], "return while the callback in local %s, added on line %s, may still be on the fence" % (V, p1[0].line))

@stack_cond exists@
expression F, E;
initializer I;
identifier V, fn, f1, f3;
type T;
statement S;
position p1, p2;
@@
\(T V; \| T V = I;\)
... when any
if (\(dma_fence_add_callback@p1(F, &V.f1, fn) < 0\|dma_fence_add_callback@p1(F, &V.f1, fn)\)) S
... when != dma_fence_remove_callback(...)
    when any
    when != V.f3
\(return@p2; \| return@p2 E;\)

@script:python depends on report@
p1 << stack_cond.p1;
p2 << stack_cond.p2;
V << stack_cond.V;
@@
say(p2[0], "return while the callback in local %s, added on line %s, may still be on the fence" % (V, p1[0].line))

// ---------------------------------------------------------------------------
// Lists.

@linked exists@
expression H, E2;
idexpression X;
identifier f1;
identifier add =~ "^list_add(_tail)?(_rcu)?$";
identifier del =~ "^list_(del|move|replace)";
identifier kf =~ "^(kfree|kvfree)$";
position p1, p2;
expression W1;
@@
add@p1(&X->f1, H);
... when != del(&X->f1, ...)
    when != list_empty(&X->f1)
    when != X = W1
(
X = E2
|
kf@p2(X)
|
kmem_cache_free@p2(E2, X)
)

@linked_guard exists@
identifier linked.add;
position linked.p1, linked.p2;
identifier err =~ "^(ret|err|r|rc|error|result)$";
expression W1 : script:python () { W1.strip() != "0" };
statement S;
position pg;
@@
add@p1(...);
... when != err = W1
    when any
if (<+... err ...+>) S@pg

@script:python@
p1 << linked.p1;
p2 << linked.p2;
pg << linked_guard.pg;
@@
if inside(p2[0], pg[0]):
    guarded.add(pair(p1[0], p2[0]))

@script:python depends on report@
p1 << linked.p1;
p2 << linked.p2;
X << linked.X;
@@
if pair(p1[0], p2[0]) not in guarded:
    say(p2[0], "%s freed while still on the list it was added to on line %s" % (X, p1[0].line))
