/**
 * The wait a throttling answer asks for (429/503 `Retry-After`, seconds or an HTTP date), read
 * from either SDK's error: Azure's RestError keeps the response headers in an HttpHeaders
 * (`.get`), the AWS SDK in `$response.headers` (a plain object). Undefined when absent or unreadable.
 */
export function retryAfterMs(err: unknown, now = Date.now()): number | undefined {
  const e = err as {
    response?: { headers?: { get?: (n: string) => string | undefined } };
    $response?: { headers?: Record<string, string | undefined> };
  };
  const raw = e?.response?.headers?.get?.('retry-after') ?? e?.$response?.headers?.['retry-after'];
  if (!raw) return undefined;
  if (/^\s*[-+]?\d+(\.\d+)?\s*$/.test(raw)) {
    const secs = Number(raw);
    return secs >= 0 ? secs * 1000 : undefined;
  }
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
