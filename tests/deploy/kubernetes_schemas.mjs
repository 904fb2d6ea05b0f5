// Kubernetes objects checked offline against the API schemas of the npm
// packages kubernetes-models (the built-in kinds) and
// @kubernetes-models/prometheus-operator (PodMonitor and the other
// monitoring.coreos.com kinds), pinned in package-lock.json:
//   - validate(obj): the kind's JSON Schema (types, enums, required fields);
//   - unknownFields(obj): every field the kind's model does not declare
//     (the schemas allow any extra property, as the API server does unless
//     asked for strict field validation, so a misspelt field would pass),
//     from the models' TypeScript declarations (.d.ts), which list each
//     object's fields.
// Both return a list of problems, each naming the object and the field.
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// The node_modules folder the packages are in.
const nodeModules = path.resolve(path.dirname(fileURLToPath(import.meta.resolve('kubernetes-models'))), '..');

// The package and folder that model an apiVersion.
function modelModule(apiVersion) {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  if (group === 'monitoring.coreos.com') return `@kubernetes-models/prometheus-operator/${group}/${version}`;
  return group ? `kubernetes-models/${group}/${version}` : `kubernetes-models/${version}`;
}

export const objectName = (obj) => `${obj?.kind ?? '?'} ${obj?.metadata?.name ?? '(no name)'}`;

// The model class of obj's apiVersion and kind, or a problem.
async function modelClass(obj) {
  if (!obj || typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string')
    return { problem: `${objectName(obj)}: no apiVersion or kind` };
  let mod;
  try {
    mod = await import(modelModule(obj.apiVersion));
  } catch {
    return { problem: `${objectName(obj)}: no schema for apiVersion ${obj.apiVersion}` };
  }
  const Model = mod[obj.kind];
  if (typeof Model !== 'function' || Model.kind !== obj.kind)
    return { problem: `${objectName(obj)}: no schema for kind ${obj.kind} in ${obj.apiVersion}` };
  return { Model };
}

export async function validate(obj) {
  const { Model, problem } = await modelClass(obj);
  if (problem) return [problem];
  try {
    new Model(structuredClone(obj)).validate();
    return [];
  } catch (e) {
    const details = Array.isArray(e.errors)
      ? e.errors.map((d) => `${d.instancePath || '/'} ${d.message ?? d.keyword}${d.params ? ' ' + JSON.stringify(d.params) : ''}`)
      : [e.message];
    return details.map((d) => `${objectName(obj)}: ${d}`);
  }
}

// --- the fields each model declares, read from its .d.ts -----------------

// A type: {kind: 'leaf'} | {kind: 'array', of} | {kind: 'map', of} |
// {kind: 'object', fields: Map<name, type>} | {kind: 'ref', file, name}.
const declarations = new Map(); // .d.ts file -> {imports, fields}

function dtsFile(from, specifier) {
  if (specifier.startsWith('.')) return path.resolve(path.dirname(from), specifier.replace(/\.js$/, '') + '.d.ts');
  return path.join(nodeModules, specifier + '.d.ts'); // a package's subpath: its file in the package
}

// Splits the text of a type into its top-level tokens; enough for what the
// generated declarations contain.
function parseType(text, file, imports) {
  let s = text.trim().replace(/;$/, '').trim();
  if (s.startsWith('Array<') && s.endsWith('>')) return { kind: 'array', of: parseType(s.slice(6, -1), file, imports) };
  if (s.startsWith('{')) {
    const body = s.slice(1, s.lastIndexOf('}'));
    const index = body.match(/^\s*\[key: string\]:\s*([\s\S]*)$/);
    if (index) return { kind: 'map', of: parseType(index[1], file, imports) };
    return { kind: 'object', fields: parseFields(body, file, imports) };
  }
  const ref = s.match(/^([A-Za-z_][A-Za-z0-9_]*)(\[".*"\])?$/);
  if (ref && imports.has(ref[1]) && !ref[2]) return { kind: 'ref', ...imports.get(ref[1]) };
  return { kind: 'leaf' }; // string, number, boolean, literal unions, aliases of them
}

// `"name"?: TYPE;` entries of a class or object-literal body, TYPE possibly
// spanning lines with nested braces and angle brackets.
function parseFields(body, file, imports) {
  const fields = new Map();
  const text = body.replace(/\/\*\*[\s\S]*?\*\//g, '');
  const re = /"([^"]+)"\??:\s*/g;
  let m;
  while ((m = re.exec(text))) {
    let depth = 0;
    let i = re.lastIndex;
    for (; i < text.length; i++) {
      const c = text[i];
      if (c === '{' || c === '<' || c === '(') depth++;
      else if (c === '}' || c === '>' || c === ')') depth--;
      else if (c === ';' && depth === 0) break;
    }
    fields.set(m[1], parseType(text.slice(re.lastIndex, i), file, imports));
    re.lastIndex = i + 1;
  }
  return fields;
}

function declaration(file, name) {
  const key = `${file}#${name}`;
  if (declarations.has(key)) return declarations.get(key);
  let result = { kind: 'leaf' };
  if (existsSync(file)) {
    const src = readFileSync(file, 'utf8');
    const imports = new Map();
    for (const im of src.matchAll(/import \{([^}]*)\} from "([^"]+)";/g))
      for (const n of im[1].split(',').map((x) => x.trim()).filter(Boolean))
        imports.set(n, { file: dtsFile(file, im[2]), name: n });
    // The exported interface names the model; its class lists every field,
    // inherited ones too.
    const start = src.search(/export declare class [A-Za-z0-9_]+ extends Model</);
    if (start >= 0) {
      const open = src.indexOf('{', start);
      let depth = 0;
      let end = open;
      for (; end < src.length; end++) {
        if (src[end] === '{') depth++;
        else if (src[end] === '}' && --depth === 0) break;
      }
      const body = src.slice(open + 1, end).split('\n').filter((l) => !/^\s*(static|constructor)\b/.test(l)).join('\n');
      result = { kind: 'object', fields: parseFields(body, file, imports) };
    }
  }
  declarations.set(key, result);
  return result;
}

function resolve(type) {
  return type.kind === 'ref' ? declaration(type.file, type.name) : type;
}

function walk(value, type, at, out) {
  type = resolve(type);
  if (value === null || value === undefined) return;
  if (type.kind === 'array' && Array.isArray(value)) value.forEach((v, i) => walk(v, type.of, `${at}/${i}`, out));
  else if (type.kind === 'map' && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) walk(v, type.of, `${at}/${k}`, out);
  else if (type.kind === 'object' && typeof value === 'object' && !Array.isArray(value))
    for (const [k, v] of Object.entries(value)) {
      if (!type.fields.has(k)) out.push(`${at}/${k}`);
      else walk(v, type.fields.get(k), `${at}/${k}`, out);
    }
}

export async function unknownFields(obj) {
  const { problem } = await modelClass(obj);
  if (problem) return [problem];
  const entry = fileURLToPath(import.meta.resolve(`${modelModule(obj.apiVersion)}/${obj.kind}`));
  const out = [];
  walk(obj, { kind: 'ref', file: entry.replace(/\.js$/, '.d.ts'), name: obj.kind }, '', out);
  return out.map((p) => `${objectName(obj)}: ${p} is not a field of ${obj.kind} (${obj.apiVersion})`);
}
