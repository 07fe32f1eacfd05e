// Hand-written: Emscripten 3.1.6 cannot generate declarations. Field names are the spec's.

export type Framework = 'transformers' | 'vllm' | 'deepspeed';

export interface EstimateRequest {
  /** A Hugging Face config.json, verbatim. */
  config: Record<string, unknown>;
  framework?: Framework;
  workload?: {
    batch_size?: number;
    sequence_length?: number;
    max_num_seqs?: number;
    max_model_len?: number;
    max_num_batched_tokens?: number;
    block_size?: number;
    kv_cache_dtype?: 'auto' | 'float16' | 'fp16' | 'half' | 'bfloat16' | 'bf16' | 'float32' | 'fp32' | 'fp8' | 'fp8_e4m3' | 'fp8_e5m2';
    mode?: 'inference' | 'training';
  };
  parallelism?: {
    tensor_parallel_size?: number;
    pipeline_parallel_size?: number;
    data_parallel_size?: number;
    expert_parallel_size?: number;
    zero_stage?: 0 | 1 | 2 | 3;
    /** Megatron sequence parallelism: what tensor parallelism keeps whole is split too (needs TP > 1). */
    sequence_parallel?: boolean;
  };
  framework_config?: {
    /** adamw/adam: torch's foreach implementation; paged_*: bitsandbytes' paged states (host memory under pressure). */
    optimizer_type?: 'adamw' | 'adam' | 'adamw_fused' | 'adamw_8bit' | 'paged_adamw' | 'paged_adamw_8bit' | 'adafactor' | 'sgd' | 'sgd_momentum' | 'lion';
    /** full: every weight trains; lora: adapters on a frozen 16-bit base; qlora: adapters on an NF4 base. */
    fine_tuning?: 'full' | 'lora' | 'qlora';
    lora_rank?: number;
    /** Projections by their Llama names, or ['all-linear']. Default ['q_proj', 'v_proj']. */
    lora_target_modules?: Array<'q_proj' | 'k_proj' | 'v_proj' | 'o_proj' | 'gate_proj' | 'up_proj' | 'down_proj' | 'all-linear'>;
    /** standard: b x s x vocab logits upcast whole (transformers); chunked: torchtune's chunked cross-entropy. */
    loss_implementation?: 'standard' | 'chunked';
    /** PyTorch FSDP over data_parallel_size (transformers framework only). */
    fsdp?: 'none' | 'shard_grad_op' | 'full_shard';
    /** torchtune: step each parameter inside backward, freeing its gradient at once. */
    optimizer_in_backward?: boolean;
    /** torchtune: checkpointed activations wait in CPU memory (needs gradient_checkpointing). */
    offload_activations?: boolean;
    /** Above 1 the gradients stay allocated through the next micro-batch's forward. */
    gradient_accumulation_steps?: number;
    /** mixed: 16-bit compute with fp32 master weights (default); bf16: pure bf16; fp32. */
    training_precision?: 'mixed' | 'bf16' | 'fp32';
    /** Activation recomputation: full is transformers' gradient_checkpointing; selective recomputes attention's s^2 part. */
    gradient_checkpointing?: 'none' | 'selective' | 'full';
    /** DeepSpeed ZeRO-Offload (stage >= 1) and parameter offload (stage 3). */
    offload_optimizer?: 'none' | 'cpu';
    offload_param?: 'none' | 'cpu';
    zero_init?: boolean;
    gpus_per_node?: number;
    cudagraph_capture_sizes?: number[];
    attention_implementation?: 'sdpa' | 'flash_attention_2' | 'eager';
    gpu_memory_gib?: number;
    /** CUDA compute capability (8.0 A100, 9.0 H100, 10.0 B200): vLLM lays MXFP4 experts out for the kernel it picks by it. */
    gpu_compute_capability?: number;
    gpu_memory_utilization?: number;
    /** vLLM: memory outside PyTorch's allocator (CUDA context, NCCL); estimated when absent. */
    non_torch_memory_gib?: number;
    /** vLLM's engine: v1 (default) or the legacy v0, whose profiling peak differs. */
    vllm_engine?: 'v1' | 'v0';
    /** vLLM --disable-custom-all-reduce (vLLM also turns it off on more than two PCIe-only GPUs). */
    disable_custom_all_reduce?: boolean;
    /** vLLM --enforce-eager: no CUDA graphs are captured. */
    enforce_eager?: boolean;
    /** vLLM V1's model runner: v2 (default; vLLM's own default by 0.27) or the first one. */
    vllm_model_runner?: 'v2' | 'v1';
    /** How the first runner's (and V0's) sampler does top-k/top-p: PyTorch sorts (default), FlashInfer does not. */
    vllm_sampler?: 'pytorch' | 'flashinfer';
    /** The first model runner from 0.21 takes the CUDA graphs' memory off the KV budget (default true). */
    profile_cudagraph_memory?: boolean;
    graph_memory_overhead_ratio?: number;
    graph_batch_scaling_factor?: number;
  };
  /** MemoryEstimationParameters overrides, with the spec's bounds. */
  params?: Partial<{
    fragmentation_overhead_factor: number;
    min_memory_safety_margin_gb: number;
    memory_safety_margin_factor: number;
    activation_recomputation_factor: number;
    gradient_memory_multiplier: number;
    default_compute_dtype: string;
    default_storage_dtype: string;
    graph_memory_overhead_ratio: number;
    graph_batch_scaling_factor: number;
    quantization_overhead_multiplier: number;
    mixed_precision_overhead_multiplier: number;
  }>;
}

/** GiB (1024^3 bytes) per GPU: the spec's MemoryBreakdown.to_dict() keys. */
export interface MemoryBreakdown {
  model_weights: number;
  activations: number;
  gradients: number;
  optimizer_states: number;
  kv_cache: number;
  cuda_graphs: number;
  compilation_overhead: number;
  fragmentation_overhead: number;
  safety_margin: number;
  total: number;
}

export interface ModelSummary {
  architecture: string;
  model_type: string;
  total_parameters: number;
  active_parameters_per_token: number;
  /** Token and position embeddings, the LM head (or classifier) and BERT's embedding extras. */
  embedding_parameters: number;
  language_model_parameters: number;
  /** A multimodal checkpoint's vision tower and projector (0 without one). */
  vision_parameters: number;
  /** Sums to total_parameters; mlp holds dense MLPs, experts, shared experts and routers. */
  parameters_by_component: { embeddings: number; attention: number; mlp: number; norms: number; vision: number };
  parameters_per_gpu: number;
  num_hidden_layers: number;
  hidden_size: number;
  num_attention_heads: number;
  num_key_value_heads: number;
  head_dim: number;
  intermediate_size: number;
  vocab_size: number;
  tie_word_embeddings: boolean;
  gated_mlp: boolean;
  num_experts: number;
  experts_per_token: number;
  storage_dtype: string;
  quantization_bits: number;
  /** quantization_config.quant_method ("gptq", "awq", "bitsandbytes", "fp8", "mxfp4", ...), or "". */
  quantization_method: string;
  /** Average bytes per stored parameter: the dtype, or packed quantized layers with their scales beside 16-bit embeddings. */
  bytes_per_parameter: number;
  /** The whole checkpoint's weight bytes (quantized formats to the byte). */
  weight_bytes: number;
}

export interface EstimateResponse {
  estimator: 'TransformersMemoryEstimator' | 'MoEMemoryEstimator' | 'vLLMMemoryEstimator' | 'DeepSpeedMemoryEstimator';
  framework: Framework;
  mode: 'inference' | 'training';
  breakdown: MemoryBreakdown;
  model: ModelSummary;
  kv_cache_bytes_per_token: number;
  /** Training: host memory per node for the model states kept there (DeepSpeed's "per CPU", paged optimizer states). */
  cpu_memory_gib?: number;
  /**
   * Training: the two peaks of a step. The breakdown is that of the higher one: at the start of
   * backward (activations stored) or in optimizer.step() (all gradients, the step's temporaries).
   */
  training?: {
    peak_phase: 'forward_backward' | 'optimizer_step';
    forward_backward_gib: number;
    optimizer_step_gib: number;
    activations_gib: number;
    trainable_parameters_per_gpu: number;
  };
  fit?: { gpu_memory_gib: number; usable_gib: number; fits: boolean; headroom_gib: number };
  /** vLLM with framework_config.gpu_memory_gib: its start-up KV cache arithmetic. */
  kv_cache_capacity?: {
    budget_gib: number;
    weights_gib: number;
    non_torch_gib: number;
    activation_peak_gib: number;
    /** The captured graphs' pool, and whether it came off the budget (runner v1 from 0.21). */
    cuda_graph_gib: number;
    cuda_graph_in_budget: boolean;
    /** Negative when weights and activations take more than the budget. */
    available_gib: number;
    block_size: number;
    /** One block id's bytes: every layer's page, or under V1's hybrid layout a group's. */
    bytes_per_block: number;
    num_gpu_blocks: number;
    tokens: number;
    max_model_len: number;
    max_concurrency: number;
    starts: boolean;
    /** Why vLLM would refuse to start, when it would. */
    refusal?: string;
  };
  warnings: string[];
}

export declare class EstimateError extends Error {
  name: 'EstimateError';
  /** The request field at fault, e.g. "config.hidden_size". */
  field: string;
}

/** Integer request fields a sweep or the solver may vary. */
export type VariableField =
  | 'workload.batch_size' | 'workload.sequence_length' | 'workload.max_num_seqs' | 'workload.max_model_len'
  | 'parallelism.tensor_parallel_size' | 'parallelism.pipeline_parallel_size'
  | 'parallelism.data_parallel_size' | 'parallelism.expert_parallel_size';

export interface SweepResponse {
  field: VariableField;
  values: number[];
  /** One array per component, aligned with `values`. */
  breakdown: { [K in keyof MemoryBreakdown]: number[] };
}

export interface SolveResponse {
  field: VariableField;
  usable_gib: number;
  /** The largest workload value or smallest parallel size that fits; null when none does. */
  value: number | null;
  total_gib: number | null;
  /** The neighbouring value the other way (value + 1, or the next smaller valid size), which does not fit. */
  step_past: { value: number; total_gib: number } | null;
}

export interface Calculator {
  estimate(request: EstimateRequest | string): EstimateResponse;
  sweep(request: EstimateRequest, field: VariableField, values: number[]): SweepResponse;
  solve(request: EstimateRequest, field: VariableField, options?: { max?: number }): SolveResponse;
  version(): string;
  EstimateError: typeof EstimateError;
}

export function createCalculator(): Promise<Calculator>;
