/**
 * Signs container SAS tokens with @azure/storage-blob: a service SAS from the account key, or a
 * user-delegation SAS from an Entra ID credential (the service hands out a delegation key first).
 * Loaded only by `archive sas create` (dynamic import).
 */
import {
  ContainerSASPermissions,
  SASProtocol,
  StorageSharedKeyCredential,
  generateBlobSASQueryParameters,
  type BlobSASSignatureValues,
} from '@azure/storage-blob';
import { AuthError, UsageError } from '../errors.js';
import { registerSecret } from '../redact.js';
import type { AzureTarget } from './target-types.js';
import { parseConnectionString } from './azure-connection-string.js';
import { checkAccountKey } from './account-key.js';
import { createServiceClient, mapAzureError } from './azure.js';

export const SAS_VERSION = '2025-05-05';

export interface SasSigningRequest {
  signing: 'service' | 'user-delegation';
  container: string;
  permissions: string;
  start: Date;
  expiry: Date;
  ip?: { start: string; end?: string };
  protocol: 'https' | 'https,http';
}

function accountKey(target: AzureTarget): { name: string; key: string } {
  const a = target.auth;
  // The shape profile add checks: a key that is no base64 would sign a token every request rejects.
  if (a.type === 'key') return { name: a.accountName, key: checkAccountKey(a.accountKey) };
  if (a.type === 'connection-string') {
    const p = parseConnectionString(a.connectionString);
    if (p.accountKey && p.accountName)
      return { name: p.accountName, key: checkAccountKey(p.accountKey, "the connection string's AccountKey") };
    throw new UsageError('this connection string carries no AccountKey, so it cannot sign a SAS', {
      hint: 'use the connection string from the portal (Storage account → Access keys), or set AZURE_STORAGE_KEY',
    });
  }
  throw new UsageError('a service SAS needs the account key', { hint: 'set AZURE_STORAGE_KEY or use a `--auth key` profile' });
}

export async function signContainerSas(target: AzureTarget, req: SasSigningRequest): Promise<string> {
  let permissions: ContainerSASPermissions;
  try {
    permissions = ContainerSASPermissions.parse(req.permissions);
  } catch {
    throw new UsageError(`permissions "${req.permissions}" are not valid on a container SAS`, { hint: 'use letters from racwdxyltfmei' });
  }
  const values: BlobSASSignatureValues = {
    containerName: req.container,
    permissions,
    startsOn: req.start,
    expiresOn: req.expiry,
    ipRange: req.ip,
    protocol: req.protocol === 'https' ? SASProtocol.Https : SASProtocol.HttpsAndHttp,
    // Pinned rather than the SDK's newest: current enough for every permission letter, and
    // understood by services and emulators that lag behind (Azurite rejects user-delegation
    // tokens signed with a version newer than it knows).
    version: SAS_VERSION,
  };
  let token: string;
  if (req.signing === 'service') {
    const { name, key } = accountKey(target);
    token = generateBlobSASQueryParameters(values, new StorageSharedKeyCredential(name, key)).toString();
  } else {
    const service = await createServiceClient(target);
    let udk: Awaited<ReturnType<typeof service.getUserDelegationKey>>;
    try {
      // The key only needs to cover the token's lifetime.
      udk = await service.getUserDelegationKey(req.start, req.expiry);
    } catch (e) {
      const err = mapAzureError(e, 'containers', `az://${target.account}`, false);
      if (err instanceof AuthError && err.status === 403) {
        throw new AuthError(`get a user delegation key for ${target.account}: permission denied`, {
          serviceCode: err.serviceCode,
          hint: 'the identity needs a role with Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey, e.g. "Storage Blob Delegator" (or Storage Blob Data Reader/Contributor) on the storage account',
          status: err.status,
          cause: e,
        });
      }
      throw err;
    }
    token = generateBlobSASQueryParameters(values, udk, target.account).toString();
  }
  // The new signature is the command's output, but it must not leak into logs or error lines.
  registerSecret(new URLSearchParams(token).get('sig') ?? undefined);
  return token;
}
