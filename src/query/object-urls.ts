/**
 * Object URLs from a resolved target, for `list --urls` and `--emit`: no request, no secret unless
 * asked (`withSas` appends the SAS the target already carries). Pure.
 */
import type { Target } from '../target.js';
import { parseConnectionString } from '../providers/azure-connection-string.js';

/** Each path segment percent-encoded, slashes kept (what the Blob/S3 REST paths expect). */
export function encodeKey(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
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

/** The URL `list --urls` prints: the blob URL on Azure, `s3://bucket/key` on S3, `gs://bucket/key` on GCS (what aws/gcloud/rclone take). */
export function objectUrl(target: Target, key: string): string {
  if (target.provider === 'gcs') return `gs://${target.bucket}/${key}`;
  return target.provider === 'azure' ? httpsUrl(target, key) : `s3://${target.bucket}/${key}`;
}
