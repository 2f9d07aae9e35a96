/**
 * Errors from @azure/identity and MSAL (Entra ID sign-in) → AuthError with the fix. They arrive
 * through the storage pipeline when getting a token fails, under several names: identity's
 * AuthenticationError / AggregateAuthenticationError / CredentialUnavailableError, or MSAL's own
 * ServerError / ClientAuthError. The AADSTS code says what is wrong.
 */
import { AuthError } from '../errors.js';
import { redact } from '../redact.js';

const IDENTITY_ERRORS = new Set([
  'AuthenticationError',
  'AggregateAuthenticationError',
  'CredentialUnavailableError',
  'AuthenticationRequiredError',
  'ServerError',
  'ClientAuthError',
  'ClientConfigurationError',
  'InteractionRequiredAuthError',
]);

const AADSTS_HINTS: Array<[RegExp, string, string]> = [
  [
    /AADSTS7000215|AADSTS7000222|invalid_client_secret/i,
    'the client secret is wrong or expired: create a new one (Entra ID → App registrations → your app → Certificates & secrets) and update AZURE_CLIENT_SECRET or the profile',
    'InvalidClientSecret',
  ],
  [
    /AADSTS700016|unauthorized_client/i,
    "no application with that client id in this tenant: check --client-id and --tenant-id (the app registration's Overview page shows both)",
    'UnknownClient',
  ],
  [
    /AADSTS90002|AADSTS900023|invalid_tenant/i,
    'the tenant id is unknown: check --tenant-id (a GUID or a domain such as contoso.onmicrosoft.com)',
    'UnknownTenant',
  ],
  [
    /AADSTS50020|AADSTS50034|AADSTS50177/i,
    'this account is not a member or guest of that tenant: accept the invitation you were sent (e.g. by Vespa Cloud) and sign in with the invited account',
    'NotInTenant',
  ],
  [/AADSTS70043|AADSTS700082|AADSTS50173|invalid_grant/i, 'the sign-in expired: run the command again to sign in anew', 'SignInExpired'],
  [
    /AADSTS70019|code_expired|expired_token/i,
    'the device code expired before sign-in finished: run again and enter the code within 15 minutes',
    'DeviceCodeExpired',
  ],
  [
    /AADSTS65001|consent_required/i,
    'the application has no consent for Azure Storage: an admin must grant it (API permissions → Azure Storage → user_impersonation)',
    'ConsentRequired',
  ],
];

export function mapIdentityError(err: unknown, op: string, what: string): AuthError | undefined {
  const e = err as { name?: string; message?: string; errorCode?: string; errors?: unknown[] };
  if (!e?.name || !IDENTITY_ERRORS.has(e.name)) return undefined;
  const text = [e.message ?? '', e.errorCode ?? '', ...(e.errors ?? []).map((x) => String((x as { message?: string })?.message ?? x))].join(
    '\n',
  );
  for (const [re, hint, code] of AADSTS_HINTS) {
    if (re.test(text)) {
      const aadsts = /AADSTS\d+/.exec(text)?.[0];
      return new AuthError(`${op} ${what}: Entra ID sign-in failed`, { serviceCode: aadsts ?? code, hint, cause: err });
    }
  }
  const unavailable = e.name === 'CredentialUnavailableError' || e.name === 'AggregateAuthenticationError';
  if (unavailable) {
    return new AuthError(`${op} ${what}: no Entra ID credential available`, {
      serviceCode: 'CredentialUnavailable',
      hint: 'sign in with `az login`, set AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET, run where a managed identity exists, or use a SAS / account key (`archive profile add`)',
      cause: err,
    });
  }
  const first = redact(String(e.message ?? e.name)).split('\n')[0];
  return new AuthError(`${op} ${what}: Entra ID sign-in failed`, {
    serviceCode: e.errorCode || e.name,
    hint: `the identity provider said: ${first}`,
    cause: err,
  });
}
