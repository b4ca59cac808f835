// What the deploy asks of the platform, shared by applying the steps and verifying them.
import type { PlatformApi, WriteOptions } from '../core/platform-model.ts';

/** The platform calls a deploy makes: PlatformApi's, whatever the org toggle answers. */
export type DeployApi = Omit<PlatformApi, 'setOrgEnabled' | 'setOptIn'> & {
  setOrgEnabled(org: string, key: string, enabled: boolean, opts?: WriteOptions): Promise<unknown>;
};

/** Runs `work` over `items`, at most `limit` at once. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
