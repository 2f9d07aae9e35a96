/** list: the first objects under the prefix (at most 50: enough to pick one to read, cheap on any archive). */
import { addRow, failure, type ProbeContext } from './probe-kit.js';

const FIRST = 50;

export async function probeList(ctx: ProbeContext): Promise<void> {
  const started = Date.now();
  try {
    let more = false;
    for await (const o of ctx.p.listObjects(ctx.prefix)) {
      if (o.key.startsWith(ctx.probeRoot)) continue;
      if (ctx.listed.length >= FIRST) {
        more = true;
        break;
      }
      ctx.listed.push(o);
    }
    ctx.listOk = true;
    const n = ctx.listed.length;
    const where = ctx.prefix || 'the root';
    addRow(ctx, {
      name: 'list',
      label: 'list',
      status: 'ok',
      detail: n
        ? `${more ? 'more than ' : ''}${n} object${n === 1 ? '' : 's'} under ${where}`
        : `no objects under ${where} (listing is allowed)`,
      ms: Date.now() - started,
    });
  } catch (e) {
    ctx.listErr = addRow(ctx, failure('list', 'list', e, 'list', ctx.sas, started));
  }
}
