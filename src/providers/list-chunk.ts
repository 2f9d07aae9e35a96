/**
 * Keys per LIST page: the service's maximum (Azure 5,000, S3 1,000) unless ARCHIVE_LIST_CHUNK asks
 * for fewer, as rclone's --azureblob-list-chunk and --s3-list-chunk do (some S3-compatible services
 * answer fewer or time out on full pages; the tests use it to reach a second page with few keys).
 * Anything but a positive integer is ignored.
 */
export function listChunk(max: number): number {
  const v = Number(process.env.ARCHIVE_LIST_CHUNK);
  return Number.isInteger(v) && v >= 1 ? Math.min(v, max) : max;
}
