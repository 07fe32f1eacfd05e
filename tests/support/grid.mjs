// A grid of vLLM scenarios the coherence tests share: models x GPUs x tensor-parallel sizes x
// lengths x versions, every seventh combination (deterministic), about 270 of them.
import { corpusConfig } from './scenarios.mjs';

const MODELS = ['llama-3.1-8b.json', 'llama-3.1-70b-instruct.json', 'qwen2.5-7b.json', 'mixtral-8x7b-v0.1.json',
  'gpt-oss-20b.json', 'deepseek-v2-lite-chat.json', 'gemma-3-4b-it.json', 'qwen3-30b-a3b-gptq-int4.json'];
const GPUS = ['H100', 'A100 40GB', 'L4', 'RTX 4090', null];
const TPS = [1, 2, 4, 8];
const LENGTHS = [4096, 32768, null];
const VERSIONS = ['0.6.6', '0.10.2', '0.21.0', null];

export function vllmGrid(step = 7) {
  const configs = Object.fromEntries(MODELS.map((file) => [file, corpusConfig(file)]));
  const all = [];
  for (const model of MODELS) for (const gpu of GPUS) for (const tp of TPS) for (const length of LENGTHS) for (const version of VERSIONS) {
    const request = { config: configs[model], framework: 'vllm', parallelism: { tensor_parallel_size: tp },
      workload: {}, framework_config: {} };
    if (length) request.workload.max_model_len = length;
    if (gpu) request.framework_config.gpu = gpu;
    if (version) request.framework_config.vllm_version = version;
    all.push({ name: `${model} ${gpu ?? 'no GPU'} TP${tp} ${length ?? 'default length'} ${version ?? 'newest'}`, request });
  }
  return all.filter((_, i) => i % step === 0);
}
