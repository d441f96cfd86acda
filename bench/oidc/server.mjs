// oidc-provider (certified OpenID provider, its default in-memory store) with the clients of
// Admit's OpenID Connect benchmark, the peer that `admit-bench oidc` measures Admit beside.
//
//   node server.mjs PORT [CLIENTS] [REDIRECT_URI]
//
// Prints `issuer http://127.0.0.1:PORT` once it listens. Clients `bench-client-1` ..
// `bench-client-N` (default 16) are confidential (client_secret_basic), with the secret
// `bench-secret-<i>`, the one redirect URI (default http://127.0.0.1:9/cb), the grants
// authorization_code and refresh_token, PKCE S256 required. The login page checks nothing: the
// e-mail address given is the account (no password check), and every login is granted the
// scopes asked for (the operator's own applications: no consent screen, as in Admit). Refresh
// tokens are issued at every code exchange and rotated at every use.
import { createServer } from 'node:http';
import { generateKeyPairSync, randomBytes } from 'node:crypto';

import Provider from 'oidc-provider';

const port = Number(process.argv[2] ?? 3000);
const clients = Number(process.argv[3] ?? 16);
const redirectUri = process.argv[4] ?? 'http://127.0.0.1:9/cb';
const issuer = `http://127.0.0.1:${port}`;

const jwk = (type, options, alg) => ({
  ...generateKeyPairSync(type, options).privateKey.export({ format: 'jwk' }),
  alg,
  use: 'sig',
  kid: `${alg.toLowerCase()}-1`,
});

const configuration = {
  clients: Array.from({ length: clients }, (_, k) => ({
    client_id: `bench-client-${k + 1}`,
    client_secret: `bench-secret-${k + 1}`,
    token_endpoint_auth_method: 'client_secret_basic',
    redirect_uris: [redirectUri],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    // As Admit signs ID tokens: ES256.
    id_token_signed_response_alg: 'ES256',
  })),
  jwks: {
    keys: [
      jwk('ec', { namedCurve: 'P-256' }, 'ES256'),
      jwk('rsa', { modulusLength: 2048 }, 'RS256'),
    ],
  },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  scopes: ['openid', 'email', 'profile', 'offline_access'],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'locale', 'zoneinfo'],
  },
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: false },
    introspection: { enabled: true },
    userinfo: { enabled: true },
  },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  // Any account id is an account (no password check).
  async findAccount(_ctx, id) {
    return {
      accountId: id,
      async claims() {
        return {
          sub: id,
          email: id,
          email_verified: true,
          name: `Bench ${id}`,
          locale: 'de',
          zoneinfo: 'Europe/Berlin',
        };
      },
    };
  },
  // No consent screen: a login grants what the client asks for.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) {
      const grant = await ctx.oidc.provider.Grant.find(grantId);
      if (grant) return grant;
    }
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope(ctx.oidc.requestParamScopes ? [...ctx.oidc.requestParamScopes].join(' ') : 'openid');
    await grant.save();
    return grant;
  },
  issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
  rotateRefreshToken: true,
};

const provider = new Provider(issuer, configuration);
const callback = provider.callback();

const page = (uid) => `<!doctype html>
<html><head><title>Log in</title></head><body>
<form method="post" action="/interaction/${uid}/login">
<input type="hidden" name="uid" value="${uid}">
<input name="email" type="email" required>
<input name="password" type="password">
<button type="submit">Log in</button>
</form></body></html>`;

async function body(req) {
  let s = '';
  for await (const chunk of req) s += chunk;
  return new URLSearchParams(s);
}

async function interaction(req, res) {
  try {
    const details = await provider.interactionDetails(req, res);
    if (req.method === 'GET') {
      const html = page(details.uid);
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'content-length': Buffer.byteLength(html),
      });
      res.end(html);
      return;
    }
    const form = await body(req);
    const accountId = form.get('email');
    if (!accountId) {
      res.writeHead(400, { 'content-length': 0 });
      res.end();
      return;
    }
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId } },
      { mergeWithLastSubmission: false },
    );
  } catch (e) {
    const text = String(e?.message ?? e);
    res.writeHead(400, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }
}

const server = createServer((req, res) => {
  if (req.url.startsWith('/interaction/')) {
    interaction(req, res);
  } else {
    callback(req, res);
  }
});
server.keepAliveTimeout = 60_000;
server.listen(port, '127.0.0.1', () => {
  console.log(`issuer ${issuer}`);
});
