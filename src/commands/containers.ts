import { Option, type Command } from 'commander';
import { stdoutIsTTY } from '../output/terminal.js';
import { addTargetOptions, accountTargetFor, open, type TargetFlags } from './options.js';
import { escapeText } from '../output/escape.js';
import { formatTime, pad } from '../output/format.js';
import type { Io } from '../io.js';
import type { OutputFlags } from '../output/output-format.js';

interface ContainersFlags extends TargetFlags, OutputFlags {}

const CSV_FIELDS = ['name', 'lastModified'] as const;

function csvCell(v: string | undefined): string {
  const s = v ?? '';
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export async function runContainers(location: string | undefined, flags: ContainersFlags, io: Io): Promise<void> {
  const [{ LineWriter }, { stdoutColor }, { resolveOutputFormat }] = await Promise.all([
    import('../output/writer.js'),
    import('../output/color.js'),
    import('../output/output-format.js'),
  ]);
  // A usage error (exit 2) before any request: -o with --json/--ndjson/--csv naming another format.
  const format = resolveOutputFormat(flags);
  const target = await accountTargetFor(location, flags, io);
  const provider = await open({ ...target, ...(target.provider === 'azure' ? { container: '' } : { bucket: '' }) }, io);
  const out = new LineWriter(io.stdout);
  const c = stdoutColor(io);
  let n = 0;
  if (format === 'json') await out.line('[');
  if (format === 'csv') await out.line(CSV_FIELDS.join(','));
  for await (const ci of provider.listContainers()) {
    const rec = { name: ci.name, lastModified: ci.lastModified?.toISOString() };
    if (format === 'json') await out.line(`${n ? ',' : ''}${JSON.stringify(rec)}`);
    else if (format === 'ndjson') await out.line(JSON.stringify(rec));
    else if (format === 'csv') await out.line(`${csvCell(rec.name)},${csvCell(rec.lastModified)}`);
    else {
      if (n === 0 && stdoutIsTTY(io)) await out.line(c.bold(`${pad('LAST MODIFIED', 19)}  NAME`));
      await out.line(`${pad(formatTime(ci.lastModified), 19)}  ${escapeText(ci.name)}`);
    }
    n++;
  }
  if (format === 'json') await out.line(']');
  await out.flush();
  if (format === 'table' && stdoutIsTTY(io))
    io.stderr.write(`${n} ${provider.kind === 'azure' ? 'container' : 'bucket'}${n === 1 ? '' : 's'}\n`);
}

export function registerContainers(program: Command, io: Io): void {
  addTargetOptions(
    program
      .command('containers')
      .alias('buckets')
      .description('list the containers (Azure) or buckets (S3) the credential can see')
      .argument(
        '[location]',
        'az://ACCOUNT, an account URL, s3:// or PROFILE: (default: the default profile or AZURE_STORAGE_CONNECTION_STRING)',
      ),
  )
    .addOption(new Option('-o, --output <format>', 'table (default), json, ndjson or csv').choices(['table', 'json', 'ndjson', 'csv']))
    .option('--json', 'same as -o json: a JSON array')
    .option('--ndjson', 'same as -o ndjson: one JSON object per line')
    .addHelpText(
      'after',
      `
Examples:
  archive containers az://mystorageacct
  archive containers s3:// --region eu-west-1
  archive containers az://mystorageacct -o csv
  AZURE_STORAGE_CONNECTION_STRING=… archive containers --json`,
    )
    .action(async (location: string | undefined, flags: ContainersFlags) => runContainers(location, flags, io));
}
