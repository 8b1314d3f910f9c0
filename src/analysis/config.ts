// The user's configuration (`.kobject-lifetime.json` at the workspace root, the same shape in the
// editor settings): extra API table entries and per-rule severities. Invalid parts are reported by
// key and ignored; the rest still applies.
import type { ModelExtension } from './model/model';
import type { Severity } from './types';

export type RuleSetting = Severity | 'off';

export interface Config {
  extension: ModelExtension;
  rules: Record<string, RuleSetting>;
}

export interface ConfigResult {
  config: Config;
  /** One line per problem, each naming the key: `api.my_find_dev.put: must be a string`. */
  errors: string[];
}

const SETTINGS: readonly RuleSetting[] = ['error', 'warning', 'info', 'hint', 'off'];
const WRAPPERS = ['put', 'get', 'init', 'free', 'del', 'unregister'] as const;
type Wrapper = (typeof WRAPPERS)[number];
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Validate an already-parsed configuration value. `knownRules` are the rule ids that exist. */
export function readConfig(value: unknown, knownRules: readonly string[]): ConfigResult {
  const errors: string[] = [];
  const config: Config = { extension: {}, rules: {} };
  if (!isObject(value)) {
    return { config, errors: ['the configuration must be a JSON object'] };
  }
  for (const key of Object.keys(value)) {
    if (key !== 'api' && key !== 'rules' && key !== '$schema')
      errors.push(`${key}: unknown key (expected "api" or "rules")`);
  }
  const api = value['api'];
  if (api !== undefined) {
    if (!isObject(api)) errors.push('api: must be an object of function names');
    else {
      const lookups: Record<string, { put: string }> = {};
      const wrappers: Record<string, Wrapper> = {};
      for (const [name, spec] of Object.entries(api)) {
        if (!IDENT.test(name)) {
          errors.push(`api.${name}: not a C function name`);
        } else if (typeof spec === 'string') {
          if ((WRAPPERS as readonly string[]).includes(spec)) wrappers[name] = spec as Wrapper;
          else errors.push(`api.${name}: "${spec}" is not one of ${WRAPPERS.join(', ')}`);
        } else if (isObject(spec)) {
          if (spec['returns'] !== 'reference') errors.push(`api.${name}.returns: must be "reference"`);
          else if (typeof spec['put'] !== 'string' || !IDENT.test(spec['put']))
            errors.push(`api.${name}.put: must be the name of the function that drops the reference`);
          else lookups[name] = { put: spec['put'] };
        } else {
          errors.push(`api.${name}: must be a transition name or { "returns": "reference", "put": "…" }`);
        }
      }
      if (Object.keys(lookups).length) config.extension.lookups = lookups;
      if (Object.keys(wrappers).length) config.extension.wrappers = wrappers;
    }
  }
  const rules = value['rules'];
  if (rules !== undefined) {
    if (!isObject(rules)) errors.push('rules: must be an object of rule ids');
    else {
      for (const [id, setting] of Object.entries(rules)) {
        if (!knownRules.includes(id)) errors.push(`rules.${id}: no such rule`);
        else if (typeof setting !== 'string' || !(SETTINGS as readonly string[]).includes(setting)) {
          errors.push(`rules.${id}: must be one of ${SETTINGS.join(', ')}`);
        } else config.rules[id] = setting as RuleSetting;
      }
    }
  }
  return { config, errors };
}

/** Parse the text of a configuration file; a syntax error is reported, never thrown. */
export function parseConfig(text: string, knownRules: readonly string[]): ConfigResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return {
      config: { extension: {}, rules: {} },
      errors: [`not valid JSON: ${e instanceof Error ? e.message : String(e)}`],
    };
  }
  return readConfig(value, knownRules);
}
