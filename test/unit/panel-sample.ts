// A hand-written Simulation for the panel's tests: a module whose exit drops the last reference to a
// kobject with a release in the module, as in the 2016 livepatch thread (delayed release on).
import type { ObjectState, SimPath, SimStep, Simulation } from '../../src/protocol/simulation';

const live = (refcount: number, more: Partial<ObjectState> = {}): ObjectState => ({
  object: 'patch',
  refcount,
  initialized: true,
  inSysfs: true,
  releasePending: false,
  released: false,
  freed: false,
  nameAllocated: true,
  ...more,
});

function steps(list: Omit<SimStep, 'index'>[]): SimStep[] {
  return list.map((s, index) => ({ ...s, index }));
}

const buggy: SimPath = {
  conditions: ['kobject_init_and_add() succeeds'],
  verdict: 'bug',
  folded: 1,
  steps: steps([
    {
      line: 40,
      actor: 'function',
      event: 'kobject_init_and_add(&patch->kobj, …)',
      object: 'patch',
      refcount: 1,
      state: 'in sysfs',
      snapshot: [live(1)],
    },
    {
      line: 52,
      actor: 'function',
      event: 'kobject_put(&patch->kobj)',
      object: 'patch',
      refcount: 0,
      state: 'release pending',
      snapshot: [live(0, { releasePending: true })],
    },
    {
      line: 0,
      actor: 'module-loader',
      event: 'module unloaded',
      snapshot: [live(0, { releasePending: true })],
    },
    {
      line: 20,
      actor: 'sysfs-reader',
      event: 'reads enabled → enabled_show()',
      object: 'patch',
      snapshot: [live(0, { releasePending: true })],
    },
    {
      line: 12,
      file: '/src/other.c',
      actor: 'release-worker',
      event: 'patch_release()',
      object: 'patch',
      refcount: 0,
      state: 'freed',
      time: 2000,
      snapshot: [live(0, { released: true, freed: true, inSysfs: false })],
    },
  ]),
  violations: [
    {
      kind: 'use-after-free',
      line: 20,
      actor: 'sysfs-reader',
      step: 3,
      object: 'patch',
      message: 'enabled_show() runs in the unloaded module.',
    },
  ],
};

const fine: SimPath = {
  conditions: ['kobject_init_and_add() fails'],
  verdict: 'ok',
  folded: 0,
  steps: steps([
    {
      line: 40,
      actor: 'function',
      event: 'kobject_init_and_add(&patch->kobj, …) fails',
      object: 'patch',
      refcount: 1,
      snapshot: [live(1, { inSysfs: false })],
    },
    {
      line: 42,
      actor: 'function',
      event: 'kobject_put(&patch->kobj)',
      object: 'patch',
      refcount: 0,
      state: 'freed',
      snapshot: [live(0, { inSysfs: false, released: true, freed: true })],
    },
  ]),
  violations: [],
};

export function sampleSimulation(): Simulation {
  return {
    version: 1,
    function: 'patch_exit',
    file: '/src/patch.c',
    startLine: 50,
    endLine: 54,
    options: { debugKobjectRelease: true, sysfsReader: true, moduleUnload: true },
    scenario: 'module',
    objects: [
      {
        id: 'patch',
        name: 'patch',
        type: 'struct klp_patch',
        kind: 'kobject',
        memory: 'heap',
        release: 'patch_release',
      },
    ],
    paths: [fine, buggy],
    notes: [],
  };
}
