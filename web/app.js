// Checkpoint's web pages: a thin client of /api/v1 (docs/api.md). Every rule is decided by the server; this file
// only draws what the API answers and sends what the person chose. No inline script (the CSP forbids it), no
// innerHTML with data: every text goes in as a text node.
'use strict';

const state = { me: null, csrf: '' };

// h('p', {class: 'x'}, 'text', child…): an element with attributes and children (strings become text nodes).
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === false || v === null || v === undefined) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
  // The form field the message is about: the API names fields in backticks (`reason`, `duration`).
  field() {
    const m = /`([a-z_.]+)`/.exec(this.message);
    if (m) return m[1].replace(/^resource\./, 'resource');
    if (/duration|longer than|at most/i.test(this.message)) return 'duration';
    return null;
  }
}

async function call(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET') headers['X-CSRF-Token'] = state.csrf;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, {
    method, headers, credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 204) return null;
  let data = null;
  try { data = await res.json(); } catch (e) { data = null; }
  if (!res.ok) {
    const err = (data && data.error) || {};
    const e = new ApiError(res.status, err.code || 'internal', err.message || `The server answered ${res.status}.`);
    e.body = data;
    throw e;
  }
  return data;
}
const api = (method, path, body) => call(method, '/api/v1' + path, body);

function when(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

const stateLabels = {
  pending: 'Waiting for approval', approved: 'Approved', provisioning: 'Being granted', active: 'Active',
  denied: 'Denied', cancelled: 'Cancelled', expired: 'Expired', revoked: 'Revoked', failed: 'Failed',
};
const badge = (s) => h('span', { class: `badge state-${s}` }, stateLabels[s] || s);
const riskBadge = (r) => h('span', { class: `badge risk-${r}` }, `${r} risk`);

function targetName(p) {
  const t = p.target || {};
  if (t.type === 'resource') return `${t.display_name || t.id} (${t.kind} ${t.id})`;
  return t.name;
}

function show(...children) {
  const main = document.getElementById('main');
  main.replaceChildren(...children.flat());
  main.focus({ preventScroll: true });
}

function problem(e) {
  return h('p', { class: 'error', role: 'alert' }, e.message || String(e));
}

function go(path) {
  history.pushState({}, '', path);
  route();
}

// Links inside the pages move without reloading.
document.addEventListener('click', (ev) => {
  const a = ev.target.closest && ev.target.closest('a[href^="/"]');
  // Sign-in links leave the pages (to Slack and back); everything else moves within them.
  if (!a || ev.metaKey || ev.ctrlKey || ev.shiftKey || a.target || a.getAttribute('href').startsWith('/web/')) return;
  ev.preventDefault();
  go(a.getAttribute('href'));
});
window.addEventListener('popstate', route);

// A form whose errors are shown at their fields: `fields` maps a field name to its input.
function fieldError(form, e) {
  form.querySelectorAll('.field-error').forEach((x) => x.remove());
  form.querySelectorAll('[aria-invalid]').forEach((x) => x.removeAttribute('aria-invalid'));
  const name = e instanceof ApiError ? e.field() : null;
  const input = name && form.querySelector(`[name="${name}"]`);
  const id = `${name || 'form'}-error`;
  const msg = h('p', { class: 'error field-error', id, role: 'alert' }, e.message);
  if (input) {
    input.setAttribute('aria-invalid', 'true');
    input.setAttribute('aria-describedby', id);
    input.closest('.field').append(msg);
    input.focus();
  } else {
    form.prepend(msg);
  }
}

let fieldSeq = 0;
function field(label, name, control, hint) {
  control.id = control.id || `f-${name}-${++fieldSeq}`;
  control.name = name;
  return h('div', { class: 'field' }, h('label', { for: control.id }, label), hint ? h('p', { class: 'hint' }, hint) : null,
    control);
}

// ---- sign-in -----------------------------------------------------------------------------------------------

async function signInPage(options, why) {
  const parts = [h('h1', {}, 'Sign in to Checkpoint')];
  if (why) parts.push(h('p', { class: 'notice', role: 'status' }, why));
  if (options.slack) {
    parts.push(h('p', {}, h('a', { class: 'button', href: '/web/signin/slack' }, 'Sign in with Slack')));
  }
  if (options.trusted_header) {
    parts.push(h('p', {}, 'This server signs you in through your company\'s single sign-on. Open it through the ' +
      'SSO address your team uses.'));
  }
  if (options.dev) {
    const select = h('select', { required: true });
    try {
      const people = await call('GET', '/web/people');
      for (const p of people.items) select.append(h('option', { value: p.id }, `${p.name} (${p.id}, ${p.team})`));
    } catch (e) {
      parts.push(problem(e));
    }
    const form = h('form', { class: 'card', novalidate: true },
      h('p', { class: 'hint' }, 'Local trial (checkpointd --dev, on this machine only): sign in as anyone in the ' +
        'directory.'),
      field('Person', 'person', select),
      h('button', { type: 'submit' }, 'Sign in'));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      try {
        await call('POST', '/web/signin/dev', { person: select.value });
        await start();
      } catch (e) {
        fieldError(form, e);
      }
    });
    parts.push(form);
  }
  if (!options.dev && !options.trusted_header && !options.slack) {
    parts.push(h('p', {}, 'Sign-in to the web pages is not set up on this server. Ask your platform team, or use ' +
      '/checkpoint in Slack.'));
  }
  show(parts);
}

// ---- catalog -------------------------------------------------------------------------------------------------

function bundleCard(b) {
  const hist = b.history || {};
  const recent = (hist.recent || []).map((r) => h('li', {}, `${r.person} · ${r.duration} · ${stateLabels[r.state] || r.state} · ${when(r.at)}`));
  return h('article', { class: 'card bundle' },
    h('h2', {}, h('a', { href: `/request/${encodeURIComponent(b.name)}` }, b.title || b.name)),
    h('p', { class: 'meta' }, b.title && b.title !== b.name ? [h('code', {}, b.name), ' · '] : null, 'owned by ', b.owner_team, ' · ', riskBadge(b.risk),
      b.deprecated ? h('span', { class: 'badge deprecated' }, 'deprecated') : null),
    b.description ? h('p', {}, b.description) : null,
    h('p', {}, `Typical: ${hist.typical || b.default_duration} · at most ${b.max_duration}`),
    b.deprecated ? h('p', { class: 'approval' }, `Deprecated${b.successor ? `: request ${b.successor} instead` : ''}`) : h('p', { class: b.instant_for_you ? 'instant' : 'approval' },
      b.instant_for_you ? 'Instant for you at the default duration'
        : `Needs approval for you: ${(b.approvals_for_you || []).map((s) => `${s.step} (${s.reviewers.slice(0, 3).join(', ')}${s.reviewers.length > 3 ? ` and ${s.reviewers.length - 3} more` : ''})`).join(', then ') || 'ask the owners'}`),
    recent.length ? h('details', {}, h('summary', {}, 'Recent requests'), h('ul', {}, recent)) : null,
    h('p', {}, h('a', { class: 'button', href: `/request/${encodeURIComponent(b.name)}` }, 'Request access')));
}

async function catalogPage(params) {
  const q = params.get('q') || '';
  const search = h('input', { type: 'search', value: q, placeholder: 'production, staging, data…' });
  const form = h('form', { role: 'search', class: 'search' }, field('Search the catalog', 'q', search),
    h('button', { type: 'submit' }, 'Search'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    go(search.value ? `/?q=${encodeURIComponent(search.value)}` : '/');
  });
  const list = h('div', { class: 'cards' }, h('p', { class: 'loading' }, 'Loading…'));
  const found = h('div', {});
  show(h('h1', {}, 'Catalog'), form, found, list);
  try {
    const page = await api('GET', `/bundles?limit=200${q ? `&q=${encodeURIComponent(q)}` : ''}`);
    list.replaceChildren(...(page.items.length ? page.items.map(bundleCard)
      : [h('p', {}, `No bundle matches “${q}”.`)]));
  } catch (e) {
    list.replaceChildren(problem(e));
  }
  // One customer's data (or another resource) is asked for by name: searched, never listed whole.
  if (q) {
    try {
      const res = await api('GET', `/resources?q=${encodeURIComponent(q)}&limit=20`);
      if (res.items.length) {
        found.replaceChildren(h('h2', {}, 'Resources'), h('ul', { class: 'resources' }, res.items.map((r) => h('li', {},
          h('a', { href: `/request/${encodeURIComponent(`${r.kind}:${r.id}`)}` }, `${r.display_name || r.id}`),
          ` (${r.kind} ${r.id})`))));
      }
    } catch (e) {
      found.replaceChildren(problem(e));
    }
  }
}

// ---- the request form -----------------------------------------------------------------------------------------

async function requestPage(what) {
  const resource = what.includes(':') ? { kind: what.slice(0, what.indexOf(':')), id: what.slice(what.indexOf(':') + 1) } : null;
  let bundle = null;
  try {
    if (!resource) bundle = await api('GET', `/bundles/${encodeURIComponent(what)}`);
  } catch (e) {
    return show(h('h1', {}, 'Request access'), problem(e));
  }
  const durations = bundle ? bundle.durations : [];
  const duration = durations.length
    ? h('select', {}, durations.map((d) => h('option', { value: d, selected: d === bundle.default_duration }, d)))
    : h('input', { type: 'text', placeholder: 'e.g. 1d (empty: the default)' });
  const reason = h('textarea', { rows: 3, required: true, maxlength: 1000 });
  const ticket = h('input', { type: 'text', maxlength: 100, placeholder: 'PROJ-123' });
  const route = h('p', { class: 'hint', 'aria-live': 'polite' });
  const form = h('form', { class: 'card', novalidate: true },
    field('Duration', 'duration', duration),
    field('Reason', 'reason', reason, 'Reviewers and the audit log read it.'),
    field('Ticket (optional)', 'ticket', ticket),
    route,
    h('button', { type: 'submit' }, 'Request access'));
  const explain = async () => {
    if (!bundle) return;
    try {
      const x = await api('GET', `/explain?bundle=${encodeURIComponent(bundle.name)}&duration=${encodeURIComponent(duration.value)}`);
      route.textContent = x.outcome === 'auto_approved' ? `Instant: ${x.why}`
        : `Needs approval: ${(x.steps || []).map((s) => `${s.name} (${(s.reviewers || []).map((r) => r.name).join(', ')})`).join(', then ')}. ${x.why || ''}`;
    } catch (e) {
      route.textContent = e.message;
    }
  };
  duration.addEventListener('change', explain);
  explain();
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!reason.value.trim()) return fieldError(form, new ApiError(400, 'invalid_request', '`reason` is required: say why you need access; reviewers and the audit log read it.'));
    const body = { reason: reason.value };
    if (duration.value) body.duration = duration.value;
    if (ticket.value) body.ticket = ticket.value;
    if (resource) body.resource = resource; else body.bundle = bundle.name;
    try {
      const p = await api('POST', '/petitions', body);
      go(`/requests/${p.id}`);
    } catch (e) {
      fieldError(form, e);
    }
  });
  const title = bundle ? (bundle.title || bundle.name) : `${resource.kind} ${resource.id}`;
  show(h('h1', {}, `Request ${title}`),
    bundle ? h('p', { class: 'meta' }, 'Owned by ', bundle.owner_team, ' · ', riskBadge(bundle.risk), ` · at most ${bundle.max_duration}`) : null,
    bundle && bundle.entitlements ? h('ul', {}, bundle.entitlements.map((x) => h('li', {}, x))) : null,
    form);
}

// ---- one request ------------------------------------------------------------------------------------------------

function actionsFor(p, after) {
  const me = state.me.person.id;
  const out = [];
  const act = async (verb, body, form) => {
    try {
      await api('POST', `/petitions/${p.id}/${verb}`, body || {});
      await after();
    } catch (e) {
      if (form) fieldError(form, e); else alert(e.message);
    }
  };
  const waiting = (p.steps || []).find((s) => s.state === 'waiting');
  const mayReview = p.state === 'pending' && waiting && (waiting.reviewers || []).some((r) => r.id === me) &&
    p.requester.id !== me;
  if (mayReview) {
    const reason = h('textarea', { rows: 2, maxlength: 1000 });
    const form = h('form', { class: 'decide', novalidate: true }, field('Reason (required to deny)', 'reason', reason));
    form.append(h('div', { class: 'buttons' },
      h('button', { type: 'button', onclick: () => act('approve', reason.value ? { reason: reason.value } : {}, form) }, 'Approve'),
      h('button', { type: 'button', class: 'danger', onclick: () => {
        if (!reason.value.trim()) return fieldError(form, new ApiError(400, 'invalid_request', '`reason` is required to deny: the requester reads it.'));
        return act('deny', { reason: reason.value }, form);
      } }, 'Deny')));
    out.push(form);
  }
  if (p.requester.id === me && p.state === 'pending') {
    out.push(h('button', { type: 'button', onclick: () => act('cancel') }, 'Cancel request'));
  }
  if (p.requester.id === me && p.state === 'active') {
    const dur = h('input', { type: 'text', value: '1d', size: 6 });
    const form = h('form', { class: 'inline', novalidate: true }, field('Extend by', 'duration', dur));
    form.append(h('button', { type: 'button', onclick: () => act('extend', { duration: dur.value }, form) }, 'Extend'));
    out.push(form);
    out.push(h('button', { type: 'button', class: 'danger', onclick: () => act('revoke', { reason: 'no longer needed' }) }, 'Revoke now'));
  }
  return out;
}

async function petitionPage(id) {
  let p;
  try {
    p = await api('GET', `/petitions/${encodeURIComponent(id)}`);
  } catch (e) {
    return show(h('h1', {}, 'Request'), problem(e));
  }
  const steps = (p.steps || []).map((s) => h('li', { class: `step step-${s.state}` },
    h('strong', {}, s.name), ` (${s.kind}) — ${s.state}`,
    h('ul', {}, (s.reviewers || []).map((r) => h('li', {}, r.why && r.why.startsWith(r.name) ? r.why : `${r.name}${r.why ? `: ${r.why}` : ''}`)))));
  const decisions = (p.decisions || []).map((d) => h('li', {}, `${when(d.at)} — ${d.by ? d.by.name : ''} ${d.verdict}${d.reason ? `: “${d.reason}”` : ''}`));
  show(h('h1', {}, `${targetName(p)} for ${p.requester.name}`),
    h('p', {}, badge(p.state), ` · ${p.duration} · filed ${when(p.created_at)}`),
    p.reason ? h('p', {}, h('strong', {}, 'Reason: '), p.reason) : null,
    p.ticket ? h('p', {}, h('strong', {}, 'Ticket: '), p.ticket) : null,
    p.decision ? h('p', { class: 'hint' }, `Route: ${p.decision.why}`) : null,
    h('h2', {}, 'Steps'), steps.length ? h('ol', { class: 'timeline' }, steps) : h('p', {}, 'No approval needed.'),
    h('h2', {}, 'Decisions'), decisions.length ? h('ul', { class: 'timeline' }, decisions) : h('p', {}, 'None yet.'),
    h('h2', {}, 'Access'), h('p', {}, p.starts_at ? `From ${when(p.starts_at)} until ${when(p.ends_at)}` : 'Not granted yet.'),
    h('div', { class: 'actions' }, actionsFor(p, () => petitionPage(id))));
}

// ---- lists ---------------------------------------------------------------------------------------------------

function petitionRow(p, after) {
  return h('article', { class: 'card' },
    h('h2', {}, h('a', { href: `/requests/${p.id}` }, targetName(p))),
    h('p', { class: 'meta' }, badge(p.state), ` · ${p.requester.name} · ${p.duration} · ${when(p.created_at)}`),
    p.reason ? h('p', {}, p.reason) : null,
    p.ends_at && p.state === 'active' ? h('p', {}, `Until ${when(p.ends_at)}`) : null,
    after ? h('div', { class: 'actions' }, actionsFor(p, after)) : null);
}

async function minePage() {
  show(h('h1', {}, 'My access and requests'), h('p', { class: 'loading' }, 'Loading…'));
  try {
    const page = await api('GET', '/petitions?mine=true&limit=200');
    const active = page.items.filter((p) => ['active', 'approved', 'provisioning'].includes(p.state));
    const pending = page.items.filter((p) => p.state === 'pending');
    const past = page.items.filter((p) => !active.includes(p) && !pending.includes(p));
    show(h('h1', {}, 'My access and requests'),
      h('h2', {}, 'Access I hold'), active.length ? active.map((p) => petitionRow(p, minePage)) : h('p', {}, 'None right now.'),
      h('h2', {}, 'Waiting for approval'), pending.length ? pending.map((p) => petitionRow(p, minePage)) : h('p', {}, 'Nothing waiting.'),
      h('h2', {}, 'Earlier'), past.length ? past.slice(0, 50).map((p) => petitionRow(p)) : h('p', {}, 'Nothing yet.'));
  } catch (e) {
    show(h('h1', {}, 'My access and requests'), problem(e));
  }
}

async function approvalsPage() {
  show(h('h1', {}, 'Waiting on me'), h('p', { class: 'loading' }, 'Loading…'));
  try {
    const page = await api('GET', '/petitions?awaiting=me&limit=200');
    show(h('h1', {}, 'Waiting on me'),
      page.items.length ? page.items.map((p) => petitionRow(p, approvalsPage)) : h('p', {}, 'Nothing waits on you.'));
  } catch (e) {
    show(h('h1', {}, 'Waiting on me'), problem(e));
  }
}

async function logPage(params) {
  const inputs = {};
  const filters = [['person', 'Person'], ['bundle', 'Bundle'], ['from', 'From (YYYY-MM-DD)'], ['until', 'Until (YYYY-MM-DD)']];
  const form = h('form', { class: 'filters', novalidate: true });
  for (const [name, label] of filters) {
    inputs[name] = h('input', { type: 'text', value: params.get(name) || '' });
    form.append(field(label, name, inputs[name]));
  }
  inputs.state = h('select', {}, h('option', { value: '' }, 'any'),
    Object.keys(stateLabels).map((s) => h('option', { value: s, selected: params.get('state') === s }, stateLabels[s])));
  form.append(field('State', 'state', inputs.state), h('button', { type: 'submit' }, 'Filter'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const q = new URLSearchParams();
    for (const [k, el] of Object.entries(inputs)) if (el.value) q.set(k, el.value);
    go(`/log?${q}`);
  });
  const list = h('div', {}, h('p', { class: 'loading' }, 'Loading…'));
  show(h('h1', {}, 'Request log'), form, list);
  const q = new URLSearchParams();
  for (const k of ['person', 'bundle', 'state', 'from', 'until', 'cursor']) if (params.get(k)) q.set(k, params.get(k));
  q.set('limit', '50');
  try {
    const page = await api('GET', `/petitions?${q}`);
    const rows = page.items.map((p) => h('tr', {},
      h('td', {}, when(p.created_at)), h('td', {}, p.requester.name),
      h('td', {}, h('a', { href: `/requests/${p.id}` }, targetName(p))), h('td', {}, p.duration), h('td', {}, badge(p.state))));
    const next = new URLSearchParams(params);
    if (page.next_cursor) next.set('cursor', page.next_cursor);
    list.replaceChildren(
      rows.length ? h('div', { class: 'scroll' }, h('table', {}, h('thead', {}, h('tr', {}, ['When', 'Who', 'What', 'For', 'State'].map((x) => h('th', { scope: 'col' }, x)))), h('tbody', {}, rows)))
        : h('p', {}, 'No requests match.'),
      page.next_cursor ? h('p', {}, h('a', { href: `/log?${next}` }, 'Next page')) : null);
  } catch (e) {
    fieldError(form, e);
    list.replaceChildren();
  }
}

// ---- for auditors -----------------------------------------------------------------------------------------------

const reports = [
  ['access-during', 'Who had access (to a bundle, or to any critical bundle) during a period'],
  ['time-to-access', 'Time from request to access'],
  ['time-to-decision', 'Time from request to the reviewers\' decision'],
  ['bypassed-approval', 'Break-glass and overrides'],
  ['duration-by-bundle', 'Requested duration by bundle'],
  ['never-requested', 'Bundles never requested'],
  ['auto-approval-rate', 'Auto-approval rate'],
  ['long-lived-grants', 'Long-lived grants'],
  ['access-denied', 'Failed access attempts'],
];

function table(rows) {
  if (!rows.length) return h('p', {}, 'No rows.');
  const cols = Object.keys(rows[0]);
  const cell = (v) => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  return h('div', { class: 'scroll' }, h('table', {},
    h('thead', {}, h('tr', {}, cols.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, rows.map((r) => h('tr', {}, cols.map((c) => h('td', {}, cell(r[c]))))))));
}

async function auditPage(params) {
  if (!state.me.auditor) {
    return show(h('h1', {}, 'Audit'), h('p', {}, 'The audit pages are for the auditors checkpoint.yaml names. Ask the ' +
      'platform team if you need them.'));
  }
  const chain = h('div', { 'aria-live': 'polite' }, h('p', { class: 'loading' }, 'Checking the audit chain…'));
  const name = params.get('report') || 'access-during';
  const select = h('select', {}, reports.map(([n, label]) => h('option', { value: n, selected: n === name }, label)));
  const inputs = {
    from: h('input', { type: 'text', value: params.get('from') || '', placeholder: 'YYYY-MM-DD' }),
    until: h('input', { type: 'text', value: params.get('until') || '', placeholder: 'YYYY-MM-DD' }),
    bundle: h('input', { type: 'text', value: params.get('bundle') || '', placeholder: 'any critical bundle' }),
  };
  const form = h('form', { class: 'filters', novalidate: true }, field('Report', 'report', select),
    field('From', 'from', inputs.from), field('Until', 'until', inputs.until), field('Bundle', 'bundle', inputs.bundle),
    h('button', { type: 'submit' }, 'Run'));
  const q = () => {
    const out = new URLSearchParams();
    for (const [k, el] of Object.entries(inputs)) if (el.value) out.set(k, el.value);
    return out;
  };
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const next = q();
    next.set('report', select.value);
    go(`/audit?${next}`);
  });
  const result = h('div', {});
  const events = h('div', {});
  show(h('h1', {}, 'Audit'), h('h2', {}, 'Audit chain'), chain, h('h2', {}, 'Reports'), form, result,
    h('h2', {}, 'Audit events'), events);
  try {
    const v = await api('GET', '/audit/verify');
    chain.replaceChildren(v.ok
      ? h('p', { class: 'instant' }, `Intact: ${v.events} events, every hash${v.keyed ? ' and keyed hash' : ''} checks out.`)
      : h('p', { class: 'error' }, `Broken at event ${v.first_bad}: ${v.problem}`));
  } catch (e) {
    chain.replaceChildren(problem(e));
  }
  if (params.get('report')) {
    const query = q();
    try {
      const r = await api('GET', `/reports/${encodeURIComponent(name)}?${query}`);
      query.set('format', 'csv');
      result.replaceChildren(
        h('p', {}, `${r.from || ''} – ${r.until || ''} `,
          h('a', { href: `/api/v1/reports/${encodeURIComponent(name)}?${query}`, download: `${name}.csv` }, 'Download CSV')),
        r.summary ? h('p', { class: 'hint' }, Object.entries(r.summary).map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : v}`).join(' · ')) : null,
        table(r.rows || []));
    } catch (e) {
      fieldError(form, e);
    }
  }
  try {
    const page = await api('GET', '/audit?limit=25');
    events.replaceChildren(table(page.items.map((e) => ({ seq: e.seq, at: when(e.at), actor: e.actor, action: e.action, request: e.petition || '', why: e.why || '' }))));
  } catch (e) {
    events.replaceChildren(problem(e));
  }
}

// ---- the frame -------------------------------------------------------------------------------------------------

async function route() {
  const path = location.pathname;
  const params = new URLSearchParams(location.search);
  document.querySelectorAll('#nav a').forEach((a) => {
    if (a.getAttribute('href') === path) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  });
  if (path === '/' || path === '/catalog') return catalogPage(params);
  if (path.startsWith('/request/')) return requestPage(decodeURIComponent(path.slice('/request/'.length)));
  if (path.startsWith('/requests/')) return petitionPage(decodeURIComponent(path.slice('/requests/'.length)));
  if (path === '/mine') return minePage();
  if (path === '/approvals') return approvalsPage();
  if (path === '/log') return logPage(params);
  if (path === '/audit') return auditPage(params);
  if (path === '/signin') return go('/');
  return show(h('h1', {}, 'Not found'), h('p', {}, 'There is no such page. '), h('a', { href: '/' }, 'Back to the catalog'));
}

async function start() {
  let session;
  try {
    session = await call('GET', '/web/session');
  } catch (e) {
    document.getElementById('nav').hidden = true;
    document.getElementById('who').hidden = true;
    // Back from a sign-in that did not work (Slack's, say): the server says why in the address.
    const failed = new URLSearchParams(location.search).get('signin_error');
    // Not signed in yet is the usual case, not news; anything else (an expired session, a refusal) is said.
    return signInPage((e.body && e.body.sign_in) || {}, failed || (e.message === 'You are not signed in.' ? '' : e.message));
  }
  if (new URLSearchParams(location.search).has('signin_error')) history.replaceState({}, '', '/');
  state.me = session;
  state.csrf = session.csrf;
  document.getElementById('nav').hidden = false;
  document.getElementById('who').hidden = false;
  document.getElementById('who-name').textContent = `${session.person.name} (${session.person.id})`;
  document.getElementById('nav-audit').hidden = !session.auditor;
  route();
}

document.getElementById('signout').addEventListener('click', async () => {
  try {
    await call('POST', '/web/signout');
  } finally {
    state.me = null;
    start();
  }
});

start();
