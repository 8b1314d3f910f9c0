// kobjectLifetime/analyzeWorkspace: every .c/.h file under the given folders, on disk, with progress
// and cancellation; diagnostics published for each (open documents keep their live results).
import { statSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { CancellationToken, Connection, WorkDoneProgressReporter } from 'vscode-languageserver';
import { collectFiles, readSource } from '../cli/files';
import {
  ANALYZE_WORKSPACE_REQUEST,
  type AnalyzeWorkspaceParams,
  type AnalyzeWorkspaceResult,
} from '../protocol/requests';
import type { ServerContext, ServerFeature } from './context';
import { toDiagnostics } from './diagnostics';
import type { DocumentService } from './documents';
import { uriToPath } from './documents';

/** Folders never searched: dependencies and build output, not kernel sources. (Dot-folders are skipped by the walk.) */
const SKIPPED_DIRS = ['node_modules'];

/** Progress is reported at most this often (each report is a notification). */
const PROGRESS_INTERVAL_MS = 100;

function underSkippedDir(path: string): boolean {
  return path.split(/[\\/]/).some((part) => SKIPPED_DIRS.includes(part));
}

/** Lets the connection handle waiting messages (edits, cancellation) between two files. */
const yieldToEvents = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export interface WorkspaceRun {
  params: AnalyzeWorkspaceParams;
  token: CancellationToken;
  progress: WorkDoneProgressReporter;
  /** Set by a newer run: this one stops at the next file. */
  superseded: () => boolean;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message.split('\n', 1)[0]! : String(error);
}

export async function analyzeWorkspace(
  service: DocumentService,
  run: WorkspaceRun,
): Promise<AnalyzeWorkspaceResult> {
  const result: AnalyzeWorkspaceResult = {
    files: 0,
    filesWithFindings: 0,
    findings: 0,
    skipped: 0,
    cancelled: false,
  };
  const folders = Array.isArray(run.params?.folders) ? run.params.folders : [];
  const paths: string[] = [];
  for (const folder of folders) {
    const path = typeof folder === 'string' ? uriToPath(folder) : undefined;
    if (path === undefined) service.log.warn(`analyze workspace: not a file URI: ${String(folder)}`);
    else paths.push(path);
  }
  const files: string[] = [];
  for (const path of paths) {
    try {
      const list = collectFiles([path]);
      for (const file of list.files) if (!underSkippedDir(file.slice(path.length))) files.push(file);
      for (const note of list.notes) service.log.info(`${note.file}: ${note.text}`);
    } catch (error) {
      service.log.warn(`analyze workspace: ${errorText(error)}`);
    }
  }
  const unique = [...new Set(files)];
  const total = unique.length;
  run.progress.begin('Analyzing kobject lifetimes', 0, `0/${total} files`, true);
  let lastReport = 0;
  try {
    for (let i = 0; i < total; i++) {
      await yieldToEvents();
      if (run.token.isCancellationRequested || run.superseded()) {
        result.cancelled = true;
        break;
      }
      const file = unique[i]!;
      const uri = pathToFileURL(file).href;
      result.files++;
      if (service.isOpen(uri)) {
        // The editor's text wins over the disk: the open document's own analysis is what is shown.
        const open = service.currentResult(uri) ?? (await service.analyzeNow(uri));
        const n = open?.result.findings.length ?? 0;
        result.findings += n;
        if (n > 0) result.filesWithFindings++;
      } else {
        const findings = await analyzeOnDisk(service, file, uri);
        if (findings === undefined) {
          result.skipped++;
        } else {
          service.covered.add(uri);
          // The file may have been opened while it was analyzed: its live run publishes then.
          if (!service.isOpen(uri))
            service.publish(
              uri,
              null,
              toDiagnostics(findings, { uri, version: null, docsDir: service.docsDir }),
            );
          result.findings += findings.length;
          if (findings.length > 0) result.filesWithFindings++;
        }
      }
      const now = Date.now();
      if (now - lastReport >= PROGRESS_INTERVAL_MS || i === total - 1) {
        lastReport = now;
        run.progress.report(Math.floor(((i + 1) * 100) / Math.max(1, total)), `${i + 1}/${total} files`);
      }
    }
  } finally {
    run.progress.done();
  }
  service.log.info(
    `analyze workspace: ${result.files}/${total} files, ${result.findings} findings in ${result.filesWithFindings} files, ${result.skipped} skipped${result.cancelled ? ', cancelled' : ''}`,
  );
  return result;
}

/** Findings of one file on disk; undefined when it was skipped (too large, binary, unreadable). */
async function analyzeOnDisk(service: DocumentService, file: string, uri: string) {
  try {
    const settings = await service.settingsFor(uri);
    if (statSync(file).size > settings.maxFileSize) {
      service.log.info(
        `${file}: not analyzed: larger than kobjectLifetime.maxFileSize (${settings.maxFileSize} bytes)`,
      );
      return undefined;
    }
    const source = readSource(file);
    if (source.kind === 'binary') {
      service.log.info(`${file}: skipped: binary file`);
      return undefined;
    }
    const result = await service.analyzeFile(uri, source.text);
    if (result === 'too-large') return undefined;
    if (result.partial !== undefined) service.log.info(`${file}: partial analysis: ${result.partial}`);
    return result.findings;
  } catch (error) {
    service.log.warn(`${file}: ${errorText(error)}`);
    return undefined;
  }
}

/** The request handler; a new request supersedes a running one. */
export function workspaceFeature(service: DocumentService): ServerFeature {
  let generation = 0;
  return {
    register(connection: Connection, ctx: ServerContext): void {
      connection.onRequest(
        ANALYZE_WORKSPACE_REQUEST,
        async (params: AnalyzeWorkspaceParams, token: CancellationToken): Promise<AnalyzeWorkspaceResult> => {
          const mine = ++generation;
          const progress = connection.window.attachWorkDoneProgress(
            (params as { workDoneToken?: string | number } | undefined)?.workDoneToken,
          );
          try {
            return await analyzeWorkspace(service, {
              params,
              token,
              progress,
              superseded: () => generation !== mine,
            });
          } catch (error) {
            ctx.log.error(`analyze workspace: ${errorText(error)}`);
            return { files: 0, filesWithFindings: 0, findings: 0, skipped: 0, cancelled: true };
          }
        },
      );
    },
  };
}
