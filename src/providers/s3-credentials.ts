/**
 * S3's credential table: every value an S3 location or profile can take from a flag or the
 * environment, declared once (see credential-table.ts for what is derived from it). No SDK here;
 * s3.ts turns the resolved values into a client (the AWS SDK also reads its own standard chain).
 */
import { mask } from '../redact.js';
import type { AuthTypeSpec, CredentialField } from './credential-table.js';

export const S3_FIELDS = {
  accessKeyId: {
    label: 'access key id',
    flag: { spec: '--access-key-id <id>', help: 'S3 access key id (env AWS_ACCESS_KEY_ID)' },
    env: ['AWS_ACCESS_KEY_ID'],
    envHelp: 'S3 access key id (overrides a `keys` profile only together with `AWS_SECRET_ACCESS_KEY`)',
    secret: false,
  },
  secretAccessKey: {
    label: 'secret access key',
    env: ['AWS_SECRET_ACCESS_KEY'],
    envHelp: 'S3 secret access key',
    secret: true,
    show: mask,
  },
  sessionToken: {
    label: 'session token',
    flag: { spec: '--session-token-file <path>', help: 'S3 session token from a file (env AWS_SESSION_TOKEN)' },
    env: ['AWS_SESSION_TOKEN'],
    envHelp: 'S3 session token of temporary keys',
    secret: true,
    show: mask,
  },
  awsProfile: {
    label: 'AWS profile',
    flag: { spec: '--aws-profile <name>', help: 'named AWS profile from ~/.aws for chain/assume-role (env AWS_PROFILE)' },
    env: ['AWS_PROFILE'],
    envHelp: 'named profile of the standard AWS chain (`~/.aws`)',
    secret: false,
  },
  roleArn: {
    label: 'role ARN',
    flag: { spec: '--role-arn <arn>', help: 'IAM role to assume, e.g. the one Logz.io gives you (env ARCHIVE_ROLE_ARN)' },
    env: ['ARCHIVE_ROLE_ARN'],
    envHelp: 'role to assume for `assume-role` profiles',
    secret: false,
  },
  externalId: {
    label: 'external id',
    flag: { spec: '--external-id <id>', help: 'external id for the role (env ARCHIVE_EXTERNAL_ID)' },
    env: ['ARCHIVE_EXTERNAL_ID'],
    envHelp: 'external id for that role',
    secret: false,
  },
  sessionName: {
    label: 'session name',
    flag: { spec: '--session-name <name>', help: 'role session name' },
    env: [],
    secret: false,
  },
  region: {
    label: 'region',
    flag: { spec: '--region <region>', help: 'S3 region (env AWS_REGION)' },
    env: ['AWS_REGION', 'AWS_DEFAULT_REGION'],
    envHelp: 'S3 region (same as `--region`)',
    secret: false,
  },
  endpoint: {
    label: 'endpoint',
    env: ['AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL'],
    envHelp: 'S3-compatible endpoint (same as `--endpoint`)',
    secret: false,
  },
} as const satisfies Record<string, CredentialField>;

export type S3Field = keyof typeof S3_FIELDS;

export const S3_AUTH_TYPES = ['keys', 'chain', 'assume-role'] as const;
export type S3AuthType = (typeof S3_AUTH_TYPES)[number];

export const S3_AUTH: Record<S3AuthType, AuthTypeSpec<S3Field>> = {
  // AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY override a stored pair only together (resolve.ts).
  keys: {
    help: 'an access key id and its secret',
    fields: [
      { field: 'accessKeyId', use: 'required' },
      { field: 'secretAccessKey', use: 'required' },
      { field: 'sessionToken', use: 'quiet' },
    ],
  },
  chain: {
    help: 'the AWS default chain (environment, ~/.aws profiles, SSO, instance role)',
    fields: [{ field: 'awsProfile', use: 'quiet' }],
  },
  'assume-role': {
    help: 'an IAM role assumed with STS',
    fields: [
      { field: 'roleArn', use: 'required' },
      { field: 'externalId', use: 'optional' },
      { field: 'sessionName', use: 'flag' },
      // The profile to assume the role from: only what --aws-profile says is saved (AWS_PROFILE at
      // add time is whoever runs `profile add`); at use time AWS_PROFILE overrides it.
      { field: 'awsProfile', use: 'flag' },
    ],
  },
};

/** Location settings the environment overrides for S3 (flags win over both). */
export const S3_LOCATION_FIELDS = ['region', 'endpoint'] as const satisfies readonly S3Field[];
