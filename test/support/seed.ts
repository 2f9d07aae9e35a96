/**
 * Seeds the emulators directly through the SDKs (tests may; src/ may not outside providers/).
 */
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { S3Client, CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import pLimit from 'p-limit';
import { AZURITE_ACCOUNT, AZURITE_KEY, S3RVER_KEY_ID, S3RVER_SECRET, type AzuriteEmulator, type S3Emulator } from './emulators.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

export interface SeedObject {
  key: string;
  body: Buffer | string;
  contentEncoding?: string;
  contentType?: string;
}

export function azureService(emu: AzuriteEmulator): BlobServiceClient {
  return new BlobServiceClient(emu.serviceUrl, new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY));
}

export function s3Client(emu: S3Emulator): S3Client {
  return new S3Client({
    region: 'us-east-1',
    endpoint: emu.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: S3RVER_KEY_ID, secretAccessKey: S3RVER_SECRET },
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
}

export async function seedAzure(emu: AzuriteEmulator, container: string, objects: Iterable<SeedObject>, concurrency = 32): Promise<void> {
  const cc = azureService(emu).getContainerClient(container);
  await cc.createIfNotExists();
  const limit = pLimit(concurrency);
  const jobs: Promise<unknown>[] = [];
  for (const o of objects) {
    const body = typeof o.body === 'string' ? Buffer.from(o.body) : o.body;
    jobs.push(
      limit(() =>
        cc.getBlockBlobClient(o.key).upload(body, body.length, {
          blobHTTPHeaders: { blobContentEncoding: o.contentEncoding, blobContentType: o.contentType },
        }),
      ),
    );
  }
  await Promise.all(jobs);
}

export async function seedS3(emu: S3Emulator, bucket: string, objects: Iterable<SeedObject>, concurrency = 16): Promise<void> {
  const client = s3Client(emu);
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (e) {
    if ((e as { name?: string }).name !== 'BucketAlreadyOwnedByYou' && (e as { name?: string }).name !== 'BucketAlreadyExists') throw e;
  }
  const limit = pLimit(concurrency);
  const jobs: Promise<unknown>[] = [];
  for (const o of objects) {
    // Buffer bodies: s3rver stores streamed aws-chunked uploads with their framing.
    const body = typeof o.body === 'string' ? Buffer.from(o.body) : o.body;
    jobs.push(
      limit(() =>
        client.send(
          new PutObjectCommand({ Bucket: bucket, Key: o.key, Body: body, ContentEncoding: o.contentEncoding, ContentType: o.contentType }),
        ),
      ),
    );
  }
  await Promise.all(jobs);
  client.destroy();
}
