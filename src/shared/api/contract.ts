import { z } from 'zod'
import { DirectionsParams, DirectionsReport } from './directions'
import { CanvasParams, CanvasResult } from './canvas'
import { DatasetListing, DatasetPreview, DatasetPreviewParams, ImportRequest } from './datasets'
import { EngineStatus } from './engine'
import {
  ApplyConceptParams,
  ArithmeticParams,
  ArithmeticResult,
  AttributesParams,
  AttributesResult,
  ClassifierSummary,
  ConceptRecord,
  FeaturesParams,
  FeaturesResult,
  FiltersParams,
  FiltersResult,
  GenerateParams,
  GenerateResult,
  GuidedParams,
  GuidedResult,
  MapParams,
  MapResult,
  RandomWalkParams,
  RenderParams,
  RenderedSamples,
  SaveConceptParams,
  WalkParams,
  WalkPointParams,
  WalkResult
} from './explore'
import { StudioErrorData } from './errors'
import { ProbeParams, ProjectParams } from './experiments'
import { ErasureRecord, ForgetFitParams, SaveErasureParams } from './forget'
import { ExportGridParams, ExportGridVideoParams, GridParams, GridResult } from './grid'
import {
  ExportArithmeticParams,
  ExportCanvasParams,
  ExportConceptParams,
  ExportDirectionsParams,
  ExportErasureParams,
  ExportImageParams,
  ExportSamplesParams,
  ExportTimelapseParams,
  ExportVectorsParams,
  ExportWalkParams,
  ExportedFile
} from './export'
import { Job } from './jobs'
import {
  BranchRunParams,
  CreateRunParams,
  RecreateDatasetParams,
  RunDetails,
  RunListing,
  RunRef,
  RunSample,
  RunSampleParams,
  RunTrainEvent,
  StartRunParams
} from './runs'
import { DatasetManifest } from '../formats/dataset'
import { FavouriteSample, RunRecord } from '../formats/run'
import { ExportModelParams, ExportModelResult, ImportModelParams } from '../formats/model-import'
import { StudioSettings } from '../formats/settings'

/**
 * The Studio API: every method (request → response) and event the UI can use, in one place. Electron IPC,
 * the web mode WebSocket and in-memory test channels all carry exactly this contract; nothing else names
 * methods or events. Add a method here, then its handler in src/main/services/studio.ts — the compiler
 * points at everything else that must follow.
 */
export const LibraryInfo = z.object({
  root: z.string(),
  /** The demo run (a model trained on procedural faces) when it is in this library, for the first-start tour. */
  demoRunId: z.string().nullable()
})
export type LibraryInfo = z.infer<typeof LibraryInfo>

const empty = z.object({}).strict().default({})
const ok = z.object({ ok: z.literal(true) })
const IdRef = z.object({ id: z.string().min(1) })

export const studioMethods = {
  'engine.status': { params: empty, result: EngineStatus },
  'engine.restart': { params: empty, result: EngineStatus },
  'library.info': { params: empty, result: LibraryInfo },
  'settings.get': { params: empty, result: StudioSettings },
  /** Changing the backend restarts the explorer engine; trainers pick it up on their next start. */
  'settings.update': { params: StudioSettings.partial(), result: StudioSettings },
  /**
   * A native picker where the front end has one (Electron): an existing folder or file, or where to save a new
   * file ('save', starting from `defaultPath`). Web mode types paths instead.
   */
  'system.pickPath': {
    params: z.object({ kind: z.enum(['folder', 'file', 'save']), title: z.string().max(200).default('Choose'), defaultPath: z.string().max(4096).optional() }),
    result: z.object({ available: z.boolean(), path: z.string().nullable() })
  },
  'explore.generate': { params: GenerateParams, result: GenerateResult },
  'explore.render': { params: RenderParams, result: RenderedSamples },
  'explore.walk': { params: WalkParams, result: WalkResult },
  'explore.grid': { params: GridParams, result: GridResult },
  /** A scrubber position on a walk: the latest request per channel wins (older ones fail 'superseded'). */
  'explore.walkPoint': { params: WalkPointParams, result: RenderedSamples },
  'explore.randomWalk': { params: RandomWalkParams, result: WalkResult },
  'explore.arithmetic': { params: ArithmeticParams, result: ArithmeticResult },
  'explore.features': { params: FeaturesParams, result: FeaturesResult.extend({ step: z.number().int() }) },
  'explore.filters': { params: FiltersParams, result: FiltersResult.extend({ step: z.number().int() }) },
  'explore.guided': { params: GuidedParams, result: GuidedResult.extend({ step: z.number().int() }) },
  'explore.map': { params: MapParams, result: MapResult },
  'explore.applyConcept': { params: ApplyConceptParams.extend({ channel: z.string().max(60).default('concept') }), result: RenderedSamples },
  /** Big canvas: a grid of z vectors as one picture (the latest request per channel wins). */
  'explore.canvas': { params: CanvasParams, result: CanvasResult },
  /** The face-attribute classifier the run names (smiling, masculine, glasses, pose), or null when it has none. */
  'explore.classifier': { params: IdRef, result: ClassifierSummary.nullable() },
  /** Scores samples with the run's face-attribute classifier; refused for a run without one. */
  'explore.attributes': { params: AttributesParams, result: AttributesResult },

  /** Directions found without labels (GANSpace) for these settings on this checkpoint, when found before. */
  'directions.find': { params: DirectionsParams, result: DirectionsReport.nullable() },
  /** Finds them: a job (progress, cancel) whose result is a DirectionsReport; kept in the run's folder. */
  'directions.start': { params: DirectionsParams, result: Job },

  'concepts.list': { params: z.object({ runId: z.string().optional() }).default({}), result: z.array(ConceptRecord) },
  'concepts.save': { params: SaveConceptParams, result: ConceptRecord },
  'concepts.delete': { params: IdRef, result: ok },

  'datasets.list': { params: empty, result: z.array(DatasetListing) },
  'datasets.get': { params: IdRef, result: DatasetManifest },
  'datasets.preview': { params: DatasetPreviewParams, result: DatasetPreview },
  'datasets.import': { params: ImportRequest, result: Job },
  'datasets.delete': { params: IdRef, result: ok },

  'runs.list': { params: empty, result: z.array(RunListing) },
  'runs.get': { params: RunRef, result: RunDetails },
  'runs.create': { params: CreateRunParams, result: RunRecord },
  'runs.start': { params: StartRunParams, result: Job },
  'runs.pause': { params: RunRef, result: ok },
  'runs.resume': { params: RunRef, result: ok },
  'runs.stop': { params: RunRef, result: ok },
  'runs.branch': { params: BranchRunParams, result: RunRecord },
  /** A run whose dataset is gone but recorded as a recipe (the demo): make it again (a job), then resume. */
  'runs.recreateDataset': { params: RecreateDatasetParams, result: Job },
  'runs.delete': { params: RunRef, result: ok },
  /** A DCGAN trained elsewhere (PyTorch main.py, safetensors, a tfjs export) as a run with no training history. */
  'runs.importModel': { params: ImportModelParams, result: RunRecord },
  /** A run's model as PyTorch state dicts, safetensors or tfjs with an ml5 manifest, written into a folder. */
  'runs.exportModel': { params: ExportModelParams, result: ExportModelResult },
  /** Trains the run on this dataset from now on (an imported model has none until then). */
  'runs.chooseDataset': { params: RunRef.extend({ datasetId: z.string().min(1) }), result: RunRecord },
  'runs.sample': { params: RunSampleParams, result: RunSample },
  /** The samples starred while exploring a run, kept in the run's folder (the same in every window and mode). */
  'runs.favourites': { params: RunRef, result: z.array(FavouriteSample) },
  'runs.saveFavourites': { params: RunRef.extend({ samples: z.array(FavouriteSample).max(1000) }), result: ok },

  /** A walk or loop as MP4, WebM, GIF or PNG frames: a job (progress, ETA, cancel); its result is an ExportedWalk. */
  'export.walk': { params: ExportWalkParams, result: Job },
  /** A run's fixed-noise sample grids over training as MP4, WebM or GIF: a job; its result is an ExportedTimelapse. */
  'export.timelapse': { params: ExportTimelapseParams, result: Job },
  'export.grid': { params: ExportGridParams, result: ExportedFile },
  'export.gridVideo': { params: ExportGridVideoParams, result: Job },
  'export.samples': { params: ExportSamplesParams, result: ExportedFile },
  'export.image': { params: ExportImageParams, result: ExportedFile },
  /** The arithmetic result as one figure laid out like the paper's Fig. 7. */
  'export.arithmetic': { params: ExportArithmeticParams, result: ExportedFile },
  /** Forgetting to draw as a figure: originals over the same samples drawn without the erasure's maps. */
  'export.erasure': { params: ExportErasureParams, result: ExportedFile },
  /** Directions as a figure: a row per component, the sample from −3σ to +3σ along it. */
  'export.directions': { params: ExportDirectionsParams, result: ExportedFile },
  /** A big canvas as PNG: a job (progress, cancel); its result is an ExportedFile. */
  'export.canvas': { params: ExportCanvasParams, result: Job },
  'export.vectors': { params: ExportVectorsParams, result: ExportedFile },
  'export.concept': { params: ExportConceptParams, result: ExportedFile },

  /** The linear probe on D's features (paper Section 5): a job whose result is a ProbeReport. */
  'experiments.probe': { params: ProbeParams, result: Job },
  /** Project an image into z (Adam from several starts): a job whose result is a ProjectReport. */
  'experiments.project': { params: ProjectParams, result: Job },

  /** Forgetting to draw (paper Fig. 6): a job fitting which of G's maps draw the boxed object (result: ForgetFitReport). */
  'forget.fit': { params: ForgetFitParams, result: Job },
  'erasures.list': { params: z.object({ runId: z.string().optional() }).default({}), result: z.array(ErasureRecord) },
  'erasures.save': { params: SaveErasureParams, result: ErasureRecord },
  'erasures.delete': { params: IdRef, result: ok },

  'jobs.list': { params: empty, result: z.array(Job) },
  'jobs.cancel': { params: IdRef, result: Job }
} as const satisfies Record<string, { params: z.ZodType; result: z.ZodType }>

export const studioEvents = {
  /** The engine started, crashed, restarted or stopped. */
  'engine.status': EngineStatus,
  /** A job started, progressed or finished. */
  'jobs.changed': Job,
  /** A run's record changed (status, name, …). */
  'runs.changed': RunRecord,
  /** A trainer reported progress, a sample grid, a checkpoint, a warning… */
  'runs.event': RunTrainEvent
} as const satisfies Record<string, z.ZodType>

export type StudioMethod = keyof typeof studioMethods
export type StudioEvent = keyof typeof studioEvents
export type MethodParams<M extends StudioMethod> = z.input<(typeof studioMethods)[M]['params']>
export type MethodParamsParsed<M extends StudioMethod> = z.output<(typeof studioMethods)[M]['params']>
export type MethodResult<M extends StudioMethod> = z.output<(typeof studioMethods)[M]['result']>
export type EventPayload<E extends StudioEvent> = z.output<(typeof studioEvents)[E]>

export function isStudioMethod(name: string): name is StudioMethod {
  return Object.hasOwn(studioMethods, name)
}
export function isStudioEvent(name: string): name is StudioEvent {
  return Object.hasOwn(studioEvents, name)
}

/** What a call returns across any transport: a result, or an error written for the user. */
export const CallOutcome = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), result: z.unknown() }),
  z.object({ ok: z.literal(false), error: StudioErrorData })
])
export type CallOutcome = z.infer<typeof CallOutcome>

/**
 * The narrow bridge a transport provides: Electron's preload exposes exactly this as `window.studio`; the web
 * client implements it over a WebSocket; tests implement it in memory. Typing and validation live above it,
 * in the client (src/shared/api/client.ts).
 */
export interface StudioBridge {
  invoke(method: string, params: unknown): Promise<CallOutcome>
  on(event: string, listener: (payload: unknown) => void): () => void
}
