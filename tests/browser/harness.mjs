// The real checkpointd (CHECKPOINTD) and the fake Slack (FAKE_SLACK) on loopback, for the tests in this folder:
// the example manifests moved to today (WRITE_MANIFESTS), a database of its own, and its log kept for failures.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// A process that prints what it is at start: resolves once `ready` matches its output.
function start(command, args, env, ready) {
  const child = spawn(command, args, { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const matched = new Promise((resolve, reject) => {
    const onData = (chunk) => {
      out += chunk.toString();
      const m = ready.exec(out);
      if (m) resolve(m);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`${command} exited with ${code}:\n${out}`)));
  });
  return { child, matched, output: () => out };
}

async function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.on('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

// Starts the fake Slack with `slackUsers` ("ID,EMAIL,NAME") and checkpointd (with `args` and `env` added) against
// it. Resolves with { base, db, log(), mint(name, scopes, person), stop() }.
export async function startCheckpoint({ args = [], env = {}, slackUsers = [] } = {}) {
  const slack = start(process.env.FAKE_SLACK, slackUsers.flatMap((u) => ['--user', u]), {}, /client_secret (\S+)/);
  await slack.matched;
  const info = {};
  for (const line of slack.output().split('\n')) {
    const [k, v] = line.split(' ');
    if (v) info[k] = v;
  }
  const workdir = mkdtempSync(join(tmpdir(), 'checkpoint-browser-'));
  const manifests = execFileSync(process.env.WRITE_MANIFESTS, [join(workdir, 'manifests')]).toString().trim();
  const db = join(workdir, 'checkpoint.db');
  const common = {
    CHECKPOINT_DB: db,
    CHECKPOINT_MANIFESTS: manifests,
    ASAN_OPTIONS: process.env.ASAN_OPTIONS || '',
    UBSAN_OPTIONS: process.env.UBSAN_OPTIONS || '',
  };
  const server = start(process.env.CHECKPOINTD, args, {
    ...common,
    CHECKPOINT_LISTEN: '127.0.0.1:0',
    CHECKPOINT_THREADS: '2',
    SLACK_SIGNING_SECRET: 'browser-test-signing-secret-8f7422316b1e',
    SLACK_API_URL: info.api_url,
    SLACK_BOT_TOKEN: info.token,
    SLACK_CLIENT_ID: info.client_id,
    SLACK_CLIENT_SECRET: info.client_secret,
    ...env,
  }, /listening on http:\/\/[^ ]*:(\d+)/);
  const [, port] = await server.matched;
  return {
    base: `http://localhost:${port}`,
    slack: info,
    log: () => server.output(),
    // `checkpointd --create-token` on the server's database: the token, printed once.
    mint(name, scopes, person) {
      const a = ['--create-token', name, '--scopes', scopes];
      if (person) a.push('--person', person);
      const out = execFileSync(process.env.CHECKPOINTD, a, { env: { PATH: process.env.PATH, ...common } }).toString();
      const m = /cpt_[0-9A-Za-z]{40}/.exec(out);
      if (!m) throw new Error(`no token in: ${out}`);
      return m[0];
    },
    async stop() {
      await stop(server.child);
      await stop(slack.child);
      rmSync(workdir, { recursive: true, force: true });
    },
  };
}
