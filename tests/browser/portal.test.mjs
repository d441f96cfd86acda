// Browser tests of the portal: an invitation made through the API is read in the console's
// built-in mailbox, accepted in another browser (German, the contact's language), used to
// log in and out, and is then used up. The same scenario on SQLite and on PostgreSQL, in
// Debian's Chromium driven by playwright-core (never a browser of Playwright's own).
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
  createApiKey,
  createAdmin,
  eventually,
  expectPageText,
  expectPath,
  expectText,
  launchChromium,
  newPage,
  onBothDatabases,
  run,
  startServer,
  stepper,
  tearDown,
} from './harness.mjs';

const CONTACT_NAME = 'Erika Muster';
const CONTACT_EMAIL = 'erika@nordlicht.example';
const PORTAL_NAME = 'Customer portal';
const PORTAL_PASSWORD = 'ein sehr gutes Passwort';

// ---------------------------------------------------------------- set-up

// ---------------------------------------------------------------- the scenario

function scenario(engine, makeDatabase) {
  describe(`portal on ${engine}`, () => {
    let db;
    let server;
    let browser;
    let apiKey;
    let staffPage; // the console, logged in as the admin
    let visitorPage; // the invited person, in a browser context of their own
    let current; // the page a failed step's screenshot shows
    const state = {};

    before(async () => {
      assert.ok(existsSync(ADMIT_BIN), `ADMIT_BIN ${ADMIT_BIN} does not exist: run cargo build --bin admit`);
      db = makeDatabase();
      apiKey = createApiKey(db.url);
      createAdmin(db.url);
      server = await startServer(db.url, `portal-${engine}-server.log`);
      browser = await launchChromium();
      const context = await browser.newContext({ baseURL: server.base, locale: 'en-US' });
      staffPage = await newPage(context);
      current = staffPage;
    }, { timeout: 120_000 });

    after(() => tearDown({ browser, server, db }), { timeout: 60_000 });

    const step = stepper(`portal-${engine}`, { page: () => current, server: () => server });

    step('the API grants a German contact access to a portal, by invitation', async () => {
      const org = await apiPost(server, apiKey, '/api/v1/organizations', { kind: 'customer', name: 'Nordlicht GmbH' });
      assert.ok(org.id !== undefined && org.id !== null, `organization without id: ${JSON.stringify(org)}`);
      const contact = await apiPost(server, apiKey, '/api/v1/contacts', {
        organization_id: org.id,
        name: CONTACT_NAME,
        email: CONTACT_EMAIL,
        language: 'de',
      });
      assert.ok(contact.id !== undefined && contact.id !== null, `contact without id: ${JSON.stringify(contact)}`);
      const portal = await apiPost(server, apiKey, '/api/v1/portals', {
        name: PORTAL_NAME,
        kind: 'customer',
        base_url: 'https://portal.example.com',
        registration_mode: 'invitation_only',
        default_language: 'en',
        modules: [{ name: 'Invoices' }],
      });
      assert.ok(portal.id !== undefined && portal.id !== null, `portal without id: ${JSON.stringify(portal)}`);
      state.portalId = String(portal.id);
      const account = await apiPost(server, apiKey, '/api/v1/accounts', {
        contact_id: contact.id,
        portal_id: portal.id,
        role: 'user',
        modules: ['Invoices'],
      });
      assert.equal(account.registration, 'invited', `account: ${JSON.stringify(account)}`);
    });

    step('the admin logs in to the console', async () => {
      await staffPage.goto('/console/login');
      await staffPage.fill('input[name=email]', ADMIN_EMAIL);
      await staffPage.fill('input[name=password]', ADMIN_PASSWORD);
      await staffPage.getByRole('button', { name: 'Log in' }).click();
      await expectPath(staffPage, /^\/console(?!\/login$)(\/.*)?$/);
    });

    step('the German invitation arrives in the mailbox and holds the accept link', async () => {
      // No SMTP server is configured: the mail is delivered to the console's mailbox, by a
      // background job, so it may take a moment.
      await staffPage.goto('/console/mail');
      const link = staffPage.locator('tr a').filter({ hasText: `Einladung zu ${PORTAL_NAME}` });
      await eventually(async () => {
        if ((await link.count()) === 0) {
          await staffPage.reload();
          assert.ok((await link.count()) > 0, `no message "Einladung zu ${PORTAL_NAME}" in /console/mail`);
        }
      }, 10_000, 500);
      await link.first().click();
      await expectPath(staffPage, /^\/console\/mail\/[^/]+$/);
      const href = await staffPage.frameLocator('iframe.mail').locator('a').first().getAttribute('href');
      assert.match(href || '', /\/portal\/\d+\/accept\?token=[0-9a-f]{64}&lang=de$/, 'the first link of the HTML body');
      assert.match(href, new RegExp(`/portal/${state.portalId}/accept\\?`), `the link is for portal ${state.portalId}`);
      state.acceptUrl = href;
    });

    step('another browser opens the link: the accept page is German', async () => {
      // A different person: a context without the console's cookies. Its browser asks for
      // English, so the German comes from the invitation.
      const context = await browser.newContext({ baseURL: server.base, locale: 'en-US' });
      visitorPage = await newPage(context);
      current = visitorPage;
      await visitorPage.goto(state.acceptUrl);
      await expectPath(visitorPage, `/portal/${state.portalId}/accept`);
      await expectText(visitorPage.locator('h1'), 'Einladung annehmen', 'h1');
      await expectText(visitorPage.locator('#account-email'), CONTACT_EMAIL, '#account-email');
    });

    step('a short password is refused, in German', async () => {
      await visitorPage.fill('input[name=password]', 'kurz');
      await visitorPage.fill('input[name=confirmation]', 'kurz');
      // The server's check is under test, not the browser's: minlength must not stop the form.
      await visitorPage.locator('form:has(input[name=confirmation])').evaluate((f) => { f.noValidate = true; });
      await visitorPage.locator('form:has(input[name=confirmation]) button[type=submit]').click();
      const error = visitorPage.locator('#password-error');
      await error.waitFor({ state: 'visible' });
      await expectText(error, 'mindestens 12 Zeichen', '#password-error');
      await visitorPage.locator('input[name=password]').waitFor();
      await visitorPage.locator('input[name=confirmation]').waitFor();
    });

    step('a good password is set and leads to the login page', async () => {
      await visitorPage.fill('input[name=password]', PORTAL_PASSWORD);
      await visitorPage.fill('input[name=confirmation]', PORTAL_PASSWORD);
      await visitorPage.locator('form:has(input[name=confirmation])').evaluate((f) => { f.noValidate = true; });
      await visitorPage.locator('form:has(input[name=confirmation]) button[type=submit]').click();
      await expectPath(visitorPage, `/portal/${state.portalId}/login`);
      const params = new URL(visitorPage.url()).searchParams;
      assert.equal(params.get('welcome'), '1', `welcome=1 in ${visitorPage.url()}`);
      assert.equal(params.get('lang'), 'de', `lang=de in ${visitorPage.url()}`);
      await expectText(visitorPage.locator('.flash'), 'Ihr Passwort ist festgelegt', '.flash');
    });

    step('a wrong password is refused, in German', async () => {
      await visitorPage.fill('input[name=email]', CONTACT_EMAIL);
      await visitorPage.fill('input[name=password]', 'falsches Passwort 123');
      await visitorPage.locator('form:has(input[name=email]) button[type=submit]').click();
      await expectText(visitorPage.locator('.error'), 'E-Mail oder Passwort ist falsch', '.error');
      await expectPath(visitorPage, `/portal/${state.portalId}/login`);
    });

    step('the right password opens the portal home page', async () => {
      await visitorPage.fill('input[name=email]', CONTACT_EMAIL);
      await visitorPage.fill('input[name=password]', PORTAL_PASSWORD);
      await visitorPage.locator('form:has(input[name=email]) button[type=submit]').click();
      await expectPath(visitorPage, `/portal/${state.portalId}/`);
      await expectText(visitorPage.locator('h1'), `Willkommen, ${CONTACT_NAME}`, 'h1');
      await expectPageText(visitorPage, 'Invoices');
    });

    step('Abmelden logs out', async () => {
      await visitorPage.getByRole('button', { name: 'Abmelden' }).click();
      await expectPath(visitorPage, `/portal/${state.portalId}/login`);
      await expectPageText(visitorPage, 'Sie sind abgemeldet');
    });

    step('the used invitation link no longer works', async () => {
      const res = await visitorPage.goto(state.acceptUrl);
      await expectText(visitorPage.locator('h1'), 'Dieser Link funktioniert nicht mehr', `h1 (HTTP ${res?.status()})`);
    });
  });
}

onBothDatabases('portal', scenario);
