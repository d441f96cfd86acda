// Browser tests of the staff console: the same scenario on SQLite and on PostgreSQL,
// in Debian's Chromium driven by playwright-core (never a browser of Playwright's own).
// The set-up (database, server, browser) and the helpers are in harness.mjs.
//
// Needs: ADMIT_BIN (the built `admit` binary; default ../../target/debug/admit),
// ADMIT_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres) and `psql`,
// CHROMIUM (default /usr/bin/chromium). scripts/test provides all of them.
// With CI=true a missing service fails the test; locally an unreachable PostgreSQL skips
// the PostgreSQL group with a message.

import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  ADMIT_BIN,
  apiPost,
  createAdmin,
  createApiKey,
  expectPageText,
  expectPath,
  expectText,
  launchChromium,
  newPage,
  onBothDatabases,
  startServer,
  eventually,
  sleep,
  stepper,
  tearDown,
} from './harness.mjs';

// ---------------------------------------------------------------- the scenario

function scenario(engine, makeDatabase) {
  describe(`console on ${engine}`, () => {
    let db;
    let server;
    let browser;
    let context;
    let page;
    const state = {};

    before(async () => {
      assert.ok(existsSync(ADMIT_BIN), `ADMIT_BIN ${ADMIT_BIN} does not exist: run cargo build --bin admit`);
      db = makeDatabase();
      createAdmin(db.url);
      state.apiKey = createApiKey(db.url);
      server = await startServer(db.url, `${engine}-server.log`);
      browser = await launchChromium();
      context = await browser.newContext({ baseURL: server.base, locale: 'en-US' });
      page = await newPage(context);
      // What the Content-Security-Policy blocks is reported on the console: nothing may be.
      state.blocked = [];
      page.on('console', (m) => {
        if (/Content Security Policy/i.test(m.text())) state.blocked.push(m.text());
      });
    }, { timeout: 120_000 });

    after(() => tearDown({ browser, server, db }), { timeout: 60_000 });

    const step = stepper(engine, { page: () => page, server: () => server });

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

    step('the right password lands on the home, with the top nav leading to Organizations', async () => {
      await page.fill('input[name=email]', ADMIN_EMAIL);
      await page.fill('input[name=password]', ADMIN_PASSWORD);
      await page.getByRole('button', { name: 'Log in' }).click();
      await expectPath(page, '/console');
      await expectText(page.locator('h1'), /^What needs you now$/, 'h1');
      const nav = page.getByRole('navigation').first();
      await nav.getByRole('link', { name: 'Home', exact: true }).waitFor();
      await nav.getByRole('link', { name: 'Contacts', exact: true }).waitFor();
      // The log-out button sits in the page's top bar, inside or beside the <nav>.
      await page.getByRole('button', { name: 'Log out', exact: true }).waitFor();
      await nav.getByRole('link', { name: 'Organizations', exact: true }).click();
      await expectPath(page, '/console/organizations');
      await expectText(page.locator('h1'), /^Organizations$/, 'h1');
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

    step('revoking an API key asks first (a script served as a file)', async () => {
      await page.goto('/console/api-keys');
      await page.fill('input[name=name]', 'CRM sync');
      await page.getByRole('button', { name: 'Create API key' }).click();
      await page.locator('#new-api-key').waitFor();
      const revoke = page.locator('tr').filter({ hasText: 'CRM sync' }).getByRole('button', { name: 'Revoke' });
      let asked = '';
      page.once('dialog', (d) => { asked = d.message(); d.dismiss(); });
      await revoke.click();
      await eventually(() => assert.match(asked, /Revoke this key\?/));
      await sleep(300);
      await revoke.waitFor();
      assert.equal(await page.locator('#new-api-key').count(), 1, 'dismissed: the page stays');
      page.once('dialog', (d) => d.accept());
      await revoke.click();
      await eventually(async () => assert.equal(await revoke.count(), 0, 'the key is revoked'));
    });

    step('the mail template preview follows the text as it is typed (a script served as a file)', async () => {
      const portal = await apiPost(server, state.apiKey, '/api/v1/portals', {
        name: 'Customer portal', kind: 'customer', base_url: 'https://portal.example.com',
        registration_mode: 'invitation_only', default_language: 'en',
      });
      await page.goto(`/console/portals/${portal.id}/templates/invitation/en`);
      await page.fill('#subject', 'Welcome to the preview test');
      await eventually(async () =>
        assert.equal(await page.locator('#preview-subject').textContent(), 'Welcome to the preview test'));
    });

    step('the API documentation (Swagger UI) renders under the same policy', async () => {
      await page.goto('/api/docs/');
      await page.locator('.swagger-ui .title', { hasText: 'Admit API' }).first().waitFor();
      await page.locator('.opblock-summary-path', { hasText: '/api/v1/organizations' }).first().waitFor();
      await page.goto('/console/organizations');
    });

    step('no page broke the Content-Security-Policy', async () => {
      assert.deepEqual(state.blocked, []);
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

onBothDatabases('console', scenario);
