/**
 * challenge: Cloudflare's ownership challenge. When a Logpush destination is entered, Cloudflare
 * writes `ownership-challenge-<hex>.txt` under the destination path and asks for the token inside
 * (Cloudflare's "Enable Logpush to Microsoft Azure" guide, step 10). Without --challenge the file is looked for
 * directly under the location's prefix (one prefix listing, cheap on any archive) and reported
 * only when found; `--challenge` searches the whole prefix and fails when there is none;
 * `--challenge FILE` reads that file (for a credential that may not list).
 *
 * Several files (each new attempt at the setup writes one): the newest by last-modified time is
 * the one Cloudflare waits for; equal times: the first in key order. The others are named.
 */
import { ExitCode } from '../errors.js';
import type { ObjectInfo } from '../providers/types.js';
import { addRow, failure, readSome, underLocation, type ProbeContext } from './probe-kit.js';

export const CHALLENGE_FILE = /(^|\/)ownership-challenge-[^/]*\.txt$/;
const CHALLENGE_NAME = /^ownership-challenge-[^/]*\.txt$/;

/** Newest first; equal times keep key order (the listing's). */
export function newestFirst(found: ObjectInfo[]): ObjectInfo[] {
  return found
    .map((o, i) => ({ o, i }))
    .sort((a, b) => b.o.lastModified.getTime() - a.o.lastModified.getTime() || a.i - b.i)
    .map((x) => x.o);
}

async function collect(ctx: ProbeContext, listPrefix: string, match: (key: string) => boolean): Promise<ObjectInfo[]> {
  const out: ObjectInfo[] = [];
  try {
    for await (const o of ctx.p.listObjects(listPrefix)) if (match(o.key)) out.push(o);
  } catch {
    /* the list row reports what listing is allowed */
  }
  return out;
}

export async function probeChallenge(ctx: ProbeContext): Promise<void> {
  const asked = ctx.opts.challenge;
  const started = Date.now();
  let keys: string[];
  if (typeof asked === 'string') keys = [underLocation(ctx, asked)];
  else if (!ctx.listOk) {
    if (asked === undefined) return;
    addRow(ctx, {
      name: 'challenge',
      label: 'challenge',
      status: 'fail',
      code: ctx.listErr?.code,
      detail: 'cannot look for ownership-challenge-*.txt: listing is not allowed',
      hint: 'pass the file name Cloudflare shows: --challenge ownership-challenge-XXXXXXXX.txt (or validate with a credential that can list)',
      exitCode: ctx.listErr?.exitCode ?? ExitCode.AUTH,
      ms: Date.now() - started,
    });
    return;
  } else {
    const found =
      asked === true
        ? await collect(ctx, ctx.prefix, (k) => CHALLENGE_FILE.test(k))
        : await collect(ctx, `${ctx.dir}ownership-challenge-`, (k) => CHALLENGE_NAME.test(k.slice(ctx.dir.length)));
    keys = newestFirst(found).map((o) => o.key);
    if (!keys.length) {
      if (asked === undefined) return;
      addRow(ctx, {
        name: 'challenge',
        label: 'challenge',
        status: 'fail',
        code: 'ChallengeNotFound',
        detail: `no ownership-challenge-*.txt under ${ctx.prefix || 'the root'}`,
        hint: 'start the Logpush job setup in the Cloudflare dashboard (it writes the file when you enter the destination), then run this again',
        exitCode: ExitCode.NOT_FOUND,
        ms: Date.now() - started,
      });
      return;
    }
  }
  const [key, ...others] = keys;
  const optional = asked === undefined ? { optional: true } : {};
  try {
    const token = (await readSome(ctx.p, key, undefined, 4096, ctx.opts.signal)).toString('utf8').trim();
    ctx.report.challenge = others.length ? { key, token, others } : { key, token };
    const also = others.length ? `; the newest of ${keys.length}, also ${others.join(', ')}` : '';
    addRow(ctx, {
      name: 'challenge',
      label: 'challenge',
      status: 'ok',
      detail: `token ${token} (from ${key}${also})`,
      key,
      ...optional,
      ms: Date.now() - started,
    });
  } catch (e) {
    addRow(ctx, { ...failure('challenge', 'challenge', e, 'read', ctx.sas, started), key, ...optional });
  }
}
