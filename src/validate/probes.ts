/**
 * `archive validate`: what can this credential really do here? Real requests, in an order that
 * keeps the container clean:
 *
 *   list      list objects under the prefix (first page only)
 *   read      GET the first bytes of a real object (the first listed, or --read KEY); when there is
 *             none to read, the probe object written below is read back instead
 *   marker    each --marker NAME must exist (e.g. Logz.io's `logzio-verified`)
 *   challenge find Cloudflare's ownership-challenge-*.txt and read its token
 *   write     PUT a small object under PREFIX/.archive-validate/<random>/
 *   delete    DELETE that object (when the write failed: DELETE a key that does not exist, which
 *             a service authorises before it looks the key up)
 *
 * Whatever happens after the write (a failed probe, an exception, Ctrl-C), a `finally` removes the
 * probe object; when the credential may not delete, the key is reported as left behind.
 */
import { randomBytes } from 'node:crypto';
import { ArchiveError, AuthError, ExitCode, NotFoundError, type ExitCodeValue } from '../errors.js';
import { redact } from '../redact.js';
import type { StorageProvider } from '../providers/types.js';
import { azureHint, type Operation } from '../providers/hints.js';
import type { Target } from '../target.js';
import { parseConnectionString } from '../target.js';
import { parseSas } from '../sas/parse.js';
import { inspectSas, iso, describeLeft, type SasReport } from '../sas/inspect.js';
import { formatBytes } from '../output/format.js';

import { PROBE_NAMES, type ProbeName } from './names.js';

export { PROBE_NAMES, type ProbeName };
export type ProbeStatus = 'ok' | 'fail' | 'skip';

export interface ProbeResult {
  name: ProbeName;
  /** Row label: the probe name, or e.g. "marker logzio-verified". */
  label: string;
  status: ProbeStatus;
  /** The service's error code (or a local one) when the probe failed. */
  code?: string;
  /** What happened, in words. */
  detail: string;
  /** How to fix it (failures). */
  hint?: string;
  key?: string;
  /** The exit code this failure maps to when the probe is required. */
  exitCode?: ExitCodeValue;
  ms: number;
}

export interface ValidateOptions {
  write: boolean;
  readKey?: string;
  markers: string[];
  /** true: find ownership-challenge-*.txt; a string: that key (relative to the prefix). */
  challenge?: string | true;
  probePrefix: string;
  warnDays: number;
  signal?: AbortSignal;
}

export interface ValidateReport {
  location: string;
  provider: 'azure' | 's3';
  auth: string;
  probes: ProbeResult[];
  sas?: SasReport;
  challenge?: { key: string; token: string };
  /** Probe objects that could not be removed. */
  leftovers: string[];
}

export const CHALLENGE_FILE = /(^|\/)ownership-challenge-[^/]*\.txt$/;

export function describeAuth(t: Target): string {
  if (t.provider === 'azure') {
    switch (t.auth.type) {
      case 'sas':
        return 'SAS token';
      case 'key':
        return 'account key';
      case 'connection-string':
        return 'connection string';
      case 'service-principal':
        return `service principal ${t.auth.clientId}`;
      case 'device-code':
        return 'device-code login';
      case 'default':
        return 'default Azure credential chain';
      case 'anonymous':
        return 'anonymous';
    }
  }
  switch (t.auth.type) {
    case 'keys':
      return `access key ${t.auth.accessKeyId}${t.auth.sessionToken ? ' (temporary)' : ''}`;
    case 'assume-role':
      return `assumed role ${t.auth.roleArn}`;
    case 'chain':
      return t.auth.profile ? `AWS profile ${t.auth.profile}` : 'AWS default credential chain';
  }
}

/** The SAS a target authenticates with, when it is one (directly or inside a connection string). */
export function targetSas(t: Target): string | undefined {
  if (t.provider !== 'azure') return undefined;
  if (t.auth.type === 'sas') return t.auth.token;
  if (t.auth.type === 'connection-string') return parseConnectionString(t.auth.connectionString).sas;
  return undefined;
}

function dirPrefix(prefix: string): string {
  return prefix && !prefix.endsWith('/') ? `${prefix}/` : prefix;
}

const SAS_LETTER: Partial<Record<Operation, string>> = { list: 'l', read: 'r', write: 'w', delete: 'd' };

/** Turns a provider error into a failed probe row, with the fix refined by what the SAS says. */
function failure(name: ProbeName, label: string, err: unknown, op: Operation, sas: SasReport | undefined, started: number): ProbeResult {
  const ae = err instanceof ArchiveError ? err : undefined;
  let hint = ae?.hint;
  const code = ae?.serviceCode ?? (err as { code?: string })?.code;
  if (sas && err instanceof AuthError) {
    const letter = SAS_LETTER[op];
    if (sas.expired)
      hint = `the SAS expired ${describeLeft(sas).replace('expired ', '')} (${iso(sas.info.expiry)}): ask for a new token, or create one with \`archive sas create\``;
    else if (sas.notYetValid) hint = `the SAS is not valid before ${iso(sas.info.start)}`;
    else if (letter && !sas.info.permissions.includes(letter)) hint = azureHint('AuthorizationPermissionMismatch', op, true);
    else if (sas.info.ip && code === 'AuthorizationFailure')
      hint = `the SAS only works from ${sas.info.ip} (sip=); ${azureHint('AuthorizationFailure', op, true)}`;
  }
  const message = err instanceof Error ? err.message : String(err);
  return {
    name,
    label,
    status: 'fail',
    code,
    detail: redact(message).split('\n')[0],
    hint: hint ? redact(hint) : undefined,
    exitCode: err instanceof AuthError ? ExitCode.AUTH : err instanceof NotFoundError ? ExitCode.NOT_FOUND : ExitCode.UNEXPECTED,
    ms: Date.now() - started,
  };
}

async function readSome(p: StorageProvider, key: string, size: number | undefined, max: number, signal?: AbortSignal): Promise<Buffer> {
  const range = size === 0 ? undefined : { start: 0, end: Math.max(0, Math.min(size ?? max, max) - 1) };
  const stream = await p.read(key, { range, signal });
  const chunks: Buffer[] = [];
  let n = 0;
  try {
    for await (const c of stream) {
      chunks.push(c as Buffer);
      n += (c as Buffer).length;
      if (n >= max) break;
    }
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks).subarray(0, max);
}

function markerHint(name: string, location: string): string {
  const base = name.replace(/^.*\//, '');
  if (base === 'logzio-verified') {
    return `Logz.io writes logzio-verified when it verifies the archive: save/test the archive settings in Logz.io again and check its bucket and path match ${location}`;
  }
  return `no object "${name}" under ${location}; create it, or check the location (markers are looked up relative to the location's prefix)`;
}

function checkAbort(signal?: AbortSignal): void {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('interrupted');
}

export async function runProbes(p: StorageProvider, t: Target, location: string, opts: ValidateOptions): Promise<ValidateReport> {
  const prefix = t.prefix;
  const probeRoot = dirPrefix(prefix) + dirPrefix(opts.probePrefix.replace(/^\/+/, ''));
  const report: ValidateReport = { location, provider: t.provider, auth: describeAuth(t), probes: [], leftovers: [] };
  const sasToken = targetSas(t);
  if (sasToken) {
    try {
      report.sas = inspectSas(parseSas(sasToken), { warnDays: opts.warnDays });
    } catch {
      // An unreadable SAS still gets probed; the service will say what it thinks of it.
    }
  }
  const sas = report.sas;
  const byName = new Map<string, ProbeResult>();
  const add = (r: ProbeResult) => {
    byName.set(r.label, r);
    return r;
  };

  // list
  const listed: Array<{ key: string; size: number; lastModified: Date }> = [];
  let listOk = false;
  let listErr: ProbeResult | undefined;
  {
    const started = Date.now();
    try {
      let more = false;
      for await (const o of p.listObjects(prefix)) {
        if (o.key.startsWith(probeRoot)) continue;
        if (listed.length >= 50) {
          more = true;
          break;
        }
        listed.push(o);
      }
      listOk = true;
      add({
        name: 'list',
        label: 'list',
        status: 'ok',
        detail: listed.length
          ? `${more ? 'more than ' : ''}${listed.length} object${listed.length === 1 ? '' : 's'} under ${prefix || 'the root'}`
          : `no objects under ${prefix || 'the root'} (listing is allowed)`,
        ms: Date.now() - started,
      });
    } catch (e) {
      listErr = add(failure('list', 'list', e, 'list', sas, started));
    }
  }
  checkAbort(opts.signal);

  // read a real object
  const readKey =
    opts.readKey !== undefined ? dirPrefix(prefix) + opts.readKey.replace(/^\/+/, '') : (listed.find((o) => o.size > 0) ?? listed[0])?.key;
  if (readKey !== undefined) {
    const started = Date.now();
    const size = listed.find((o) => o.key === readKey)?.size;
    try {
      const buf = await readSome(p, readKey, size, 1024, opts.signal);
      add({
        name: 'read',
        label: 'read',
        status: 'ok',
        detail: `read ${formatBytes(buf.length)} of ${readKey}`,
        key: readKey,
        ms: Date.now() - started,
      });
    } catch (e) {
      add({ ...failure('read', 'read', e, 'read', sas, started), key: readKey });
    }
  }
  checkAbort(opts.signal);

  // markers
  for (const m of opts.markers) {
    const label = `marker ${m}`;
    const key = dirPrefix(prefix) + m.replace(/^\/+/, '');
    const started = Date.now();
    try {
      const info = await p.stat(key);
      add({
        name: 'marker',
        label,
        status: 'ok',
        detail: `${key} exists (${formatBytes(info.size)}, ${iso(info.lastModified)})`,
        key,
        ms: Date.now() - started,
      });
    } catch (e) {
      const r = failure('marker', label, e, 'read', sas, started);
      if (e instanceof NotFoundError) r.hint = markerHint(m, location);
      add({ ...r, key });
    }
  }
  checkAbort(opts.signal);

  // Cloudflare ownership challenge
  if (opts.challenge !== undefined) {
    const started = Date.now();
    let key: string | undefined;
    if (typeof opts.challenge === 'string') key = dirPrefix(prefix) + opts.challenge.replace(/^\/+/, '');
    else if (listOk) {
      // The listing above stopped after 50 objects; look specifically.
      let best: { key: string; lastModified: Date } | undefined;
      try {
        for await (const o of p.listObjects(prefix)) {
          if (CHALLENGE_FILE.test(o.key) && (!best || o.lastModified > best.lastModified)) best = o;
        }
      } catch {
        /* reported by the list row */
      }
      key = best?.key;
      if (!key) {
        add({
          name: 'challenge',
          label: 'challenge',
          status: 'fail',
          code: 'ChallengeNotFound',
          detail: `no ownership-challenge-*.txt under ${prefix || 'the root'}`,
          hint: 'start the Logpush job setup in the Cloudflare dashboard (it writes the file when you enter the destination), then run this again',
          exitCode: ExitCode.NOT_FOUND,
          ms: Date.now() - started,
        });
      }
    } else {
      add({
        name: 'challenge',
        label: 'challenge',
        status: 'fail',
        code: listErr?.code,
        detail: 'cannot look for ownership-challenge-*.txt: listing is not allowed',
        hint: 'pass the file name Cloudflare shows: --challenge ownership-challenge-XXXXXXXX.txt (or validate with a credential that can list)',
        exitCode: listErr?.exitCode ?? ExitCode.AUTH,
        ms: Date.now() - started,
      });
    }
    if (key) {
      try {
        const buf = await readSome(p, key, undefined, 4096, opts.signal);
        const token = buf.toString('utf8').trim();
        report.challenge = { key, token };
        add({ name: 'challenge', label: 'challenge', status: 'ok', detail: `token ${token} (from ${key})`, key, ms: Date.now() - started });
      } catch (e) {
        add({ ...failure('challenge', 'challenge', e, 'read', sas, started), key });
      }
    }
  }
  checkAbort(opts.signal);

  // write, read back, delete — the probe object never outlives this block
  if (opts.write) {
    const key = `${probeRoot}${randomBytes(6).toString('hex')}/probe.txt`;
    let written = false;
    let deleted = false;
    try {
      const started = Date.now();
      const body = `archive validate probe, ${new Date().toISOString()}; safe to delete\n`;
      try {
        await p.put(key, body, { contentType: 'text/plain' });
        written = true;
        add({
          name: 'write',
          label: 'write',
          status: 'ok',
          detail: `wrote ${key} (${formatBytes(Buffer.byteLength(body))})`,
          key,
          ms: Date.now() - started,
        });
      } catch (e) {
        add({ ...failure('write', 'write', e, 'write', sas, started), key });
      }
      checkAbort(opts.signal);
      if (!byName.has('read') && written) {
        const s2 = Date.now();
        try {
          await readSome(p, key, Buffer.byteLength(body), 1024, opts.signal);
          add({
            name: 'read',
            label: 'read',
            status: 'ok',
            detail: `read back the probe object (no other object to read)`,
            key,
            ms: Date.now() - s2,
          });
        } catch (e) {
          const r = failure('read', 'read', e, 'read', sas, s2);
          add({ ...r, detail: `read back the probe object: ${r.detail}`, key });
        }
      }
      checkAbort(opts.signal);
      const s3 = Date.now();
      try {
        // Without a probe object, delete a key that does not exist: the service checks the
        // permission first (403), then existence (404 on Azure; S3 answers 204 either way).
        const target = written ? key : `${probeRoot}${randomBytes(6).toString('hex')}/absent.txt`;
        try {
          await p.delete(target);
        } catch (e) {
          const missingKey = e instanceof NotFoundError && (e.serviceCode === 'BlobNotFound' || e.serviceCode === 'NoSuchKey');
          if (written || !missingKey) throw e;
        }
        if (written) deleted = true;
        add({
          name: 'delete',
          label: 'delete',
          status: 'ok',
          detail: written ? `removed ${key}` : 'allowed (checked on a key that does not exist, as the write failed)',
          key: written ? key : undefined,
          ms: Date.now() - s3,
        });
      } catch (e) {
        add({ ...failure('delete', 'delete', e, 'delete', sas, s3), key: written ? key : undefined });
      }
    } finally {
      if (written && !deleted) {
        try {
          await p.delete(key);
        } catch {
          report.leftovers.push(key);
        }
      }
    }
  }

  if (!byName.has('read')) {
    add({
      name: 'read',
      label: 'read',
      status: 'skip',
      detail: listOk
        ? `nothing to read under ${prefix || 'the root'}${opts.write ? '' : ' (and --no-write)'}; name an object with --read KEY`
        : 'nothing to read: the listing failed and no probe object was written; name an object with --read KEY',
      // When the listing was refused, that refusal is why nothing was read: report it (an expired
      // SAS is exit 3, not "not found").
      ...(listErr && listErr.exitCode !== ExitCode.NOT_FOUND
        ? { code: listErr.code, hint: listErr.hint, exitCode: listErr.exitCode }
        : { exitCode: ExitCode.NOT_FOUND }),
      ms: 0,
    });
  }
  const order = (r: ProbeResult) => PROBE_NAMES.indexOf(r.name);
  report.probes = [...byName.values()].sort((a, b) => order(a) - order(b));
  return report;
}

/**
 * Which probes decide the exit code: the --require list, else every probe that ran.
 * Returns the failures among them (skipped required probes count as failures).
 */
export function requiredFailures(report: ValidateReport, require: ProbeName[] | undefined): ProbeResult[] {
  return report.probes.filter((r) => (require ? require.includes(r.name) && r.status !== 'ok' : r.status === 'fail'));
}

export function exitCodeFor(failures: ProbeResult[]): ExitCodeValue {
  if (!failures.length) return ExitCode.OK;
  if (failures.some((f) => f.exitCode === ExitCode.AUTH)) return ExitCode.AUTH;
  if (failures.some((f) => f.exitCode === ExitCode.NOT_FOUND)) return ExitCode.NOT_FOUND;
  return ExitCode.UNEXPECTED;
}
