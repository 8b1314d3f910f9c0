// A minimal LSP client for tests: spawns the real dist/server.js over stdio, frames JSON-RPC by hand
// (Content-Length headers) and answers the server's own requests (configuration, registrations).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './helpers';

export interface Message {
  jsonrpc: '2.0';
  id?: number | string;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { code: number; message: string };
}

export interface Notification {
  method: string;
  params: unknown;
}

export const SERVER = join(ROOT, 'dist', 'server.js');

export class LspClient {
  readonly proc: ChildProcessWithoutNullStreams;
  readonly notifications: Notification[] = [];
  /** Requests the server sent us (method names), in order. */
  readonly serverRequests: string[] = [];
  stderr = '';
  /** What workspace/configuration answers for each item. */
  settings: unknown = {};
  private buffer = Buffer.alloc(0);
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private waiters: { test: (n: Notification) => boolean; resolve: (n: Notification) => void }[] = [];
  readonly exited: Promise<number | null>;

  constructor(args: readonly string[] = ['--stdio']) {
    this.proc = spawn(process.execPath, [SERVER, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stdout.on('data', (chunk: Buffer) => this.receive(chunk));
    this.proc.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString('utf8')));
    this.exited = new Promise((resolve) => this.proc.on('exit', (code) => resolve(code)));
    void this.exited.then(() => {
      for (const p of this.pending.values()) p.reject(new Error(`server exited; stderr: ${this.stderr}`));
      this.pending.clear();
    });
  }

  private send(message: Message): void {
    const body = Buffer.from(JSON.stringify(message), 'utf8');
    this.proc.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    this.proc.stdin.write(body);
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const header = this.buffer.subarray(0, headerEnd).toString('ascii');
      const length = Number(/Content-Length: (\d+)/i.exec(header)?.[1]);
      if (!Number.isFinite(length)) throw new Error(`bad header from the server: ${header}`);
      if (this.buffer.length < headerEnd + 4 + length) return;
      const body = this.buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString('utf8');
      this.buffer = this.buffer.subarray(headerEnd + 4 + length);
      this.dispatch(JSON.parse(body) as Message);
    }
  }

  private dispatch(message: Message): void {
    if (message.method !== undefined && message.id !== undefined) {
      this.serverRequests.push(message.method);
      let result: unknown = null;
      if (message.method === 'workspace/configuration') {
        const items = (message.params as { items: unknown[] }).items;
        result = items.map(() => this.settings);
      }
      this.send({ jsonrpc: '2.0', id: message.id, result });
    } else if (message.method !== undefined) {
      const n = { method: message.method, params: message.params };
      this.notifications.push(n);
      const waiting = this.waiters.filter((w) => w.test(n));
      this.waiters = this.waiters.filter((w) => !w.test(n));
      for (const w of waiting) w.resolve(n);
    } else if (typeof message.id === 'number') {
      const p = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (!p) return;
      if (message.error) p.reject(new Error(`${message.error.code}: ${message.error.message}`));
      else p.resolve(message.result);
    }
  }

  request<T = unknown>(method: string, params: unknown): Promise<T> {
    const id = this.nextId++;
    const promise = new Promise<T>((resolve, reject) =>
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject }),
    );
    this.send({ jsonrpc: '2.0', id, method, params });
    return promise;
  }

  /** Sends a request and returns its id (for $/cancelRequest) with the pending answer. */
  requestWithId<T = unknown>(method: string, params: unknown): { id: number; result: Promise<T> } {
    const id = this.nextId;
    return { id, result: this.request<T>(method, params) };
  }

  notify(method: string, params: unknown): void {
    this.send({ jsonrpc: '2.0', method, params });
  }

  /** The first notification (already received or still to come) that passes `test`. */
  waitFor(
    test: (n: Notification) => boolean,
    timeoutMs = 10_000,
    what = 'notification',
  ): Promise<Notification> {
    const seen = this.notifications.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`timed out waiting for ${what}; stderr: ${this.stderr}`));
      }, timeoutMs);
      this.waiters.push({
        test,
        resolve: (n) => {
          clearTimeout(timer);
          resolve(n);
        },
      });
    });
  }

  /** publishDiagnostics for `uri` (at `version`, when given). */
  async diagnostics(uri: string, version?: number): Promise<PublishedDiagnostics> {
    const n = await this.waitFor(
      (x) =>
        x.method === 'textDocument/publishDiagnostics' &&
        (x.params as PublishedDiagnostics).uri === uri &&
        (version === undefined || (x.params as PublishedDiagnostics).version === version),
      10_000,
      `diagnostics of ${uri}${version !== undefined ? ` v${version}` : ''}`,
    );
    return n.params as PublishedDiagnostics;
  }

  async initialize(
    rootUri: string | null,
    capabilities: unknown,
    initializationOptions?: unknown,
  ): Promise<unknown> {
    const result = await this.request('initialize', {
      processId: process.pid,
      rootUri,
      workspaceFolders: rootUri ? [{ uri: rootUri, name: 'ws' }] : null,
      capabilities,
      ...(initializationOptions !== undefined ? { initializationOptions } : {}),
    });
    this.notify('initialized', {});
    return result;
  }

  async shutdown(): Promise<number | null> {
    await this.request('shutdown', null);
    this.notify('exit', null);
    return this.exited;
  }

  kill(): void {
    if (this.proc.exitCode === null) this.proc.kill();
  }
}

export interface LspDiagnostic {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  severity?: number;
  code?: string;
  source?: string;
  message: string;
  codeDescription?: { href: string };
  relatedInformation?: { location: { uri: string; range: unknown }; message: string }[];
  data?: unknown;
}

export interface PublishedDiagnostics {
  uri: string;
  version?: number;
  diagnostics: LspDiagnostic[];
}
