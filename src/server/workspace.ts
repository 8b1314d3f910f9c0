// kobjectLifetime/analyzeWorkspace: every .c/.h file under the given folders, on disk, with progress
// and cancellation; diagnostics published for each (open documents keep their live results).
import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import type { CancellationToken, Connection, WorkDoneProgressReporter } from 'vscode-languageserver';
import type { Finding } from '../analysis';
import { collectFiles, readSource } from '../cli/files';
import { runPool } from '../cli/pool';
import { checkFiles, type CheckOptions } from '../cli/runner';
import {
  ANALYZE_WORKSPACE_REQUEST,
  type AnalyzeWorkspaceParams,
  type AnalyzeWorkspaceResult,
} from '../protocol/requests';
import type { ServerContext, ServerFeature } from './context';
import { toDiagnostics } from './diagnostics';
import type { DocumentService } from './documents';
import { uriToPath } from './documents';
import { extensionKey, type Settings } from './settings';

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
  /**
   * The CLI bundle, started as worker threads for large runs (its workers check files exactly as
   * `kobject-lifetime check` does); undefined: everything runs in the server's thread.
   */
  workerScript?: string;
  /** Worker threads for large runs (default: one less than the CPUs, at least one). */
  jobs?: number;
}

/** Below this many files, worker start-up (each loads its own parser) costs more than it saves. */
export const POOL_MIN_FILES = 50;

function errorText(error: unknown): string {
  return error instanceof Error ? error.message.split('\n', 1)[0]! : String(error);
}

/** Files that share settings: one pool run each (workers are started with one configuration). */
interface Group {
  settings: Settings;
  files: string[];
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
  const stopped = (): boolean => run.token.isCancellationRequested || run.superseded();
  run.progress.begin('Analyzing kobject lifetimes', 0, `0/${total} files`, true);
  let lastReport = 0;
  let done = 0;
  const progressed = (): void => {
    done++;
    const now = Date.now();
    if (now - lastReport >= PROGRESS_INTERVAL_MS || done === total) {
      lastReport = now;
      run.progress.report(Math.floor((done * 100) / Math.max(1, total)), `${done}/${total} files`);
    }
  };
  const counted = (uri: string, findings: readonly Finding[] | undefined): void => {
    result.files++;
    if (findings === undefined) {
      result.skipped++;
    } else {
      result.findings += findings.length;
      if (findings.length > 0) result.filesWithFindings++;
      if (!service.isOpen(uri)) {
        // Open documents show their live analysis; a file opened meanwhile publishes its own.
        service.covered.add(uri);
        service.publish(uri, null, toDiagnostics(findings, { uri, version: null, docsDir: service.docsDir }));
      }
    }
    progressed();
  };

  try {
    // Open documents first (the editor's text wins over the disk), and the files too large to read.
    const groups = new Map<string, Group>();
    for (const file of unique) {
      if (stopped()) break;
      const uri = pathToFileURL(file).href;
      if (service.isOpen(uri)) {
        const open = service.currentResult(uri) ?? (await service.analyzeNow(uri));
        counted(uri, open?.result.findings ?? []);
        continue;
      }
      const settings = await service.settingsFor(uri);
      if (!settings.enable) {
        counted(uri, undefined);
        continue;
      }
      let size: number;
      try {
        size = statSync(file).size;
      } catch (error) {
        service.log.warn(`${file}: ${errorText(error)}`);
        counted(uri, undefined);
        continue;
      }
      if (size > settings.maxFileSize) {
        service.log.info(
          `${file}: not analyzed: larger than kobjectLifetime.maxFileSize (${settings.maxFileSize} bytes)`,
        );
        counted(uri, undefined);
        continue;
      }
      const key = JSON.stringify([extensionKey(settings.extension), settings.rules]);
      const group = groups.get(key) ?? { settings, files: [] };
      group.files.push(file);
      groups.set(key, group);
    }
    for (const group of groups.values()) {
      if (stopped()) break;
      if (run.workerScript !== undefined && group.files.length >= POOL_MIN_FILES) {
        await inWorkers(service, run, group, stopped, counted);
      } else {
        for (const file of group.files) {
          await yieldToEvents();
          if (stopped()) break;
          const uri = pathToFileURL(file).href;
          counted(uri, await analyzeOnDisk(service, file, uri));
        }
      }
    }
    result.cancelled = stopped() && result.files < total;
  } finally {
    run.progress.done();
  }
  service.log.info(
    `analyze workspace: ${result.files}/${total} files, ${result.findings} findings in ${result.filesWithFindings} files, ${result.skipped} skipped${result.cancelled ? ', cancelled' : ''}`,
  );
  return result;
}

/** One group in the CLI's worker pool; the server's thread stays free for the open documents. */
async function inWorkers(
  service: DocumentService,
  run: WorkspaceRun,
  group: Group,
  stopped: () => boolean,
  counted: (uri: string, findings: readonly Finding[] | undefined) => void,
): Promise<void> {
  const { extension, rules } = group.settings;
  const hasExtension = extension.lookups !== undefined || extension.wrappers !== undefined;
  const severities = Object.keys(rules).length > 0 ? rules : undefined;
  const options: CheckOptions = { rules: [], normalize: true, ...(severities ? { severities } : {}) };
  const jobs = run.jobs ?? Math.max(1, availableParallelism() - 1);
  const analyzer = await service.analyzerFor(pathToFileURL(group.files[0]!).href);
  service.log.info(`analyze workspace: ${group.files.length} files in ${jobs} worker threads`);
  await runPool(group.files, {
    script: run.workerScript!,
    jobs,
    rules: [],
    normalize: true,
    ...(hasExtension ? { extension } : {}),
    ...(severities ? { severities } : {}),
    // Only if every worker died: the rest in this thread, as the CLI does.
    fallback: (rest) => checkFiles(analyzer, rest, options),
    stopped,
    onOutcomes: (outcomes) => {
      for (const o of outcomes) {
        for (const note of o.notes) service.log.info(`${o.file}: ${note}`);
        if (o.status === 'io-error') service.log.warn(o.error ?? `${o.file}: cannot read`);
        counted(pathToFileURL(o.file).href, o.status === 'checked' ? o.findings : undefined);
      }
    },
  });
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
export function workspaceFeature(
  service: DocumentService,
  pool: Pick<WorkspaceRun, 'workerScript' | 'jobs'> = {},
): ServerFeature {
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
              ...pool,
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
