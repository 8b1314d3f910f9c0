// The language client: the server (dist/server.js) over IPC, settings pushed on change, and a bounded
// automatic restart that tells the user once.
import * as vscode from 'vscode';
import {
  CloseAction,
  ErrorAction,
  LanguageClient,
  TransportKind,
  type CloseHandlerResult,
  type ErrorHandler,
  type ErrorHandlerResult,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';

/** The client id: vscode-languageclient reads `<id>.trace.server` for the protocol trace. */
export const CLIENT_ID = 'kobjectLifetime';
export const CLIENT_NAME = 'Kobject Lifetime';
/** How many unexpected exits within RESTART_WINDOW_MS are restarted before giving up. */
export const MAX_RESTARTS = 4;
const RESTART_WINDOW_MS = 3 * 60_000;

/**
 * Restarts a crashed server up to MAX_RESTARTS times in three minutes. The first restart of a session
 * is announced once; giving up is announced with what to do next. `onCrash` lets the status bar show it.
 */
export class RestartingErrorHandler implements ErrorHandler {
  private readonly exits: number[] = [];
  private announced = false;

  constructor(
    private readonly output: vscode.LogOutputChannel,
    private readonly onCrash: (gaveUp: boolean) => void,
  ) {}

  error(error: Error, _message: unknown, count: number | undefined): ErrorHandlerResult {
    this.output.error(`connection error: ${error.message}`);
    // Three errors in a row on one connection: let it close (closed() then decides about a restart).
    return {
      action: count !== undefined && count <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown,
      handled: true,
    };
  }

  closed(): CloseHandlerResult {
    const now = Date.now();
    this.exits.push(now);
    while (this.exits.length > 0 && now - this.exits[0]! > RESTART_WINDOW_MS) this.exits.shift();
    if (this.exits.length > MAX_RESTARTS) {
      this.onCrash(true);
      const message =
        `The Kobject Lifetime server stopped ${this.exits.length} times in three minutes and is not restarted. ` +
        'See "Kobject Lifetime: Show Output"; "Kobject Lifetime: Restart Server" starts it again.';
      this.output.error(message);
      void vscode.window.showErrorMessage(message);
      return { action: CloseAction.DoNotRestart, handled: true };
    }
    this.onCrash(false);
    this.output.warn('the server stopped unexpectedly; restarting it');
    if (!this.announced) {
      this.announced = true;
      void vscode.window.showWarningMessage(
        'The Kobject Lifetime server stopped unexpectedly and was restarted.',
      );
    }
    return { action: CloseAction.Restart, handled: true };
  }

  /** A restart asked for by the user starts a fresh budget. */
  reset(): void {
    this.exits.length = 0;
  }
}

export function createClient(
  context: vscode.ExtensionContext,
  output: vscode.LogOutputChannel,
  errorHandler: ErrorHandler,
): LanguageClient {
  const module = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'c' },
      { scheme: 'untitled', language: 'c' },
    ],
    synchronize: {
      // The server pulls its settings (workspace/configuration); this notifies it when they change.
      configurationSection: CLIENT_ID,
      fileEvents: vscode.workspace.createFileSystemWatcher('**/.kobject-lifetime.json'),
    },
    outputChannel: output,
    errorHandler,
    connectionOptions: { maxRestartCount: MAX_RESTARTS },
  };
  return new LanguageClient(CLIENT_ID, CLIENT_NAME, serverOptions, clientOptions);
}
