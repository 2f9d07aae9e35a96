/**
 * write, then read back (when no real object was read), then delete — the probe object never
 * outlives this function: whatever happens after the write (a failed probe, an exception,
 * Ctrl-C), the `finally` removes it; when the credential may not delete, the key is reported as
 * left behind. Without a probe object, delete is checked on a key that does not exist, which a
 * service authorises before it looks the key up.
 */
import { randomBytes } from 'node:crypto';
import { NotFoundError } from '../errors.js';
import { formatBytes } from '../output/format.js';
import { addRow, checkAbort, failure, readSome, type ProbeContext } from './probe-kit.js';

async function writeProbe(ctx: ProbeContext, key: string, body: string): Promise<boolean> {
  const started = Date.now();
  try {
    await ctx.p.put(key, body, { contentType: 'text/plain' });
    addRow(ctx, {
      name: 'write',
      label: 'write',
      status: 'ok',
      detail: `wrote ${key} (${formatBytes(Buffer.byteLength(body))})`,
      key,
      ms: Date.now() - started,
    });
    return true;
  } catch (e) {
    addRow(ctx, { ...failure('write', 'write', e, 'write', ctx.sas, started), key });
    return false;
  }
}

async function readBack(ctx: ProbeContext, key: string, body: string): Promise<void> {
  const started = Date.now();
  try {
    await readSome(ctx.p, key, Buffer.byteLength(body), 1024, ctx.opts.signal);
    addRow(ctx, {
      name: 'read',
      label: 'read',
      status: 'ok',
      detail: 'read back the probe object (no other object to read)',
      key,
      ms: Date.now() - started,
    });
  } catch (e) {
    const r = failure('read', 'read', e, 'read', ctx.sas, started);
    addRow(ctx, { ...r, detail: `read back the probe object: ${r.detail}`, key });
  }
}

/** Returns whether the probe object (when there was one) is gone. */
async function deleteProbe(ctx: ProbeContext, key: string, written: boolean): Promise<boolean> {
  const started = Date.now();
  try {
    // Without a probe object, delete a key that does not exist: the service checks the
    // permission first (403), then existence (404 on Azure; S3 answers 204 either way).
    const target = written ? key : `${ctx.probeRoot}${randomBytes(6).toString('hex')}/absent.txt`;
    try {
      await ctx.p.delete(target);
    } catch (e) {
      const missingKey = e instanceof NotFoundError && (e.serviceCode === 'BlobNotFound' || e.serviceCode === 'NoSuchKey');
      if (written || !missingKey) throw e;
    }
    addRow(ctx, {
      name: 'delete',
      label: 'delete',
      status: 'ok',
      detail: written ? `removed ${key}` : 'allowed (checked on a key that does not exist, as the write failed)',
      key: written ? key : undefined,
      ms: Date.now() - started,
    });
    return written;
  } catch (e) {
    addRow(ctx, { ...failure('delete', 'delete', e, 'delete', ctx.sas, started), key: written ? key : undefined });
    return false;
  }
}

export async function probeWriteDelete(ctx: ProbeContext): Promise<void> {
  const key = `${ctx.probeRoot}${randomBytes(6).toString('hex')}/probe.txt`;
  const body = `archive validate probe, ${new Date().toISOString()}; safe to delete\n`;
  let written = false;
  let deleted = false;
  try {
    written = await writeProbe(ctx, key, body);
    checkAbort(ctx.opts.signal);
    if (!ctx.rows.has('read') && written) await readBack(ctx, key, body);
    checkAbort(ctx.opts.signal);
    deleted = await deleteProbe(ctx, key, written);
  } finally {
    if (written && !deleted) {
      try {
        await ctx.p.delete(key);
      } catch {
        ctx.report.leftovers.push(key);
      }
    }
  }
}
