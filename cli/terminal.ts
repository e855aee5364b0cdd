/**
 * The terminal, kept small: colour only when the stream is a terminal (and NO_COLOR is unset),
 * and a progress spinner on standard error that appears only once something has taken over a
 * second, so quick commands print nothing extra and piped output stays clean.
 */
import type { Style } from '../tools/explain.js';

export interface TerminalStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

/** Colour on a terminal only; NO_COLOR (any value) turns it off, FORCE_COLOR=0 too. */
export function colorEnabled(stream: TerminalStream, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR === '0') return false;
  return Boolean(stream.isTTY);
}

const sgr = (open: number, close: number) => (text: string) => `\x1b[${open}m${text}\x1b[${close}m`;

export function makeStyle(color: boolean): Style {
  if (!color) return { ok: (t) => t, bad: (t) => t, dim: (t) => t, bold: (t) => t };
  return { ok: sgr(32, 39), bad: sgr(31, 39), dim: sgr(2, 22), bold: sgr(1, 22) };
}

export interface Spinner {
  /** Stops it and clears its line (if it ever showed). */
  stop(): void;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * A spinner with `label` on `stream` (standard error), shown only if the work is still running
 * after `delayMs` (default 1 s) and only on a terminal: nothing at all in a pipe or a log.
 */
export function startSpinner(label: string, options: { stream?: TerminalStream; delayMs?: number; intervalMs?: number } = {}): Spinner {
  const stream = options.stream ?? process.stderr;
  if (!stream.isTTY) return { stop: () => {} };
  let frame = 0;
  let shown = false;
  let interval: NodeJS.Timeout | undefined;
  const draw = () => {
    shown = true;
    stream.write(`\r${FRAMES[frame++ % FRAMES.length]} ${label}\x1b[K`);
  };
  const delay = setTimeout(() => {
    draw();
    interval = setInterval(draw, options.intervalMs ?? 80);
    interval.unref?.();
  }, options.delayMs ?? 1000);
  delay.unref?.();
  return {
    stop: () => {
      clearTimeout(delay);
      if (interval) clearInterval(interval);
      if (shown) stream.write('\r\x1b[K');
      shown = false;
    },
  };
}

/** Runs `work` with a spinner that shows only if it takes over a second. */
export async function withSpinner<T>(label: string, work: Promise<T> | (() => Promise<T>), stream?: TerminalStream): Promise<T> {
  const spinner = startSpinner(label, stream ? { stream } : {});
  try {
    return await (typeof work === 'function' ? work() : work);
  } finally {
    spinner.stop();
  }
}
