/** The page shell every console page shares: skip link, header with the navigation, main, footer. */
import { html, type Html } from './html.js';

export const CONSOLE_PATH = '/console';

export const PAGES = [
  { id: 'overview', path: CONSOLE_PATH, title: 'Overview' },
  { id: 'apps', path: `${CONSOLE_PATH}/apps`, title: 'Apps' },
  { id: 'users', path: `${CONSOLE_PATH}/users`, title: 'Users' },
  { id: 'claims', path: `${CONSOLE_PATH}/claims`, title: 'Custom claims' },
  { id: 'workbench', path: `${CONSOLE_PATH}/workbench`, title: 'Token workbench' },
  { id: 'gateway', path: `${CONSOLE_PATH}/gateway`, title: 'Gateway' },
  { id: 'decisions', path: `${CONSOLE_PATH}/decisions`, title: 'Decision log' },
] as const;

export type PageId = (typeof PAGES)[number]['id'] | 'not-found' | 'error';

export function page(options: { id: PageId; title: string; body: Html }): string {
  const nav = PAGES.map(
    (p) => html`<li><a href="${p.path}"${p.id === options.id ? html` aria-current="page"` : ''}>${p.title}</a></li>`,
  );
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} · oci-auth-harness console</title>
<link rel="icon" href="${CONSOLE_PATH}/assets/icon.svg" type="image/svg+xml">
<link rel="stylesheet" href="${CONSOLE_PATH}/assets/console.css">
<script type="module" src="${CONSOLE_PATH}/assets/console.js"></script>
</head>
<body data-page="${options.id}">
<a class="skip-link" href="#main">Skip to main content</a>
<header class="site-header">
<p class="brand"><a href="${CONSOLE_PATH}">oci-auth-harness <span>console</span></a></p>
<nav aria-label="Console"><ul>${nav}</ul></nav>
</header>
<main id="main" tabindex="-1">
<h1>${options.title}</h1>
${options.body}
<p id="announcer" class="visually-hidden" role="status" aria-live="polite"></p>
</main>
<footer class="site-footer"><p>The mock IAM and the gateway emulator of oci-auth-harness. Every secret here is a test fixture of the stack config.</p></footer>
</body>
</html>
`.text;
}
