/**
 * The child side of the bench's control channel: replies are stdout lines prefixed with
 * `@@bench `, commands arrive as JSON lines on stdin. When stdin closes (the bench ended or
 * died) the child exits, so no server outlives the run.
 */
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';

export const MESSAGE_PREFIX = '@@bench ';

export function emit(message: Record<string, unknown>): void {
  process.stdout.write(`${MESSAGE_PREFIX}${JSON.stringify(message)}\n`);
}

/**
 * The main thread's CPU time and its time spent runnable but waiting for a core (Linux
 * schedstat, nanoseconds); NaN elsewhere. The main thread's tid is the pid.
 */
function mainThreadSchedule(): { runNs: number; waitNs: number } {
  try {
    const [run, wait] = readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').trim().split(/\s+/).map(Number);
    return { runNs: run ?? Number.NaN, waitNs: wait ?? Number.NaN };
  } catch {
    return { runNs: Number.NaN, waitNs: Number.NaN };
  }
}

export type CommandHandler = (command: Record<string, unknown>) => Promise<Record<string, unknown>> | Record<string, unknown>;

/** Reads commands from stdin; each gets exactly one reply. `reset`/`stats` are built in. */
export function serveCommands(handler: CommandHandler = () => ({ error: 'unknown command' })): void {
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  let elu = performance.eventLoopUtilization();
  let cpu = process.cpuUsage();
  let since = performance.now();
  let sched = mainThreadSchedule();
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    void (async () => {
      let command: Record<string, unknown>;
      try {
        command = JSON.parse(line) as Record<string, unknown>;
      } catch {
        emit({ error: `not JSON: ${line}` });
        return;
      }
      if (command.cmd === 'reset') {
        loopDelay.reset();
        elu = performance.eventLoopUtilization();
        cpu = process.cpuUsage();
        since = performance.now();
        sched = mainThreadSchedule();
        emit({ ok: true });
      } else if (command.cmd === 'stats') {
        const used = process.cpuUsage(cpu);
        const nowSched = mainThreadSchedule();
        emit({
          wallMs: performance.now() - since,
          // Whole process (main thread + libuv pool, where crypto.sign runs), user + system.
          cpuMs: (used.user + used.system) / 1000,
          // Share of wall time the main thread's event loop was busy.
          eventLoopUtilization: performance.eventLoopUtilization(elu).utilization,
          // The main thread alone (HTTP, routing, claims; not the signature, which runs in the pool).
          mainThreadCpuMs: (nowSched.runNs - sched.runNs) / 1e6,
          // Time the main thread was ready to run but had no core: CPU contention on the box.
          mainThreadRunqueueMs: (nowSched.waitNs - sched.waitNs) / 1e6,
          // Timer-based samples every 10 ms; the values include that 10 ms interval.
          loopDelayP50Ms: loopDelay.percentile(50) / 1e6,
          loopDelayP99Ms: loopDelay.percentile(99) / 1e6,
          loopDelayMaxMs: loopDelay.max / 1e6,
        });
      } else {
        try {
          emit(await handler(command));
        } catch (err) {
          emit({ error: (err as Error).stack ?? String(err) });
        }
      }
    })();
  });
  lines.on('close', () => process.exit(0));
  process.once('SIGTERM', () => process.exit(0));
}
