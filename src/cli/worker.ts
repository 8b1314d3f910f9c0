// The worker-thread side of --jobs: the same bundle (dist/cli.js) started with WorkerInit as
// workerData. Each worker loads its own analyzer, then checks the batches of files the main thread
// sends until it is told to stop.
import { parentPort, workerData } from 'node:worker_threads';
import type { ModelExtension, RuleSetting } from '../analysis';
import { loadAnalyzer } from './load-analyzer';
import { checkFiles, type FileOutcome } from './runner';

export interface WorkerInit {
  kobjectLifetimeWorker: 1;
  rules: string[];
  normalize: boolean;
  /** The configuration's model extension and rule settings (plain data). */
  extension?: ModelExtension;
  severities?: Record<string, RuleSetting>;
}

export type ToWorker = { type: 'batch'; files: string[] } | { type: 'stop' };

export type FromWorker =
  { type: 'ready' } | { type: 'results'; outcomes: FileOutcome[] } | { type: 'fatal'; message: string };

export function isWorkerInit(data: unknown): data is WorkerInit {
  return (
    typeof data === 'object' &&
    data !== null &&
    (data as Partial<WorkerInit>).kobjectLifetimeWorker === 1 &&
    Array.isArray((data as Partial<WorkerInit>).rules) &&
    typeof (data as Partial<WorkerInit>).normalize === 'boolean'
  );
}

export async function runWorker(): Promise<void> {
  const port = parentPort;
  if (port === null || !isWorkerInit(workerData)) return;
  const { rules, normalize, extension, severities } = workerData;
  const post = (message: FromWorker): void => port.postMessage(message);
  let analyzer;
  try {
    analyzer = await loadAnalyzer(__dirname, extension);
  } catch (error) {
    post({ type: 'fatal', message: error instanceof Error ? error.message : String(error) });
    port.close();
    return;
  }
  const ready = analyzer;
  port.on('message', (message: ToWorker) => {
    if (message.type === 'stop') {
      port.close();
      return;
    }
    post({
      type: 'results',
      outcomes: checkFiles(ready, message.files, { rules, normalize, ...(severities ? { severities } : {}) }),
    });
  });
  post({ type: 'ready' });
}
