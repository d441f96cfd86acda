// Every page of the console and of the portal, on SQLite and PostgreSQL, in each language:
// at 1400 pixels axe-core finds no violation of the WCAG 2.2 A and AA rules and every text
// field's border has a contrast of at least 3:1; at 390 pixels no page scrolls sideways.
//
// The data the pages show is made through the API (organizations, contacts, accounts in
// several states, a partnership, an area, portals with a client and task categories, e-mails
// sent and failed) and, where only time would make it, in the database. The console is visited
// as the admin in each language of the staff (set on "Your notifications"), the portal as a
// partner's admin who accepted her invitation, with `?lang=`; the links of e-mails (an
// activation, a new address to confirm, a digest's unsubscribe link) are opened as they were
// sent, and the page that goes on to an application after its login is held there. The checks
// are in setup.mjs; the last step prints how many pages each part checked.

import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { ADMIT_BIN, onBothDatabases, run, sql, staffLogIn } from './harness.mjs';
import {
  acceptAndLogIn,
  accountsInStates,
  checkPage,
  checkShown,
  linkFromMailbox,
  scenarioContext,
  setStaffLanguage,
} from './setup.mjs';

const LANGUAGES = ['en', 'de'];
const PIA = 'pia.partner-verwaltung@partner-company-international.example';
const PIA_PW = 'pia has a very good password';
const BEN = 'ben@partner.example';
/** A long address without a place to break: the account page's heading must wrap it. */
const LONG = 'anna.katharina.sommer-mueller.buchhaltung.filiale-nord@baeckerei-sonnenschein.example';

const NEW_ADDRESS = 'pia.neu@partner-company-international.example';
const VISITOR = 'vera.visitor@installer.example';
/** The scheduler looks for digests due every second. */
const SERVER_ENV = { ADMIT_DIGEST_POLL_SECONDS: '1' };

/** A link of an e-mail as a path with its query, in `language`. */
const inLanguage = (href, base, language) => {
  const url = new URL(href, base);
  url.searchParams.set('lang', language);
  return `${url.pathname}${url.search}`;
};

/**
 * A new browser of Pia's that logs in for the partner's application (OpenID Connect, in
 * `language`) and is left on the page that goes on to the application by itself: its refresh
 * taken out, so that it stays to be checked.
 */
async function onwardPage(cx, s, language) {
  const p = await cx.newPage();
  cx.current = p;
  await p.route((url) => url.pathname === `/portal/${s.partnerPortal}/login`, async (route) => {
    if (route.request().method() !== 'POST') return route.continue();
    const res = await route.fetch({ maxRedirects: 0 });
    const body = (await res.text()).replace(/<meta http-equiv="refresh"[^>]*>/, '');
    return route.fulfill({ response: res, body });
  });
  const verifier = randomBytes(32).toString('base64url');
  const query = new URLSearchParams({
    response_type: 'code', client_id: s.clientId, redirect_uri: 'https://app.example.com/cb', scope: 'openid',
    state: randomBytes(8).toString('hex'), nonce: randomBytes(8).toString('hex'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256',
    ui_locales: language,
  });
  await p.goto(`/portal/${s.partnerPortal}/oidc/authorize?${query}`);
  await p.fill('input[name=email]', PIA);
  await p.fill('input[name=password]', PIA_PW);
  await Promise.all([p.waitForNavigation(), p.locator('form:has(input[name=email]) button[type=submit]').click()]);
  const onward = p.locator('main a[href^="https://app.example.com/cb?"]');
  assert.equal(await onward.count(), 1, `the onward page's link to the application: ${await p.content()}`);
  assert.equal(await p.getAttribute('html', 'lang'), language, 'the onward page\'s language');
  cx.current = cx.page;
  return p;
}

/** The href of the first link on `page` whose path matches `pattern`. */
async function firstHref(page, path, pattern) {
  await page.goto(path);
  const hrefs = await page.locator('a[href]').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  const href = hrefs.find((h) => pattern.test(h.split(/[?#]/)[0]));
  assert.ok(href, `a link like ${pattern} on ${path}: ${JSON.stringify(hrefs)}`);
  return href.split('#')[0];
}

function scenario(engine, makeDatabase) {
  describe(`every page on ${engine}`, { concurrency: 1 }, () => {
    const cx = scenarioContext(engine, makeDatabase, 'every-page', { env: SERVER_ENV });
    const { step } = cx;
    const s = {};
    const covered = {};

    step('set-up: the directory, portals, accounts in several states, e-mails, a client', async () => {
      Object.assign(s, await accountsInStates(cx, { emails: { anna: LONG } }));
      await cx.post('/api/v1/areas', { name: 'Nord' });
      const partner = await cx.post('/api/v1/organizations', { kind: 'partner', name: 'Partner Company International' });
      const partnership = await cx.post('/api/v1/partnerships', {
        partner_id: partner.id, name: 'North', customer_ids: [s.orgId],
      });
      s.partnershipId = partnership.id;
      const portal = await cx.post('/api/v1/portals', {
        name: 'Partner portal', kind: 'partner', base_url: 'https://partners.example.com',
        registration_mode: 'invitation_only', default_language: 'en',
        modules: [{ name: 'Customers' }, { name: 'Tasks' }, { name: 'Pricing', admin_only: true }],
      });
      s.partnerPortal = portal.id;
      await cx.api('PUT', `/api/v1/portals/${portal.id}/task-categories`, {
        categories: [{ key: 'service_due', name_en: 'Service due', name_de: 'Wartung fällig' }],
      }, 200);
      const client = await cx.post(`/api/v1/portals/${portal.id}/clients`, {
        name: 'Partner app', kind: 'confidential', redirect_uris: ['https://app.example.com/cb'],
        post_logout_redirect_uris: ['https://app.example.com/bye'], scopes: ['openid', 'email'],
      });
      s.clientId = client.client.client_id;
      s.openPortal = (await cx.post('/api/v1/portals', {
        name: 'Installer portal', kind: 'installer', base_url: 'https://installers.example.com',
        registration_mode: 'self_manual', default_language: 'en', modules: [{ name: 'Schedule' }],
      })).id;
      for (const [key, name, email, role] of [['pia', 'Pia Partner', PIA, 'admin'], ['ben', 'Ben Colleague', BEN, 'user']]) {
        const contact = await cx.post('/api/v1/contacts', { organization_id: partner.id, name, email, language: 'en' });
        s[key] = (await cx.post('/api/v1/accounts', { contact_id: contact.id, portal_id: portal.id, role, modules: ['Tasks'] })).id;
      }
      const staff = run(ADMIT_BIN, ['staff', 'create', '--email', 'sam@staff.example', '--supervisor', '--area', 'Nord', '--password-stdin'], {
        env: { ADMIT_DATABASE_URL: cx.db.url }, input: 'sam has a good password too\n',
      });
      assert.equal(staff.status, 0, `admit staff create: ${staff.stderr}`);
      await staffLogIn(cx.page);
    });

    step('set-up: the partner\'s admin accepts her invitation and logs in to the portal', async () => {
      s.benAccept = await linkFromMailbox(cx.page, BEN, 'Partner portal');
      const piaAccept = await linkFromMailbox(cx.page, PIA, 'Partner portal');
      cx.pia = await cx.newPage();
      cx.current = cx.pia;
      await cx.pia.goto(piaAccept);
      await acceptAndLogIn(cx.pia, s.partnerPortal, PIA, PIA_PW);
      cx.current = cx.page;
    });

    step('set-up: a link to reset her password, and staff view the portal as her', async () => {
      cx.anon = await cx.newPage();
      // A link to reset her password (opening it changes nothing).
      await cx.anon.goto(`/portal/${s.partnerPortal}/forgot`);
      await cx.anon.fill('input[name=email]', PIA);
      await Promise.all([cx.anon.waitForNavigation(), cx.anon.locator('form:has(input[name=email])').evaluate((f) => f.requestSubmit())]);
      s.reset = new URL(await linkFromMailbox(cx.page, PIA, 'Reset your password'), cx.server.base);
      // Staff view the portal as her, in a tab of their own.
      await cx.api('PUT', `/api/v1/portals/${s.partnerPortal}/impersonation`, { impersonation_allowed: true, impersonation_notice: false }, 200);
      await cx.page.goto(`/console/accounts/${s.pia}`);
      await cx.page.fill('#imp-reason', 'She asked us to look at her team page.');
      const [tab] = await Promise.all([
        cx.page.context().waitForEvent('page'),
        cx.page.locator(`form[action="/console/accounts/${s.pia}/impersonate"] button[type=submit]`).click(),
      ]);
      await tab.locator('.impersonation-banner').waitFor({ timeout: 10_000 });
      // The tab goes to a browser of its own, with the cookies: a tab behind another is slow.
      const cookies = await cx.page.context().cookies();
      await tab.close();
      cx.asPia = await cx.newPage();
      await cx.asPia.context().addCookies(cookies);
      cx.current = cx.page;
    });

    step('set-up: the links of e-mails: an activation, a new address to confirm, a digest\'s unsubscribe link', async () => {
      // A visitor registers on the installers' portal: her activation link.
      await cx.anon.goto(`/portal/${s.openPortal}/register`);
      const form = cx.anon.locator('form:has(input[name=confirmation])');
      for (const [name, value] of [['name', 'Vera Visitor'], ['organization', 'Installer Vera'], ['email', VISITOR],
        ['password', 'spring meadow lantern 42'], ['confirmation', 'spring meadow lantern 42']]) {
        await form.locator(`input[name=${name}]`).fill(value);
      }
      await Promise.all([cx.anon.waitForNavigation(), form.evaluate((f) => f.requestSubmit())]);
      s.activate = await linkFromMailbox(cx.page, VISITOR, 'Confirm your e-mail address', /\/activate\?token=/);
      // Pia asks for a new address: the link that confirms it (opening it changes nothing).
      const part = `/portal/${s.partnerPortal}`;
      await cx.pia.goto(`${part}/account`);
      const change = cx.pia.locator(`form[action^="${part}/account/email"]`);
      await change.locator('input[name=new_email]').fill(NEW_ADDRESS);
      await change.locator('input[name=current_password]').fill(PIA_PW);
      await Promise.all([cx.pia.waitForNavigation(), change.evaluate((f) => f.requestSubmit())]);
      s.confirmEmail = await linkFromMailbox(cx.page, NEW_ADDRESS, 'Confirm your new e-mail address', /\/confirm-email\?token=/);
      // A task for Pia's customers and her daily digest, due now: its unsubscribe link.
      await cx.api('PUT', `/api/v1/portals/${s.partnerPortal}/tasks/t-1`, {
        customer_id: s.orgId, category: 'service_due', title: 'Boiler service',
      }, 201);
      await cx.api('PUT', `/api/v1/accounts/${s.pia}/notifications`, { frequency: 'daily', categories: ['service_due'] }, 200);
      await sql(cx.db, `UPDATE digest_subscriptions SET next_due_at = 0 WHERE account_id = ${s.pia}`);
      s.unsubscribe = await linkFromMailbox(cx.page, PIA, 'open task', /\/unsubscribe\/[0-9a-f]{64}$/);
      cx.current = cx.page;
    });

    step('set-up: the addresses of the pages that show one thing', async () => {
      const p = cx.page;
      s.org = await firstHref(p, '/console/organizations', /^\/console\/organizations\/\d+$/);
      s.contact = `/console/contacts/${s.anna.contactId}`;
      s.partnership = await firstHref(p, '/console/partnerships', /^\/console\/partnerships\/\d+$/);
      s.area = await firstHref(p, '/console/areas', /^\/console\/areas\/\d+$/);
      s.staff = await firstHref(p, '/console/staff', /^\/console\/staff\/\d+$/);
      s.client = await firstHref(p, `/console/portals/${s.partnerPortal}/clients`, /^\/console\/oidc-clients\/\d+$/);
      s.template = await firstHref(p, `/console/portals/${s.portalId}/templates`, /^\/console\/portals\/\d+\/templates\/[a-z_]+\/[a-z]+$/);
      s.outbox = await firstHref(p, '/console/outbox?status=failed', /^\/console\/outbox\/\d+$/);
      s.mail = await firstHref(p, '/console/mail', /^\/console\/mail\/[^/]+$/);
    });

    for (const language of LANGUAGES) {
      step(`the console in ${language}: the directory and the access list`, async () => {
        const p = cx.page;
        await setStaffLanguage(p, language);
        const pages = [
          '/console', '/console/organizations', '/console/organizations/new', s.org,
          '/console/contacts', '/console/contacts/new', s.contact, `/console/contacts/${s.bob.contactId}`,
          '/console/access', '/console/access?approval=pending',
          `/console/accounts/${s.anna.id}`, `/console/accounts/${s.bob.id}`, `/console/accounts/${s.cara.id}`,
          `/console/accounts/${s.dora.id}`, `/console/accounts/${s.eva.id}`, `/console/accounts/${s.pia}`,
          '/console/partnerships', '/console/partnerships/new', s.partnership, '/console/notifications',
        ];
        const problems = [];
        for (const path of pages) problems.push(...(await checkPage(p, path)));
        covered[`console ${language}`] = pages.length;
        assert.deepEqual(problems, [], `${problems.length} problems on the console's pages in ${language}`);
      });

      step(`the console in ${language}: the administration, the mail, and the pages of forms`, async () => {
        const p = cx.page;
        const pages = [
          '/console/areas', s.area,
          '/console/portals', '/console/portals/new', `/console/portals/${s.portalId}`, `/console/portals/${s.partnerPortal}`,
          `/console/portals/${s.partnerPortal}/clients`, s.client, `/console/portals/${s.partnerPortal}/categories`,
          `/console/portals/${s.portalId}/templates`, s.template,
          '/console/staff', '/console/staff/new', s.staff, '/console/api-keys',
          '/console/outbox', s.outbox, '/console/mail', s.mail, '/console/audit', '/console/account',
        ];
        const problems = [];
        for (const path of pages) problems.push(...(await checkPage(p, path)));
        problems.push(...(await checkPage(p, '/console/no-such-page', { status: 404 })));
        // The pages a form shows: a decline's confirmation, the bulk actions' confirmation.
        await p.goto(`/console/accounts/${s.anna.id}`);
        await Promise.all([p.waitForNavigation(), p.locator('button[name=action][value=decline]').first().click()]);
        problems.push(...(await checkShown(p, 'the confirmation of a decline')));
        await p.goto('/console/access');
        await p.locator(`input[name=id][value="${s.bob.id}"]`).check();
        await Promise.all([p.waitForNavigation(), p.locator('form#bulk button[value=switch_off]').click()]);
        problems.push(...(await checkShown(p, 'the confirmation of a bulk action')));
        // Logged out: the login page.
        problems.push(...(await checkPage(cx.anon, '/console/login')));
        covered[`console ${language}`] += pages.length + 4;
        assert.deepEqual(problems, [], `${problems.length} problems on the console's pages in ${language}`);
      });

      step(`the console in ${language}: a bulk action's result`, async () => {
        // Bob approved (the second time, refused: he is approved already).
        const p = cx.page;
        await p.goto('/console/access');
        await p.locator(`input[name=id][value="${s.bob.id}"]`).check();
        await Promise.all([p.waitForNavigation(), p.locator('form#bulk button[value=approve]').click()]);
        const problems = await checkShown(p, 'the result of a bulk action');
        covered[`console ${language}`] += 1;
        assert.deepEqual(problems, [], `${problems.length} problems on a bulk action's result in ${language}`);
      });
    }

    for (const language of LANGUAGES) {
      step(`the portal in ${language}: every page`, async () => {
        const lang = `lang=${language}`;
        const at = (id) => `/portal/${id}`;
        const part = at(s.partnerPortal);
        const accept = new URL(s.benAccept, cx.server.base);
        const loggedOut = [
          `${at(s.portalId)}/login?${lang}`, `${at(s.portalId)}/forgot?${lang}`, `${at(s.portalId)}/new-link?${lang}`,
          `${at(s.openPortal)}/register?${lang}`, `${accept.pathname}?token=${accept.searchParams.get('token')}&${lang}`,
          `${s.reset.pathname}?token=${s.reset.searchParams.get('token')}&${lang}`, `${part}/oidc/logout?${lang}`,
          `${part}/activate?token=0000&${lang}`, `${part}/password?token=0000&${lang}`, `${part}/confirm-email?token=0000&${lang}`,
          `/unsubscribe/0000?${lang}`,
          inLanguage(s.activate, cx.server.base, language), inLanguage(s.confirmEmail, cx.server.base, language),
          inLanguage(s.unsubscribe, cx.server.base, language),
        ];
        const loggedIn = [
          `${part}/?${lang}`, `${part}/access?${lang}`, `${part}/team?${lang}`, `${part}/team/${s.ben}?${lang}`,
          `${part}/team/${s.ben}/remove?${lang}`, `${part}/team/${s.pia}?${lang}`, `${part}/notifications?${lang}`,
          `${part}/account?${lang}`,
        ];
        const problems = [];
        for (const path of loggedOut) problems.push(...(await checkPage(cx.anon, path, { status: null })));
        for (const path of loggedIn) problems.push(...(await checkPage(cx.pia, path)));
        problems.push(...(await checkPage(cx.pia, `${part}/team/999999?${lang}`, { status: 404 })));
        // As staff see it, with the banner.
        const asStaff = [`${part}/?${lang}`, `${part}/team?${lang}`];
        for (const path of asStaff) problems.push(...(await checkPage(cx.asPia, path)));
        // The team's "manage" links are there to follow at 390 pixels too.
        await cx.pia.setViewportSize({ width: 390, height: 844 });
        await cx.pia.goto(`${part}/team?${lang}`);
        for (const link of await cx.pia.locator('#team a[href*="/team/"]').all()) {
          await link.scrollIntoViewIfNeeded();
          const box = await link.boundingBox();
          if (!box || box.x < 0 || box.x + box.width > 390) problems.push(`the team's link ${await link.getAttribute('href')} is out of reach at 390 px: ${JSON.stringify(box)}`);
        }
        await cx.pia.setViewportSize({ width: 1400, height: 900 });
        // The page that goes on to the application after its login.
        const onward = await onwardPage(cx, s, language);
        problems.push(...(await checkShown(onward, `the onward page in ${language}`)));
        await onward.context().close();
        covered[`portal ${language}`] = loggedOut.length + loggedIn.length + 1 + asStaff.length + 1;
        assert.deepEqual(problems, [], `${problems.length} problems on the portal's pages in ${language}`);
      });
    }

    step('the keyboard: the skip link comes first and leads to the content; the focus is seen', async () => {
      const focused = (page) => page.evaluate(() => {
        const e = document.activeElement;
        const r = e.getBoundingClientRect();
        const st = getComputedStyle(e);
        return {
          what: `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}`, href: e.getAttribute('href'),
          inView: r.top >= 0 && r.bottom <= window.innerHeight && r.width > 0,
          outline: st.outlineStyle === 'none' ? 0 : parseFloat(st.outlineWidth),
          inMain: !!e.closest('main'),
        };
      });
      for (const [page, path] of [[cx.page, '/console/access'], [cx.pia, `/portal/${s.partnerPortal}/?lang=de`]]) {
        await page.goto(path);
        await page.keyboard.press('Tab');
        const skip = await focused(page);
        assert.equal(skip.href, '#main', `${path}: the first Tab reaches the skip link (${skip.what})`);
        assert.ok(skip.inView, `${path}: the focused skip link is shown`);
        assert.ok(skip.outline >= 2, `${path}: the focused skip link has an outline of ${skip.outline} px`);
        await page.keyboard.press('Enter');
        assert.equal((await focused(page)).what, 'main#main', `${path}: the skip link leads to the content`);
        await page.keyboard.press('Tab');
        const next = await focused(page);
        assert.ok(next.inMain, `${path}: the next Tab stays in the content (${next.what})`);
        assert.ok(next.outline >= 2, `${path}: ${next.what} focused has an outline of ${next.outline} px`);
      }
    });

    step('the pages covered', () => {
      for (const [what, n] of Object.entries(covered)) console.log(`# ${engine}: ${what}: ${n} pages`);
      assert.equal(Object.keys(covered).length, 2 * LANGUAGES.length);
      for (const n of Object.values(covered)) assert.ok(n >= 20, `pages covered: ${JSON.stringify(covered)}`);
    });
  });
}

// The two databases at once: the pages are many, and each scenario has a server and a browser
// of its own.
describe('every page', { concurrency: 2 }, () => onBothDatabases('every page', scenario));
