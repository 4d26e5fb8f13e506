// Checkpoint's approval kit: ask for access from your own tool (an admin portal, a script) and wait for the answer,
// in the spirit of Indent's @indent/approvals. Built on Checkpoint's REST API (docs/api.md): POST /api/v1/petitions
// files each request, GET /api/v1/petitions/{id}/wait long-polls it. No dependencies; runs in browsers and in
// Node.js 18+ (global fetch).
//
//   import { approval } from './approval.js';
//   await approval({
//     petitioners: [{ email: 'sam@example.com' }],
//     resources: [{ kind: 'customer', id: '123', displayName: 'Acme' }],
//     reason: 'Ticket SUP-42: the customer asked us to look at their invoices',
//     duration: '4h',
//   }, { baseUrl: 'https://access.example.com', token: process.env.CHECKPOINT_TOKEN });
//
// It resolves, with the petitions as the API returns them, once every request is granted (active). It rejects with
// an ApprovalError whose `kind` says why:
//   'waiting' — not decided within `timeoutSeconds` (the requests stand; `petitions` lists them, to wait on later);
//   'denied'  — a reviewer denied one (or it was cancelled or revoked before it was granted);
//   'error'   — Checkpoint refused the request or could not be reached (`status` and `code` as the API says).

const settled = new Set(['active', 'denied', 'cancelled', 'expired', 'revoked', 'failed']);

export class ApprovalError extends Error {
  constructor(kind, message, { petitions = [], status = 0, code = '' } = {}) {
    super(message);
    this.name = 'ApprovalError';
    this.kind = kind;
    this.petitions = petitions;
    this.status = status;
    this.code = code;
  }
}

// What one resource becomes in POST /petitions: a bundle by name, or one resource of a kind.
function targetOf(resource) {
  if (!resource || typeof resource !== 'object') throw new ApprovalError('error', 'Each resource must be an object such as { kind: "customer", id: "123" }.');
  if (resource.kind === 'bundle') return { bundle: String(resource.id || resource.name || '') };
  if (!resource.kind || !resource.id) throw new ApprovalError('error', 'Each resource needs a kind and an id (or kind "bundle" and the bundle\'s name as id).');
  return { resource: { kind: String(resource.kind), id: String(resource.id) } };
}

function whoOf(petitioner) {
  if (typeof petitioner === 'string') return petitioner;
  return petitioner && (petitioner.id || petitioner.email || petitioner.externalId);
}

function client({ baseUrl = '', token, fetch: fetchImpl = globalThis.fetch, csrf } = {}) {
  if (!fetchImpl) throw new ApprovalError('error', 'No fetch: pass options.fetch (Node.js 18+ and browsers have one).');
  return async (method, path, body, signal) => {
    const headers = { Accept: 'application/json' };
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    // In a page of Checkpoint's own origin, signed in: the session's cookie, and its CSRF token on every change.
    if (!token && method !== 'GET' && csrf) headers['X-CSRF-Token'] = csrf;
    let res;
    try {
      res = await fetchImpl(`${baseUrl}/api/v1${path}`, {
        method, headers, signal, credentials: token ? 'omit' : 'same-origin',
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      if (e && e.name === 'AbortError') throw e;
      throw new ApprovalError('error', `Checkpoint could not be reached: ${e && e.message ? e.message : e}`);
    }
    let data = null;
    try { data = await res.json(); } catch (e) { data = null; }
    if (!res.ok) {
      const err = (data && data.error) || {};
      throw new ApprovalError('error', err.message || `Checkpoint answered ${res.status}.`, { status: res.status, code: err.code || '' });
    }
    return data;
  };
}

// Files one request per petitioner and resource, then waits until each is granted or settled otherwise.
export async function approval(request, options = {}) {
  const { petitioners = [], resources = [], reason = '', duration, ticket } = request || {};
  if (!Array.isArray(resources) || resources.length === 0) throw new ApprovalError('error', 'resources: name at least one resource to ask for.');
  if (!reason || !String(reason).trim()) throw new ApprovalError('error', 'reason: say why access is needed; reviewers and the audit log read it.');
  const call = client(options);
  const timeoutSeconds = options.timeoutSeconds ?? 300;
  const deadline = Date.now() + timeoutSeconds * 1000;
  // With a person's token or a browser session, requests are filed for that person; with a service token (scope
  // requests), for each petitioner.
  const who = petitioners.length ? petitioners.map(whoOf) : [undefined];
  let filed = [];
  for (const person of who) {
    for (const resource of resources) {
      const body = { ...targetOf(resource), reason: String(reason) };
      if (duration) body.duration = String(duration);
      if (ticket) body.ticket = String(ticket);
      if (person && options.token && options.onBehalf !== false) body.requester = String(person);
      filed.push(await call('POST', '/petitions', body, options.signal));
    }
  }
  // Long polls, each up to 30 s, until every request has settled or the time is up.
  while (filed.some((p) => !settled.has(p.state))) {
    const left = Math.floor((deadline - Date.now()) / 1000);
    if (left < 1) {
      throw new ApprovalError('waiting', `Still waiting for approval after ${timeoutSeconds} s: ${filed.filter((p) => !settled.has(p.state)).map((p) => p.id).join(', ')}.`, { petitions: filed });
    }
    filed = await Promise.all(filed.map((p) => (settled.has(p.state) ? p
      : call('GET', `/petitions/${encodeURIComponent(p.id)}/wait?timeout=${Math.min(30, left)}`, undefined, options.signal))));
  }
  const refused = filed.find((p) => p.state !== 'active');
  if (refused) {
    const denial = (refused.decisions || []).find((d) => d.verdict === 'deny');
    const kind = ['denied', 'cancelled', 'revoked'].includes(refused.state) ? 'denied' : 'error';
    const why = denial && denial.reason ? `: ${denial.reason}` : '';
    throw new ApprovalError(kind, `Request ${refused.id} was ${refused.state}${why}.`, { petitions: filed });
  }
  return filed;
}
