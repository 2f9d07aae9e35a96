/**
 * Azure's credential table: every value an Azure location or profile can take from a flag or the
 * environment, declared once (see credential-table.ts for what is derived from it). No SDK here;
 * azure.ts turns the resolved values into a client.
 */
import { mask } from '../redact.js';
import { connectionStringSecrets, maskConnectionString, maskSasToken, sasSignature } from './azure-connection-string.js';
import type { AuthTypeSpec, CredentialField } from './credential-table.js';

export const AZURE_FIELDS = {
  account: {
    label: 'storage account name',
    flag: { spec: '--account <name>', help: 'Azure storage account (env AZURE_STORAGE_ACCOUNT)' },
    env: ['AZURE_STORAGE_ACCOUNT'],
    envHelp: 'Azure storage account, for an account key (and `containers` without a location)',
    secret: false,
  },
  token: {
    label: 'SAS token',
    flag: { spec: '--sas <token>', help: 'SAS token (prefer a SAS URL as LOCATION, --secret-stdin or AZURE_STORAGE_SAS_TOKEN)' },
    env: ['AZURE_STORAGE_SAS_TOKEN'],
    envHelp: 'Azure SAS for `az://` locations (same as `--sas`)',
    secret: true,
    secretParts: (v) => [sasSignature(v)],
    show: maskSasToken,
  },
  accountKey: {
    label: 'account key',
    env: ['AZURE_STORAGE_KEY', 'AZURE_STORAGE_ACCESS_KEY'],
    envHelp: 'Azure account key (with `AZURE_STORAGE_ACCOUNT`)',
    secret: true,
    show: mask,
  },
  connectionString: {
    label: 'connection string',
    env: ['AZURE_STORAGE_CONNECTION_STRING'],
    envHelp: 'Azure credential and endpoint (also the account for `containers` without a location)',
    secret: true,
    secretParts: connectionStringSecrets,
    show: maskConnectionString,
  },
  tenantId: {
    label: 'tenant id',
    flag: { spec: '--tenant-id <id>', help: 'Entra tenant id, for service-principal and device-code (env AZURE_TENANT_ID)' },
    env: ['AZURE_TENANT_ID'],
    envHelp: 'Entra ID tenant of a service principal or device-code sign-in; the default chain reads its usual variables',
    secret: false,
  },
  clientId: {
    label: 'client id',
    question: 'client (application) id',
    flag: { spec: '--client-id <id>', help: 'Entra application (client) id (env AZURE_CLIENT_ID)' },
    env: ['AZURE_CLIENT_ID'],
    envHelp: 'Entra ID application (client) id',
    secret: false,
  },
  clientSecret: {
    label: 'client secret',
    env: ['AZURE_CLIENT_SECRET'],
    envHelp: 'Entra ID service principal secret',
    secret: true,
    show: mask,
  },
  authorityHost: {
    label: 'authority host',
    flag: { spec: '--authority-host <url>', help: 'Entra authority for sovereign clouds (env AZURE_AUTHORITY_HOST)' },
    env: ['AZURE_AUTHORITY_HOST'],
    envHelp: 'Entra ID authority for sovereign clouds, e.g. https://login.microsoftonline.us',
    secret: false,
  },
} as const satisfies Record<string, CredentialField>;

export type AzureField = keyof typeof AZURE_FIELDS;

export const AZURE_AUTH_TYPES = ['sas', 'key', 'connection-string', 'service-principal', 'device-code', 'default', 'anonymous'] as const;
export type AzureAuthType = (typeof AZURE_AUTH_TYPES)[number];

export const AZURE_AUTH: Record<AzureAuthType, AuthTypeSpec<AzureField>> = {
  sas: { help: 'a shared access signature', fields: [{ field: 'token', use: 'required' }] },
  key: { help: 'the storage account key', fields: [{ field: 'accountKey', use: 'required' }] },
  'connection-string': { help: 'a connection string (key or SAS inside)', fields: [{ field: 'connectionString', use: 'required' }] },
  'service-principal': {
    help: 'an Entra ID application and its secret',
    fields: [
      { field: 'tenantId', use: 'required' },
      { field: 'clientId', use: 'required' },
      { field: 'clientSecret', use: 'required' },
      { field: 'authorityHost', use: 'quiet' },
    ],
  },
  'device-code': {
    help: 'a person signs in with a code in a browser',
    fields: [
      // The tenant that invited you (e.g. Vespa Cloud's): a guest must sign in there, not at home.
      { field: 'tenantId', use: 'optional', question: 'tenant id of the directory that invited you' },
      { field: 'clientId', use: 'quiet' },
      { field: 'authorityHost', use: 'quiet' },
    ],
  },
  default: { help: 'environment, managed identity, Azure CLI login', fields: [] },
  anonymous: { help: 'a public container', fields: [] },
};
