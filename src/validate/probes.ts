/**
 * `archive validate`: what can this credential really do here? Real requests, in an order that
 * keeps the container clean, each a function of its own file:
 *
 *   list      list objects under the prefix (first page only)               probe-list.ts
 *   read      GET the first bytes of a real object (the first listed, or    probe-read.ts
 *             --read KEY); when there is none, the probe object written
 *             below is read back instead
 *   marker    each --marker NAME must exist (e.g. Logz.io's `logzio-verified`) probe-marker.ts
 *   challenge Cloudflare's ownership-challenge-*.txt and its token            probe-challenge.ts
 *   write     PUT a small object under PREFIX/.archive-validate/<random>/     probe-write.ts
 *   delete    DELETE that object (when the write failed: DELETE a key that
 *             does not exist, which a service authorises before it looks the key up)
 *
 * The probe object is always removed (probe-write.ts); what the run comes to is verdict.ts.
 */
import type { StorageProvider } from '../providers/types.js';
import type { Target } from '../target.js';
import { parseConnectionString } from '../providers/azure-connection-string.js';
import { parseSas } from '../sas/parse.js';
import { inspectSas, type SasReport } from '../sas/inspect.js';
import { PROBE_NAMES, type ProbeName } from './names.js';
import { checkAbort, dirPrefix, type ProbeContext } from './probe-kit.js';
import { probeList } from './probe-list.js';
import { probeRead, readSkipped } from './probe-read.js';
import { probeMarkers } from './probe-marker.js';
import { probeChallenge } from './probe-challenge.js';
import { probeWriteDelete } from './probe-write.js';
import type { ValidateOptions, ValidateReport } from './types.js';

export { PROBE_NAMES, type ProbeName };
export type { ProbeResult, ProbeStatus, ValidateOptions, ValidateReport } from './types.js';
export { CHALLENGE_FILE } from './probe-challenge.js';
export { exitCodeFor, requiredFailures, requiredNames, verdict } from './verdict.js';

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
  if (t.provider === 'gcs') {
    const billed = t.userProject ? `, billed to project ${t.userProject}` : '';
    switch (t.auth.type) {
      case 'hmac':
        return `HMAC key ${t.auth.hmacAccessId}${billed}`;
      case 'service-account':
        return `service-account key file ${t.auth.keyFile}${billed}`;
      case 'application-default':
        return `Google Application Default Credentials${billed}`;
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

function sasOf(t: Target, warnDays: number | undefined, now?: Date): SasReport | undefined {
  const token = targetSas(t);
  if (!token) return undefined;
  try {
    return inspectSas(parseSas(token), { warnDays, now });
  } catch {
    return undefined; // An unreadable SAS still gets probed; the service will say what it thinks of it.
  }
}

/** Runs the probes in order, stopping between them on Ctrl-C (the write probe cleans up after itself). */
export async function runProbes(p: StorageProvider, t: Target, location: string, opts: ValidateOptions): Promise<ValidateReport> {
  const sas = sasOf(t, opts.warnDays, opts.now);
  const report: ValidateReport = {
    location,
    provider: t.provider,
    auth: describeAuth(t),
    probes: [],
    leftovers: [],
    ...(sas ? { sas } : {}),
  };
  const dir = dirPrefix(t.prefix);
  const ctx: ProbeContext = {
    p,
    location,
    opts,
    prefix: t.prefix,
    dir,
    probeRoot: dir + dirPrefix(opts.probePrefix.replace(/^\/+/, '')),
    sas,
    report,
    listed: [],
    listOk: false,
    rows: new Map(),
  };
  const steps = [probeList, probeRead, probeMarkers, probeChallenge, ...(opts.write ? [probeWriteDelete] : [])];
  for (const [i, step] of steps.entries()) {
    if (i > 0) checkAbort(opts.signal);
    await step(ctx);
  }
  readSkipped(ctx);
  const order = (name: ProbeName) => PROBE_NAMES.indexOf(name);
  report.probes = [...ctx.rows.values()].sort((a, b) => order(a.name) - order(b.name));
  return report;
}
