/**
 * S3's `x-amz-restore` header (HEAD/GET of an object with a restore under way or done), pure:
 * `ongoing-request="true"`, or `ongoing-request="false", expiry-date="Fri, 21 Dec 2012 00:00:00 GMT"`.
 */
import type { RestoreInfo } from './types.js';

export function parseAmzRestore(header: string | undefined): RestoreInfo | undefined {
  if (!header) return undefined;
  const ongoing = /ongoing-request\s*=\s*"?\s*true/i.test(header);
  if (ongoing) return { state: 'pending' };
  const m = /expiry-date\s*=\s*"([^"]+)"/i.exec(header);
  const expiry = m ? new Date(m[1]) : undefined;
  return { state: 'restored', ...(expiry && !Number.isNaN(expiry.getTime()) ? { expiry } : {}) };
}
