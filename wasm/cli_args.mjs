// The command line read into a request: flags named by the request schema (one per field), a
// request or config file read within the core's limit. Pure but for reading the files, so the
// flag parser can be fuzzed (tests/wasm/fuzz.test.mjs) without a process per case.
import { closeSync, openSync, readSync } from 'node:fs';

export class UsageError extends Error {}

// Numbers in flags are plain decimals, as typed: "0x2", "1e3", " 2" and "2.0" for an integer
// stay text, so the core names the field ("must be a positive integer, got \"2.0\"").
const DECIMAL = /^-?\d+(\.\d+)?$/;
const INTEGER = /^-?\d+$/;
const scalar = (text, pattern = DECIMAL) => (pattern.test(text) ? Number(text) : text);

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
  let requestPath, configPath, checkpointPath, format = 'json';
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
    } else if (flag === '--checkpoint') {
      // A .safetensors file or index: cli.mjs reads its headers into the request's checkpoint fields.
      once(flag, flag);
      checkpointPath = value;
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
    if (configPath !== undefined || checkpointPath !== undefined || Object.keys(request).length > 0) {
      throw new UsageError('--request takes the whole scenario: combine it with no other option but --format');
    }
    return { request: readText(requestPath, 'request', limit), format };
  }
  // A GGUF file is its own config: --checkpoint model.gguf alone gives the model too.
  const gguf = checkpointPath !== undefined && /\.gguf$/i.test(checkpointPath);
  if (configPath === undefined && !gguf) throw new UsageError('estimate: give --request FILE, --config FILE or --checkpoint FILE.gguf');
  if (configPath !== undefined) request.config = parseJson(readText(configPath, 'config', limit), 'config', calc);
  return { request, format, checkpointPath };
}
