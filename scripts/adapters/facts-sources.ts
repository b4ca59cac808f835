// Where the gate's outside facts come from: the platform API and GitHub issues. Each source is
// optional; one that is not configured or does not answer yields a reason instead of data.
import type { IncidentFacts, Incident, PlatformFacts } from '../core/facts.ts';
import type { PlatformFlag } from '../core/platform-model.ts';

type Env = Record<string, string | undefined>;

export function platformConfigured(env: Env, urlOption?: string): boolean {
  return Boolean(urlOption ?? env.PLATFORM_API_URL);
}

export async function loadPlatformFacts(env: Env, urlOption?: string): Promise<PlatformFacts> {
  if (!platformConfigured(env, urlOption)) {
    return {
      status: 'unconfigured',
      reason: 'the platform API is not configured (set PLATFORM_API_URL or --platform-url)',
    };
  }
  const { platformFromEnv } = await import('./platform-client.ts');
  const platform = platformFromEnv(env, urlOption, { retries: 2, timeoutMs: 10_000 });
  if (!platform) return { status: 'unconfigured', reason: 'the platform API is not configured' };
  try {
    const flags = await platform.client.listFlags();
    return { status: 'ok', data: new Map<string, PlatformFlag>(flags.map((f) => [f.key, f])) };
  } catch (error) {
    return {
      status: 'unavailable',
      reason: `the platform at ${platform.url} did not answer: ${(error as Error).message}`,
    };
  }
}

export async function loadIncidentFacts(env: Env, keys: readonly string[]): Promise<IncidentFacts> {
  if (keys.length === 0) return { status: 'ok', data: new Map() };
  const { githubFromEnv } = await import('./github.ts');
  const github = githubFromEnv(env);
  if (!github) {
    return {
      status: 'unconfigured',
      reason:
        'GitHub is not configured (GITHUB_TOKEN and GITHUB_REPOSITORY), so open incidents cannot be listed',
    };
  }
  try {
    const data = new Map<string, Incident[]>();
    for (const key of keys) {
      const open = await github.openIncidents(key);
      data.set(
        key,
        open.map((i) => ({ number: i.number, title: i.title, url: i.url })),
      );
    }
    return { status: 'ok', data };
  } catch (error) {
    return { status: 'unavailable', reason: `GitHub did not answer: ${(error as Error).message}` };
  }
}
