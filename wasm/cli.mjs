#!/usr/bin/env node
// llm-mem: the calculator at a terminal, running the same WebAssembly module as the page.
import { readFileSync } from 'node:fs';
import { createCalculator } from './index.mjs';

const USAGE = `Usage:
  llm-mem estimate --request FILE|-          a request JSON (DESIGN.md contract); - reads stdin
  llm-mem estimate --config FILE [options]   a config.json plus options:
      --framework transformers|vllm|deepspeed   --mode inference|training
      --batch N  --seq N  --max-num-seqs N  --max-model-len N  --kv-cache-dtype auto|fp8|...
      --tp N  --pp N  --dp N  --ep N  --zero 0-3
      --optimizer adamw|adam|sgd  --attention sdpa|flash_attention_2|eager
      --cudagraph-sizes 1,2,4,8  --gpu-memory GIB  --gpu-utilization F
      --param NAME=VALUE   (repeatable; a MemoryEstimationParameters field)
      --format json|table  (default json)
  llm-mem version
Exit status: 0 ok, 2 bad input (the message names the field), 1 internal error.`;

// Flag -> request field. Values that look like numbers are sent as numbers; anything else is
// sent as written, so the engine's own validation names the field ("got \"abc\"").
const FIELD_FLAGS = {
  '--framework': ['framework'],
  '--mode': ['workload', 'mode'],
  '--batch': ['workload', 'batch_size'],
  '--seq': ['workload', 'sequence_length'],
  '--max-num-seqs': ['workload', 'max_num_seqs'],
  '--max-model-len': ['workload', 'max_model_len'],
  '--max-num-batched-tokens': ['workload', 'max_num_batched_tokens'],
  '--kv-cache-dtype': ['workload', 'kv_cache_dtype'],
  '--tp': ['parallelism', 'tensor_parallel_size'],
  '--pp': ['parallelism', 'pipeline_parallel_size'],
  '--dp': ['parallelism', 'data_parallel_size'],
  '--ep': ['parallelism', 'expert_parallel_size'],
  '--zero': ['parallelism', 'zero_stage'],
  '--optimizer': ['framework_config', 'optimizer_type'],
  '--attention': ['framework_config', 'attention_implementation'],
  '--gpu-memory': ['framework_config', 'gpu_memory_gib'],
  '--gpu-utilization': ['framework_config', 'gpu_memory_utilization'],
};

class UsageError extends Error {}

function scalar(text) {
  return text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : text;
}

function readText(path, what) {
  try {
    return readFileSync(path === '-' ? 0 : path, 'utf8');
  } catch (error) {
    throw new UsageError(`${what}: cannot read ${path === '-' ? 'stdin' : path} (${error.code ?? error.message})`);
  }
}

function parseJson(text, field) {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${field}: not valid JSON (${error.message})`);
  }
}

/** Builds the request (object or JSON text) from the command line. */
export function requestFromArgs(args) {
  let requestPath, configPath, format = 'json';
  const request = {};
  const set = ([section, key], value) => {
    if (key === undefined) request[section] = value;
    else (request[section] ??= {})[key] = value;
  };
  for (let i = 0; i < args.length; i++) {
    const flag = args[i];
    const value = args[i + 1];
    if (value === undefined) throw new UsageError(`${flag}: needs a value`);
    i++;
    if (flag === '--request') requestPath = value;
    else if (flag === '--config') configPath = value;
    else if (flag === '--format') {
      if (!['json', 'table'].includes(value)) throw new UsageError(`--format: must be json or table, got "${value}"`);
      format = value;
    } else if (flag === '--cudagraph-sizes') {
      set(['framework_config', 'cudagraph_capture_sizes'], value.split(',').filter(Boolean).map(scalar));
    } else if (flag === '--param') {
      const eq = value.indexOf('=');
      if (eq < 1) throw new UsageError(`--param: expected NAME=VALUE, got "${value}"`);
      set(['params', value.slice(0, eq)], scalar(value.slice(eq + 1)));
    } else if (FIELD_FLAGS[flag]) {
      set(FIELD_FLAGS[flag], scalar(value));
    } else {
      throw new UsageError(`unknown option ${flag}`);
    }
  }
  if (requestPath !== undefined) {
    if (configPath !== undefined || Object.keys(request).length > 0) {
      throw new UsageError('--request takes the whole scenario: combine it with no other option but --format');
    }
    return { request: readText(requestPath, 'request'), format };
  }
  if (configPath === undefined) throw new UsageError('estimate: give --request FILE or --config FILE');
  request.config = parseJson(readText(configPath, 'config'), 'config');
  return { request, format };
}

function table(result) {
  const rows = Object.entries(result.breakdown).map(([key, gib]) => [key, gib.toFixed(2)]);
  const width = Math.max(...rows.map(([key]) => key.length));
  const lines = [
    `${result.model.architecture}: ${result.model.total_parameters.toLocaleString('en-US')} parameters, ` +
      `${result.estimator} (${result.mode})`,
    ...rows.map(([key, gib]) => `${key.padEnd(width)}  ${gib.padStart(10)} GiB`),
    ...result.warnings.map((warning) => `warning: ${warning}`),
  ];
  return lines.join('\n');
}

async function main(argv) {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    console.log(USAGE);
    return 0;
  }
  const calc = await createCalculator();
  if (command === 'version' || command === '--version') {
    console.log(calc.version());
    return 0;
  }
  if (command !== 'estimate') throw new UsageError(`unknown command "${command}"`);
  const { request, format } = requestFromArgs(rest);
  const result = calc.estimate(request);
  console.log(format === 'table' ? table(result) : JSON.stringify(result, null, 2));
  return 0;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  const input = error instanceof UsageError || error.name === 'EstimateError';
  // One line, naming the field; usage mistakes also point at --help.
  const message = String(error.message).replace(/[\r\n]+/g, ' ');
  console.error(`llm-mem: ${message}${error instanceof UsageError ? ' (see llm-mem --help)' : ''}`);
  process.exitCode = input ? 2 : 1;
}
