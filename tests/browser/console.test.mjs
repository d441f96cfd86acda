// Browser tests of the staff console: the same scenario on SQLite and on PostgreSQL,
// in Debian's Chromium driven by playwright-core (never a browser of Playwright's own).
//
// Needs: ADMIT_BIN (the built `admit` binary; default ../../target/debug/admit),
// ADMIT_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres) and `psql`,
// CHROMIUM (default /usr/bin/chromium). scripts/test provides all of them.
// With CI=true a missing service fails the test; locally an unreachable PostgreSQL skips
// the PostgreSQL group with a message.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const RESULTS = join(HERE, 'test-results');
const ADMIT_BIN = process.env.ADMIT_BIN || join(HERE, '..', '..', 'target', 'debug', 'admit');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const PG_BASE = process.env.ADMIT_TEST_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const IN_CI = ['true', '1'].includes((process.env.CI || '').toLowerCase());

const ADMIN_EMAIL = 'admin@example.test';
const ADMIN_PASSWORD = 'correct horse battery staple';
const STEP_TIMEOUT_MS = 60_000;

mkdirSync(RESULTS, { recursive: true });

// ---------------------------------------------------------------- helpers

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Retries an assertion until it holds or the time is up (pages may still be loading). */
async function eventually(fn, timeoutMs = 10_000, intervalMs = 100) {
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

function pathOf(page) {
  return new URL(page.url()).pathname;
}

async function expectPath(page, expected, timeoutMs = 10_000) {
  const matches = (p) => (expected instanceof RegExp ? expected.test(p) : p === expected);
  await eventually(() => {
    const p = pathOf(page);
    assert.ok(matches(p), `expected URL path ${expected}, browser is at ${page.url()}`);
  }, timeoutMs);
  return pathOf(page);
}

async function textOf(locator) {
  await locator.first().waitFor({ state: 'attached' });
  return ((await locator.first().textContent()) || '').replace(/\s+/g, ' ').trim();
}

async function expectText(locator, expected, what) {
  await eventually(async () => {
    const text = await textOf(locator);
    const ok = expected instanceof RegExp ? expected.test(text) : text.includes(expected);
    assert.ok(ok, `${what}: expected ${JSON.stringify(String(expected))} in ${JSON.stringify(text)}`);
  });
}

async function expectPageText(page, expected) {
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

function run(cmd, args, { env, input } = {}) {
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

function sqliteDatabase() {
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

function postgresDatabase() {
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

// ---------------------------------------------------------------- the server

function createAdmin(databaseUrl) {
  const res = run(ADMIT_BIN, ['staff', 'create', '--email', ADMIN_EMAIL, '--admin', '--password-stdin'], {
    env: { ADMIT_DATABASE_URL: databaseUrl },
    input: `${ADMIN_PASSWORD}\n`,
  });
  assert.equal(res.status, 0, `admit staff create exited ${res.status}:\n${res.stdout}\n${res.stderr}`);
}

async function startServer(databaseUrl, logName) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const log = createWriteStream(join(RESULTS, logName));
  const child = spawn(ADMIT_BIN, ['serve'], {
    env: childEnv({ ADMIT_DATABASE_URL: databaseUrl, ADMIT_LISTEN: `127.0.0.1:${port}` }),
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
  for (const stream of [child.stdout, child.stderr]) {
    stream.on('data', (chunk) => {
      log.write(chunk);
      // eslint-disable-next-line no-control-regex
      output = (output + chunk.toString().replace(/\x1b\[[0-9;]*m/g, '')).slice(-4_000);
    });
  }
  const logTail = () => `--- last output of admit serve (all of it in test-results/${logName}) ---\n${output.slice(-2_000)}`;

  const deadline = Date.now() + 30_000;
  let last = 'no answer';
  for (;;) {
    if (exited) throw new Error(`admit serve exited early (${JSON.stringify(exited)})\n${logTail()}`);
    try {
      const res = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) break;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = err.cause?.code || err.message;
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`GET /readyz did not answer 200 within 30 s (last: ${last})\n${logTail()}`);
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

// ---------------------------------------------------------------- the scenario

function scenario(engine, makeDatabase) {
  describe(`console on ${engine}`, () => {
    let db;
    let server;
    let browser;
    let context;
    let page;
    let failed = null; // the first failed step: later steps depend on it and are skipped
    const state = {};

    before(async () => {
      assert.ok(existsSync(ADMIT_BIN), `ADMIT_BIN ${ADMIT_BIN} does not exist: run cargo build --bin admit`);
      db = makeDatabase();
      createAdmin(db.url);
      server = await startServer(db.url, `${engine}-server.log`);
      browser = await chromium.launch({
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
      context = await browser.newContext({ baseURL: server.base, locale: 'en-US' });
      page = await context.newPage();
      page.setDefaultTimeout(10_000);
      page.setDefaultNavigationTimeout(15_000);
    }, { timeout: 120_000 });

    after(async () => {
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
    }, { timeout: 60_000 });

    const step = (name, fn) =>
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
          try {
            await page?.screenshot({ path: file, fullPage: true });
            err.message += `\n(screenshot: ${file}; page at ${page?.url()})`;
          } catch { /* the screenshot is best effort */ }
          if (server) err.message += `\n${server.logTail()}`;
          throw err;
        }
      });

    step('GET /console redirects to the login page', async () => {
      await page.goto('/console');
      await expectPath(page, '/console/login');
      await page.locator('input[name=email]').waitFor();
      await page.locator('input[name=password]').waitFor();
      await page.getByRole('button', { name: 'Log in' }).waitFor();
    });

    step('a wrong password is refused and stays on the login page', async () => {
      await page.fill('input[name=email]', ADMIN_EMAIL);
      await page.fill('input[name=password]', 'not the password');
      await page.getByRole('button', { name: 'Log in' }).click();
      await expectPageText(page, 'Wrong e-mail or password');
      await expectPath(page, '/console/login');
      await page.locator('input[name=password]').waitFor();
    });

    step('the right password lands on Organizations, with the top nav', async () => {
      await page.fill('input[name=email]', ADMIN_EMAIL);
      await page.fill('input[name=password]', ADMIN_PASSWORD);
      await page.getByRole('button', { name: 'Log in' }).click();
      await expectPath(page, '/console/organizations');
      await expectText(page.locator('h1'), /^Organizations$/, 'h1');
      const nav = page.getByRole('navigation').first();
      await nav.getByRole('link', { name: 'Organizations', exact: true }).waitFor();
      await nav.getByRole('link', { name: 'Contacts', exact: true }).waitFor();
      // The log-out button sits in the page's top bar, inside or beside the <nav>.
      await page.getByRole('button', { name: 'Log out', exact: true }).waitFor();
    });

    step('create an organization', async () => {
      await page.getByRole('link', { name: 'New organization' }).click();
      await expectPath(page, '/console/organizations/new');
      await page.fill('input[name=name]', 'Browser Test GmbH');
      const kinds = await page.locator('select[name=kind] option').evaluateAll((os) => os.map((o) => o.value));
      assert.ok(kinds.includes('customer') && kinds.includes('partner'), `kind options: ${kinds}`);
      await page.selectOption('select[name=kind]', 'customer');
      const firstArea = await page.locator('select[name=area_id] option').first().getAttribute('value');
      assert.equal(firstArea, '', 'the first area option is "" (no area)');
      await page.locator('input[name=external_id]').waitFor();
      await page.getByRole('button', { name: 'Save' }).click();
      const path = await expectPath(page, /^\/console\/organizations\/(?!new$)[^/]+$/);
      state.orgId = decodeURIComponent(path.split('/').pop());
      await expectText(page.locator('h1'), 'Browser Test GmbH', 'h1');
      await expectText(page.locator('.flash'), 'Organization created', '.flash');
    });

    step('a contact with a bad e-mail address is shown the error and keeps its input', async () => {
      await page.getByRole('link', { name: 'New contact' }).click();
      await expectPath(page, '/console/contacts/new');
      assert.equal(new URL(page.url()).searchParams.get('organization_id'), state.orgId, 'organization_id in the URL');
      assert.equal(await page.inputValue('select[name=organization_id]'), state.orgId, 'organization preselected');
      const langs = await page.locator('select[name=language] option').evaluateAll((os) => os.map((o) => o.value));
      assert.ok(langs.includes('en') && langs.includes('de'), `language options: ${langs}`);
      await page.locator('input[name=phone]').waitFor();
      await page.locator('input[name=external_id]').waitFor();
      await page.fill('input[name=name]', 'Erika Muster');
      await page.fill('input[name=email]', 'not-an-email');
      await page.selectOption('select[name=language]', 'de');
      // The server's check is under test, not the browser's: an <input type=email> must not
      // stop the form from being sent.
      await page.locator('form:has(input[name=email])').evaluate((f) => { f.noValidate = true; });
      await page.getByRole('button', { name: 'Save' }).click();
      const error = page.locator('#email-error');
      await error.waitFor({ state: 'visible' });
      await expectText(error, 'valid e-mail address', '#email-error');
      await page.locator('input[name=email]').waitFor();
      assert.equal(await page.inputValue('input[name=name]'), 'Erika Muster', 'the name is kept');
    });

    step('the corrected contact is created', async () => {
      await page.fill('input[name=email]', 'erika@example.test');
      await page.locator('form:has(input[name=email])').evaluate((f) => { f.noValidate = true; });
      await page.getByRole('button', { name: 'Save' }).click();
      await expectPath(page, /^\/console\/contacts\/(?!new$)[^/]+$/);
      await expectText(page.locator('h1'), 'Erika Muster', 'h1');
      await expectText(page.locator('.flash'), 'Contact created', '.flash');
    });

    step('the contact list finds the contact', async () => {
      await page.goto('/console/contacts?q=erika');
      const row = page.locator('tr').filter({ hasText: 'Erika Muster' }).filter({ hasText: 'erika@example.test' });
      await row.first().waitFor();
    });

    step('log out ends the session', async () => {
      await page.getByRole('button', { name: 'Log out' }).click();
      await expectPath(page, '/console/login');
      await expectPageText(page, 'You are logged out');
      await page.goto('/console/organizations');
      await expectPath(page, '/console/login');
    });
  });
}

scenario('sqlite', sqliteDatabase);

const pgProblem = postgresReachable();
if (pgProblem && !IN_CI) {
  describe('console on postgres', () => {
    it('needs PostgreSQL', (t) => t.skip(`PostgreSQL at ADMIT_TEST_POSTGRES_URL is not reachable: ${pgProblem}`));
  });
} else {
  scenario('postgres', postgresDatabase);
}
