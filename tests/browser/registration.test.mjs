// Browser tests of the portal's ways in and out, each on SQLite and on PostgreSQL, each with a
// database, a server and a browser of its own:
//
// 1. self-registration on a portal that staff approve by hand: the person registers, confirms
//    the address with the link from the built-in mailbox, is told to wait, is refused at the
//    login until staff approve on the account's page with a message, then logs in;
// 2. an invitation link that expired (made so in the database, not by waiting): the page says
//    so, a new link is asked for, and the new invitation's link works;
// 3. a person logged in whose access staff switch off: the next page goes to the login page,
//    and logging in says "User deactivated."
//
// In Debian's Chromium driven by playwright-core; the set-up and the helpers are in harness.mjs.
//
// Needs: ADMIT_BIN (the built `admit` binary; default ../../target/debug/admit),
// ADMIT_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres) and `psql`,
// CHROMIUM (default /usr/bin/chromium), and for SQLite one of the `sqlite3` command, Node's
// node:sqlite (Node.js >= 22.5) or python3 (scenario 2 changes the database behind the server).
// scripts/test provides all of them.

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

const PORTAL_NAME = 'Installer portal';
const PASSWORD = 'a rather good passphrase here';

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

const apiPost = (cx, path, body, expected = 201) => api(cx, 'POST', path, body, expected);

function hasId(what, x) {
  assert.ok(x && x.id !== undefined && x.id !== null, `${what} without id: ${JSON.stringify(x)}`);
  return x.id;
}

/** An organization, a contact in it and a portal, made through the API. */
async function directory(cx, { contactName, contactEmail, portal }) {
  const orgId = hasId('organization', await apiPost(cx, '/api/v1/organizations', { kind: 'customer', name: 'Sonnenschein Solar GmbH' }));
  const contactId = hasId('contact', await apiPost(cx, '/api/v1/contacts', {
    organization_id: orgId,
    name: contactName,
    email: contactEmail,
    language: 'en',
  }));
  const portalId = hasId('portal', await apiPost(cx, '/api/v1/portals', {
    name: PORTAL_NAME,
    kind: 'customer',
    base_url: 'https://portal.example.com',
    default_language: 'en',
    ...portal,
  }));
  return { orgId, contactId, portalId: String(portalId) };
}

/**
 * Declares one scenario on one database: before it, a fresh database with an API key and the
 * admin, `admit serve`, Chromium and the staff's page; after it, all of that goes.
 * `body(step, cx)` declares the steps; `cx.current` is the page a failed step's screenshot shows.
 */
function scenario(slug, title, body) {
  return (engine, makeDatabase) => {
    describe(`${title} on ${engine}`, () => {
      const cx = { engine, state: {} };

      before(async () => {
        assert.ok(existsSync(ADMIT_BIN), `ADMIT_BIN ${ADMIT_BIN} does not exist: run cargo build --bin admit`);
        cx.db = makeDatabase();
        cx.apiKey = createApiKey(cx.db.url);
        createAdmin(cx.db.url);
        cx.server = await startServer(cx.db.url, `${slug}-${engine}-server.log`);
        cx.browser = await launchChromium();
        const context = await cx.browser.newContext({ baseURL: cx.server.base, locale: 'en-US' });
        cx.staffPage = await newPage(context);
        cx.current = cx.staffPage;
      }, { timeout: 120_000 });

      after(() => tearDown(cx), { timeout: 60_000 });

      const step = stepper(`${slug}-${engine}`, { page: () => cx.current, server: () => cx.server });
      body(step, cx);
    });
  };
}

// ---------------------------------------------------------------- what people do

/** Another person: a browser context without the console's cookies. */
async function visitor(cx) {
  const context = await cx.browser.newContext({ baseURL: cx.server.base, locale: 'en-US' });
  cx.visitorPage = await newPage(context);
  cx.current = cx.visitorPage;
  return cx.visitorPage;
}

async function staffLogsIn(cx) {
  const page = cx.staffPage;
  cx.current = page;
  await page.goto('/console/login');
  await page.fill('input[name=email]', ADMIN_EMAIL);
  await page.fill('input[name=password]', ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expectPath(page, /^\/console(?!\/login$)(\/.*)?$/);
}

/**
 * Staff open the newest message with `subject` in /console/mail, once there are at least
 * `count` of them (mail goes out from a background job, so it may take a moment), and check
 * it went to `to`. Returns the first link of its HTML body ('' when it has none), the HTML
 * body's text and the text body.
 */
async function readMail(cx, subject, to, count = 1) {
  const page = cx.staffPage;
  cx.current = page;
  await page.goto('/console/mail');
  const rows = page.locator('tbody tr').filter({ has: page.getByRole('link', { name: subject, exact: true }) });
  await eventually(async () => {
    const n = await rows.count();
    if (n < count) {
      await page.reload();
      const subjects = await page.locator('tbody tr td:nth-child(3)').allTextContents();
      assert.ok((await rows.count()) >= count,
        `expected ${count} message(s) "${subject}" in /console/mail, found ${n}; the subjects there: ${JSON.stringify(subjects)}`);
    }
  }, 10_000, 300);
  const row = rows.first(); // the newest first
  await expectText(row.locator('td:nth-child(2)'), to, `the recipient of "${subject}"`);
  await row.getByRole('link', { name: subject, exact: true }).click();
  await expectPath(page, /^\/console\/mail\/[^/]+$/);
  await expectText(page.locator('h1'), subject, 'the message page h1');
  const body = page.frameLocator('iframe.mail').locator('body');
  await body.waitFor({ state: 'attached' });
  const links = body.locator('a');
  const href = (await links.count()) > 0 ? await links.first().getAttribute('href') : null;
  const html = (await body.innerText()).replace(/\s+/g, ' ').trim();
  const text = await textOf(page.locator('pre.mail-text'));
  return { href: href || '', html, text };
}

/** Fills in the portal's login form and sends it; returns the HTTP status of the answer. */
async function portalLogIn(page, portalId, email, password) {
  if (!new URL(page.url()).pathname.endsWith('/login')) await page.goto(`/portal/${portalId}/login`);
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', password);
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === `/portal/${portalId}/login`),
    page.getByRole('button', { name: 'Log in', exact: true }).click(),
  ]);
  return res.status();
}

/** The value of the row `name` in the console account page's table of statuses. */
function statusRow(page, name) {
  return page.locator('table.details tr').filter({ has: page.getByRole('rowheader', { name, exact: true }) }).locator('td');
}

// ---------------------------------------------------------------- 1. register, approve, log in

const REG_NAME = 'Jonas Becker';
const REG_EMAIL = 'jonas.becker@sonnenschein.example';
const APPROVAL_MESSAGE = 'Welcome aboard, Jonas: your installer documents are in the portal.';

onBothDatabases('self-registration', scenario('registration', 'self-registration with manual approval', (step, cx) => {
  const s = cx.state;

  step('the API makes a portal that staff approve registrations on, and the contact', async () => {
    const d = await directory(cx, {
      contactName: REG_NAME,
      contactEmail: REG_EMAIL,
      portal: { registration_mode: 'self_manual', self_registration_creates_contact: false },
    });
    Object.assign(s, d);
  });

  step('the admin logs in to the console', () => staffLogsIn(cx));

  step('the visitor follows "Register" from the login page', async () => {
    const page = await visitor(cx);
    await page.goto(`/portal/${s.portalId}/login`);
    await expectText(page.locator('h1'), 'Log in', 'h1');
    await page.getByRole('link', { name: 'Register', exact: true }).click();
    await expectPath(page, `/portal/${s.portalId}/register`);
    await expectText(page.locator('h1'), 'Register', 'h1');
    await expectText(page.locator('main, body').first(), `Ask for access to ${PORTAL_NAME}`, 'the page');
  });

  step('the visitor registers and is asked to check their e-mail', async () => {
    const page = cx.visitorPage;
    await page.getByLabel('Your name', { exact: true }).fill(REG_NAME);
    await page.getByLabel('Company', { exact: true }).fill('Sonnenschein Solar');
    await page.getByLabel('E-mail', { exact: true }).fill(REG_EMAIL);
    await page.getByLabel('Phone (optional)', { exact: true }).fill('+49 30 1234567');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Password again', { exact: true }).fill(PASSWORD);
    const [res] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === `/portal/${s.portalId}/register`),
      page.getByRole('button', { name: 'Register', exact: true }).click(),
    ]);
    await expectText(page.locator('.flash'), 'Please check your e-mail', `.flash (HTTP ${res.status()})`);
    assert.equal(res.status(), 200, 'the status of the registration');
    assert.equal(await page.locator('input[name=password]').count(), 0, 'the form is gone once it is sent');
  });

  step('the activation e-mail arrives in the mailbox and holds the confirmation link', async () => {
    const mail = await readMail(cx, `Confirm your e-mail address for ${PORTAL_NAME}`, REG_EMAIL);
    assert.match(mail.href, new RegExp(`/portal/${s.portalId}/activate\\?token=[0-9a-f]{64}&lang=en$`), 'the first link of the HTML body');
    s.activateUrl = mail.href;
  });

  step('the visitor opens the link, sees their address and confirms it: access awaits approval', async () => {
    const page = cx.visitorPage;
    cx.current = page;
    const res = await page.goto(s.activateUrl);
    assert.equal(res?.status(), 200, `GET ${s.activateUrl}`);
    await expectPath(page, `/portal/${s.portalId}/activate`);
    await expectText(page.locator('h1'), 'Confirm your e-mail address', 'h1');
    await expectText(page.locator('#account-email'), REG_EMAIL, '#account-email');
    await page.getByRole('button', { name: 'Confirm my e-mail address' }).click();
    await expectText(page.locator('p.message'), 'Your e-mail address is confirmed', 'p.message');
    await expectText(page.locator('p.message'), 'awaits approval', 'p.message');
  });

  step('logging in before approval says the account is awaiting approval', async () => {
    const page = cx.visitorPage;
    const status = await portalLogIn(page, s.portalId, REG_EMAIL, PASSWORD);
    await expectText(page.locator('.error'), 'Your account is awaiting approval.', `.error (HTTP ${status})`);
    await expectPath(page, `/portal/${s.portalId}/login`);
    assert.equal(status, 403, 'the status of a refused login');
  });

  step('staff find the account under Access, filtered by "Pending approval"', async () => {
    const page = cx.staffPage;
    cx.current = page;
    await page.goto('/console/access');
    await page.selectOption('select[name=approval]', { label: 'Pending approval' });
    await page.getByRole('button', { name: 'Filter' }).click();
    await eventually(() => assert.equal(new URL(page.url()).searchParams.get('approval'), 'pending', `approval=pending in ${page.url()}`));
    const row = page.locator('tbody tr').filter({ hasText: REG_EMAIL });
    await eventually(async () => assert.equal(await row.count(), 1, `one row for ${REG_EMAIL} in the filtered list`));
    const cells = (await row.locator('td').allTextContents()).map((c) => c.replace(/\s+/g, ' ').trim());
    assert.ok(cells.includes('pending approval'), `the row's approval: ${JSON.stringify(cells)}`);
    // The contact with the same address was linked when the address was confirmed.
    assert.ok(cells.includes('assigned'), `the row's assignment: ${JSON.stringify(cells)}`);
    // The row's name leads to the contact, its e-mail to the account's page.
    assert.equal(await row.getByRole('link', { name: REG_NAME }).getAttribute('href'), `/console/contacts/${s.contactId}`);
    await row.getByRole('link', { name: REG_EMAIL }).click();
    s.accountPath = await expectPath(page, /^\/console\/accounts\/\d+$/);
    await expectText(page.locator('h1'), REG_EMAIL, 'h1');
    await expectText(statusRow(page, 'Approval'), 'Pending approval', 'the Approval row');
    await expectText(statusRow(page, 'Linked contact'), REG_NAME, 'the Linked contact row');
    await expectText(statusRow(page, 'Registration'), 'Registered', 'the Registration row');
  });

  step('staff approve on the account page, with a message', async () => {
    const page = cx.staffPage;
    const form = page.locator('form').filter({ has: page.getByRole('heading', { name: 'Approve or decline, with a message' }) });
    await form.getByLabel(/Message for the e-mail/).fill(APPROVAL_MESSAGE);
    await form.getByRole('button', { name: 'Approve', exact: true }).click();
    await expectText(page.locator('.flash'), `Approved: ${REG_EMAIL} on ${PORTAL_NAME}. The e-mail to ${REG_EMAIL} is queued.`, '.flash');
    await expectPath(page, s.accountPath);
    await expectText(statusRow(page, 'Approval'), 'Approved', 'the Approval row');
  });

  step('the approval e-mail with the message arrives in the mailbox', async () => {
    const mail = await readMail(cx, `Your access to ${PORTAL_NAME} is approved`, REG_EMAIL);
    assert.ok(mail.text.includes(APPROVAL_MESSAGE), `the staff's message in the text body: ${JSON.stringify(mail.text)}`);
    assert.ok(mail.html.includes(APPROVAL_MESSAGE), `the staff's message in the HTML body: ${JSON.stringify(mail.html)}`);
    // The login page's address is in the text (the HTML body shows it as text, not as a link).
    const login = `${cx.server.base}/portal/${s.portalId}/login`;
    assert.ok(mail.text.includes(login), `${login} in the text body: ${JSON.stringify(mail.text)}`);
  });

  step('the visitor logs in and is welcomed by name', async () => {
    const page = cx.visitorPage;
    cx.current = page;
    await page.goto(`/portal/${s.portalId}/login`);
    const status = await portalLogIn(page, s.portalId, REG_EMAIL, PASSWORD);
    await expectPath(page, `/portal/${s.portalId}/`);
    assert.equal(status, 303, 'the status of the login');
    await expectText(page.locator('h1'), `Welcome, ${REG_NAME}`, 'h1');
    await expectText(page.locator('#account-email'), REG_EMAIL, '#account-email');
  });
}));

// ---------------------------------------------------------------- 2. an expired invitation link

const EXP_NAME = 'Mara Klein';
const EXP_EMAIL = 'mara.klein@sonnenschein.example';

onBothDatabases('expired link', scenario('expired', 'an expired invitation link', (step, cx) => {
  const s = cx.state;

  step('the API grants a contact access, by invitation', async () => {
    Object.assign(s, await directory(cx, {
      contactName: EXP_NAME,
      contactEmail: EXP_EMAIL,
      portal: { registration_mode: 'invitation_only' },
    }));
    const account = await apiPost(cx, '/api/v1/accounts', { contact_id: s.contactId, portal_id: Number(s.portalId), role: 'user' });
    assert.equal(account.registration, 'invited', `account: ${JSON.stringify(account)}`);
  });

  step('the admin logs in to the console', () => staffLogsIn(cx));

  step('the invitation arrives in the mailbox', async () => {
    const mail = await readMail(cx, `You are invited to ${PORTAL_NAME}`, EXP_EMAIL);
    assert.match(mail.href, new RegExp(`/portal/${s.portalId}/accept\\?token=[0-9a-f]{64}&lang=en$`), 'the first link of the HTML body');
    s.oldUrl = mail.href;
  });

  step('the link expires (in the database, instead of waiting a week)', async () => {
    // The link's row is made when the e-mail goes out, so only now is there one to change.
    await sql(cx.db, "UPDATE account_tokens SET expires_at = 1 WHERE purpose = 'invitation' AND used_at IS NULL");
    const n = await sql(cx.db, "SELECT COUNT(*) FROM account_tokens WHERE purpose = 'invitation' AND expires_at = 1");
    assert.equal(n, '1', 'invitation links expired');
  });

  step('the expired link says it no longer works and offers a new one', async () => {
    const page = await visitor(cx);
    const res = await page.goto(s.oldUrl);
    await expectText(page.locator('h1'), 'This link no longer works', `h1 (HTTP ${res?.status()})`);
    assert.equal(res?.status(), 410, `GET ${s.oldUrl}`);
    assert.equal(await page.locator('input[name=password]').count(), 0, 'no password form on the page');
    await page.getByRole('link', { name: 'Ask for a new invitation link' }).click();
    await expectPath(page, `/portal/${s.portalId}/new-link`);
    await expectText(page.locator('h1'), 'A new link', 'h1');
  });

  step('the visitor asks for a new link for their address', async () => {
    const page = cx.visitorPage;
    await page.getByLabel('E-mail', { exact: true }).fill(EXP_EMAIL);
    await page.getByRole('button', { name: 'Send the link' }).click();
    await expectText(page.locator('.flash'), 'If an invitation or registration for this address is open, a new link is on its way', '.flash');
  });

  step('a new invitation arrives in the mailbox, with a new link', async () => {
    const mail = await readMail(cx, `You are invited to ${PORTAL_NAME}`, EXP_EMAIL, 2);
    assert.match(mail.href, new RegExp(`/portal/${s.portalId}/accept\\?token=[0-9a-f]{64}&lang=en$`), 'the first link of the HTML body');
    assert.notEqual(mail.href, s.oldUrl, 'the new invitation has a new link');
    s.newUrl = mail.href;
  });

  step('the new link opens the accept page; the old one still does not work', async () => {
    const page = cx.visitorPage;
    cx.current = page;
    const res = await page.goto(s.newUrl);
    assert.equal(res?.status(), 200, `GET ${s.newUrl}`);
    await expectPath(page, `/portal/${s.portalId}/accept`);
    await expectText(page.locator('h1'), 'Accept your invitation', 'h1');
    await expectText(page.locator('#account-email'), EXP_EMAIL, '#account-email');
    await page.locator('input[name=password]').waitFor();
    await page.locator('input[name=confirmation]').waitFor();
    await page.goto(s.oldUrl);
    await expectText(page.locator('h1'), 'This link no longer works', 'h1 of the old link');
  });
}));

// ---------------------------------------------------------------- 3. user deactivated

const OFF_NAME = 'Lena Vogt';
const OFF_EMAIL = 'lena.vogt@sonnenschein.example';

onBothDatabases('user deactivated', scenario('deactivated', 'access switched off while logged in', (step, cx) => {
  const s = cx.state;

  step('the API grants a contact access, by invitation', async () => {
    Object.assign(s, await directory(cx, {
      contactName: OFF_NAME,
      contactEmail: OFF_EMAIL,
      portal: { registration_mode: 'invitation_only' },
    }));
    const account = await apiPost(cx, '/api/v1/accounts', { contact_id: s.contactId, portal_id: Number(s.portalId), role: 'user' });
    assert.equal(account.registration, 'invited', `account: ${JSON.stringify(account)}`);
    s.accountId = hasId('account', account);
  });

  step('the admin logs in to the console', () => staffLogsIn(cx));

  step('the invited person sets a password with the link from the mailbox', async () => {
    const mail = await readMail(cx, `You are invited to ${PORTAL_NAME}`, OFF_EMAIL);
    assert.match(mail.href, new RegExp(`/portal/${s.portalId}/accept\\?token=[0-9a-f]{64}`), 'the first link of the HTML body');
    const page = await visitor(cx);
    await page.goto(mail.href);
    await expectText(page.locator('h1'), 'Accept your invitation', 'h1');
    await page.fill('input[name=password]', PASSWORD);
    await page.fill('input[name=confirmation]', PASSWORD);
    await page.getByRole('button', { name: 'Set password' }).click();
    await expectPath(page, `/portal/${s.portalId}/login`);
    await expectText(page.locator('.flash'), 'Your password is set', '.flash');
  });

  step('the person logs in', async () => {
    const page = cx.visitorPage;
    await portalLogIn(page, s.portalId, OFF_EMAIL, PASSWORD);
    await expectPath(page, `/portal/${s.portalId}/`);
    await expectText(page.locator('h1'), `Welcome, ${OFF_NAME}`, 'h1');
  });

  step('staff switch the access off on the account page', async () => {
    const page = cx.staffPage;
    cx.current = page;
    await page.goto(`/console/accounts/${s.accountId}`);
    await expectText(page.locator('h1'), OFF_EMAIL, 'h1');
    await expectText(statusRow(page, 'Access granted'), 'Yes', 'the Access granted row');
    const form = page.locator('form.account-actions');
    await form.getByRole('button', { name: 'Switch access off…' }).click();
    // A page says what will happen and which e-mail goes to whom; nothing is done yet.
    await expectText(page.locator('h1'), `Switch access off for ${OFF_EMAIL} on ${PORTAL_NAME}?`, 'h1');
    await expectText(page.locator('#mail-plan'), `“Access switched off” (in English) to ${OFF_EMAIL}`, '#mail-plan');
    await page.getByRole('button', { name: 'Switch access off', exact: true }).click();
    await expectText(page.locator('.flash'), `Access switched off: ${OFF_EMAIL} on ${PORTAL_NAME}. The e-mail to ${OFF_EMAIL} is queued.`, '.flash');
    await expectText(statusRow(page, 'Access granted'), 'No (switched off)', 'the Access granted row');
  });

  step('the person is told by e-mail', async () => {
    const mail = await readMail(cx, `Your access to ${PORTAL_NAME} is switched off`, OFF_EMAIL);
    assert.ok(mail.html.includes(`Hello ${OFF_NAME}`), `the greeting in the HTML body: ${JSON.stringify(mail.html)}`);
  });

  step('the person\'s next page load goes to the login page', async () => {
    const page = cx.visitorPage;
    cx.current = page;
    await page.reload();
    await expectPath(page, `/portal/${s.portalId}/login`);
    await expectText(page.locator('h1'), 'Log in', 'h1');
  });

  step('logging in again says "User deactivated."', async () => {
    const page = cx.visitorPage;
    const status = await portalLogIn(page, s.portalId, OFF_EMAIL, PASSWORD);
    await expectText(page.locator('.error'), 'User deactivated.', `.error (HTTP ${status})`);
    await expectPath(page, `/portal/${s.portalId}/login`);
    assert.equal(status, 403, 'the status of a refused login');
  });
}));
