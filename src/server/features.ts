// The features the server registers besides document sync and diagnostics. A feature in its own file
// (such as the simulate request and its CodeLens) adds itself to this list.
import { codeActions } from './code-actions';
import type { ServerFeature } from './context';
import { hover } from './hover';
import { simulateFeature } from './simulate';

export const FEATURES: readonly ServerFeature[] = [codeActions, hover, simulateFeature()];
