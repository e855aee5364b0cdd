/**
 * Secrets shown only on request: a client's secret on the Apps page, the secrets and passwords in
 * the overview's curl lines. They are fetched from the console's API when asked for, so a page
 * never carries one until the user clicks.
 */
import { announce, copyText, getJson } from './dom.js';

export function initClientSecrets(): void {
  for (const button of document.querySelectorAll<HTMLButtonElement>('button[data-reveal-client]')) {
    const clientId = button.dataset.revealClient!;
    const target = document.getElementById(button.getAttribute('aria-controls') ?? '');
    if (!target) continue;
    let shown = false;
    const set = (secret: string | undefined) => {
      shown = secret !== undefined;
      target.textContent = secret ?? 'hidden';
      button.textContent = shown ? 'Hide secret' : 'Show secret';
      button.setAttribute('aria-label', `${shown ? 'Hide' : 'Show'} secret of ${clientId}`);
    };
    button.addEventListener('click', async () => {
      if (shown) {
        set(undefined);
        announce(`Secret of ${clientId} hidden`);
        return;
      }
      try {
        const { clientSecret } = await getJson<{ clientSecret: string }>(`/console/api/apps/${encodeURIComponent(clientId)}/secret`);
        set(clientSecret);
        announce(`Secret of ${clientId} shown`);
      } catch (err) {
        announce(`Could not read the secret: ${(err as Error).message}`);
      }
    });
  }
}

type CurlTexts = Map<string, string>;

async function curlTexts(reveal: boolean): Promise<CurlTexts> {
  const body = await getJson<{ curl: Array<{ id: string; text: string }> }>(`/console/api/overview${reveal ? '?secrets=show' : ''}`);
  return new Map(body.curl.map((c) => [c.id, c.text]));
}

export function initCurlLines(): void {
  const blocks = [...document.querySelectorAll<HTMLElement>('code[data-curl-id]')];
  if (blocks.length === 0) return;
  const masked = new Map(blocks.map((b) => [b.dataset.curlId!, b.innerHTML]));
  let revealed: CurlTexts | undefined;
  const full = async () => (revealed ??= await curlTexts(true));

  const toggle = document.querySelector<HTMLButtonElement>('button[data-reveal-curl]');
  let shown = false;
  toggle?.addEventListener('click', async () => {
    try {
      const texts = shown ? undefined : await full();
      shown = !shown;
      for (const block of blocks) {
        const id = block.dataset.curlId!;
        if (texts) block.textContent = texts.get(id) ?? block.textContent;
        else block.innerHTML = masked.get(id) ?? block.innerHTML;
      }
      toggle.textContent = shown ? 'Hide secrets' : 'Show secrets';
      announce(shown ? 'Secrets shown in the curl lines' : 'Secrets hidden');
    } catch (err) {
      announce(`Could not read the curl lines: ${(err as Error).message}`);
    }
  });

  for (const button of document.querySelectorAll<HTMLButtonElement>('button[data-copy-curl]')) {
    button.addEventListener('click', async () => {
      const id = button.dataset.copyCurl!;
      try {
        const text = (await full()).get(id);
        if (text === undefined) throw new Error('the stack changed: reload the page');
        announce((await copyText(text)) ? 'Copied the command' : 'Copying was refused by the browser: show the secrets and select the text');
      } catch (err) {
        announce(`Could not copy: ${(err as Error).message}`);
      }
    });
  }
}
