/**
 * Every kind a layout can give an object, with what data commands do with it by default. A
 * dependency-free name module: `--kind` validation, completion and help read it without loading
 * a layout.
 *
 *  - record: log or event files; the default of `cat`, `pull` and `query`.
 *  - binary: heap dumps, JFR recordings, service dumps; pulled by default (a copy of the archive
 *    without its dumps would be a silent loss), never streamed by `cat`/`query` unless asked for.
 *  - meta: what vendors and `archive validate` write beside the data (ownership challenges,
 *    markers, probes) and folders; listed with their kind, left out of every data command.
 */
export type KindClass = 'record' | 'binary' | 'meta';

export const KINDS: Readonly<Record<string, { class: KindClass; description: string }>> = {
  logs: { class: 'record', description: 'log files (Cloudflare, Logz.io, dated and generic archives)' },
  access: { class: 'record', description: 'Vespa access logs' },
  connection: { class: 'record', description: 'Vespa connection logs' },
  vespa: { class: 'record', description: 'Vespa service logs (vespa.log)' },
  zookeeper: { class: 'record', description: 'Vespa ZooKeeper logs' },
  'start-services': { class: 'record', description: 'Vespa start-services output' },
  events: { class: 'record', description: 'Amplitude event exports' },
  'merged-ids': { class: 'record', description: 'Amplitude merged user IDs' },
  heapdump: { class: 'binary', description: 'JVM heap dumps' },
  jfr: { class: 'binary', description: 'Java Flight Recorder recordings' },
  dump: { class: 'binary', description: 'other Vespa service dumps (jstack, jmap, perf)' },
  challenge: { class: 'meta', description: 'Cloudflare ownership-challenge files' },
  marker: { class: 'meta', description: 'markers such as logzio-verified' },
  probe: { class: 'meta', description: 'archive validate probe objects (.archive-validate/)' },
  folder: { class: 'meta', description: 'folder markers (keys ending in /, ADLS Gen2 directories)' },
};

export const KIND_NAMES: readonly string[] = Object.keys(KINDS);

export function kindClass(kind: string | undefined): KindClass {
  return (kind && KINDS[kind]?.class) || 'record';
}
