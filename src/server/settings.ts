// The server's settings (section `kobjectLifetime`) and how they combine with a workspace folder's
// `.kobject-lifetime.json`: validated key by key like the file, invalid parts named and ignored.
import { readConfig, type Config, type ModelExtension, type RuleSetting } from '../analysis';

export const SETTINGS_SECTION = 'kobjectLifetime';
export const CONFIG_FILE = '.kobject-lifetime.json';

/** Files larger than this (UTF-8 bytes) are not analyzed unless the user says otherwise. */
export const DEFAULT_MAX_FILE_SIZE = 1024 * 1024;

export interface Settings {
  enable: boolean;
  /** Per-rule severity or 'off' (validated rule ids only). */
  rules: Record<string, RuleSetting>;
  /** Extra API entries, as the `api` key of `.kobject-lifetime.json`. */
  extension: ModelExtension;
  maxFileSize: number;
}

export const DEFAULT_SETTINGS: Settings = {
  enable: true,
  rules: {},
  extension: {},
  maxFileSize: DEFAULT_MAX_FILE_SIZE,
};

export interface SettingsResult {
  settings: Settings;
  /** One line per ignored part, naming the setting: `kobjectLifetime.rules.foo: no such rule`. */
  errors: string[];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Reads the `kobjectLifetime` section as the client sends it (workspace/configuration, the push model
 * of didChangeConfiguration, or initializationOptions). Missing keys take their defaults; `null` or a
 * non-object section means all defaults.
 */
export function readSettings(value: unknown, knownRules: readonly string[]): SettingsResult {
  const errors: string[] = [];
  if (value === undefined || value === null) return { settings: { ...DEFAULT_SETTINGS }, errors };
  if (!isObject(value)) {
    return { settings: { ...DEFAULT_SETTINGS }, errors: [`${SETTINGS_SECTION}: must be an object`] };
  }
  const settings: Settings = { ...DEFAULT_SETTINGS };
  const enable = value['enable'];
  if (typeof enable === 'boolean') settings.enable = enable;
  else if (enable !== undefined && enable !== null)
    errors.push(`${SETTINGS_SECTION}.enable: must be true or false`);

  const max = value['maxFileSize'];
  if (typeof max === 'number' && Number.isFinite(max) && max > 0) settings.maxFileSize = Math.floor(max);
  else if (max !== undefined && max !== null)
    errors.push(`${SETTINGS_SECTION}.maxFileSize: must be a positive number of bytes`);

  // `rules` and `api` have the configuration file's shape: the same validation, one source of truth.
  const shaped: Record<string, unknown> = {};
  if (value['rules'] !== undefined && value['rules'] !== null) shaped['rules'] = value['rules'];
  if (value['api'] !== undefined && value['api'] !== null) shaped['api'] = value['api'];
  const { config, errors: configErrors } = readConfig(shaped, knownRules);
  settings.rules = config.rules;
  settings.extension = config.extension;
  for (const e of configErrors) errors.push(`${SETTINGS_SECTION}.${e}`);
  return { settings, errors };
}

/**
 * The settings that apply to one folder: its `.kobject-lifetime.json` first, then the editor settings
 * on top (per rule, and per API function name).
 */
export function mergeConfig(file: Config | undefined, settings: Settings): Settings {
  if (!file) return settings;
  const extension: ModelExtension = {};
  // A function named in the settings replaces the file's entry for it, whichever kind either is.
  const named = new Set([
    ...Object.keys(settings.extension.lookups ?? {}),
    ...Object.keys(settings.extension.wrappers ?? {}),
  ]);
  const without = <T>(o: Record<string, T> | undefined): Record<string, T> =>
    Object.fromEntries(Object.entries(o ?? {}).filter(([name]) => !named.has(name)));
  const lookups = { ...without(file.extension.lookups), ...settings.extension.lookups };
  const wrappers = { ...without(file.extension.wrappers), ...settings.extension.wrappers };
  if (Object.keys(lookups).length > 0) extension.lookups = lookups;
  if (Object.keys(wrappers).length > 0) extension.wrappers = wrappers;
  return {
    ...settings,
    rules: { ...file.rules, ...settings.rules },
    extension,
  };
}

/** A stable key for a model extension: documents whose keys match can share one analyzer. */
export function extensionKey(extension: ModelExtension): string {
  const sorted = (o: Record<string, unknown> | undefined): [string, unknown][] =>
    Object.entries(o ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([sorted(extension.lookups), sorted(extension.wrappers)]);
}
