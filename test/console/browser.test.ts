/**
 * The web console in headless Chromium (Debian's `chromium`, driven by playwright-core): every
 * page loads with no console error and no page error, passes axe-core with no serious or
 * critical violation, is usable from the keyboard with a visible focus; the workbench gets a token
 * and shows it decoded with a valid signature; a request refused by the gateway appears in the
 * live decision log with its reason. Screenshots go to test-artifacts/console/.
 *
 * Chromium missing: skipped outside CI (with the reason in the test name), a failure under CI
 * (.ci/run installs it).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PAGES } from '../../console/layout.js';
import { startHarness, type Harness } from '../../stack/index.js';
import { ROOT } from '../support/processes.js';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
const skip = !haveChromium && !process.env.CI;
const skipNote = skip ? ` (SKIPPED: ${CHROMIUM} is not installed and CI is unset; apt-get install chromium)` : '';
/** The common launch flags; playwright adds a new empty user data dir of its own (it refuses --user-data-dir in args). */
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const ARTIFACTS = join(ROOT, 'test-artifacts', 'console');
const AXE = createRequire(import.meta.url).resolve('axe-core');
/** A browser under a loaded CI machine is slow; the default 20 s is too tight for seven pages and their audits. */
const TEST_TIMEOUT_MS = 60_000;

/** The browser globals the page functions below read (this file compiles without the DOM library). */
interface FocusedElement {
  id: string;
  tagName: string;
  textContent: string | null;
  getAttribute(name: string): string | null;
  getBoundingClientRect(): { top: number };
}
interface BrowserGlobals {
  document: { activeElement: FocusedElement | null };
  getComputedStyle(element: FocusedElement): { outlineStyle: string; outlineWidth: string };
  axe: { run(context: unknown, options: object): Promise<{ violations: Array<AxeViolation & { nodes: Array<{ target: unknown; failureSummary?: string }> }> }> };
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown; failureSummary?: string }>;
}

describe.skipIf(skip)(`the console in Chromium${skipNote}`, () => {
  let harness: Harness;
  let browser: Browser;
  /** Pages as a user gets them: the console's CSP enforced. */
  let context: BrowserContext;
  /** Only for axe, whose script is injected inline (the CSP would refuse it). */
  let axeContext: BrowserContext;
  const problems: string[] = [];
  const allViolations: Record<string, AxeViolation[]> = {};
  let base = '';

  const watch = (page: Page, name: string) => {
    page.on('console', (message: ConsoleMessage) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(`${name}: console ${message.type()}: ${message.text()} (${message.location().url})`);
    });
    page.on('pageerror', (error) => problems.push(`${name}: page error: ${error.message}`));
    page.on('requestfailed', (request) => {
      // A reload or a close cancels what is still loading (the icon): not a failure of the console.
      if (request.failure()?.errorText !== 'net::ERR_ABORTED') problems.push(`${name}: request failed: ${request.url()} ${request.failure()?.errorText}`);
    });
    // Nothing but the stack: no CDN, no font service.
    page.on('request', (request) => {
      if (!request.url().startsWith(base.replace(/\/console$/, '')) && !request.url().startsWith('data:')) problems.push(`${name}: request outside the stack: ${request.url()}`);
    });
  };

  const open = async (path: string, name: string) => {
    const page = await context.newPage();
    watch(page, name);
    const response = await page.goto(`${base}${path}`, { waitUntil: 'load' });
    expect(response?.status(), `${name} answers 200`).toBe(200);
    return page;
  };

  const screenshot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

  /** axe-core on the page as it is now; every violation is kept for the report, serious and critical ones fail. */
  const axe = async (path: string, name: string, prepare?: (page: Page) => Promise<void>) => {
    const page = await axeContext.newPage();
    await page.goto(`${base}${path}`, { waitUntil: 'load' });
    await prepare?.(page);
    await page.addScriptTag({ path: AXE });
    const violations = (await page.evaluate(async () => {
      const { axe, document } = globalThis as unknown as BrowserGlobals;
      const result = await axe.run(document, { resultTypes: ['violations'] });
      return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })) }));
    })) as AxeViolation[];
    await page.close();
    allViolations[name] = violations;
    return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  };

  beforeAll(async () => {
    if (!haveChromium) throw new Error(`${CHROMIUM} is not installed (CI is set, so this does not skip): .ci/run installs Debian's chromium with apt-get; see its output`);
    mkdirSync(ARTIFACTS, { recursive: true });
    harness = await startHarness();
    base = `${harness.urls.iam}/console`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    axeContext = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
  }, 60_000);

  // Each test answers for the problems of its own pages.
  beforeEach(() => {
    problems.length = 0;
  });

  afterAll(async () => {
    // Pages first (the decision log polls), then the stack.
    await browser?.close();
    await harness?.stop();
    if (Object.keys(allViolations).length) {
      writeFileSync(join(ARTIFACTS, 'axe-violations.json'), `${JSON.stringify(allViolations, null, 2)}\n`);
      // Every violation, whatever its impact, reported (only serious and critical ones fail).
      const lines = Object.entries(allViolations).flatMap(([page, violations]) => violations.map((v) => `  ${page}: ${v.impact} ${v.id}: ${v.help} (${v.nodes.length} elements)`));
      console.info(`axe-core: ${lines.length} violation(s) on ${Object.keys(allViolations).length} audited pages${lines.length ? `\n${lines.join('\n')}` : ''}; details in test-artifacts/console/axe-violations.json`);
    }
  }, TEST_TIMEOUT_MS);

  it('every page loads with no console or page error, and passes axe (no serious or critical violation)', async () => {
    // axe in tabs of its own context meanwhile (a full-page screenshot wants its tab in front, so those go one by one).
    const serious: Record<string, AxeViolation[]> = {};
    const audits = Promise.all(
      PAGES.map(async (p) => {
        const found = await axe(p.path.slice('/console'.length), p.id);
        if (found.length) serious[p.id] = found;
      }),
    );
    for (const p of PAGES) {
      const page = await open(p.path.slice('/console'.length), p.id);
      expect(await page.locator('h1').innerText()).toBe(p.title);
      expect(await page.title()).toBe(`${p.title} · oci-auth-harness console`);
      // The scripted controls are shown once the browser code ran.
      expect(await page.locator('.js-only[hidden]').count(), `${p.id}: browser code ran`).toBe(0);
      await screenshot(page, p.id);
      await page.close();
    }
    await audits;
    expect(serious).toEqual({});
    expect(problems).toEqual([]);
  }, TEST_TIMEOUT_MS);

  it('keyboard: the skip link comes first and every focus is visible', async () => {
    const page = await open('/apps', 'apps-keyboard');
    await page.keyboard.press('Tab');
    const first = await page.evaluate(() => {
      const { document, getComputedStyle } = globalThis as unknown as BrowserGlobals;
      const el = document.activeElement!;
      const style = getComputedStyle(el);
      return { text: el.textContent, outline: style.outlineStyle, width: style.outlineWidth, top: el.getBoundingClientRect().top };
    });
    expect(first).toMatchObject({ text: 'Skip to main content', outline: 'solid', width: '3px' });
    expect(first.top).toBeGreaterThanOrEqual(0); // moved into view when focused
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => (globalThis as unknown as BrowserGlobals).document.activeElement?.id)).toBe('main');
    // Tab through the whole page from the top: every focused element draws an outline.
    await page.goto(`${base}/apps`, { waitUntil: 'load' });
    await page.locator('h1').waitFor();
    const visited: string[] = [];
    for (let i = 0; i < 60; i++) {
      await page.keyboard.press('Tab');
      const focus = await page.evaluate(() => {
        const { document, getComputedStyle } = globalThis as unknown as BrowserGlobals;
        const el = document.activeElement!;
        return { tag: el.tagName, name: el.getAttribute('aria-label') ?? el.textContent?.trim().slice(0, 30) ?? '', outline: getComputedStyle(el).outlineStyle };
      });
      if (focus.tag === 'BODY') break; // past the last control
      visited.push(`${focus.tag} ${focus.name}`);
      expect(focus.outline, `${focus.tag} "${focus.name}" shows its focus`).not.toBe('none');
    }
    // The skip link, the brand, seven page links, the clients table region and each client's "Show secret".
    expect(visited.slice(0, 3), visited.join(' | ')).toEqual(['A Skip to main content', 'A oci-auth-harness console', 'A Overview']);
    expect(visited).toContain('BUTTON Show secret of usecase1_client');
    expect(problems).toEqual([]);
    await page.close();
  }, TEST_TIMEOUT_MS);

  it('the apps page shows a secret only when asked, and hides it again', async () => {
    const page = await open('/apps', 'apps-secret');
    const secret = page.locator('#secret-usecase1_client');
    expect(await secret.innerText()).toBe('hidden');
    expect(await page.content()).not.toContain('usecase1-client-secret');
    const button = page.getByRole('button', { name: 'Show secret of usecase1_client' });
    await button.click();
    await expect.poll(() => secret.innerText()).toBe('usecase1-client-secret');
    await page.getByRole('button', { name: 'Hide secret of usecase1_client' }).click();
    await expect.poll(() => secret.innerText()).toBe('hidden');
    expect(problems).toEqual([]);
    await page.close();
  }, TEST_TIMEOUT_MS);

  it('the overview shows the curl lines with secrets on request', async () => {
    const page = await open('', 'overview-secrets');
    const line = page.locator('code[data-curl-id="cc-usecase1_client"]');
    expect(await line.innerText()).toContain('<client secret of usecase1_client>');
    await page.getByRole('button', { name: 'Show secrets' }).click();
    await expect.poll(() => line.innerText()).toContain("-u 'usecase1_client:usecase1-client-secret'");
    await page.getByRole('button', { name: 'Hide secrets' }).click();
    await expect.poll(() => line.innerText()).toContain('<client secret of usecase1_client>');
    expect(problems).toEqual([]);
    await page.close();
  }, TEST_TIMEOUT_MS);

  it('the workbench gets a token from the keyboard: decoded, each claim explained, signature valid', async () => {
    const page = await open('/workbench', 'workbench');
    expect(await page.getByLabel('Client', { exact: true }).inputValue()).toBe('usecase1_client');
    expect(await page.getByLabel('Grant type', { exact: true }).inputValue()).toBe('client_credentials');
    expect(await page.getByLabel('User', { exact: true }).isHidden()).toBe(true);
    expect(await page.getByRole('checkbox', { name: /anwendung1AnwendungReadA/ }).isChecked()).toBe(true);
    await page.locator('#wb-submit').focus();
    await page.keyboard.press('Enter');
    const verdict = page.locator('#signature-verdict');
    await expect.poll(() => verdict.innerText().catch(() => ''), { timeout: 5_000 }).toContain('Signature valid');
    // The focus moves to the result.
    expect(await page.evaluate(() => (globalThis as unknown as BrowserGlobals).document.activeElement?.id)).toBe('result-title');
    const claims = page.locator('#claims-table');
    await claims.getByRole('row', { name: /^aud anwendung1/ }).waitFor();
    expect(await claims.getByRole('row', { name: /^scope AnwendungReadA/ }).innerText()).toContain('verifyClaims');
    expect(await claims.getByRole('row', { name: /^exp / }).innerText()).toMatch(/expires in (59|60) min/);
    await screenshot(page, 'workbench-client-credentials');

    // The password flow: the form follows the client.
    await page.getByLabel('Client', { exact: true }).selectOption('usecase2_client');
    expect(await page.getByLabel('Grant type', { exact: true }).inputValue()).toBe('password');
    expect(await page.getByLabel('User', { exact: true }).isVisible()).toBe(true);
    expect(await page.getByRole('checkbox', { name: /anwendung1AnwendungReadA/ }).isHidden()).toBe(true);
    expect(await page.getByRole('checkbox', { name: /__myscopes__/ }).isChecked()).toBe(true);
    await page.getByRole('checkbox', { name: /offline_access/ }).check();
    await page.getByRole('button', { name: 'Get token' }).click();
    const michael = claims.getByRole('row', { name: /^APIGWMichael4 Api1Access/ });
    await michael.waitFor({ timeout: 5_000 });
    expect(await verdict.innerText()).toContain('Signature valid');
    expect(await michael.innerText()).toContain('custom claim (configured in the identity domain)');
    expect(await page.locator('#wb-refresh-token').inputValue()).not.toBe('');
    await screenshot(page, 'workbench-password');
    const serious = await axe('/workbench', 'workbench-result', async (p) => {
      await p.getByRole('button', { name: 'Get token' }).click();
      await p.locator('#signature-verdict').waitFor();
    });
    expect(serious).toEqual([]);

    // A refusal shows the IAM's error and its reason.
    await page.getByLabel('Client', { exact: true }).selectOption('usecase1_client');
    await page.getByRole('checkbox', { name: /anwendung1AnwendungReadA/ }).uncheck();
    await page.getByLabel('Other scopes', { exact: true }).fill('AnwendungReadA');
    await page.getByRole('button', { name: 'Get token' }).click();
    await expect.poll(() => page.locator('#result-title').innerText(), { timeout: 5_000 }).toBe('Refused: HTTP 400 invalid_scope');
    expect(await page.locator('#workbench-result').innerText()).toContain('fully qualified scope "anwendung1AnwendungReadA"');
    await screenshot(page, 'workbench-refused');
    expect(problems).toEqual([]);
    await page.close();
  }, TEST_TIMEOUT_MS);

  it('a request the gateway refuses appears in the live decision log with its reason', async () => {
    const page = await open('/decisions', 'decisions');
    const seen = await page.locator('#decision-list > li').count();
    const refused = await fetch(`${harness.urls.gateway}/test/1`);
    expect(refused.status).toBe(401);
    const entry = page.locator('#decision-list > li[data-outcome="refused"]').first();
    await expect.poll(() => entry.innerText().catch(() => ''), { timeout: 5_000 }).toContain('GET /test/1');
    expect(await entry.innerText()).toContain('Refused by authentication.token: JWT token not found in the request.');
    expect(await entry.locator('dl dt').allInnerTexts()).toEqual(['Expected', 'Found']);
    expect(await entry.locator('dl dd').allInnerTexts()).toEqual(["a token in the header 'Authorization' with scheme 'Bearer'", 'null']);
    expect(await page.locator('#decision-list > li').count()).toBe(seen + 1);
    // The log region is announced to screen readers.
    expect(await page.getByRole('log', { name: 'Gateway decisions, newest first' }).getAttribute('aria-live')).toBe('polite');
    // Paused, a new refusal waits; resumed, it comes.
    await page.getByRole('button', { name: 'Pause live updates' }).click();
    await fetch(`${harness.urls.gateway}/test2/1`);
    await page.waitForTimeout(1_500);
    expect(await page.locator('#decision-list > li').count()).toBe(seen + 1);
    await page.getByRole('button', { name: 'Pause live updates' }).click();
    await expect.poll(() => page.locator('#decision-list > li').first().innerText(), { timeout: 5_000 }).toContain('GET /test2/1');
    await screenshot(page, 'decisions-refused');
    const serious = await axe('/decisions', 'decisions-with-entries');
    expect(serious).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  }, TEST_TIMEOUT_MS);
});
