/**
 * Child processes of the bench: every server runs in its own Node process (`node --import tsx`,
 * one process per child, no npx/tsx wrapper in between) so the load generator never shares its
 * event loop. Every child is registered and killed when the bench ends, also on error or Ctrl-C.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { MESSAGE_PREFIX } from './servers/protocol.js';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const live = new Set<ChildProcess>();

/** Kills every child still running (SIGKILL: used on the way out, nothing waits for it). */
export function killAllChildren(): void {
  for (const child of live) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  live.clear();
}

let hooked = false;
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.once('exit', killAllChildren);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      killAllChildren();
      process.exit(130);
    });
  }
}

/** Spawns `node --import tsx SCRIPT ARGS` in the project root, stdin/stdout/stderr piped. */
export function spawnTs(script: string, args: string[] = [], env: Record<string, string> = {}, nodeArgs: string[] = []): ChildProcess {
  hookExit();
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', script, ...args], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

/** Stops a child: SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
export function stopChild(child: ChildProcess, graceMs = 2_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    live.delete(child);
    return Promise.resolve();
  }
  return new Promise((resolvePromise) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      live.delete(child);
      resolvePromise();
    });
    child.kill('SIGTERM');
  });
}

/** `count` distinct free TCP ports on 127.0.0.1 (held together while asked for, then released). */
export async function freePorts(count: number): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createServer());
  const ports = await Promise.all(
    servers.map(
      (server) =>
        new Promise<number>((resolvePromise, reject) => {
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => {
            const address = server.address();
            resolvePromise(typeof address === 'object' && address ? address.port : 0);
          });
        }),
    ),
  );
  await Promise.all(servers.map((server) => new Promise((r) => server.close(r))));
  return ports;
}

/** Keeps the last few KB of a stream, for error messages. */
function tail(stream: NodeJS.ReadableStream | null, limit = 4_000): () => string {
  let text = '';
  stream?.on('data', (chunk: Buffer) => {
    text = (text + chunk.toString('utf8')).slice(-limit);
  });
  return () => text;
}

/** A child that talks the bench protocol (servers/protocol.ts): one JSON reply per command. */
export class ControlledChild {
  private readonly queue: Array<Record<string, unknown>> = [];
  private readonly waiters: Array<{ resolve: (m: Record<string, unknown>) => void; reject: (e: Error) => void }> = [];
  private readonly stderr: () => string;
  private exited: string | undefined;

  private constructor(
    readonly name: string,
    readonly process: ChildProcess,
  ) {
    this.stderr = tail(process.stderr);
    createInterface({ input: process.stdout! }).on('line', (line) => {
      if (!line.startsWith(MESSAGE_PREFIX)) return;
      const message = JSON.parse(line.slice(MESSAGE_PREFIX.length)) as Record<string, unknown>;
      const waiter = this.waiters.shift();
      if (waiter) waiter.resolve(message);
      else this.queue.push(message);
    });
    process.once('exit', (code, signal) => {
      this.exited = `${name} exited (code ${code}, signal ${signal})\n${this.stderr()}`;
      for (const waiter of this.waiters.splice(0)) waiter.reject(new Error(this.exited));
    });
  }

  /** Starts the child and waits for its `ready` message. */
  static async start(
    name: string,
    script: string,
    env: Record<string, string> = {},
    nodeArgs: string[] = [],
    timeoutMs = 30_000,
  ): Promise<{ child: ControlledChild; ready: Record<string, unknown> }> {
    const child = new ControlledChild(name, spawnTs(script, [], env, nodeArgs));
    const ready = await child.next(timeoutMs);
    if (ready.error) throw new Error(`${name}: ${String(ready.error)}`);
    return { child, ready };
  }

  next(timeoutMs = 30_000): Promise<Record<string, unknown>> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    if (this.exited) return Promise.reject(new Error(this.exited));
    return new Promise((resolvePromise, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name}: no answer within ${timeoutMs} ms\n${this.stderr()}`)), timeoutMs);
      this.waiters.push({
        resolve: (m) => {
          clearTimeout(timer);
          resolvePromise(m);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
    });
  }

  async request(command: Record<string, unknown>, timeoutMs = 30_000): Promise<Record<string, unknown>> {
    this.process.stdin!.write(`${JSON.stringify(command)}\n`);
    const reply = await this.next(timeoutMs);
    if (reply.error) throw new Error(`${this.name}: ${String(reply.error)}`);
    return reply;
  }

  /** SIGTERM, then SIGKILL after `graceMs` (a CPU profile needs a moment to be written). */
  stop(graceMs = 2_000): Promise<void> {
    return stopChild(this.process, graceMs);
  }
}

export { tail as streamTail };
