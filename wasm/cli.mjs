#!/usr/bin/env node
// llm-mem: the calculator at a terminal, running the same WebAssembly module as the page. Its
// flags are the request schema's (calc.schema()): one per field, named as the engines name them.
import { requestFromArgs, UsageError } from './cli_args.mjs';
import { checkpointCommand, ggufOf } from './cli_checkpoint.mjs';
import { createCalculator } from './index.mjs';

function usage(schema) {
  const lines = [
    'Usage:',
    '  llm-mem estimate --request FILE|-          a request JSON (README.md); - reads stdin',
    '  llm-mem estimate --config FILE [flags]     a config.json and the flags below',
    '  llm-mem checkpoint FILE...                 a checkpoint\'s tensors from its safetensors headers (a .safetensors\n' +
    '                                             file or model.safetensors.index.json; reads no tensor data)',
    '  llm-mem estimate ... --checkpoint FILE     the weights from that checkpoint\'s headers instead of the config\'s formula',
    '  llm-mem checkpoint MODEL.gguf              a GGUF file\'s model and tensors from its header (reads no tensor data)',
    '  llm-mem estimate --checkpoint MODEL.gguf   that model on llama.cpp, its weights the file\'s, layer by layer',
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
    ...(result.model.weights_as !== 'stored'
      ? [`weights as ${result.model.weights_as} (what if): ${(result.model.weight_bytes / 1e9).toFixed(2)} GB for the whole model`] : []),
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
  if (command === 'checkpoint') {
    console.log(JSON.stringify(await checkpointCommand(calc, rest), null, 2));
    return 0;
  }
  if (command !== 'estimate') throw new UsageError(`unknown command "${command}"`);
  const { request, format, checkpointPath } = requestFromArgs(rest, schema, calc);
  // --checkpoint FILE: the weights from that checkpoint's safetensors headers (the headers only),
  // as the request's checkpoint fields.
  if (checkpointPath !== undefined && /\.gguf$/i.test(checkpointPath)) {
    // A GGUF file: its model (unless --config gave one), llama.cpp, and its bytes part by part.
    const header = await ggufOf(calc, checkpointPath);
    if (!request.config && !header.config) throw new UsageError(`${checkpointPath}: ${header.config_missing}; give --config`);
    request.config ??= header.config;
    request.framework ??= 'llama.cpp';
    request.checkpoint = { ...request.checkpoint, ...header.checkpoint };
  } else if (checkpointPath !== undefined) {
    const tensors = await checkpointCommand(calc, [checkpointPath]);
    request.checkpoint = { ...request.checkpoint, tensor_bytes: tensors.bytes, parameters: tensors.parameters };
  }
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
