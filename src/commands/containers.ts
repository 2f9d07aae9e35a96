import type { Command } from 'commander';
import { addTargetOptions, accountTargetFor, open, type TargetFlags } from './options.js';
import { formatTime, pad } from '../output/format.js';
import type { Io } from '../io.js';

interface ContainersFlags extends TargetFlags {
  json?: boolean;
  ndjson?: boolean;
}

export async function runContainers(location: string | undefined, flags: ContainersFlags, io: Io): Promise<void> {
  const [{ LineWriter }, { stdoutColor }] = await Promise.all([import('../output/writer.js'), import('../output/color.js')]);
  const target = await accountTargetFor(location, flags, io);
  const provider = await open({ ...target, ...(target.provider === 'azure' ? { container: '' } : { bucket: '' }) }, io);
  const out = new LineWriter(io.stdout);
  const c = stdoutColor(io);
  let n = 0;
  if (flags.json) await out.line('[');
  for await (const ci of provider.listContainers()) {
    const rec = { name: ci.name, lastModified: ci.lastModified?.toISOString() };
    if (flags.json) await out.line(`${n ? ',' : ''}${JSON.stringify(rec)}`);
    else if (flags.ndjson) await out.line(JSON.stringify(rec));
    else {
      if (n === 0 && io.stdout.isTTY) await out.line(c.bold(`${pad('LAST MODIFIED', 19)}  NAME`));
      await out.line(`${pad(formatTime(ci.lastModified), 19)}  ${ci.name}`);
    }
    n++;
  }
  if (flags.json) await out.line(']');
  await out.flush();
  if (!flags.json && !flags.ndjson && io.stdout.isTTY)
    io.stderr.write(`${n} ${provider.kind === 's3' ? 'bucket' : 'container'}${n === 1 ? '' : 's'}\n`);
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
    .option('--json', 'print a JSON array')
    .option('--ndjson', 'print one JSON object per line')
    .addHelpText(
      'after',
      `
Examples:
  archive containers az://mystorageacct
  archive containers s3:// --region eu-west-1
  AZURE_STORAGE_CONNECTION_STRING=… archive containers --json`,
    )
    .action(async (location: string | undefined, flags: ContainersFlags) => runContainers(location, flags, io));
}
