// The lifetime state machine: one tracked object's state and what each primitive transition does to
// it. The rules read the violations it reports; the simulator replays the same function concretely.
import type { Family, Op } from './api-table';
import { insideLoop, type SyntaxNode } from '../syntax';

/**
 * - unknown: came from outside (parameter, global, field); its refcount is the caller's business.
 * - raw: memory is ours, nothing initialized (kzalloc'd).
 * - live: initialized, we hold `held` references (known) or `held` more than at entry (unknown).
 * - dead: our last reference is gone and nobody else is known to hold one: released (freed).
 * - maybe-dead: a put dropped what may be the last reference.
 * - freed: kfree'd.
 * - undone: a failure undid the init (kset_register): the caller frees the memory, no put.
 */
export type Life = 'unknown' | 'raw' | 'live' | 'dead' | 'maybe-dead' | 'freed' | 'undone';

/** Where the object came from. */
export type Origin = 'alloc' | 'create' | 'reference' | 'unknown';

/** Stable violation kinds, shared with the simulator. */
export type ViolationKind =
  | 'free-while-referenced'
  | 'use-after-put'
  | 'free-after-put'
  | 'double-put'
  | 'put-uninitialized'
  | 'leak'
  | 'reference-leak'
  | 'wrong-put'
  | 'refcounted-in-devm'
  | 'static-object'
  | 'use-after-free'
  | 'double-free';

export interface ObjState {
  /** Access path of the pointer to the container: `x`, `chan->dev`, `&static_obj`. */
  key: string;
  origin: Origin;
  devm: boolean;
  life: Life;
  /** References we hold (known objects) or hold beyond what we came in with (unknown ones). */
  held: number;
  /** True when the refcount is fully known (initialized or created in this function). */
  known: boolean;
  inSysfs: boolean;
  escaped: boolean;
  /** Reached through a parameter or a global: whoever gave it to us may hold more references. */
  external: boolean;
  /** A `__free(put_device)` variable: the put happens automatically at scope exit. */
  autoPut: boolean;
  family?: Family;
  /** Embedded member the lifetime calls use (`dev`, `kobj`), '' when the pointer is the object. */
  member?: string;
  /** The put function the initializing call names (put_device, kobject_put…). */
  putName?: string;
  allocAt?: SyntaxNode;
  initAt?: SyntaxNode;
  failAt?: SyntaxNode;
  putAt?: SyntaxNode;
  /** Transitions applied in this function (for helper summaries), capped. */
  ops: Op[];
}

export interface Transition {
  state: ObjState;
  violation?: ViolationKind;
}

export function newObject(key: string, origin: Origin, life: Life): ObjState {
  return {
    key,
    origin,
    devm: false,
    life,
    held: 0,
    known: life === 'raw',
    inSysfs: false,
    escaped: false,
    external: false,
    autoPut: false,
    ops: [],
  };
}

const MAX_OPS = 8;
const MAX_HELD = 8;

function record(s: ObjState, op: Op): Op[] {
  return s.ops.length >= MAX_OPS ? s.ops : [...s.ops, op];
}

/** Apply one primitive transition. `at` is the call that does it. */
export function applyOp(s: ObjState, op: Op, at: SyntaxNode, family?: Family, prev?: Op): Transition {
  const ops = record(s, op);
  switch (op) {
    case 'alloc':
      return { state: { ...newObject(s.key, 'alloc', 'raw'), allocAt: at, ops } };
    case 'init': {
      if (s.life === 'live') return { state: { ...s, ops } };
      const next: ObjState = { ...s, life: 'live', held: 1, known: true, initAt: at, ops };
      if (family) next.family = family;
      // devres frees this memory at unbind, whatever references are still out there.
      if (s.devm && s.origin === 'alloc') return { state: next, violation: 'refcounted-in-devm' };
      return { state: next };
    }
    case 'add': {
      // device_add()/kobject_add() need an initialized object: if we did not see the init, the caller did.
      const next: ObjState = { ...s, inSysfs: true, ops };
      if (s.life === 'unknown') next.life = 'live';
      if (family && !s.family) next.family = family;
      return { state: next };
    }
    case 'get': {
      const next: ObjState = { ...s, held: Math.min(s.held + 1, MAX_HELD), ops };
      // Past the cap the count is lost: claim nothing that depends on it from here on.
      if (s.held + 1 > MAX_HELD) next.known = false;
      if (s.life === 'unknown' || s.life === 'maybe-dead') next.life = 'live';
      return { state: next };
    }
    case 'put': {
      // A bare kref has no "initialized" flag to warn about (KREF_INIT may have set it in place).
      if (s.life === 'raw') {
        return family === 'kref'
          ? { state: { ...s, ops } }
          : { state: { ...s, putAt: at, ops }, violation: 'put-uninitialized' };
      }
      if (s.life === 'undone' || s.life === 'freed') return { state: { ...s, ops } };
      if (s.life === 'dead') return { state: { ...s, held: s.held - 1, ops }, violation: 'double-put' };
      // After a put of an object whose refcount we never knew, another put may drop someone else's
      // reference (device_destroy(): put the lookup's, then unregister): nothing provable.
      // A plain second put of the one reference this function took is still provably one too many.
      if (s.life === 'maybe-dead') {
        const twice = prev !== 'del' && s.held === 0 && s.origin === 'reference';
        return twice
          ? { state: { ...s, held: -1, ops }, violation: 'double-put' }
          : { state: { ...s, held: s.held - 1, ops } };
      }
      // Unregister drops the registration's reference: on an object we only looked up, ours remains.
      if (prev === 'del' && !s.known && s.held > 0) return { state: { ...s, putAt: at, ops } };
      const held = s.held - 1;
      if (held > 0) return { state: { ...s, held, putAt: at, ops } };
      const last: Life = s.known ? 'dead' : 'maybe-dead';
      // Without CONFIG_DEBUG_KOBJECT_RELEASE the last put cleans up at once (kobject_cleanup()).
      return { state: { ...s, held, life: last, inSysfs: s.known ? false : s.inSysfs, putAt: at, ops } };
    }
    case 'del':
      return { state: { ...s, inSysfs: false, ops } };
    case 'free': {
      const next: ObjState = { ...s, life: 'freed', ops };
      // A bare kref has no name and no sysfs entry: while its creator holds the only reference, a
      // direct kfree is what error paths do (the release may expect a finished object). Whether
      // someone else could hold one by now (a race) is beyond what one function shows.
      if (s.life === 'live' && s.family === 'kref') return { state: next };
      if (s.life === 'live') return { state: next, violation: 'free-while-referenced' };
      if (s.life === 'dead' || s.life === 'maybe-dead') return { state: next, violation: 'free-after-put' };
      if (s.life === 'freed') return { state: next, violation: 'double-free' };
      return { state: next };
    }
    case 'reset':
      return { state: { ...s, life: 'undone', held: 0, inSysfs: false, ops } };
    case 'escape':
      return { state: { ...s, escaped: true, ops } };
  }
}

/** Reading or passing the object (or a member of it). */
export function useCheck(s: ObjState, at?: SyntaxNode): ViolationKind | undefined {
  if (s.life === 'freed') return 'use-after-free';
  // We took a reference and dropped it again on an object nothing else is known to pin: storing the
  // pointer somewhere (priv->md = obj) did not take another reference.
  if (s.life === 'maybe-dead' && s.held === 0 && !s.external && s.origin !== 'alloc') return 'use-after-put';
  if (s.escaped) return undefined;
  if (s.life === 'dead') return 'use-after-put';
  // An object we did not create is at risk after a put that consumed the reference we were handed,
  // or after we dropped the reference we took on an object nothing else is known to pin.
  // Silent only when a get and its put balanced out on something the caller still holds.
  // A loop that puts an object we were handed on every turn, using it again on the next turn, says
  // the object holds one reference per turn.
  if (s.life === 'maybe-dead') {
    if (s.held < 0) {
      const nextTurn = s.putAt && at && at.start < s.putAt.start && insideLoop(s.putAt);
      return nextTurn ? undefined : 'use-after-put';
    }
    return !s.external ? 'use-after-put' : undefined;
  }
  return undefined;
}

/** At a function exit: what is left behind. */
export function exitCheck(s: ObjState): ViolationKind | undefined {
  if (s.escaped) return undefined;
  if (s.autoPut && (s.life === 'dead' || s.life === 'maybe-dead') && s.putAt) return 'double-put';
  if (
    s.life === 'live' &&
    !s.autoPut &&
    s.failAt &&
    (s.origin === 'alloc' || s.origin === 'create') &&
    s.held > 0
  )
    return 'leak';
  if (s.life === 'live' && !s.autoPut && s.origin === 'reference' && s.held > 0) return 'reference-leak';
  // A get on an object we were handed is not claimed even when unbalanced: in the field every such
  // report was a hand-off through another object (a work item, a thread, a setter) one function
  // cannot follow.
  return undefined;
}

/** A short key of what matters for feasibility and findings (not the event locations). */
export function stateKey(s: ObjState): string {
  return `${s.life}/${s.held}/${s.inSysfs ? 1 : 0}${s.escaped ? 1 : 0}${s.autoPut ? 1 : 0}${s.failAt ? 1 : 0}/${s.origin}`;
}

/** Forgetting the pointer (reassigning it) while it holds a reference of ours leaks that reference. */
export function dropCheck(s: ObjState): ViolationKind | undefined {
  if (s.escaped || s.autoPut) return undefined;
  return s.life === 'live' && s.origin === 'reference' && s.held > 0 ? 'reference-leak' : undefined;
}

/** Puts that drop what a lookup of the given put also drops (of_find_device_by_node → either). */
const EQUIVALENT_PUTS: Readonly<Record<string, readonly string[]>> = {
  // Each of these is put_device() on the embedded device (drivers/base/platform.c, drivers/pci/pci.c,
  // drivers/usb/core/usb.c, drivers/power/supply/power_supply_core.c).
  put_device: ['platform_device_put'],
  platform_device_put: ['put_device'],
  pci_dev_put: ['put_device'],
  usb_put_dev: ['put_device'],
  power_supply_put: ['put_device'],
};

/** Is `put` the right call to drop a reference that must be dropped with `expected`? */
export function putMatches(expected: string | undefined, put: string): boolean {
  if (!expected || expected === put) return true;
  return EQUIVALENT_PUTS[expected]?.includes(put) ?? false;
}
