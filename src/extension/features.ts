// Optional parts of the client (the lifecycle panel, …) register here: activate() calls each with the
// extension context and the one language client (the same object across restarts), after the commands.
// To add a part, import its register function and append it to FEATURES.
import type * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { registerSimulatorPanel } from './panel';

export type RegisterFeature = (context: vscode.ExtensionContext, client: LanguageClient) => void;

export const FEATURES: readonly RegisterFeature[] = [registerSimulatorPanel];
