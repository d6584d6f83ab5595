import * as fs from 'node:fs'
import * as path from 'node:path'
import sharp from 'sharp'
import type { z } from 'zod'
import type { BackendName } from '../../shared/api/engine'
import { StudioError, fieldError } from '../../shared/api/errors'
import {
  PROBE_PROTOCOLS,
  type ProbeParams,
  type ProbeReport,
  type ProjectImageSource,
  type ProjectParams,
  type ProjectReport,
  type ProtocolProbeParams,
  type ProtocolProbeReport
} from '../../shared/api/experiments'
import type { RgbaImage } from '../../shared/api/image'
import type { Job, JobKind } from '../../shared/api/jobs'
import type { ModelConfig } from '../../shared/formats/model'
import type { EngineParams, EngineResult } from '../../shared/engine-protocol'
import type { Datasets } from './datasets'
import { EngineHost } from './engine-host'
import type { EngineLauncher } from './engine-process'
import type { Explorer } from './explorer'
import { DEFAULT_LIMITS, IMPORT_BACKGROUND } from './import'
import { decodeToSquare } from './import/decode-image-file'
import { readSourceFile } from './import/read-source-file'
import { sniffImage } from './import/sniff-image'
import type { JobContext, Jobs } from './jobs'

/**
 * The paper's other experiments as jobs: the linear probe on D's features (Section 5) and projecting an image
 * into z. Each job runs in an engine process of its own, started for the job and stopped after it, so minutes
 * of probing never hold up the explorer's sliders and walks; cancel stops the engine's work at its next chunk.
 */

export interface ExperimentsDeps {
  jobs: Jobs
  exploration: Explorer
  datasets: Datasets
  launcher: EngineLauncher
  backend: () => BackendName | null
}

const EXPERIMENT_JOB: JobKind = 'experiment'

export class Experiments {
  constructor(private readonly deps: ExperimentsDeps) {}

  /** Checks the run and the dataset, then probes as a job; the job's result is a ProbeReport. */
  async startProbe(params: z.output<typeof ProbeParams>): Promise<{ job: Job; done: Promise<ProbeReport> }> {
    const { source, step } = await this.deps.exploration.models(params.run)
    const manifest = await this.deps.datasets.get(params.datasetId)
    if (!manifest.labels) {
      throw new StudioError(
        'bad_request',
        `The dataset "${manifest.name}" has no labels. A probe needs labelled images: import a folder with one subfolder per class, or an IDX file with its labels file.`
      )
    }
    const datasetDir = this.deps.datasets.folder(params.datasetId)
    const perClass = params.perClass
    return this.deps.jobs.start({
      kind: EXPERIMENT_JOB,
      title: `Linear probe of ${params.run.id} on ${manifest.name}`,
      target: { kind: 'run', id: params.run.id },
      run: async (ctx) => {
        const result = await this.inEngine(ctx, 'probe', {
          models: source,
          randomSeed: params.randomSeed,
          datasetDir,
          perClass,
          validationPerClass: params.validationPerClass ?? perClass,
          maxTest: params.maxTest,
          seed: params.seed
        })
        return {
          ...result,
          accuracy: result.trainedD.testAccuracy,
          pixelsAccuracy: result.pixels.testAccuracy,
          randomDAccuracy: result.randomD.testAccuracy,
          features: result.trainedD.features,
          run: params.run.id,
          step,
          dataset: { id: manifest.id, name: manifest.name },
          perClass
        }
      },
      doneMessage: (r) => `Test accuracy: trained D ${percent(r.accuracy)}, pixels ${percent(r.pixelsAccuracy)}, random-init D ${percent(r.randomDAccuracy)}.`
    })
  }

  /**
   * One of the paper's probe protocols (CIFAR-10's Table 1, SVHN's Table 2) as a job: the preset's counts, unless
   * overridden, on a training and a test dataset from the library; the report carries the paper's number.
   */
  async startProtocolProbe(params: z.output<typeof ProtocolProbeParams>): Promise<{ job: Job; done: Promise<ProtocolProbeReport> }> {
    const { source, step } = await this.deps.exploration.models(params.run)
    const preset = PROBE_PROTOCOLS[params.protocol]
    const train = await this.deps.datasets.get(params.trainDatasetId)
    const test = await this.deps.datasets.get(params.testDatasetId)
    for (const [field, m] of [
      ['trainDatasetId', train],
      ['testDatasetId', test]
    ] as const) {
      if (!m.labels) throw fieldError([field], `The dataset "${m.name}" has no labels; the ${preset.title} protocol needs labelled images.`)
    }
    if (train.id === test.id)
      throw fieldError(
        ['testDatasetId'],
        `"${train.name}" is the training set; choose its test set (e.g. CIFAR-10's test_batch.bin, SVHN's test_32x32.mat) as the test dataset.`
      )
    const counts = {
      validation: params.validation ?? preset.validation,
      perClass: params.perClass ?? preset.perClass,
      selectionDraws: params.selectionDraws ?? preset.selectionDraws,
      testDraws: params.testDraws ?? preset.testDraws
    }
    const departures = [
      counts.validation !== preset.validation &&
        `${counts.validation.toLocaleString('en-US')} validation images (the preset: ${preset.validation.toLocaleString('en-US')})`,
      counts.perClass !== preset.perClass && `${counts.perClass} labels per class (the preset: ${preset.perClass ?? 'as many as fit'})`,
      counts.selectionDraws !== preset.selectionDraws &&
        `${counts.selectionDraws} draw${counts.selectionDraws === 1 ? '' : 's'} per C (the preset: ${preset.selectionDraws})`,
      counts.testDraws !== preset.testDraws && `${counts.testDraws} test draw${counts.testDraws === 1 ? '' : 's'} (the preset: ${preset.testDraws})`
    ].filter((d): d is string => typeof d === 'string')
    return this.deps.jobs.start({
      kind: EXPERIMENT_JOB,
      title: `${preset.title} probe of ${params.run.id}`,
      target: { kind: 'run', id: params.run.id },
      run: async (ctx) => {
        const result = await this.inEngine(ctx, 'probeProtocol', {
          models: source,
          trainDir: this.deps.datasets.folder(train.id),
          testDir: this.deps.datasets.folder(test.id),
          ...counts,
          cs: [...preset.cs],
          seed: params.seed
        })
        return {
          ...result,
          protocol: params.protocol,
          run: params.run.id,
          step,
          train: { id: train.id, name: train.name },
          test: { id: test.id, name: test.name },
          paper: preset.paper,
          departures
        }
      },
      doneMessage: (r) => `${preset.title}: test error ${percent(r.testError.mean)} ± ${percent(r.testError.halfWidth)} (the paper: ${preset.paper.text}).`
    })
  }

  /** Loads the image at the model's size, then projects it as a job; the job's result is a ProjectReport. */
  async startProject(params: z.output<typeof ProjectParams>): Promise<{ job: Job; done: Promise<ProjectReport> }> {
    const { source, model, step } = await this.deps.exploration.models(params.run)
    const image = await this.loadImage(params.image, model)
    const name = params.image.kind === 'file' ? path.resolve(params.image.path) : `dataset ${params.image.datasetId} #${params.image.index}`
    return this.deps.jobs.start({
      kind: EXPERIMENT_JOB,
      title: `Project ${params.image.kind === 'file' ? path.basename(name) : name} into ${params.run.id}`,
      target: { kind: 'run', id: params.run.id },
      run: async (ctx) => {
        const result = await this.inEngine(ctx, 'project', {
          generator: source,
          image,
          starts: params.starts,
          steps: params.steps,
          learningRate: params.learningRate,
          seed: params.seed
        })
        return { ...result, run: params.run.id, step, image: name }
      },
      doneMessage: (r) =>
        `Best of ${r.errors.length} starts: pixel error ${r.error.toExponential(2)} (a random z: ${Math.min(...r.initialErrors).toExponential(2)}).`
    })
  }

  /** Runs one request in a fresh engine, with the job's progress, ETA and cancel. */
  private async inEngine<M extends 'probe' | 'probeProtocol' | 'project'>(ctx: JobContext, method: M, params: EngineParams<M>): Promise<EngineResult<M>> {
    const engine = new EngineHost({ launcher: this.deps.launcher, backend: this.deps.backend(), maxRestarts: 0 })
    const started = Date.now()
    try {
      ctx.report(null, 'Starting an engine…')
      await engine.start()
      return await engine.request(method, params, {
        signal: ctx.signal,
        onProgress: (progress, message) => {
          const seconds = (Date.now() - started) / 1000
          ctx.report(progress, message, progress > 0.02 ? (seconds * (1 - progress)) / progress : null)
        }
      })
    } finally {
      await engine.stop()
    }
  }

  /** The image to project as the model sees it: the model's size (centre-cropped), RGBA. */
  private async loadImage(source: ProjectImageSource, model: ModelConfig): Promise<RgbaImage> {
    const size = model.imageSize
    if (source.kind === 'dataset') {
      const preview = await this.deps.datasets.preview(source.datasetId, source.index, 1)
      const image = preview.images[0]
      if (!image || source.index >= preview.total) {
        throw new StudioError('not_found', `The dataset ${source.datasetId} has no image ${source.index} (it holds ${preview.total}).`)
      }
      if (image.width === size) return image
      const data = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 4 } })
        .resize(size, size, { fit: 'fill' })
        .raw()
        .toBuffer()
      return { width: size, height: size, data: new Uint8Array(data) }
    }
    const file = path.resolve(source.path)
    await checkImageFile(file)
    const read = await readSourceFile(file, DEFAULT_LIMITS.maxFileBytes)
    if (!read.ok) throw new StudioError('bad_request', `Cannot use ${file} as the image to project: ${read.reason}.`)
    const sniffed = sniffImage(read.bytes)
    if (sniffed.kind !== 'image')
      throw new StudioError(
        'bad_request',
        `Cannot use ${file} as the image to project: ${sniffed.reason}. Pick a JPEG, PNG, WebP, GIF, BMP, TIFF or PGM/PPM/PBM file.`
      )
    const pixels = await decodeToSquare(read.bytes, sniffed.format, DEFAULT_LIMITS, {
      size,
      channels: model.channels,
      fit: 'crop',
      background: IMPORT_BACKGROUND,
      maxPixels: DEFAULT_LIMITS.maxPixels
    })
    if (typeof pixels === 'string') throw new StudioError('bad_request', `Cannot use ${file} as the image to project: ${pixels}.`)
    return toRgba(pixels, size, model.channels)
  }
}

/** A missing path or a folder, said as such (and marked on the form's image field) before any reading. */
async function checkImageFile(file: string): Promise<void> {
  const where = ['image', 'path']
  const info = await fs.promises.stat(file).catch((err: unknown) => err as NodeJS.ErrnoException)
  if (info instanceof Error) {
    if (info.code === 'ENOENT') throw fieldError(where, `There is no file ${file}. Check the path: it is a path on the machine running the studio.`)
    return // Unreadable for another reason: readSourceFile says which.
  }
  if (info.isDirectory()) throw fieldError(where, `${file} is a folder; choose an image file in it (JPEG, PNG, WebP, GIF, BMP, TIFF or PGM/PPM/PBM).`)
}

function toRgba(pixels: Uint8Array, size: number, channels: 1 | 3): RgbaImage {
  const data = new Uint8Array(size * size * 4)
  for (let p = 0; p < size * size; p++) {
    for (let c = 0; c < 3; c++) data[p * 4 + c] = pixels[p * channels + (channels === 3 ? c : 0)] ?? 0
    data[p * 4 + 3] = 255
  }
  return { width: size, height: size, data }
}

function percent(x: number): string {
  return `${(x * 100).toFixed(1)}%`
}
