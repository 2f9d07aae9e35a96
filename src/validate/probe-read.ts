/**
 * read: GET the first bytes of a real object (--read KEY, else the first non-empty one listed that
 * is not archived).
 * When there is none, the write probe reads its own object back (probe-write.ts), and when even
 * that did not happen, `readSkipped` says why nothing was read.
 */
import { ExitCode } from '../errors.js';
import { formatBytes } from '../output/format.js';
import { addRow, failure, readSome, underLocation, type ProbeContext } from './probe-kit.js';
import type { ObjectInfo } from '../providers/types.js';
import { coldState, readable } from '../providers/cold-state.js';

export async function probeRead(ctx: ProbeContext): Promise<void> {
  // An archived object (Azure Archive tier, S3 Glacier) refuses any read: it says nothing of the credential.
  const online = (o: ObjectInfo) => readable(coldState(o, ctx.p.kind));
  const key =
    ctx.opts.readKey !== undefined
      ? underLocation(ctx, ctx.opts.readKey)
      : (ctx.listed.find((o) => o.size > 0 && online(o)) ?? ctx.listed.find((o) => o.size > 0) ?? ctx.listed[0])?.key;
  if (key === undefined) return;
  const started = Date.now();
  const size = ctx.listed.find((o) => o.key === key)?.size;
  try {
    const buf = await readSome(ctx.p, key, size, 1024, ctx.opts.signal);
    addRow(ctx, {
      name: 'read',
      label: 'read',
      status: 'ok',
      detail: `read ${formatBytes(buf.length)} of ${key}`,
      key,
      ms: Date.now() - started,
    });
  } catch (e) {
    addRow(ctx, { ...failure('read', 'read', e, 'read', ctx.sas, started), key });
  }
}

/** The read row when no probe read anything. */
export function readSkipped(ctx: ProbeContext): void {
  if (ctx.rows.has('read')) return;
  const where = ctx.prefix || 'the root';
  const { listErr } = ctx;
  addRow(ctx, {
    name: 'read',
    label: 'read',
    status: 'skip',
    detail: ctx.listOk
      ? `nothing to read under ${where}${ctx.opts.write ? '' : ' (and --no-write)'}; name an object with --read KEY`
      : 'nothing to read: the listing failed and no probe object was written; name an object with --read KEY',
    // When the listing was refused, that refusal is why nothing was read: report it (an expired
    // SAS is exit 3, not "not found").
    ...(listErr && listErr.exitCode !== ExitCode.NOT_FOUND
      ? { code: listErr.code, hint: listErr.hint, exitCode: listErr.exitCode }
      : { exitCode: ExitCode.NOT_FOUND }),
    ms: 0,
  });
}
