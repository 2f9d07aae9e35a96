/**
 * One answer to "how should this command print its data": `-o/--output table|json|ndjson|csv`,
 * with `--json`/`--ndjson`/`--csv` kept as aliases. Two different formats asked for at once are a
 * usage error rather than one of them silently winning (`--json --ndjson` used to print NDJSON).
 */
import { UsageError } from '../errors.js';

export const OUTPUT_FORMATS = ['table', 'json', 'ndjson', 'csv'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface OutputFlags {
  output?: string;
  json?: boolean;
  ndjson?: boolean;
  csv?: boolean;
}

export function resolveOutputFormat(flags: OutputFlags, allowed: readonly OutputFormat[] = OUTPUT_FORMATS): OutputFormat {
  const asked = new Map<OutputFormat, string>();
  if (flags.output !== undefined) {
    const v = flags.output.trim().toLowerCase() as OutputFormat;
    if (!allowed.includes(v))
      throw new UsageError(`unknown output format "${flags.output}"`, { hint: `use -o with one of: ${allowed.join(', ')}` });
    asked.set(v, `-o ${v}`);
  }
  for (const f of ['json', 'ndjson', 'csv'] as const) {
    if (!flags[f]) continue;
    if (!allowed.includes(f))
      throw new UsageError(`--${f} is not an output of this command`, { hint: `use -o with one of: ${allowed.join(', ')}` });
    if (!asked.has(f)) asked.set(f, `--${f}`);
  }
  if (asked.size > 1)
    throw new UsageError(`conflicting output formats: ${[...asked.values()].join(' and ')}`, { hint: 'choose one output format' });
  return asked.keys().next().value ?? 'table';
}
