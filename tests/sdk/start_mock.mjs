// Starts tollgate-mock on a free loopback port for a node:test file and
// stops it after: `const mock = useMock(process.argv[2]); ... mock.baseURL`.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { after, before } from 'node:test';

export function useMock(binary) {
  const state = { baseURL: undefined };
  let child;
  before(async () => {
    child = spawn(binary, ['--listen', '127.0.0.1:0', '--threads', '1'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const lines = createInterface({ input: child.stdout });
    let timer;
    const first = await Promise.race([
      new Promise((resolve) => lines.once('line', resolve)),
      new Promise((_, reject) => { timer = setTimeout(() => reject(new Error('mock did not start in 10 s')), 10000); }),
    ]);
    clearTimeout(timer);
    state.baseURL = first.replace('listening on ', '') + '/aiproxy/v1';
  });
  after(() => child?.kill('SIGTERM'));
  // What the billed calls since `since` (a log id) were, from the mock's
  // consume logs: ["response", "chat completion", ...], oldest first.
  state.billed = async (since = 0) => {
    const root = state.baseURL.replace('/aiproxy/v1', '');
    const r = await fetch(root + '/aiapigiare/AiApiGiaRe/logs?type=2&page_size=100', {
      headers: { Authorization: 'Bearer demo-access-key' },
    });
    const items = (await r.json()).data.items.filter((l) => l.id > since);
    return { last: Math.max(since, ...items.map((l) => l.id)), kinds: items.reverse().map((l) => l.content.split(':')[0]) };
  };
  return state;
}
