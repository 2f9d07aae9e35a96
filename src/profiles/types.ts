/**
 * What a saved profile holds on disk. Secrets are optional in every credential: a profile saved
 * with `--no-store-secret` keeps only the non-secret parts and takes the secret from the
 * environment at use time (see ENV_OVERRIDES in resolve.ts).
 */
import { AZURE_AUTH_TYPES, type AzureAuthType } from '../providers/azure-credentials.js';
import { S3_AUTH_TYPES, type S3AuthType } from '../providers/s3-credentials.js';
import { GCS_AUTH_TYPES, type GcsAuthType } from '../providers/gcs-credentials.js';
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

export type GcsProfileAuth =
  | { type: 'hmac'; hmacAccessId?: string; hmacSecret?: string }
  | { type: 'service-account'; keyFile?: string }
  | { type: 'application-default' };

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

export interface GcsProfile extends ProfileCommon {
  provider: 'gcs';
  /** Without a bucket, the first segment of `NAME:PREFIX` names the bucket. */
  bucket?: string;
  /** The XML API's origin when not https://storage.googleapis.com (a stand-in). */
  endpoint?: string;
  /** Requester pays: the project billed on every request (`--user-project`; Vespa Cloud's GCP buckets need it). */
  userProject?: string;
  auth: GcsProfileAuth;
}

export type Profile = AzureProfile | S3Profile | GcsProfile;

export interface ProfilesFile {
  version: 1;
  default?: string;
  profiles: Record<string, Profile>;
}

export { AZURE_AUTH_TYPES } from '../providers/azure-credentials.js';
export { S3_AUTH_TYPES } from '../providers/s3-credentials.js';
export { GCS_AUTH_TYPES } from '../providers/gcs-credentials.js';
export type AuthType = AzureAuthType | S3AuthType | GcsAuthType;

/** Names of the fields that hold secrets, per auth type: masked by `show`, kept out of argv (from the credential tables). */
export const SECRET_FIELDS: Record<string, string[]> = Object.fromEntries(
  [...AZURE_AUTH_TYPES, ...S3_AUTH_TYPES, ...GCS_AUTH_TYPES].flatMap((t) => (secretFields(t).length ? [[t, secretFields(t)]] : [])),
);

export const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
