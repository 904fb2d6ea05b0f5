// The two scripts the Kubernetes pods run (deploy/kubernetes/base/
// segment.sh and merge.sh), run by /bin/sh here with a stand-in `tollgate`
// first on PATH that records its arguments and exits as told:
//   - segment.sh passes its arguments to tollgate as they are; a segment
//     that fails its thresholds (1) succeeds, one that cannot run (2, 3,
//     killed) fails and leaves OUT/failed; SIGTERM reaches tollgate;
//   - merge.sh waits for every segment's summary.json, then execs
//     `tollgate merge` over them in index order and exits with its code; it
//     gives up (3) after MERGE_TIMEOUT naming what is missing, at once when a
//     segment failed, and refuses a SEGMENTS that is not a number.
// Usage (from the source tree): node pod_scripts_test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const scripts = path.join(process.cwd(), 'deploy/kubernetes/base');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'tollgate-pod-scripts-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

// The stand-in: writes its arguments, one a line, to $CALLS; sleeps
// $SLEEP seconds if asked (ending 7 on SIGTERM); exits $RC.
const bin = path.join(tmp, 'bin');
mkdirSync(bin);
writeFileSync(path.join(bin, 'tollgate'), `#!/bin/sh
trap 'kill $sleeping 2>/dev/null; echo TERM >>"$CALLS"; exit 7' TERM
for a in "$@"; do echo "$a"; done >"$CALLS"
if [ -n "\${SLEEP:-}" ]; then sleep "$SLEEP" & sleeping=$!; wait $sleeping; fi
exit "\${RC:-0}"
`);
chmodSync(path.join(bin, 'tollgate'), 0o755);

let n = 0;
function sandbox() {
  const dir = path.join(tmp, `case-${++n}`);
  mkdirSync(dir);
  return { dir, calls: path.join(dir, 'calls'), env: { PATH: `${bin}:/usr/bin:/bin`, CALLS: path.join(dir, 'calls') } };
}
const sh = (script, args, env) => spawnSync('/bin/sh', [path.join(scripts, script), ...args], { encoding: 'utf8', env, timeout: 30000 });
const calls = (file) => (existsSync(file) ? readFileSync(file, 'utf8').trimEnd().split('\n') : null);

test('segment.sh runs tollgate with its arguments; 0 and 1 succeed', () => {
  for (const rc of ['0', '1']) {
    const s = sandbox();
    const out = path.join(s.dir, 'results/segment-2');
    const args = ['run', '/etc/tollgate/scenario.yaml', '--segment', '2/4', '--start-at', '2026-12-03T18:30:00Z', '--out', out, '--quiet'];
    const r = sh('segment.sh', args, { ...s.env, RC: rc });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(calls(s.calls), args);
    assert.equal(existsSync(path.join(out, 'failed')), false);
    if (rc === '1') assert.match(r.stderr, /this segment alone failed its thresholds/);
  }
});

test('segment.sh fails as tollgate did when it could not run, and leaves OUT/failed', () => {
  for (const [rc, form] of [['2', 'split'], ['3', 'joined']]) {
    const s = sandbox();
    const out = path.join(s.dir, 'segment-0');
    const r = sh('segment.sh', ['run', 'x.yaml', ...(form === 'split' ? ['--out', out] : [`--out=${out}`])], { ...s.env, RC: rc });
    assert.equal(r.status, Number(rc));
    assert.equal(readFileSync(path.join(out, 'failed'), 'utf8').trim(), rc);
  }
});

test('segment.sh passes SIGTERM on to tollgate and exits with its code', async () => {
  const s = sandbox();
  const out = path.join(s.dir, 'segment-1');
  const child = spawn('/bin/sh', [path.join(scripts, 'segment.sh'), 'run', 'x.yaml', '--out', out], { env: { ...s.env, SLEEP: '30' }, stdio: 'ignore' });
  const code = new Promise((resolve) => child.on('exit', (c) => resolve(c)));
  while (!existsSync(s.calls)) await new Promise((r) => setTimeout(r, 50));
  child.kill('SIGTERM');
  assert.equal(await code, 7);
  assert.equal(calls(s.calls).at(-1), 'TERM');
  assert.equal(readFileSync(path.join(out, 'failed'), 'utf8').trim(), '7');
});

function segmentsDone(results, count, skip = []) {
  for (let i = 0; i < count; i++) {
    mkdirSync(path.join(results, `segment-${i}`), { recursive: true });
    if (!skip.includes(i)) writeFileSync(path.join(results, `segment-${i}`, 'summary.json'), '{}\n');
  }
}

test('merge.sh merges the N summaries in index order and exits with tollgate merge\'s code', () => {
  for (const rc of ['0', '1', '2']) {
    const s = sandbox();
    const results = path.join(s.dir, 'results/run-a');
    segmentsDone(results, 12);
    const r = sh('merge.sh', [], { ...s.env, RC: rc, SEGMENTS: '12', RESULTS: results });
    assert.equal(r.status, Number(rc), r.stderr);
    const expected = ['merge', ...Array.from({ length: 12 }, (_, i) => path.join(results, `segment-${i}`, 'summary.json')), '--out', path.join(results, 'merged')];
    assert.deepEqual(calls(s.calls), expected);
  }
});

test('merge.sh finds the results under /results/RUN unless RESULTS says otherwise', () => {
  const s = sandbox();
  const r = sh('merge.sh', [], { ...s.env, SEGMENTS: '2', RUN: 'run-b', MERGE_TIMEOUT: '0' });
  assert.equal(r.status, 3);
  assert.match(r.stderr, /still missing: \/results\/run-b\/segment-0\/summary.json \/results\/run-b\/segment-1\/summary.json/);
});

test('merge.sh waits for a summary that comes late', async () => {
  const s = sandbox();
  const results = path.join(s.dir, 'results');
  segmentsDone(results, 3, [1]);
  const child = spawn('/bin/sh', [path.join(scripts, 'merge.sh')], {
    env: { ...s.env, SEGMENTS: '3', RESULTS: results, MERGE_POLL: '1', MERGE_TIMEOUT: '60' }, stdio: 'ignore' });
  const code = new Promise((resolve) => child.on('exit', (c) => resolve(c)));
  try {
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(existsSync(s.calls), false, 'merged before segment-1 was there');
    writeFileSync(path.join(results, 'segment-1', 'summary.json'), '{}\n');
    assert.equal(await code, 0);
    assert.equal(calls(s.calls)[0], 'merge');
  } finally {
    child.kill();
  }
});

test('merge.sh gives up after MERGE_TIMEOUT, naming what is missing, without merging', () => {
  const s = sandbox();
  const results = path.join(s.dir, 'results');
  segmentsDone(results, 4, [1, 3]);
  const started = Date.now();
  const r = sh('merge.sh', [], { ...s.env, SEGMENTS: '4', RESULTS: results, MERGE_TIMEOUT: '2', MERGE_POLL: '1' });
  assert.equal(r.status, 3);
  assert.ok(Date.now() - started < 10000);
  assert.match(r.stderr, new RegExp(`gave up after 2s; still missing: ${results}/segment-1/summary.json ${results}/segment-3/summary.json$`, 'm'));
  assert.equal(existsSync(s.calls), false);
});

test('merge.sh stops waiting at once when a segment could not run', () => {
  const s = sandbox();
  const results = path.join(s.dir, 'results');
  segmentsDone(results, 4, [2, 3]);
  writeFileSync(path.join(results, 'segment-2', 'failed'), '3\n');
  const r = sh('merge.sh', [], { ...s.env, SEGMENTS: '4', RESULTS: results, MERGE_TIMEOUT: '600' });
  assert.equal(r.status, 3);
  assert.match(r.stderr, /a segment could not run: segment-2 \(tollgate exited 3\)/);
  assert.equal(existsSync(s.calls), false);
});

test('merge.sh refuses a SEGMENTS that is not a whole number >= 1', () => {
  for (const bad of ['', '0', 'four', '-1', '2/4']) {
    const s = sandbox();
    const r = sh('merge.sh', [], { ...s.env, SEGMENTS: bad, RESULTS: s.dir });
    assert.equal(r.status, 2, `SEGMENTS=${bad}`);
    assert.match(r.stderr, /SEGMENTS must be a whole number >= 1/);
  }
});
