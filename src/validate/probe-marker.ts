/** marker: each --marker NAME must exist under the location (e.g. Logz.io's `logzio-verified`). */
import { NotFoundError } from '../errors.js';
import { formatBytes } from '../output/format.js';
import { iso } from '../sas/inspect.js';
import { addRow, checkAbort, failure, underLocation, type ProbeContext } from './probe-kit.js';

function markerHint(name: string, location: string): string {
  const base = name.replace(/^.*\//, '');
  if (base === 'logzio-verified') {
    return `Logz.io writes logzio-verified when it verifies the archive: save/test the archive settings in Logz.io again and check its bucket and path match ${location}`;
  }
  return `no object "${name}" under ${location}; create it, or check the location (markers are looked up relative to the location's prefix)`;
}

export async function probeMarkers(ctx: ProbeContext): Promise<void> {
  for (const m of ctx.opts.markers) {
    const label = `marker ${m}`;
    const key = underLocation(ctx, m);
    const started = Date.now();
    try {
      const info = await ctx.p.stat(key);
      addRow(ctx, {
        name: 'marker',
        label,
        status: 'ok',
        detail: `${key} exists (${formatBytes(info.size)}, ${iso(info.lastModified)})`,
        key,
        ms: Date.now() - started,
      });
    } catch (e) {
      const r = failure('marker', label, e, 'read', ctx.sas, started);
      if (e instanceof NotFoundError) r.hint = markerHint(m, ctx.location);
      addRow(ctx, { ...r, key });
    }
    checkAbort(ctx.opts.signal);
  }
}
