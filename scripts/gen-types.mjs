// wasm/index.d.ts's request types, from the request schema (calc.schema()): one source for the
// core's validation, the page's form, the CLI's flags and the types. tests/wasm/schema.test.mjs
// fails when the committed file differs from what this writes: run `node scripts/gen-types.mjs`.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createCalculator } from '../wasm/index.mjs';

const START = '// <generated from the request schema by scripts/gen-types.mjs: do not edit>';
const END = '// </generated>';
const path = fileURLToPath(new URL('../wasm/index.d.ts', import.meta.url));

function typeOf(field) {
  const union = () => field.choices.map((choice) => `'${choice}'`).join(' | ');
  switch (field.kind) {
    case 'integer': case 'number': return 'number';
    case 'boolean': return 'boolean';
    case 'choice': return union();
    case 'integer_list': return 'number[]';
    case 'choice_list': return `Array<${union()}>`;
    default: return 'string';
  }
}

function doc(field, engineCount) {
  const parts = [`${field.help[0].toUpperCase()}${field.help.slice(1)}.`];
  if (field.default !== null) parts.push(`Default ${JSON.stringify(field.default)}${field.default_note ? ` (${field.default_note})` : ''}.`);
  else if (field.default_note) parts.push(`Default: ${field.default_note}.`);
  if (field.engines.length < engineCount) parts.push(`Read by ${field.engines.join(' and ') || 'no engine'}${field.modes.length < 2 ? ` in ${field.modes[0]}` : ''}.`);
  return `/** ${parts.join(' ').replace(/\*\//g, '*\\/')} */`;
}

function requestTypes(schema) {
  const lines = [START, 'export interface EstimateRequest {', '  /** A Hugging Face config.json, verbatim. */',
    '  config: Record<string, unknown>;'];
  const sections = new Map();
  for (const field of schema.fields) {
    const [section, key] = field.path.includes('.') ? field.path.split('.') : [null, field.path];
    if (section === null) {
      lines.push(`  ${doc(field, schema.engines.length)}`, `  ${key}?: ${typeOf(field)};`);
      continue;
    }
    if (!sections.has(section)) sections.set(section, []);
    sections.get(section).push(`    ${doc(field, schema.engines.length)}`, `    ${key}?: ${typeOf(field)};`);
  }
  for (const [section, members] of sections) lines.push(`  ${section}?: {`, ...members, '  };');
  lines.push('}', END);
  return lines.join('\n');
}

export function withRequestTypes(text, schema) {
  const start = text.indexOf(START), end = text.indexOf(END);
  if (start < 0 || end < 0) throw new Error('wasm/index.d.ts has no generated block');
  return text.slice(0, start) + requestTypes(schema) + text.slice(end + END.length);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const calc = await createCalculator();
  writeFileSync(path, withRequestTypes(readFileSync(path, 'utf8'), calc.schema()));
  console.log('wasm/index.d.ts: request types written from the schema');
}
