// The platform extension export reads customer choices from: GET /api/v1/platform/opt-ins.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerProblems } from '../helpers/platform-openapi.ts';
import { platformServer, type TestPlatform } from '../helpers/platform-server.ts';

describe('GET /api/v1/platform/opt-ins', () => {
  let platform: TestPlatform;
  beforeAll(async () => {
    platform = await platformServer();
  });
  afterAll(() => platform.close());

  it("lists each flag's opt-ins and opt-outs, sorted, as the API document says", async () => {
    const { client } = platform;
    for (const key of ['b-flag', 'a-flag', 'gone']) {
      await client.putFlag(key, { description: key, owner: '@o/t', depends_on: [] });
      await client.setState(key, 'beta');
    }
    await client.setOptIn('zeta-corp', 'b-flag', true);
    await client.setOptIn('acme', 'b-flag', true);
    await client.setOptIn('harbor', 'b-flag', false);
    await client.setOptIn('acme', 'a-flag', true);
    await client.setOptIn('acme', 'a-flag', false);
    await client.archiveFlag('gone');

    expect(await client.optIns()).toEqual([
      { key: 'a-flag', opted_in: [], opted_out: ['acme'] },
      { key: 'b-flag', opted_in: ['acme', 'zeta-corp'], opted_out: ['harbor'] },
    ]);

    const res = await fetch(`${platform.url}/api/v1/platform/opt-ins`, {
      headers: { authorization: `Bearer ${platform.token}` },
    });
    const body: unknown = await res.json();
    expect(
      answerProblems({
        method: 'GET',
        path: '/api/v1/platform/opt-ins',
        status: res.status,
        headers: res.headers,
        body,
      }),
    ).toEqual([]);
    const unauthorised = await fetch(`${platform.url}/api/v1/platform/opt-ins`);
    expect(unauthorised.status).toBe(401);
  });
});
