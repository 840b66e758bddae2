// A real OpenID Connect provider (node-oidc-provider) on loopback for the single sign-on and
// connected-account tests: authorization code + PKCE, device flow, refresh, introspection and
// revocation. Environment: OIDC_PORT, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_REDIRECT_URI
// (several: separated by spaces), OIDC_POST_LOGOUT_URI (the same), OIDC_ACCESS_TTL (seconds, default 3600), OIDC_ACCOUNTS
// (a JSON file {login: {email, email_verified, name}}, read at every sign-in so a test can
// change what the provider says; an unknown login signs in with email = login).
import { readFileSync } from 'node:fs';
import Provider from 'oidc-provider';

const env = process.env;
const port = Number(env.OIDC_PORT);
const issuer = `http://127.0.0.1:${port}`;

function accountOf(login) {
  const accounts = JSON.parse(readFileSync(env.OIDC_ACCOUNTS, 'utf8'));
  const account = accounts[login] ?? { email: login, email_verified: true, name: login };
  return {
    accountId: login,
    async claims() {
      return { sub: login, email: account.email, email_verified: account.email_verified, name: account.name };
    },
  };
}

const provider = new Provider(issuer, {
  clients: [{
    client_id: env.OIDC_CLIENT_ID,
    client_secret: env.OIDC_CLIENT_SECRET,
    redirect_uris: env.OIDC_REDIRECT_URI.split(' '),
    post_logout_redirect_uris: (env.OIDC_POST_LOGOUT_URI || 'http://127.0.0.1:9/').split(' '),
    grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
    response_types: ['code'],
  }],
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  // offline_access: refresh tokens; mail.read stands for a provider's own read-only scope.
  scopes: ['openid', 'offline_access', 'email', 'profile', 'mail.read'],
  features: {
    devInteractions: { enabled: true },
    deviceFlow: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
  },
  ttl: { AccessToken: Number(env.OIDC_ACCESS_TTL || 3600) },
  pkce: { required: () => true },
  cookies: { keys: ['tiegraph-test-only-cookie-key'] },
  async findAccount(ctx, id) { return accountOf(id); },
});
provider.listen(port, '127.0.0.1', () => console.log(`listening ${issuer}`));
