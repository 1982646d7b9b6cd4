/**
 * Storage can fill up (storage.local and storage.session have quotas). A failed write purges
 * the oldest history and retries, so the current windows are never what is lost.
 */

export function isQuotaError(error: unknown): boolean {
  return /quota|QUOTA_BYTES|exceeded/i.test(String((error as Error)?.message ?? error));
}

/**
 * Writes `build()`; on a quota error calls `purgeOldest()` (which returns false when nothing
 * more can go) and retries with a freshly built, smaller payload.
 */
export async function writeWithPurge(
  write: (items: Record<string, unknown>) => Promise<void>,
  build: () => Record<string, unknown>,
  purgeOldest: () => boolean,
  maxAttempts = 5,
): Promise<{ purged: number }> {
  let purged = 0;
  for (let attempt = 1; ; attempt++) {
    try {
      await write(build());
      return { purged };
    } catch (error) {
      if (!isQuotaError(error) || attempt >= maxAttempts || !purgeOldest()) throw error;
      purged += 1;
    }
  }
}
