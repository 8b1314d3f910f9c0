// Wires one connection: document sync, settings, the features and their capabilities. Every handler
// catches its own errors: whatever a document or a setting does, the server keeps running.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  TextDocuments,
  TextDocumentSyncKind,
  type Connection,
  type InitializeParams,
  type InitializeResult,
  type ServerCapabilities,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { version } from '../../package.json';
import type { Analyzer, ModelExtension } from '../analysis';
import { loadAnalyzer } from '../cli/load-analyzer';
import type { Logger, ServerFeature } from './context';
import { defaultDocsDir } from './diagnostics';
import { DocumentService } from './documents';
import { FEATURES } from './features';
import { CONFIG_FILE } from './settings';
import { workspaceFeature } from './workspace';

export const SERVER_NAME = 'kobject-lifetime';

export interface ServerOptions {
  /** Folder holding the .wasm files (the bundle's own folder). */
  distDir: string;
  /** Folder of the rule pages; default `<distDir>/../docs/rules`. */
  docsDir?: string;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message.split('\n', 1)[0]! : String(error);
}

function merge(into: ServerCapabilities, from: ServerCapabilities | undefined): ServerCapabilities {
  return from ? { ...into, ...from } : into;
}

/**
 * Warms the analyzer up in slices between other work (each a few tens of ms; a file opened meanwhile
 * waits for one slice at most), so that files opened later are analyzed at full speed, not while the
 * JavaScript and wasm engines are still compiling. Logs one line when done.
 */
function warmUp(analyzer: Promise<Analyzer> | undefined, log: Logger): void {
  if (!analyzer) return;
  const start = Date.now();
  let slices = 0;
  void analyzer
    .then((a) => {
      const step = (): void => {
        try {
          slices++;
          if (a.warmUpStep()) setTimeout(step, 0);
          else log.info(`warm-up done: ${slices} slices in ${Date.now() - start} ms`);
        } catch (e) {
          log.warn(`warm-up stopped: ${errorText(e)}`);
        }
      };
      setTimeout(step, 0);
    })
    .catch(() => undefined);
}

export function startServer(connection: Connection, options: ServerOptions): DocumentService {
  const log: Logger = {
    info: (m) => connection.console.info(m),
    warn: (m) => connection.console.warn(m),
    error: (m) => connection.console.error(m),
  };
  const documents = new TextDocuments(TextDocument);
  // The first analyzer made (the settings' one) is the one warmed up once the server is idle.
  let firstAnalyzer: Promise<Analyzer> | undefined;
  const service = new DocumentService({
    connection,
    documents,
    loadAnalyzer: (extension: ModelExtension | undefined) => {
      const made = loadAnalyzer(options.distDir, extension);
      firstAnalyzer ??= made;
      return made;
    },
    docsDir: options.docsDir ?? defaultDocsDir(options.distDir),
    log,
  });
  // The CLI bundle beside this one runs the worker threads of large workspace analyses.
  const cli = join(options.distDir, 'cli.js');
  const features: ServerFeature[] = [
    ...FEATURES,
    workspaceFeature(service, existsSync(cli) ? { workerScript: cli } : {}),
  ];
  let dynamicConfiguration = false;
  let dynamicWatch = false;
  let folderEvents = false;

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    const caps = params.capabilities;
    service.setClient(
      {
        documentChanges: caps.workspace?.workspaceEdit?.documentChanges === true,
        configuration: caps.workspace?.configuration === true,
        workDoneProgress: caps.window?.workDoneProgress === true,
      },
      params.initializationOptions,
    );
    const folders = params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []);
    service.setFolders(folders);
    dynamicConfiguration = caps.workspace?.didChangeConfiguration?.dynamicRegistration === true;
    dynamicWatch = caps.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
    folderEvents = caps.workspace?.workspaceFolders === true;
    let capabilities: ServerCapabilities = {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
      workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
    };
    for (const feature of features) capabilities = merge(capabilities, feature.capabilities);
    return { capabilities, serverInfo: { name: SERVER_NAME, version } };
  });

  connection.onInitialized(() => {
    if (dynamicConfiguration) {
      // Makes vscode-languageclient send didChangeConfiguration (then the settings are pulled again).
      void connection.client
        .register(DidChangeConfigurationNotification.type, { section: 'kobjectLifetime' })
        .catch((e: unknown) => log.warn(`cannot watch the settings: ${errorText(e)}`));
    }
    if (dynamicWatch) {
      void connection.client
        .register(DidChangeWatchedFilesNotification.type, {
          watchers: [{ globPattern: `**/${CONFIG_FILE}` }],
        })
        .catch((e: unknown) => log.warn(`cannot watch ${CONFIG_FILE}: ${errorText(e)}`));
    }
    if (folderEvents) {
      try {
        connection.workspace.onDidChangeWorkspaceFolders(() => {
          void connection.workspace
            .getWorkspaceFolders()
            .then((list) => {
              service.setFolders(list?.map((f) => f.uri) ?? []);
              return service.reload();
            })
            .catch((e: unknown) => log.warn(`workspace folders: ${errorText(e)}`));
        });
      } catch (e) {
        log.warn(`workspace folder changes are not followed: ${errorText(e)}`);
      }
    }
    void service.reload().then(() => warmUp(firstAnalyzer, log));
  });

  connection.onDidChangeConfiguration((params) => {
    try {
      service.setPushedSettings(params.settings);
      void service.reload();
    } catch (e) {
      log.error(`didChangeConfiguration: ${errorText(e)}`);
    }
  });
  connection.onDidChangeWatchedFiles(() => void service.reload());

  for (const feature of features) {
    try {
      feature.register(connection, service);
    } catch (e) {
      log.error(`a server feature failed to start: ${errorText(e)}`);
    }
  }
  documents.listen(connection);
  return service;
}
