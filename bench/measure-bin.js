// Runs `npx flags` exactly as an engineer does (bin/flags.js: the bundle in .build/ when it is
// fresh) and reports the process's peak memory on stderr when it exits, for bench/gate.ts.
import process from 'node:process';

process.on('exit', (status) => {
  process.stderr.write(
    `BENCH ${JSON.stringify({ status, maxRssKiB: process.resourceUsage().maxRSS })}\n`,
  );
});
await import('../bin/flags.js');
