// An admin portal that asks Checkpoint for one customer's data on a staff member's behalf and waits for the answer,
// the way Indent's approval kit is used. The portal holds a Checkpoint service token (scope `requests`) on its
// server; the browser only talks to the portal.
//
//   CHECKPOINT_URL=https://access.example.com CHECKPOINT_TOKEN=cpt_… node clients/js/examples/admin-portal.mjs
//   (then open http://localhost:4000/, or PORT=…)
import http from 'node:http';
import { approval } from '../approval.js';

const page = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Support console</title><script src="/portal.js" defer></script></head>
<body><main><h1>Support console</h1>
<form id="ask"><p><label for="email">Your email</label><br><input id="email" name="email" type="email" required></p>
<p><label for="customer">Customer id</label><br><input id="customer" name="customer" required></p>
<p><label for="reason">Why</label><br><textarea id="reason" name="reason" required></textarea></p>
<button type="submit">Ask for access</button></form>
<p id="answer" role="status" aria-live="polite"></p></main></body></html>`;

const script = `document.getElementById('ask').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const out = document.getElementById('answer');
  out.textContent = 'Waiting for approval…';
  const form = new FormData(ev.target);
  const r = await fetch('/ask', { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(Object.fromEntries(form)) });
  const a = await r.json();
  out.textContent = a.granted ? 'Access granted until ' + a.until + '.' : a.message;
});`;

// The portal as an http.Server (not yet listening), asking Checkpoint at `baseUrl` with `token`.
export function createPortal({ baseUrl, token, timeoutSeconds = 120, duration = '4h' }) {
  return http.createServer(async (req, res) => {
    const send = (status, type, body) => {
      res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
      res.end(body);
    };
    if (req.method === 'GET' && req.url === '/') return send(200, 'text/html; charset=utf-8', page);
    if (req.method === 'GET' && req.url === '/portal.js') return send(200, 'text/javascript; charset=utf-8', script);
    if (req.method !== 'POST' || req.url !== '/ask') return send(404, 'text/plain', 'not found');
    let raw = '';
    for await (const chunk of req) {
      raw += chunk;
      if (raw.length > 16 * 1024) return send(413, 'text/plain', 'too large');
    }
    let ask;
    try {
      ask = JSON.parse(raw);
    } catch (e) {
      return send(400, 'application/json', JSON.stringify({ granted: false, kind: 'error', message: 'The body must be JSON.' }));
    }
    try {
      const granted = await approval({
        petitioners: [{ email: String(ask.email || '') }],
        resources: [{ kind: 'customer', id: String(ask.customer || '') }],
        reason: String(ask.reason || ''),
        duration,
      }, { baseUrl, token, timeoutSeconds });
      return send(200, 'application/json', JSON.stringify({ granted: true, until: granted[0].ends_at, petitions: granted.map((p) => p.id) }));
    } catch (e) {
      return send(200, 'application/json', JSON.stringify({ granted: false, kind: e.kind || 'error', message: e.message, petitions: (e.petitions || []).map((p) => p.id) }));
    }
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const portal = createPortal({ baseUrl: process.env.CHECKPOINT_URL, token: process.env.CHECKPOINT_TOKEN });
  portal.listen(Number(process.env.PORT || 4000), () => console.log(`support console on http://localhost:${portal.address().port}/`));
}
