/**
 * What a provider is opened for: the account/bucket, prefix and credential a location resolved to.
 * Declared on the provider side (providers only read it); src/target.ts builds it from a location,
 * flags, the environment and profiles, and re-exports these types for everyone else.
 */
export type AzureAuth =
  | { type: 'sas'; token: string }
  | { type: 'key'; accountName: string; accountKey: string }
  | { type: 'connection-string'; connectionString: string }
  | { type: 'service-principal'; tenantId: string; clientId: string; clientSecret: string; authorityHost?: string }
  | { type: 'device-code'; tenantId?: string; clientId?: string; authorityHost?: string }
  | { type: 'default' }
  | { type: 'anonymous' };

export type S3Auth =
  | { type: 'keys'; accessKeyId: string; secretAccessKey: string; sessionToken?: string }
  | { type: 'chain'; profile?: string }
  | { type: 'assume-role'; roleArn: string; externalId?: string; sessionName?: string; profile?: string };

export interface AzureTarget {
  provider: 'azure';
  account: string;
  serviceUrl: string;
  container: string;
  prefix: string;
  auth: AzureAuth;
}
/** S3's RequestPayer values (the only one S3 defines). */
export const REQUEST_PAYERS = ['requester'] as const;
export type RequestPayer = (typeof REQUEST_PAYERS)[number];

export interface S3Target {
  provider: 's3';
  bucket: string;
  prefix: string;
  region?: string;
  endpoint?: string;
  forcePathStyle?: boolean;
  auth: S3Auth;
  /**
   * Requester pays: every request carries `x-amz-request-payer: requester`, signed (a bucket
   * that needs it, as Vespa Cloud's AWS buckets do, denies every request without it).
   */
  requestPayer?: RequestPayer;
}
/**
 * Google Cloud Storage credentials: HMAC keys (SigV4 on the XML API), a service-account key file
 * (RS256 JWT grant), or Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS, the
 * gcloud ADC file, the metadata server).
 */
export type GcsAuth =
  | { type: 'hmac'; hmacAccessId: string; hmacSecret: string }
  | { type: 'service-account'; keyFile: string }
  | { type: 'application-default' };

export interface GcsTarget {
  provider: 'gcs';
  bucket: string;
  prefix: string;
  /** The XML API's origin; default https://storage.googleapis.com (path-style always). */
  endpoint?: string;
  auth: GcsAuth;
  /**
   * Requester pays on GCS: the project billed for every request, sent as `x-goog-user-project`
   * (Vespa Cloud's GCP buckets need it: "the `-u user-project` parameter is mandatory").
   */
  userProject?: string;
}
export type Target = (AzureTarget | S3Target | GcsTarget) & { layout?: string; profile?: string };
