/**
 * Vespa Cloud log archive (S3, GCS, Azure Blob). Shapes follow Vespa's node-admin uploader
 * (SyncFileInfo.forLogFile, VespaServiceDumperImpl) and the archive guides for AWS, GCP and Azure
 * (docs.vespa.ai, operations/archive):
 *
 *   [PREFIX/]TENANT/APP/INSTANCE/HOST/logs/access/NAME         NAME starts with JsonAccessLog. or access
 *       JsonAccessLog.CLUSTER.YYYYMMDDHHMMSS.zst  (today's AccessLogComponent pattern)
 *       JsonAccessLog.YYYYMMDDHHMMSS.zst          (older releases; the GCP guide's example key)
 *       access.log.YYYYMMDD[.zst], access-json.log.YYYYMMDD[HHMMSS][.zst], JsonAccessLog.CLUSTER.zst (live file), …
 *   [PREFIX/]TENANT/APP/INSTANCE/HOST/logs/connection/ConnectionLog[.CLUSTER].YYYYMMDDHHMMSS[.zst]
 *   [PREFIX/]TENANT/APP/INSTANCE/HOST/logs/vespa/vespa.log[-YYYY-MM-DD[.HH-mm-ss]][.zst]
 *   [PREFIX/]TENANT/APP/INSTANCE/HOST/logs/zookeeper/zookeeper.log[-YYYY-MM-DD.HH-mm-ss][.zst]
 *   [PREFIX/]TENANT/APP/INSTANCE/HOST/logs/start-services/start-services.out-…[.zst]
 *   [PREFIX/]TENANT/APP/INSTANCE/HOST/service-dump/CONFIGID-CREATEDMILLIS/FILE[.zst]
 *     (jvm-heap-dump.bin → heapdump, recording.jfr → jfr, jstack/jmap/perf text → dump)
 *   [PREFIX/]TENANT/APP/INSTANCE/HOST/<…dump…|jfr|recordings>/[SUBDIR/]FILE.hprof|.jfr[.zst]
 *
 * Every name the uploader can write into a log folder is claimed (UPLOADED: it routes by how the
 * file name starts, so that is what is matched), with the folder's host and kind; its time is the
 * stamp after the stem where there is one (name-stamps.ts reads it, so the layout and the name
 * rule read the same day), else none (callers use last-modified: the live `vespa.log.zst` and
 * `zookeeper.log.zst` are rewritten in place). Names the uploader never writes there (`README`,
 * `nginx-access.log.gz`) are left to the later layouts in auto mode.
 *
 * The key is anchored at its end (HOST/logs/TYPE/FILE), so any number of leading PREFIX segments is
 * accepted — a bucket copied under another folder still parses. TENANT/APP/INSTANCE are the three
 * segments before HOST when present; with fewer (e.g. one host's folder copied elsewhere, as the
 * Vespa archive guide shows) the key still parses, without those fields.
 *
 * THE RULE (what lets --host and --kind prune folders, listing/scope.ts): a Vespa log-type folder
 * `HOST/logs/TYPE/` (TYPE one of LOG_TYPES) holds files, not trees. A key nested deeper below one
 * (`h1/logs/access/old/h2/logs/access/JsonAccessLog…`, `h1/logs/access/jfr/x.jfr`) is not read as
 * Vespa at all (the later layouts may still claim it, without host). Vespa's uploader never writes
 * such keys; without the rule any folder could hold another host's tree, so no folder could be
 * skipped for --host. With it, everything below `HOST/logs/TYPE/` has host HOST or none, and kind
 * TYPE or a non-Vespa kind.
 */
import type { KeyFacts, Layout } from './types.js';
import { DAY_MS, HOUR_MS, fromEpochMillis, kindFromName, plus, utcFromStrings } from './time-parts.js';
import { isStampPlace, stampTime, stemAt } from './name-stamps.js';

const LOG_RE = /^(?:(.*)\/)?([^/]+)\/logs\/([^/]+)\/([^/]+)$/;
const DUMP_RE = /^(?:(.*)\/)?([^/]+)\/(service-dump|[^/]*dump[^/]*|jfr|recordings?)\/(?:([^/]+)\/)?([^/]+)$/i;

/**
 * How the names the uploader sends to each log folder start (SyncFileInfo.forLogFile routes by
 * `filename.startsWith(…)`; QueryAccessLog and AccessLog are older Vespa access logs copied there).
 */
const UPLOADED: Record<string, RegExp> = {
  access: /^(?:JsonAccessLog\.|access|QueryAccessLog\.|AccessLog\.)/,
  connection: /^ConnectionLog\./,
  vespa: /^vespa\.log/,
  zookeeper: /^zookeeper\.log/,
  'start-services': /^start-services\.out/,
};
// start-services.out files carry whatever their rotation appended: read a stamp there if it is one.
const START_SERVICES_RE = /^start-services\.out-(.+?)(?:\.zst)?$/;

/** The log folders Vespa's uploader writes files into (HOST/logs/TYPE/FILE). */
export const LOG_TYPES: readonly string[] = Object.keys(UPLOADED);
const TYPES_ALT = LOG_TYPES.join('|');
// A log-type folder with at least one more folder below it: what THE RULE rejects.
const NESTED_RE = new RegExp(`(?:^|/)[^/]+/logs/(?:${TYPES_ALT})/[^/]*/`);
// A folder path (ending in '/') that is itself HOST/logs/TYPE/.
const TYPE_DIR_RE = new RegExp(`(?:^|/)([^/]+)/logs/(${TYPES_ALT})/$`);

/**
 * What THE RULE says about the keys below a folder (a path ending in '/'): 'nested' when the folder
 * lies below a log-type folder (no key under it is Vespa), the host and type when it is one (only
 * its direct files can be Vespa, all of that host and type), undefined otherwise (anything goes).
 */
export function vespaFolder(folder: string): { nested: true } | { nested: false; host: string; type: string } | undefined {
  if (!folder.includes('/logs/')) return undefined;
  if (NESTED_RE.test(folder)) return { nested: true };
  const m = TYPE_DIR_RE.exec(folder);
  return m ? { nested: false, host: m[1], type: m[2] } : undefined;
}

const STAMP_RE = /^(\d{4})-?(\d{2})-?(\d{2})(?:[.T]?(\d{2})-?(\d{2})-?(\d{2}))?$/;
const DUMP_ID_RE = /^(.*)-(\d{13})$/;
const HEAP_NAME_RE = /heap-?dump/i;
// Cheap substring checks spare the backtracking regexes on the vast majority of foreign keys.
const DUMP_HINT_RE = /dump|jfr|recording/i;

function addScope(prefix: string | undefined, fields: Record<string, string>): void {
  if (!prefix) return;
  const parts = prefix.split('/');
  if (parts.length < 3) return;
  const n = parts.length;
  fields.tenant = parts[n - 3];
  fields.application = parts[n - 2];
  fields.instance = parts[n - 1];
}

function parseLog(m: RegExpExecArray, key: string): KeyFacts | undefined {
  const [, prefix, host, type, name] = m;
  const uploaded = UPLOADED[type];
  if (!uploaded?.test(name)) return undefined;
  const fields: Record<string, string> = {};
  addScope(prefix, fields);
  const facts: KeyFacts = { layout: 'vespa', kind: type, host, fields };
  if (type === 'start-services') {
    const s = STAMP_RE.exec(START_SERVICES_RE.exec(name)?.[1] ?? '');
    const time = s ? utcFromStrings(s[1], s[2], s[3], s[4], s[5], s[6]) : undefined;
    if (time) facts.time = time;
    return facts;
  }
  const at = stemAt(key);
  if (at?.container) fields.container = at.container;
  const stamp = at && isStampPlace(at.rest) ? stampTime(at.rest, at.dashed) : undefined;
  if (stamp) {
    facts.time = stamp.time;
    // Access and connection files are named when opened and rotated hourly by default (a
    // date-only pattern rotates daily). vespa.log and zookeeper.log names carry the time the file
    // was closed or synced instead, so their span is unknown and only the stamp is given.
    if (type === 'access' || type === 'connection') facts.timeEnd = plus(stamp.time, stamp.full ? HOUR_MS : DAY_MS);
  }
  return facts;
}

function parseDump(m: RegExpExecArray): KeyFacts | undefined {
  const [, prefix, host, dir, sub, name] = m;
  const serviceDump = dir.toLowerCase() === 'service-dump';
  let kind = kindFromName(name);
  if (kind === 'logs') {
    if (HEAP_NAME_RE.test(name)) kind = 'heapdump';
    else if (serviceDump) kind = 'dump';
    else return undefined; // a folder merely named like "dumps" with ordinary files is not evidence
  }
  const fields: Record<string, string> = {};
  addScope(prefix, fields);
  const facts: KeyFacts = { layout: 'vespa', kind, host, fields };
  if (sub) {
    const id = DUMP_ID_RE.exec(sub);
    fields.dump = id ? id[1] : sub;
    const t = id ? fromEpochMillis(+id[2]) : undefined;
    if (t) facts.time = t;
  }
  return facts;
}

export const vespa: Layout = {
  name: 'vespa',
  description: 'Vespa Cloud archive: TENANT/APP/INSTANCE/HOST/logs/TYPE/FILE, service dumps, heap dumps, JFR',
  kinds: [...LOG_TYPES, 'heapdump', 'jfr', 'dump'],
  hosts: true,
  parse(key) {
    if (key.includes('/logs/') && NESTED_RE.test(key)) return undefined; // THE RULE
    if (key.includes('/logs/')) {
      const m = LOG_RE.exec(key);
      if (m) return parseLog(m, key);
    }
    if (!DUMP_HINT_RE.test(key)) return undefined;
    const d = DUMP_RE.exec(key);
    return d ? parseDump(d) : undefined;
  },
};
