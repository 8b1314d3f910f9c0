// Entry point of the VS Code client: starts the language server, registers the commands and the status
// bar item, and turns the server on and off with kobjectLifetime.enable. Everything else is the server's.
import * as vscode from 'vscode';
import { State, type LanguageClient } from 'vscode-languageclient/node';
import { registerCommands } from './commands';
import { createClient, RestartingErrorHandler } from './client';
import { FEATURES } from './features';
import { StatusBar } from './status';
import { STATUS_NOTIFICATION, type StatusParams } from '../protocol/requests';

/** What activate() returns: the extension's exports, read by the extension-host tests. */
export interface KobjectLifetimeApi {
  readonly client: LanguageClient;
  readonly status: StatusBar;
}

let client: LanguageClient | undefined;

const enabled = (): boolean =>
  vscode.workspace.getConfiguration('kobjectLifetime').get<boolean>('enable', true);

export async function activate(context: vscode.ExtensionContext): Promise<KobjectLifetimeApi> {
  const output = vscode.window.createOutputChannel('Kobject Lifetime', { log: true });
  const status = new StatusBar();
  let crashed = false;
  const errorHandler = new RestartingErrorHandler(output, (gaveUp) => {
    crashed = true;
    status.setServer(
      gaveUp ? 'failed' : 'crashed',
      gaveUp ? 'The language server stopped repeatedly.' : undefined,
    );
  });
  const lc = createClient(context, output, errorHandler);
  client = lc;
  context.subscriptions.push(
    output,
    status,
    lc.onDidChangeState((e) => {
      if (e.newState === State.Running) {
        crashed = false;
        status.setServer('running');
      } else if (e.newState === State.Starting) {
        if (!crashed) status.setServer('starting');
      } else if (!crashed) {
        status.setServer(enabled() ? 'stopped' : 'disabled');
      }
    }),
    lc.onNotification(STATUS_NOTIFICATION, (p: StatusParams) => status.setFile(p)),
  );

  const start = async (): Promise<void> => {
    try {
      await lc.start();
    } catch (e) {
      const message = `The Kobject Lifetime server did not start: ${e instanceof Error ? e.message : String(e)}`;
      output.error(message);
      status.setServer('failed', message);
    }
  };
  const restart = async (): Promise<void> => {
    errorHandler.reset();
    crashed = false;
    if (!enabled()) {
      void vscode.window.showInformationMessage('Kobject Lifetime is disabled (kobjectLifetime.enable).');
      return;
    }
    if (lc.isRunning()) await lc.stop();
    await start();
  };

  context.subscriptions.push(
    ...registerCommands({ client: lc, output, extensionUri: context.extensionUri, enabled, restart }),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (!e.affectsConfiguration('kobjectLifetime.enable')) return;
      if (enabled()) {
        if (!lc.isRunning()) await start();
      } else {
        if (lc.isRunning()) await lc.stop();
        status.setServer('disabled');
      }
    }),
  );
  for (const register of FEATURES) register(context, lc);

  if (enabled()) await start();
  else status.setServer('disabled');
  return { client: lc, status };
}

export async function deactivate(): Promise<void> {
  if (client?.isRunning()) await client.stop();
  client = undefined;
}
