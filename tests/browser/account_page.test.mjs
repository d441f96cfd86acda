// Browser test of a portal account's console page and Undo, on SQLite and PostgreSQL: a staff
// member opens an account awaiting approval and sees Approve at the top, in the first screen and
// above the page's sections; approves; sees "Undo" beside the result message; undoes; and the
// account awaits approval again, its history saying so in words. Without JavaScript the
// in-page menu still leads to each section.
//
// The account is set up through the API, its registration in the database behind the server's
// back. In Debian's Chromium driven by playwright-core; the set-up is in harness.mjs.

import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import {
  ADMIT_BIN,
  apiPost,
  apiRequest,
  createAdmin,
  createApiKey,
  expectPath,
  expectText,
  launchChromium,
  newPage,
  onBothDatabases,
  sql,
  staffLogIn,
  startServer,
  stepper,
  tearDown,
} from './harness.mjs';

const PORTAL = 'Customer portal';
const ANNA = 'anna@sonnenschein.example';

function scenario(engine, makeDatabase) {
  describe(`the account page and Undo on ${engine}`, () => {
    let db;
    let server;
    let browser;
    let page;
    const s = {};

    before(async () => {
      assert.ok(existsSync(ADMIT_BIN), `ADMIT_BIN ${ADMIT_BIN} does not exist: run cargo build --bin admit`);
      db = makeDatabase();
      createAdmin(db.url);
      s.key = createApiKey(db.url);
      server = await startServer(db.url, `account-page-${engine}-server.log`);
      browser = await launchChromium();
      const context = await browser.newContext({
        baseURL: server.base, locale: 'en-US', viewport: { width: 1400, height: 900 }, javaScriptEnabled: false,
      });
      page = await newPage(context);
    }, { timeout: 120_000 });

    after(() => tearDown({ browser, server, db }), { timeout: 60_000 });

    const step = stepper(`account-page-${engine}`, { page: () => page, server: () => server });
    const get = (path) => apiRequest(server, s.key, 'GET', path, undefined, 200);

    step('set-up: an account awaiting approval', async () => {
      const portal = await apiPost(server, s.key, '/api/v1/portals', {
        name: PORTAL, kind: 'customer', base_url: 'https://portal.example.com',
        registration_mode: 'invitation_only', default_language: 'en', modules: [{ name: 'Invoices' }],
      });
      const org = await apiPost(server, s.key, '/api/v1/organizations', { kind: 'customer', name: 'Bäckerei Sonnenschein' });
      const contact = await apiPost(server, s.key, '/api/v1/contacts', {
        organization_id: org.id, name: 'Anna Sommer', email: ANNA, language: 'en',
      });
      const account = await apiPost(server, s.key, '/api/v1/accounts', {
        contact_id: contact.id, portal_id: portal.id, role: 'user', modules: ['Invoices'],
      });
      s.id = account.id;
      await sql(db, `UPDATE portal_accounts SET registration = 'registered', approval = 'pending' WHERE id = ${s.id}`);
      await staffLogIn(page);
    });

    step('Approve is at the top, in the first screen, above the sections', async () => {
      await page.goto(`/console/accounts/${s.id}`);
      await expectText(page.locator('#actions-heading'), 'Awaiting approval', 'the state');
      const approve = page.locator('#actions').getByRole('button', { name: 'Approve', exact: true });
      assert.equal(await approve.count(), 1, 'one Approve at the top');
      const button = await approve.boundingBox();
      const details = await page.locator('#details').boundingBox();
      assert.ok(button.y + button.height <= 900, `Approve in the first screen (at ${button.y})`);
      assert.ok(button.y < details.y, 'Approve above the details');
      // The in-page menu leads to each section, without JavaScript.
      for (const [name, id] of [['Details', 'details'], ['Access', 'access'], ['Sessions', 'sessions'], ['E-mails', 'emails'], ['History', 'history']]) {
        const link = page.locator('nav.page-menu').getByRole('link', { name, exact: true });
        assert.equal(await link.getAttribute('href'), `#${id}`);
        assert.equal(await page.locator(`section#${id}`).count(), 1, `the section ${id}`);
      }
      await approve.click();
      await expectText(page.locator('.flash'), `Approved: ${ANNA} on ${PORTAL}. The e-mail to ${ANNA} is queued.`, '.flash');
      await expectPath(page, `/console/accounts/${s.id}`);
      await expectText(page.locator('#actions-heading'), 'Active: can log in', 'the state');
      assert.equal((await get(`/api/v1/accounts/${s.id}`)).approval, 'approved');
    });

    step('Undo beside the message: the account awaits approval again', async () => {
      const undo = page.locator('form.undo').getByRole('button', { name: 'Undo', exact: true });
      await undo.click();
      await expectText(page.locator('.flash'), new RegExp(`^Undone: ${ANNA.replace('.', '\\.')} on ${PORTAL} is back to “Pending approval”\\.`), '.flash');
      await expectText(page.locator('#actions-heading'), 'Awaiting approval', 'the state');
      assert.equal((await get(`/api/v1/accounts/${s.id}`)).approval, 'pending');
      assert.equal(await page.locator('form.undo').count(), 0, 'no Undo of the Undo');
      await expectText(page.locator('#history ol'), 'Approval undone by admin', 'the history');
      await expectText(page.locator('#history ol'), 'Approved by admin', 'the history');
      // A reload shows no Undo any more: it goes with its message.
      await page.reload();
      assert.equal(await page.locator('form.undo').count(), 0, 'no Undo after a reload');
    });
  });
}

onBothDatabases('the account page and Undo', scenario);
