// Custom requests between the VS Code client and the language server, beyond standard LSP.
// Direction is noted on each; params and results are plain JSON.
import type { SimulateResult, SimulationOptions } from './simulation';

/** client → server: simulate the function at a line (0-based, editor convention) or by name. */
export const SIMULATE_REQUEST = 'kobjectLifetime/simulate';
export interface SimulateParams {
  uri: string;
  /** 0-based editor line inside the function (used when `function` is absent). */
  line?: number;
  function?: string;
  options: SimulationOptions;
}
export type SimulateResponse = SimulateResult;
