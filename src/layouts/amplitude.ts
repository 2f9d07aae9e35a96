/**
 * Amplitude event and merged-ID exports (S3, GCS, Azure Blob), per Amplitude's destination docs:
 *
 *   [PREFIX/][PROJECTID/]PROJECTID_yyyy-MM-dd_H#PARTITION.json.gz   events of one upload hour
 *   [PREFIX/][-ORGID/]-ORGID_yyyy-MM-dd_H.json.gz                   merged Amplitude IDs
 *   [PREFIX/][APPID/]APPID_yyyy-MM-dd_H.json.gz                     merged IDs, legacy single-app orgs
 *
 * H is the UTC hour of server upload without zero padding (`_7#0`, `_17#3`); a padded hour is
 * accepted too. Files sit under any folders, so only the file name is matched.
 *
 * `partition` names the logical slice (project, hour, partition number) independently of the
 * folder and of hour padding, so a backfill exported into another folder dedupes against the
 * original. A backfill may split an hour into a different number of partitions than the original
 * run did; only same-numbered partitions are recognised as the same.
 */
import type { Layout } from './types.js';
import { HOUR_MS, baseName, pad2, plus, utcDate } from './time-parts.js';

const EVENTS_RE = /^(\d+)_(\d{4})-(\d{2})-(\d{2})_(\d{1,2})#(\d+)\.json(?:\.gz)?$/;
const MERGED_RE = /^(-?\d+)_(\d{4})-(\d{2})-(\d{2})_(\d{1,2})\.json(?:\.gz)?$/;

export const amplitude: Layout = {
  name: 'amplitude',
  description: 'Amplitude export: PROJECTID_yyyy-MM-dd_H#PARTITION.json.gz and merged IDs -ORGID_yyyy-MM-dd_H.json.gz',
  kinds: ['events', 'merged-ids'],
  parse(key) {
    const name = baseName(key);
    const e = EVENTS_RE.exec(name);
    if (e) {
      const hour = +e[5];
      const time = utcDate(+e[2], +e[3], +e[4], hour);
      if (!time) return undefined;
      const part = String(+e[6]);
      return {
        layout: 'amplitude',
        kind: 'events',
        time,
        timeEnd: plus(time, HOUR_MS),
        partition: `amplitude:${e[1]}:${e[2]}-${e[3]}-${e[4]}T${pad2(hour)}:${part}`,
        fields: { projectId: e[1], partition: part },
      };
    }
    const m = MERGED_RE.exec(name);
    if (m) {
      const hour = +m[5];
      const time = utcDate(+m[2], +m[3], +m[4], hour);
      if (!time) return undefined;
      const scope = m[1];
      const fields: Record<string, string> = scope.startsWith('-') ? { orgId: scope.slice(1) } : { projectId: scope };
      return {
        layout: 'amplitude',
        kind: 'merged-ids',
        time,
        timeEnd: plus(time, HOUR_MS),
        partition: `amplitude:merged:${scope}:${m[2]}-${m[3]}-${m[4]}T${pad2(hour)}`,
        fields,
      };
    }
    return undefined;
  },
};
