#!/usr/bin/env node
// llm-mem: the calculator at a terminal, running the same WebAssembly module as the page. Its
// flags are the request schema's (calc.schema()): one per field, named as the engines name them.
import { closeSync, openSync, readSync } from 'node:fs';
import { createCalculator } from './index.mjs';

class UsageError extends Error {}

// Numbers in flags are plain decimals, as typed: "0x2", "1e3", " 2" and "2.0" for an integer
// stay text, so the core names the field ("must be a positive integer, got \"2.0\"").
const DECIMAL = /^-?\d+(\.\d+)?$/;
const INTEGER = /^-?\d+$/;
const scalar = (text, pattern = DECIMAL) => (pattern.test(text) ? Number(text) : text);

function usage(schema) {
  const lines = [
    'Usage:',
    '  llm-mem estimate --request FILE|-          a request JSON (README.md); - reads stdin',
    '  llm-mem estimate --config FILE [flags]     a config.json and the flags below',
    '  llm-mem schema                             the request fields as JSON',
    '  llm-mem version',
    '',
    'Flags (--flag VALUE or --flag=VALUE; yes/no flags alone mean yes; lists are comma-separated):',
  ];
  let section = '';
  for (const field of schema.fields) {
    if (field.section !== section) lines.push(`  ${(section = field.section)}:`);
    const value = field.kind === 'boolean' ? '' : field.choices ? ` ${field.choices.join('|')}` : ' N';
    const defaultText = field.default !== null ? ` (default ${JSON.stringify(field.default)})` : field.default_note ? ` (default: ${field.default_note})` : '';
    lines.push(`    ${field.flags.join(', ')}${value}   ${field.help}${defaultText} [${field.engines.join(', ') || 'no engine'}]`);
  }
  lines.push('  --param NAME=VALUE   a MemoryEstimationParameters field (as --param-NAME)',
    '  --format json|table  (default json)', '',
    'Exit status: 0 ok, 2 bad input (the message names the field), 1 internal error.');
  return lines.join('\n');
}

/**
 * A file or stdin, read up to `limit` bytes and no further: /dev/zero or an endless pipe costs
 * one chunk past the limit, not the machine's memory.
 */
function readText(path, what, limit) {
  const source = path === '-' ? 'stdin' : path;
  const chunks = [];
  let total = 0;
  let fd;
  try {
    fd = path === '-' ? 0 : openSync(path, 'r');
    const chunk = Buffer.allocUnsafe(1 << 16);
    for (;;) {
      let n;
      try {
        n = readSync(fd, chunk, 0, chunk.length, null);
      } catch (error) {
        if (error.code === 'EAGAIN') continue;  // a non-blocking stdin with nothing yet
        if (error.code === 'EOF') break;
        throw error;
      }
      if (n === 0) break;
      total += n;
      if (total > limit) throw new UsageError(`${what}: ${source} is larger than ${limit} bytes (4 MiB), the most a request may be`);
      chunks.push(Buffer.from(chunk.subarray(0, n)));
    }
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`${what}: cannot read ${source} (${error.code ?? error.message})`);
  } finally {
    if (fd !== undefined && fd !== 0) closeSync(fd);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text, field, calc) {
  calc.checkJsonText(text, field);  // depth and size before JSON.parse, as the core bounds them
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${field}: not valid JSON (${error.message})`);
  }
}

/** A flag's value as its field's kind sends it; anything else as written, for the core to name. */
function fieldValue(field, text) {
  if (field.kind === 'boolean') return text === 'true' ? true : text === 'false' ? false : text;
  if (field.kind === 'integer_list') return text.split(',').map((part) => scalar(part, INTEGER));
  if (field.kind === 'choice_list') return text.split(',').map((part) => part.trim());
  if (field.kind === 'integer') return scalar(text, INTEGER);
  if (field.kind === 'number') return scalar(text);
  return text;
}

/** Builds the request (object or JSON text) from the command line. */
export function requestFromArgs(args, schema, calc) {
  const byFlag = new Map(schema.fields.flatMap((field) => field.flags.map((flag) => [flag, field])));
  const limit = schema.limits.request_bytes;
  let requestPath, configPath, format = 'json';
  const request = {};
  const seen = new Set();
  // Every option once: a repeated one would silently keep its last value.
  const once = (name, flag) => {
    if (seen.has(name)) throw new UsageError(`${flag}: given twice${name === flag ? '' : ` (${name})`}`);
    seen.add(name);
  };
  const set = (path, value, flag) => {
    once(path, flag);
    const keys = path.split('.');
    if (keys.length === 1) request[keys[0]] = value;
    else (request[keys[0]] ??= {})[keys[1]] = value;
  };
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].startsWith('--') && args[i].includes('=') ? [args[i].slice(0, args[i].indexOf('=')), args[i].slice(args[i].indexOf('=') + 1)] : [args[i], undefined];
    const field = byFlag.get(flag);
    const takesValue = !(field && field.kind === 'boolean');
    let value = inline;
    if (value === undefined && takesValue) {
      value = args[i + 1];
      if (value === undefined) throw new UsageError(`${flag}: needs a value`);
      i++;
    }
    if (flag === '--request') {
      once(flag, flag);
      requestPath = value;
    } else if (flag === '--config') {
      once(flag, flag);
      configPath = value;
    } else if (flag === '--format') {
      once(flag, flag);
      if (!['json', 'table'].includes(value)) throw new UsageError(`--format: must be json or table, got "${value}"`);
      format = value;
    } else if (flag === '--param') {
      const eq = value.indexOf('=');
      if (eq < 1) throw new UsageError(`--param: expected NAME=VALUE, got "${value}"`);
      const param = byFlag.get(`--param-${value.slice(0, eq)}`);
      set(`params.${value.slice(0, eq)}`, param ? fieldValue(param, value.slice(eq + 1)) : scalar(value.slice(eq + 1)), flag);
    } else if (field) {
      set(field.path, value === undefined ? true : fieldValue(field, value), flag);
    } else {
      throw new UsageError(`unknown option ${flag}`);
    }
  }
  if (requestPath !== undefined) {
    if (configPath !== undefined || Object.keys(request).length > 0) {
      throw new UsageError('--request takes the whole scenario: combine it with no other option but --format');
    }
    return { request: readText(requestPath, 'request', limit), format };
  }
  if (configPath === undefined) throw new UsageError('estimate: give --request FILE or --config FILE');
  request.config = parseJson(readText(configPath, 'config', limit), 'config', calc);
  return { request, format };
}

// Text from a config (architectures, model_type) reaches the terminal: no control characters.
const plain = (text) => String(text).replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** The result as a person reads it: the verdict, the breakdown, what the engine decided. */
function table(result) {
  const gib = (value) => value.toFixed(2);
  const rows = Object.entries(result.breakdown).filter(([key, value]) => key === 'total' || value > 0);
  const width = Math.max(...rows.map(([key]) => key.length));
  const lines = [
    `${plain(result.model.architecture)}: ${result.model.total_parameters.toLocaleString('en-US')} parameters, ` +
      `${result.estimator} (${result.framework}, ${result.mode})`,
    plain(result.verdict.summary),
    `(${result.breakdown_basis})`,
    ...rows.map(([key, value]) => `${key.padEnd(width)}  ${gib(value).padStart(10)} GiB`),
  ];
  const c = result.kv_cache_capacity;
  if (c) {
    lines.push(`KV cache: ${c.num_gpu_blocks.toLocaleString('en-US')} blocks of ${c.block_size} tokens, ` +
      `${c.tokens.toLocaleString('en-US')} tokens; ${c.max_concurrency.toFixed(2)} requests of ${c.max_model_len.toLocaleString('en-US')} tokens at once`);
  }
  if (result.requirements) {
    lines.push(`GPU memory to start: ${gib(result.requirements.to_start_gib)} GiB; to hold every sequence at full length: ${gib(result.requirements.all_sequences_gib)} GiB`);
  }
  for (const answer of result.solver) {
    lines.push(`${answer.question}: ${answer.value === null ? plain(answer.note ?? 'none') : answer.value}`);
  }
  for (const way of result.alternatives) lines.push(`${way.ok ? 'fits' : 'does not fit'} with ${way.label}: ${gib(way.needed_gib)} GiB`);
  for (const setting of result.settings) lines.push(`setting ${setting.path} = ${JSON.stringify(setting.value)} (${plain(setting.source)})`);
  lines.push(...result.warnings.map((warning) => `warning: ${plain(warning)}`));
  return lines.join('\n');
}

async function main(argv) {
  const [command, ...rest] = argv;
  const calc = await createCalculator();
  const schema = calc.schema();
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    console.log(usage(schema));
    return 0;
  }
  if (command === 'version' || command === '--version') {
    console.log(calc.version());
    return 0;
  }
  if (command === 'schema') {
    console.log(JSON.stringify(schema, null, 2));
    return 0;
  }
  if (command !== 'estimate') throw new UsageError(`unknown command "${command}"`);
  const { request, format } = requestFromArgs(rest, schema, calc);
  const result = calc.estimate(request);
  console.log(format === 'table' ? table(result) : JSON.stringify(result, null, 2));
  return 0;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  const input = error instanceof UsageError || error.name === 'EstimateError';
  // One line, naming the field; usage mistakes also point at --help.
  const message = plain(String(error.message).replace(/[\r\n]+/g, ' '));
  console.error(`llm-mem: ${message}${error instanceof UsageError ? ' (see llm-mem --help)' : ''}`);
  process.exitCode = input ? 2 : 1;
}
