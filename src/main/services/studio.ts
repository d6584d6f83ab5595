import type { BackendName } from '../../shared/api/engine'
import type { GenerateParams } from '../../shared/api/explore'
import { Canvases } from './canvas'
import { Datasets } from './datasets'
import { type StudioHandlers, dispatch } from './dispatch'
import { EngineHost, explorerThreads } from './engine-host'
import { exportModel } from './model-export'
import type { EngineLauncher } from './engine-process'
import { StudioEvents } from './events'
import { Jobs } from './jobs'
import { Library } from './library'
import { Runs } from './runs'
import { startRecreateDataset } from './recreate-dataset'
import { CLASSIFIERS_DIR, installDemoIfEmpty, upgradeInstalledDemo, readDemoManifest } from './demo'
import { Concepts } from './concepts'
import { Directions } from './directions'
import { Erasures } from './erasures'
import { Explorer } from './explorer'
import { Attributes } from './attributes'
import { Forget } from './forget'
import { Exports } from './export'
import { Experiments } from './experiments'
import { readSettings, writeSettings } from './settings'
import { StudioSettings } from '../../shared/formats/settings'

export interface StudioOptions {
  libraryRoot: string
  launcher: EngineLauncher
  backend?: BackendName | null
  /** A native path picker (Electron's dialog); absent in web mode and the CLI. */
  pickPath?: (kind: 'folder' | 'file' | 'save', title: string, defaultPath?: string) => Promise<string | null>
}

const OK = { ok: true } as const

/**
 * The composition root of the Node-side services. Electron main, web mode and the CLI each create one Studio
 * and put their own transport in front of it; nothing below this knows which front door is in use.
 */
export class Studio {
  readonly library: Library
  readonly events = new StudioEvents()
  readonly jobs: Jobs
  /** The explorer engine: generation and (later) features; trainers are separate processes (see Runs). */
  readonly explorer: EngineHost
  readonly datasets: Datasets
  readonly runs: Runs
  readonly concepts: Concepts
  readonly erasures: Erasures
  readonly forget: Forget
  readonly directions: Directions
  readonly exploration: Explorer
  /** Face attributes of samples, by the classifier a run names. */
  readonly attributes: Attributes
  readonly exports: Exports
  /** Big canvases for the Explore panel (exports draw theirs in a job). */
  readonly canvases: Canvases
  readonly experiments: Experiments
  readonly handlers: StudioHandlers

  private settings: StudioSettings

  private constructor(options: StudioOptions, settings: StudioSettings) {
    this.library = Library.open(options.libraryRoot)
    this.settings = settings
    // A --backend flag wins over the saved setting for this session.
    const backend = (): BackendName | null => options.backend ?? this.settings.backend
    this.jobs = new Jobs((job) => this.events.emit('jobs.changed', job))
    this.explorer = new EngineHost({ launcher: options.launcher, backend: backend(), threads: explorerThreads() })
    this.explorer.on('status', (status) => this.events.emit('engine.status', status))
    this.datasets = new Datasets(this.library, this.jobs)
    this.runs = new Runs(this.library.path('runs'), this.datasets, this.jobs, this.events, options.launcher, backend)
    this.concepts = new Concepts(this.library.path('concepts'), this.runs.store)
    this.erasures = new Erasures(this.library.path('erasures'))
    this.exploration = new Explorer(this.explorer, this.runs.store, this.datasets, this.concepts, this.erasures)
    this.canvases = new Canvases(this.explorer, this.exploration)
    this.attributes = new Attributes(this.library.path(CLASSIFIERS_DIR), this.runs.store, this.exploration, this.explorer)
    this.forget = new Forget(this.explorer, this.exploration, this.erasures, this.jobs)
    this.directions = new Directions(this.explorer, this.exploration, this.runs.store, this.jobs)
    this.exports = new Exports({
      jobs: this.jobs,
      directions: this.directions,
      exploration: this.exploration,
      engine: this.explorer,
      runs: this.runs.store,
      concepts: this.concepts,
      exportsDir: this.library.path('exports')
    })
    this.experiments = new Experiments({ jobs: this.jobs, exploration: this.exploration, datasets: this.datasets, launcher: options.launcher, backend })
    this.handlers = {
      'engine.status': async () => {
        // Status is best shown with the engine's own report, so start it on first ask; a failed start is
        // itself a status worth showing (with its reason), not an error.
        await this.explorer.start().catch(() => undefined)
        return this.explorer.status()
      },
      'engine.restart': async () => {
        await this.explorer.restart().catch(() => undefined)
        return this.explorer.status()
      },
      'library.info': async () => {
        const demo = readDemoManifest()
        const present = demo !== null && (await this.runs.store.ids()).includes(demo.runId)
        return { root: this.library.root, demoRunId: present ? demo.runId : null }
      },
      'settings.get': async () => this.settings,
      'settings.update': async (changes) => {
        const next = StudioSettings.parse({ ...this.settings, ...changes })
        await writeSettings(this.library.root, next)
        const backendChanged = next.backend !== this.settings.backend
        this.settings = next
        if (backendChanged && !options.backend) {
          this.explorer.setBackend(next.backend)
          await this.explorer.restart().catch(() => undefined)
        }
        return next
      },
      'system.pickPath': async ({ kind, title, defaultPath }) =>
        options.pickPath ? { available: true, path: await options.pickPath(kind, title, defaultPath) } : { available: false, path: null },
      'explore.generate': (params) => this.generate(params),
      'explore.render': (params) => this.exploration.render(params),
      'explore.walk': (params) => this.exploration.walk(params),
      'explore.grid': (params) => this.exploration.grid(params),
      'explore.walkPoint': (params) => this.exploration.walkPoint(params),
      'explore.randomWalk': (params) => this.exploration.randomWalk(params),
      'explore.arithmetic': (params) => this.exploration.arithmetic(params),
      'explore.features': (params) => this.exploration.features(params),
      'explore.filters': (params) => this.exploration.filters(params),
      'explore.guided': (params) => this.exploration.guided(params),
      'explore.map': (params) => this.exploration.map(params),
      'explore.applyConcept': (params) => this.exploration.applyConcept(params),
      'explore.canvas': (params) => this.canvases.render(params),
      'explore.classifier': ({ id }) => this.attributes.summary(id),
      'explore.attributes': (params) => this.attributes.score(params),

      'concepts.list': ({ runId }) => this.concepts.list(runId),
      'concepts.save': (params) => this.concepts.save(params),
      'directions.find': (params) => this.directions.find(params),
      'directions.start': async (params) => (await this.directions.start(params)).job,
      'concepts.delete': async ({ id }) => {
        await this.concepts.remove(id)
        return OK
      },

      'forget.fit': async (params) => (await this.forget.startFit(params)).job,
      'erasures.list': ({ runId }) => this.erasures.list(runId),
      'erasures.save': (params) => this.forget.save(params),
      'erasures.delete': async ({ id }) => {
        await this.erasures.remove(id)
        return OK
      },

      'datasets.list': () => this.datasets.list(),
      'datasets.get': ({ id }) => this.datasets.get(id),
      'datasets.preview': ({ id, start, count }) => this.datasets.preview(id, start, count),
      'datasets.import': async (request) => {
        await this.datasets.checkSource(request)
        return this.datasets.startImport(request).job
      },
      'datasets.delete': async ({ id }) => {
        await this.datasets.delete(id)
        return OK
      },

      'runs.list': () => this.runs.list(),
      'runs.get': ({ id }) => this.runs.get(id),
      'runs.create': (params) => this.runs.create(params),
      'runs.start': ({ id, steps }) => this.runs.start(id, steps),
      'runs.favourites': ({ id }) => this.runs.store.favourites(id),
      'runs.saveFavourites': async ({ id, samples }) => {
        await this.runs.store.writeFavourites(id, samples)
        return OK
      },
      'runs.pause': async ({ id }) => {
        await this.runs.pause(id)
        return OK
      },
      'runs.resume': async ({ id }) => {
        await this.runs.resume(id)
        return OK
      },
      'runs.stop': async ({ id }) => {
        await this.runs.stop(id)
        return OK
      },
      'runs.branch': ({ id, step, name }) => this.runs.branch(id, step, name),
      'runs.importModel': (params) => this.runs.importModel(params),
      'runs.chooseDataset': ({ id, datasetId }) => this.runs.chooseDataset(id, datasetId),
      'runs.exportModel': (params) => exportModel(this.runs.store, params, this.library.path('exports')),
      'runs.recreateDataset': async ({ id, resume }) =>
        (await startRecreateDataset({ runs: this.runs, datasets: this.datasets, jobs: this.jobs }, id, resume)).job,
      'runs.delete': async ({ id }) => {
        await this.runs.delete(id)
        // Exports made with them keep what they need in their own records.
        await this.erasures.removeRun(id)
        await this.concepts.removeRun(id)
        return OK
      },
      'runs.sample': async ({ id, step }) => ({ step, png: await this.runs.store.samplePng(id, step) }),

      'export.walk': async (params) => (await this.exports.startWalk(params)).job,
      'export.timelapse': async (params) => (await this.exports.startTimelapse(params)).job,
      'export.grid': (params) => this.exports.grid(params),
      'export.gridVideo': async (params) => (await this.exports.startGridVideo(params)).job,
      'export.samples': (params) => this.exports.samples(params),
      'export.directions': (params) => this.exports.directions(params),
      'export.image': (params) => this.exports.image(params),
      'export.arithmetic': (params) => this.exports.arithmetic(params),
      'export.erasure': (params) => this.exports.erasure(params),
      'export.canvas': async (params) => (await this.exports.startCanvas(params)).job,
      'export.vectors': (params) => this.exports.vectors(params),
      'export.concept': (params) => this.exports.concept(params),

      'experiments.probe': async (params) => (await this.experiments.startProbe(params)).job,
      'experiments.project': async (params) => (await this.experiments.startProject(params)).job,

      'jobs.list': async () => this.jobs.list(),
      'jobs.cancel': ({ id }) => this.jobs.cancel(id)
    }
  }

  /** Opens the library and finds runs a previous session left mid-training (they become 'interrupted'). */
  static async open(options: StudioOptions): Promise<Studio> {
    const studio = new Studio(options, await readSettings(options.libraryRoot))
    await studio.runs.recover()
    // An empty library opens with the demo model ready (once; deleting the demo keeps it deleted).
    await installDemoIfEmpty(studio.library).catch((err: unknown) => console.error(`Could not install the demo model: ${(err as Error).message}`))
    await upgradeInstalledDemo(studio.runs.store, studio.library).catch(() => false)
    return studio
  }

  call(method: string, params: unknown) {
    return dispatch(this.handlers, method, params)
  }

  /** Samples from a run's checkpoint, or from an untrained generator when no run is given. */
  async generate(params: GenerateParams) {
    if (!params.run) {
      return this.explorer.request('generate', {
        generator: { kind: 'untrained', model: params.model, weightSeed: params.weightSeed },
        seed: params.seed,
        count: params.count
      })
    }
    const { source, step } = await this.exploration.models(params.run)
    const result = await this.explorer.request('generate', { generator: source, seed: params.seed, count: params.count })
    return { ...result, step }
  }

  /** Stops training sessions (with checkpoints) and engines. */
  async close(): Promise<void> {
    await this.runs.stopAll()
    await this.explorer.stop()
  }
}
