// Browser tests of a partner organization's team on the portal: an admin made through the API
// invites a colleague from the team page with one module and two of the partnership's three
// customers; the colleague accepts (the accept page names the admin who invited him) and sees
// exactly that access on "Your access"; the admin cannot remove her own access while she is
// the organization's last active admin. The same scenario on SQLite and on PostgreSQL, in
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

const PORTAL_NAME = 'Partner portal';
const PARTNERSHIP = 'Partnership North';
const ADMIN_NAME = 'Anna Admin';
const ADMIN_MAIL = 'anna@partner.example';
const ADMIN_PW = 'she has a good password';
const USER_MAIL = 'ben@partner.example';
const USER_PW = 'ben has a good password too';
/** The subject of an English invitation (src/mail/defaults/en.toml, [invitation]). */
const INVITATION_SUBJECT = `You are invited to ${PORTAL_NAME}`;

// ---------------------------------------------------------------- set-up

/** [`apiPost`], for an answer that must carry the new thing's id. */
async function apiCreate(server, key, path, body) {
  const json = await apiPost(server, key, path, body);
  assert.ok(json.id !== undefined && json.id !== null, `POST ${path}: an answer without id: ${JSON.stringify(json)}`);
  return json;
}

/**
 * In the console's mailbox (the staff page is logged in), the newest message to `recipient`
 * with `subject`: opens it and returns the first link of its HTML body, the accept link.
 * The mail is delivered by a background job, so it may take a moment.
 */
async function acceptLinkFromMailbox(staffPage, recipient, subject) {
  await staffPage.goto('/console/mail');
  const link = staffPage.locator('tbody tr').filter({ hasText: recipient }).locator('a').filter({ hasText: subject });
  await eventually(async () => {
    if ((await link.count()) === 0) {
      await staffPage.reload();
      assert.ok((await link.count()) > 0, `no message "${subject}" to ${recipient} in /console/mail`);
    }
  }, 10_000, 500);
  await link.first().click();
  await expectPath(staffPage, /^\/console\/mail\/[^/]+$/);
  const href = await staffPage.frameLocator('iframe.mail').locator('a').first().getAttribute('href');
  assert.match(href || '', /\/portal\/\d+\/accept\?token=[0-9a-f]{64}(&|$)/, 'the first link of the HTML body');
  return href;
}

/** On the accept page: sets the password, which leads to the login page. */
async function setPassword(page, portalId, password) {
  await page.fill('input[name=password]', password);
  await page.fill('input[name=confirmation]', password);
  await page.getByRole('button', { name: 'Set password' }).click();
  await expectPath(page, `/portal/${portalId}/login`);
  await expectText(page.locator('.flash'), 'Your password is set', '.flash');
}

/** On the login page: logs in, which leads to the portal's home page. */
async function logIn(page, portalId, email, password) {
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', password);
  await page.locator('form:has(input[name=email]) button[type=submit]').click();
  await expectPath(page, `/portal/${portalId}/`);
  await expectText(page.locator('#account-email'), email, '#account-email');
}

/** The texts of the `li`s of a list, in order, each with its spaces collapsed. */
async function itemTexts(locator) {
  return (await locator.allTextContents()).map((s) => s.replace(/\s+/g, ' ').trim());
}

// ---------------------------------------------------------------- the scenario

function scenario(engine, makeDatabase) {
  describe(`team on ${engine}`, () => {
    let db;
    let server;
    let browser;
    let apiKey;
    let staffPage; // the console, logged in as the admin of Admit
    let annaPage; // the organization's admin, in a browser context of her own
    let benPage; // the colleague she invites, in a third context
    let current; // the page a failed step's screenshot shows
    const state = {};

    before(async () => {
      assert.ok(existsSync(ADMIT_BIN), `ADMIT_BIN ${ADMIT_BIN} does not exist: run cargo build --bin admit`);
      db = makeDatabase();
      apiKey = createApiKey(db.url);
      createAdmin(db.url);
      server = await startServer(db.url, `team-${engine}-server.log`);
      browser = await launchChromium();
      const context = await browser.newContext({ baseURL: server.base, locale: 'en-US' });
      staffPage = await newPage(context);
      current = staffPage;
    }, { timeout: 120_000 });

    after(() => tearDown({ browser, server, db }), { timeout: 60_000 });

    const step = stepper(`team-${engine}`, { page: () => current, server: () => server });

    step('the API makes a partner with three customers, a partner portal and its admin', async () => {
      const post = (path, body) => apiCreate(server, apiKey, path, body);
      const partner = await post('/api/v1/organizations', { kind: 'partner', name: 'Partner Co' });
      const customers = [];
      for (const name of ['Customer One', 'Customer Two', 'Customer Three']) {
        customers.push(await post('/api/v1/organizations', { kind: 'customer', name }));
      }
      await post('/api/v1/partnerships', {
        partner_id: partner.id,
        name: 'North',
        customer_ids: customers.map((c) => c.id),
      });
      const portal = await post('/api/v1/portals', {
        name: PORTAL_NAME,
        kind: 'partner',
        base_url: 'https://partners.example.com',
        registration_mode: 'invitation_only',
        default_language: 'en',
        modules: [{ name: 'Customers' }, { name: 'Tasks' }, { name: 'Pricing', admin_only: true }],
      });
      state.portalId = String(portal.id);
      const contact = await post('/api/v1/contacts', {
        organization_id: partner.id,
        name: ADMIN_NAME,
        email: ADMIN_MAIL,
        language: 'en',
      });
      const account = await post('/api/v1/accounts', { contact_id: contact.id, portal_id: portal.id, role: 'admin' });
      assert.equal(account.registration, 'invited', `account: ${JSON.stringify(account)}`);
      state.annaId = String(account.id);
    });

    step('the admin of Admit logs in to the console', async () => {
      await staffPage.goto('/console/login');
      await staffPage.fill('input[name=email]', ADMIN_EMAIL);
      await staffPage.fill('input[name=password]', ADMIN_PASSWORD);
      await staffPage.getByRole('button', { name: 'Log in' }).click();
      await expectPath(staffPage, /^\/console(?!\/login$)(\/.*)?$/);
    });

    step("Anna's invitation arrives in the mailbox and holds the accept link", async () => {
      state.annaUrl = await acceptLinkFromMailbox(staffPage, ADMIN_MAIL, INVITATION_SUBJECT);
      assert.match(state.annaUrl, new RegExp(`/portal/${state.portalId}/accept\\?`), `the link is for portal ${state.portalId}`);
    });

    step('Anna accepts in her own browser, sets her password and logs in', async () => {
      const context = await browser.newContext({ baseURL: server.base, locale: 'en-US' });
      annaPage = await newPage(context);
      current = annaPage;
      await annaPage.goto(state.annaUrl);
      await expectPath(annaPage, `/portal/${state.portalId}/accept`);
      await expectText(annaPage.locator('h1'), 'Accept your invitation', 'h1');
      await expectText(annaPage.locator('#account-email'), ADMIN_MAIL, '#account-email');
      await setPassword(annaPage, state.portalId, ADMIN_PW);
      await logIn(annaPage, state.portalId, ADMIN_MAIL, ADMIN_PW);
      await expectText(annaPage.locator('h1'), `Welcome, ${ADMIN_NAME}`, 'h1');
    });

    step('Anna opens her team from the home page', async () => {
      await annaPage.getByRole('link', { name: 'Your team', exact: true }).click();
      await expectPath(annaPage, `/portal/${state.portalId}/team`);
      await expectText(annaPage.locator('h1'), 'Your team', 'h1');
      const me = annaPage.locator('#team tbody tr').filter({ hasText: ADMIN_MAIL });
      await expect1(me, `the row of ${ADMIN_MAIL}`);
      await expectText(me.locator('td').nth(1), 'Admin', 'her role');
      await expectText(me.locator('td').nth(2), 'Active', 'her status');
    });

    step('Anna invites Ben as a user with one module and two of the three customers', async () => {
      const form = annaPage.locator(`form[action="/portal/${state.portalId}/team/invite"]`);
      await form.locator('textarea[name=emails]').fill(USER_MAIL);
      await form.locator('select[name=role]').selectOption({ label: 'User' });

      const modules = form.locator('fieldset').filter({ has: annaPage.locator('legend', { hasText: /^Modules$/ }) });
      await modules.getByLabel('Tasks', { exact: true }).check();
      assert.equal(await modules.getByLabel('Customers', { exact: true }).isChecked(), false, 'module Customers is not ticked');

      // The customers of the partnership, in a fieldset of their own.
      const north = form.locator('fieldset fieldset').filter({ has: annaPage.locator('legend', { hasText: PARTNERSHIP }) });
      await expect1(north, `the fieldset "${PARTNERSHIP}"`);
      const boxes = north.locator('input[name=customers]');
      assert.equal(await boxes.count(), 3, `three customers under ${PARTNERSHIP}`);
      for (const value of await boxes.evaluateAll((els) => els.map((e) => e.value))) {
        assert.match(value, /^p\d+:\d+$/, 'a customer checkbox value');
      }
      await north.getByLabel('Customer One', { exact: true }).check();
      await north.getByLabel('Customer Three', { exact: true }).check();
      assert.equal(await north.getByLabel('Customer Two', { exact: true }).isChecked(), false, 'Customer Two is not ticked');
      assert.equal(await form.locator('input[name=customers]:checked').count(), 2, 'exactly two customers ticked');

      await form.getByRole('button', { name: 'Send the invitations' }).click();
      await expectPath(annaPage, `/portal/${state.portalId}/team`);
      await expectText(annaPage.locator('.flash'), 'Invitations sent: 1.', '.flash');
      const ben = annaPage.locator('#team tbody tr').filter({ hasText: USER_MAIL });
      await expect1(ben, `the row of ${USER_MAIL}`);
      await expectText(ben.locator('td').nth(1), 'User', "Ben's role");
      await expectText(ben.locator('td').nth(2), 'Invited', "Ben's status");
      await expectText(ben.locator('td').nth(3), `2 in ${PARTNERSHIP}`, "Ben's customers");
      await expectText(ben.locator('td').nth(4), 'Tasks', "Ben's modules");
    });

    step("Ben's invitation arrives in the mailbox; its accept page names Anna", async () => {
      current = staffPage;
      state.benUrl = await acceptLinkFromMailbox(staffPage, USER_MAIL, INVITATION_SUBJECT);
      assert.match(state.benUrl, new RegExp(`/portal/${state.portalId}/accept\\?`), `the link is for portal ${state.portalId}`);
      const context = await browser.newContext({ baseURL: server.base, locale: 'en-US' });
      benPage = await newPage(context);
      current = benPage;
      await benPage.goto(state.benUrl);
      await expectPath(benPage, `/portal/${state.portalId}/accept`);
      await expectText(benPage.locator('h1'), 'Accept your invitation', 'h1');
      await expectText(benPage.locator('#account-email'), USER_MAIL, '#account-email');
      await expectText(benPage.locator('#inviter'), ADMIN_NAME, '#inviter');
      await expectPageText(benPage, `Invited by ${ADMIN_NAME}`);
    });

    step('Ben sets his password and logs in', async () => {
      await setPassword(benPage, state.portalId, USER_PW);
      await logIn(benPage, state.portalId, USER_MAIL, USER_PW);
      // Only admins see the link to the team.
      assert.equal(await benPage.getByRole('link', { name: 'Your team' }).count(), 0, 'no link "Your team" for a user');
    });

    step('"Your access" shows Ben exactly the module and the two customers Anna chose', async () => {
      await benPage.getByRole('link', { name: 'Your access', exact: true }).click();
      await expectPath(benPage, `/portal/${state.portalId}/access`);
      await expectText(benPage.locator('h1'), 'Your access', 'h1');
      await expectText(benPage.locator('#my-role'), /^User$/, '#my-role');
      assert.deepEqual(await itemTexts(benPage.locator('#my-modules li')), ['Tasks'], '#my-modules');
      assert.deepEqual(await itemTexts(benPage.locator('#my-customers h3')), [PARTNERSHIP], '#my-customers h3');
      assert.deepEqual(
        (await itemTexts(benPage.locator('#my-customers li'))).sort(),
        ['Customer One', 'Customer Three'],
        '#my-customers li',
      );
    });

    step('Anna, the last active admin, cannot remove her own access', async () => {
      current = annaPage;
      await annaPage.goto(`/portal/${state.portalId}/team`);
      await annaPage.getByRole('link', { name: `Manage ${ADMIN_MAIL}`, exact: true }).click();
      await expectPath(annaPage, `/portal/${state.portalId}/team/${state.annaId}`);
      await expectText(annaPage.locator('h1'), ADMIN_NAME, 'h1');

      await annaPage.getByRole('link', { name: 'Remove access', exact: true }).click();
      await expectPath(annaPage, `/portal/${state.portalId}/team/${state.annaId}/remove`);
      await expectText(annaPage.locator('h1'), 'Remove this access?', 'h1');

      const answer = annaPage.waitForResponse(
        (r) => r.request().method() === 'POST' && new URL(r.url()).pathname === `/portal/${state.portalId}/team/${state.annaId}/remove`,
      );
      await annaPage.getByRole('button', { name: 'Remove access', exact: true }).click();
      const res = await answer;
      assert.equal(res.status(), 409, `POST .../remove answered HTTP ${res.status()}`);
      await expectText(annaPage.locator('h1'), 'Not possible', 'h1');
      await expectText(
        annaPage.locator('.message'),
        "This is your organization's last active admin on this portal",
        '.message',
      );
    });

    step('Anna is still an admin, still logged in, and her access is still there', async () => {
      const res = await annaPage.goto(`/portal/${state.portalId}/team`);
      assert.equal(res?.status(), 200, `GET /portal/${state.portalId}/team answered HTTP ${res?.status()}`);
      await expectPath(annaPage, `/portal/${state.portalId}/team`);
      await expectText(annaPage.locator('h1'), 'Your team', 'h1');
      const me = annaPage.locator('#team tbody tr').filter({ hasText: ADMIN_MAIL });
      await expect1(me, `the row of ${ADMIN_MAIL}`);
      await expectText(me.locator('td').nth(1), 'Admin', 'her role');
      await expectText(me.locator('td').nth(2), 'Active', 'her status');
      const ben = annaPage.locator('#team tbody tr').filter({ hasText: USER_MAIL });
      await expectText(ben.locator('td').nth(2), 'Active', "Ben's status, now that he has accepted");
    });
  });
}

/** The locator matches exactly one element (eventually: the page may still be loading). */
async function expect1(locator, what) {
  await eventually(async () => {
    assert.equal(await locator.count(), 1, `${what}: expected exactly one`);
  });
}

onBothDatabases('team', scenario);
