// git over HTTPS with the workflow's token, for the fetches CI makes itself (the re-check's pull
// request heads, the deploy's tip of main): actions/checkout keeps no credentials, so a private
// repository would refuse them.

/**
 * git's environment with the workflow token as an HTTP header for this one process, through
 * git's environment configuration: never in argv, never stored in .git/config. Without
 * GITHUB_TOKEN it only turns off password prompts.
 */
export function gitAuthEnv(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const token = env['GITHUB_TOKEN'];
  const server = (env['GITHUB_SERVER_URL'] ?? 'https://github.com').replace(/\/+$/, '');
  const base: NodeJS.ProcessEnv = { ...process.env, GIT_TERMINAL_PROMPT: '0' };
  if (!token) return base;
  const basic = Buffer.from(`x-access-token:${token}`).toString('base64');
  return {
    ...base,
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: `http.${server}/.extraheader`,
    GIT_CONFIG_VALUE_0: `AUTHORIZATION: basic ${basic}`,
  };
}
