// The set-up several browser tests share: a scenario's database, server, API key and browser
// (declared with `before`/`after`), the organization with accounts in the states the console's
// home counts, a portal admin who has accepted her invitation and logged in, and the checks
// every page must pass (no sideways scrolling at 390 pixels, axe-core's WCAG 2.2 A and AA rules,
// input borders of at least 3:1).

import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import axe from 'axe-core';
import {
  ADMIT_BIN,
  apiPost,
  apiRequest,
  createAdmin,
  createApiKey,
  eventually,
  expectPath,
  launchChromium,
  newPage,
  sql,
  startServer,
  stepper,
  tearDown,
} from './harness.mjs';

/**
 * Declares, inside a `describe`, the `before` and `after` of a scenario named `slug` on one
 * database: a fresh database with the admin and an API key, `admit serve`, Chromium and a page
 * of its own (`cx.page`, English, 1400 by 900 pixels unless `context` says otherwise); the
 * server with the environment `env` besides its own.
 * Returns `cx`: `db`, `server`, `key`, `browser`, `page`, `current` (the page a failed step's
 * screenshot shows), `step` (see `stepper`), `get`/`post`/`api` for the API, and
 * `newPage(options)` for another person's browser.
 */
export function scenarioContext(engine, makeDatabase, slug, { context = {}, env = {} } = {}) {
  const cx = {};
  before(async () => {
    assert.ok(existsSync(ADMIT_BIN), `ADMIT_BIN ${ADMIT_BIN} does not exist: run cargo build --bin admit`);
    cx.db = makeDatabase();
    createAdmin(cx.db.url);
    cx.key = createApiKey(cx.db.url);
    cx.server = await startServer(cx.db.url, `${slug}-${engine}-server.log`, { env });
    cx.browser = await launchChromium();
    cx.page = await cx.newPage(context);
    cx.current = cx.page;
  }, { timeout: 120_000 });
  after(() => tearDown(cx), { timeout: 60_000 });

  cx.newPage = async (options = {}) => {
    const c = await cx.browser.newContext({
      baseURL: cx.server.base, locale: 'en-US', viewport: { width: 1400, height: 900 }, ...options,
    });
    return newPage(c);
  };
  cx.step = stepper(`${slug}-${engine}`, { page: () => cx.current, server: () => cx.server });
  cx.api = (method, path, body, expected) => apiRequest(cx.server, cx.key, method, path, body, expected);
  cx.get = (path) => cx.api('GET', path, undefined, 200);
  cx.post = (path, body, expected = 201) => apiPost(cx.server, cx.key, path, body, expected);
  return cx;
}

export const PORTAL = 'Customer portal';

/**
 * A customer portal (modules Invoices and the admin-only Pricing), an organization and five
 * accounts on the portal, in the states the console's home counts: `anna` registered and
 * approved, `bob` awaiting approval, `cara` registered without a contact, `dora` invited with
 * her link expiring within a day, `eva` with access ending in three days and a failed e-mail.
 * Each is `{ id, contactId, email }`; also `portalId` and `orgId`. `names` may rename them.
 */
export async function accountsInStates(cx, { emails = {} } = {}) {
  const s = {};
  const portal = await cx.post('/api/v1/portals', {
    name: PORTAL, kind: 'customer', base_url: 'https://portal.example.com',
    registration_mode: 'invitation_only', default_language: 'en',
    modules: [{ name: 'Invoices' }, { name: 'Pricing', admin_only: true }],
  });
  s.portalId = portal.id;
  s.orgId = (await cx.post('/api/v1/organizations', { kind: 'customer', name: 'Bäckerei Sonnenschein' })).id;
  const people = [
    ['anna', 'Anna Sommer'], ['bob', 'Bob Approve'], ['cara', 'Cara Contact'], ['dora', 'Dora Invite'], ['eva', 'Eva Ending'],
  ];
  for (const [key, name] of people) {
    const email = emails[key] || `${key}@sonnenschein.example`;
    const contact = await cx.post('/api/v1/contacts', { organization_id: s.orgId, name, email, language: 'en' });
    const a = await cx.post('/api/v1/accounts', {
      contact_id: contact.id, portal_id: s.portalId, role: 'user', modules: ['Invoices'],
    });
    s[key] = { id: a.id, contactId: contact.id, email };
  }
  const { anna, bob, cara, dora, eva } = s;
  // Every invitation is sent first (by a background job): one still waiting would not be sent
  // to an account that is registered by then.
  const list = people.map(([key]) => `'${s[key].email}'`).join(', ');
  await eventually(async () => {
    const n = await sql(cx.db, `SELECT COUNT(*) FROM outbox_messages WHERE recipient IN (${list}) AND status = 'sent'`);
    assert.equal(n, String(people.length), 'the invitations are sent');
  }, 15_000, 300);
  // Registered (as if the invitations had been accepted); Bob waits for approval, Cara for a
  // contact.
  await sql(cx.db, `UPDATE portal_accounts SET registration = 'registered' WHERE id IN (${anna.id}, ${bob.id}, ${cara.id}, ${eva.id})`);
  await sql(cx.db, `UPDATE portal_accounts SET approval = 'pending' WHERE id = ${bob.id}`);
  await sql(cx.db, `UPDATE portal_accounts SET contact_id = NULL WHERE id = ${cara.id}`);
  // Eva's access ends in three days.
  const day = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
  await cx.post(`/api/v1/accounts/${eva.id}/status`, { action: 'set_valid_until', valid_until: day, notify: false }, 200);
  // Dora's invitation link stops working in a day.
  await sql(cx.db, `UPDATE account_tokens SET expires_at = ${Date.now() + 86_400_000} WHERE account_id = ${dora.id} AND purpose = 'invitation'`);
  // The e-mail to Eva failed.
  await sql(cx.db, `UPDATE outbox_messages SET status = 'failed', last_error = 'mailbox unavailable' WHERE recipient = '${eva.email}'`);
  return s;
}

/**
 * On `staffPage` (logged in to the console): the first link (whose address matches `pattern`,
 * when given) of the newest message to `recipient` whose subject contains `subject`, from the
 * console's Mail page. The mail goes out from a background job, so it may take a moment.
 */
export async function linkFromMailbox(staffPage, recipient, subject, pattern = null) {
  await staffPage.goto('/console/mail');
  const link = staffPage.locator('tbody tr').filter({ hasText: recipient }).locator('a').filter({ hasText: subject });
  await eventually(async () => {
    if ((await link.count()) === 0) {
      await staffPage.reload();
      assert.ok((await link.count()) > 0, `no message "${subject}" to ${recipient} in /console/mail`);
    }
  }, 15_000, 300);
  await link.first().click();
  await expectPath(staffPage, /^\/console\/mail\/[^/]+$/);
  const links = staffPage.frameLocator('iframe.mail').locator('a');
  const hrefs = pattern
    ? await links.evaluateAll((as) => as.map((a) => a.getAttribute('href')))
    : [await links.first().getAttribute('href')];
  const href = hrefs.find((h) => h && (!pattern || pattern.test(h)));
  assert.ok(href, `a link ${pattern || ''} in the message to ${recipient}: ${JSON.stringify(hrefs)}`);
  return href;
}

/** On the accept page `page` shows: sets `password` and logs in with it; ends on the home page. */
export async function acceptAndLogIn(page, portalId, email, password) {
  await page.fill('input[name=password]', password);
  await page.fill('input[name=confirmation]', password);
  await page.locator('form:has(input[name=confirmation]) button[type=submit]').click();
  await expectPath(page, `/portal/${portalId}/login`);
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', password);
  await page.locator('form:has(input[name=email]) button[type=submit]').click();
  await expectPath(page, `/portal/${portalId}/`);
}

/**
 * Sets the console's language of the logged-in staff member on `page` (the language and time
 * zone form of "Your notifications"; no words are needed to find it).
 */
export async function setStaffLanguage(page, language) {
  await page.goto('/console/notifications');
  const form = page.locator('form[action="/console/notifications/locale"]');
  await form.locator('select[name=language]').selectOption(language);
  await Promise.all([page.waitForNavigation(), form.evaluate((f) => f.requestSubmit())]);
  await page.goto('/console/notifications');
  assert.equal(await form.locator('select[name=language]').inputValue(), language, 'the language is saved');
}

// ---------------------------------------------------------------- what every page must pass

/** The rules axe-core checks: WCAG 2.0, 2.1 and 2.2, levels A and AA. */
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/** axe-core's violations of the WCAG rules on the page as it is, each as one line. */
export async function axeViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(axe.source);
  const result = await page.evaluate((tags) => window.axe.run(document, {
    runOnly: { type: 'tag', values: tags },
    resultTypes: ['violations'],
    // The e-mails shown in frames are the e-mails, not the page: their own matter.
    iframes: false,
  }), WCAG_TAGS);
  return result.violations.map((v) => `${v.id} (${v.impact}): ${v.help}; ${v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')}${n.failureSummary ? ` [${n.failureSummary.replace(/\s+/g, ' ').slice(0, 160)}]` : ''}`).join(' | ')}${v.nodes.length > 3 ? ` and ${v.nodes.length - 3} more` : ''}`);
}

/** How far the page is wider than the window, and the widest elements that make it so. */
export async function sidewaysScroll(page) {
  return page.evaluate(() => {
    const over = document.documentElement.scrollWidth - window.innerWidth;
    if (over <= 0) return null;
    const culprits = [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5)
      .filter((e) => !e.parentElement || e.parentElement.getBoundingClientRect().right <= window.innerWidth + 0.5)
      .slice(0, 4)
      .map((e) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${e.className && typeof e.className === 'string' ? `.${e.className.trim().split(/\s+/).join('.')}` : ''} (${Math.round(e.getBoundingClientRect().right)} px)`);
    return `${document.documentElement.scrollWidth} px wide in a window of ${window.innerWidth}: ${culprits.join(', ')}`;
  });
}

/**
 * The text fields and menus whose border has less than 3:1 contrast with what is behind them
 * (WCAG 1.4.11), each as one line.
 */
export async function faintControls(page) {
  return page.evaluate(() => {
    const rgb = (c) => (c.match(/[\d.]+/g) || []).map(Number);
    const lum = ([r, g, b]) => {
      const f = (v) => { const s = v / 255; return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4; };
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const behind = (el) => {
      for (let e = el.parentElement; e; e = e.parentElement) {
        const c = rgb(getComputedStyle(e).backgroundColor);
        if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c.slice(0, 3);
      }
      return [255, 255, 255];
    };
    const fields = document.querySelectorAll('input:not([type=hidden]):not([type=checkbox]):not([type=radio]):not([type=submit]), select, textarea');
    const out = [];
    for (const el of fields) {
      const st = getComputedStyle(el);
      if (st.display === 'none' || st.visibility === 'hidden' || el.getClientRects().length === 0) continue;
      if (parseFloat(st.borderBottomWidth) === 0) continue;
      const a = lum(rgb(st.borderBottomColor).slice(0, 3));
      const b = lum(behind(el));
      const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
      if (ratio < 3) out.push(`${el.tagName.toLowerCase()}[name=${el.name}] border ${st.borderBottomColor}: ${ratio.toFixed(2)}:1`);
    }
    return [...new Set(out)].slice(0, 3);
  });
}

const WIDE = { width: 1400, height: 900 };
const NARROW = { width: 390, height: 844 };

/**
 * The checks of every page on what `page` shows now, named `what`: at 1400 pixels axe-core's
 * WCAG rules and the input borders, at 1400 and at 390 no sideways scrolling. The page is
 * resized once, from the width it has to the other: the next page starts where this one ends.
 * Returns the problems found, each naming the page.
 */
export async function checkShown(page, what) {
  const problems = [];
  const wide = async () => {
    for (const v of await axeViolations(page)) problems.push(`${what}: ${v}`);
    for (const f of await faintControls(page)) problems.push(`${what}: faint border: ${f}`);
    const over = await sidewaysScroll(page);
    if (over) problems.push(`${what} at 1400 px: ${over}`);
  };
  const narrow = async () => {
    const over = await sidewaysScroll(page);
    if (over) problems.push(`${what} at 390 px: ${over}`);
  };
  if (page.viewportSize()?.width === NARROW.width) {
    await narrow();
    await page.setViewportSize(WIDE);
    await wide();
  } else {
    await page.setViewportSize(WIDE);
    await wide();
    await page.setViewportSize(NARROW);
    await narrow();
  }
  return problems;
}

/**
 * Opens `path` on `page` and makes the checks of `checkShown`; `status` is the answer's HTTP
 * status (200 unless said; null: any).
 */
export async function checkPage(page, path, { status = 200 } = {}) {
  const res = await page.goto(path);
  const problems = [];
  if (res && status !== null && res.status() !== status) problems.push(`${path}: HTTP ${res.status()}, expected ${status}`);
  return [...problems, ...(await checkShown(page, path))];
}
