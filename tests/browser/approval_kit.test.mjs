// The approval kit (clients/js/approval.js) and its example admin portal against the real checkpointd: a support
// console asks for one customer's data on a staff member's behalf with a service token; the reviewers Checkpoint
// routes it to approve (or deny) through the API; the portal hears granted, denied, or still waiting.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { approval, ApprovalError } from '../../clients/js/approval.js';
import { createPortal } from '../../clients/js/examples/admin-portal.mjs';
import { startCheckpoint } from './harness.mjs';

let checkpoint;
let portalToken;
let readToken;
const reviewerTokens = new Map();

async function api(method, path, token, body) {
  const res = await fetch(`${checkpoint.base}/api/v1${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json().catch(() => null) };
}

// Waits until Sam has a pending request for `customer` (looking every 20 ms, as the C++ tests' eventually() does),
// then returns it.
async function pendingFor(customer) {
  for (;;) {
    const page = await api('GET', '/petitions?person=u-6001&state=pending', readToken);
    const found = page.status === 200 && page.body.items.find((p) => p.target.id === customer);
    if (found) return (await api('GET', `/petitions/${found.id}`, readToken)).body;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// Decides every waiting step of `petition` as one of its reviewers, until it leaves pending.
async function decide(petition, verdict, reason) {
  let p = petition;
  while (p.state === 'pending') {
    const step = p.steps.find((s) => s.state === 'waiting');
    const reviewer = step.reviewers[0].id;
    if (!reviewerTokens.has(reviewer)) reviewerTokens.set(reviewer, checkpoint.mint(`review-${reviewer}`, 'review', reviewer));
    const r = await api('POST', `/petitions/${p.id}/${verdict}`, reviewerTokens.get(reviewer), { reason });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    p = r.body;
  }
  return p;
}

before(async () => {
  checkpoint = await startCheckpoint();
  portalToken = checkpoint.mint('support-console', 'requests');
  readToken = checkpoint.mint('kit-test-reader', 'audit:read');
  const loader = checkpoint.mint('kit-test-loader', 'resources:write');
  const up = await api('PUT', '/resources', loader, {
    resources: [{ kind: 'customer', id: '123', displayName: 'Acme' }, { kind: 'customer', id: '456', displayName: 'Globex' }],
  });
  assert.equal(up.status, 200, JSON.stringify(up.body));
});

after(async () => {
  if (checkpoint) await checkpoint.stop();
});

test('the example portal asks for a customer on a staff member\'s behalf and hears granted, then denied', async () => {
  const portal = createPortal({ baseUrl: checkpoint.base, token: portalToken, timeoutSeconds: 60 });
  await new Promise((resolve) => portal.listen(0, '127.0.0.1', resolve));
  const at = `http://127.0.0.1:${portal.address().port}`;
  try {
    const page = await (await fetch(`${at}/`)).text();
    assert.match(page, /Ask for access/);
    const ask = (customer) => fetch(`${at}/ask`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: 'sam@example.com', customer, reason: 'SUP-42: invoices look wrong' }),
    }).then((r) => r.json());

    const granted = ask('123');
    const approved = await decide(await pendingFor('123'), 'approve', 'go ahead');
    assert.notEqual(approved.state, 'pending');
    const answer = await granted;
    assert.equal(answer.granted, true, JSON.stringify(answer));
    assert.ok(answer.until);

    const refused = ask('456');
    await decide(await pendingFor('456'), 'deny', 'use the redacted export instead');
    const no = await refused;
    assert.equal(no.granted, false);
    assert.equal(no.kind, 'denied');
    assert.match(no.message, /use the redacted export instead/);
  } finally {
    portal.close();
  }
});

test('approval() says waiting when no one decides in time, and error when Checkpoint refuses the request', async () => {
  // api-production for a week needs its owners' approval, and no one gives it.
  await assert.rejects(
    approval({ petitioners: [{ id: 'u-6001' }], resources: [{ kind: 'bundle', id: 'api-production' }], reason: 'debugging p99 latency', duration: '7d' },
      { baseUrl: checkpoint.base, token: portalToken, timeoutSeconds: 1 }),
    (e) => e instanceof ApprovalError && e.kind === 'waiting' && e.petitions.length === 1 && e.petitions[0].state === 'pending');
  // A bundle granted at once for Sam (data-warehouse for a day is automatic) resolves with the active grant.
  const instant = await approval({ petitioners: [{ email: 'sam@example.com' }], resources: [{ kind: 'bundle', id: 'data-warehouse' }], reason: 'quarterly numbers', duration: '1d' },
    { baseUrl: checkpoint.base, token: portalToken, timeoutSeconds: 30 });
  assert.equal(instant.length, 1);
  assert.equal(instant[0].state, 'active');
  await assert.rejects(
    approval({ petitioners: [{ id: 'u-6001' }], resources: [{ kind: 'customer', id: 'no-such-customer' }], reason: 'x marks the spot' },
      { baseUrl: checkpoint.base, token: portalToken }),
    (e) => e instanceof ApprovalError && e.kind === 'error' && e.status >= 400 && e.status < 500 && e.message.length > 10);
  await assert.rejects(approval({ resources: [], reason: 'r' }, { baseUrl: checkpoint.base, token: portalToken }),
    (e) => e.kind === 'error' && /resources/.test(e.message));
  await assert.rejects(approval({ resources: [{ kind: 'customer', id: '123' }], reason: ' ' }, { baseUrl: checkpoint.base, token: portalToken }),
    (e) => e.kind === 'error' && /reason/.test(e.message));
});
