// The server held to its own document, schema/platform-api.yaml: what the document's schemas
// accept the server accepts, and what they refuse it refuses with 400, at every limit the document
// states (read from the document, not restated here); RFC 3339 times by a table of cases; HEAD.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiDoc, isRfc3339DateTime, schemaValidator } from '../helpers/platform-openapi.ts';
import { platformServer, type TestPlatform } from '../helpers/platform-server.ts';
import { rawHttp, type RawAnswer } from '../helpers/raw-http.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await platformServer({ clock: () => new Date('2026-11-24T12:00:00.000Z') });
  await platform.client.putFlag('base', { description: 'd', owner: '@o/t', depends_on: [] });
});
afterAll(async () => platform.close());

function send(method: string, path: string, body?: unknown): Promise<RawAnswer> {
  return rawHttp(platform.url, method, path, {
    headers: {
      authorization: `Bearer ${platform.token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

interface TextLimits {
  maxLength: number;
  minLength: number;
  pattern: string;
}

const metadata = (
  apiDoc.components.schemas.FlagMetadata as {
    properties: {
      description: TextLimits;
      owner: TextLimits;
      depends_on: { maxItems: number };
    };
  }
).properties;

describe('request bodies: the server accepts exactly what FlagMetadata accepts', () => {
  const max = metadata.description.maxLength;
  const texts: [string, string][] = [
    ['at the limit', 'x'.repeat(max)],
    ['at the limit in astral code points (twice as many UTF-16 units)', '😀'.repeat(max)],
    ['one over the limit', 'x'.repeat(max + 1)],
    ['one over the limit in astral code points', '😀'.repeat(max + 1)],
    ['empty', ''],
    ['a space', ' '],
    ['tabs and new lines only', '\t\n\r\n'],
    ['a no-break space only', '\u00a0'],
    ['text with tab, line feed and carriage return', 'line one\r\n\tline two'],
    ['text around spaces', '  padded  '],
    ...Array.from(
      { length: 0x20 },
      (_, c) =>
        [`control U+${c.toString(16).padStart(4, '0')}`, `a${String.fromCharCode(c)}b`] as [
          string,
          string,
        ],
    ),
    ['DEL', 'a\x7fb'],
    ['C1 control U+0085', 'a\u0085b'],
    ['C1 control U+009B (CSI)', 'a\u009bb'],
    ['U+00A0 inside text', 'a\u00a0b'],
    ['a line separator inside text', 'a\u2028b'],
  ];

  it('description and owner, at and around every text limit', async () => {
    const validate = schemaValidator('FlagMetadata');
    const disagreements: string[] = [];
    for (const field of ['description', 'owner'] as const) {
      for (const [name, text] of texts) {
        const body = { description: 'd', owner: '@o/t', depends_on: [], [field]: text };
        const documented = validate(body);
        const answer = await send('PUT', '/api/v1/platform/feature-flags/base', body);
        const accepted = answer.status === 200;
        if (accepted !== documented || (!accepted && answer.status !== 400)) {
          disagreements.push(`${field} ${name}: document ${documented}, server ${answer.status}`);
        }
      }
    }
    expect(disagreements).toEqual([]);
    // The document does refuse some of them: the table is not all on one side.
    expect(validate({ description: 'x'.repeat(max + 1), owner: 'o' })).toBe(false);
    expect(validate({ description: '😀'.repeat(max), owner: 'o' })).toBe(true);
  });

  it('depends_on at and over maxItems', async () => {
    const validate = schemaValidator('FlagMetadata');
    const maxItems = metadata.depends_on.maxItems;
    for (const count of [maxItems, maxItems + 1]) {
      const deps = Array.from({ length: count }, (_, i) => `dep-${i}`);
      const body = { description: 'd', owner: '@o/t', depends_on: deps };
      const answer = await send('PUT', '/api/v1/platform/feature-flags/many', body);
      // Within the limit the request is well-formed; the dependencies are just not registered.
      expect([count, answer.status]).toEqual([count, validate(body) ? 422 : 400]);
    }
  });
});

describe('RFC 3339 date-time, as the document and RFC 3339 section 5.6 say', () => {
  const cases: [string, boolean][] = [
    ['2026-11-24T12:00:00Z', true],
    ['2026-11-24t12:00:00z', true],
    ['2026-11-24T12:00:00.123456789+05:30', true],
    ['2026-11-24T12:00:00-00:00', true],
    ['2024-02-29T00:00:00Z', true],
    ['2000-02-29T00:00:00Z', true],
    ['2026-12-31T23:59:60Z', true],
    ['2026-06-30T23:59:60Z', true],
    ['2026-12-31T15:59:60-08:00', true],
    ['2027-01-01T00:59:60+01:00', true],
    ['2026-02-30T00:00:00Z', false],
    ['2026-04-31T00:00:00Z', false],
    ['2100-02-29T00:00:00Z', false],
    ['2026-13-01T00:00:00Z', false],
    ['2026-00-10T00:00:00Z', false],
    ['2026-11-24T24:00:00Z', false],
    ['2026-11-24T12:60:00Z', false],
    ['2026-11-24T12:00:61Z', false],
    ['2026-11-24T12:00:60Z', false],
    ['2026-11-30T23:58:60Z', false],
    ['2026-11-24T23:59:60Z', false],
    ['2026-11-24T12:00Z', false],
    ['2026-11-24 12:00:00Z', false],
    ['2026-11-24T12:00:00', false],
    ['2026-11-24T12:00:00+2400', false],
    ['2026-11-24T12:00:00+24:00', false],
    ['2026-11-24T12:00:00.Z', false],
    ['2026-11-24', false],
    ['yesterday', false],
  ];

  it('the document (ErrorReport.at) and the server (audit-log since) agree with the table', async () => {
    const validate = schemaValidator('ErrorReport');
    const wrong: string[] = [];
    for (const [text, valid] of cases) {
      if (isRfc3339DateTime(text) !== valid || validate({ at: text }) !== valid) {
        wrong.push(`document: ${text}`);
      }
      const answer = await send(
        'GET',
        `/api/v1/platform/audit-log?since=${encodeURIComponent(text)}`,
      );
      if (answer.status !== (valid ? 200 : 400)) wrong.push(`server ${answer.status}: ${text}`);
      const report = await send('POST', '/api/v1/platform/feature-flags/base/errors', {
        at: text,
      });
      if (report.status !== (valid ? 200 : 400))
        wrong.push(`server errors ${report.status}: ${text}`);
    }
    expect(wrong).toEqual([]);
  });

  it('reads a leap second as the last millisecond before it, and honours offsets', async () => {
    // An entry written at 23:59:59.999Z, the instant a leap second at the year's end maps to.
    const leap = await platformServer({ clock: () => new Date('2026-12-31T23:59:59.999Z') });
    try {
      await leap.client.putFlag('leap', { description: 'd', owner: '@o/t', depends_on: [] });
      const count = async (since: string) => (await leap.client.auditLog({ since })).length;
      expect(await count('2026-12-31T23:59:60Z')).toBe(1);
      expect(await count('2026-12-31t15:59:60-08:00')).toBe(1);
      expect(await count('2027-01-01T00:00:00Z')).toBe(0);
      expect(await count('2027-01-01T00:59:59.999+01:00')).toBe(1);
      expect(await count('2027-01-01T01:00:00+01:00')).toBe(0);
    } finally {
      await leap.close();
    }
  });
});

describe('HEAD on every GET path', () => {
  it('answers the GET status and headers without a body', async () => {
    const getPaths = Object.entries(apiDoc.paths)
      .filter(([, item]) => 'get' in item)
      .map(([path]) => path.replace('{flag}', 'base').replace('{org_id}', 'novalien-internal'));
    expect(getPaths.length).toBeGreaterThanOrEqual(5);
    for (const path of [...getPaths, '/api/v1/platform/feature-flags/not-there']) {
      const get = await send('GET', path);
      const head = await send('HEAD', path);
      expect([path, head.status, head.text]).toEqual([path, get.status, '']);
      expect(head.headers.get('content-type')).toBe(get.headers.get('content-type'));
      expect(head.headers.get('content-length')).toBe(get.headers.get('content-length'));
    }
  });
});
