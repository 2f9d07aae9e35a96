/**
 * What a saved profile holds on disk. Secrets are optional in every credential: a profile saved
 * with `--no-store-secret` keeps only the non-secret parts and takes the secret from the
 * environment at use time (see ENV_OVERRIDES in resolve.ts).
 */
import { AZURE_AUTH_TYPES, type AzureAuthType } from '../providers/azure-credentials.js';
import { S3_AUTH_TYPES, type S3AuthType } from '../providers/s3-credentials.js';
import { secretFields } from '../providers/credentials.js';

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
  /** Requester pays on every request (`--request-payer requester`; Vespa Cloud's AWS buckets need it). */
  requestPayer?: 'requester';
  auth: S3ProfileAuth;
}

export type Profile = AzureProfile | S3Profile;

export interface ProfilesFile {
  version: 1;
  default?: string;
  profiles: Record<string, Profile>;
}

export { AZURE_AUTH_TYPES } from '../providers/azure-credentials.js';
export { S3_AUTH_TYPES } from '../providers/s3-credentials.js';
export type AuthType = AzureAuthType | S3AuthType;

/** Names of the fields that hold secrets, per auth type: masked by `show`, kept out of argv (from the credential tables). */
export const SECRET_FIELDS: Record<string, string[]> = Object.fromEntries(
  [...AZURE_AUTH_TYPES, ...S3_AUTH_TYPES].flatMap((t) => (secretFields(t).length ? [[t, secretFields(t)]] : [])),
);

export const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
