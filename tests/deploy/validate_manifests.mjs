// deploy/kubernetes rendered and checked offline: every kustomization
// renders with `kubectl kustomize`; every object of every rendering is valid
// for its kind's API schema and has no field its kind lacks
// (kubernetes_schemas.mjs); the segment Job is an Indexed Job whose
// completions, parallelism and `--segment I/N` agree with SEGMENTS, whose
// $(VAR)s are all defined, non-root, scraped on its metrics port; the merge
// Job runs `tollgate merge`; the PodMonitor selects the segment pods; the
// scenario in the ConfigMap passes `tollgate validate`. Each check is also
// run on a broken copy, which it must reject.
//
// Usage (from the source tree): node validate_manifests.mjs [PATH/TO/tollgate]
// Exit 77 (skipped) when kubectl or the npm packages are missing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = process.cwd();
const deploy = path.join(root, 'deploy/kubernetes');
const tollgate = process.argv[2];

function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(':'))
    if (dir && existsSync(path.join(dir, name))) return path.join(dir, name);
  return null;
}
const kubectl = process.env.KUBECTL || onPath('kubectl');
if (!kubectl) {
  console.log('SKIP: kubectl is not installed (it renders the kustomizations); nothing was checked');
  process.exit(77);
}
let yaml, schemas;
try {
  yaml = (await import('js-yaml')).default;
  schemas = await import('./kubernetes_schemas.mjs');
} catch (e) {
  console.log(`SKIP: the npm packages js-yaml and kubernetes-models are missing (run ci/install-deps): ${e.message}`);
  process.exit(77);
}

function render(dir) {
  const r = spawnSync(kubectl, ['kustomize', dir], { encoding: 'utf8' });
  assert.equal(r.status, 0, `kubectl kustomize ${dir} failed:\n${r.stderr}`);
  return yaml.loadAll(r.stdout).filter(Boolean);
}

const rendered = {
  base: render(path.join(deploy, 'base')),
  example: render(path.join(deploy, 'overlays/example')),
  monitoring: render(path.join(deploy, 'monitoring')),
  mock: render(path.join(deploy, 'mock')),
  reader: yaml.loadAll(readFileSync(path.join(deploy, 'results-reader.yaml'), 'utf8')),
};

const find = (objs, kind, name) => objs.find((o) => o.kind === kind && (o.metadata.name === name || o.metadata.name.startsWith(name + '-')));

// --- the checks: each returns a list of problems ------------------------

async function schemaProblems(objs) {
  const out = [];
  for (const o of objs) out.push(...(await schemas.validate(o)), ...(await schemas.unknownFields(o)));
  return out;
}

// The variables a container defines: env, and the keys of the ConfigMaps
// its envFrom names (found in objs).
function containerVariables(container, objs) {
  const vars = new Map();
  for (const ref of container.envFrom ?? []) {
    const cm = ref.configMapRef && objs.find((o) => o.kind === 'ConfigMap' && o.metadata.name === ref.configMapRef.name);
    if (cm) for (const [k, v] of Object.entries(cm.data ?? {})) vars.set(k, v);
  }
  for (const e of container.env ?? []) vars.set(e.name, e.value ?? e.valueFrom);
  return vars;
}

function nonRootProblems(name, podSpec) {
  const out = [];
  const pod = podSpec.securityContext ?? {};
  for (const c of podSpec.containers) {
    const sc = c.securityContext ?? {};
    const at = `${name} container ${c.name}`;
    if ((sc.runAsNonRoot ?? pod.runAsNonRoot) !== true) out.push(`${at}: runAsNonRoot is not true`);
    const uid = sc.runAsUser ?? pod.runAsUser;
    if (!(Number.isInteger(uid) && uid > 0)) out.push(`${at}: runAsUser is ${uid}, not a uid > 0`);
    if (sc.readOnlyRootFilesystem !== true) out.push(`${at}: readOnlyRootFilesystem is not true`);
    if (sc.allowPrivilegeEscalation !== false) out.push(`${at}: allowPrivilegeEscalation is not false`);
    if (!(sc.capabilities?.drop ?? []).includes('ALL')) out.push(`${at}: capabilities do not drop ALL`);
    if (!c.resources?.requests?.cpu || !c.resources?.requests?.memory || !c.resources?.limits?.cpu || !c.resources?.limits?.memory)
      out.push(`${at}: cpu and memory requests and limits are not all set`);
  }
  return out;
}

// The segment Job of a rendering, against the SEGMENTS of its ConfigMap.
function segmentJobProblems(objs) {
  const out = [];
  const job = find(objs, 'Job', 'tollgate-segments');
  if (!job) return ['no Job tollgate-segments'];
  const spec = job.spec;
  const podSpec = spec.template.spec;
  const c = podSpec.containers.find((x) => x.name === 'tollgate');
  if (!c) return ['Job tollgate-segments: no container tollgate'];
  const vars = containerVariables(c, objs);
  const n = Number(vars.get('SEGMENTS'));
  if (!(Number.isInteger(n) && n >= 1)) out.push(`SEGMENTS is ${vars.get('SEGMENTS')}, not a whole number >= 1`);
  if (spec.completionMode !== 'Indexed') out.push(`completionMode is ${spec.completionMode}, not Indexed`);
  if (spec.completions !== n) out.push(`completions is ${spec.completions}, SEGMENTS is ${n}`);
  if (spec.parallelism !== n) out.push(`parallelism is ${spec.parallelism}, SEGMENTS is ${n}`);
  if (spec.backoffLimit !== 0) out.push(`backoffLimit is ${spec.backoffLimit}, not 0`);
  if (podSpec.restartPolicy !== 'Never') out.push(`restartPolicy is ${podSpec.restartPolicy}, not Never`);

  const args = c.args ?? [];
  const opt = (name) => (args.indexOf(name) >= 0 ? args[args.indexOf(name) + 1] : undefined);
  if (args[0] !== 'run' || args[1] !== '/etc/tollgate/scenario.yaml') out.push(`args do not start with run /etc/tollgate/scenario.yaml: ${args.join(' ')}`);
  if (opt('--segment') !== `$(JOB_COMPLETION_INDEX)/${n}`) out.push(`--segment is ${opt('--segment')}, not $(JOB_COMPLETION_INDEX)/${n}`);
  if (opt('--start-at') !== '$(START_AT)') out.push(`--start-at is ${opt('--start-at')}, not $(START_AT)`);
  if (!/^\/results\/.*segment-\$\(JOB_COMPLETION_INDEX\)$/.test(opt('--out') ?? '')) out.push(`--out is ${opt('--out')}, not /results/.../segment-$(JOB_COMPLETION_INDEX)`);
  if (!args.includes('--quiet')) out.push('no --quiet');
  if (opt('--metrics-listen') !== '0.0.0.0:9464') out.push(`--metrics-listen is ${opt('--metrics-listen')}, not 0.0.0.0:9464`);
  // Kubernetes leaves a $(VAR) it cannot resolve as it is.
  for (const a of [...(c.command ?? []), ...args])
    for (const m of a.matchAll(/(?<!\$)\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g))
      if (!vars.has(m[1])) out.push(`$(${m[1]}) in "${a}" is not an environment variable of the container`);
  for (const key of ['TARGET', 'START_AT', 'RUN']) if (!vars.get(key)) out.push(`${key} is not set (tollgate-run ConfigMap)`);
  const index = (c.env ?? []).find((e) => e.name === 'JOB_COMPLETION_INDEX');
  if (index?.valueFrom?.fieldRef?.fieldPath !== "metadata.annotations['batch.kubernetes.io/job-completion-index']")
    out.push('JOB_COMPLETION_INDEX does not come from the completion-index annotation');

  const port = (c.ports ?? []).find((p) => p.name === 'metrics');
  if (port?.containerPort !== 9464) out.push(`no containerPort 9464 named metrics`);
  const ann = spec.template.metadata?.annotations ?? {};
  if (ann['prometheus.io/scrape'] !== 'true' || ann['prometheus.io/port'] !== '9464' || ann['prometheus.io/path'] !== '/metrics')
    out.push(`prometheus.io annotations are ${JSON.stringify(ann)}`);

  // The files and the volume it reads and writes.
  const mount = (p) => (c.volumeMounts ?? []).find((m) => m.mountPath === p);
  const volume = (m) => m && podSpec.volumes.find((v) => v.name === m.name);
  const scenarioMap = volume(mount('/etc/tollgate'))?.configMap;
  const cm = scenarioMap && objs.find((o) => o.kind === 'ConfigMap' && o.metadata.name === scenarioMap.name);
  for (const file of ['scenario.yaml', 'segment.sh', 'merge.sh'])
    if (!cm?.data?.[file]) out.push(`/etc/tollgate/${file} is not in the ConfigMap mounted there`);
  const claim = volume(mount('/results'))?.persistentVolumeClaim?.claimName;
  const pvc = claim && objs.find((o) => o.kind === 'PersistentVolumeClaim' && o.metadata.name === claim);
  if (!pvc?.spec.accessModes?.includes('ReadWriteMany')) out.push(`/results is not a ReadWriteMany claim of the rendering`);
  out.push(...nonRootProblems('Job tollgate-segments', podSpec));
  return out.map((p) => `Job tollgate-segments: ${p}`);
}

function mergeJobProblems(objs) {
  const job = find(objs, 'Job', 'tollgate-merge');
  if (!job) return ['no Job tollgate-merge'];
  const out = [];
  const podSpec = job.spec.template.spec;
  const c = podSpec.containers[0];
  const vars = containerVariables(c, objs);
  if (job.spec.backoffLimit !== 0) out.push(`backoffLimit is ${job.spec.backoffLimit}, not 0`);
  if (podSpec.restartPolicy !== 'Never') out.push(`restartPolicy is ${podSpec.restartPolicy}, not Never`);
  if (JSON.stringify(c.command) !== JSON.stringify(['/bin/sh', '/etc/tollgate/merge.sh'])) out.push(`command is ${JSON.stringify(c.command)}`);
  const m = (c.volumeMounts ?? []).find((x) => x.mountPath === '/etc/tollgate');
  const cmName = m && podSpec.volumes.find((v) => v.name === m.name)?.configMap?.name;
  const script = objs.find((o) => o.kind === 'ConfigMap' && o.metadata.name === cmName)?.data?.['merge.sh'] ?? '';
  if (!/^exec tollgate merge "\$@" --out "\$results\/merged"$/m.test(script)) out.push('merge.sh does not exec tollgate merge ... --out $results/merged');
  for (const key of ['SEGMENTS', 'RUN']) if (!vars.get(key)) out.push(`${key} is not set`);
  if (!(c.volumeMounts ?? []).some((x) => x.mountPath === '/results')) out.push('/results is not mounted');
  out.push(...nonRootProblems('Job tollgate-merge', podSpec));
  return out.map((p) => `Job tollgate-merge: ${p}`);
}

function podMonitorProblems(monitors, objs) {
  const pm = monitors.find((o) => o.kind === 'PodMonitor');
  const job = find(objs, 'Job', 'tollgate-segments');
  if (!pm) return ['no PodMonitor'];
  const labels = job.spec.template.metadata.labels ?? {};
  const out = [];
  for (const [k, v] of Object.entries(pm.spec.selector.matchLabels ?? {}))
    if (labels[k] !== v) out.push(`PodMonitor selects ${k}=${v}, the segment pods have ${k}=${labels[k]}`);
  const ports = job.spec.template.spec.containers.flatMap((c) => (c.ports ?? []).map((p) => p.name));
  for (const ep of pm.spec.podMetricsEndpoints) if (!ports.includes(ep.port)) out.push(`PodMonitor scrapes port ${ep.port}, the segment pods have ${ports}`);
  return out;
}

// --- the tests ----------------------------------------------------------

test('every kustomization renders, and every object is valid for its kind with no unknown field', async () => {
  for (const [name, objs] of Object.entries(rendered)) {
    assert.ok(objs.length > 0, `${name} renders nothing`);
    assert.deepEqual(await schemaProblems(objs), [], `${name}`);
  }
  const kinds = (objs) => objs.map((o) => o.kind).sort();
  assert.deepEqual(kinds(rendered.base), ['ConfigMap', 'ConfigMap', 'Job', 'Job', 'PersistentVolumeClaim']);
  assert.deepEqual(kinds(rendered.monitoring), ['PodMonitor']);
});

test('the schema checks reject broken objects', async () => {
  const job = structuredClone(find(rendered.base, 'Job', 'tollgate-segments'));
  job.spec.completions = 'four';
  assert.match((await schemas.validate(job)).join('\n'), /Job tollgate-segments: \/spec\/completions must be integer/);
  const typo = structuredClone(find(rendered.base, 'Job', 'tollgate-segments'));
  typo.spec.template.spec.containers[0].securityContext.readOnlyRootFileSystem = true;
  assert.match((await schemas.unknownFields(typo)).join('\n'), /containers\/0\/securityContext\/readOnlyRootFileSystem is not a field of Job/);
  const pm = structuredClone(rendered.monitoring[0]);
  pm.spec.podMetricsEndpoints[0].interval = 5;
  assert.match((await schemas.validate(pm)).join('\n'), /PodMonitor tollgate-segments: \/spec\/podMetricsEndpoints\/0\/interval must be string/);
  assert.match((await schemas.validate({ apiVersion: 'batch/v1', kind: 'Jobs', metadata: { name: 'x' } })).join(), /no schema for kind Jobs/);
  // And whole broken renderings are reported.
  assert.notDeepEqual(await schemaProblems([job, typo]), []);
});

test('the segment Job is Indexed, with N in completions, parallelism and --segment I/N alike', () => {
  assert.deepEqual(segmentJobProblems(rendered.base), []);
  assert.deepEqual(segmentJobProblems(rendered.example), []);
  assert.equal(find(rendered.base, 'Job', 'tollgate-segments').spec.completions, 4);
  assert.equal(find(rendered.example, 'Job', 'tollgate-segments').spec.completions, 8);
});

test('the segment Job checks reject a broken copy', () => {
  const broken = structuredClone(rendered.base);
  const job = find(broken, 'Job', 'tollgate-segments');
  job.spec.parallelism = 3;
  job.spec.completionMode = 'NonIndexed';
  const c = job.spec.template.spec.containers[0];
  c.args[c.args.indexOf('--start-at') + 1] = '$(START_TIME)';
  c.securityContext.readOnlyRootFilesystem = false;
  delete job.spec.template.spec.securityContext.runAsNonRoot;
  const problems = segmentJobProblems(broken).join('\n');
  for (const p of [/parallelism is 3, SEGMENTS is 4/, /completionMode is NonIndexed/, /\$\(START_TIME\) in "\$\(START_TIME\)" is not an environment variable/,
    /readOnlyRootFilesystem is not true/, /runAsNonRoot is not true/])
    assert.match(problems, p);
});

test('an overlay that sets SEGMENTS and lists components/segments changes all three places', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tollgate-overlay-'));
  try {
    writeFileSync(path.join(dir, 'kustomization.yaml'), [
      // (kustomize takes relative paths only)
      'resources:', `  - ${path.relative(dir, path.join(deploy, 'overlays/example'))}`,
      'components:', `  - ${path.relative(dir, path.join(deploy, 'components/segments'))}`,
      'configMapGenerator:', '  - name: tollgate-run', '    behavior: merge', '    literals: [SEGMENTS=3]', ''].join('\n'));
    const objs = render(dir);
    assert.deepEqual(segmentJobProblems(objs), []);
    const job = find(objs, 'Job', 'tollgate-segments');
    assert.equal(job.spec.completions, 3);
    assert.ok(job.spec.template.spec.containers[0].args.includes('$(JOB_COMPLETION_INDEX)/3'));
    // Without the component the Job keeps the example's 8: the check says so.
    const text = readFileSync(path.join(dir, 'kustomization.yaml'), 'utf8');
    writeFileSync(path.join(dir, 'kustomization.yaml'), text.replace(/components:\n.*\n/, ''));
    const problems = segmentJobProblems(render(dir)).join('\n');
    assert.match(problems, /completions is 8, SEGMENTS is 3/);
    assert.match(problems, /--segment is \$\(JOB_COMPLETION_INDEX\)\/8, not \$\(JOB_COMPLETION_INDEX\)\/3/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the merge Job runs tollgate merge over the results volume', () => {
  assert.deepEqual(mergeJobProblems(rendered.base), []);
  assert.deepEqual(mergeJobProblems(rendered.example), []);
  const broken = structuredClone(rendered.base);
  find(broken, 'Job', 'tollgate-merge').spec.template.spec.containers[0].command = ['tollgate', 'version'];
  assert.match(mergeJobProblems(broken).join('\n'), /command is \["tollgate","version"\]/);
});

test('the PodMonitor selects the segment pods and their metrics port', () => {
  assert.deepEqual(podMonitorProblems(rendered.monitoring, rendered.base), []);
  const pm = structuredClone(rendered.monitoring);
  pm[0].spec.podMetricsEndpoints[0].port = 'http';
  pm[0].spec.selector.matchLabels['app.kubernetes.io/component'] = 'merge';
  assert.equal(podMonitorProblems(pm, rendered.base).length, 2);
});

test('the example overlay sets the namespace and the image everywhere', () => {
  for (const o of rendered.example)
    if (o.kind !== 'Namespace') assert.equal(o.metadata.namespace, 'tollgate', `${o.kind} ${o.metadata.name}`);
  const images = rendered.example.flatMap((o) => o.spec?.template?.spec?.containers ?? []).map((c) => c.image);
  assert.ok(images.length >= 3);
  for (const image of images) assert.equal(image, 'registry.example.com/tollgate:0.1.0');
  for (const d of rendered.example.filter((o) => o.spec?.template))
    assert.deepEqual(nonRootProblems(`${d.kind} ${d.metadata.name}`, d.spec.template.spec), []);
  assert.deepEqual(nonRootProblems('Pod tollgate-results', rendered.reader[0].spec), []);
});

test('the scenario of the ConfigMap passes tollgate validate with the ConfigMap\'s variables', { skip: !tollgate && 'no tollgate binary given' }, () => {
  for (const objs of [rendered.base, rendered.example]) {
    const files = find(objs, 'ConfigMap', 'tollgate-scenario').data;
    const vars = Object.fromEntries(containerVariables(find(objs, 'Job', 'tollgate-segments').spec.template.spec.containers[0], objs));
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tollgate-scenario-'));
    try {
      for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
      const env = { PATH: process.env.PATH, TOLLGATE_DATA_DIR: root };
      for (const [k, v] of Object.entries(vars)) if (typeof v === 'string') env[k] = v;
      const r = spawnSync(tollgate, ['validate', path.join(dir, 'scenario.yaml')], { encoding: 'utf8', env });
      assert.equal(r.status, 0, `tollgate validate: ${r.stdout}${r.stderr}`);
      assert.match(r.stdout, new RegExp(`target ${vars.TARGET}`));
      // Without TARGET it refuses (exit 2): nothing runs against a default.
      delete env.TARGET;
      const none = spawnSync(tollgate, ['validate', path.join(dir, 'scenario.yaml')], { encoding: 'utf8', env });
      assert.equal(none.status, 2, none.stdout + none.stderr);
      assert.match(none.stderr, /TARGET is not set/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});
