// Browser test of the time zone offer: a person whose browser is in Europe/Berlin (Chromium's
// time zone set for the context) logs in to a portal for the first time; their account has the
// portal's zone, UTC, so the home page offers "Use Europe/Berlin as your time zone?". Nothing
// changes until they accept; then the zone is stored and the portal's times read in Berlin
// time. The same scenario on SQLite and on PostgreSQL, in Debian's Chromium driven by
// playwright-core. The set-up (database, server, browser) and the helpers are in harness.mjs.
//
// Needs: ADMIT_BIN (the built `admit` binary; default ../../target/debug/admit),
// ADMIT_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres) and `psql`,
// CHROMIUM (default /usr/bin/chromium). scripts/test provides all of them.

import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import {
  ADMIT_BIN,
  apiPost,
  apiRequest,
  createApiKey,
  createAdmin,
  eventually,
  expectPath,
  expectText,
  launchChromium,
  newPage,
  onBothDatabases,
  sql,
  startServer,
  stepper,
  tearDown,
} from './harness.mjs';

const EMAIL = 'erika@nordlicht.example';
const PASSWORD = 'ein sehr gutes Passwort';
const ZONE = 'Europe/Berlin';

/** A time as the portal writes it in English, `5 Dec 2026, 07:30`, in `zone`. */
function portalTime(ms, zone) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone: zone,
      day: 'numeric',
      month: 'short',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(new Date(ms))
      .map((p) => [p.type, p.value]),
  );
  return `${parts.day} ${parts.month} ${parts.year}, ${parts.hour}:${parts.minute}`;
}

function scenario(engine, makeDatabase) {
  describe(`time zone offer on ${engine}`, () => {
    let db;
    let server;
    let browser;
    let apiKey;
    let page; // the person, in a browser whose zone is Berlin
    const state = {};

    before(async () => {
      assert.ok(existsSync(ADMIT_BIN), `ADMIT_BIN ${ADMIT_BIN} does not exist: run cargo build --bin admit`);
      db = makeDatabase();
      apiKey = createApiKey(db.url);
      createAdmin(db.url);
      server = await startServer(db.url, `time-zone-${engine}-server.log`);
      browser = await launchChromium();
      const context = await browser.newContext({ baseURL: server.base, locale: 'en-GB', timezoneId: ZONE });
      page = await newPage(context);
    }, { timeout: 120_000 });

    after(() => tearDown({ browser, server, db }), { timeout: 60_000 });

    const step = stepper(`time-zone-${engine}`, { page: () => page, server: () => server });

    step('a person is invited to a portal whose zone is UTC', async () => {
      const org = await apiPost(server, apiKey, '/api/v1/organizations', { kind: 'customer', name: 'Nordlicht GmbH' });
      const contact = await apiPost(server, apiKey, '/api/v1/contacts', {
        organization_id: org.id,
        name: 'Erika Muster',
        email: EMAIL,
        language: 'en',
      });
      const portal = await apiPost(server, apiKey, '/api/v1/portals', {
        name: 'Customer portal',
        kind: 'customer',
        base_url: 'https://portal.example.com',
        registration_mode: 'invitation_only',
        default_language: 'en',
      });
      assert.equal(portal.default_time_zone, 'UTC', JSON.stringify(portal));
      state.portalId = portal.id;
      const account = await apiPost(server, apiKey, '/api/v1/accounts', { contact_id: contact.id, portal_id: portal.id });
      assert.equal(account.time_zone, 'UTC', JSON.stringify(account));
      state.accountId = account.id;
    });

    step('the invitation is accepted in the Berlin browser', async () => {
      // The invitation's link, from the built-in mailbox.
      const link = await eventually(async () => {
        const text = await sql(db, `SELECT text_body FROM mailbox_messages WHERE recipient = '${EMAIL}'`);
        const m = text.match(/https?:\/\/\S+\/accept\?token=[0-9a-f]{64}\S*/);
        assert.ok(m, `no invitation link in the mailbox yet: ${text}`);
        return m[0];
      }, 15_000, 300);
      await page.goto(new URL(link).pathname + new URL(link).search);
      await page.fill('input[name=password]', PASSWORD);
      await page.fill('input[name=confirmation]', PASSWORD);
      await page.locator('form:has(input[name=confirmation]) button[type=submit]').click();
      await expectPath(page, `/portal/${state.portalId}/login`);
    });

    step('at the first login the home page offers the browser zone', async () => {
      await page.fill('input[name=email]', EMAIL);
      await page.fill('input[name=password]', PASSWORD);
      await page.locator('form:has(input[name=email]) button[type=submit]').click();
      await expectPath(page, `/portal/${state.portalId}/`);
      const offer = page.locator('#zone-offer');
      await offer.waitFor({ state: 'visible' });
      await expectText(offer, `Your device is set to ${ZONE}. Use it as your time zone?`, '#zone-offer');
      await expectText(offer.locator('[data-keep]'), 'Keep UTC', 'the keep button');
      // Offered, not changed.
      const account = await apiRequest(server, apiKey, 'GET', `/api/v1/accounts/${state.accountId}`, undefined, 200);
      assert.equal(account.time_zone, 'UTC', 'nothing changes before the person says so');
    });

    step('"Keep" hides the offer, also after a reload, and changes nothing', async () => {
      const offer = page.locator('#zone-offer');
      await offer.locator('[data-keep]').click();
      await offer.waitFor({ state: 'hidden' });
      await page.reload();
      await page.waitForLoadState('load');
      await expectText(page.locator('h1'), 'Welcome', 'h1');
      assert.equal(await offer.isVisible(), false, 'kept: no offer after a reload');
      const account = await apiRequest(server, apiKey, 'GET', `/api/v1/accounts/${state.accountId}`, undefined, 200);
      assert.equal(account.time_zone, 'UTC');
      // The choice is remembered in this browser only: forgotten, the offer comes back.
      await page.evaluate(() => window.localStorage.clear());
      await page.reload();
      await offer.waitFor({ state: 'visible' });
    });

    step('accepting stores the zone, and portal times show in it', async () => {
      await page.getByRole('button', { name: 'Use this time zone' }).click();
      await expectPath(page, `/portal/${state.portalId}/account`);
      await expectText(page.locator('.flash'), 'Saved', '.flash');
      assert.equal(await page.locator('select[name=time_zone]').inputValue(), ZONE);
      const account = await apiRequest(server, apiKey, 'GET', `/api/v1/accounts/${state.accountId}`, undefined, 200);
      assert.equal(account.time_zone, ZONE);
      // The session's start, listed on the account page, in Berlin time.
      const started = Number(await sql(db, `SELECT MAX(created_at) FROM portal_sessions WHERE account_id = ${state.accountId}`));
      const sessions = (await page.locator('form.sessions').innerText()).replace(/\s+/g, ' ');
      assert.ok(sessions.includes(portalTime(started, ZONE)), `${portalTime(started, ZONE)} in: ${sessions}`);
      if (portalTime(started, ZONE) !== portalTime(started, 'UTC')) {
        assert.ok(!sessions.includes(portalTime(started, 'UTC')), `no UTC time in: ${sessions}`);
      }
    });

    step('the home page no longer offers it', async () => {
      await page.goto(`/portal/${state.portalId}/`);
      await expectText(page.locator('h1'), 'Welcome', 'h1');
      // The script has run (it is deferred): the offer stays hidden.
      await page.waitForLoadState('load');
      assert.equal(await page.locator('#zone-offer').isVisible(), false);
    });
  });
}

onBothDatabases('time zone offer', scenario);
