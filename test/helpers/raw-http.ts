// One HTTP request exactly as written (node:http does not normalise `..` or re-encode paths the
// way fetch does), for tests of what a server does with odd requests.
import { request } from 'node:http';

export interface RawAnswer {
  status: number;
  headers: Headers;
  text: string;
  /** The JSON body, or undefined when it is not JSON. */
  body: unknown;
}

export function rawHttp(
  baseUrl: string,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: string | Buffer; timeoutMs?: number } = {},
): Promise<RawAnswer> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = request(
      { hostname, port, method, path, headers: options.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown;
          try {
            body = JSON.parse(text);
          } catch {
            body = undefined;
          }
          const headers = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            if (typeof value === 'string') headers.set(name, value);
          }
          resolve({ status: res.statusCode ?? 0, headers, text, body });
        });
      },
    );
    req.setTimeout(options.timeoutMs ?? 5_000, () =>
      req.destroy(new Error('raw request timed out')),
    );
    req.on('error', reject);
    req.end(options.body);
  });
}
