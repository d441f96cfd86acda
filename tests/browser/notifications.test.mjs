// Browser tests of the e-mail notifications, on SQLite and on PostgreSQL: the operator's
// system posts a portal's task categories and an open task through the API; a partner's admin
// (invited, password set from the Mail page's link) chooses a weekly digest about one category
// on the portal and is told when the next one comes (a Monday, 08:00); staff see that choice on
// the account's console page and make it daily; the digest is made at once (its subscription
// made due in the database, the scheduler polling every second), lands in the console's Mail
// page with the task and an unsubscribe link, and that link, opened without any login, stops
// the digests. Each choice is checked in the API too.
// In Debian's Chromium driven by playwright-core; the set-up and the helpers are in harness.mjs.
//
// Needs: ADMIT_BIN (the built `admit` binary; default ../../target/debug/admit),
// ADMIT_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres) and `psql`,
// CHROMIUM (default /usr/bin/chromium), and for SQLite one of the `sqlite3` command, Node's
// node:sqlite (Node.js >= 22.5) or python3 (the digest is made due behind the server's back).
// scripts/test provides all of them.
// With CI=true a missing service fails the test; locally an unreachable PostgreSQL skips
// the PostgreSQL group with a message.

import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  ADMIT_BIN,
  createAdmin,
  createApiKey,
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
  textOf,
} from './harness.mjs';

const PORTAL_NAME = 'Partner portal';
const PERSON_NAME = 'Nora Nolte';
const PERSON_MAIL = 'nora@partner.example';
const PERSON_PW = 'she keeps a good password';
const TASK_TITLE = 'Boiler service';
const TASK_LINK = 'https://crm.example.com/t/1';
/** The subjects of English e-mails (src/mail/defaults/en.toml, [invitation] and [digest]). */
const INVITATION_SUBJECT = `You are invited to ${PORTAL_NAME}`;
const DIGEST_SUBJECT = `1 open task on ${PORTAL_NAME}`;
/** The scheduler's poll, instead of the default 30 s, so that a due digest is made at once. */
const SERVER_ENV = { ADMIT_DIGEST_POLL_SECONDS: '1' };

// ---------------------------------------------------------------- set-up

/** Calls the API; the answer must have the `expected` status. Returns its JSON. */
async function api(cx, method, path, body, expected) {
  const res = await fetch(`${cx.server.base}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${cx.apiKey}`,
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

/** POST that makes something: 201 and an id. */
async function create(cx, path, body) {
  const json = await api(cx, 'POST', path, body, 201);
  assert.ok(json.id !== undefined && json.id !== null, `POST ${path}: an answer without id: ${JSON.stringify(json)}`);
  return json;
}

/** The account's digest preferences, as the API gives them. */
const preferences = (cx, accountId) => api(cx, 'GET', `/api/v1/accounts/${accountId}/notifications`, undefined, 200);

/** The next Monday at 08:00 UTC after `now` (today, if it is Monday before 08:00), as a Date. */
function nextMondayEightUtc(now = new Date()) {
  const t = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), 8));
  t.setUTCDate(t.getUTCDate() + ((8 - t.getUTCDay()) % 7)); // getUTCDay: Sunday 0, Monday 1
  if (t <= now) t.setUTCDate(t.getUTCDate() + 7);
  return t;
}

/** A day as the pages write it in English (src/web/notifications.rs): "Monday 7 December 2026, 08:00". */
function englishDay(t) {
  const month = t.toLocaleString('en-GB', { month: 'long', timeZone: 'UTC' });
  const weekday = t.toLocaleString('en-GB', { weekday: 'long', timeZone: 'UTC' });
  return `${weekday} ${t.getUTCDate()} ${month} ${t.getUTCFullYear()}, 08:00`;
}

// ---------------------------------------------------------------- what people do

/** Another person: a browser context without anyone's cookies. */
async function visitor(cx) {
  const context = await cx.browser.newContext({ baseURL: cx.server.base, locale: 'en-US' });
  const page = await newPage(context);
  cx.current = page;
  return page;
}

/**
 * Staff open the newest message with `subject` in /console/mail (mail goes out from a
 * background job, so it may take a moment), check it went to `to`, and return the HTML body's
 * links (text and href), its text and the text body.
 */
async function readMail(cx, subject, to) {
  const page = cx.staffPage;
  cx.current = page;
  await page.goto('/console/mail');
  const rows = page.locator('tbody tr').filter({ has: page.getByRole('link', { name: subject, exact: true }) });
  await eventually(async () => {
    if ((await rows.count()) === 0) {
      await page.reload();
      const subjects = await page.locator('tbody tr td:nth-child(3)').allTextContents();
      assert.ok((await rows.count()) > 0, `no message "${subject}" in /console/mail; the subjects there: ${JSON.stringify(subjects)}`);
    }
  }, 15_000, 300);
  const row = rows.first(); // the newest first
  await expectText(row.locator('td:nth-child(2)'), to, `the recipient of "${subject}"`);
  await row.getByRole('link', { name: subject, exact: true }).click();
  await expectPath(page, /^\/console\/mail\/[^/]+$/);
  await expectText(page.locator('h1'), subject, 'the message page h1');
  const body = page.frameLocator('iframe.mail').locator('body');
  await body.waitFor({ state: 'attached' });
  const links = await body.locator('a').evaluateAll((as) => as.map((a) => ({
    text: a.textContent.replace(/\s+/g, ' ').trim(),
    href: a.getAttribute('href') || '',
  })));
  const html = (await body.innerText()).replace(/\s+/g, ' ').trim();
  const text = await textOf(page.locator('pre.mail-text'));
  return { links, html, text };
}

/** The portal's notifications form. */
function notificationsForm(page, portalId) {
  return page.locator(`form[action="/portal/${portalId}/notifications"]`);
}

/** The checkbox of a category, by the name the person reads (its description follows it). */
function categoryBox(scope, name) {
  return scope.locator('#categories').getByRole('checkbox', { name: new RegExp(`^${name}\\b`) });
}

/** The radio buttons' values that are checked, and the ticked categories' values, in a form. */
async function chosen(form) {
  const frequency = await form.locator('input[name=frequency]:checked').evaluateAll((els) => els.map((e) => e.value));
  const categories = await form.locator('input[name=categories]:checked').evaluateAll((els) => els.map((e) => e.value));
  return { frequency, categories };
}

// ---------------------------------------------------------------- the scenario

function scenario(engine, makeDatabase) {
  describe(`notifications on ${engine}`, () => {
    const cx = { engine };
    const s = {};

    before(async () => {
      assert.ok(existsSync(ADMIT_BIN), `ADMIT_BIN ${ADMIT_BIN} does not exist: run cargo build --bin admit`);
      cx.db = makeDatabase();
      cx.apiKey = createApiKey(cx.db.url);
      createAdmin(cx.db.url);
      cx.server = await startServer(cx.db.url, `notifications-${engine}-server.log`, { env: SERVER_ENV });
      cx.browser = await launchChromium();
      const context = await cx.browser.newContext({ baseURL: cx.server.base, locale: 'en-US' });
      cx.staffPage = await newPage(context);
      cx.current = cx.staffPage;
    }, { timeout: 120_000 });

    after(() => tearDown(cx), { timeout: 60_000 });

    const step = stepper(`notifications-${engine}`, { page: () => cx.current, server: () => cx.server });

    step('the API makes a partner, its customer, a partner portal, its categories, a task and an admin', async () => {
      const partner = await create(cx, '/api/v1/organizations', { kind: 'partner', name: 'Partner Co' });
      const customer = await create(cx, '/api/v1/organizations', { kind: 'customer', name: 'Customer One' });
      await create(cx, '/api/v1/partnerships', { partner_id: partner.id, name: 'North', customer_ids: [customer.id] });
      const portal = await create(cx, '/api/v1/portals', {
        name: PORTAL_NAME,
        kind: 'partner',
        base_url: 'https://partners.example.com',
        registration_mode: 'invitation_only',
        default_language: 'en',
        modules: [{ name: 'Tasks' }],
      });
      s.portalId = String(portal.id);

      const categories = await api(cx, 'PUT', `/api/v1/portals/${s.portalId}/task-categories`, {
        categories: [
          { key: 'service_due', name_en: 'Service due', name_de: 'Wartung fällig', description_en: 'Maintenance that is due' },
          { key: 'invoices', name_en: 'Unpaid invoices' },
        ],
      }, 200);
      assert.deepEqual(categories.map((c) => c.key), ['service_due', 'invoices'], `the categories: ${JSON.stringify(categories)}`);

      const task = await api(cx, 'PUT', `/api/v1/portals/${s.portalId}/tasks/crm-1`, {
        customer_id: customer.id,
        category: 'service_due',
        title: TASK_TITLE,
        due_date: '2026-12-20',
        link: TASK_LINK,
      }, 201);
      assert.equal(task.title, TASK_TITLE, `the task: ${JSON.stringify(task)}`);

      const contact = await create(cx, '/api/v1/contacts', {
        organization_id: partner.id,
        name: PERSON_NAME,
        email: PERSON_MAIL,
        language: 'en',
      });
      const account = await create(cx, '/api/v1/accounts', { contact_id: contact.id, portal_id: portal.id, role: 'admin' });
      assert.equal(account.registration, 'invited', `account: ${JSON.stringify(account)}`);
      s.accountId = String(account.id);
    });

    step('the admin of Admit logs in to the console', async () => {
      const page = cx.staffPage;
      cx.current = page;
      await page.goto('/console/login');
      await page.fill('input[name=email]', ADMIN_EMAIL);
      await page.fill('input[name=password]', ADMIN_PASSWORD);
      await page.getByRole('button', { name: 'Log in' }).click();
      await expectPath(page, /^\/console(?!\/login$)(\/.*)?$/);
    });

    step('the invitation from the Mail page is accepted, a password set, and the person logs in', async () => {
      const mail = await readMail(cx, INVITATION_SUBJECT, PERSON_MAIL);
      const accept = mail.links[0]?.href || '';
      assert.match(accept, new RegExp(`/portal/${s.portalId}/accept\\?token=[0-9a-f]{64}(&|$)`), 'the first link of the invitation');

      const page = await visitor(cx);
      cx.personPage = page;
      await page.goto(accept);
      await expectPath(page, `/portal/${s.portalId}/accept`);
      await page.fill('input[name=password]', PERSON_PW);
      await page.fill('input[name=confirmation]', PERSON_PW);
      await page.getByRole('button', { name: 'Set password' }).click();
      await expectPath(page, `/portal/${s.portalId}/login`);
      await expectText(page.locator('.flash'), 'Your password is set', '.flash');

      await page.fill('input[name=email]', PERSON_MAIL);
      await page.fill('input[name=password]', PERSON_PW);
      await page.getByRole('button', { name: 'Log in', exact: true }).click();
      await expectPath(page, `/portal/${s.portalId}/`);
      await expectText(page.locator('h1'), `Welcome, ${PERSON_NAME}`, 'h1');
    });

    step('the person opens the notifications from the home page: nothing chosen yet', async () => {
      const page = cx.personPage;
      cx.current = page;
      await page.getByRole('link', { name: 'E-mail notifications', exact: true }).click();
      await expectPath(page, `/portal/${s.portalId}/notifications`);
      await expectText(page.locator('h1'), 'E-mail notifications', 'h1');
      const form = notificationsForm(page, s.portalId);
      // Both of the portal's categories, with the description where there is one.
      await expectText(form.locator('#categories'), 'Service due', '#categories');
      await expectText(form.locator('#categories'), 'Maintenance that is due', '#categories');
      await expectText(form.locator('#categories'), 'Unpaid invoices', '#categories');
      s.before = await chosen(form);
      assert.deepEqual(s.before.categories, [], 'no category is ticked at first');
    });

    step('the person chooses "Weekly" and "Service due", saves, and is told the next digest comes on a Monday at 08:00', async () => {
      const page = cx.personPage;
      const form = notificationsForm(page, s.portalId);
      await form.getByRole('radio', { name: /^Weekly/ }).check();
      await categoryBox(form, 'Service due').check();
      const savedFrom = new Date();
      const [res] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === `/portal/${s.portalId}/notifications`),
        form.getByRole('button', { name: 'Save', exact: true }).click(),
      ]);
      assert.equal(res.status(), 303, 'the status of the save');
      await expectPath(page, `/portal/${s.portalId}/notifications`);
      await expectText(page.locator('#saved'), 'Saved.', '#saved');
      const nextDue = await textOf(page.locator('#next-due'));
      assert.match(nextDue, /^Your next digest comes on Monday \d{1,2} [A-Z][a-z]+ \d{4}, 08:00 \(UTC\)\.$/, '#next-due');

      // The very Monday: the next one at 08:00 in the person's zone (UTC, nobody changed it).
      const prefs = await preferences(cx, s.accountId);
      assert.equal(prefs.time_zone, 'UTC', `the time zone: ${JSON.stringify(prefs)}`);
      // (Computed from the time before the save and after it, in case it fell on Monday 08:00.)
      const expected = [nextMondayEightUtc(savedFrom), nextMondayEightUtc()]
        .find((t) => t.getTime() === new Date(prefs.next_due_at).getTime());
      assert.ok(expected, `next_due_at ${prefs.next_due_at} is the next Monday at 08:00 UTC, ${nextMondayEightUtc().toISOString()}`);
      assert.ok(nextDue.includes(englishDay(expected)), `${JSON.stringify(nextDue)} names ${englishDay(expected)}`);
    });

    step('after a reload the choice is still ticked, and the API says weekly, service_due', async () => {
      const page = cx.personPage;
      await page.goto(`/portal/${s.portalId}/notifications`);
      const form = notificationsForm(page, s.portalId);
      assert.equal(await page.locator('#saved').count(), 0, 'no "Saved." after a plain reload');
      assert.deepEqual(await chosen(form), { frequency: ['weekly'], categories: ['service_due'] }, 'what the form shows');
      assert.equal(await categoryBox(form, 'Unpaid invoices').isChecked(), false, '"Unpaid invoices" is not ticked');

      const prefs = await preferences(cx, s.accountId);
      assert.equal(prefs.frequency, 'weekly', `the API: ${JSON.stringify(prefs)}`);
      assert.deepEqual(prefs.categories, ['service_due'], `the API: ${JSON.stringify(prefs)}`);
    });

    step("staff see the weekly choice on the account's console page and make it daily", async () => {
      const page = cx.staffPage;
      cx.current = page;
      s.accountPath = `/console/accounts/${s.accountId}`;
      await page.goto(s.accountPath);
      await expectText(page.locator('h1'), PERSON_MAIL, 'h1');
      const section = page.locator('section#notifications');
      await expectText(section.locator('h2'), 'Notifications', 'the section heading');
      await expectText(section.locator('#next-due'), /^Next digest: Monday .*, 08:00 \(UTC\)\.$/, '#next-due');
      const form = section.locator(`form[action="${s.accountPath}/notifications"]`);
      assert.deepEqual(await chosen(form), { frequency: ['weekly'], categories: ['service_due'] }, 'what the console shows');
      assert.equal(await form.getByRole('radio', { name: /^Weekly/ }).isChecked(), true, '"Weekly" is checked');

      await form.getByRole('radio', { name: 'Daily', exact: true }).check();
      await form.getByRole('button', { name: 'Save notifications', exact: true }).click();
      await expectPath(page, s.accountPath);
      await expectText(page.locator('.flash'), /^Notifications saved: the next digest comes on \w+day .*, 08:00 \(UTC\)\.$/, '.flash');
      assert.deepEqual(await chosen(page.locator(`form[action="${s.accountPath}/notifications"]`)),
        { frequency: ['daily'], categories: ['service_due'] }, 'what the console shows after the save');

      const prefs = await preferences(cx, s.accountId);
      assert.equal(prefs.frequency, 'daily', `the API: ${JSON.stringify(prefs)}`);
      assert.deepEqual(prefs.categories, ['service_due'], `the API: ${JSON.stringify(prefs)}`);
    });

    step('the digest, made due now, lands in the Mail page with the task and an unsubscribe link', async () => {
      // Instead of waiting for 08:00: the scheduler (polling every second) takes it at once.
      const subscriptions = await sql(cx.db, `SELECT COUNT(*) FROM digest_subscriptions WHERE account_id = ${s.accountId} AND frequency = 'daily'`);
      assert.equal(subscriptions, '1', 'the daily subscription in the database');
      await sql(cx.db, `UPDATE digest_subscriptions SET next_due_at = 0 WHERE account_id = ${s.accountId}`);

      const mail = await readMail(cx, DIGEST_SUBJECT, PERSON_MAIL);
      assert.ok(mail.html.includes(TASK_TITLE), `"${TASK_TITLE}" in the HTML body: ${JSON.stringify(mail.html)}`);
      assert.ok(mail.html.includes('Service due'), `the category in the HTML body: ${JSON.stringify(mail.html)}`);
      assert.ok(mail.text.includes(TASK_TITLE), `"${TASK_TITLE}" in the text body: ${JSON.stringify(mail.text)}`);
      const task = mail.links.find((l) => l.text === TASK_TITLE);
      assert.equal(task?.href, TASK_LINK, `the task's link: ${JSON.stringify(mail.links)}`);
      const unsubscribe = mail.links.find((l) => /unsubscribe/i.test(l.text));
      assert.ok(unsubscribe, `an unsubscribe link in the HTML body: ${JSON.stringify(mail.links)}`);
      assert.match(unsubscribe.href, new RegExp(`^${cx.server.base}/unsubscribe/[0-9a-f]{64}$`), 'the unsubscribe link');
      assert.ok(mail.text.includes(unsubscribe.href), `the same unsubscribe link in the text body: ${JSON.stringify(mail.text)}`);
      s.unsubscribeUrl = unsubscribe.href;
    });

    step("the account's console page lists the digest", async () => {
      const page = cx.staffPage;
      await page.goto(s.accountPath);
      const rows = page.locator('#digests tbody tr');
      await eventually(async () => assert.equal(await rows.count(), 1, 'one row in Recent digests'));
      const cells = (await rows.first().locator('td').allTextContents()).map((c) => c.replace(/\s+/g, ' ').trim());
      assert.equal(cells[1], '1', `the digest's tasks: ${JSON.stringify(cells)}`);
      assert.match(cells[3], /^message \d+$/, `the digest's e-mail: ${JSON.stringify(cells)}`);
    });

    step('the unsubscribe link, opened without a login, asks, and stops the digests', async () => {
      const page = await visitor(cx);
      const res = await page.goto(s.unsubscribeUrl);
      assert.equal(res?.status(), 200, `GET ${s.unsubscribeUrl}`);
      await expectText(page.locator('h1'), 'Stop the digests', 'h1');
      await expectText(page.locator('#portal-name'), PORTAL_NAME, 'whose digests');
      await expectText(page.locator('#question'), `Stop the digests to ${PERSON_MAIL}?`, 'the question');
      await expectText(page.locator('#unsubscribe-email'), PERSON_MAIL, '#unsubscribe-email');
      // The link changes nothing by itself (link scanners fetch it).
      assert.equal((await preferences(cx, s.accountId)).frequency, 'daily', 'the API before the button');

      await page.getByRole('button', { name: 'Stop the digests', exact: true }).click();
      await expectText(page.locator('#unsubscribed'), 'You will not get digests any more.', '#unsubscribed');
      await expectText(page.locator('main'), PERSON_MAIL, 'the address');
      const settings = await page.locator('#notification-settings').getAttribute('href');
      assert.ok((settings || '').endsWith(`/portal/${s.portalId}/notifications`), `the settings link: ${settings}`);

      const prefs = await preferences(cx, s.accountId);
      assert.equal(prefs.frequency, 'off', `the API: ${JSON.stringify(prefs)}`);
    });

    step("the person's own page now says the digests are off", async () => {
      const page = cx.personPage;
      cx.current = page;
      await page.goto(`/portal/${s.portalId}/notifications`);
      await expectText(page.locator('#next-due'), 'Digests are off: you get none.', '#next-due');
      assert.deepEqual((await chosen(notificationsForm(page, s.portalId))).frequency, ['off'], 'the frequency shown');
    });
  });
}

onBothDatabases('notifications', scenario);
