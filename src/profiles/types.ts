/**
 * What a saved profile holds on disk. Secrets are optional in every credential: a profile saved
 * with `--no-store-secret` keeps only the non-secret parts and takes the secret from the
 * environment at use time (see ENV_OVERRIDES in resolve.ts).
 */
export type AzureProfileAuth =
  | { type: 'sas'; token?: string }
  | { type: 'key'; accountKey?: string }
  | { type: 'connection-string'; connectionString?: string }
  | { type: 'service-principal'; tenantId?: string; clientId?: string; clientSecret?: string; authorityHost?: string }
  | { type: 'device-code'; tenantId?: string; clientId?: string; authorityHost?: string }
  | { type: 'default' }
  | { type: 'anonymous' };

export type S3ProfileAuth =
  | { type: 'keys'; accessKeyId?: string; secretAccessKey?: string; sessionToken?: string }
  | { type: 'chain'; awsProfile?: string }
  | { type: 'assume-role'; roleArn?: string; externalId?: string; sessionName?: string; awsProfile?: string };

interface ProfileCommon {
  /** Key prefix inside the container/bucket that `NAME:PREFIX` locations start from. */
  prefix?: string;
  /** Default vendor layout for list/pull/cat (overridden by --layout). */
  layout?: string;
  description?: string;
  created?: string;
  updated?: string;
}

export interface AzureProfile extends ProfileCommon {
  provider: 'azure';
  account: string;
  /** Blob service endpoint, e.g. https://acct.blob.core.windows.net or an emulator URL. */
  serviceUrl: string;
  /** Without a container, the first segment of `NAME:PREFIX` names the container. */
  container?: string;
  auth: AzureProfileAuth;
}

export interface S3Profile extends ProfileCommon {
  provider: 's3';
  /** Without a bucket, the first segment of `NAME:PREFIX` names the bucket. */
  bucket?: string;
  region?: string;
  endpoint?: string;
  forcePathStyle?: boolean;
  auth: S3ProfileAuth;
}

export type Profile = AzureProfile | S3Profile;

export interface ProfilesFile {
  version: 1;
  default?: string;
  profiles: Record<string, Profile>;
}

export const AZURE_AUTH_TYPES = ['sas', 'key', 'connection-string', 'service-principal', 'device-code', 'default', 'anonymous'] as const;
export const S3_AUTH_TYPES = ['keys', 'chain', 'assume-role'] as const;
export type AuthType = (typeof AZURE_AUTH_TYPES)[number] | (typeof S3_AUTH_TYPES)[number];

/** Names of the fields that hold secrets, per auth type: masked by `show`, kept out of argv. */
export const SECRET_FIELDS: Record<string, string[]> = {
  sas: ['token'],
  key: ['accountKey'],
  'connection-string': ['connectionString'],
  'service-principal': ['clientSecret'],
  keys: ['secretAccessKey', 'sessionToken'],
};

export const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
