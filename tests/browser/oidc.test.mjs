// End-to-end tests of the OpenID Connect provider with `openid-client` (a certified relying
// party library), on SQLite and on PostgreSQL. A small relying party runs inside the test: a
// node:http server that is the clients' redirect URI, post-logout URI and back-channel logout
// URI. Debian's Chromium, driven by playwright-core, logs a person in on the real portal login
// page; openid-client does discovery, builds the authorization URL (PKCE S256, state, nonce),
// exchanges the code (validating the ID token: ES256 for one client, RS256 for another),
// calls userinfo, refreshes, introspects and builds the end-session URL; `jose` verifies the
// back-channel logout tokens against the issuer's JWKS.
//
// One person, invited to two portals, goes through it all in one browser: discovery; the code
// flow through the login page; single sign-on for a second client; refresh rotation and reuse
// detection; the refusals (an unregistered redirect URI, a wrong secret, a wrong PKCE verifier,
// a reused code, another portal's token); client credentials on the decision API;
// RP-initiated logout with and without an ID token; a deactivated account's refresh; and last
// the back-channel logout tokens of the two sessions that ended.
// The set-up (database, server, browser) and the generic helpers are in harness.mjs.
//
// Needs: ADMIT_BIN (the built `admit` binary; default ../../target/debug/admit),
// ADMIT_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres) and `psql`,
// CHROMIUM (default /usr/bin/chromium). scripts/test provides all of them.

import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import * as oidc from 'openid-client';
import * as jose from 'jose';
import {
  ADMIT_BIN,
  apiPost,
  apiRequest,
  createAdmin,
  createApiKey,
  eventually,
  expectPath,
  launchChromium,
  mailLink,
  newPage,
  onBothDatabases,
  staffLogIn,
  startServer,
  stepper,
  tearDown,
} from './harness.mjs';

const PERSON = { name: 'Paula Pohl', email: 'paula@kunde.example', password: 'a long and private passphrase' };
const PORTAL_A = 'Customer portal';
const PORTAL_B = 'Installer portal';
const SCOPE = 'openid email profile offline_access';
const BACKCHANNEL_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

// ---------------------------------------------------------------- the relying party

/**
 * The test's relying party: every request it receives is kept (`hits`), the logout tokens
 * POSTed to /backchannel are kept in `logoutTokens`; every page answers 200.
 */
async function startRelyingParty() {
  const rp = { hits: [], logoutTokens: [] };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      rp.hits.push({ method: req.method, url: req.url, type: req.headers['content-type'], body });
      if (req.method === 'POST' && req.url === '/backchannel') {
        const token = new URLSearchParams(body).get('logout_token');
        if (token) rp.logoutTokens.push(token);
        res.writeHead(token ? 200 : 400, { 'Cache-Control': 'no-store' }).end();
        return;
      }
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end('<!doctype html><title>RP</title><h1>Relying party</h1>');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  rp.base = `http://127.0.0.1:${server.address().port}`;
  rp.close = () => new Promise((resolve) => server.close(resolve));
  rp.visited = (path) => rp.hits.some((h) => new URL(h.url, rp.base).pathname === path);
  return rp;
}

// ---------------------------------------------------------------- openid-client

/** The client's view of its portal's issuer, by discovery. `alg` is its ID tokens' algorithm. */
function discover(issuer, clientId, secret, alg) {
  return oidc.discovery(new URL(issuer), clientId, { client_secret: secret, id_token_signed_response_alg: alg },
    undefined, { execute: [oidc.allowInsecureRequests], timeout: 10 });
}

/** An authorization request: its URL and what the callback must be checked against. */
async function authorization(config, redirectUri, extra = {}) {
  const checks = {
    pkceCodeVerifier: oidc.randomPKCECodeVerifier(),
    expectedState: oidc.randomState(),
    expectedNonce: oidc.randomNonce(),
    idTokenExpected: true,
  };
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: SCOPE,
    code_challenge: await oidc.calculatePKCECodeChallenge(checks.pkceCodeVerifier),
    code_challenge_method: 'S256',
    state: checks.expectedState,
    nonce: checks.expectedNonce,
    ...extra,
  });
  return { url, checks };
}

/**
 * The OAuth error code of a refusal: from the WWW-Authenticate challenge when it names one,
 * else from the JSON body (RFC 6749 5.2). With the body, for the report.
 */
async function oauthError(err) {
  if (err instanceof oidc.ResponseBodyError) return { code: err.error, body: err.cause };
  if (err instanceof oidc.WWWAuthenticateChallengeError) {
    const body = await err.response.json().catch(() => null);
    return { code: err.cause?.[0]?.parameters?.error ?? body?.error, body, challenges: err.cause };
  }
  return { code: `${err.name}: ${err.message}`, body: err.cause };
}

/** The promise must be refused with the OAuth error `code`. */
async function refused(promise, code, what) {
  let err;
  try {
    await promise;
  } catch (e) {
    err = e;
  }
  assert.ok(err, `${what} must be refused with ${code}, it was accepted`);
  const got = await oauthError(err);
  assert.equal(got.code, code, `${what}: ${err.stack}\n${JSON.stringify({ body: got.body, challenges: got.challenges })}`);
}

// ---------------------------------------------------------------- the scenario

function scenario(engine, makeDatabase) {
  describe(`OpenID Connect on ${engine}`, () => {
    const cx = { engine };
    const s = {}; // what the steps learn: ids, clients, tokens

    before(async () => {
      assert.ok(existsSync(ADMIT_BIN), `ADMIT_BIN ${ADMIT_BIN} does not exist: run cargo build --bin admit`);
      cx.db = makeDatabase();
      cx.apiKey = createApiKey(cx.db.url);
      createAdmin(cx.db.url);
      // The signing keys sealed at rest, as in production.
      cx.server = await startServer(cx.db.url, `oidc-${engine}-server.log`, { env: { ADMIT_KEYS_SECRET: randomBytes(32).toString('hex') } });
      cx.rp = await startRelyingParty();
      cx.browser = await launchChromium();
      cx.staffPage = await newPage(await cx.browser.newContext({ baseURL: cx.server.base, locale: 'en-US' }));
      cx.page = await newPage(await cx.browser.newContext({ baseURL: cx.server.base, locale: 'en-US' }));
      cx.current = cx.page;
    }, { timeout: 120_000 });

    after(async () => {
      await cx.rp?.close();
      await tearDown(cx);
    }, { timeout: 60_000 });

    const step = stepper(`oidc-${engine}`, { page: () => cx.current, server: () => cx.server });
    const post = (path, body, expected) => apiPost(cx.server, cx.apiKey, path, body, expected);
    const issuer = (portalId) => `${cx.server.base}/portal/${portalId}`;
    const cb = (name) => `${cx.rp.base}/cb/${name}`;

    /** Registers a confidential client on the portal; returns its registration and secret. */
    async function register(portalId, name, settings) {
      const made = await post(`/api/v1/portals/${portalId}/clients`, {
        name,
        kind: 'confidential',
        redirect_uris: [cb(name)],
        post_logout_redirect_uris: [`${cx.rp.base}/bye`],
        scopes: ['openid', 'email', 'profile', 'offline_access'],
        ...settings,
      });
      assert.match(made.client_secret || '', /^[0-9a-f]{64}$/, `the secret, shown once: ${JSON.stringify(made)}`);
      return { clientId: made.client.client_id, secret: made.client_secret, redirectUri: cb(name) };
    }

    /**
     * Chromium follows the authorization URL; with `login` the portal's login page must come
     * and is filled in, without it the login page must not come (single sign-on). Returns the
     * callback URL the browser lands on.
     */
    async function authorize(url, redirectUri, { login, portalId = s.portalA }) {
      const page = cx.page;
      cx.current = page;
      const seen = []; // the navigations on the way, for the assertion and for a failure's message
      const onResponse = (r) => {
        if (r.request().isNavigationRequest()) seen.push(`${r.status()} ${r.request().method()} ${r.url()} ${r.headers().location || ''}`.trim());
      };
      const onConsole = (m) => { if (m.type() === 'error') seen.push(`console: ${m.text()}`); };
      page.on('response', onResponse);
      page.on('console', onConsole);
      try {
        await page.goto(url.href);
        if (login) {
          await expectPath(page, `/portal/${portalId}/login`);
          await page.fill('input[name=email]', PERSON.email);
          await page.fill('input[name=password]', PERSON.password);
          await page.getByRole('button', { name: 'Log in', exact: true }).click();
        }
        await page.waitForURL((u) => u.href.startsWith(`${redirectUri}?`));
      } catch (err) {
        err.message += `\nthe browser went through:\n  ${seen.join('\n  ')}`;
        throw err;
      } finally {
        page.off('response', onResponse);
        page.off('console', onConsole);
      }
      const logins = seen.filter((line) => /^\d/.test(line) && new URL(line.split(' ')[2]).pathname.endsWith('/login'));
      if (!login) assert.deepEqual(logins, [], `single sign-on: no login page on the way, went through ${seen.join(' -> ')}`);
      return new URL(page.url());
    }

    /** A whole code flow for `client` on `config`: returns the token response, checked by the library. */
    async function codeFlow(config, client, options) {
      const { url, checks } = await authorization(config, client.redirectUri);
      const callback = await authorize(url, client.redirectUri, options);
      return oidc.authorizationCodeGrant(config, callback, checks);
    }

    step('the API makes two portals, a person invited to both, and clients on each', async () => {
      const org = await post('/api/v1/organizations', { kind: 'customer', name: 'Kunde GmbH' });
      s.org = org;
      const contact = await post('/api/v1/contacts', { organization_id: org.id, name: PERSON.name, email: PERSON.email, language: 'en' });
      const portal = (name) => post('/api/v1/portals', {
        name, kind: 'customer', base_url: 'https://portal.example.com', registration_mode: 'invitation_only',
        default_language: 'en', modules: [{ name: 'Invoices' }],
      });
      s.portalA = String((await portal(PORTAL_A)).id);
      s.portalB = String((await portal(PORTAL_B)).id);
      const account = (portalId) => post('/api/v1/accounts', { contact_id: contact.id, portal_id: Number(portalId), role: 'user', modules: ['Invoices'] });
      s.accountA = String((await account(s.portalA)).id);
      s.accountB = String((await account(s.portalB)).id);

      s.es = await register(s.portalA, 'invoices', { backchannel_logout_uri: `${cx.rp.base}/backchannel` });
      s.rs = await register(s.portalA, 'pricing', { signing_alg: 'RS256' });
      s.other = await register(s.portalB, 'installer', {});
    });

    step('the person accepts both invitations from the mailbox', async () => {
      cx.current = cx.staffPage;
      await staffLogIn(cx.staffPage);
      for (const [portalId, name] of [[s.portalA, PORTAL_A], [s.portalB, PORTAL_B]]) {
        cx.current = cx.staffPage;
        const href = await mailLink(cx.staffPage, `You are invited to ${name}`, PERSON.email);
        assert.match(href, new RegExp(`/portal/${portalId}/accept\\?token=`), `the invitation to ${name}`);
        cx.current = cx.page;
        await cx.page.goto(href);
        await cx.page.fill('input[name=password]', PERSON.password);
        await cx.page.fill('input[name=confirmation]', PERSON.password);
        await cx.page.getByRole('button', { name: 'Set password' }).click();
        await expectPath(cx.page, `/portal/${portalId}/login`);
      }
    });

    step('discovery: each portal is an issuer of its own, with its endpoints and both algorithms', async () => {
      s.esConfig = await discover(issuer(s.portalA), s.es.clientId, s.es.secret, 'ES256');
      s.rsConfig = await discover(issuer(s.portalA), s.rs.clientId, s.rs.secret, 'RS256');
      s.otherConfig = await discover(issuer(s.portalB), s.other.clientId, s.other.secret, 'ES256');
      const meta = s.esConfig.serverMetadata();
      assert.equal(meta.issuer, issuer(s.portalA));
      assert.equal(s.otherConfig.serverMetadata().issuer, issuer(s.portalB));
      for (const [key, path] of Object.entries({
        authorization_endpoint: 'authorize', token_endpoint: 'token', userinfo_endpoint: 'userinfo', jwks_uri: 'jwks',
        introspection_endpoint: 'introspect', revocation_endpoint: 'revoke', end_session_endpoint: 'logout',
      })) {
        assert.equal(meta[key], `${issuer(s.portalA)}/oidc/${path}`, key);
      }
      assert.ok(meta.code_challenge_methods_supported?.includes('S256'), 'S256 offered');
      assert.deepEqual([...meta.id_token_signing_alg_values_supported].sort(), ['ES256', 'RS256']);
      const jwks = await (await fetch(meta.jwks_uri)).json();
      assert.deepEqual([...new Set(jwks.keys.map((k) => k.kty))].sort(), ['EC', 'RSA'], JSON.stringify(jwks));
    });

    step('code flow with PKCE through the portal login page: the library validates the ES256 ID token; userinfo', async () => {
      const tokens = await codeFlow(s.esConfig, s.es, { login: true });
      const claims = tokens.claims();
      assert.equal(jose.decodeProtectedHeader(tokens.id_token).alg, 'ES256');
      assert.equal(jose.decodeProtectedHeader(tokens.access_token).typ, 'at+jwt');
      assert.equal(claims.iss, issuer(s.portalA));
      assert.equal(claims.sub, s.accountA);
      assert.equal(claims.email, PERSON.email);
      assert.equal(claims.email_verified, true);
      assert.equal(claims.name, PERSON.name);
      assert.equal(typeof claims.sid, 'string');
      assert.deepEqual(claims.admit.organization, { id: s.org.id, name: 'Kunde GmbH', kind: 'customer' });
      assert.equal(claims.admit.role, 'user');
      assert.deepEqual(claims.admit.modules, ['Invoices']);
      assert.ok(claims.admit.scope_version, `scope_version in ${JSON.stringify(claims.admit)}`);
      assert.ok(tokens.refresh_token, 'a refresh token for offline_access');
      const info = await oidc.fetchUserInfo(s.esConfig, tokens.access_token, claims.sub);
      assert.equal(info.email, PERSON.email);
      assert.equal(info.name, PERSON.name);
      s.first = tokens;
    });

    step('single sign-on: the RS256 client of the same portal logs in without the login page', async () => {
      const tokens = await codeFlow(s.rsConfig, s.rs, { login: false });
      assert.equal(jose.decodeProtectedHeader(tokens.id_token).alg, 'RS256');
      const claims = tokens.claims();
      assert.equal(claims.sub, s.accountA);
      assert.deepEqual([claims.aud].flat(), [s.rs.clientId]);
      assert.equal(claims.sid, s.first.claims().sid, 'the same portal session');
      const info = await oidc.fetchUserInfo(s.rsConfig, tokens.access_token, claims.sub);
      assert.equal(info.sub, s.accountA);
      s.sso = tokens;
    });

    step('refresh tokens rotate; an old one is refused and ends the newer one too', async () => {
      const r1 = s.sso.refresh_token;
      const second = await oidc.refreshTokenGrant(s.rsConfig, r1);
      assert.ok(second.refresh_token && second.refresh_token !== r1, 'a new refresh token');
      const third = await oidc.refreshTokenGrant(s.rsConfig, second.refresh_token);
      assert.ok(third.refresh_token && third.refresh_token !== second.refresh_token, 'a new refresh token again');
      assert.ok(third.access_token, 'a new access token');
      await refused(oidc.refreshTokenGrant(s.rsConfig, r1), 'invalid_grant', 'the first refresh token, used again');
      await refused(oidc.refreshTokenGrant(s.rsConfig, third.refresh_token), 'invalid_grant', 'the newest refresh token after reuse');
      await refused(oidc.fetchUserInfo(s.rsConfig, third.access_token, s.accountA), 'invalid_token', 'userinfo with the ended grant\'s access token');
    });

    step('an unregistered redirect URI shows an error page and is never visited', async () => {
      const { url } = await authorization(s.esConfig, `${cx.rp.base}/elsewhere`);
      cx.current = cx.page;
      const res = await cx.page.goto(url.href);
      assert.ok(res.status() >= 400 && res.status() < 500, `the error page's status: ${res.status()}`);
      await expectPath(cx.page, `/portal/${s.portalA}/oidc/authorize`);
      assert.equal(cx.rp.visited('/elsewhere'), false, 'the unregistered URI got no request');
    });

    step('a wrong client secret is invalid_client', async () => {
      const wrong = await discover(issuer(s.portalA), s.es.clientId, 'f'.repeat(64), 'ES256');
      await refused(oidc.clientCredentialsGrant(wrong), 'invalid_client', 'client credentials with a wrong secret');
      await refused(oidc.refreshTokenGrant(wrong, s.first.refresh_token), 'invalid_client', 'a refresh with a wrong secret');
      // Refused, it changed nothing: the refresh token still works with the right secret.
      s.firstRefresh = (await oidc.refreshTokenGrant(s.esConfig, s.first.refresh_token)).refresh_token;
    });

    step('a wrong PKCE verifier and a reused code are invalid_grant; the reused code\'s grant ends', async () => {
      const first = await authorization(s.esConfig, s.es.redirectUri);
      const callback = await authorize(first.url, s.es.redirectUri, { login: false });
      const wrongVerifier = { ...first.checks, pkceCodeVerifier: oidc.randomPKCECodeVerifier() };
      await refused(oidc.authorizationCodeGrant(s.esConfig, callback, wrongVerifier), 'invalid_grant', 'a wrong PKCE verifier');

      const second = await authorization(s.esConfig, s.es.redirectUri);
      const again = await authorize(second.url, s.es.redirectUri, { login: false });
      const tokens = await oidc.authorizationCodeGrant(s.esConfig, again, second.checks);
      await refused(oidc.authorizationCodeGrant(s.esConfig, again, second.checks), 'invalid_grant', 'the code used again');
      await refused(oidc.refreshTokenGrant(s.esConfig, tokens.refresh_token), 'invalid_grant', 'the refresh token of a reused code');
    });

    step('revocation: a revoked refresh token is refused', async () => {
      const tokens = await codeFlow(s.esConfig, s.es, { login: false });
      await oidc.tokenRevocation(s.esConfig, tokens.refresh_token, { token_type_hint: 'refresh_token' });
      await refused(oidc.refreshTokenGrant(s.esConfig, tokens.refresh_token), 'invalid_grant', 'a revoked refresh token');
    });

    step('a second portal\'s token is refused by the first portal\'s client', async () => {
      const theirs = await codeFlow(s.otherConfig, s.other, { login: true, portalId: s.portalB });
      assert.equal(theirs.claims().iss, issuer(s.portalB));
      assert.equal(theirs.claims().sub, s.accountB);
      await refused(oidc.fetchUserInfo(s.esConfig, theirs.access_token, s.accountB), 'invalid_token', 'userinfo of portal A with a token of portal B');
      const foreign = await oidc.tokenIntrospection(s.esConfig, theirs.access_token);
      assert.deepEqual(foreign, { active: false }, 'introspection of another portal\'s token');
      const own = await oidc.tokenIntrospection(s.esConfig, s.first.access_token);
      assert.equal(own.active, true, `introspection of the own token: ${JSON.stringify(own)}`);
      assert.equal(own.sub, s.accountA);
      assert.equal(own.client_id, s.es.clientId);
    });

    step('client credentials: the client\'s own token asks the decision API, for its portal only', async () => {
      const tokens = await oidc.clientCredentialsGrant(s.esConfig);
      assert.equal(jose.decodeJwt(tokens.access_token).sub, s.es.clientId);
      const ask = (account) => apiRequest(cx.server, tokens.access_token, 'GET', `/api/v1/decision?account_id=${account}&module=Invoices`, undefined, 200);
      assert.equal((await ask(s.accountA)).allow, true, 'an account of its portal may see Invoices');
      assert.equal((await ask(s.accountB)).allow, false, 'an account of another portal is unknown to it');
    });

    step('RP-initiated logout lands on the post-logout URI with the state and ends the portal session', async () => {
      const state = oidc.randomState();
      const url = oidc.buildEndSessionUrl(s.esConfig, {
        id_token_hint: s.first.id_token,
        post_logout_redirect_uri: `${cx.rp.base}/bye`,
        state,
      });
      cx.current = cx.page;
      await cx.page.goto(url.href);
      await cx.page.waitForURL((u) => u.href.startsWith(`${cx.rp.base}/bye`));
      assert.equal(new URL(cx.page.url()).searchParams.get('state'), state);
      await refused(oidc.refreshTokenGrant(s.esConfig, s.firstRefresh), 'invalid_grant', 'a refresh after logout');
      await refused(oidc.fetchUserInfo(s.esConfig, s.first.access_token, s.accountA), 'invalid_token', 'userinfo after logout');
      await cx.page.goto(`/portal/${s.portalA}/`);
      await expectPath(cx.page, `/portal/${s.portalA}/login`);
    });

    step('without an ID token the person confirms the logout, and lands on the post-logout URI', async () => {
      const state = oidc.randomState();
      const url = oidc.buildEndSessionUrl(s.otherConfig, { post_logout_redirect_uri: `${cx.rp.base}/bye`, state });
      cx.current = cx.page;
      await cx.page.goto(url.href);
      await expectPath(cx.page, `/portal/${s.portalB}/oidc/logout`);
      await cx.page.getByRole('button', { name: 'Log out', exact: true }).click();
      await cx.page.waitForURL((u) => u.href.startsWith(`${cx.rp.base}/bye`));
      assert.equal(new URL(cx.page.url()).searchParams.get('state'), state);
      await cx.page.goto(`/portal/${s.portalB}/`);
      await expectPath(cx.page, `/portal/${s.portalB}/login`);
    });

    step('a deactivated account\'s refresh is refused', async () => {
      const tokens = await codeFlow(s.esConfig, s.es, { login: true });
      s.second = tokens;
      assert.notEqual(tokens.claims().sid, s.first.claims().sid, 'a new portal session');
      const renewed = await oidc.refreshTokenGrant(s.esConfig, tokens.refresh_token);
      await post(`/api/v1/accounts/${s.accountA}/status`, { action: 'deactivate' }, 200);
      await refused(oidc.refreshTokenGrant(s.esConfig, renewed.refresh_token), 'invalid_grant', 'a refresh after deactivation');
    });

    step('back-channel logout: each ended session\'s logout token reaches the client and verifies', async () => {
      const meta = s.esConfig.serverMetadata();
      assert.equal(meta.backchannel_logout_supported, true, 'back-channel logout offered');
      assert.equal(meta.backchannel_logout_session_supported, true, 'with the sid');
      const sids = [s.first.claims().sid, s.second.claims().sid];
      const jwks = jose.createRemoteJWKSet(new URL(meta.jwks_uri));
      const verified = async () => Promise.all(cx.rp.logoutTokens.map(async (token) => {
        const { payload, protectedHeader } = await jose.jwtVerify(token, jwks, {
          issuer: issuer(s.portalA), audience: s.es.clientId, typ: 'logout+jwt', algorithms: ['ES256'],
          requiredClaims: ['iat', 'exp', 'jti', 'sub', 'sid', 'events'], // Back-Channel Logout 1.0, 2.4
        });
        assert.equal(protectedHeader.typ, 'logout+jwt');
        assert.equal(payload.sub, s.accountA);
        assert.deepEqual(payload.events, { [BACKCHANNEL_EVENT]: {} });
        assert.equal(payload.nonce, undefined, 'a logout token has no nonce');
        return payload;
      }));
      // Delivered by a background job: it may take a moment.
      await eventually(async () => {
        const got = (await verified()).map((p) => p.sid);
        for (const sid of sids) assert.ok(got.includes(sid), `a logout token for sid ${sid}; received sids ${JSON.stringify(got)}`);
      }, 30_000, 500);
      const hits = cx.rp.hits.filter((h) => h.url === '/backchannel');
      assert.ok(hits.every((h) => h.method === 'POST' && h.type?.startsWith('application/x-www-form-urlencoded')),
        `delivered as a form POST: ${JSON.stringify(hits.map((h) => [h.method, h.type]))}`);
    });
  });
}

onBothDatabases('OpenID Connect', scenario);
