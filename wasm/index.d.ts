// The request types are generated from the request schema (scripts/gen-types.mjs); the response
// types are written by hand (Emscripten 3.1.6 cannot generate declarations). Names are the spec's.

export type Framework = 'transformers' | 'vllm' | 'deepspeed';

// <generated from the request schema by scripts/gen-types.mjs: do not edit>
export interface EstimateRequest {
  /** A Hugging Face config.json, verbatim. */
  config: Record<string, unknown>;
  /** Transformers (inference or training), vllm (serving) or deepspeed (ZeRO training). Default "transformers". */
  framework?: 'transformers' | 'vllm' | 'deepspeed' | 'llama.cpp' | 'sglang';
  workload?: {
    /** Run the model (generate) or train it. Default: inference for transformers and vllm, training for deepspeed. */
    mode?: 'inference' | 'training';
    /** Sequences processed at once. Default 1. Read by transformers and deepspeed. */
    batch_size?: number;
    /** Tokens per sequence. Default 512. Read by transformers and deepspeed. */
    sequence_length?: number;
    /** The KV cache's element type. Default "auto" (auto: the model's dtype). Read by transformers and vllm and sglang in inference. */
    kv_cache_dtype?: 'auto' | 'float16' | 'fp16' | 'half' | 'bfloat16' | 'bf16' | 'float32' | 'fp32' | 'fp8' | 'fp8_e4m3' | 'fp8_e5m2';
    /** The longest request (prompt + output) vLLM accepts; its KV cache must hold one. Default: the model's maximum length, derived from config.json as vLLM derives it. Read by vllm. */
    max_model_len?: number;
    /** Requests scheduled at once. Default: vLLM's default for the version, the GPU and the entrypoint (256 or 1024). Read by vllm. */
    max_num_seqs?: number;
    /** Tokens per scheduler step (the prefill chunk); bounds the profiling run's activations. Default: vLLM's default for the version, the GPU and the entrypoint (2048 to 16384). Read by vllm. */
    max_num_batched_tokens?: number;
    /** Tokens per paged KV block. Default 16. Read by vllm. */
    block_size?: number;
  };
  parallelism?: {
    /** GPUs each layer is split over. Default 1. Read by transformers and vllm and deepspeed and sglang. */
    tensor_parallel_size?: number;
    /** Stages the layers are split into. Default 1. */
    pipeline_parallel_size?: number;
    /** Replicas (ZeRO and FSDP shard states over them). Default 1. Read by transformers and vllm and deepspeed and sglang. */
    data_parallel_size?: number;
    /** GPUs the experts are spread over (vLLM: tensor x data parallel, with --enable-expert-parallel). Default 1. Read by transformers and vllm and deepspeed and sglang. */
    expert_parallel_size?: number;
    /** Megatron sequence parallelism (needs tensor parallel > 1). Default false. Read by transformers and deepspeed in training. */
    sequence_parallel?: boolean;
    /** 1 shards optimizer states, 2 also gradients, 3 also weights. Default 0. Read by deepspeed in training. */
    zero_stage?: number;
  };
  framework_config?: {
    /** A catalogue GPU by name ("H100", "A100 40GB", "RTX 4090"): its memory, compute capability and name. Default: none: no verdict. */
    gpu?: string;
    /** Memory per GPU as the framework sees it. Default: the catalogue GPU's, else none. */
    gpu_memory_gib?: number;
    /** VLLM picks kernels (and MXFP4 experts' layout) by it. Default: the catalogue GPU's. Read by vllm. */
    gpu_compute_capability?: number;
    /** Full, LoRA adapters on a 16-bit base, or QLoRA on an NF4 base. Default "full". Read by transformers and deepspeed in training. */
    fine_tuning?: 'full' | 'lora' | 'qlora';
    /** The adapters' rank. Default 16. Read by transformers and deepspeed in training. */
    lora_rank?: number;
    /** Projections by their Llama names, or all-linear. Default ["q_proj","v_proj"]. Read by transformers and deepspeed in training. */
    lora_target_modules?: Array<'q_proj' | 'k_proj' | 'v_proj' | 'o_proj' | 'gate_proj' | 'up_proj' | 'down_proj' | 'all-linear'>;
    /** The optimizer and its implementation. Default "adamw" (torch's foreach AdamW). Read by transformers and deepspeed in training. */
    optimizer_type?: 'adamw' | 'adam' | 'adamw_fused' | 'adamw_8bit' | 'paged_adamw' | 'paged_adamw_8bit' | 'adafactor' | 'sgd' | 'sgd_momentum' | 'lion';
    /** Mixed (AMP), pure bf16, or fp32. Default "mixed" (mixed: 16-bit compute with fp32 master weights). Read by transformers and deepspeed in training. */
    training_precision?: 'mixed' | 'bf16' | 'fp32';
    /** Recompute activations in backward: full (transformers') or selective (attention only). Default "none". Read by transformers and deepspeed in training. */
    gradient_checkpointing?: 'none' | 'selective' | 'full';
    /** Above 1, gradients outlive each micro-batch. Default 1. Read by transformers and deepspeed in training. */
    gradient_accumulation_steps?: number;
    /** Standard (whole fp32 logits) or chunked (torchtune). Default "standard". Read by transformers and deepspeed in training. */
    loss_implementation?: 'standard' | 'chunked';
    /** Checkpointed activations wait in CPU memory (torchtune). Default false. Read by transformers and deepspeed in training. */
    offload_activations?: boolean;
    /** Eager keeps the s x s scores; sdpa and flash do not. Default "sdpa". Read by transformers and deepspeed. */
    attention_implementation?: 'sdpa' | 'flash_attention_2' | 'eager';
    /** PyTorch FSDP over the data-parallel ranks. Default "none". Read by transformers in training. */
    fsdp?: 'none' | 'shard_grad_op' | 'full_shard';
    /** Step each parameter in backward, freeing its gradient (torchtune). Default false. Read by transformers in training. */
    optimizer_in_backward?: boolean;
    /** ZeRO-Offload: optimizer states in CPU memory. Default "none". Read by deepspeed in training. */
    offload_optimizer?: 'none' | 'cpu';
    /** ZeRO-3 parameters in CPU memory. Default "none". Read by deepspeed in training. */
    offload_param?: 'none' | 'cpu';
    /** ZeRO-3 builds the model partitioned. Default true. Read by deepspeed in training. */
    zero_init?: boolean;
    /** For CPU memory per node. Default: min(8, all GPUs). Read by deepspeed in training. */
    gpus_per_node?: number;
    /** As `pip show vllm` prints it: the engine, model runner and defaults follow from it. Default: the newest vLLM this calculator models. Read by vllm. */
    vllm_version?: string;
    /** The share of the GPU's memory vLLM may claim. Default: vLLM's default for the version. Read by vllm. */
    gpu_memory_utilization?: number;
    /** Serve: `vllm serve` (the OpenAI server); llm: Python's LLM class (other defaults). Default "serve". Read by vllm. */
    vllm_entrypoint?: 'serve' | 'llm';
    /** Capture no CUDA graphs. Default false. Read by vllm. */
    enforce_eager?: boolean;
    /** NCCL only (vLLM and SGLang also turn it off on more than two PCIe-only GPUs). Default false. Read by vllm and sglang. */
    disable_custom_all_reduce?: boolean;
    /** Split long prompts into max_num_batched_tokens chunks (V0: else a step must hold a whole prompt). Default: always in V1; V0 turns it on for contexts over 32K. Read by vllm. */
    enable_chunked_prefill?: boolean;
    /** Accept a max_model_len beyond the model's derived maximum (vLLM's environment variable). Default false. Read by vllm. */
    allow_long_max_model_len?: boolean;
    /** The batch sizes captured. Default: vLLM's default list for the version. Read by vllm. */
    cudagraph_capture_sizes?: number[];
    /** Memory outside PyTorch that grows at start-up (NCCL, cuBLAS): state it for WSL2 or a desktop. Default: estimated from the GPUs and the version. Read by vllm. */
    non_torch_memory_gib?: number;
    /** Override what the version implies. Default: V1 from 0.8 (V0 where 0.8-0.10 fall back to it), V0 before. Read by vllm. */
    vllm_engine?: 'v1' | 'v0';
    /** V1's model runner. Default: what the version runs by default. Read by vllm. */
    vllm_model_runner?: 'v2' | 'v1';
    /** Flashinfer where the log says "Using FlashInfer for top-p & top-k sampling". Default "pytorch". Read by vllm. */
    vllm_sampler?: 'pytorch' | 'flashinfer';
    /** Take the CUDA graphs' memory off the KV budget. Default: what the version does (the first model runner from 0.21). Read by vllm. */
    profile_cudagraph_memory?: boolean;
    /** The spec's CUDA graph formula instead of vLLM's measured one. Default: params.graph_memory_overhead_ratio. Read by vllm. */
    graph_memory_overhead_ratio?: number;
    /** The spec's CUDA graph formula instead of vLLM's measured one. Default: params.graph_batch_scaling_factor. Read by vllm. */
    graph_batch_scaling_factor?: number;
    /** KV cells over all slots; 0: the model's training context (llama-server's default from 2026 builds). Default 4096. Read by llama.cpp. */
    ctx_size?: number;
    /** Sequences served at once; each gets ctx_size / n_parallel cells unless the cache is unified. Default 1. Read by llama.cpp. */
    n_parallel?: number;
    /** The last N layers go to the GPU; more than the model's layers also moves the output head. Default: all (999: llama.cpp's default from October 2025 builds; 0 before). Read by llama.cpp. */
    n_gpu_layers?: number;
    /** Auto: on where the GPU runs it (CUDA, Metal, Vulkan); off: KQ is materialised in the compute buffer. Default "auto". Read by llama.cpp. */
    flash_attn?: 'auto' | 'on' | 'off';
    /** The K cache's element type. Default "f16". Read by llama.cpp. */
    cache_type_k?: 'f16' | 'bf16' | 'f32' | 'q8_0' | 'q4_0' | 'q4_1' | 'q5_0' | 'q5_1' | 'iq4_nl';
    /** The V cache's element type; a quantized V needs flash attention. Default "f16". Read by llama.cpp. */
    cache_type_v?: 'f16' | 'bf16' | 'f32' | 'q8_0' | 'q4_0' | 'q4_1' | 'q5_0' | 'q5_1' | 'iq4_nl';
    /** Tokens per graph evaluation: the compute buffer is reserved for it. Default 512. Read by llama.cpp. */
    ubatch_size?: number;
    /** The slots share one cache of ctx_size cells. Default false. Read by llama.cpp. */
    kv_unified?: boolean;
    /** Keep every layer's KV cache in host memory. Default false. Read by llama.cpp. */
    no_kv_offload?: boolean;
    /** Sliding-window layers keep every cell instead of the window. Default false. Read by llama.cpp. */
    swa_full?: boolean;
    /** As llama-server prints it ("build: 9849"): from b6975 cells pad to 256, from b7407 -c defaults to the training context and --fit fits the context and the layers to the GPU, from b9460 the logits are reserved per slot. Default: a 2025 build (b4014 to b6867): -c 4096, cells padded to 256 with flash attention and 32 without. Read by llama.cpp. */
    llamacpp_build?: number;
    /** Run through Ollama: its context, parallelism, flash attention and layer offload by version. Default: not through Ollama: llama-server as started. Read by llama.cpp. */
    ollama_version?: string;
    /** Each request's context (the num_ctx option, OLLAMA_CONTEXT_LENGTH); the runner gets num_ctx x parallel cells. Default: Ollama's: 2048, 4096 from 0.6.7, by the GPUs' memory from 0.15.5 (4k, 32k from 23 GiB, 256k from 47 GiB). Read by llama.cpp. */
    num_ctx?: number;
    /** Requests served at once (OLLAMA_NUM_PARALLEL). Default: Ollama's: 4, 2 from 0.6.7 (1 where that does not fit), 1 from 0.9.7. Read by llama.cpp. */
    ollama_num_parallel?: number;
    /** Flash attention in the runner (OLLAMA_FLASH_ATTENTION). Default: off; from 0.12.4 on for Gemma 3, gpt-oss and Qwen3. Read by llama.cpp. */
    ollama_flash_attention?: boolean;
    /** The KV cache's type (OLLAMA_KV_CACHE_TYPE); Ollama quantizes it only with flash attention. Default "f16". Read by llama.cpp. */
    ollama_kv_cache_type?: 'f16' | 'q8_0' | 'q4_0';
    /** As `pip show sglang` prints it: the memory defaults follow from it. Default: the newest SGLang this calculator models. Read by sglang. */
    sglang_version?: string;
    /** The share of the free memory that holds the weights and the KV pool. Default: SGLang's default for the version, the GPU's memory and the ranks. Read by sglang. */
    mem_fraction_static?: number;
    /** The longest request (prompt + output). Default: the model's, derived from config.json as SGLang derives it. Read by sglang. */
    context_length?: number;
    /** Requests decoded at once; sets the request table's rows. Default: the request table's rows: pool tokens / context x 512, within 2048 to 4096. Read by sglang. */
    max_running_requests?: number;
    /** A cap on the KV pool's tokens. Default: as many as the memory holds. Read by sglang. */
    max_total_tokens?: number;
    /** Prompt tokens per prefill step (-1: off); from 0.5.3 it sizes the default memory fraction. Default: SGLang's default for the GPU's memory (2048 to 16384). Read by sglang. */
    chunked_prefill_size?: number;
    /** The largest decode batch captured. Default: SGLang's default for the GPU's memory and TP size. Read by sglang. */
    cuda_graph_max_bs?: number;
    /** Capture no CUDA graphs. Default false. Read by sglang. */
    disable_cuda_graph?: boolean;
    /** Tokens per KV page: the pool is whole pages. Default 1. Read by sglang. */
    page_size?: number;
    /** Attention data-parallel over --dp-size replicas: each keeps tp / dp of the KV heads. Default false. Read by sglang. */
    enable_dp_attention?: boolean;
  };
  checkpoint?: {
    /** The bytes of every tensor its safetensors headers list (the index's metadata.total_size; llm-mem checkpoint reads them). Default: none: weights from config.json's formula. */
    tensor_bytes?: number;
    /** What if it were quantized: the weights as each tool stores them (AWQ, GPTQ, FP8, NF4, MXFP4) or as llama.cpp's quantize mixes them (Q4_K_M...). Default "stored" (the checkpoint's own dtype or quantization). */
    weights_as?: 'stored' | 'bf16' | 'fp16' | 'fp8' | 'fp8-dynamic' | 'fp8-block' | 'int8' | 'awq' | 'gptq' | 'gptq-g32' | 'nf4' | 'nf4-dq' | 'mxfp4' | 'q8_0' | 'q6_k' | 'q5_k_m' | 'q5_k_s' | 'q4_k_m' | 'q4_k_s' | 'q3_k_l' | 'q3_k_m' | 'q3_k_s' | 'q2_k' | 'iq4_xs';
    /** The elements of every tensor its headers list (the hub's safetensors.total), to compare with the config's count. Default: none. */
    parameters?: number;
    /** Token_embd and the rest of the input side, as its GGUF header lists them. Default: none. Read by llama.cpp. */
    input_bytes?: number;
    /** The output head and final norm, as its GGUF header lists them. Default: none. Read by llama.cpp. */
    output_bytes?: number;
    /** Each blk.N's tensors, as its GGUF header lists them. Default: none. Read by llama.cpp. */
    layer_bytes?: number[];
  };
  params?: {
    /** The spec's fragmentation_overhead_factor. Default 1.05 (transformers and DeepSpeed). Read by transformers and deepspeed. */
    fragmentation_overhead_factor?: number;
    /** The spec's min_memory_safety_margin_gb. Default 0.5 (transformers and DeepSpeed). Read by transformers and deepspeed. */
    min_memory_safety_margin_gb?: number;
    /** The spec's memory_safety_margin_factor. Default 0.02 (transformers and DeepSpeed). Read by transformers and deepspeed. */
    memory_safety_margin_factor?: number;
    /** The spec's activation_recomputation_factor. Default 0.3 (training; applied only when given). Read by transformers and deepspeed in training. */
    activation_recomputation_factor?: number;
    /** The spec's gradient_memory_multiplier. Default 1 (training). Read by transformers and deepspeed in training. */
    gradient_memory_multiplier?: number;
    /** The spec's graph_memory_overhead_ratio. Default 0.1 (vLLM: set to use the spec's graph formula). Read by vllm. */
    graph_memory_overhead_ratio?: number;
    /** The spec's graph_batch_scaling_factor. Default 0.02 (vLLM: set to use the spec's graph formula). Read by vllm. */
    graph_batch_scaling_factor?: number;
    /** The spec's quantization_overhead_multiplier. Default 1.1 (formats not modelled). */
    quantization_overhead_multiplier?: number;
    /** The spec's mixed_precision_overhead_multiplier. Default 1.05 (read by no engine). Read by no engine. */
    mixed_precision_overhead_multiplier?: number;
    /** For configs without torch_dtype. Default "float16". */
    default_compute_dtype?: string;
    /** For configs without torch_dtype. Default "float16". */
    default_storage_dtype?: string;
  };
}
// </generated>

/** GiB (1024^3 bytes) per GPU: the spec's MemoryBreakdown.to_dict() keys, and non_torch_memory. */
export interface MemoryBreakdown {
  model_weights: number;
  activations: number;
  gradients: number;
  optimizer_states: number;
  kv_cache: number;
  cuda_graphs: number;
  compilation_overhead: number;
  /** transformers, DeepSpeed: the spec's factor. vLLM: its budget's remainder under one KV block. */
  fragmentation_overhead: number;
  /** transformers, DeepSpeed: the spec's margin. vLLM: 0 (its pool is sized to gpu_memory_utilization). */
  safety_margin: number;
  /** vLLM: memory outside PyTorch that grows at start-up (NCCL, custom all-reduce, cuBLAS); 0 elsewhere. */
  non_torch_memory: number;
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
  /** `mamba`: a hybrid's Mamba-2 mixers (Nemotron-H); 0 elsewhere. */
  parameters_by_component: { embeddings: number; attention: number; mlp: number; norms: number; vision: number; mamba: number };
  parameters_per_gpu: number;
  num_hidden_layers: number;
  hidden_size: number;
  num_attention_heads: number;
  num_key_value_heads: number;
  head_dim: number;
  intermediate_size: number;
  vocab_size: number;
  /** The smallest position limit config.json states (0 when none). */
  max_position_embeddings: number;
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
  /** The weights' bytes: the request's `checkpoint.tensor_bytes` (its safetensors headers), else config.json's formula. */
  weights_from: 'safetensors headers' | 'config.json';
  /** The request's `checkpoint.weights_as`: "stored", or the format the weights are counted in. */
  weights_as: NonNullable<NonNullable<EstimateRequest['checkpoint']>['weights_as']>;
  checkpoint_tensor_bytes?: number;
  checkpoint_parameters?: number;
}

/** transformers and DeepSpeed fit or not; vLLM starts or refuses; no_gpu: no GPU was given. */
export type VerdictStatus = 'fits' | 'does_not_fit' | 'starts' | 'refuses' | 'no_gpu';

/** Whether it runs, as the engine decides it. */
export interface Verdict {
  status: VerdictStatus;
  ok: boolean;
  /** One sentence, in the engine's terms. */
  summary: string;
  /** The engine's own words when it refuses (vLLM's exception text). */
  reason?: string;
  /** The request field a refusal is about. */
  field?: string;
  gpu_memory_gib?: number;
  /** What the engine may hold per GPU: the GPU, or vLLM's budget and the graphs it captures outside it. */
  limit_gib?: number;
  /** What it needs per GPU: the total, or what vLLM needs to start (one request of max_model_len). */
  needed_gib: number;
  headroom_gib?: number;
}

/** One of the solver's questions, answered where the verdict flips. */
export interface SolverAnswer {
  field: string;
  question: string;
  /** The verdict is ok here... */
  value: number | null;
  /** ...and not here, one step further (null at a bound). */
  past: number | null;
  needed_gib: number | null;
  note?: string;
}

export interface EstimateResponse {
  estimator: 'TransformersMemoryEstimator' | 'MoEMemoryEstimator' | 'vLLMMemoryEstimator' | 'DeepSpeedMemoryEstimator' | 'LlamaCppMemoryEstimator';
  framework: Framework;
  mode: 'inference' | 'training';
  breakdown: MemoryBreakdown;
  /** What the breakdown is, in words (vLLM with a GPU: what it holds after start-up). */
  breakdown_basis: string;
  verdict: Verdict;
  model: ModelSummary;
  kv_cache_bytes_per_token: number;
  /** vLLM: the spec's estimate_kv_cache, max_num_seqs requests of max_model_len in whole blocks. */
  kv_cache_demand_gib?: number;
  /** vLLM with a GPU: its start-up KV cache arithmetic. */
  kv_cache_capacity?: {
    budget_gib: number;
    weights_gib: number;
    non_torch_gib: number;
    activation_peak_gib: number;
    /** The captured graphs' pool, and whether it came off the budget (the first model runner from 0.21). */
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
    max_num_seqs: number;
    /** Requests of max_model_len its KV cache holds at once. */
    max_concurrency: number;
    needed_for_one_request_gib: number;
    /** verdict.ok, for readers of this object alone. */
    starts: boolean;
  };
  /** vLLM without a GPU: the GPU memory it needs, each for what it is. */
  requirements?: { to_start_gib: number; all_sequences_gib: number };
  /**
   * llama.cpp: its buffers as its start-up log prints them, per GPU (the breakdown is the busiest
   * one's) and in system memory.
   */
  llamacpp_buffers?: {
    gpus: Array<{ model_gib: number; kv_gib: number; compute_gib: number; layers: number; output: boolean }>;
    host_model_gib: number;
    host_kv_gib: number;
    host_compute_gib: number;
    output_gib: number;
    /** Cells per stream (sliding-window layers: swa_cells), and the streams (slots, when not unified). */
    kv_cells: number;
    swa_cells: number;
    streams: number;
    /** "offloaded N/M layers to GPU": M counts the output head. */
    offloaded_layers: number;
    total_layers: number;
  };
  /**
   * SGLang: its memory pool as its start-up log prints it ("Load weight begin/end", "KV Cache is
   * allocated", "max_total_num_tokens=..."), with a GPU.
   */
  sglang_pool?: {
    mem_fraction_static: number;
    /** Free memory before the weights, and mem_fraction_static of it: the weights and the KV pool. */
    free_gib: number;
    static_gib: number;
    weights_gib: number;
    /** K size + V size (MLA: the latents' KV size). */
    kv_pool_gib: number;
    /** One token's K and V over this GPU's layers. */
    cell_bytes: number;
    max_total_num_tokens: number;
    context_len: number;
    max_running_requests: number;
    max_req_len: number;
    max_prefill_tokens: number;
    chunked_prefill_size: number;
    /** 0: CUDA graphs off. */
    cuda_graph_max_bs: number;
    req_to_token_gib: number;
    cuda_graph_gib: number;
    workspace_gib: number;
    /** "available_gpu_mem": what is left for forward passes. */
    available_gib: number;
    /** Requests of context_len tokens the pool holds at once. */
    full_length_requests: number;
  };
  /** Training: host memory per node for the model states kept there (DeepSpeed's "per CPU", paged
   * optimizer states); llama.cpp: the system memory its CPU-side buffers take. */
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
  /** The engine's settings as it resolved them (vLLM: from its version and the GPU), each with its source. */
  settings: Array<{ path: string; value: unknown; source: string }>;
  /** With a GPU: the engine's questions, answered where its verdict flips. */
  solver: SolverAnswer[];
  /** Training with a GPU: the changes a trainer would try, each evaluated. */
  alternatives: Array<{ label: string; changes: Record<string, unknown>; ok: boolean; needed_gib: number }>;
  /**
   * Why each component is its size, one line from the result's own figures, by breakdown key
   * (and "cpu_memory"): e.g. optimizer_states "AdamW ...: two states (momentum and variance),
   * 8 bytes per trainable parameter, + 4 bytes of the step's temporary ..., × 8.03B".
   */
  explanations: Partial<Record<keyof MemoryBreakdown | 'cpu_memory', string>>;
  warnings: string[];
}

export declare class EstimateError extends Error {
  name: 'EstimateError';
  /** The request field at fault, e.g. "config.hidden_size". */
  field: string;
}

/** Request fields a sweep or the solver may vary. */
export type VariableField =
  | 'workload.batch_size' | 'workload.sequence_length' | 'workload.max_num_seqs' | 'workload.max_model_len'
  | 'parallelism.tensor_parallel_size' | 'parallelism.pipeline_parallel_size'
  | 'parallelism.data_parallel_size' | 'parallelism.expert_parallel_size'
  | 'framework_config.gpu_memory_utilization'
  | 'framework_config.ctx_size' | 'framework_config.n_gpu_layers';

export interface SweepResponse {
  field: VariableField;
  values: number[];
  /** One array per component, aligned with `values`. */
  breakdown: { [K in keyof MemoryBreakdown]: number[] };
  /** Whether the engine runs at each value, and what it needs there. */
  ok: boolean[];
  /** The verdict's status at each value: false `ok` with "no_gpu" is no answer, not a refusal. */
  status: VerdictStatus[];
  needed_gib: number[];
  /** vLLM: KV tokens and full-length concurrency at each value (null without a GPU). */
  kv_tokens?: Array<number | null>;
  max_concurrency?: Array<number | null>;
}

export interface SolveResponse {
  field: VariableField;
  /** The largest workload value, or smallest parallel size or utilization, that runs; null when none does. */
  value: number | null;
  needed_gib: number | null;
  limit_gib: number | null;
  /** The neighbouring value the other way, which does not run. */
  step_past: { value: number; ok: boolean; needed_gib: number; limit_gib: number } | null;
}

/** One request field as the schema describes it. */
export interface SchemaField {
  path: string;
  kind: 'integer' | 'number' | 'boolean' | 'choice' | 'text' | 'integer_list' | 'choice_list';
  min?: number;
  max?: number;
  min_open?: boolean;
  max_open?: boolean;
  max_entries?: number;
  choices?: string[];
  default: unknown;
  default_note?: string;
  /** Text fields: values people type, the engine's default first (vLLM's releases). */
  suggestions?: string[];
  engines: Framework[];
  modes: Array<'inference' | 'training'>;
  when?: { path: string; values: string[] };
  section: string;
  label: string;
  flags: string[];
  help: string;
  advanced: boolean;
}

export interface Schema {
  fields: SchemaField[];
  engines: Framework[];
  gpus: Array<{ name: string; aliases: string[]; device_name: string; memory_gib: number; compute_capability: number | null; source: string;
    /** How the page groups the catalogue. */
    kind: 'datacenter' | 'workstation' | 'consumer' | 'amd' | 'apple' }>;
  /** The bounds every door checks before reading (docs/security.md): UTF-8 bytes of a request, nesting, JSON values. */
  limits: { request_bytes: number; nesting_depth: number; json_values: number };
}

export interface Calculator {
  estimate(request: EstimateRequest | string): EstimateResponse;
  sweep(request: EstimateRequest, field: VariableField, values: number[]): SweepResponse;
  /** `options.max`: the largest value to try, within the field's own bound; other keys are refused. */
  solve(request: EstimateRequest, field: VariableField, options?: { max?: number }): SolveResponse;
  schema(): Schema;
  version(): string;
  /** The core's bounds on JSON text (size, nesting, values), checked before JSON.parse of untrusted text; throws an EstimateError on `what`. */
  checkJsonText(text: string, what: string): void;
  /**
   * What safetensors headers say of a checkpoint's tensors (the headers only: each file's first
   * 8 + header-length bytes; `fileBytes`, when known, must be 8 + header + the data it indexes).
   */
  readSafetensorsHeaders(files: Array<{ bytes: Uint8Array; fileBytes?: number }>, options?: { numHiddenLayers?: number }): CheckpointTensors;
  /** The shard files a model.safetensors.index.json names (its weight_map's values, each once, beside it); throws on `what`. */
  safetensorsShards(indexText: string, what?: string): string[];
  /** The header's length from a file's first 8 bytes (to range-request the rest); throws past safetensors' 100 MB. */
  safetensorsHeaderLength(bytes: Uint8Array, fileBytes?: number): number;
  /** What a GGUF header says from a prefix of the file (`fileBytes`: its size, when known); `{ complete: false, needs }` when the prefix is too short. */
  readGgufHeader(bytes: Uint8Array, fileBytes?: number): GgufHeader | { complete: false; needs: number };
  /**
   * A GGUF file's header through `read(start, end)`, which resolves to the file's bytes [start, end):
   * as many reads as the header takes, never a byte of tensor data. Rejects with an EstimateError
   * naming what is malformed (`gguf.tensors[3] "blk.0.attn_q.weight"`...).
   */
  readGguf(read: (start: number, end: number) => Promise<Uint8Array>, fileBytes?: number): Promise<GgufHeader>;
  EstimateError: typeof EstimateError;
}

/** A GGUF file's header: its tensors by ggml type and by where llama.cpp places them, and its model as a config.json. */
export interface GgufHeader {
  complete: true;
  version: number;
  architecture?: string;
  name?: string;
  /** llama.cpp's general.file_type, and its name ("Q4_K_M"). */
  file_type?: number;
  file_type_name?: string;
  alignment: number;
  /** Where the tensor data starts: the bytes read. */
  header_bytes: number;
  tensors: number;
  parameters: number;
  bytes: number;
  types: Array<{ type: string; tensors: number; parameters: number; bytes: number }>;
  /** Tensor bytes: token_embd (input), output and output_norm (output), each blk.N (layers), the rest (other). */
  parts: { input: number; output: number; other: number; layers: number[] };
  /** The request's checkpoint fields for this file (its bytes part by part, the rest with the input). */
  checkpoint: { tensor_bytes: number; parameters: number; input_bytes: number; output_bytes: number; layer_bytes: number[] };
  /** A config.json made from the metadata (absent with config_missing saying why). */
  config?: Record<string, unknown>;
  config_missing?: string;
}

/** A checkpoint's tensors as its safetensors headers describe them. */
export interface CheckpointTensors {
  files: number;
  tensors: number;
  /** The elements of every tensor: what the hub's `safetensors.total` counts as parameters. */
  parameters: number;
  /** The tensors' bytes: a sharded checkpoint's index `metadata.total_size`. */
  bytes: number;
  dtypes: Array<{ dtype: string; tensors: number; parameters: number; bytes: number }>;
  /** By name: the weights first, then what a config's formula does not count (quantization scales, rotary buffers, layers past num_hidden_layers). */
  groups: Array<{ group: 'weights' | 'quantization scales' | 'rotary buffers' | 'layers past num_hidden_layers'; tensors: number; parameters: number; bytes: number }>;
}

/**
 * The calculator on the shared engine instance, or with `{ fresh: true }` on an instance of its
 * own. Either recovers by itself: after an internal failure it restarts its instance.
 */
export function createCalculator(options?: { fresh?: boolean }): Promise<Calculator>;
