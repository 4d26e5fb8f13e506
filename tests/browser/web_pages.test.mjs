// Checkpoint's web pages in a real browser: Debian's chromium, driven by puppeteer-core, against the real
// checkpointd (CHECKPOINTD) on loopback with the example manifests moved to today (WRITE_MANIFESTS) and the fake
// Slack (FAKE_SLACK). People in browser contexts of their own: a requester who signs in with Slack (OpenID
// Connect through the fake Slack's authorize page), a reviewer and an auditor signed in through the trusted header
// an SSO proxy would set, and a colleague who uses the --dev picker. Every page is checked with axe-core and at 375 px, and screenshotted to
// SCREENSHOTS. Nothing here waits a fixed time: each step waits for what the page shows.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';
import { startCheckpoint } from './harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const axeSource = readFileSync(join(here, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
const shots = process.env.SCREENSHOTS || join(here, 'screenshots');
mkdirSync(shots, { recursive: true });

let checkpoint;
let base;
let browser;
const axeResults = [];

before(async () => {
  checkpoint = await startCheckpoint({
    args: ['--dev'],
    slackUsers: ['U01KOFI,kofi@example.com,Kofi Mensah', 'U01NINA,nina@example.com,Nina Alvarez'],
    // The reviewer and the auditor arrive through "the SSO proxy": this machine.
    env: { CHECKPOINT_WEB_TRUSTED_HEADER: 'X-Forwarded-Email', CHECKPOINT_WEB_TRUSTED_PROXIES: '127.0.0.1' },
  });
  base = checkpoint.base;
  browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
});

after(async () => {
  if (browser) await browser.close();
  if (checkpoint) await checkpoint.stop();
  console.log(`axe: ${axeResults.map((r) => `${r.page}: ${r.serious} serious/critical, ${r.minor} minor`).join('; ')}`);
});

// A page in its own browser context (its own cookies), with every CSP violation and script error collected.
async function person(extraHeaders) {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  page.problems = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content Security Policy|Refused to/.test(msg.text())) page.problems.push(msg.text());
  });
  page.on('pageerror', (err) => page.problems.push(String(err)));
  if (extraHeaders) await page.setExtraHTTPHeaders(extraHeaders);
  await page.setViewport({ width: 1200, height: 900 });
  return { context, page };
}

const text = (page) => page.evaluate(() => document.querySelector('main').innerText);

async function waitForText(page, needle, timeout = 15000) {
  await page.waitForFunction((n) => document.querySelector('main') && document.querySelector('main').innerText.includes(n),
    { timeout }, needle);
}

// axe-core on the page as it is (evaluated through DevTools, which the page's CSP does not govern), then the page
// at 375 px: nothing may be wider than the screen. A screenshot of each.
async function check(page, name) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) }));
  });
  const serious = result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  axeResults.push({ page: name, serious: serious.length, minor: result.length - serious.length });
  assert.deepEqual(serious, [], `${name}: axe found serious or critical violations`);
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  await page.setViewport({ width: 375, height: 800 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  await page.screenshot({ path: join(shots, `${name}-375.png`), fullPage: true });
  await page.setViewport({ width: 1200, height: 900 });
  assert.ok(overflow <= 0, `${name}: ${overflow} px wider than a 375 px screen`);
  assert.deepEqual(page.problems, [], `${name}: the page logged CSP violations or script errors`);
}

// On a failure, what each browser showed and what the servers said, so a failure in CI can be read.
const open = [];
async function explainFailure(err) {
  for (const [name, p] of open) {
    let shown = '';
    try {
      shown = await p.evaluate(() => document.body.innerText);
      await p.screenshot({ path: join(shots, `failed-${name}.png`), fullPage: true });
    } catch (e) {
      shown = `(could not read the page: ${e.message})`;
    }
    console.error(`--- ${name} at ${p.url()}:\n${shown.slice(0, 2000)}`);
  }
  console.error(`--- checkpointd:\n${checkpoint.log().slice(-6000)}`);
  throw err;
}

test('a requester signs in, browses the catalog and files a request; a reviewer approves it', async () => {
  try {
    await story();
  } catch (err) {
    await explainFailure(err);
  }
});

async function story() {
  const kofi = await person();
  const page = kofi.page;
  open.push(['kofi', page]);

  // Signed out: the sign-in page offers Sign in with Slack, and the --dev picker (this browser is on loopback).
  await page.goto(`${base}/`);
  await page.waitForSelector('form select[name="person"]');
  await page.waitForSelector('a[href="/web/signin/slack"]');
  assert.equal(await page.$eval('#nav', (n) => getComputedStyle(n).display), 'none');
  assert.equal(await page.$eval('#signout', (n) => n.offsetParent), null);
  await check(page, 'signin');
  // Sign in with Slack: off to (the fake) Slack, pick the account there, and back, signed in.
  await Promise.all([page.waitForNavigation(), page.click('a[href="/web/signin/slack"]')]);
  await page.waitForSelector('select[name="user"]');
  await page.select('select[name="user"]', 'U01KOFI');
  await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
  await waitForText(page, 'Catalog');
  assert.equal(new URL(page.url()).origin, base);
  await page.waitForSelector('article.bundle');
  assert.match(await page.$eval('#who-name', (e) => e.textContent), /Kofi Mensah/);
  await check(page, 'catalog');

  // Search narrows the catalog, as /checkpoint catalog does.
  await page.type('input[name="q"]', 'production');
  await page.click('form[role="search"] button');
  await page.waitForFunction(() => location.search.includes('q=production'));
  await page.waitForSelector('article.bundle');
  const titles = await page.$$eval('article.bundle h2', (els) => els.map((e) => e.textContent));
  assert.ok(titles.includes('api-production'), `search shows api-production: ${titles}`);
  assert.ok(!titles.includes('api-staging'), `search leaves out api-staging: ${titles}`);

  // The request form: a missing reason is shown at its field; then the request is filed.
  await page.click('a[href="/request/api-production"].button');
  await page.waitForSelector('select[name="duration"]');
  await page.waitForFunction(() => document.querySelector('main p.hint[aria-live]').textContent.length > 0);
  await check(page, 'request-form');
  await page.select('select[name="duration"]', '7d');
  await page.click('main form button[type="submit"]');
  await page.waitForSelector('textarea[name="reason"][aria-invalid="true"]');
  const fieldError = await page.$eval('textarea[name="reason"]', (t) => t.closest('.field').querySelector('.field-error').textContent);
  assert.match(fieldError, /reason/);
  await check(page, 'request-form-error');
  await page.type('textarea[name="reason"]', 'debugging p99 latency');
  await page.type('input[name="ticket"]', 'OPS-42');
  await page.click('main form button[type="submit"]');
  await page.waitForFunction(() => location.pathname.startsWith('/requests/p-'));
  await waitForText(page, 'Waiting for approval');
  const id = await page.evaluate(() => location.pathname.slice('/requests/'.length));
  assert.match(await text(page), /debugging p99 latency/);
  await check(page, 'request-page');

  // A forged CSRF token (what another site's page could send with the cookie) gets 403 and files nothing.
  const forged = await page.evaluate(async () => {
    const r = await fetch('/api/v1/petitions', {
      method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': 'csrf_forged' },
      body: JSON.stringify({ bundle: 'api-staging', duration: '1d', reason: 'forged' }),
    });
    return r.status;
  });
  assert.equal(forged, 403);

  // My requests shows it, with Cancel.
  await page.goto(`${base}/mine`);
  await waitForText(page, 'Waiting for approval');
  assert.ok((await page.$$('main button')).length > 0);
  assert.doesNotMatch(await text(page), /forged/);
  await check(page, 'mine');

  // Who the request waits on, as the API says.
  const reviewer = await page.evaluate(async (pid) => {
    const p = await (await fetch(`/api/v1/petitions/${pid}`)).json();
    return p.steps.find((s) => s.state === 'waiting').reviewers[0].id;
  }, id);

  // Someone who is not a reviewer (signed in with the --dev picker) cannot approve it: a clear refusal, and nothing
  // changes.
  const eve = await person();
  open.push(['eve', eve.page]);
  await eve.page.goto(`${base}/approvals`);
  await eve.page.waitForSelector('form select[name="person"]');
  await eve.page.select('select[name="person"]', 'u-4002');
  await eve.page.click('form button[type="submit"]');
  // Signed in once the page names her (the element is there, empty, before).
  await eve.page.waitForFunction(() => document.getElementById('who-name').textContent.includes('Eve Moreau'));
  await waitForText(eve.page, 'Nothing waits on you');
  const refused = await eve.page.evaluate(async (pid) => {
    const s = await (await fetch('/web/session')).json();
    const r = await fetch(`/api/v1/petitions/${pid}/approve`, {
      method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf }, body: '{}',
    });
    return { status: r.status, body: await r.json() };
  }, id);
  assert.ok([404, 422].includes(refused.status), `non-reviewer approve answered ${refused.status}`);
  assert.ok(refused.body.error.message.length > 10);

  // The reviewer, through the SSO proxy, in a second browser context: the approval waits on them; they approve.
  const rev = await person({ 'X-Forwarded-Email': reviewer });
  open.push(['reviewer', rev.page]);
  await rev.page.goto(`${base}/approvals`);
  await rev.page.waitForSelector(`a[href="/requests/${id}"]`);
  await check(rev.page, 'approvals');
  await rev.page.type('main textarea[name="reason"]', 'looks right');
  const approve = await rev.page.$$('main button');
  await approve[0].click();
  await rev.page.waitForFunction((pid) => !document.querySelector(`a[href="/requests/${pid}"]`), {}, id);

  // The requester sees the state change on the request's page.
  await page.goto(`${base}/requests/${id}`);
  await waitForText(page, 'looks right');
  const shown = await text(page);
  assert.match(shown, /approve: “looks right”/);
  assert.match(shown, / — approved/);

  // The public request log lists it.
  await page.goto(`${base}/log?bundle=api-production`);
  await page.waitForSelector(`main table a[href="/requests/${id}"]`);
  await check(page, 'log');

  // One customer's data: found by the catalog's search, asked for with the same form.
  const loader = checkpoint.mint('web-test-loader', 'resources:write');
  const up = await fetch(`${base}/api/v1/resources`, {
    method: 'PUT', headers: { Authorization: `Bearer ${loader}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ resources: [{ kind: 'customer', id: '123', displayName: 'Acme Corp' }] }),
  });
  assert.equal(up.status, 200);
  await page.goto(`${base}/?q=acme`);
  await page.waitForSelector('main ul.resources a');
  await Promise.all([page.waitForSelector('main form textarea[name="reason"]'), page.click('main ul.resources a')]);
  await page.type('main input[name="duration"]', '1d');
  await page.type('main textarea[name="reason"]', 'SUP-42: their invoices look wrong');
  await page.click('main form button[type="submit"]');
  await page.waitForFunction(() => location.pathname.startsWith('/requests/p-'));
  await waitForText(page, 'Acme Corp');
  await waitForText(page, 'Waiting for approval');

  // An auditor (the platform team, in the examples) checks the audit chain and runs a report, with a CSV link.
  assert.equal(await page.$eval('#nav-audit', (a) => a.hidden), true);
  const paula = await person({ 'X-Forwarded-Email': 'paula@example.com' });
  open.push(['auditor', paula.page]);
  await paula.page.goto(`${base}/audit?report=access-during&bundle=api-production`);
  await waitForText(paula.page, 'Intact:');
  await paula.page.waitForSelector('main a[download="access-during.csv"]');
  await paula.page.waitForSelector('main table');
  assert.equal(await paula.page.$eval('#nav-audit', (a) => a.hidden), false);
  const csv = await paula.page.evaluate(async () => {
    const a = document.querySelector('main a[download]');
    const r = await fetch(a.href);
    return { type: r.headers.get('content-type'), text: await r.text() };
  });
  assert.match(csv.type, /text\/csv/);
  assert.ok(csv.text.split('\n')[0].length > 0, 'the CSV has a header row');
  await check(paula.page, 'audit');

  // Signing out ends the session: the sign-in page again.
  await page.goto(`${base}/`);
  await page.waitForSelector('#signout');
  await page.click('#signout');
  await page.waitForSelector('a[href="/web/signin/slack"]');
  const after = await page.evaluate(async () => (await fetch('/api/v1/me')).status);
  assert.equal(after, 401);

  for (const p of [kofi, eve, rev, paula]) await p.context.close();
}
