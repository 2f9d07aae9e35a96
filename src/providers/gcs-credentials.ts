/**
 * Google Cloud Storage's credential table: every value a gs:// location or GCS profile can take
 * from a flag or the environment, declared once (see credential-table.ts for what is derived from
 * it). No SDK here; gcs.ts and gcs-auth.ts turn the resolved values into request authorisation.
 */
import { mask } from '../redact.js';
import type { AuthTypeSpec, CredentialField } from './credential-table.js';

export const GCS_FIELDS = {
  hmacAccessId: {
    label: 'HMAC access id',
    // The same flag as S3's access key id: `profile add … --auth hmac --access-key-id ID --secret-stdin`.
    flag: { spec: '--access-key-id <id>', help: 'S3 access key id, or a Cloud Storage HMAC access id' },
    env: ['GCS_HMAC_ACCESS_ID'],
    envHelp: 'Cloud Storage HMAC access id (with `GCS_HMAC_SECRET`: signs gs:// requests with that key instead of OAuth)',
    secret: false,
  },
  hmacSecret: {
    label: 'HMAC secret',
    env: ['GCS_HMAC_SECRET'],
    envHelp: 'Cloud Storage HMAC secret',
    secret: true,
    show: mask,
  },
  keyFile: {
    label: 'service-account key file',
    flag: { spec: '--key-file <path>', help: 'Google service-account JSON key file (--auth service-account)' },
    env: [],
    secret: false,
  },
  userProject: {
    label: 'user project',
    flag: {
      spec: '--user-project <project>',
      help: 'Cloud Storage requester pays: the Google Cloud project billed (env GOOGLE_CLOUD_QUOTA_PROJECT)',
    },
    env: ['GOOGLE_CLOUD_QUOTA_PROJECT'],
    envHelp: 'Google Cloud project billed for gs:// requests (same as `--user-project`; requester pays)',
    secret: false,
  },
} as const satisfies Record<string, CredentialField>;

export type GcsField = keyof typeof GCS_FIELDS;

export const GCS_AUTH_TYPES = ['hmac', 'service-account', 'application-default'] as const;
export type GcsAuthType = (typeof GCS_AUTH_TYPES)[number];

export const GCS_AUTH: Record<GcsAuthType, AuthTypeSpec<GcsField>> = {
  hmac: {
    help: 'a Cloud Storage HMAC key (access id and secret), signed with SigV4 on the XML API',
    fields: [
      { field: 'hmacAccessId', use: 'required' },
      { field: 'hmacSecret', use: 'required' },
    ],
  },
  'service-account': {
    help: 'a service-account JSON key file (OAuth JWT grant)',
    fields: [{ field: 'keyFile', use: 'required' }],
  },
  'application-default': {
    help: 'Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS, gcloud auth application-default login, the metadata server)',
    fields: [],
  },
};
