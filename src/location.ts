/**
 * Parses the location forms every command accepts (README "Locations"). Pure: no network, no env.
 */
import { UsageError } from './errors.js';

export interface AzureLocation {
  provider: 'azure';
  account: string;
  /** Service endpoint, e.g. https://acct.blob.core.windows.net or http://127.0.0.1:10000/devstoreaccount1 */
  serviceUrl: string;
  container: string;
  prefix: string;
  /** SAS query string from the URL, without the leading '?'. */
  sas?: string;
  /**
   * True for `az://ACCOUNT/…`: serviceUrl is only the public-cloud guess from the account name,
   * and an endpoint configured for that account (connection string) takes its place.
   */
  endpointGuessed?: boolean;
}
export interface S3Location {
  provider: 's3';
  bucket: string;
  prefix: string;
}
export interface GcsLocation {
  provider: 'gcs';
  bucket: string;
  prefix: string;
}
export interface ProfileLocation {
  provider: 'profile';
  profile: string;
  prefix: string;
}
export type Location = AzureLocation | S3Location | GcsLocation | ProfileLocation;

const AZURE_HOST =
  /^([a-z0-9]{3,24})\.blob\.(core\.windows\.net|core\.chinacloudapi\.cn|core\.usgovcloudapi\.net|core\.cloudapi\.de|storage\.azure\.net)$/i;
const PROFILE_REF = /^([A-Za-z0-9][A-Za-z0-9_.-]*):(?!\/\/)(.*)$/s;

function decodePath(path: string, input: string): string {
  try {
    return path.split('/').map(decodeURIComponent).join('/');
  } catch {
    throw new UsageError(`malformed location "${input}": bad percent-encoding`, {
      hint: 'escape special characters in the path as %XX, or quote the argument',
    });
  }
}

function splitContainer(path: string): { container: string; prefix: string } {
  const trimmed = path.replace(/^\/+/, '');
  const slash = trimmed.indexOf('/');
  if (slash < 0) return { container: trimmed, prefix: '' };
  return { container: trimmed.slice(0, slash), prefix: trimmed.slice(slash + 1) };
}

function isLoopbackOrIp(host: string): boolean {
  return host === 'localhost' || /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.startsWith('[');
}

/** Hides the signature while keeping the rest of a SAS readable for error messages. */
function safeInput(input: string): string {
  return input.replace(/([?&]sig=)[^&]*/i, '$1REDACTED');
}

export function parseLocation(input: string): Location {
  const raw = input.trim();
  if (!raw)
    throw new UsageError('empty location', {
      hint: 'give az://ACCOUNT/CONTAINER/PREFIX, s3://BUCKET/PREFIX, gs://BUCKET/PREFIX, a blob URL or PROFILE:PREFIX',
    });

  if (/^az:\/\//i.test(raw)) {
    const [pathPart, query] = splitQuery(raw.slice(5));
    const slash = pathPart.indexOf('/');
    const account = slash < 0 ? pathPart : pathPart.slice(0, slash);
    if (!/^[a-z0-9]{3,24}$/.test(account)) {
      throw new UsageError(`malformed location "${safeInput(input)}": "${account}" is not a storage account name`, {
        hint: 'account names are 3-24 lowercase letters and digits: az://ACCOUNT/CONTAINER/PREFIX',
      });
    }
    const { container, prefix } = splitContainer(slash < 0 ? '' : decodePath(pathPart.slice(slash + 1), input));
    return withSas(
      { provider: 'azure', account, serviceUrl: `https://${account}.blob.core.windows.net`, container, prefix, endpointGuessed: true },
      query,
    );
  }

  if (/^s3:\/\//i.test(raw)) {
    const rest = raw.slice(5);
    const slash = rest.indexOf('/');
    const bucket = slash < 0 ? rest : rest.slice(0, slash);
    if (bucket && !/^[a-z0-9][a-z0-9.\-_]{1,254}$/i.test(bucket)) {
      throw new UsageError(`malformed location "${input}": "${bucket}" is not a bucket name`, { hint: 'use s3://BUCKET/PREFIX' });
    }
    return { provider: 's3', bucket, prefix: slash < 0 ? '' : rest.slice(slash + 1) };
  }

  if (/^gs:\/\//i.test(raw)) return gcsLocation(raw.slice(5), input);

  if (/^https?:\/\//i.test(raw)) {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new UsageError(`malformed location "${safeInput(input)}": not a valid URL`, {
        hint: 'quote the URL in your shell: a SAS URL contains & characters',
      });
    }
    const query = url.search ? url.search.slice(1) : undefined;
    const host = url.hostname;
    if (GCS_HOST.test(host)) {
      if (query)
        throw new UsageError('a storage.googleapis.com URL takes no query string', {
          hint: 'give gs://BUCKET/PREFIX; signed URLs are not supported',
        });
      return gcsLocation(decodePath(url.pathname.replace(/^\/+/, ''), input), input);
    }
    const m = AZURE_HOST.exec(host);
    if (m) {
      const { container, prefix } = splitContainer(decodePath(url.pathname, input));
      return withSas(
        { provider: 'azure', account: m[1].toLowerCase(), serviceUrl: `${url.protocol}//${url.host}`, container, prefix },
        query,
      );
    }
    if (isLoopbackOrIp(host) || url.port) {
      // Emulator / path-style endpoint: the first path segment is the account.
      const path = decodePath(url.pathname, input).replace(/^\/+/, '');
      const slash = path.indexOf('/');
      const account = slash < 0 ? path : path.slice(0, slash);
      if (!account) {
        throw new UsageError(`malformed location "${safeInput(input)}": no account in the path`, {
          hint: 'emulator URLs look like http://127.0.0.1:10000/devstoreaccount1/CONTAINER/PREFIX',
        });
      }
      const { container, prefix } = splitContainer(slash < 0 ? '' : path.slice(slash + 1));
      return withSas({ provider: 'azure', account, serviceUrl: `${url.protocol}//${url.host}/${account}`, container, prefix }, query);
    }
    throw new UsageError(`unsupported URL host "${host}"`, {
      hint: 'use https://ACCOUNT.blob.core.windows.net/CONTAINER/PREFIX, az://ACCOUNT/CONTAINER, gs://BUCKET/PREFIX or s3://BUCKET/PREFIX (with --endpoint for S3-compatible stores)',
    });
  }

  const p = PROFILE_REF.exec(raw);
  if (p) return { provider: 'profile', profile: p[1], prefix: p[2] };

  throw new UsageError(`malformed location "${safeInput(input)}"`, {
    hint: 'give az://ACCOUNT/CONTAINER/PREFIX, https://ACCOUNT.blob.core.windows.net/CONTAINER/PREFIX[?SAS], s3://BUCKET/PREFIX, gs://BUCKET/PREFIX or PROFILE:PREFIX',
  });
}

/** GCS bucket names: 3-63 characters (up to 222 with dots), lowercase letters, digits, -, _ and dots. */
const GCS_BUCKET = /^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/;
const GCS_HOST = /^(storage\.googleapis\.com|storage\.cloud\.google\.com)$/i;

function gcsLocation(rest: string, input: string): GcsLocation {
  const slash = rest.indexOf('/');
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  if (bucket && !GCS_BUCKET.test(bucket)) {
    throw new UsageError(`malformed location "${input}": "${bucket}" is not a Cloud Storage bucket name`, {
      hint: 'use gs://BUCKET/PREFIX (bucket names are lowercase letters, digits, -, _ and dots)',
    });
  }
  return { provider: 'gcs', bucket, prefix: slash < 0 ? '' : rest.slice(slash + 1) };
}

function splitQuery(s: string): [string, string | undefined] {
  const q = s.indexOf('?');
  return q < 0 ? [s, undefined] : [s.slice(0, q), s.slice(q + 1)];
}

function withSas(loc: AzureLocation, query: string | undefined): AzureLocation {
  if (query && /(^|&)sig=/.test(query)) loc.sas = query;
  else if (query && query.length > 0) {
    throw new UsageError('the URL has a query string but no SAS signature (sig=)', {
      hint: 'paste the whole SAS URL as the vendor gave it, quoted in your shell',
    });
  }
  return loc;
}

/** Renders a location back for display, never including a SAS. */
export function formatLocation(loc: Location): string {
  switch (loc.provider) {
    case 'azure':
      return `az://${loc.account}/${loc.container}${loc.prefix ? `/${loc.prefix}` : ''}`;
    case 's3':
      return `s3://${loc.bucket}${loc.prefix ? `/${loc.prefix}` : ''}`;
    case 'gcs':
      return `gs://${loc.bucket}${loc.prefix ? `/${loc.prefix}` : ''}`;
    case 'profile':
      return `${loc.profile}:${loc.prefix}`;
  }
}
