/**
 * Cloudflare Logpush to R2, S3, GCS or Azure Blob:
 *
 *   [SUBPATH/]YYYYMMDD/YYYYMMDDTHHMMSSZ_YYYYMMDDTHHMMSSZ_HASH.log.gz   ("daily subfolders" on)
 *   [SUBPATH/]YYYYMMDDTHHMMSSZ_YYYYMMDDTHHMMSSZ_HASH.log.gz            (daily subfolders off)
 *   [SUBPATH/]ownership-challenge[-ID].txt                             (destination ownership token)
 *
 * The daily folder is whatever the job's `{DATE}` placeholder expanded to (YYYYMMDD, per the
 * Logpush API docs), so it can sit anywhere in the path (`logs/{DATE}/`, `dt={DATE}/`); only the
 * file name is matched. The two stamps are the first and last moment of the batch.
 */
import type { Layout } from './types.js';
import { baseName, utcFromStrings } from './time-parts.js';

const FILE_RE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z_(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z_([0-9A-Za-z]+)\.log(?:\.gz)?$/;
const CHALLENGE_RE = /^ownership-challenge(?:-[^/]*)?\.txt$/;

export const cloudflare: Layout = {
  name: 'cloudflare',
  description: 'Cloudflare Logpush: [SUBPATH/][YYYYMMDD/]START_END_HASH.log.gz and ownership-challenge files',
  kinds: ['logs', 'challenge'],
  parse(key) {
    const name = baseName(key);
    const m = FILE_RE.exec(name);
    if (m) {
      const time = utcFromStrings(m[1], m[2], m[3], m[4], m[5], m[6]);
      const end = utcFromStrings(m[7], m[8], m[9], m[10], m[11], m[12]);
      if (!time || !end || end < time) return undefined;
      return { layout: 'cloudflare', kind: 'logs', time, timeEnd: end, fields: { hash: m[13] } };
    }
    if (CHALLENGE_RE.test(name)) return { layout: 'cloudflare', kind: 'challenge' };
    return undefined;
  },
};
