// What the browser tests share: the settings, the waiting and asserting helpers, a fresh
// database per scenario (SQLite in a temporary directory, or a new PostgreSQL database),
// `admit serve` on port 0 (the address it bound read from its log), Debian's Chromium driven
// by playwright-core, and the step-by-step runner that takes a screenshot when a step fails.
//
// Needs: ADMIT_BIN (the built `admit` binary; default ../../target/debug/admit),
// ADMIT_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres) and `psql`,
// CHROMIUM (default /usr/bin/chromium). scripts/test provides all of them.
// With CI=true a missing service fails the test; locally an unreachable PostgreSQL skips
// the PostgreSQL group with a message.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = fileURLToPath(new URL('.', import.meta.url));
export const RESULTS = join(HERE, 'test-results');
export const ADMIT_BIN = process.env.ADMIT_BIN || join(HERE, '..', '..', 'target', 'debug', 'admit');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const PG_BASE = process.env.ADMIT_TEST_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const IN_CI = ['true', '1'].includes((process.env.CI || '').toLowerCase());

export const ADMIN_EMAIL = 'admin@example.test';
export const ADMIN_PASSWORD = 'correct horse battery staple';
export const STEP_TIMEOUT_MS = 60_000;

mkdirSync(RESULTS, { recursive: true });

// ---------------------------------------------------------------- helpers

/** The address in `admit serve`'s log line `listening address=127.0.0.1:PORT` (text or JSON). */
export function listeningAddress(log) {
  const line = log.split('\n').find((l) => l.includes('listening') && l.includes('address'));
  const m = line && line.match(/address"?\s*[=:]\s*"?(\d{1,3}(?:\.\d{1,3}){3}:\d+)/);
  return m ? m[1] : null;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Retries an assertion until it holds or the time is up (pages may still be loading). */
export async function eventually(fn, timeoutMs = 10_000, intervalMs = 100) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(intervalMs);
    }
  }
}

export function pathOf(page) {
  return new URL(page.url()).pathname;
}

export async function expectPath(page, expected, timeoutMs = 10_000) {
  const matches = (p) => (expected instanceof RegExp ? expected.test(p) : p === expected);
  await eventually(() => {
    const p = pathOf(page);
    assert.ok(matches(p), `expected URL path ${expected}, browser is at ${page.url()}`);
  }, timeoutMs);
  return pathOf(page);
}

export async function textOf(locator) {
  await locator.first().waitFor({ state: 'attached' });
  return ((await locator.first().textContent()) || '').replace(/\s+/g, ' ').trim();
}

export async function expectText(locator, expected, what) {
  await eventually(async () => {
    const text = await textOf(locator);
    const ok = expected instanceof RegExp ? expected.test(text) : text.includes(expected);
    assert.ok(ok, `${what}: expected ${JSON.stringify(String(expected))} in ${JSON.stringify(text)}`);
  });
}

export async function expectPageText(page, expected) {
  await eventually(async () => {
    const body = (await page.locator('body').innerText()).replace(/\s+/g, ' ');
    assert.ok(body.includes(expected), `expected page text ${JSON.stringify(expected)}; page says: ${body.slice(0, 500)}`);
  });
}

/**
 * The environment for a child process: ours without any ADMIT_ variable (ADMIT_BIN and
 * ADMIT_TEST_POSTGRES_URL are the tests' own, not configuration of admit), plus `extra`.
 */
function childEnv(extra = {}) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ADMIT_')));
  return { ...env, ...extra };
}

export function run(cmd, args, { env, input } = {}) {
  const res = spawnSync(cmd, args, {
    env: childEnv(env),
    input,
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (res.error) throw new Error(`${cmd} ${args.join(' ')}: ${res.error.message}`);
  return res;
}

// ---------------------------------------------------------------- databases

export function sqliteDatabase() {
  const dir = mkdtempSync(join(tmpdir(), 'admit-browser-'));
  return {
    url: `sqlite://${join(dir, 'admit.db')}`,
    drop() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function postgresReachable() {
  try {
    const res = run('psql', [PG_BASE, '-v', 'ON_ERROR_STOP=1', '-qtAc', 'SELECT 1']);
    return res.status === 0 ? null : (res.stderr || res.stdout || `psql exited ${res.status}`).trim();
  } catch (err) {
    return err.message;
  }
}

export function postgresDatabase() {
  const name = `admit_browser_${randomBytes(6).toString('hex')}`;
  const psql = (sql) => {
    const res = run('psql', [PG_BASE, '-v', 'ON_ERROR_STOP=1', '-qc', sql]);
    if (res.status !== 0) throw new Error(`psql ${sql}: ${res.stderr || res.stdout}`);
  };
  psql(`CREATE DATABASE "${name}"`);
  const url = new URL(PG_BASE);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop() {
      psql(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}

/**
 * One SQL statement on a scenario's database (`db` from sqliteDatabase or postgresDatabase),
 * behind the server's back: `psql` for PostgreSQL; for SQLite the `sqlite3` command, else
 * Node's node:sqlite (Node.js >= 22.5), else Python's sqlite3 module. Returns the output, rows
 * one a line with `|` between the values.
 */
export async function sql(db, statement) {
  if (!db.url.startsWith('sqlite:')) {
    const res = run('psql', [db.url, '-v', 'ON_ERROR_STOP=1', '-qtAc', statement]);
    assert.equal(res.status, 0, `psql ${statement}: ${res.stderr || res.stdout}`);
    return res.stdout.trim();
  }
  const file = db.url.replace(/^sqlite:(\/\/)?/, '').replace(/\?.*$/, '');
  const cli = spawnSync('sqlite3', ['-cmd', '.timeout 10000', file, statement], { encoding: 'utf8', timeout: 30_000 });
  if (!cli.error) {
    assert.equal(cli.status, 0, `sqlite3 ${statement}: ${cli.stderr}`);
    return cli.stdout.trim();
  }
  let nodeSqlite = null;
  try {
    nodeSqlite = await import('node:sqlite');
  } catch { /* older Node.js */ }
  if (nodeSqlite) {
    const conn = new nodeSqlite.DatabaseSync(file, { timeout: 10_000 });
    try {
      const st = conn.prepare(statement);
      if (/^\s*select/i.test(statement)) return st.all().map((r) => Object.values(r).join('|')).join('\n');
      st.run();
      return '';
    } finally {
      conn.close();
    }
  }
  const py = spawnSync('python3', ['-c', [
    'import sqlite3, sys',
    'c = sqlite3.connect(sys.argv[1], timeout=10)',
    'rows = c.execute(sys.argv[2]).fetchall()',
    'c.commit()',
    "print('\\n'.join('|'.join(str(v) for v in r) for r in rows))",
  ].join('\n'), file, statement], { encoding: 'utf8', timeout: 30_000 });
  assert.ok(!py.error, `no way to change the SQLite database: install sqlite3 or python3 (${py.error?.message})`);
  assert.equal(py.status, 0, `python3 sqlite3 ${statement}: ${py.stderr}`);
  return py.stdout.trim();
}

/**
 * Declares `scenario(engine, makeDatabase)` for SQLite and for PostgreSQL. `title` names the
 * group ("console" gives "console on postgres") that stands in, skipped, when PostgreSQL is
 * not reachable outside CI.
 */
export function onBothDatabases(title, scenario) {
  scenario('sqlite', sqliteDatabase);

  const pgProblem = postgresReachable();
  if (pgProblem && !IN_CI) {
    describe(`${title} on postgres`, () => {
      it('needs PostgreSQL', (t) => t.skip(`PostgreSQL at ADMIT_TEST_POSTGRES_URL is not reachable: ${pgProblem}`));
    });
  } else {
    scenario('postgres', postgresDatabase);
  }
}

// ---------------------------------------------------------------- the server

export function createAdmin(databaseUrl) {
  const res = run(ADMIT_BIN, ['staff', 'create', '--email', ADMIN_EMAIL, '--admin', '--password-stdin'], {
    env: { ADMIT_DATABASE_URL: databaseUrl },
    input: `${ADMIN_PASSWORD}\n`,
  });
  assert.equal(res.status, 0, `admit staff create exited ${res.status}:\n${res.stdout}\n${res.stderr}`);
}

/**
 * `admit serve` on port 0 of 127.0.0.1, on `databaseUrl`: the address it bound is read from
 * its log line `listening address=...`, and this returns once it answers /healthz there.
 * `env` adds settings (say `{ ADMIT_DIGEST_POLL_SECONDS: '1' }`); the database and the
 * address are always the test's own.
 */
export async function startServer(databaseUrl, logName, { env = {} } = {}) {
  const log = createWriteStream(join(RESULTS, logName));
  const child = spawn(ADMIT_BIN, ['serve'], {
    // The tests read every e-mail on the console's Mail page: the built-in mailbox on purpose.
    env: childEnv({ ADMIT_MAIL_MODE: 'mailbox', ...env, ADMIT_DATABASE_URL: databaseUrl, ADMIT_LISTEN: '127.0.0.1:0' }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let exited = null;
  const exitPromise = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      resolve(exited);
    });
  });
  let output = '';
  let address = null;
  let head = '';
  for (const stream of [child.stdout, child.stderr]) {
    stream.on('data', (chunk) => {
      log.write(chunk);
      // eslint-disable-next-line no-control-regex
      const text = chunk.toString().replace(/\x1b\[[0-9;]*m/g, '');
      output = (output + text).slice(-4_000);
      if (!address) {
        head += text;
        address = listeningAddress(head);
      }
    });
  }
  const logTail = () => `--- last output of admit serve (all of it in test-results/${logName}) ---\n${output.slice(-2_000)}`;

  const deadline = Date.now() + 30_000;
  while (!address) {
    if (exited) throw new Error(`admit serve exited early (${JSON.stringify(exited)})\n${logTail()}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`admit serve did not log its address within 30 s\n${logTail()}`);
    }
    await sleep(20);
  }
  const base = `http://${address}`;
  let last = 'no answer';
  for (;;) {
    if (exited) throw new Error(`admit serve exited early (${JSON.stringify(exited)})\n${logTail()}`);
    try {
      const res = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) break;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = err.cause?.code || err.message;
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`GET /healthz did not answer 200 within 30 s (last: ${last})\n${logTail()}`);
    }
    await sleep(200);
  }

  return {
    base,
    logTail,
    /** SIGTERM, then the exit must come within 10 s. Returns how it ended. */
    async stop() {
      if (exited) return { ...exited, early: true };
      child.kill('SIGTERM');
      const res = await Promise.race([exitPromise, sleep(10_000).then(() => null)]);
      if (res === null) {
        child.kill('SIGKILL');
        await exitPromise;
      }
      log.end();
      return res;
    },
  };
}

/**
 * The end of a scenario: closes the browser, stops the server (which must still be running
 * and exit within 10 s of SIGTERM) and drops the database, in that order, whatever fails.
 */
export async function tearDown({ browser, server, db }) {
  const errors = [];
  try { await browser?.close(); } catch (err) { errors.push(err); }
  let stopped;
  try { stopped = await server?.stop(); } catch (err) { errors.push(err); }
  try { db?.drop(); } catch (err) { errors.push(err); }
  if (server) {
    assert.ok(stopped, 'admit serve did not exit within 10 s of SIGTERM');
    assert.ok(!stopped.early, `admit serve had already exited before SIGTERM: ${JSON.stringify(stopped)}`);
  }
  if (errors.length) throw errors[0];
}

// ---------------------------------------------------------------- the browser

export function launchChromium() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A page with the tests' time limits. */
export async function newPage(context) {
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  page.setDefaultNavigationTimeout(15_000);
  return page;
}

/**
 * Returns `step(name, fn)`: a test that is skipped when an earlier step of the same scenario
 * failed (later steps depend on it), and that on failure saves a screenshot of `page()` to
 * test-results/<engine>-<step>.png and adds the tail of the server's output to the error.
 */
export function stepper(engine, { page, server }) {
  let failed = null; // the first failed step
  return (name, fn) =>
    it(name, { timeout: STEP_TIMEOUT_MS }, async (t) => {
      if (failed) {
        t.skip(`an earlier step failed: ${failed}`);
        return;
      }
      try {
        await fn();
      } catch (err) {
        failed = name;
        const file = join(RESULTS, `${engine}-${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.png`);
        const p = page();
        try {
          await p?.screenshot({ path: file, fullPage: true });
          err.message += `\n(screenshot: ${file}; page at ${p?.url()})`;
        } catch { /* the screenshot is best effort */ }
        const s = server();
        if (s) err.message += `\n${s.logTail()}`;
        throw err;
      }
    });
}

/** `admit apikey create` prints the key, once, as the only line on stdout. */
export function createApiKey(databaseUrl) {
  const res = run(ADMIT_BIN, ['apikey', 'create', '--name', 'browser'], {
    env: { ADMIT_DATABASE_URL: databaseUrl },
  });
  assert.equal(res.status, 0, `admit apikey create exited ${res.status}:\n${res.stdout}\n${res.stderr}`);
  const key = res.stdout.trim();
  assert.match(key, /^admit_\S+$/, `admit apikey create printed ${JSON.stringify(res.stdout)}`);
  return key;
}

/**
 * Calls the API with `key` (an API key, or a client's access token): `method`, `path`, an
 * optional JSON body; the answer must have the `expected` status. Returns its JSON.
 */
export async function apiRequest(server, key, method, path, body, expected) {
  const res = await fetch(`${server.base}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${key}`,
      Accept: 'application/json',
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  assert.equal(res.status, expected, `${method} ${path}: HTTP ${res.status} ${text}`);
  try {
    return JSON.parse(text);
  } catch {
    assert.fail(`${method} ${path}: the answer is not JSON: ${text}`);
  }
}

/** POST a JSON body to the API; the answer must have the `expected` status. Returns its JSON. */
export function apiPost(server, key, path, body, expected = 201) {
  return apiRequest(server, key, 'POST', path, body, expected);
}

/** The admin logs in to the console on `page` (a context with the server's base URL). */
export async function staffLogIn(page) {
  await page.goto('/console/login');
  await page.fill('input[name=email]', ADMIN_EMAIL);
  await page.fill('input[name=password]', ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expectPath(page, /^\/console(?!\/login$)(\/.*)?$/);
}

/**
 * On `page`, logged in to the console: the href of the first link of the newest message with
 * `subject` to `to` in /console/mail (mail goes out from a background job: it may take a moment).
 */
export async function mailLink(page, subject, to) {
  await page.goto('/console/mail');
  const rows = page.locator('tbody tr')
    .filter({ has: page.getByRole('link', { name: subject, exact: true }) })
    .filter({ hasText: to });
  await eventually(async () => {
    if ((await rows.count()) === 0) {
      await page.reload();
      assert.ok((await rows.count()) > 0, `no message "${subject}" to ${to} in /console/mail`);
    }
  }, 10_000, 300);
  await rows.first().getByRole('link', { name: subject, exact: true }).click();
  await expectPath(page, /^\/console\/mail\/[^/]+$/);
  const link = page.frameLocator('iframe.mail').locator('a').first();
  await link.waitFor({ state: 'attached' });
  return (await link.getAttribute('href')) || '';
}
