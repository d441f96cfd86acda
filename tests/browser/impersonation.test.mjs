// Impersonation end to end, on SQLite and on PostgreSQL, in Debian's Chromium: a supervisor
// opens "View the portal as this person" on an account of their area with a reason, the
// portal opens in a new tab signed in as the person with a banner on every page; the pages are
// the person's; a password change is refused; a portal application (driven by `openid-client`,
// as in oidc.test.mjs) gets an ID token whose `act` names the supervisor; "End" ends it, and
// the application gets its back-channel logout; the person's e-mail says who, when and why;
// the account's console page lists it, and a supervisor of another area finds no such account.
//
// Needs: ADMIT_BIN, ADMIT_TEST_POSTGRES_URL and `psql`, CHROMIUM (see harness.mjs).

import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import * as oidc from 'openid-client';
import {
  ADMIT_BIN,
  apiPost,
  createAdmin,
  createApiKey,
  eventually,
  expectPageText,
  expectPath,
  launchChromium,
  mailLink,
  newPage,
  onBothDatabases,
  run,
  staffLogIn,
  startServer,
  stepper,
  tearDown,
} from './harness.mjs';

const PERSON = { name: 'Paula Pohl', email: 'paula@kunde.example', password: 'a long and private passphrase' };
const SUPERVISOR = { email: 'sup@operator.example', password: 'the supervisor passphrase' };
const OTHER = { email: 'south@operator.example', password: 'the other supervisor passphrase' };
const REASON = 'Paula called: she cannot find her invoices';
const PORTAL = 'Customer portal';

/** A relying party that keeps the back-channel logout tokens it receives. */
async function startRelyingParty() {
  const rp = { logoutTokens: [] };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/backchannel') {
        const token = new URLSearchParams(body).get('logout_token');
        if (token) rp.logoutTokens.push(token);
        res.writeHead(token ? 200 : 400).end();
        return;
      }
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end('<!doctype html><title>RP</title><h1>Relying party</h1>');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  rp.base = `http://127.0.0.1:${server.address().port}`;
  rp.close = () => new Promise((resolve) => server.close(resolve));
  return rp;
}

function createSupervisor(databaseUrl, { email, password }, area) {
  const res = run(ADMIT_BIN, ['staff', 'create', '--email', email, '--supervisor', '--area', area, '--password-stdin'], {
    env: { ADMIT_DATABASE_URL: databaseUrl },
    input: `${password}\n`,
  });
  assert.equal(res.status, 0, `admit staff create exited ${res.status}:\n${res.stdout}\n${res.stderr}`);
}

async function logIn(page, { email, password }) {
  await page.goto('/console/login');
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expectPath(page, /^\/console(?!\/login$)(\/.*)?$/);
}

function scenario(engine, makeDatabase) {
  describe(`impersonation on ${engine}`, () => {
    const cx = { engine };
    const s = {};

    before(async () => {
      assert.ok(existsSync(ADMIT_BIN), `ADMIT_BIN ${ADMIT_BIN} does not exist: run cargo build --bin admit`);
      cx.db = makeDatabase();
      cx.apiKey = createApiKey(cx.db.url);
      createAdmin(cx.db.url);
      cx.server = await startServer(cx.db.url, `impersonation-${engine}-server.log`, { env: { ADMIT_KEYS_SECRET: randomBytes(32).toString('hex') } });
      cx.rp = await startRelyingParty();
      cx.browser = await launchChromium();
      cx.adminPage = await newPage(await cx.browser.newContext({ baseURL: cx.server.base, locale: 'en-US' }));
      cx.personPage = await newPage(await cx.browser.newContext({ baseURL: cx.server.base, locale: 'en-US' }));
      cx.staffContext = await cx.browser.newContext({ baseURL: cx.server.base, locale: 'en-US' });
      cx.staffPage = await newPage(cx.staffContext);
      cx.current = cx.staffPage;
    }, { timeout: 120_000 });

    after(async () => {
      await cx.rp?.close();
      await tearDown(cx);
    }, { timeout: 60_000 });

    const step = stepper(`impersonation-${engine}`, { page: () => cx.current, server: () => cx.server });
    const post = (path, body, expected) => apiPost(cx.server, cx.apiKey, path, body, expected);

    step('the API makes two areas, a portal that allows impersonation, a person of North and a client', async () => {
      const north = await post('/api/v1/areas', { name: 'North' });
      await post('/api/v1/areas', { name: 'South' });
      const portal = await post('/api/v1/portals', {
        name: PORTAL, kind: 'customer', base_url: 'https://portal.example.com', registration_mode: 'invitation_only',
        default_language: 'en', modules: [{ name: 'Invoices' }, { name: 'Schedule' }],
      });
      s.portal = String(portal.id);
      assert.equal(portal.impersonation_allowed, false, 'off for a new portal');
      const org = await post('/api/v1/organizations', { kind: 'customer', name: 'Kunde GmbH', area_id: north.id });
      const contact = await post('/api/v1/contacts', { organization_id: org.id, name: PERSON.name, email: PERSON.email, language: 'en' });
      s.account = String((await post('/api/v1/accounts', { contact_id: contact.id, portal_id: portal.id, role: 'admin', modules: ['Invoices'] })).id);
      const client = await post(`/api/v1/portals/${s.portal}/clients`, {
        name: 'Invoices', kind: 'confidential', redirect_uris: [`${cx.rp.base}/cb`],
        post_logout_redirect_uris: [`${cx.rp.base}/bye`], scopes: ['openid', 'email', 'profile'],
        backchannel_logout_uri: `${cx.rp.base}/backchannel`,
      });
      s.client = { id: client.client.client_id, secret: client.client_secret };
      createSupervisor(cx.db.url, SUPERVISOR, 'North');
      createSupervisor(cx.db.url, OTHER, 'South');
    });

    step('an administrator switches impersonation on for the portal', async () => {
      cx.current = cx.adminPage;
      await staffLogIn(cx.adminPage);
      await cx.adminPage.goto(`/console/portals/${s.portal}`);
      const form = cx.adminPage.locator('#impersonation form');
      await form.locator('input[name=impersonation_allowed]').check();
      assert.ok(await form.locator('input[name=impersonation_notice]').isChecked(), 'the person is told by default');
      await form.getByRole('button', { name: 'Save' }).click();
      await expectPageText(cx.adminPage, 'Impersonation settings saved.');
      assert.ok(await cx.adminPage.locator('#impersonation input[name=impersonation_allowed]').isChecked());
    });

    step('the person accepts the invitation and sees her access', async () => {
      cx.current = cx.adminPage;
      const href = await mailLink(cx.adminPage, `You are invited to ${PORTAL}`, PERSON.email);
      cx.current = cx.personPage;
      await cx.personPage.goto(href);
      await cx.personPage.fill('input[name=password]', PERSON.password);
      await cx.personPage.fill('input[name=confirmation]', PERSON.password);
      await cx.personPage.getByRole('button', { name: 'Set password' }).click();
      await expectPath(cx.personPage, `/portal/${s.portal}/login`);
      await cx.personPage.fill('input[name=email]', PERSON.email);
      await cx.personPage.fill('input[name=password]', PERSON.password);
      await cx.personPage.getByRole('button', { name: 'Log in', exact: true }).click();
      await expectPath(cx.personPage, `/portal/${s.portal}/`);
      await cx.personPage.goto(`/portal/${s.portal}/access`);
      s.herAccess = (await cx.personPage.locator('main').innerText()).replace(/\s+/g, ' ');
    });

    step('a supervisor of another area finds no such account', async () => {
      const other = await newPage(await cx.browser.newContext({ baseURL: cx.server.base, locale: 'en-US' }));
      cx.current = other;
      await logIn(other, OTHER);
      const res = await other.goto(`/console/accounts/${s.account}`);
      assert.equal(res.status(), 404);
      await other.context().close();
    });

    step('the supervisor gives a reason and the portal opens in a new tab as the person, with a banner', async () => {
      cx.current = cx.staffPage;
      await logIn(cx.staffPage, SUPERVISOR);
      await cx.staffPage.goto(`/console/accounts/${s.account}`);
      await cx.staffPage.fill('#imp-reason', REASON);
      await cx.staffPage.fill('#imp-minutes', '20');
      const [tab] = await Promise.all([
        cx.staffContext.waitForEvent('page'),
        cx.staffPage.getByRole('button', { name: 'View the portal as this person' }).click(),
      ]);
      tab.setDefaultTimeout(10_000);
      cx.tab = tab;
      cx.current = tab;
      await expectPath(tab, `/portal/${s.portal}/`);
      const banner = tab.locator('.impersonation-banner');
      await banner.waitFor();
      const text = (await banner.innerText()).replace(/\s+/g, ' ');
      assert.ok(text.includes(`You are viewing this portal as ${PERSON.name} (${PERSON.email})`), text);
      assert.ok(text.includes(SUPERVISOR.email), text);
      assert.match(text, /20 minutes left/);
      await expectPageText(tab, `Welcome, ${PERSON.name}`);
    });

    step('every page carries the banner and shows what the person sees', async () => {
      const tab = cx.tab;
      await tab.goto(`/portal/${s.portal}/access`);
      await tab.locator('.impersonation-banner').waitFor();
      const seen = (await tab.locator('main').innerText()).replace(/\s+/g, ' ');
      assert.equal(seen, s.herAccess, 'the access page as the person sees it');
      await tab.goto(`/portal/${s.portal}/team`);
      await tab.locator('.impersonation-banner').waitFor();
      await expectPageText(tab, PERSON.email);
    });

    step('a password change is refused with a clear message', async () => {
      const tab = cx.tab;
      await tab.goto(`/portal/${s.portal}/account`);
      await tab.fill('#current_password', PERSON.password);
      await tab.fill('#password', 'somebody elses passphrase');
      await tab.fill('#confirmation', 'somebody elses passphrase');
      const res = await Promise.all([
        tab.waitForResponse((r) => r.url().endsWith('/account/password')),
        tab.locator('form[action$="/account/password"] button[type=submit]').click(),
      ]);
      assert.equal(res[0].status(), 403);
      await expectPageText(tab, 'their password, e-mail address, sessions and invitations cannot be changed');
    });

    step('a portal application gets an ID token whose act claim names the supervisor', async () => {
      const tab = cx.tab;
      const config = await oidc.discovery(new URL(`${cx.server.base}/portal/${s.portal}`), s.client.id,
        { client_secret: s.client.secret }, undefined, { execute: [oidc.allowInsecureRequests], timeout: 10 });
      const checks = { pkceCodeVerifier: oidc.randomPKCECodeVerifier(), expectedState: oidc.randomState(), expectedNonce: oidc.randomNonce(), idTokenExpected: true };
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: `${cx.rp.base}/cb`, scope: 'openid email profile',
        code_challenge: await oidc.calculatePKCECodeChallenge(checks.pkceCodeVerifier), code_challenge_method: 'S256',
        state: checks.expectedState, nonce: checks.expectedNonce,
      });
      await tab.goto(url.href);
      await tab.waitForURL((u) => u.href.startsWith(`${cx.rp.base}/cb?`));
      const tokens = await oidc.authorizationCodeGrant(config, new URL(tab.url()), checks);
      const claims = tokens.claims();
      assert.equal(claims.sub, s.account);
      assert.equal(claims.email, PERSON.email);
      assert.equal(claims.act?.email, SUPERVISOR.email, JSON.stringify(claims));
      assert.match(claims.act?.sub || '', /^staff:\d+$/);
    });

    step('"End" ends it: the application is logged out, the person is told, the console lists it', async () => {
      const tab = cx.tab;
      await tab.goto(`/portal/${s.portal}/`);
      await tab.locator('.impersonation-banner').getByRole('button', { name: 'End' }).click();
      await expectPageText(tab, 'Impersonation ended');
      await tab.goto(`/portal/${s.portal}/access`);
      await expectPath(tab, `/portal/${s.portal}/login`);
      await eventually(() => assert.equal(cx.rp.logoutTokens.length, 1, 'one back-channel logout'), 15_000, 200);

      cx.current = cx.adminPage;
      await cx.adminPage.goto('/console/mail');
      const row = cx.adminPage.locator('tbody tr').filter({ hasText: PERSON.email })
        .filter({ has: cx.adminPage.getByRole('link', { name: `Staff viewed ${PORTAL} as you`, exact: true }) });
      await eventually(async () => {
        await cx.adminPage.reload();
        assert.ok((await row.count()) > 0, 'the person\'s e-mail');
      }, 15_000, 300);
      await row.first().getByRole('link', { name: `Staff viewed ${PORTAL} as you`, exact: true }).click();
      const mail = cx.adminPage.frameLocator('iframe.mail').locator('body');
      await eventually(async () => {
        const text = (await mail.innerText()).replace(/\s+/g, ' ');
        assert.ok(text.includes(REASON), text);
        assert.ok(text.includes('sup of our staff'), text);
      });

      cx.current = cx.staffPage;
      await cx.staffPage.goto(`/console/accounts/${s.account}`);
      const listed = (await cx.staffPage.locator('#impersonation').innerText()).replace(/\s+/g, ' ');
      assert.ok(listed.includes(REASON) && listed.includes('(ended)'), listed);
    });
  });
}

onBothDatabases('impersonation', scenario);
