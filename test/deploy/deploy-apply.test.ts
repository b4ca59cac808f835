// Applying steps through the real platform: a 409 FLAG_DEPENDENCY is explained and not retried;
// a lost answer is retried with the same Idempotency-Key and applies once.
import { afterEach, describe, expect, it } from 'vitest';
import { applySteps, idempotencyKey } from '../../scripts/adapters/deploy-apply.ts';
import type { DeployStep } from '../../scripts/core/deploy-plan.ts';
import { platformServer, type TestPlatform } from '../helpers/platform-server.ts';

const opened: TestPlatform[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((p) => p.close()));
});

const HEAD = 'a'.repeat(40);
const meta = (deps: string[] = []) => ({
  description: 'd',
  owner: '@novalien/video',
  depends_on: deps,
});

function promote(flag: string, from: 'alpha' | 'beta', to: 'beta' | 'ga'): DeployStep {
  return {
    id: `${flag}:promote:${to}`,
    flag,
    action: 'promote',
    kind: 'apply',
    from,
    to,
    org: null,
    reason: 'test',
    after: [],
    meta: null,
    rule: null,
    allowedAt: null,
    adopted: false,
    changedBy: null,
  };
}

describe('applySteps', () => {
  it('explains 409 FLAG_DEPENDENCY in words and does not retry it', async () => {
    const requests: string[] = [];
    const platform = await platformServer({ log: (line) => requests.push(line) });
    opened.push(platform);
    await platform.client.putFlag('dep', meta());
    await platform.client.putFlag('user', meta(['dep']));
    requests.length = 0;
    const results = await applySteps({
      api: platform.newClient({ retries: 5 }),
      steps: [promote('user', 'alpha', 'beta')],
      head: HEAD,
    });
    const result = results.get('user:promote:beta')!;
    expect(result.outcome).toBe('failed');
    expect(result.message).toMatch(/409 FLAG_DEPENDENCY/);
    expect(result.message).toMatch(/promote the dependency first/);
    expect(result.message).toMatch(/Not retried/);
    expect(requests.filter((l) => l.startsWith('POST'))).toHaveLength(1);
  });

  it('retries a lost answer with the same Idempotency-Key, so the change applies once', async () => {
    const platform = await platformServer();
    opened.push(platform);
    await platform.client.putFlag('x', meta());
    let dropped = 0;
    const keys: string[] = [];
    const api = platform.newClient({
      retries: 3,
      fetch: async (url, init) => {
        const res = await fetch(url, init);
        if (init?.method === 'POST') {
          keys.push(String((init.headers as Record<string, string>)['idempotency-key']));
          if (dropped++ === 0) {
            await res.text();
            throw new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } });
          }
        }
        return res;
      },
    });
    const step = promote('x', 'alpha', 'beta');
    const results = await applySteps({ api, steps: [step], head: HEAD });
    expect(results.get(step.id)).toMatchObject({
      outcome: 'applied',
      idempotencyKey: idempotencyKey(HEAD, step),
    });
    expect(keys).toEqual([idempotencyKey(HEAD, step), idempotencyKey(HEAD, step)]);
    const audit = await platform.client.auditLog({ flag: 'x' });
    expect(audit.filter((e) => e.action === 'platform.feature_flag_state_changed')).toHaveLength(1);
    expect(audit.at(-1)?.actor).toBe('flags-deploy');
  });
});
