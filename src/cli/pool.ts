// The main-thread side of --jobs: starts worker threads on the CLI bundle itself and hands them files
// in small batches as they finish. A worker that dies takes only its current batch down (those files
// get an `analysis failed` note); if every worker dies, the main thread checks what is left.
import { Worker } from 'node:worker_threads';
import type { ModelExtension, RuleSetting } from '../analysis';
import type { FileOutcome } from './runner';
import type { FromWorker, ToWorker, WorkerInit } from './worker';

export interface PoolOptions {
  /** The bundle to start in each worker (the CLI's own `__filename`). */
  script: string;
  jobs: number;
  rules: readonly string[];
  normalize: boolean;
  extension?: ModelExtension;
  severities?: Record<string, RuleSetting>;
  /** Checks files in this thread; used only when no worker is left. */
  fallback: (files: string[]) => FileOutcome[];
  /** Called with each batch of outcomes as it arrives (the language server reports progress). */
  onOutcomes?: (outcomes: readonly FileOutcome[]) => void;
  /** Polled before each batch is handed out: true stops the run after the batches in flight. */
  stopped?: () => boolean;
}

export function runPool(files: readonly string[], options: PoolOptions): Promise<FileOutcome[]> {
  const count = Math.max(1, Math.min(options.jobs, files.length));
  // Small batches keep the workers evenly busy; big enough that messaging costs nothing.
  const batchSize = Math.max(1, Math.min(32, Math.floor(files.length / (count * 8))));
  const init: WorkerInit = {
    kobjectLifetimeWorker: 1,
    rules: [...options.rules],
    normalize: options.normalize,
    ...(options.extension ? { extension: options.extension } : {}),
    ...(options.severities ? { severities: options.severities } : {}),
  };

  return new Promise((resolve) => {
    const outcomes: FileOutcome[] = [];
    const workers: Worker[] = [];
    let next = 0;
    let alive = count;
    /** Workers told to stop (nothing left, or the run was stopped) and not dead. */
    let stoppingCount = 0;
    let settled = false;
    const add = (list: readonly FileOutcome[]): void => {
      outcomes.push(...list);
      options.onOutcomes?.(list);
    };

    const done = (): void => {
      // A stopped run ends when every worker has finished its batch: fewer outcomes than files.
      const drained = options.stopped?.() === true && stoppingCount === alive;
      if (settled || (outcomes.length < files.length && !drained)) return;
      settled = true;
      for (const w of workers) void w.terminate();
      resolve(outcomes);
    };

    if (files.length === 0) {
      resolve([]);
      return;
    }

    for (let i = 0; i < count; i++) {
      const worker = new Worker(options.script, { workerData: init });
      workers.push(worker);
      let inflight: string[] = [];
      let stopping = false;
      let dead = false;

      const send = (message: ToWorker): void => worker.postMessage(message);
      const feed = (): void => {
        if (next < files.length && options.stopped?.() !== true) {
          inflight = files.slice(next, next + batchSize);
          next += inflight.length;
          send({ type: 'batch', files: inflight });
        } else {
          stopping = true;
          stoppingCount++;
          send({ type: 'stop' });
        }
      };
      const lost = (why: string): void => {
        if (dead) return;
        dead = true;
        alive--;
        if (stopping) stoppingCount--;
        add(
          inflight.map((file) => ({
            file,
            status: 'checked',
            findings: [],
            notes: [`analysis failed: ${why}`],
          })),
        );
        inflight = [];
        if (alive === 0 && next < files.length && options.stopped?.() !== true) {
          const rest = files.slice(next);
          next = files.length;
          add(options.fallback(rest));
        }
        done();
      };

      worker.on('message', (message: FromWorker) => {
        if (message.type === 'ready') {
          feed();
          done();
        } else if (message.type === 'results') {
          add(message.outcomes);
          inflight = [];
          done();
          if (!settled) {
            feed();
            done();
          }
        } else {
          lost(`worker could not start: ${message.message}`);
          void worker.terminate();
        }
      });
      worker.on('error', (error: Error) => lost(`worker stopped: ${error.message}`));
      worker.on('exit', (code) => {
        if (!stopping && !settled) lost(`worker exited with code ${code}`);
      });
    }
  });
}
