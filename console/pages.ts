/**
 * The console's pages, rendered on the server from the views (console/views.ts): each page works
 * without JavaScript; console/browser/ adds copying, showing a secret on request, the workbench
 * without a reload, and the live decision log.
 */
import type { DecisionLogEntry } from '../gateway-emulator/decision-log.js';
import { MY_SCOPES } from '../mock-iam/oauth/scopes.js';
import type { ClaimLine } from '../tools/token-inspection.js';
import { html, showValue, slug, type Html } from './html.js';
import { CONSOLE_PATH } from './layout.js';
import {
  segmentText,
  type AppsView,
  type AuthenticationView,
  type CustomClaimsView,
  type DeploymentView,
  type OverviewData,
  type Segment,
  type UsersView,
  type WorkbenchChoices,
} from './views.js';
import type { WorkbenchResult } from './workbench.js';

const list = (items: readonly unknown[], empty = 'none') =>
  items.length === 0 ? html`<span class="none">${empty}</span>` : html`<ul class="plain">${items.map((i) => html`<li>${codeOrText(i)}</li>`)}</ul>`;
const codeOrText = (value: unknown) => html`<code>${showValue(value)}</code>`;
const yesNo = (value: boolean) => (value ? 'yes' : 'no');
/** A definition list from label/value pairs; pairs whose value is undefined are left out. */
const facts = (pairs: Array<[string, Html | string | number | undefined]>) =>
  html`<dl class="facts">${pairs.filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>`;

// ---- overview ---------------------------------------------------------------------------------

function segmentsHtml(line: Segment[]): Html {
  return html`${line.map((s) => (typeof s === 'string' ? s : html`<span class="masked" title="hidden: ${s.label}">&lt;${s.label}&gt;</span>`))}`;
}

export function overviewPage(data: OverviewData): Html {
  const { iam, gateway } = data;
  const rows: Array<[string, string, Html | string]> = [
    ['Mock IAM (identity domain URL)', iam.baseUrl, html`tenant <code>${iam.tenant}</code>`],
    ['Issuer (iss of every token)', iam.issuer, 'what deployments must list in issuers'],
    ['Token endpoint', iam.tokenEndpoint, 'POST, client_secret_basic or client_secret_post'],
    ['JWKS', iam.jwks, iam.jwksPublic ? 'public: what REMOTE_JWKS names' : 'needs a bearer token (signingCertPublicAccess is off)'],
    ['OpenID discovery', iam.discovery, ''],
    ['Gateway control plane', `${gateway.controlPlaneUrl}/20190501/deployments`, gateway.kind === 'in-process' ? 'in this process' : 'another process (links.gatewayAdminUrl)'],
    ['Gateway decision log (JSON)', gateway.decisionsUrl, html`shown live on the <a href="${CONSOLE_PATH}/decisions">Decision log</a> page`],
  ];
  if (gateway.dataPlaneUrl) rows.splice(5, 0, ['Gateway data plane', gateway.dataPlaneUrl, 'where API calls go: {pathPrefix}{route path}']);
  return html`
<section aria-labelledby="where">
<h2 id="where">Where things are</h2>
${gateway.error ? html`<p class="problem">${gateway.error}</p>` : ''}
<table>
<thead><tr><th scope="col">What</th><th scope="col">URL</th><th scope="col">Note</th></tr></thead>
<tbody>${rows.map(([what, url, note]) => html`<tr><th scope="row">${what}</th><td><code>${url}</code></td><td>${note}</td></tr>`)}</tbody>
</table>
</section>
<section aria-labelledby="seeded">
<h2 id="seeded">What is seeded</h2>
<ul>${data.seeded.map((s) => html`<li><a href="${s.href}">${s.title}</a>: ${s.names.length ? s.names.join(', ') : 'none'}</li>`)}</ul>
</section>
<section aria-labelledby="curl">
<h2 id="curl">Try it with curl</h2>
<p>The lines <code>npm start</code> prints. Secrets and passwords are hidden; <strong>Copy</strong> copies the line with them filled in.</p>
<p class="js-only" hidden><button type="button" class="secondary" data-reveal-curl aria-controls="curl-blocks">Show secrets</button></p>
<div id="curl-blocks">
${data.curl.map(
  (block) => html`<div class="curl-block">
<h3 id="curl-${block.id}">${block.title}</h3>
<pre><code data-curl-id="${block.id}">${block.lines.map((l, i) => html`${i ? '\n' : ''}${segmentsHtml(l)}`)}</code></pre>
<p class="js-only" hidden><button type="button" class="secondary" data-copy-curl="${block.id}" aria-describedby="curl-${block.id}">Copy</button></p>
</div>`,
)}
</div>
</section>`;
}

/** The curl blocks with every secret in place (what Copy and Show secrets fetch). */
export function curlText(data: Pick<OverviewData, 'curl'>, reveal: boolean): Array<{ id: string; text: string }> {
  return data.curl.map((b) => ({ id: b.id, text: b.lines.map((l) => segmentText(l, reveal)).join('\n') }));
}

// ---- apps -------------------------------------------------------------------------------------

export function appsPage(view: AppsView): Html {
  return html`
<p>The IDCS apps of the identity domain: resource servers define an audience and scopes, clients hold grants and the fully qualified scopes (audience + scope) they may request.</p>
<section aria-labelledby="resource-servers">
<h2 id="resource-servers">Resource servers</h2>
${view.resourceServers.length === 0 ? html`<p>None.</p>` : ''}
${view.resourceServers.map(
  (r) => html`<section class="card" aria-labelledby="rs-${slug(r.name)}">
<h3 id="rs-${slug(r.name)}">${r.displayName} <code>${r.name}</code></h3>
${facts([
  ['Audience', html`<code>${r.audience}</code>`],
  ['Secondary audiences', r.secondaryAudiences.length ? list(r.secondaryAudiences) : undefined],
  ['Active', yesNo(r.active)],
  ['Access token lifetime', r.accessTokenExpiry === undefined ? undefined : `${r.accessTokenExpiry} s`],
  ['Description', r.description],
])}
<table>
<caption>Scopes of ${r.name}</caption>
<thead><tr><th scope="col">Scope</th><th scope="col">Fully qualified scope (what a client requests)</th><th scope="col">Description</th></tr></thead>
<tbody>${r.scopes.map((s) => html`<tr><td><code>${s.value}</code></td><td><code>${s.fqs}</code></td><td>${s.description ?? s.displayName ?? ''}</td></tr>`)}</tbody>
</table>
</section>`,
)}
</section>
<section aria-labelledby="clients">
<h2 id="clients">Clients</h2>
<div class="scroll" role="region" aria-label="Clients table (scrolls sideways)" tabindex="0">
<table>
<thead><tr><th scope="col">Client ID</th><th scope="col">Name</th><th scope="col">Grants</th><th scope="col">Allowed scopes</th><th scope="col">Operations</th><th scope="col">App roles</th><th scope="col">Authentication</th><th scope="col">Secret</th></tr></thead>
<tbody>${view.clients.map(
  (c) => html`<tr id="client-${slug(c.clientId)}">
<th scope="row"><code>${c.clientId}</code>${c.active ? '' : html` <span class="tag">inactive</span>`}</th>
<td>${c.displayName}</td>
<td>${list(c.allowedGrants)}</td>
<td>${list(c.allowedScopes)}</td>
<td>${list(c.allowedOperations)}</td>
<td>${list(c.appRoles)}</td>
<td>${c.authentication}${c.certificates.length ? html` (${c.certificates.join(', ')})` : ''}</td>
<td>${
    c.hasSecret
      ? html`<span class="secret" id="secret-${slug(c.clientId)}">hidden</span>
<button type="button" class="secondary js-only" hidden data-reveal-client="${c.clientId}" aria-controls="secret-${slug(c.clientId)}" aria-label="Show secret of ${c.clientId}">Show secret</button>`
      : html`<span class="none">none</span>`
  }</td>
</tr>`,
)}</tbody>
</table>
</div>
</section>`;
}

// ---- users ------------------------------------------------------------------------------------

const fullName = (u: { givenName?: string | undefined; familyName?: string | undefined }) => [u.givenName, u.familyName].filter(Boolean).join(' ');

export function usersPage(view: UsersView): Html {
  return html`
<p>The identity domain's users. Passwords are never shown (the store keeps only their hashes).</p>
<section aria-labelledby="users">
<h2 id="users">Users</h2>
<div class="scroll" role="region" aria-label="Users table (scrolls sideways)" tabindex="0">
<table>
<thead><tr><th scope="col">User name</th><th scope="col">Display name</th><th scope="col">Emails</th><th scope="col">Active</th><th scope="col">App roles</th><th scope="col">Custom attributes</th><th scope="col">Password</th></tr></thead>
<tbody>${view.users.map(
  (u) => html`<tr>
<th scope="row"><code>${u.userName}</code></th>
<td>${u.displayName ?? ''}${fullName(u) && fullName(u) !== u.displayName ? html`<br><span class="hint">${fullName(u)}</span>` : ''}</td>
<td>${list(u.emails)}</td>
<td>${yesNo(u.active)}</td>
<td>${list(u.appRoles)}</td>
<td>${
    u.customAttributes.length
      ? html`<dl class="inline">${u.customAttributes.map((a) => html`<dt><code>${a.name}</code>${a.displayName ? html` <span class="hint">(${a.displayName})</span>` : ''}</dt><dd><code>${showValue(a.value)}</code></dd>`)}</dl>`
      : html`<span class="none">none</span>`
  }</td>
<td>${u.hasPassword ? (u.passwordInConfig ? 'set (seeded by the stack config)' : 'set') : 'none'}</td>
</tr>`,
)}</tbody>
</table>
</div>
</section>
<section aria-labelledby="schema">
<h2 id="schema">Custom attributes (user schema extension)</h2>
<p>Schema <code>${view.schema}</code>; a custom claim reads an attribute as <code>$user.${view.schema}.&lt;name&gt;</code>.</p>
<table>
<thead><tr><th scope="col">Attribute</th><th scope="col">Type</th><th scope="col">Multi-valued</th><th scope="col">Display name</th><th scope="col">Description</th></tr></thead>
<tbody>${view.schemaAttributes.map((a) => html`<tr><th scope="row"><code>${a.name}</code></th><td>${a.type}</td><td>${yesNo(a.multiValued)}</td><td>${a.displayName ?? ''}</td><td>${a.description ?? ''}</td></tr>`)}</tbody>
</table>
</section>`;
}

// ---- custom claims ----------------------------------------------------------------------------

export function claimsPage(view: CustomClaimsView): Html {
  return html`
<p>Custom claims the IAM adds to tokens (IDCS <code>/admin/v1/CustomClaims</code>). ${
    view.enabled ? 'Custom claims are enabled.' : html`<strong>Custom claims are disabled</strong> (<code>settings.customClaimsEnabled: false</code>): none is added.`
  }</p>
<div class="scroll" role="region" aria-label="Custom claims table (scrolls sideways)" tabindex="0">
<table>
<thead><tr><th scope="col">Claim</th><th scope="col">Value</th><th scope="col">Mode</th><th scope="col">Token type</th><th scope="col">Scopes</th><th scope="col">Value per user</th></tr></thead>
<tbody>${view.claims.map(
  (c) => html`<tr>
<th scope="row"><code>${c.name}</code></th>
<td><code>${c.value}</code>${c.expression ? html`<br><span class="hint">an expression, evaluated per user</span>` : ''}</td>
<td>${c.mode}</td>
<td>${c.tokenType}</td>
<td>${c.allScopes ? 'all scopes' : list(c.scopes)}</td>
<td>${
    c.perUser.length
      ? html`<dl class="inline">${c.perUser.map((u) => html`<dt><code>${u.userName}</code></dt><dd>${u.value === undefined ? html`<span class="none">no value (claim left out)</span>` : html`<code>${showValue(u.value)}</code>`}</dd>`)}</dl>`
      : html`<span class="none">no users</span>`
  }</td>
</tr>`,
)}</tbody>
</table>
</div>
${view.claims.length === 0 ? html`<p>No custom claims.</p>` : ''}`;
}

// ---- workbench --------------------------------------------------------------------------------

export interface WorkbenchForm {
  clientId?: string | undefined;
  grantType?: string | undefined;
  userName?: string | undefined;
  scopes?: string[] | undefined;
  scopeExtra?: string | undefined;
  refreshToken?: string | undefined;
}

export function workbenchPage(choices: WorkbenchChoices, form: WorkbenchForm, result: Html | undefined): Html {
  const usable = choices.clients.filter((c) => c.usable);
  const clientId = form.clientId ?? (usable.find((c) => c.grants.includes('client_credentials') && c.scopes.length) ?? usable[0])?.clientId;
  const client = choices.clients.find((c) => c.clientId === clientId);
  const grantType = form.grantType ?? client?.grants[0] ?? 'client_credentials';
  // A client without resource scopes asks for what it holds (app roles): __myscopes__.
  const checked = new Set(form.scopes ?? [client?.scopes[0] ?? MY_SCOPES]);
  return html`
<p>Gets a token from this IAM's own token endpoint (the path every client takes), then shows it decoded, each claim explained, and its signature checked against the IAM's JWKS.</p>
<noscript><p class="hint">Without JavaScript every field shows; the page reloads with the result.</p></noscript>
<form method="post" action="${CONSOLE_PATH}/workbench" id="workbench-form" class="workbench" novalidate>
<div class="field">
<label for="wb-client">Client</label>
<select id="wb-client" name="clientId" aria-describedby="wb-client-note">
${choices.clients.map(
  (c) => html`<option value="${c.clientId}" data-grants="${c.grants.join(' ')}" data-scopes="${c.scopes.join(' ')}" data-note="${c.note ?? ''}"${c.clientId === clientId ? html` selected` : ''}${c.usable ? '' : html` disabled`}>${c.clientId} (${c.displayName})${c.usable ? '' : ' – not usable here'}</option>`,
)}
</select>
<p class="hint" id="wb-client-note">${client?.note ?? 'Its secret is sent as client_secret_basic; it is never shown here.'}</p>
</div>
<div class="field">
<label for="wb-grant">Grant type</label>
<select id="wb-grant" name="grantType">
${['client_credentials', 'password', 'refresh_token'].map((g) => html`<option value="${g}"${g === grantType ? html` selected` : ''}>${g}</option>`)}
</select>
</div>
<div class="field" data-for-grant="password">
<label for="wb-user">User</label>
<select id="wb-user" name="userName">
${choices.users.map((u) => html`<option value="${u.userName}" data-seeded="${u.passwordInConfig ? 'yes' : 'no'}"${u.userName === form.userName ? html` selected` : ''}>${u.userName}${u.displayName ? ` (${u.displayName})` : ''}</option>`)}
</select>
</div>
<div class="field" data-for-grant="password">
<label for="wb-password">Password</label>
<input id="wb-password" name="password" type="password" autocomplete="off" aria-describedby="wb-password-hint">
<p class="hint" id="wb-password-hint">Leave empty for a user the stack config seeds: its configured password is sent (and never shown).</p>
</div>
<div class="field" data-for-grant="refresh_token">
<label for="wb-refresh">Refresh token</label>
<textarea id="wb-refresh" name="refreshToken" rows="3" spellcheck="false">${form.refreshToken ?? ''}</textarea>
</div>
<fieldset class="field">
<legend>Scopes</legend>
<ul class="plain checks">
${choices.scopes.map(
  (s, i) => html`<li data-scope-clients="${s.clients === 'all' ? '*' : s.clients.join(' ')}"><input type="checkbox" id="wb-scope-${i}" name="scopeChoice" value="${s.scope}"${checked.has(s.scope) ? html` checked` : ''}> <label for="wb-scope-${i}"><code>${s.scope}</code>${s.description ? html` <span class="hint">${s.description}</span>` : ''}</label></li>`,
)}
</ul>
<label for="wb-scope-extra">Other scopes</label>
<input id="wb-scope-extra" name="scopeExtra" type="text" value="${form.scopeExtra ?? ''}" spellcheck="false" aria-describedby="wb-scope-hint">
<p class="hint" id="wb-scope-hint">As IDCS writes them, separated by blanks: a fully qualified scope is the audience followed by the scope (<code>anwendung1AnwendungReadA</code>).</p>
</fieldset>
<p><button type="submit" id="wb-submit">Get token</button></p>
</form>
<div id="workbench-result">${result ?? ''}</div>`;
}

function claimRows(lines: ClaimLine[]): Html {
  return html`${lines.map(
    (l) => html`<tr>
<th scope="row"><code>${l.name}</code></th>
<td><code class="value">${showValue(l.value)}</code>${l.time ? html`<br><time datetime="${l.time.iso}">${l.time.iso}</time> <span class="hint">(${l.time.relative})</span>` : ''}</td>
<td>${l.meaning ?? ''}</td>
</tr>`,
  )}`;
}

export function workbenchResultHtml(result: WorkbenchResult | { problem: string }): Html {
  if ('problem' in result) {
    return html`<section aria-labelledby="result-title" class="result refused">
<h2 id="result-title" tabindex="-1">No request sent</h2>
<p class="problem">${result.problem}</p>
</section>`;
  }
  const r = result.request;
  const sent = html`<p>Sent <code>POST ${r.endpoint}</code> with <code>grant_type=${r.grantType}</code>${r.scope ? html`, <code>scope=${r.scope}</code>` : ', no scope'}, client <code>${r.clientId}</code> (${r.clientAuthentication})${
    r.userName ? html`, user <code>${r.userName}</code> (password ${r.password})` : ''
  }.</p>`;
  if (!result.ok) {
    return html`<section aria-labelledby="result-title" class="result refused">
<h2 id="result-title" tabindex="-1">Refused: HTTP ${result.status}${result.error?.error ? ` ${result.error.error}` : ''}</h2>
${sent}
${facts([
  ['error', result.error?.error ? html`<code>${result.error.error}</code>` : undefined],
  ['error_description', result.error?.description],
  ['Why (x-harness-reason)', result.error?.reason],
])}
</section>`;
  }
  const inspection = result.inspection;
  const signature = inspection?.signature;
  const verdict = !signature
    ? html`<p class="problem">The token could not be inspected: ${result.inspectionError ?? 'unknown reason'}</p>`
    : signature.checked
      ? html`<p class="signature ${signature.valid ? 'valid' : 'invalid'}" id="signature-verdict"><span aria-hidden="true">${signature.valid ? '✔' : '✘'}</span> ${signature.valid ? 'Signature valid' : 'Signature INVALID'}: ${signature.reason}${signature.kid ? html` (kid <code>${signature.kid}</code>)` : ''}</p>`
      : html`<p class="signature unchecked" id="signature-verdict">Signature not checked: ${signature.reason}</p>`;
  return html`<section aria-labelledby="result-title" class="result accepted">
<h2 id="result-title" tabindex="-1">Token issued${result.expiresIn ? ` (expires in ${result.expiresIn} s)` : ''}</h2>
${sent}
${verdict}
${
  inspection
    ? html`<table class="claims">
<caption>Header</caption>
<thead><tr><th scope="col">Name</th><th scope="col">Value</th><th scope="col">Meaning</th></tr></thead>
<tbody>${claimRows(inspection.headerLines)}</tbody>
</table>
<table class="claims" id="claims-table">
<caption>Claims</caption>
<thead><tr><th scope="col">Claim</th><th scope="col">Value</th><th scope="col">Meaning</th></tr></thead>
<tbody>${claimRows(inspection.claimLines)}</tbody>
</table>`
    : ''
}
<div class="field">
<label for="wb-access-token">Access token (JWT)</label>
<textarea id="wb-access-token" rows="4" readonly spellcheck="false">${result.accessToken ?? ''}</textarea>
<p class="js-only" hidden><button type="button" class="secondary" data-copy-from="wb-access-token">Copy access token</button></p>
</div>
${
  result.refreshToken
    ? html`<div class="field">
<label for="wb-refresh-token">Refresh token</label>
<textarea id="wb-refresh-token" rows="2" readonly spellcheck="false">${result.refreshToken}</textarea>
<p class="js-only" hidden><button type="button" class="secondary" data-use-refresh="wb-refresh-token">Use it in a refresh_token request</button></p>
</div>`
    : ''
}
</section>`;
}

// ---- gateway ----------------------------------------------------------------------------------

function authenticationFacts(a: AuthenticationView): Html {
  return html`${facts([
    ['Type', html`<code>${a.type}</code>`],
    ['Token location', a.tokenLocation],
    ['Issuers', a.type === 'CUSTOM_AUTHENTICATION' ? undefined : list(a.issuers, 'any (not checked)')],
    ['Audiences', a.type === 'CUSTOM_AUTHENTICATION' ? undefined : list(a.audiences, 'any (not checked)')],
    ['Keys', a.keys],
    ['Authorizer function', a.functionId],
    ['Anonymous access allowed', yesNo(a.isAnonymousAccessAllowed)],
    ['Clock skew tolerated', a.maxClockSkewInSeconds === undefined ? undefined : `${a.maxClockSkewInSeconds} s`],
  ])}
${
  a.verifyClaims.length
    ? html`<table>
<caption>verifyClaims (each value is an exact string match: a claim holding <code>"A B"</code> does not match <code>A</code>)</caption>
<thead><tr><th scope="col">Claim</th><th scope="col">Values</th><th scope="col">Required</th></tr></thead>
<tbody>${a.verifyClaims.map((c) => html`<tr><th scope="row"><code>${c.key}</code></th><td>${list(c.values, 'any value')}</td><td>${yesNo(c.isRequired)}</td></tr>`)}</tbody>
</table>`
    : ''
}`;
}

export function gatewayPage(source: { kind: string; controlPlaneUrl: string; dataPlaneUrl?: string | undefined }, deployments: DeploymentView[] | { error: string }): Html {
  const intro = html`<p>${
    source.kind === 'in-process'
      ? html`The deployments of the gateway running in this process`
      : html`The deployments of the gateway whose control plane is at <code>${source.controlPlaneUrl}</code> (<code>links.gatewayAdminUrl</code>)`
  }${source.dataPlaneUrl ? html`; its data plane is <code>${source.dataPlaneUrl}</code>` : ''}.</p>`;
  if ('error' in deployments) return html`${intro}<p class="problem">${deployments.error}</p>`;
  if (deployments.length === 0) return html`${intro}<p>No active deployment.</p>`;
  return html`${intro}
${deployments.map((d) => {
  const id = `dep-${slug(d.pathPrefix)}`;
  return html`<section class="card" aria-labelledby="${id}">
<h2 id="${id}"><code>${d.pathPrefix}</code> ${d.displayName}</h2>
${facts([
  ['Endpoint', html`<code>${d.endpoint}</code>`],
  ['Deployment id', html`<code>${d.id}</code>`],
  ['Made through', d.source],
  ['Other policies', d.otherPolicies.length ? list(d.otherPolicies) : undefined],
])}
<h3>Authentication</h3>
${d.authentication ? authenticationFacts(d.authentication) : d.dynamicAuthentication.length ? '' : html`<p>None: every route is open.</p>`}
${d.dynamicAuthentication.map((s) => html`<h4>Authentication server <code>${s.key}</code></h4>${authenticationFacts(s.authentication)}`)}
<div class="scroll" role="region" aria-label="Routes of ${d.pathPrefix} (scrolls sideways)" tabindex="0">
<table>
<caption>Routes of ${d.pathPrefix}</caption>
<thead><tr><th scope="col">Path</th><th scope="col">Methods</th><th scope="col">Backend</th><th scope="col">Authorization</th><th scope="col">Other policies</th></tr></thead>
<tbody>${d.routes.map(
    (r) => html`<tr><th scope="row"><code>${d.pathPrefix}${r.path}</code></th><td>${r.methods.join(', ')}</td><td><code>${r.backend}</code></td><td><code>${r.authorizationType}</code>${
      r.allowedScope.length ? html`: any of ${list(r.allowedScope)}<span class="hint">a missing scope answers 404</span>` : ''
    }</td><td>${r.otherPolicies.length ? list(r.otherPolicies) : html`<span class="none">none</span>`}</td></tr>`,
  )}</tbody>
</table>
</div>
</section>`;
})}`;
}

// ---- decisions --------------------------------------------------------------------------------

const timeOf = (iso: string) => (/T(\d\d:\d\d:\d\d(?:\.\d+)?)/.exec(iso)?.[1] ?? iso);

export function decisionItem(entry: DecisionLogEntry): Html {
  const reason = entry.reason;
  const id = `decision-${slug(entry.requestId)}`;
  return html`<li class="decision ${entry.outcome}" data-request-id="${entry.requestId}" data-outcome="${entry.outcome}">
<h3 id="${id}"><span class="verdict">${entry.outcome === 'refused' ? 'Refused' : 'Accepted'}</span> <code>${entry.method} ${entry.path}</code> → ${entry.status}</h3>
<p class="meta"><time datetime="${entry.time}">${timeOf(entry.time)}</time>${entry.pathPrefix ? html` · deployment <code>${entry.pathPrefix}</code>` : ' · no deployment'}${
    entry.routePath ? html` · route <code>${entry.routePath}</code>` : ''
  } · request id <code>${entry.requestId}</code></p>
${
  reason
    ? html`<div class="reason">
<p>${entry.outcome === 'refused' ? 'Refused by' : 'Backend failure in'} <code class="check">${reason.check}</code>: <span class="message">${reason.message}</span></p>
${
  reason.expected !== undefined || reason.found !== undefined
    ? html`<dl class="inline"><dt>Expected</dt><dd><code>${showValue(reason.expected)}</code></dd><dt>Found</dt><dd><code>${showValue(reason.found)}</code></dd></dl>`
    : ''
}
</div>`
    : ''
}
${
  entry.checks.length
    ? html`<details><summary>All checks (${entry.checks.length})</summary>
<table>
<thead><tr><th scope="col">Check</th><th scope="col">Result</th><th scope="col">Message</th><th scope="col">Expected</th><th scope="col">Found</th></tr></thead>
<tbody>${entry.checks.map(
        (c) => html`<tr><th scope="row"><code>${c.check}</code></th><td>${c.passed ? 'passed' : 'failed'}</td><td>${c.message}</td><td>${c.expected === undefined ? '' : html`<code>${showValue(c.expected)}</code>`}</td><td>${c.found === undefined ? '' : html`<code>${showValue(c.found)}</code>`}</td></tr>`,
      )}</tbody>
</table>
</details>`
    : ''
}
</li>`;
}

export function decisionsPage(entries: DecisionLogEntry[] | { error: string }, source: { kind: string; controlPlaneUrl: string; dataPlaneUrl?: string | undefined }): Html {
  const error = 'error' in entries ? entries.error : undefined;
  const items = 'error' in entries ? [] : entries;
  return html`
<p>Every request the gateway's data plane decided, newest first. A refused request shows the check that refused it, in OCI's log wording, with what was expected and what was found${
    source.kind === 'remote' ? html` (read from <code>${source.controlPlaneUrl}/_harness/decisions</code>)` : ''
  }.</p>
<div class="controls js-only" hidden>
<button type="button" class="secondary" id="decisions-pause" aria-pressed="false">Pause live updates</button>
<span class="check-field"><input type="checkbox" id="decisions-refused-only"> <label for="decisions-refused-only">Refused requests only</label></span>
</div>
<h2 id="recent">Recent decisions</h2>
<p id="decisions-status" class="hint">${error ? html`<span class="problem">${error}</span>` : `${items.length} recent decisions.`}</p>
<div class="log" role="log" aria-live="polite" aria-relevant="additions" aria-label="Gateway decisions, newest first">
<ol id="decision-list" data-newest="${items[0]?.requestId ?? ''}">${items.map(decisionItem)}</ol>
</div>
${items.length === 0 && !error ? html`<p id="decisions-empty">No request yet. Try <code>curl -i ${source.dataPlaneUrl ?? 'http://GATEWAY'}/test/1</code>: without a token it is refused, and the reason appears here.</p>` : ''}`;
}

