/**
 * The live decision log: polls the console every second for the decisions newer than the newest
 * one shown and puts them on top (the list is a `role="log"` region, so screen readers announce
 * the additions). Pausable (WCAG 2.2.2), filterable to refusals, idle while the tab is hidden.
 */
import { byId } from './dom.js';

const POLL_MS = 1_000;
const KEEP = 200;

interface Items {
  reset: boolean;
  newest: string | null;
  total: number;
  html: string;
}

export function initDecisionLog(): void {
  const list = byId('decision-list', HTMLOListElement);
  const status = document.getElementById('decisions-status');
  if (!list || !status) return;
  const pause = byId('decisions-pause', HTMLButtonElement);
  const refusedOnly = byId('decisions-refused-only', HTMLInputElement);
  const log = list.closest<HTMLElement>('.log');
  let paused = false;
  let timer: number | undefined;

  pause?.addEventListener('click', () => {
    paused = !paused;
    pause.setAttribute('aria-pressed', String(paused));
    status.textContent = paused ? 'Live updates paused.' : 'Live updates resumed.';
    if (!paused) schedule(0);
  });
  refusedOnly?.addEventListener('change', () => log?.classList.toggle('refused-only', refusedOnly.checked));

  const schedule = (delay: number) => {
    window.clearTimeout(timer);
    timer = window.setTimeout(poll, delay);
  };

  async function poll(): Promise<void> {
    if (paused) return;
    if (document.hidden) return schedule(POLL_MS);
    try {
      const since = list!.dataset.newest ?? '';
      const response = await fetch(`/console/decisions/items?since=${encodeURIComponent(since)}`, { headers: { accept: 'application/json' } });
      const items = (await response.json()) as Items & { error?: string };
      if (!response.ok) throw new Error(items.error ?? `${response.status}`);
      // Paused while the answer was on its way: the list stays as it is.
      if (paused) return;
      if (items.reset) list!.innerHTML = items.html;
      else if (items.html) list!.insertAdjacentHTML('afterbegin', items.html);
      while (list!.children.length > KEEP) list!.lastElementChild!.remove();
      list!.dataset.newest = items.newest ?? '';
      if (list!.children.length) document.getElementById('decisions-empty')?.remove();
      status!.textContent = `${list!.children.length} recent decisions; live, updated ${new Date().toLocaleTimeString()}.`;
    } catch (err) {
      status!.textContent = `Live updates failed: ${(err as Error).message}. Retrying.`;
    }
    schedule(POLL_MS);
  }

  schedule(POLL_MS);
}
