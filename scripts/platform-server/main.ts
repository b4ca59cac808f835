// `npm run platform -- [--port N] [--data FILE] [--fail-rate R] [--latency-ms N]`: reads the
// options and the token, starts the server, stops it cleanly on SIGTERM or SIGINT.
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_LIMITS, startPlatformServer, type PlatformServerOptions } from './server.ts';

export const DEFAULT_PORT = 8787;
export const DEFAULT_DATA_FILE = '.data/platform.json';

export const PLATFORM_HELP = `Usage: npm run platform -- [--port N] [--data FILE] [--fail-rate R] [--latency-ms N]
                            [--headers-timeout-ms N] [--request-timeout-ms N] [--max-connections N]

Runs the NovaVMS platform API (CONTRACT section 4) on http://127.0.0.1:PORT, keeping its state
in one data file across restarts and crashes. Prints "listening on http://127.0.0.1:PORT" when
ready and one line per request on stderr. The API is described in schema/platform-api.yaml.

Clients must send "Authorization: Bearer <token>", where the token is PLATFORM_API_TOKEN in the
server's environment (required).

Options:
  --port N         port to listen on, 0 for any free one (default ${DEFAULT_PORT})
  --data FILE      data file (default ${DEFAULT_DATA_FILE}); a missing file starts empty, a
                   damaged one stops the server with exit status 2 instead of wiping it
  --fail-rate R    answer this fraction (0..1) of requests 503 before any effect (default 0)
  --latency-ms N   delay every answer by N milliseconds (default 0)
  --headers-timeout-ms N   a request's headers must arrive within N ms, else 408 and the
                   connection is closed (default ${DEFAULT_LIMITS.headersTimeoutMs})
  --request-timeout-ms N   the whole request, body included, within N ms (default ${DEFAULT_LIMITS.requestTimeoutMs})
  --max-connections N      connections open at once; more are closed on arrival (default ${DEFAULT_LIMITS.maxConnections})
  -h, --help       this text

Only one server may use a data file at a time: it holds FILE.lock while it runs, and a second
one exits (status 2) naming the process that holds it. A lock left by a killed server is
taken over once its process is gone.

Exit status: 0 after SIGTERM or SIGINT, 2 when it could not start.
`;

export type PlatformArgs =
  | { kind: 'help' }
  | { kind: 'error'; message: string }
  | { kind: 'run'; options: PlatformServerOptions & { port: number; dataFile: string } };

/** Reads the command line and the environment; never exits, so tests can call it. */
export function parsePlatformArgs(
  argv: string[],
  env: Record<string, string | undefined>,
): PlatformArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        data: { type: 'string' },
        'fail-rate': { type: 'string' },
        'latency-ms': { type: 'string' },
        'headers-timeout-ms': { type: 'string' },
        'request-timeout-ms': { type: 'string' },
        'max-connections': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    // node's messages can run over several lines; the first says what is wrong.
    const message = ((error as Error).message.split('\n')[0] ?? '').replace(/\.$/, '');
    return { kind: 'error', message: `${message}; run with --help for the options` };
  }
  if (values.help) return { kind: 'help' };
  const port = integer(values.port, DEFAULT_PORT, 0, 65535);
  if (port === null) return bad('--port', values.port, 'an integer from 0 to 65535');
  const latencyMs = integer(values['latency-ms'], 0, 0, 600_000);
  if (latencyMs === null) {
    return bad('--latency-ms', values['latency-ms'], 'an integer from 0 to 600000');
  }
  const failRateText = values['fail-rate'] ?? '0';
  const failRate = /^\d+(\.\d+)?$/.test(failRateText) ? Number(failRateText) : NaN;
  if (!(failRate >= 0 && failRate <= 1)) {
    return bad('--fail-rate', failRateText, 'a number from 0 to 1');
  }
  const dataFile = values.data ?? DEFAULT_DATA_FILE;
  if (dataFile === '') return bad('--data', dataFile, 'a file path');
  const token = env.PLATFORM_API_TOKEN;
  if (token === undefined || token.trim() === '') {
    return {
      kind: 'error',
      message:
        'PLATFORM_API_TOKEN is not set: export a secret there (clients send it as "Authorization: Bearer <token>")',
    };
  }
  const limits = parseLimits(values);
  if ('message' in limits) return { kind: 'error', message: limits.message };
  return { kind: 'run', options: { port, dataFile, failRate, latencyMs, token, ...limits } };
}

const LIMIT_OPTIONS = [
  ['headers-timeout-ms', 'headersTimeoutMs'],
  ['request-timeout-ms', 'requestTimeoutMs'],
  ['max-connections', 'maxConnections'],
] as const;

/** The slow-client limits given on the command line; absent ones keep the server's defaults. */
function parseLimits(
  values: Record<string, string | boolean | undefined>,
): Partial<Record<(typeof LIMIT_OPTIONS)[number][1], number>> | { message: string } {
  const limits: Partial<Record<(typeof LIMIT_OPTIONS)[number][1], number>> = {};
  for (const [option, field] of LIMIT_OPTIONS) {
    const text = values[option];
    if (typeof text !== 'string') continue;
    const value = integer(text, 0, 1, 3_600_000);
    if (value === null)
      return { message: `--${option} '${text}' must be an integer from 1 to 3600000` };
    limits[field] = value;
  }
  return limits;
}

function integer(
  text: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number | null {
  if (text === undefined) return fallback;
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  return value >= min && value <= max ? value : null;
}

function bad(option: string, value: string | undefined, expected: string): PlatformArgs {
  return { kind: 'error', message: `${option} '${value ?? ''}' must be ${expected}` };
}

async function main(): Promise<void> {
  const args = parsePlatformArgs(process.argv.slice(2), process.env);
  if (args.kind === 'help') {
    process.stdout.write(PLATFORM_HELP);
    return;
  }
  if (args.kind === 'error') {
    process.stderr.write(`platform: ${args.message}\n`);
    process.exitCode = 2;
    return;
  }
  let server;
  try {
    server = await startPlatformServer({
      ...args.options,
      log: (line) => process.stderr.write(`${line}\n`),
    });
  } catch (error) {
    process.stderr.write(`platform: cannot start: ${(error as Error).message}\n`);
    process.exitCode = 2;
    return;
  }
  // Once stopped (requests in flight answered, writes on disk, the lock released), exit at once:
  // nothing else of ours is left to finish, and a stray handle must not keep the process alive.
  // A signal while stopping is ignored, not fatal: npm forwards the SIGINT of Ctrl-C that the
  // server already got from the terminal, and close() cuts connections after a grace period.
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`platform: ${signal}, stopping\n`);
    server.close().then(
      () => {
        process.stderr.write('platform: stopped\n');
        process.exit(process.exitCode ?? 0);
      },
      (error: unknown) => {
        process.stderr.write(`platform: unclean stop: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdout.write(`listening on ${server.url}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
