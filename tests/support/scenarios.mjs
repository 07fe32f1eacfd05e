// Requests shared by the node and browser suites.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export function corpusConfig(name) {
  return JSON.parse(readFileSync(new URL(`../data/configs/${name}`, import.meta.url), 'utf8'));
}

const llama2 = () => corpusConfig('llama-2-7b-hf.json');

// memory-estimation-spec.md "Usage Examples": Llama-2-7b; batch 32 x 2048, max_num_seqs 256,
// max_model_len 4096; tensor parallel 4, pipeline 1, data parallel 2.
export function specExampleRequest() {
  return {
    config: llama2(),
    framework: 'transformers',
    workload: { batch_size: 32, sequence_length: 2048, max_num_seqs: 256, max_model_len: 4096 },
    parallelism: { tensor_parallel_size: 4, pipeline_parallel_size: 1, data_parallel_size: 2 },
  };
}

// The spec's vLLM variant: its custom parameters, its cudagraph sizes and framework overrides.
export function specVllmExampleRequest() {
  return {
    ...specExampleRequest(),
    framework: 'vllm',
    framework_config: {
      cudagraph_capture_sizes: [1, 2, 4, 8, 16],
      graph_memory_overhead_ratio: 0.15,
      graph_batch_scaling_factor: 0.03,
    },
    params: {
      memory_safety_margin_factor: 0.05,
      activation_recomputation_factor: 0.2,
      graph_memory_overhead_ratio: 0.12,
      quantization_overhead_multiplier: 1.2,
    },
  };
}

export const BREAKDOWN_KEYS = ['model_weights', 'activations', 'gradients', 'optimizer_states', 'kv_cache',
  'cuda_graphs', 'compilation_overhead', 'fragmentation_overhead', 'safety_margin', 'non_torch_memory', 'total'];

// Bad inputs every layer must reject with the field named, and survive.
export function badRequests() {
  const withoutHidden = llama2();
  delete withoutHidden.hidden_size;
  const stringHidden = { ...llama2(), hidden_size: 'abc' };
  return [
    { name: 'a config missing hidden_size', request: { config: withoutHidden }, field: 'config.hidden_size',
      message: 'config.hidden_size: missing (a required positive integer)' },
    { name: 'a negative tensor_parallel_size', request: { config: llama2(), parallelism: { tensor_parallel_size: -4 } },
      field: 'parallelism.tensor_parallel_size', message: 'parallelism.tensor_parallel_size: must be a positive integer, got -4' },
    { name: 'a string where a number belongs', request: { config: stringHidden }, field: 'config.hidden_size',
      message: 'config.hidden_size: must be a positive integer, got "abc"' },
    { name: 'the spec\'s invalid parameter', request: { config: llama2(), params: { activation_recomputation_factor: 1.5 } },
      field: 'params.activation_recomputation_factor', message: 'activation_recomputation_factor=1.5 not in valid range [0.0, 1.0]' },
  ];
}
