// The official OpenAI SDK (npm `openai`, pinned in package-lock.json)
// against tollgate-mock's AIProxy family: it must just work, and errors
// must surface as the SDK's own exception classes.
// Usage: node openai_sdk_test.mjs PATH/TO/tollgate-mock
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';

let OpenAI;
try {
  ({ default: OpenAI } = await import('openai'));
} catch {
  console.log('SKIP: the openai package is not installed (run ci/install-deps)');
  process.exit(77);
}

const binary = process.argv[2];
let mock;
let baseURL;

before(async () => {
  mock = spawn(binary, ['--listen', '127.0.0.1:0', '--threads', '1'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: mock.stdout });
  let timer;
  const first = await Promise.race([
    new Promise((resolve) => lines.once('line', resolve)),
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error('mock did not start in 10 s')), 10000); }),
  ]);
  clearTimeout(timer);
  baseURL = first.replace('listening on ', '') + '/aiproxy/v1';
});

after(() => mock?.kill('SIGTERM'));

const client = (apiKey = 'sk-demo') => new OpenAI({ apiKey, baseURL, maxRetries: 0, timeout: 10000 });

test('lists models', async () => {
  const ids = [];
  for await (const model of client().models.list()) ids.push(model.id);
  assert.ok(ids.includes('gpt-4-turbo'));
});

test('chat completion', async () => {
  const r = await client().chat.completions.create({
    model: 'gpt-4-turbo',
    messages: [{ role: 'user', content: 'Hello' }],
  });
  assert.equal(r.object, 'chat.completion');
  assert.equal(typeof r.choices[0].message.content, 'string');
  assert.equal(r.usage.total_tokens, r.usage.prompt_tokens + r.usage.completion_tokens);
});

test('streaming chat completion with usage', async () => {
  const stream = await client().chat.completions.create({
    model: 'gpt-4-turbo',
    messages: [{ role: 'user', content: 'Hello' }],
    stream: true,
    stream_options: { include_usage: true },
  });
  let text = '';
  let usage;
  let finish;
  for await (const chunk of stream) {
    if (chunk.choices.length) {
      text += chunk.choices[0].delta.content ?? '';
      finish = chunk.choices[0].finish_reason ?? finish;
    }
    if (chunk.usage) usage = chunk.usage;
  }
  assert.ok(text.length > 0);
  assert.equal(finish, 'stop');
  assert.ok(usage.completion_tokens > 0);
});

test('completion', async () => {
  const r = await client().completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say hi', max_tokens: 4 });
  assert.equal(r.choices[0].finish_reason, 'length');
});

test('embeddings (the SDK asks for base64 and decodes it)', async () => {
  const r = await client().embeddings.create({ model: 'text-embedding-3-small', input: 'hello', dimensions: 32 });
  const v = r.data[0].embedding;
  assert.equal(v.length, 32);
  const norm = v.reduce((s, x) => s + x * x, 0);
  assert.ok(Math.abs(norm - 1) < 1e-4, `norm ${norm}`);
});

test('errors are the SDK exception classes', async () => {
  const chat = (c, model = 'gpt-4-turbo', content = 'hi') =>
    c.chat.completions.create({ model, messages: [{ role: 'user', content }] });
  await assert.rejects(chat(client('sk-wrong')), OpenAI.AuthenticationError);
  await assert.rejects(chat(client(), 'gpt-9'), (e) => e instanceof OpenAI.NotFoundError && e.code === 'model_not_found');
  await assert.rejects(chat(client(), 'tiny-context-chat', 'word '.repeat(200)),
    (e) => e instanceof OpenAI.BadRequestError && e.code === 'context_length_exceeded' && e.param === 'messages');
  const limited = client('sk-limited');
  let error;
  for (let i = 0; i < 5 && !error; i++) {
    try { await limited.models.list(); } catch (e) { error = e; }
  }
  assert.ok(error instanceof OpenAI.RateLimitError, String(error));
  assert.equal(error.code, 'rate_limit_exceeded');
});
