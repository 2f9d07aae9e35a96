/**
 * The demo's world: the names README's examples use, served by the local emulators. Azurite gets
 * a storage account named `acmelogs` (beside its default one) holding the `vespa-logs`, `cf-logs`,
 * `amplitude` and `exports` containers, s3rver a `my-logzio-archive` bucket and a Vespa Cloud AWS
 * zone's `vespa-cloud-data-prod.aws-us-east-1c-9eb633`; a connection string
 * for `acmelogs` makes `az://acmelogs/…` resolve to the emulator, so README lines run as written.
 * Used by `npm run demo` (test/demo/demo.ts) and by test/readme-examples.test.ts.
 */
import { createHash } from 'node:crypto';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import pLimit from 'p-limit';
import {
  AZURITE_ACCOUNT,
  AZURITE_KEY,
  S3RVER_KEY_ID,
  S3RVER_SECRET,
  startAzurite,
  startS3rver,
  type AzuriteEmulator,
  type S3Emulator,
} from '../support/emulators.js';
import { seedS3, type SeedObject } from '../support/seed.js';
import { AMPLITUDE, CLOUDFLARE, LOGZIO, VESPA, VESPA_AWS, type DemoData } from './data.js';

export const ACCOUNT = 'acmelogs';
/** A fixed key for the demo account (Azurite takes any base64 key; this one is made, not secret). */
export const ACCOUNT_KEY = createHash('sha512').update('archive demo account acmelogs').digest('base64');

export interface DemoWorld {
  azurite: AzuriteEmulator;
  s3: S3Emulator;
  /** http://127.0.0.1:PORT/acmelogs */
  serviceUrl: string;
  connectionString: string;
  /** What a shell needs to run README's examples against the emulators (besides ARCHIVE_CONFIG_DIR). */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startWorld(): Promise<DemoWorld> {
  // Azurite reads its accounts from the environment it is started with (only those listed exist).
  const saved = process.env.AZURITE_ACCOUNTS;
  process.env.AZURITE_ACCOUNTS = `${AZURITE_ACCOUNT}:${AZURITE_KEY};${ACCOUNT}:${ACCOUNT_KEY}`;
  let azurite: AzuriteEmulator;
  let s3: S3Emulator;
  try {
    [azurite, s3] = await Promise.all([startAzurite({ inMemory: true }), startS3rver()]);
  } finally {
    if (saved === undefined) delete process.env.AZURITE_ACCOUNTS;
    else process.env.AZURITE_ACCOUNTS = saved;
  }
  const serviceUrl = `http://127.0.0.1:${azurite.port}/${ACCOUNT}`;
  const connectionString = `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${ACCOUNT_KEY};BlobEndpoint=${serviceUrl};`;
  return {
    azurite,
    s3,
    serviceUrl,
    connectionString,
    env: {
      AZURE_STORAGE_CONNECTION_STRING: connectionString,
      AWS_ACCESS_KEY_ID: S3RVER_KEY_ID,
      AWS_SECRET_ACCESS_KEY: S3RVER_SECRET,
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL_S3: s3.endpoint,
    },
    stop: async () => {
      await Promise.allSettled([azurite.stop(), s3.stop()]);
    },
  };
}

async function seedAccount(world: DemoWorld, container: string, objects: SeedObject[]): Promise<void> {
  const cc = new BlobServiceClient(world.serviceUrl, new StorageSharedKeyCredential(ACCOUNT, ACCOUNT_KEY)).getContainerClient(container);
  await cc.createIfNotExists();
  const limit = pLimit(16);
  await Promise.all(
    objects.map((o) =>
      limit(() => {
        const body = typeof o.body === 'string' ? Buffer.from(o.body) : o.body;
        return cc.getBlockBlobClient(o.key).upload(body, body.length, {
          blobHTTPHeaders: { blobContentEncoding: o.contentEncoding, blobContentType: o.contentType },
        });
      }),
    ),
  );
}

/** Seeds every step, in order (a step marked `later` is uploaded a second after the one before). */
export async function seedWorld(
  world: DemoWorld,
  data: DemoData,
  onStep?: (container: string, where: string, objects: SeedObject[]) => void,
) {
  for (const step of data.steps) {
    if (step.later) await new Promise((r) => setTimeout(r, 1100));
    if (step.provider === 'azure') await seedAccount(world, step.container, step.objects);
    else await seedS3(world.s3, step.container, step.objects);
    onStep?.(step.container, step.provider === 'azure' ? `${world.serviceUrl}/${step.container}` : `s3://${step.container}`, step.objects);
  }
}

/** `archive profile add NAME ARGS --secret-stdin` for each vendor, with the secret to pipe in. */
export function demoProfiles(world: DemoWorld): Array<{ name: string; args: string[]; secret: string }> {
  const az = (container: string) => `${world.serviceUrl}/${container}`;
  return [
    {
      name: 'vespa',
      args: [az(VESPA.container), '--auth', 'key', '--layout', 'vespa', '--description', 'Vespa Cloud log archive'],
      secret: ACCOUNT_KEY,
    },
    {
      name: 'cloudflare',
      args: [az(CLOUDFLARE.container), '--auth', 'key', '--layout', 'cloudflare', '--description', 'Cloudflare Logpush'],
      secret: ACCOUNT_KEY,
    },
    {
      name: 'amplitude',
      args: [az(AMPLITUDE.container), '--auth', 'key', '--layout', 'amplitude', '--description', 'Amplitude export'],
      secret: ACCOUNT_KEY,
    },
    {
      name: 'logzio',
      args: [
        `s3://${LOGZIO.bucket}`,
        '--endpoint',
        world.s3.endpoint,
        '--region',
        'us-east-1',
        '--auth',
        'keys',
        '--access-key-id',
        S3RVER_KEY_ID,
        '--layout',
        'logzio',
        '--description',
        'Logz.io archive',
      ],
      secret: S3RVER_SECRET,
    },
    {
      // Vespa Cloud on AWS: the tenant's prefix of the zone's bucket, requester pays (the region
      // comes from the zone in the name; on AWS the credential would be the role you registered).
      name: 'vespa-aws',
      args: [
        `s3://${VESPA_AWS.bucket}/${VESPA_AWS.tenant}/`,
        '--endpoint',
        world.s3.endpoint,
        '--auth',
        'keys',
        '--access-key-id',
        S3RVER_KEY_ID,
        '--request-payer',
        'requester',
        '--layout',
        'vespa',
        '--description',
        'Vespa Cloud on AWS',
      ],
      secret: S3RVER_SECRET,
    },
  ];
}
