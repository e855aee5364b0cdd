/**
 * The token workbench without a reload: the form's choices follow the chosen client (its grants,
 * its scopes, the user and password fields of the password grant), and a submit posts the form
 * and puts the server-rendered result in place, then moves the focus to it.
 */
import { announce, byId, copyText, revealScriptedControls } from './dom.js';

export function initWorkbench(): void {
  const form = byId('workbench-form', HTMLFormElement);
  const client = byId('wb-client', HTMLSelectElement);
  const grant = byId('wb-grant', HTMLSelectElement);
  const result = document.getElementById('workbench-result');
  const submit = byId('wb-submit', HTMLButtonElement);
  if (!form || !client || !grant || !result || !submit) return;
  const note = document.getElementById('wb-client-note');
  const defaultNote = note?.textContent ?? '';

  const showGrantFields = () => {
    for (const field of form.querySelectorAll<HTMLElement>('[data-for-grant]')) field.hidden = field.dataset.forGrant !== grant.value;
  };

  const follow = (clientChanged: boolean) => {
    const option = client.selectedOptions[0];
    const grants = (option?.dataset.grants ?? '').split(' ').filter(Boolean);
    // A client without resource scopes asks for what it holds (app roles): __myscopes__.
    const preferred = (option?.dataset.scopes ?? '').split(' ').filter(Boolean)[0] ?? 'urn:opc:idm:__myscopes__';
    for (const o of grant.options) o.disabled = !grants.includes(o.value);
    if (grant.selectedOptions[0]?.disabled) grant.value = grants[0] ?? grant.value;
    showGrantFields();
    for (const item of form.querySelectorAll<HTMLElement>('[data-scope-clients]')) {
      const allowed = item.dataset.scopeClients === '*' || item.dataset.scopeClients!.split(' ').includes(client.value);
      item.hidden = !allowed;
      const box = item.querySelector('input');
      if (box && clientChanged) box.checked = allowed && box.value === preferred;
      if (box && !allowed) box.checked = false;
    }
    if (note) note.textContent = option?.dataset.note || defaultNote;
  };
  client.addEventListener('change', () => follow(true));
  grant.addEventListener('change', showGrantFields);
  follow(false);

  result.addEventListener('click', async (event) => {
    const target = event.target instanceof HTMLElement ? event.target.closest('button') : null;
    if (!target) return;
    if (target.dataset.copyFrom) {
      const source = document.getElementById(target.dataset.copyFrom);
      if (source instanceof HTMLTextAreaElement) announce((await copyText(source.value)) ? 'Copied the token' : 'Copying was refused by the browser: select the text');
    }
    if (target.dataset.useRefresh) {
      const source = document.getElementById(target.dataset.useRefresh);
      const field = byId('wb-refresh', HTMLTextAreaElement);
      if (source instanceof HTMLTextAreaElement && field) {
        grant.value = 'refresh_token';
        showGrantFields();
        field.value = source.value;
        field.focus();
        announce('Grant type set to refresh_token, refresh token filled in');
      }
    }
  });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = new URLSearchParams();
    for (const [name, value] of new FormData(form)) {
      // Fields of another grant are left out, as their hidden state says.
      const field = form.elements.namedItem(name);
      const hidden = field instanceof HTMLElement && field.closest('[hidden]') !== null;
      if (typeof value === 'string' && !hidden) body.append(name, value);
    }
    submit.disabled = true;
    result.setAttribute('aria-busy', 'true');
    announce('Requesting a token…');
    try {
      const response = await fetch(form.action, { method: 'POST', body, headers: { 'x-console-fragment': 'result' } });
      result.innerHTML = await response.text();
      revealScriptedControls(result);
      const heading = document.getElementById('result-title');
      heading?.focus();
      announce(heading?.textContent ?? 'Done');
    } catch (err) {
      result.textContent = '';
      const problem = document.createElement('p');
      problem.className = 'problem';
      problem.textContent = `The console did not answer: ${(err as Error).message}`;
      result.append(problem);
      announce(problem.textContent);
    } finally {
      submit.disabled = false;
      result.removeAttribute('aria-busy');
    }
  });
}
