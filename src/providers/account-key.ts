/**
 * The one check of an Azure account key's shape, shared by `profile add` (before it is saved) and
 * `sas create` (before it signs): a key is base64 (key1/key2 from the portal). A key that is not
 * would sign tokens the service rejects with a bare 403, long after the command said it was done.
 */
import { UsageError } from '../errors.js';

export function checkAccountKey(key: string, from = 'the account key'): string {
  const k = key.trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(k) || k.length % 4 !== 0)
    throw new UsageError(`${from} is not base64`, { hint: 'copy key1 or key2 from the portal: Storage account → Access keys' });
  return k;
}
