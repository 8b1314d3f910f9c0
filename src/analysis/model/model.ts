// The one lifetime model every consumer uses: the API table merged with the lookup table and any
// user-configured entries, plus the text test that tells whether a file can matter at all.
import { API_TABLE, LOOKUP_TABLE, type ApiEntry } from './api-table';

/** User-configurable additions (the `.kobject-lifetime.json` "api" section uses the same shape). */
export interface ModelExtension {
  /** Lookup functions: `"my_find_dev": { "returns": "reference", "put": "put_device" }`. */
  lookups?: Record<string, { put: string }>;
  /** Wrapper puts: `"gpio_device_put": "put"` and other simple transitions. */
  wrappers?: Record<string, 'put' | 'get' | 'init' | 'free' | 'del' | 'unregister'>;
}

export interface ApiModel {
  api: ReadonlyMap<string, ApiEntry>;
  /** Calls that evaluate to their only argument for ownership purposes (`no_free_ptr(x)`). */
  passThrough: ReadonlySet<string>;
  /** Names that make a file worth parsing. */
  triggers: RegExp;
}

const WRAPPER_OPS: Record<string, ApiEntry> = {
  put: { object: 0, ops: ['put'], family: 'reference' },
  get: { object: 0, ops: ['get'], family: 'reference' },
  init: { object: 0, ops: ['init'], family: 'reference' },
  free: { object: 0, ops: ['free'], family: 'memory' },
  del: { object: 0, ops: ['del'], family: 'reference' },
  unregister: { object: 0, ops: ['del', 'put'], family: 'reference' },
};

export function buildModel(ext: ModelExtension = {}): ApiModel {
  const api = new Map<string, ApiEntry>(Object.entries(API_TABLE));
  const lookups: Record<string, { put: string; consumes?: number }> = {
    ...LOOKUP_TABLE,
    ...(ext.lookups ?? {}),
  };
  for (const [name, l] of Object.entries(lookups)) {
    const entry: ApiEntry = { object: 'ret', ops: ['get'], fails: 'null', family: 'reference', put: l.put };
    if (l.consumes !== undefined) entry.consumes = l.consumes;
    api.set(name, entry);
    if (!api.has(l.put)) api.set(l.put, { object: 0, ops: ['put'], family: 'reference' });
  }
  for (const [name, kind] of Object.entries(ext.wrappers ?? {})) {
    const e = WRAPPER_OPS[kind];
    if (e) api.set(name, e);
  }
  // A lifetime call (not plain memory or a sink) must appear for a file to matter.
  const names = [...api.entries()]
    .filter(([, e]) => e.family !== 'memory' && e.family !== 'sink')
    .map(([n]) => n)
    .sort((a, b) => b.length - a.length);
  const triggers = new RegExp(`\\b(?:${names.join('|')})\\s*\\(`);
  return { api, passThrough: new Set(['no_free_ptr', 'return_ptr']), triggers };
}
