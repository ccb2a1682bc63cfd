// SPDX-License-Identifier: GPL-2.0-only
/// An object used or released again after a constructor that frees it on
/// failure (failure catalogue entries 4 and 3).
///
/// Some constructors take a caller-allocated object and release it
/// themselves when they fail: ttm_bo_init_reserved() and
/// ttm_bo_init_validate() call the destroy callback, and every wrapper that
/// hands its argument to them and passes the error back inherits the
/// contract. A caller whose error branch still touches, frees or puts the
/// object works on freed memory.
///
/// Which functions free an argument on failure is learnt from their bodies:
/// a pointer parameter, or the object an out-parameter points to, is
/// released (kfree and friends, a *_put of it or of an embedded member) on
/// a path that returns a failure, without the function having taken a
/// reference of its own first, while another path keeps it; or it is
/// handed to a function already known to free it and that function's error
/// is passed back. Functions named like destructors, and out-parameters
/// the function resets to NULL, are left out. The set starts from the two TTM
/// constructors and from GC_COCCI_FACTS in the environment
/// ("name:index[:out]" words, index counted from 0). Run with -D infer, the
/// rule prints what it learns as "GC_FACT name:index[:out]" lines;
/// scripts/coccicheck.sh repeats that until the set stops growing, so
/// wrappers defined in other files are known when the check runs.
///
/// A use is any mention of the object, other than assigning it, in the
/// branch taken when the constructor fails, after the label that branch
/// jumps to, or after the call before its result is tested at all.
//
// Confidence: High
// Options: --no-includes --include-headers
// Check-files: ttm_bo_init_reserved ttm_bo_init_validate

virtual report
virtual infer

@initialize:python@
@@
import os
import re

# function name -> {(argument index, 'in' or 'out')}
facts = {
    'ttm_bo_init_reserved': {(1, 'in')},
    'ttm_bo_init_validate': {(1, 'in')},
}
for word in os.environ.get('GC_COCCI_FACTS', '').split():
    part = word.split(':')
    if len(part) >= 2 and part[1].isdigit():
        kind = 'out' if part[2:] == ['out'] else 'in'
        facts.setdefault(part[0], set()).add((int(part[1]), kind))

inferring = False
assigned = set()
results = {}
cleared = set()


def learn(name, idx, kind):
    fact = (int(idx), kind)
    if fact in facts.get(name, set()):
        return
    if kind == 'out' and (name, fact[0]) in cleared:
        return
    facts.setdefault(name, set()).add(fact)
    if inferring:
        print('GC_FACT %s:%d%s' % (name, fact[0], ':out' if kind == 'out' else ''))


def known(name):
    return name in facts


def consumes(name, idx, kind):
    return (int(idx), kind) in facts.get(name, set())


def failing(value, rtype):
    # What a failing return looks like: NULL or an ERR_PTR() from a function
    # returning a pointer, anything but 0, a boolean or a count from one
    # returning an error code.
    value = value.strip()
    if rtype.strip().endswith('*'):
        return value == 'NULL' or re.match(r'ERR_(PTR|CAST)\b', value) is not None
    return value not in ('0', 'NULL', 'true', 'false') and not value.isdigit()


RELEASING = {
    'free', 'destroy', 'fini', 'release', 'put', 'unref', 'remove', 'del',
    'delete', 'close', 'evict', 'cleanup', 'clean', 'kill', 'detach', 'unbind',
    'unmap', 'drop', 'exit', 'teardown', 'done', 'finish', 'complete', 'retire',
}


def constructor(name, rtype):
    # Destructors free their argument whatever they return (a word of their
    # name says so); constructors return an error code or a pointer.
    if RELEASING & set(name.lower().split('_')):
        return False
    rtype = rtype.replace('static', '').replace('inline', '').strip()
    return rtype in ('int', 'long') or rtype.endswith('*')


def the_object(name, idx, arg):
    """The expression naming the object freed when name() fails, or None."""
    arg = arg.strip()
    if consumes(name, idx, 'out'):
        if arg.startswith('&'):
            return arg[1:].strip()
        return '*' + arg
    if not consumes(name, idx, 'in'):
        return None
    member = re.match(r'&\s*(\w+|\(\s*\*\s*\w+\s*\))\s*->', arg)
    if member:
        return member.group(1)
    if arg.startswith('&'):
        return arg[1:].strip()
    return arg


def key(pos):
    return (pos.file, pos.line, pos.column)

@script:python depends on infer@
@@
inferring = True

// ---------------------------------------------------------------------------
// Learning which functions free an argument when they fail.

// A parameter released on a path that returns a failure.
@free_in depends on infer exists@
identifier fn, P;
identifier kf =~ "^(kfree|kvfree|vfree|kfree_sensitive)$";
identifier put =~ "^(?!.*(vblank|runtime|_pm_|wakeref|forcewake|irq|power)).*_put$";
identifier get =~ "(^|_)get(_|$)|_reference$";
parameter list[n] ps;
type R, T;
expression E2, E3;
identifier f1, f2, f3;
expression W1;
@@
R fn(ps, T *P, ...)
{
  ... when != get(..., P, ...)
      when != get(..., &P->f1, ...)
      when != get(..., &P->f1.f2, ...)
      when any
(
  kf(P);
|
  kmem_cache_free(E3, P);
|
  put(P);
|
  put(&P->f1);
|
  put(&P->f1.f2);
|
  put(&P->f1.f2.f3);
|
  kref_put(&P->f1, E3);
)
  ... when != P = W1
  return E2;
}

// ... and that has a path that keeps it: a function that frees it on every
// path is a destructor, whatever it returns.
@keep_in exists@
identifier free_in.fn, free_in.P, free_in.kf, free_in.put;
parameter list[free_in.n] ps;
type free_in.R, free_in.T;
expression E3;
identifier f1, f2, f3;
position pk;
@@
R fn@pk(ps, T *P, ...)
{
  ... when != kf(P)
      when != kmem_cache_free(E3, P)
      when != put(P)
      when != put(&P->f1)
      when != put(&P->f1.f2)
      when != put(&P->f1.f2.f3)
      when != kref_put(&P->f1, E3)
  return ...;
}

@script:python@
fn << free_in.fn;
R << free_in.R;
n << free_in.n;
E2 << free_in.E2;
pk << keep_in.pk;
@@
if failing(E2, R) and constructor(fn, R):
    learn(fn, n, 'in')

// An out-parameter the function clears: the caller gets NULL, not a
// dangling pointer.
@nulls_out depends on infer exists@
identifier fn, P;
parameter list[n] ps;
type R, T;
@@
R fn(ps, T **P, ...)
{
  ... when any
  *P = NULL;
  ... when any
}

@script:python@
fn << nulls_out.fn;
n << nulls_out.n;
@@
cleared.add((fn, int(n)))

// The object an out-parameter points to, released on a failing path.
@free_out depends on infer exists@
identifier fn, P;
identifier kf =~ "^(kfree|kvfree|vfree|kfree_sensitive)$";
identifier put =~ "^(?!.*(vblank|runtime|_pm_|wakeref|forcewake|irq|power)).*_put$";
identifier get =~ "(^|_)get(_|$)|_reference$";
parameter list[n] ps;
type R, T;
expression E2, E3;
identifier f1, f2, f3;
expression W1;
@@
R fn(ps, T **P, ...)
{
  ... when != get(..., *P, ...)
      when != get(..., &(*P)->f1, ...)
      when != get(..., &(*P)->f1.f2, ...)
      when any
(
  kf(*P);
|
  kmem_cache_free(E3, *P);
|
  put(*P);
|
  put(&(*P)->f1);
|
  put(&(*P)->f1.f2);
|
  put(&(*P)->f1.f2.f3);
|
  kref_put(&(*P)->f1, E3);
)
  ... when != *P = W1
  return E2;
}

@keep_out exists@
identifier free_out.fn, free_out.P, free_out.kf, free_out.put;
parameter list[free_out.n] ps;
type free_out.R, free_out.T;
expression E3;
identifier f1, f2, f3;
position pk;
@@
R fn@pk(ps, T **P, ...)
{
  ... when != kf(*P)
      when != kmem_cache_free(E3, *P)
      when != put(*P)
      when != put(&(*P)->f1)
      when != put(&(*P)->f1.f2)
      when != put(&(*P)->f1.f2.f3)
      when != kref_put(&(*P)->f1, E3)
  return ...;
}

@script:python@
fn << free_out.fn;
R << free_out.R;
n << free_out.n;
E2 << free_out.E2;
pk << keep_out.pk;
@@
if failing(E2, R) and constructor(fn, R):
    learn(fn, n, 'out')

// A parameter handed to a freeing function whose error is passed on.
@pass_in depends on infer exists@
identifier fn, P, ret;
identifier C : script:python () { known(C) };
parameter list[n] ps;
expression list[k] es;
type R, T, T2;
identifier f1, f2, f3;
expression W1;
@@
R fn(ps, T *P, ...)
{
  ... when any
(
  ret = C(es, P, ...);
|
  ret = C(es, &P->f1, ...);
|
  ret = C(es, &P->f1.f2, ...);
|
  ret = C(es, &P->f1.f2.f3, ...);
|
  T2 ret = C(es, P, ...);
|
  T2 ret = C(es, &P->f1, ...);
|
  T2 ret = C(es, &P->f1.f2, ...);
|
  T2 ret = C(es, &P->f1.f2.f3, ...);
)
  ... when != ret = W1
  return <+... ret ...+>;
}

@script:python@
fn << pass_in.fn;
R << pass_in.R;
n << pass_in.n;
C << pass_in.C;
k << pass_in.k;
@@
if consumes(C, k, 'in') and constructor(fn, R):
    learn(fn, n, 'in')

// What an out-parameter points to, handed to a freeing function.
@pass_out depends on infer exists@
identifier fn, P, ret;
identifier C : script:python () { known(C) };
parameter list[n] ps;
expression list[k] es;
type R, T, T2;
identifier f1, f2, f3;
expression W1, W2;
@@
R fn(ps, T **P, ...)
{
  ... when any
(
  ret = C(es, *P, ...);
|
  ret = C(es, &(*P)->f1, ...);
|
  ret = C(es, &(*P)->f1.f2, ...);
|
  ret = C(es, &(*P)->f1.f2.f3, ...);
|
  T2 ret = C(es, *P, ...);
|
  T2 ret = C(es, &(*P)->f1, ...);
|
  T2 ret = C(es, &(*P)->f1.f2, ...);
|
  T2 ret = C(es, &(*P)->f1.f2.f3, ...);
)
  ... when != ret = W1
      when != *P = W2
  return <+... ret ...+>;
}

@script:python@
fn << pass_out.fn;
R << pass_out.R;
n << pass_out.n;
C << pass_out.C;
k << pass_out.k;
@@
if consumes(C, k, 'in') and constructor(fn, R):
    learn(fn, n, 'out')

// An out-parameter handed on as the out-parameter of a freeing function.
@pass_outout depends on infer exists@
identifier fn, P, ret;
identifier C : script:python () { known(C) };
parameter list[n] ps;
expression list[k] es;
type R, T, T2;
expression W1, W2;
@@
R fn(ps, T **P, ...)
{
  ... when any
(
  ret = C(es, P, ...);
|
  T2 ret = C(es, P, ...);
)
  ... when != ret = W1
      when != *P = W2
  return <+... ret ...+>;
}

@script:python@
fn << pass_outout.fn;
R << pass_outout.R;
n << pass_outout.n;
C << pass_outout.C;
k << pass_outout.k;
@@
if consumes(C, k, 'out') and constructor(fn, R):
    learn(fn, n, 'out')

// ---------------------------------------------------------------------------
// Checking the callers' error branches.

@call depends on !infer exists@
expression list[k] es;
identifier C : script:python () { known(C) };
expression A;
position p1;
@@
C@p1(es, A, ...)

// Where the call's result goes: "p = realloc_like(p)" replaces the object.
@result@
identifier call.C;
expression R;
position call.p1;
@@
R = C@p1(...)

@script:python@
p1 << call.p1;
R << result.R;
@@
results[key(p1[0])] = R.strip()

// The object the failure frees: what an out-parameter's &O names, the
// container X of an argument &X->member, or else the argument itself.
@script:python obj@
k << call.k;
C << call.C;
A << call.A;
p1 << call.p1;
O;
@@
o = the_object(C, k, A)
if o is None or results.get(key(p1[0])) == o:
    cocci.include_match(False)
else:
    coccinelle.O = cocci.make_expr(o)

// A mention inside the branch taken on failure ...
@use exists@
identifier call.C;
expression obj.O;
identifier ret;
type T;
position call.p1, p2;
expression W2;
@@
(
\(ret = C@p1(...); \| T ret = C@p1(...);\)
... when != ret
    when != O = W2
if (\(ret < 0\|ret != 0\|IS_ERR(ret)\|IS_ERR_OR_NULL(ret)\|ret\))
{
  ... when any
  O@p2
  ... when any
}
|
if (\(C@p1(...) < 0\|C@p1(...) != 0\|IS_ERR(C@p1(...))\|C@p1(...)\))
{
  ... when any
  O@p2
  ... when any
}
)

// ... or before the result is even looked at, so on the failure path too.
@direct exists@
identifier call.C;
expression obj.O;
identifier ret;
expression E;
type T;
position call.p1, p2;
expression W1;
@@
\(ret = C@p1(...); \| T ret = C@p1(...);\)
... when != ret
    when != O = W1
(
O = E
|
O@p2
)

// "ret ? ERR_PTR(ret) : obj" tests the result first.
@chosen@
expression obj.O, E;
identifier direct.ret;
position pt;
@@
ret ? E : O@pt

@script:python@
pt << chosen.pt;
@@
assigned.add(key(pt[0]))

// ... or after the label it jumps to.
@jump exists@
identifier call.C;
expression obj.O;
identifier ret, l;
type T;
position call.p1;
expression W2, W3, W4;
@@
(
\(ret = C@p1(...); \| T ret = C@p1(...);\)
... when != ret
    when != O = W2
if (\(ret < 0\|ret != 0\|IS_ERR(ret)\|IS_ERR_OR_NULL(ret)\|ret\))
\( goto l; \| { ... when != O = W3
    goto l; } \)
|
if (\(C@p1(...) < 0\|C@p1(...) != 0\|IS_ERR(C@p1(...))\|C@p1(...)\))
\( goto l; \| { ... when != O = W4
    goto l; } \)
)

@label exists@
identifier jump.l;
expression obj.O;
expression E;
position p2;
expression W1;
@@
l:
... when != O = W1
(
O = E
|
O@p2
)

// Assigning the object is not a use.
@asg@
expression obj.O;
expression E;
position pa;
@@
O@pa = E

@script:python@
pa << asg.pa;
@@
assigned.add(key(pa[0]))

@script:python depends on report@
p1 << call.p1;
p2 << use.p2;
O << obj.O;
C << call.C;
@@
if key(p2[0]) not in assigned:
    coccilib.report.print_report(p2[0],
        "%s used on the error path of %s() on line %s, which frees it on failure"
        % (O, C, p1[0].line))

@script:python depends on report@
p1 << call.p1;
p2 << direct.p2;
O << obj.O;
C << call.C;
@@
if key(p2[0]) not in assigned:
    coccilib.report.print_report(p2[0],
        "%s used after %s() on line %s before its result is tested; it frees it on failure"
        % (O, C, p1[0].line))

@script:python depends on report@
p1 << call.p1;
p2 << label.p2;
O << obj.O;
C << call.C;
@@
# Labels are per function: only the constructor's own function counts.
if p2[0].current_element == p1[0].current_element:
    coccilib.report.print_report(p2[0],
        "%s used on the error path of %s() on line %s, which frees it on failure"
        % (O, C, p1[0].line))
