/**
 * The test control surface every component serves under `/_harness`: health and the clock.
 * Errors here use OCI's `{code, message}` shape (the harness is not an Oracle API).
 */
import type Router from '@koa/router';
import { z } from 'zod';
import type { ControllableClock } from './clock.js';
import { OciError } from './errors.js';
import { readJson } from './http.js';

const clockChange = z
  .strictObject({
    /** An instant: ISO 8601 text or epoch seconds. */
    now: z.union([z.iso.datetime({ offset: true }), z.number().int().nonnegative()]).optional(),
    advanceSeconds: z.number().finite().optional(),
    freeze: z.boolean().optional(),
    reset: z.literal(true).optional(),
  })
  .refine((b) => b.now !== undefined || b.advanceSeconds !== undefined || b.reset || b.freeze !== undefined, { message: 'give now, advanceSeconds, freeze or reset: true' });

export function badRequest(message: string): OciError {
  return new OciError(400, 'InvalidParameter', message);
}

export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (!result.success) {
    throw badRequest(result.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; '));
  }
  return result.data;
}

export function harnessRoutes(router: Router, component: string, clock: ControllableClock, details: () => Record<string, unknown> = () => ({})): void {
  router.get('/_harness/health', (ctx) => {
    ctx.body = { status: 'UP', component, ...details() };
  });
  router.get('/_harness/clock', (ctx) => {
    ctx.body = clock.describe();
  });
  router.post('/_harness/clock', async (ctx) => {
    const change = parseBody(clockChange, await readJson(ctx));
    if (change.reset) clock.reset();
    if (change.now !== undefined) clock.set(typeof change.now === 'number' ? change.now * 1000 : Date.parse(change.now), change.freeze ?? false);
    else if (change.freeze !== undefined) clock.set(clock.nowMs(), change.freeze);
    if (change.advanceSeconds !== undefined) clock.advance(change.advanceSeconds * 1000);
    ctx.body = clock.describe();
  });
}
