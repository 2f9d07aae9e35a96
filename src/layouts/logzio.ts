/**
 * Logz.io archive (S3 or Azure Blob): raw, pre-indexing logs as gzip JSON in per-account date/hour
 * folders, plus the `logzio-verified` marker file Logz.io requires before it archives or restores.
 *
 *   [PATH/]ACCOUNTID/YYYY/MM/DD/HH/FILE
 *   [PATH/]ACCOUNTID/year=YYYY/month=MM/day=DD/hour=HH/FILE
 *   [PATH/]logzio-verified
 *
 * Logz.io documents the marker and that archives are raw gzip JSON, but not the object naming, so
 * both common folder spellings are accepted and the file name itself is not constrained. The
 * numeric account segment in front of the date folders is what tells these apart from the
 * generic `dated` layout.
 */
import type { Layout } from './types.js';
import { HOUR_MS, plus, utcFromStrings } from './time-parts.js';

const SLASH_RE = /^(?:.*\/)?(\d{3,12})\/(\d{4})\/(\d{1,2})\/(\d{1,2})\/(\d{1,2})\/[^/]+$/;
const HIVE_RE = /^(?:.*\/)?(\d{3,12})\/year=(\d{4})\/month=(\d{1,2})\/day=(\d{1,2})\/hour=(\d{1,2})\/[^/]+$/;
const MARKER_RE = /(?:^|\/)logzio-verified(?:\.txt)?$/;

export const logzio: Layout = {
  name: 'logzio',
  description: 'Logz.io archive: [PATH/]ACCOUNTID/YYYY/MM/DD/HH/FILE (or year=/month=/day=/hour=) and logzio-verified',
  kinds: ['logs', 'marker'],
  parse(key) {
    const m = SLASH_RE.exec(key) ?? HIVE_RE.exec(key);
    if (m) {
      const time = utcFromStrings(m[2], m[3], m[4], m[5]);
      if (!time) return undefined;
      return { layout: 'logzio', kind: 'logs', time, timeEnd: plus(time, HOUR_MS), fields: { accountId: m[1] } };
    }
    if (MARKER_RE.test(key)) return { layout: 'logzio', kind: 'marker' };
    return undefined;
  },
};
