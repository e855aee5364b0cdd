/** Small DOM helpers shared by the console's browser modules. */

/** The element with this id, of this type, or null. */
export function byId<T extends HTMLElement>(id: string, type: { new (): T }): T | null {
  const element = document.getElementById(id);
  return element instanceof type ? element : null;
}

/** Says `text` to screen readers through the page's polite status region. */
export function announce(text: string): void {
  const region = document.getElementById('announcer');
  if (!region) return;
  // Cleared first, so the same message said twice is announced twice.
  region.textContent = '';
  window.setTimeout(() => {
    region.textContent = text;
  }, 50);
}

/** Shows the controls that need JavaScript (they are `hidden` in the HTML). */
export function revealScriptedControls(root: ParentNode = document): void {
  for (const element of root.querySelectorAll<HTMLElement>('.js-only[hidden]')) element.hidden = false;
}

/** Copies text to the clipboard; falls back to a selected off-screen text area where the Clipboard API is refused. */
export async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // Refused (no permission, no focus): try the older way.
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.className = 'visually-hidden';
  document.body.append(area);
  area.select();
  let done = false;
  try {
    done = document.execCommand('copy');
  } catch {
    done = false;
  }
  area.remove();
  return done;
}

/** GETs JSON from the console's own API; throws an Error with the API's message on a non-2xx answer. */
export async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { headers: { accept: 'application/json' } });
  const body = (await response.json().catch(() => ({}))) as T & { error?: string };
  if (!response.ok) throw new Error(body.error ?? `${response.status} ${response.statusText}`);
  return body;
}
