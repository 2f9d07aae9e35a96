/**
 * The fix for each service error code, phrased for the person at the terminal. Shared by the
 * providers (error mapping) and by `validate` (probe table), so the advice is written once.
 */
export type Operation = 'list' | 'read' | 'write' | 'delete' | 'containers' | 'restore';

const AZURE_ROLE: Record<Operation, string> = {
  list: 'Storage Blob Data Reader',
  read: 'Storage Blob Data Reader',
  containers: 'Storage Blob Data Reader (at account scope)',
  write: 'Storage Blob Data Contributor',
  delete: 'Storage Blob Data Contributor',
  // Set Blob Tier and Copy Blob need Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write.
  restore: 'Storage Blob Data Contributor',
};
const SAS_LETTER: Record<Operation, string> = {
  list: 'l',
  read: 'r',
  write: 'w (and c)',
  delete: 'd',
  containers: 'l on an account SAS (srt=sc)',
  // Set Blob Tier is a write; Copy Blob also reads its source (r) when that is authorised by the same SAS.
  restore: 'w (and r for --copy-to)',
};
const S3_ACTION: Record<Operation, string> = {
  list: 's3:ListBucket',
  read: 's3:GetObject',
  write: 's3:PutObject',
  delete: 's3:DeleteObject',
  containers: 's3:ListAllMyBuckets',
  restore: 's3:RestoreObject',
};

export function azureHint(code: string | undefined, op: Operation, usingSas: boolean): string | undefined {
  switch (code) {
    case 'AuthorizationPermissionMismatch':
    case 'AuthorizationResourceTypeMismatch':
    case 'AuthorizationServiceMismatch':
      return usingSas
        ? `the SAS lacks permission for ${op}: create one with the letter ${SAS_LETTER[op]} (\`archive sas create --permissions …\`)`
        : `grant the principal the "${AZURE_ROLE[op]}" role on the container or account (Azure RBAC)`;
    case 'AuthorizationFailure':
      return 'the request was refused: if the storage account has a firewall or private endpoint, allow your public IP (Networking → Firewalls and virtual networks); a SAS with an IP range (sip) must include your IP';
    case 'AuthenticationFailed':
      return usingSas
        ? 'the SAS signature is invalid or the token expired: check it with `archive sas inspect` and ask for a new one'
        : 'the account key or token is wrong: copy it again from the portal (Access keys) or re-run `az login`';
    case 'AuthorizationProtocolMismatch':
      return 'the SAS only allows HTTPS (spr=https): use an https:// URL';
    case 'AuthorizationSourceIPMismatch':
      return 'the SAS is limited to another IP range (sip=): ask for a token that includes your IP';
    case 'ContainerNotFound':
      return 'check the container name; `archive containers` lists the ones this credential can see';
    case 'BlobNotFound':
      return 'check the key; `archive list` shows what exists under a prefix';
    case 'ResourceNotFound':
      return 'check the account and container names in the location';
    case 'BlobArchived':
      return 'the blob is in the Archive tier: `archive restore` rehydrates it (Set Blob Tier to hot, cool or cold), then read it again';
    case 'BlobBeingRehydrated':
      return 'the blob is being rehydrated: `archive restore … --wait` waits until it is readable';
    case 'NoAuthenticationInformation':
      return 'no credential was found: pass a SAS URL, set AZURE_STORAGE_CONNECTION_STRING or AZURE_STORAGE_KEY, or add a profile (`archive profile add`)';
    default:
      return undefined;
  }
}

export function s3Hint(code: string | undefined, op: Operation): string | undefined {
  switch (code) {
    case 'AccessDenied':
    case 'AllAccessDisabled':
      return `the IAM policy must allow ${S3_ACTION[op]} on this bucket${op === 'list' ? '' : '/*'} (and the bucket policy must not deny it)`;
    case 'InvalidAccessKeyId':
      return 'the access key id is unknown: check AWS_ACCESS_KEY_ID or the profile (`aws configure list`)';
    case 'SignatureDoesNotMatch':
      return 'the secret access key is wrong: check AWS_SECRET_ACCESS_KEY or the profile';
    case 'ExpiredToken':
    case 'TokenRefreshRequired':
      return 'the session token expired: refresh it (`aws sso login`, or assume the role again)';
    case 'NoSuchBucket':
      return 'check the bucket name (and --region/--endpoint); `archive containers s3://` lists visible buckets';
    case 'NoSuchKey':
    case 'NotFound':
      return 'check the key; `archive list` shows what exists under a prefix';
    case 'PermanentRedirect':
    case 'AuthorizationHeaderMalformed':
      return 'the bucket lives in another region: pass --region (or set AWS_REGION)';
    case 'InvalidObjectState':
      return 'the object is in an archive storage class (Glacier Flexible Retrieval, Deep Archive or an Intelligent-Tiering archive tier): `archive restore` requests a readable copy';
    case 'RestoreAlreadyInProgress':
      return 'a restore of this object is already under way: `archive restore … --wait` waits until it is readable';
    case 'CredentialsProviderError':
      return 'no AWS credential was found: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or add a profile (`archive profile add`)';
    default:
      return undefined;
  }
}

const GCS_PERMISSION: Record<Operation, string> = {
  list: 'storage.objects.list',
  read: 'storage.objects.get',
  write: 'storage.objects.create',
  delete: 'storage.objects.delete',
  containers: 'storage.buckets.list',
  restore: 'storage.objects.get (Cloud Storage reads Nearline, Coldline and Archive objects directly)',
};
const GCS_ROLE: Record<Operation, string> = {
  list: 'roles/storage.objectViewer',
  read: 'roles/storage.objectViewer',
  write: 'roles/storage.objectAdmin',
  delete: 'roles/storage.objectAdmin',
  containers: 'roles/storage.admin (at project scope)',
  restore: 'roles/storage.objectViewer',
};

/** The fix for a Google Cloud Storage error code (XML API codes), in GCS's own terms. */
export function gcsHint(code: string | undefined, op: Operation): string | undefined {
  switch (code) {
    case 'AccessDenied':
    case 'Forbidden':
      return `the principal needs ${GCS_PERMISSION[op]} on the bucket: grant it ${GCS_ROLE[op]} (gcloud storage buckets add-iam-policy-binding)`;
    case 'UserProjectMissing':
    case 'RequesterPays':
      return 'the bucket is requester pays: add --user-project PROJECT (a project of yours with billing; the principal needs serviceusage.services.use on it)';
    case 'InvalidAccessKeyId':
      return 'the HMAC access id is unknown or inactive: check it in the console (Cloud Storage → Settings → Interoperability)';
    case 'SignatureDoesNotMatch':
      return 'the HMAC secret is wrong: check GCS_HMAC_SECRET or the profile';
    case 'InvalidToken':
    case 'AuthenticationRequired':
    case 'ExpiredToken':
      return 'the OAuth token was refused: run `gcloud auth application-default login` again or check the service-account key';
    case 'NoSuchBucket':
      return 'check the bucket name in gs://BUCKET/PREFIX';
    case 'NoSuchKey':
    case 'NotFound':
      return 'check the key; `archive list` shows what exists under a prefix';
    case 'CredentialsProviderError':
      return 'no Google credential was found: set GOOGLE_APPLICATION_CREDENTIALS, run `gcloud auth application-default login`, pass --auth hmac keys through a profile, or add a profile (`archive profile add`)';
    default:
      return undefined;
  }
}

export function networkHint(code: string | undefined): string | undefined {
  switch (code) {
    case 'ECONNREFUSED':
      return 'nothing is listening at that endpoint: check the URL/--endpoint and that the service (or emulator) is running';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'the host name does not resolve: check the account/bucket name and your DNS or proxy';
    case 'ETIMEDOUT':
    case 'ECONNRESET':
      return 'the connection failed: check your network, proxy (HTTPS_PROXY) and the storage firewall';
    case 'CERT_HAS_EXPIRED':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
      return "TLS verification failed: set NODE_EXTRA_CA_CERTS to your proxy's CA bundle";
    default:
      return undefined;
  }
}
