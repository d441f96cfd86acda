// The demo's sample application in Debian's Chromium: `admit demo` runs in a temporary data
// folder on a free port (its sample application on another free one, the addresses read from
// what it prints); "Log in with Admit" leads to the customer portal's login page, Mia logs in
// and is back on the application with her name, organization, role, modules and the decision
// API's answer per module; "Log out" ends the session at Admit too, so the next login asks for
// the password again. The demo is SQLite by definition: no PostgreSQL group here.
//
// Needs: ADMIT_BIN (the built `admit` binary; default ../../target/debug/admit),
// CHROMIUM (default /usr/bin/chromium).

import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ADMIT_BIN, RESULTS, expectPageText, expectPath, launchChromium, newPage, sleep, stepper,
} from './harness.mjs';

const MIA = { name: 'Mia Sommer', email: 'mia.sommer@sonnenschein.example', password: 'warm rolls before sunrise' };

/** `admit demo` on a free port of 127.0.0.1 with its data in `dir`; returns once both addresses are printed. */
async function startDemo(dir) {
  const log = createWriteStream(join(RESULTS, 'sample-app-demo.log'));
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ADMIT_')));
  const child = spawn(ADMIT_BIN, ['demo', '--listen', '127.0.0.1:0', '--data', dir], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let exited = null;
  const exit = new Promise((resolve) => child.on('exit', (code, signal) => resolve((exited = { code, signal }))));
  for (const stream of [child.stdout, child.stderr]) {
    stream.on('data', (chunk) => {
      log.write(chunk);
      // eslint-disable-next-line no-control-regex
      output += chunk.toString().replace(/\x1b\[[0-9;]*m/g, '');
    });
  }
  const logTail = () => `--- last output of admit demo ---\n${output.slice(-2_000)}`;
  const deadline = Date.now() + 60_000;
  let console_, sample;
  while (!(console_ && sample)) {
    if (exited) throw new Error(`admit demo exited early (${JSON.stringify(exited)})\n${logTail()}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`admit demo did not print its addresses within 60 s\n${logTail()}`);
    }
    console_ = output.match(/console:\s+(http:\/\/\S+)\/console/)?.[1];
    sample = output.match(/sample app:\s+(http:\/\/\S+)/)?.[1];
    await sleep(50);
  }
  return {
    base: console_,
    sample,
    logTail,
    async stop() {
      if (exited) return { ...exited, early: true };
      child.kill('SIGTERM');
      const res = await Promise.race([exit, sleep(10_000).then(() => null)]);
      if (res === null) {
        child.kill('SIGKILL');
        await exit;
      }
      log.end();
      return res;
    },
  };
}

describe('the demo sample application', () => {
  const cx = {};

  before(async () => {
    assert.ok(existsSync(ADMIT_BIN), `ADMIT_BIN ${ADMIT_BIN} does not exist: run cargo build --bin admit`);
    cx.dir = mkdtempSync(join(tmpdir(), 'admit-demo-'));
    cx.demo = await startDemo(cx.dir);
    cx.browser = await launchChromium();
    cx.page = await newPage(await cx.browser.newContext({ locale: 'en-US' }));
  });

  after(async () => {
    try { await cx.browser?.close(); } catch { /* the demo is stopped anyway */ }
    const stopped = await cx.demo?.stop();
    rmSync(cx.dir, { recursive: true, force: true });
    if (cx.demo) {
      assert.ok(stopped, 'admit demo did not exit within 10 s of SIGTERM');
      assert.ok(!stopped.early, `admit demo had already exited: ${JSON.stringify(stopped)}`);
    }
  });

  const step = stepper('sample-app', { page: () => cx.page, server: () => cx.demo });

  /** On the portal's login page: Mia's e-mail and password, then "Log in". */
  async function logInAsMia(page) {
    await expectPath(page, /^\/portal\/[^/]+\/login$/);
    assert.ok(page.url().startsWith(`${cx.demo.base}/`), `the login page is Admit's: ${page.url()}`);
    await page.fill('input[name=email]', MIA.email);
    await page.fill('input[name=password]', MIA.password);
    await page.locator('form[action$="/login"]').getByRole('button', { name: 'Log in' }).click();
  }

  step('the sample application shows the logged-out state', async () => {
    await cx.page.goto(`${cx.demo.sample}/`);
    await expectPageText(cx.page, 'You are not logged in.');
    await expectPageText(cx.page, 'It is not part of Admit.');
  });

  step('"Log in with Admit" leads to the portal login and back with Mia', async () => {
    await cx.page.getByRole('button', { name: 'Log in with Admit' }).click();
    await logInAsMia(cx.page);
    await cx.page.waitForURL(`${cx.demo.sample}/`, { timeout: 15_000 });
    await expectPageText(cx.page, `Welcome, ${MIA.name}`);
    await expectPageText(cx.page, MIA.email);
    await expectPageText(cx.page, 'Bäckerei Sonnenschein (customer)');
    const field = (name) => cx.page.locator('dt', { hasText: name }).locator('xpath=following-sibling::dd[1]');
    assert.equal((await field('Role').textContent()).trim(), 'user');
    assert.match(await field('Modules you may open').textContent(), /Schedule.*Invoices|Invoices.*Schedule/);
  });

  step('the decision API answers per module', async () => {
    const rows = await cx.page.locator('table tbody tr').evaluateAll((trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent.trim())));
    const byModule = Object.fromEntries(rows.map(([m, allowed, rule]) => [m, { allowed, rule }]));
    assert.deepEqual(byModule.Schedule, { allowed: 'yes', rule: 'granted' }, JSON.stringify(rows));
    assert.deepEqual(byModule.Invoices, { allowed: 'yes', rule: 'granted' }, JSON.stringify(rows));
    assert.deepEqual(byModule.Pricing, { allowed: 'no', rule: 'admin_only' }, JSON.stringify(rows));
  });

  step('"Log out" ends the session, and the next login asks for the password', async () => {
    await cx.page.getByRole('button', { name: 'Log out' }).click();
    await cx.page.waitForURL(`${cx.demo.sample}/`, { timeout: 15_000 });
    await expectPageText(cx.page, 'You are not logged in.');
    await cx.page.getByRole('button', { name: 'Log in with Admit' }).click();
    await expectPath(cx.page, /^\/portal\/[^/]+\/login$/);
    await cx.page.locator('input[name=password]').waitFor();
  });
});
