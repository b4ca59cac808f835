// Runs one CLI command in-process and reports its peak memory on stderr, so the bench can read
// both time (from outside) and memory of the same run.
import { runCli, processContext } from '../scripts/cli.ts';

const ctx = processContext();
ctx.cwd = process.env.BENCH_CWD ?? process.cwd();
ctx.stdout = () => {};
const status = await runCli(process.argv.slice(2), ctx);
process.stderr.write(
  `BENCH ${JSON.stringify({ status, maxRssKiB: process.resourceUsage().maxRSS })}\n`,
);
process.exitCode = status;
