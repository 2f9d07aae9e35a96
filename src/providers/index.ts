/**
 * The door to the providers: commands ask for a StorageProvider for a Target and never see an SDK.
 * SDKs are imported here on first use, so `archive --help` stays fast.
 */
import type { Target } from './target-types.js';
import type { StorageProvider } from './types.js';

export type {
  StorageProvider,
  ObjectInfo,
  ContainerInfo,
  ByteRange,
  ReadOptions,
  LevelPage,
  RestoreInfo,
  RestoreRequest,
  RestoreAnswer,
} from './types.js';

export async function openProvider(target: Target): Promise<StorageProvider> {
  if (target.provider === 'azure') {
    const { openAzure } = await import('./azure.js');
    return openAzure(target);
  }
  if (target.provider === 'gcs') {
    const { openGcs } = await import('./gcs.js');
    return openGcs(target);
  }
  // The SDK warns on Node < 22 through process.emitWarning; users of a CLI must not see SDK noise.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { openS3 } = await import('./s3.js');
  return openS3(target);
}
