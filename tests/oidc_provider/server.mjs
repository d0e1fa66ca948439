// A real OpenID Connect provider for Northstar's tests: panva's oidc-provider (OpenID Certified),
// configured like a company's identity provider, listening on 127.0.0.1 on a port the OS picks.
//
// Configuration comes as JSON on the first line of standard input:
//   {"clients": [{client_id, client_secret, redirect_uris, post_logout_redirect_uris}],
//    "accounts": {"alice": {"password": "...", "email": "...", "name": "...", "groups": ["..."]}}}
// Once listening it prints one JSON line: {"issuer": "http://127.0.0.1:PORT"}.
// It exits when standard input closes, so it never outlives the test run that started it.
//
// Only the sign-in page is ours (the provider leaves interactions to the deployer): it checks the
// password against the accounts above. Consent is granted for the registered first-party clients, as
// a company's identity provider does for its own apps.

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import readline from 'node:readline';

import Provider from 'oidc-provider';

const input = readline.createInterface({ input: process.stdin });
const [firstLine] = await once(input, 'line');
const config = JSON.parse(firstLine);
process.stdin.on('end', () => process.exit(0));
process.stdin.on('close', () => process.exit(0));

const accounts = config.accounts || {};

const escape = (value) => String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title, body) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title>
<style>body{font-family:sans-serif;background:#eef1f5;margin:0}main{max-width:22rem;margin:4rem auto;
background:#fff;padding:1.5rem 2rem;border-radius:6px;box-shadow:0 1px 3px #0003}label{display:block;
margin:.8rem 0 .2rem}input{width:100%;padding:.4rem;box-sizing:border-box}button{margin-top:1rem;
padding:.5rem 1rem}.error{color:#a00}</style></head><body><main><p><strong>Test Company ID</strong></p>
${body}</main></body></html>`;
}

function loginPage(uid, clientName, error = '') {
  return page('Sign in - Test Company ID', `<h1>Sign in</h1><p>to continue to ${escape(clientName)}</p>
${error ? `<p class="error" role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login">
<label for="username">Username</label><input id="username" name="username" autocomplete="username" autofocus>
<label for="password">Password</label><input id="password" name="password" type="password">
<button type="submit">Sign in</button></form>
<p><a href="/interaction/${escape(uid)}/abort">Cancel</a></p>`);
}

async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function send(res, status, html) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(html);
}

const server = http.createServer();
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const issuer = `http://127.0.0.1:${server.address().port}`;

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'test-key', alg: 'RS256', use: 'sig' };

const provider = new Provider(issuer, {
  clients: (config.clients || []).map((client) => ({
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    ...client,
  })),
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  scopes: ['openid', 'offline_access', 'groups'],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'given_name', 'family_name', 'preferred_username'],
    groups: ['groups'],
  },
  async findAccount(ctx, sub) {
    const account = accounts[sub];
    if (!account) return undefined;
    return {
      accountId: sub,
      async claims() {
        const [given, ...family] = (account.name || sub).split(' ');
        return {
          sub,
          email: account.email,
          email_verified: account.email_verified ?? true,
          name: account.name,
          given_name: given,
          family_name: family.join(' '),
          preferred_username: account.username ?? sub,
          groups: account.groups || [],
        };
      },
    };
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      async logoutSource(ctx, form) {
        ctx.body = page('Sign out - Test Company ID', `<h1>Sign out of Test Company ID?</h1>${form}
<button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>
<button type="submit" form="op.logoutForm">No, stay signed in</button>`);
      },
      async postLogoutSuccessSource(ctx) {
        ctx.body = page('Signed out - Test Company ID', '<h1>You are signed out</h1>');
      },
    },
  },
  async renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = page('Error - Test Company ID', `<h1>Error</h1><p id="error">${escape(out.error)}: ${escape(out.error_description || '')}</p>`);
  },
});

async function interaction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) {
    send(res, 400, page('Error', '<p>This sign-in has expired; start again.</p>'));
    return;
  }
  const client = await provider.Client.find(details.params.client_id);
  const clientName = client?.clientName || details.params.client_id;
  if (action === 'abort') {
    await provider.interactionFinished(req, res, {
      error: 'access_denied', error_description: 'The user cancelled the sign-in.',
    }, { mergeWithLastSubmission: false });
    return;
  }
  if (details.prompt.name === 'consent') {
    // A first-party client: grant what it asked for, as a company IdP does for its own apps.
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
    const missing = details.prompt.details;
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    if (missing.missingResourceScopes) {
      for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes)) {
        grant.addResourceScope(indicator, scopes.join(' '));
      }
    }
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    return;
  }
  if (action === 'login' && req.method === 'POST') {
    const form = await readForm(req);
    const username = form.get('username') || '';
    const account = accounts[username];
    if (!account || account.password !== form.get('password')) {
      send(res, 401, loginPage(uid, clientName, 'Wrong username or password.'));
      return;
    }
    await provider.interactionFinished(req, res, { login: { accountId: username } }, {
      mergeWithLastSubmission: false,
    });
    return;
  }
  send(res, 200, loginPage(uid, clientName));
}

const callback = provider.callback();
server.on('request', (req, res) => {
  const match = /^\/interaction\/([^/?]+)(?:\/(login|abort))?(?:\?.*)?$/.exec(req.url);
  if (!match) {
    callback(req, res);
    return;
  }
  interaction(req, res, match[1], match[2]).catch((error) => {
    send(res, 400, page('Error', `<p id="error">${escape(error.message)}</p>`));
  });
});

process.stdout.write(`${JSON.stringify({ issuer })}\n`);
