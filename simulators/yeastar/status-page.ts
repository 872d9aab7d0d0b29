import type { SimState } from './control.js';
import type { SsoLoginResult } from './sso.js';

/** The small HTML status page: extensions with presence, orgs, groups, phonebooks, welcome emails, SSO logins. */
const esc = (v: unknown): string => String(v ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function table(title: string, headers: string[], rows: unknown[][]): string {
  const body = rows.length
    ? rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')
    : `<tr><td colspan="${headers.length}" class="empty">none</td></tr>`;
  return `<section><h2>${esc(title)} <small>(${rows.length})</small></h2><table><thead><tr>${headers
    .map((h) => `<th>${esc(h)}</th>`)
    .join('')}</tr></thead><tbody>${body}</tbody></table></section>`;
}

const PRESENCE_COLOR: Record<string, string> = {
  available: '#2e7d32',
  away: '#f9a825',
  business_trip: '#1565c0',
  do_not_disturb: '#c62828',
  lunch: '#ef6c00',
  off_work: '#757575',
};

export function renderStatusPage(
  state: SimState,
  logins: SsoLoginResult[],
  counters: Record<string, number>,
): string {
  const orgName = new Map(state.organizations.map((o) => [o.id, o.name]));
  const extNumber = new Map(state.extensions.map((e) => [e.id, e.number]));
  const extRows = [...state.extensions]
    .sort((a, b) => a.number.localeCompare(b.number, undefined, { numeric: true }))
    .map((e) => [
      e.number,
      `${e.first_name} ${e.last_name}`.trim(),
      e.email_addr,
      e.presence_status,
      e.enabled ? 'yes' : 'no',
      e.linkus_enabled ? 'yes' : 'no',
      e.organization_ids.map((id) => orgName.get(id) ?? id).join(', '),
    ]);
  const presenceCell = /<td>(available|away|business_trip|do_not_disturb|lunch|off_work)<\/td>/g;
  const extTable = table(
    'Extensions',
    ['Number', 'Name', 'Email', 'Presence', 'Enabled', 'Linkus', 'Organizations'],
    extRows,
  ).replace(
    presenceCell,
    (_m, p: string) => `<td><span class="dot" style="background:${PRESENCE_COLOR[p]}"></span>${p}</td>`,
  );
  return `<!doctype html><html><head><meta charset="utf-8"><title>Yeastar P-Series simulator</title><style>
body{font:14px system-ui,sans-serif;margin:24px;color:#222;background:#fafafa}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:20px 0 6px}small{color:#777;font-weight:normal}
table{border-collapse:collapse;background:#fff;min-width:480px}th,td{border:1px solid #ddd;padding:4px 8px;text-align:left}
th{background:#f0f0f0}.empty{color:#999;font-style:italic}.dot{display:inline-block;width:9px;height:9px;border-radius:50%;margin-right:6px}
.meta{color:#555}.grid{display:flex;flex-wrap:wrap;gap:0 32px}
</style></head><body>
<h1>Yeastar P-Series Open API simulator</h1>
<div class="meta">valid tokens: ${state.validTokens} · blocked IPs: ${esc(state.blockedIps.join(', ') || 'none')} · requests: ${Object.values(
    counters,
  ).reduce((a, b) => a + b, 0)}</div>
${extTable}
<div class="grid">
${table(
  'Organizations',
  ['Id', 'Name', 'Parent'],
  state.organizations.map((o) => [o.id, o.name, orgName.get(o.parent_id) ?? '—']),
)}
${table(
  'Extension groups',
  ['Id', 'Name', 'Members'],
  state.extensionGroups.map((g) => [
    g.id,
    g.name,
    g.member_select === 'sel_all_ext' ? 'all' : g.member_ids.map((id) => extNumber.get(id) ?? id).join(', '),
  ]),
)}
${table(
  'Phonebooks',
  ['Id', 'Name', 'Members'],
  state.phonebooks.map((p) => [p.id, p.name, p.member_select === 'sel_all' ? 'all' : p.contact_ids.length]),
)}
</div>
<div class="grid">
${table(
  'Welcome emails',
  ['Extension', 'Email', 'Sent'],
  state.welcomeEmails.map((w) => [w.number, w.email_addr, w.sent_at]),
)}
${table(
  'Linkus SSO logins',
  ['When', 'Identity', 'Extension', 'Result'],
  logins.map((l) => [l.at, l.identity, l.extension, l.ok ? 'admitted' : `refused: ${l.reason}`]),
)}
</div>
</body></html>`;
}
