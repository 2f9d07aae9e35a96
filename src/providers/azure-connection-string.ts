/**
 * Azure Storage connection strings (`AccountName=…;AccountKey=…;BlobEndpoint=…`), parsed without
 * the SDK: target resolution, `profile add` and `profile show` need the account and endpoint long
 * before (or without) any client is built. Pure; the table test is in test/credentials-pure.test.ts.
 */
import { UsageError } from '../errors.js';
import { mask } from '../redact.js';

export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface ConnectionStringParts {
  accountName?: string;
  accountKey?: string;
  blobEndpoint?: string;
  sas?: string;
}

/** Throws UsageError (exit 2) when the string names neither an account nor a blob endpoint. */
export function parseConnectionString(cs: string): ConnectionStringParts {
  const map = new Map<string, string>();
  for (const part of cs.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) map.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  if (map.get('usedevelopmentstorage') === 'true') {
    return { accountName: AZURITE_ACCOUNT, accountKey: AZURITE_KEY, blobEndpoint: `http://127.0.0.1:10000/${AZURITE_ACCOUNT}` };
  }
  const accountName = map.get('accountname');
  const protocol = map.get('defaultendpointsprotocol') ?? 'https';
  const suffix = map.get('endpointsuffix') ?? 'core.windows.net';
  const blobEndpoint =
    map.get('blobendpoint')?.replace(/\/+$/, '') ?? (accountName ? `${protocol}://${accountName}.blob.${suffix}` : undefined);
  if (!blobEndpoint) {
    throw new UsageError('AZURE_STORAGE_CONNECTION_STRING has neither AccountName nor BlobEndpoint', {
      hint: 'copy the connection string from the portal: Storage account → Access keys',
    });
  }
  return {
    accountName: accountName ?? blobEndpoint.split('/').pop(),
    accountKey: map.get('accountkey'),
    blobEndpoint,
    sas: map.get('sharedaccesssignature'),
  };
}

/** The strings inside a connection string that must never be printed: its key and its SAS signature. */
export function connectionStringSecrets(cs: string): Array<string | undefined> {
  const p = parseConnectionString(cs);
  return [p.accountKey, p.sas ? (new URLSearchParams(p.sas).get('sig') ?? undefined) : undefined];
}

/** For `profile show`: the key masked, the SAS signature replaced; the rest (account, endpoint) readable. */
export function maskConnectionString(v: string): string {
  return v
    .replace(/(AccountKey=)[^;]+/i, (_m, k: string) => `${k}${mask(v.match(/AccountKey=([^;]+)/i)?.[1])}`)
    .replace(/(SharedAccessSignature=[^;]*sig=)[^&;]+/i, '$1REDACTED');
}

/** The signature of a SAS token (the only secret part of it), for registerSecret. */
export function sasSignature(token: string): string | undefined {
  return new URLSearchParams(token).get('sig') ?? undefined;
}

/** For `profile show`: a SAS token with its signature replaced. */
export function maskSasToken(v: string): string {
  return v.replace(/(^|&)sig=[^&]*/i, '$1sig=REDACTED');
}
