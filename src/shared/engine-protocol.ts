import { z } from 'zod'
import { EngineCanvasParams, EngineCanvasResult } from './api/canvas'
import { CudaProbeResult, CudaReport } from './api/cuda-doctor'
import { EngineDirectionsParams, EngineDirectionsResult } from './api/directions'
import { BackendAttempt, BackendName, WebGpuAdapter } from './api/engine'
import { CallOutcome } from './api/contract'
import { StudioErrorData } from './api/errors'
import { EngineProbeParams, EngineProjectParams, EngineProtocolProbeParams, ProbeResult, ProjectResult, ProtocolProbeResult } from './api/experiments'
import { EngineForgetFitParams, ForgetFitResult } from './api/forget'
import {
  ClassifySamplesResult,
  EmbedResult,
  EngineClassifySamplesParams,
  EngineTrainClassifierParams,
  TrainClassifierResult,
  EngineEmbedParams,
  EngineFeaturesParams,
  EngineFiltersParams,
  EngineGenerateParams,
  EngineGuidedParams,
  EngineRenderParams,
  FeaturesResult,
  FiltersResult,
  GenerateResult,
  GuidedResult,
  RenderResult
} from './api/explore'
import { ModelConfig } from './formats/model'
import { EngineImportModelParams, EngineImportModelResult } from './formats/model-import'
import { TrainConfig, TrainEvent } from './formats/run'

/**
 * Messages between the Node side (the engine host) and an engine process. Versioned: a host refuses an engine
 * that speaks another version (a stale build), instead of misreading it.
 */
export const ENGINE_PROTOCOL_VERSION = 1

/** What an engine reports about itself in its ready handshake. */
export const EngineInfo = z.object({
  pid: z.number().int(),
  backend: BackendName,
  backendReason: z.string(),
  attempts: z.array(BackendAttempt),
  gpu: z.object({ available: z.boolean(), reason: z.string() }),
  cuda: CudaReport.optional(),
  webgpuAdapter: WebGpuAdapter.nullable(),
  versions: z.object({ node: z.string(), tfjs: z.string(), electron: z.string().nullable() })
})
export type EngineInfo = z.infer<typeof EngineInfo>

/** Start (or resume from its latest checkpoint) a training session in a trainer engine. */
export const TrainSessionParams = z.object({
  runDir: z.string().min(1),
  datasetDir: z.string().min(1),
  model: ModelConfig,
  train: TrainConfig,
  /** Train until this total step. */
  steps: z.number().int().min(1)
})
export type TrainSessionParams = z.infer<typeof TrainSessionParams>

export const TrainSessionResult = z.object({
  reason: z.enum(['completed', 'stopped', 'failed']),
  step: z.number().int().min(0),
  message: z.string(),
  seconds: z.number().min(0),
  backend: z.string()
})
export type TrainSessionResult = z.infer<typeof TrainSessionResult>

export const TrainControl = z.object({ action: z.enum(['pause', 'resume', 'stop']) })

/** Engine methods: what the engine itself can do. Studio API methods are built on these by the services. */
export const engineMethods = {
  info: { params: z.object({}).strict().default({}), result: EngineInfo },
  generate: { params: EngineGenerateParams, result: GenerateResult },
  /** Explorer: render explicit z vectors (walks, arithmetic, sliders). */
  render: { params: EngineRenderParams, result: RenderResult },
  /** Explorer: a grid of z vectors as one big picture (progress messages per layer; cancellable). */
  canvas: { params: EngineCanvasParams, result: EngineCanvasResult },
  /** Explorer: activations of every layer of G or D for one input, strongest maps first. */
  features: { params: EngineFeaturesParams, result: FeaturesResult },
  /** Explorer: D's first-layer filters. */
  filters: { params: EngineFiltersParams, result: FiltersResult },
  /** Explorer: guided backpropagation of a D feature, trained vs random-init D (paper Fig. 5). */
  guided: { params: EngineGuidedParams, result: GuidedResult },
  /** Explorer: 3D positions (PCA of z or of D features) and thumbnails for the latent map. */
  embed: { params: EngineEmbedParams, result: EmbedResult },
  /** Explorer: directions without labels (GANSpace): PCA of a G layer's activations, carried back to z (progress messages). */
  directions: { params: EngineDirectionsParams, result: EngineDirectionsResult },
  /** Demo checks: render z vectors and classify the faces with an attribute classifier. */
  classifySamples: { params: EngineClassifySamplesParams, result: ClassifySamplesResult },
  /** Train a face-attribute classifier on procedural faces and save it (progress as 'progress' messages). */
  trainClassifier: { params: EngineTrainClassifierParams, result: TrainClassifierResult },
  /** Linear probe (paper Section 5): D features vs pixels vs random-init D on a labelled dataset (progress messages). */
  probe: { params: EngineProbeParams, result: ProbeResult },
  /** The paper's probe protocols (CIFAR-10, SVHN): an L2-SVM on D's features over label draws (progress messages). */
  probeProtocol: { params: EngineProtocolProbeParams, result: ProtocolProbeResult },
  /** Projection: the z whose sample best matches an image, Adam from several starts (progress messages). */
  project: { params: EngineProjectParams, result: ProjectResult },
  /** Forgetting to draw (paper Fig. 6): weigh G's feature maps by how they fire inside boxes (progress messages). */
  forgetFit: { params: EngineForgetFitParams, result: ForgetFitResult },
  /** The CUDA doctor's one-op probe: a MatMul in tfjs-node-gpu, proven on GPU:0 by libtensorflow's placement log. */
  cudaProbe: {
    params: z
      .object({ timeoutMs: z.number().int().min(1000).max(1_800_000).default(300_000) })
      .strict()
      .default({ timeoutMs: 300_000 }),
    result: CudaProbeResult
  },
  /** A model trained elsewhere (PyTorch, safetensors, tfjs) written as step 0 of a run folder. */
  importModel: { params: EngineImportModelParams, result: EngineImportModelResult },
  /** Live tensor count; tests use it to prove tensor discipline across processes. */
  memory: { params: z.object({}).strict().default({}), result: z.object({ numTensors: z.number(), numBytes: z.number() }) },
  /** Long-running: streams TrainEvents as 'event' messages until the session finishes. */
  train: { params: TrainSessionParams, result: TrainSessionResult, event: TrainEvent },
  /** Pause, resume or stop the training session running in this engine. */
  trainControl: { params: TrainControl, result: z.object({ applied: z.boolean() }) }
} as const satisfies Record<string, { params: z.ZodType; result: z.ZodType; event?: z.ZodType }>
export type EngineMethod = keyof typeof engineMethods
export type EngineParams<M extends EngineMethod> = z.input<(typeof engineMethods)[M]['params']>
export type EngineParamsParsed<M extends EngineMethod> = z.output<(typeof engineMethods)[M]['params']>
export type EngineResult<M extends EngineMethod> = z.output<(typeof engineMethods)[M]['result']>
export type EngineEvent<M extends EngineMethod> = (typeof engineMethods)[M] extends { event: infer E extends z.ZodType } ? z.output<E> : never

const v = z.literal(ENGINE_PROTOCOL_VERSION)
const requestId = z.number().int().nonnegative()

export const HostToEngine = z.discriminatedUnion('type', [
  z.object({ v, type: z.literal('request'), id: requestId, method: z.string(), params: z.unknown() }),
  z.object({ v, type: z.literal('cancel'), id: requestId }),
  z.object({ v, type: z.literal('shutdown') })
])
export type HostToEngine = z.infer<typeof HostToEngine>

export const EngineToHost = z.discriminatedUnion('type', [
  z.object({ v, type: z.literal('ready'), info: EngineInfo }),
  z.object({ v, type: z.literal('response'), id: requestId, outcome: CallOutcome }),
  /** A structured event of a long-running request (e.g. a TrainEvent), validated by the method's schema. */
  z.object({ v, type: z.literal('event'), id: requestId, event: z.unknown() }),
  z.object({
    v,
    type: z.literal('progress'),
    id: requestId,
    progress: z.number().min(0).max(1),
    message: z.string()
  }),
  /** The engine could not start (e.g. no backend loaded); it exits after sending this. */
  z.object({ v, type: z.literal('fatal'), error: StudioErrorData })
])
export type EngineToHost = z.infer<typeof EngineToHost>
