/**
 * Object URLs from a resolved target, for `list --urls` and `--emit`: no request, no secret unless
 * asked (`withSas` appends the SAS the target already carries). Pure.
 */
import type { Target } from '../target.js';
import { parseConnectionString } from '../providers/azure-connection-string.js';

const pct = (c: string) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;

/**
 * One path segment as RFC 3986 wants it: every byte but the unreserved ones (A-Z a-z 0-9 - . _ ~)
 * percent-encoded, so no `*`, `?`, `[`, `#`, quote or control character is left for a client or an
 * engine to read as syntax or a pattern; a `.` or `..` segment is encoded too, so a client does
 * not resolve it away (it names a blob of that name, not the folder above).
 */
export function encodeSegment(seg: string): string {
  if (seg === '.' || seg === '..') return seg.replace(/\./g, '%2E');
  return encodeURIComponent(seg.replace(/\p{Cs}/gu, '\ufffd')).replace(/[!'()*]/g, pct);
}

/** Each path segment percent-encoded (encodeSegment), slashes kept (what the Blob/S3 REST paths expect). */
export function encodeKey(key: string): string {
  return key.split('/').map(encodeSegment).join('/');
}

/** The SAS query the target authenticates with, if it is a SAS (never an account key). */
export function sasOf(target: Target): string | undefined {
  if (target.provider !== 'azure') return undefined;
  if (target.auth.type === 'sas') return target.auth.token.replace(/^\?/, '');
  if (target.auth.type === 'connection-string') return parseConnectionString(target.auth.connectionString).sas?.replace(/^\?/, '');
  return undefined;
}

/** The https URL of an object (Azure blob URL; S3 path-style on a custom endpoint, else virtual-host style). */
export function httpsUrl(target: Target, key: string, o: { withSas?: boolean } = {}): string {
  if (target.provider === 'azure') {
    const sas = o.withSas ? sasOf(target) : undefined;
    return `${target.serviceUrl.replace(/\/+$/, '')}/${target.container}/${encodeKey(key)}${sas ? `?${sas}` : ''}`;
  }
  if (target.endpoint) return `${target.endpoint.replace(/\/+$/, '')}/${target.bucket}/${encodeKey(key)}`;
  if (target.provider === 'gcs') return `https://storage.googleapis.com/${target.bucket}/${encodeKey(key)}`;
  const region = target.region ?? 'us-east-1';
  return `https://${target.bucket}.s3.${region}.amazonaws.com/${encodeKey(key)}`;
}

/**
 * The URL `list --urls` prints: the object's https URL on both services, every key byte that is
 * not unreserved percent-encoded, so one line is one object whatever the key holds (an `s3://`
 * URL has no encoding: a key with a line break or a `%` cannot be written as one).
 */
export function objectUrl(target: Target, key: string): string {
  return httpsUrl(target, key);
}

/** The folder `list --paths` lines are relative to: the location's prefix up to its last `/`. */
export function pathsBase(prefix: string): string {
  return prefix.slice(0, prefix.lastIndexOf('/') + 1);
}
