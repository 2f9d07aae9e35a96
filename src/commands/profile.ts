import { Option, type Command } from 'commander';
import type { OutputFlags } from '../output/output-format.js';
import type { Io } from '../io.js';
import { AZURE_AUTH_TYPES, GCS_AUTH_TYPES, S3_AUTH_TYPES } from '../profiles/types.js';
import { AZURE_FIELDS } from '../providers/azure-credentials.js';
import { S3_FIELDS } from '../providers/s3-credentials.js';
import { GCS_FIELDS } from '../providers/gcs-credentials.js';

/** A field's `profile add` option, as its credential table declares it. */
const flag = (f: { flag: { spec: string; help: string } }): [string, string] => [f.flag.spec, f.flag.help];
import type { AddCmdFlags, ListFlags } from './profile-run.js';

const run = () => import('./profile-run.js');

export function registerProfile(program: Command, io: Io): void {
  const profile = program.command('profile').description('saved locations and credentials (used as PROFILE:PREFIX)');
  profile.addHelpText(
    'after',
    `
Examples:
  archive profile add vespa "https://acct.blob.core.windows.net/vespa-logs?sv=…&sig=…" --layout vespa
  archive profile list
  archive profile show vespa
  archive profile use vespa              # the default for commands run without a location
  archive profile remove vespa`,
  );

  profile
    .command('add')
    .description('save a location and its credential under a name')
    .argument('<name>', 'profile name (letters, digits, . _ -)')
    .argument('[location]', 'az://ACCOUNT/CONTAINER/PREFIX, blob URL (a SAS URL saves the SAS), s3://BUCKET/PREFIX, gs://BUCKET/PREFIX')
    .option(
      '--auth <type>',
      `credential: Azure ${AZURE_AUTH_TYPES.join('|')}; S3 ${S3_AUTH_TYPES.join('|')}; Cloud Storage ${GCS_AUTH_TYPES.join('|')} (inferred when omitted)`,
    )
    .option(...flag(AZURE_FIELDS.account))
    .option('--container <name>', 'Azure container (omit to name it per use: NAME:CONTAINER/PREFIX)')
    .option('--bucket <name>', 'S3 bucket (omit to name it per use: NAME:BUCKET/PREFIX)')
    .option('--prefix <prefix>', 'key prefix that NAME:PATH starts from')
    .option('--endpoint <url>', 'Azure blob endpoint or S3-compatible endpoint (env AWS_ENDPOINT_URL_S3)')
    .option(...flag(S3_FIELDS.region))
    .option('--path-style', 'S3 path-style addressing (implied by --endpoint)')
    .addOption(
      new Option('--request-payer <payer>', 'S3 requester pays on every request (mandatory for Vespa Cloud on AWS)').choices(['requester']),
    )
    .option(...flag(GCS_FIELDS.userProject))
    .option(...flag(GCS_FIELDS.keyFile))
    .option(...flag(AZURE_FIELDS.token))
    .option(...flag(AZURE_FIELDS.tenantId))
    .option(...flag(AZURE_FIELDS.clientId))
    .option(...flag(AZURE_FIELDS.authorityHost))
    .option(...flag(S3_FIELDS.accessKeyId))
    .option(...flag(S3_FIELDS.awsProfile))
    .option(...flag(S3_FIELDS.roleArn))
    .option(...flag(S3_FIELDS.externalId))
    .option(...flag(S3_FIELDS.sessionName))
    .option('--secret-stdin', 'read the secret (SAS, account key, connection string, client secret, secret access key) from stdin')
    .option('--secret-file <path>', 'read the secret from a file')
    .option(...flag(S3_FIELDS.sessionToken))
    .option('--no-store-secret', 'keep the secret out of the file; supply it through the environment at use time')
    .option('--layout <name>', 'default vendor layout for this location (vespa, cloudflare, amplitude, logzio, dated, generic)')
    .option('--description <text>', 'a note for `profile list`')
    .option('--default', 'make it the default profile')
    .option('--force', 'replace an existing profile of that name')
    .addHelpText(
      'after',
      `
Secrets are read from --secret-stdin, --secret-file, the environment, or a hidden prompt (on a
terminal only) — not from argv. The file is ${'$'}XDG_CONFIG_HOME/archive/profiles.json (mode 600;
ARCHIVE_CONFIG_DIR overrides the directory). At use time, environment variables override the
stored values of the profile's own credential type (AZURE_STORAGE_KEY, AZURE_STORAGE_SAS_TOKEN,
AZURE_STORAGE_CONNECTION_STRING, AZURE_TENANT_ID/CLIENT_ID/CLIENT_SECRET/AUTHORITY_HOST,
AWS_ACCESS_KEY_ID+AWS_SECRET_ACCESS_KEY[+AWS_SESSION_TOKEN], AWS_PROFILE, ARCHIVE_ROLE_ARN,
ARCHIVE_EXTERNAL_ID, GCS_HMAC_ACCESS_ID+GCS_HMAC_SECRET), AWS_REGION / AWS_ENDPOINT_URL_S3 the S3
location and GOOGLE_CLOUD_QUOTA_PROJECT a gs:// profile's user project; flags beat both.

Examples:
  archive profile add vespa "https://acct.blob.core.windows.net/vespa-logs?sv=…&sig=…" --layout vespa
  pbpaste | archive profile add cf az://acct/logpush --auth key --secret-stdin --layout cloudflare
  archive profile add amp az://acct/amplitude --auth service-principal --tenant-id T --client-id C --secret-file sp.txt
  archive profile add vespa-guest az://acct/logs --auth device-code --tenant-id VESPA_TENANT_ID
  archive profile add logzio s3://my-archive --auth assume-role --role-arn arn:aws:iam::123456789012:role/logzio --external-id X
  archive profile add vespa-aws s3://vespa-cloud-data-prod.aws-us-east-1c-9eb633/mytenant/ --region us-east-1 --request-payer requester --aws-profile archive --layout vespa
  archive profile add r2 s3://logs --endpoint https://ID.r2.cloudflarestorage.com --auth keys --access-key-id AKID --secret-stdin
  archive profile add vespa-gcp gs://vespa-cloud-data-prod.gcp-us-central1-f-73770f/mytenant/ --user-project my-project-123 --layout vespa
  archive profile add gcs-hmac gs://my-logs --auth hmac --access-key-id GOOG1E… --secret-stdin --user-project my-project-123
  archive profile add gcs-sa gs://my-logs --auth service-account --key-file sa.json`,
    )
    .action(async (name: string, location: string | undefined, flags: AddCmdFlags) =>
      (await run()).runProfileAdd(name, location, flags, io),
    );

  profile
    .command('list')
    .alias('ls')
    .description('list saved profiles (* marks the default)')
    .addOption(new Option('-o, --output <format>', 'output format: table, json or ndjson').choices(['table', 'json', 'ndjson']))
    .option('--json', 'print JSON (same as -o json)')
    .option('--ndjson', 'one JSON object per line (same as -o ndjson)')
    .action(async (flags: ListFlags) => (await run()).runProfileList(flags, io));

  profile
    .command('show')
    .description('show a profile, secrets masked, with the environment variables that override it')
    .argument('<name>')
    .addOption(new Option('-o, --output <format>', 'output format: table or json').choices(['table', 'json']))
    .option('--json', 'print JSON, secrets masked too (same as -o json)')
    .action(async (name: string, flags: OutputFlags) => (await run()).runProfileShow(name, flags, io));

  profile
    .command('remove')
    .alias('rm')
    .description('delete a saved profile')
    .argument('<name>')
    .action(async (name: string) => (await run()).runProfileRemove(name, io));

  profile
    .command('use')
    .description('make a profile the default (for commands run without a location; ARCHIVE_PROFILE overrides)')
    .argument('[name]')
    .option('--unset', 'clear the default')
    .action(async (name: string | undefined, flags: { unset?: boolean }) => (await run()).runProfileUse(name, flags, io));
}
