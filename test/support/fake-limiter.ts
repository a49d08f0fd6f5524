/** A rate-limit binding as strict as Cloudflare's: `limit` calls per key, then success: false. */
export function fakeLimiter(limit: number) {
  const counts = new Map<string, number>();
  return {
    counts,
    async limit({ key }: { key: string }) {
      counts.set(key, (counts.get(key) ?? 0) + 1);
      return { success: counts.get(key)! <= limit };
    },
  };
}
