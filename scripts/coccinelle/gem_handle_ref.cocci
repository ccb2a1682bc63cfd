// SPDX-License-Identifier: GPL-2.0-only
/// A GEM object used while the only reference to it belongs to a handle
/// user space can close (failure catalogue entry 2).
///
/// drm_gem_handle_create() makes the object reachable from user space at
/// once: another thread can guess the handle and close it. Once the caller
/// has dropped its own reference ("the handle holds it now"), every later
/// use of the object, including returning it, can touch freed memory.
/// Reported:
///  - a use of the object after drm_gem_handle_create() and a put of the
///    caller's reference, with no reference taken in between (the use may
///    also be through the variable the GEM object was taken from, as in
///    gem = &bo->base);
///  - drm_gem_handle_create() on an object whose reference was already put;
///  - a caller that uses the object returned by such a function beyond
///    testing it for an error. The functions are learnt: one that returns
///    the object after the put above is one of them. Run with -D infer, the
///    rule prints "GC_FACT name:0" for each; GC_COCCI_FACTS in the
///    environment passes those found in other files.
/// A second put after the handle took over is reported by
/// put_after_handoff.cocci.
//
// Confidence: High
// Options: --no-includes --include-headers
// Infer-files: drm_gem_handle_create
// Check-files: drm_gem_handle_create

virtual report
virtual infer

@initialize:python@
@@
import os

handle_only = set()
for word in os.environ.get('GC_COCCI_FACTS', '').split():
    handle_only.add(word.split(':')[0])
inferring = False
seen = set()
not_uses = set()


def key(pos):
    return (pos.file, pos.line, pos.column)


def returns_handle_only(name):
    return name in handle_only


def say(pos, msg):
    # One report per place, whichever rule found it first.
    if key(pos) not in seen:
        seen.add(key(pos))
        coccilib.report.print_report(pos, msg)

@script:python depends on infer@
@@
inferring = True

// The object: X is the GEM object or the driver object it is embedded in.
@hc exists@
expression file, h;
idexpression X;
identifier f1, f2, f3;
position p1;
@@
(
drm_gem_handle_create@p1(file, X, h)
|
drm_gem_handle_create@p1(file, &X->f1, h)
|
drm_gem_handle_create@p1(file, &X->f1.f2, h)
|
drm_gem_handle_create@p1(file, &X->f1.f2.f3, h)
)

// Y: the driver object X was taken from (gem = &bo->base).
@alias exists@
idexpression hc.X, Y;
identifier f1, f2, f3;
position hc.p1;
expression W1;
@@
\(X = &Y->f1 \| X = &Y->f1.f2 \| X = &Y->f1.f2.f3\)
... when != Y = W1
drm_gem_handle_create@p1(...)

@use exists@
idexpression hc.X;
expression E2;
identifier put =~ "_put$";
identifier unref =~ "_(unref|unreference)$";
identifier get =~ "(^|_)get(_|$)|_reference$";
identifier f1, f2, f3;
position hc.p1, p2, p3;
expression W1;
expression W9;
@@
drm_gem_handle_create@p1(...)
... when != X = W1
    when != get(..., X, ...)
    when != get(..., &X->f1, ...)
    when != get(..., &X->f1.f2, ...)
    when != get(..., &X->f1.f2.f3, ...)
(
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
... when != X = W9
(
X = E2
|
put(X)
|
put(&X->f1)
|
put(&X->f1.f2)
|
put(&X->f1.f2.f3)
|
unref(&X)
|
X@p3
)

@script:python depends on report@
p1 << hc.p1;
p2 << use.p2;
p3 << use.p3;
X << hc.X;
@@
say(p3[0], "%s used after its reference was put on line %s; the handle created on line %s may already be closed" % (X, p2[0].line, p1[0].line))

// The same through the driver object the GEM pointer came from.
@use_alias exists@
idexpression hc.X, alias.Y;
expression E2;
identifier put =~ "_put$";
identifier get =~ "(^|_)get(_|$)|_reference$";
identifier f1, f2;
position hc.p1, p2, p3;
expression W1, W2;
expression W9;
@@
drm_gem_handle_create@p1(...)
... when != X = W1
    when != Y = W2
    when != get(..., X, ...)
    when != get(..., Y, ...)
put@p2(X);
... when != Y = W9
(
Y = E2
|
put(Y)
|
put(&Y->f1)
|
put(&Y->f1.f2)
|
Y@p3
)

@script:python depends on report@
p1 << hc.p1;
p2 << use_alias.p2;
p3 << use_alias.p3;
Y << alias.Y;
@@
say(p3[0], "%s used after its reference was put on line %s; the handle created on line %s may already be closed" % (Y, p2[0].line, p1[0].line))

// A function that returns the object after its own reference went.
@returned_x exists@
identifier fn;
idexpression hc.X;
identifier put =~ "_put$";
identifier f1, f2, f3;
position hc.p1;
expression W1;
@@
fn(...)
{
  ... when any
  drm_gem_handle_create@p1(...)
  ... when any
(
  put(X);
|
  put(&X->f1);
|
  put(&X->f1.f2);
|
  put(&X->f1.f2.f3);
)
  ... when != X = W1
  return X;
}

@returned_y exists@
identifier fn;
idexpression hc.X, alias.Y;
identifier put =~ "_put$";
position hc.p1;
expression W1;
@@
fn(...)
{
  ... when any
  drm_gem_handle_create@p1(...)
  ... when any
  put(X);
  ... when != Y = W1
  return Y;
}

@script:python@
fn << returned_x.fn;
@@
if fn not in handle_only:
    handle_only.add(fn)
    if inferring:
        print('GC_FACT %s:0' % fn)

@script:python@
fn << returned_y.fn;
@@
if fn not in handle_only:
    handle_only.add(fn)
    if inferring:
        print('GC_FACT %s:0' % fn)

// The handle was created from an object whose reference is gone.
@late depends on !infer exists@
expression file, h;
idexpression X;
identifier put =~ "_put$";
identifier get =~ "(^|_)get(_|$)|_reference$";
identifier f1, f2, f3;
position p1, p2;
expression W1;
@@
(
put@p1(X);
|
put@p1(&X->f1);
|
put@p1(&X->f1.f2);
|
put@p1(&X->f1.f2.f3);
)
... when != X = W1
    when != get(...)
(
drm_gem_handle_create@p2(file, X, h)
|
drm_gem_handle_create@p2(file, &X->f1, h)
|
drm_gem_handle_create@p2(file, &X->f1.f2, h)
|
drm_gem_handle_create@p2(file, &X->f1.f2.f3, h)
)

@script:python depends on report@
p1 << late.p1;
p2 << late.p2;
X << late.X;
@@
if int(p2[0].line) > int(p1[0].line):
    say(p2[0], "GEM handle created for %s after its reference was put on line %s" % (X, p1[0].line))

// Callers of the functions found above.
@callee depends on !infer@
identifier fn : script:python () { returns_handle_only(fn) };
idexpression R;
position p1;
@@
R = fn@p1(...)

@caller exists@
identifier callee.fn;
idexpression callee.R;
position callee.p1, p2;
expression W1;
@@
R = fn@p1(...);
... when != R = W1
    when any
R@p2

// Testing the result for an error, or assigning it, is not a use.
@tested@
idexpression callee.R;
expression E;
position pt;
@@
(
IS_ERR(R@pt)
|
PTR_ERR(R@pt)
|
IS_ERR_OR_NULL(R@pt)
|
PTR_ERR_OR_ZERO(R@pt)
|
R@pt = E
)

@script:python@
pt << tested.pt;
@@
not_uses.add(key(pt[0]))

@script:python depends on report@
p1 << callee.p1;
p2 << caller.p2;
fn << callee.fn;
R << callee.R;
@@
if key(p2[0]) not in not_uses:
    say(p2[0], "%s used, but %s() on line %s returns it with only a user-space handle holding it" % (R, fn, p1[0].line))
