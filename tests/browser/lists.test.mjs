// Browser tests of the console's lists, on SQLite and PostgreSQL:
//
// 1. the organization list sorted by a click on the "Name" heading (names in the language's
//    order: "Ärzte" next to "Arzt", "Bäckerei" before "Bodensee"), then the other way, the
//    heading saying which (aria-sort);
// 2. paged forward and back, with the count ("1–50 of 57") and the order kept;
// 3. on the access list, every row ticked and cleared from the heading's box; two rows ticked
//    and approved at once: the result names each, the rows show "approved", and nothing else
//    changed.
//
// The set-up is in harness.mjs (Debian's Chromium driven by playwright-core).

import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import {
  ADMIT_BIN,
  apiPost,
  apiRequest,
  createAdmin,
  createApiKey,
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

const NAMES = ['Arzt Müller', 'Ärzte am Markt', 'Bäckerei Wolf', 'Bodensee Fisch', 'Zander GmbH'];

function scenario(engine, makeDatabase) {
  describe(`lists on ${engine}`, () => {
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
      server = await startServer(db.url, `lists-${engine}-server.log`);
      browser = await launchChromium();
      const context = await browser.newContext({ baseURL: server.base, locale: 'en-US' });
      page = await newPage(context);
    }, { timeout: 120_000 });

    after(() => tearDown({ browser, server, db }), { timeout: 60_000 });

    const step = stepper(`lists-${engine}`, { page: () => page, server: () => server });
    const get = (path) => apiRequest(server, s.key, 'GET', path, undefined, 200);

    /** The organization names on the page, in order. */
    const names = () => page.locator('tbody tr td:first-child a').allTextContents();

    step('set-up: 57 organizations, and accounts waiting for approval', async () => {
      for (const name of [NAMES[3], NAMES[4], NAMES[1], NAMES[2], NAMES[0]]) {
        await apiPost(server, s.key, '/api/v1/organizations', { kind: 'customer', name });
      }
      const org = await apiPost(server, s.key, '/api/v1/organizations', { kind: 'customer', name: 'Nordlicht GmbH' });
      await sql(db, "INSERT INTO organizations (kind, name, search_text, created_at, updated_at) "
        + "SELECT 'partner', 'Filler ' || (a.i * 10 + b.i), 'filler', 0, 0 FROM "
        + '(SELECT 0 AS i UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5) a, '
        + '(SELECT 0 AS i UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 '
        + 'UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) b '
        + 'WHERE a.i * 10 + b.i < 51');
      const portal = await apiPost(server, s.key, '/api/v1/portals', {
        name: 'Customer portal', kind: 'customer', base_url: 'https://portal.example.com',
        registration_mode: 'invitation_only', default_language: 'en',
      });
      s.accounts = [];
      for (const who of ['anna', 'bert', 'carl']) {
        const contact = await apiPost(server, s.key, '/api/v1/contacts', {
          organization_id: org.id, name: who, email: `${who}@nordlicht.example`, language: 'en',
        });
        const a = await apiPost(server, s.key, '/api/v1/accounts', { contact_id: contact.id, portal_id: portal.id });
        s.accounts.push(a.id);
      }
      await sql(db, `UPDATE portal_accounts SET registration = 'registered', approval = 'pending' WHERE id IN (${s.accounts.join(', ')})`);
      await staffLogIn(page);
    });

    step('a click on "Name" sorts by name, a second the other way', async () => {
      await page.goto('/console/organizations?kind=customer');
      await page.locator('thead').getByRole('link', { name: 'Kind' }).click();
      await expectText(page.locator('th[aria-sort="ascending"]'), 'Kind', 'sorted by kind');
      await page.locator('thead').getByRole('link', { name: 'Name' }).click();
      await expectText(page.locator('th[aria-sort="ascending"]'), 'Name', 'sorted by name');
      assert.deepEqual((await names()).filter((n) => NAMES.includes(n)), NAMES);
      await page.locator('thead').getByRole('link', { name: 'Name' }).click();
      await expectText(page.locator('th[aria-sort="descending"]'), 'Name', 'the other way');
      assert.deepEqual((await names()).filter((n) => NAMES.includes(n)), [...NAMES].reverse());
      assert.equal(new URL(page.url()).searchParams.get('kind'), 'customer', 'the filter is kept');
    });

    step('pages forward and back, counted, in the same order', async () => {
      // The list's own order is by name, ascending.
      await page.goto('/console/organizations');
      await expectText(page.locator('th[aria-sort="ascending"]'), 'Name', 'sorted by name');
      await expectText(page.locator('#list-count'), '1–50 of 57', 'the count');
      const first = await names();
      assert.equal(first.length, 50);
      assert.deepEqual(first.slice(0, 4), NAMES.slice(0, 4));
      await page.getByRole('link', { name: 'Next page' }).click();
      await expectText(page.locator('#list-count'), '51–57 of 57', 'the second page');
      const second = await names();
      assert.equal(second.length, 7);
      assert.ok(second.includes('Zander GmbH') && second.includes('Nordlicht GmbH'), JSON.stringify(second));
      assert.equal(await page.getByRole('link', { name: 'Next page' }).count(), 0, 'the last page');
      await page.getByRole('link', { name: 'Previous page' }).click();
      await expectText(page.locator('#list-count'), '1–50 of 57', 'back');
      assert.deepEqual(await names(), first);
      await expectText(page.locator('th[aria-sort="ascending"]'), 'Name', 'still sorted by name');
    });

    step('two rows ticked on the access list are approved, each said', async () => {
      await page.goto('/console/access?approval=pending');
      await expectText(page.locator('#list-count'), '1–3 of 3', 'three wait');
      assert.equal(await page.locator('input[type=checkbox][form=bulk]:checked').count(), 0, 'nothing ticked');
      // The box in the heading ticks every row of the page, and clears them again.
      await page.getByLabel('Select every account on this page').check();
      assert.equal(await page.locator('input[type=checkbox][form=bulk]:checked').count(), 3, 'all ticked');
      await page.getByLabel('Select every account on this page').uncheck();
      assert.equal(await page.locator('input[type=checkbox][form=bulk]:checked').count(), 0, 'all cleared');
      await page.getByLabel('Select anna@nordlicht.example').check();
      await page.getByLabel('Select bert@nordlicht.example').check();
      await page.locator('form#bulk').getByRole('button', { name: 'Approve', exact: true }).click();
      await expectText(page.locator('h1'), 'Approved: 2 of 2', 'the result');
      await expectText(page.locator('#bulk-result'), 'anna@nordlicht.example', 'Anna named');
      await expectText(page.locator('#bulk-result'), 'bert@nordlicht.example', 'Bert named');
      await page.getByRole('link', { name: 'Back to the list' }).click();
      await expectText(page.locator('#list-count'), '1–1 of 1', 'one waits');
      const approvals = await Promise.all(s.accounts.map(async (id) => (await get(`/api/v1/accounts/${id}`)).approval));
      assert.deepEqual(approvals, ['approved', 'approved', 'pending']);
      await page.goto('/console/access?q=nordlicht');
      const row = page.locator('tbody tr').filter({ hasText: 'anna@nordlicht.example' });
      await expectText(row.locator('.badge-ok').filter({ hasText: 'approved' }), 'approved', "Anna's badge");
    });
  });
}

onBothDatabases('lists', scenario);
