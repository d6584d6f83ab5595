import * as tf from '@tensorflow/tfjs'
import type { z } from 'zod'
import type { ClassifySamplesResult, EngineClassifySamplesParams, EngineTrainClassifierParams, TrainClassifierResult } from '../shared/api/explore'
import { classify, loadClassifier, saveClassifier, trainClassifier } from './classifier'
import { type ModelCache } from './explore'
import { renderTensor } from './explore/generate'
import type { RequestContext } from './server'

/** Samples rendered and classified per chunk: bounded memory for thousands of samples. */
const CHUNK = 128

/**
 * The face-attribute checks behind the demo: classify what a generator makes (the images never leave the
 * engine), and train the classifier itself. The classifier is loaded once per folder and kept.
 */
export class FaceAttributes {
  private readonly classifiers = new Map<string, Promise<tf.LayersModel>>()

  constructor(private readonly models: ModelCache) {}

  async classifySamples(params: z.output<typeof EngineClassifySamplesParams>, ctx: RequestContext): Promise<z.output<typeof ClassifySamplesResult>> {
    const classifier = await this.classifier(params.classifierDir)
    const zDim = params.generator.model.zDim
    return this.models.use(params.generator, async (pair) => {
      const generator = await pair.network('G')
      const probabilities = []
      for (let start = 0; start < params.count; start += CHUNK) {
        if (ctx.signal.aborted) throw new Error('Cancelled.')
        const count = Math.min(CHUNK, params.count - start)
        const images = renderTensor(generator, params.z.subarray(start * zDim, (start + count) * zDim), count)
        try {
          probabilities.push(...(await classify(classifier, images)))
        } finally {
          images.dispose()
        }
        ctx.progress((start + count) / params.count, `Classified ${start + count} of ${params.count} samples`)
      }
      return { probabilities }
    })
  }

  async trainClassifier(params: z.output<typeof EngineTrainClassifierParams>, ctx: RequestContext): Promise<z.output<typeof TrainClassifierResult>> {
    const started = performance.now()
    const trained = await trainClassifier({
      size: params.size,
      channels: params.channels,
      trainCount: params.trainCount,
      testCount: params.testCount,
      seed: params.seed,
      epochs: params.epochs,
      batchSize: params.batchSize,
      signal: ctx.signal,
      onProgress: (p) => {
        if (p.phase === 'drawing') ctx.progress(0.1 * (p.done / Math.max(1, p.total)), `Drawing faces ${p.done}/${p.total}`)
        else if (p.phase === 'training')
          ctx.progress(0.1 + 0.85 * ((p.epoch * p.steps + p.step) / (p.epochs * p.steps)), `Epoch ${p.epoch + 1}/${p.epochs} · loss ${p.loss.toFixed(4)}`)
        else ctx.progress(0.97, 'Measuring accuracy on held-out faces')
      }
    })
    try {
      await saveClassifier(trained.model, params.outDir, trained.info)
    } finally {
      trained.model.dispose()
    }
    return { accuracy: trained.accuracy, seconds: (performance.now() - started) / 1000, dir: params.outDir }
  }

  private classifier(dir: string): Promise<tf.LayersModel> {
    let model = this.classifiers.get(dir)
    if (!model) {
      model = loadClassifier(dir).then((loaded) => loaded.model)
      // A failed load is not cached: the next request tries again (e.g. after the file was fixed).
      model.catch(() => this.classifiers.delete(dir))
      this.classifiers.set(dir, model)
    }
    return model
  }

  dispose(): void {
    for (const model of this.classifiers.values())
      void model.then(
        (m) => m.dispose(),
        () => undefined
      )
    this.classifiers.clear()
  }
}
