import * as path from 'node:path'
import type { z } from 'zod'
import type { AttributesParams, AttributesResult, ClassifierSummary } from '../../shared/api/explore'
import { StudioError } from '../../shared/api/errors'
import { CLASSIFIER_FILE, ClassifierInfo } from '../../shared/faces'
import type { EngineHost } from './engine-host'
import type { Explorer } from './explorer'
import { type RunStore, readJson } from './run-store'

/**
 * Face attributes of a run's samples (smiling, masculine, glasses, pose), scored by the face-attribute
 * classifier the run names in its record (RunRecord.classifier: a folder under the library's classifiers/).
 * The link is checked every time it is used: the folder must hold a classifier description, for the size
 * and channels the model draws; anything else is an error that says which file and what to do.
 */
export class Attributes {
  constructor(
    private readonly classifiersDir: string,
    private readonly runs: RunStore,
    private readonly exploration: Explorer,
    private readonly engine: EngineHost
  ) {}

  /** The run's classifier, or null when the run names none. */
  async classifierOf(runId: string): Promise<{ id: string; dir: string; info: ClassifierInfo } | null> {
    const record = await this.runs.read(runId)
    if (record.classifier === undefined) return null
    const id = record.classifier
    const dir = path.join(this.classifiersDir, id)
    const file = path.join(dir, CLASSIFIER_FILE)
    const info = await readJson(
      file,
      ClassifierInfo,
      `Run "${record.name}" is scored by the face classifier "${id}", but ${file} is missing. Put the classifier back in that folder (the demo's ships in resources/demo/classifier), or remove "classifier" from ${path.join(this.runs.folder(runId), 'run.json')}.`
    )
    if (info.size !== record.model.imageSize || info.channels !== record.model.channels) {
      throw new StudioError(
        'bad_request',
        `The face classifier "${id}" sees ${info.size}px ${info.channels === 1 ? 'grayscale' : 'RGB'} faces, but run "${record.name}" draws ${record.model.imageSize}px ${record.model.channels === 1 ? 'grayscale' : 'RGB'} images; train a classifier for this size (dcgan-studio train-classifier --size ${record.model.imageSize}).`
      )
    }
    return { id, dir, info }
  }

  async summary(runId: string): Promise<ClassifierSummary | null> {
    const classifier = await this.classifierOf(runId)
    if (!classifier) return null
    const { info } = classifier
    return { id: classifier.id, size: info.size, attributes: [...info.attributes], poses: [...info.poses], accuracy: info.accuracy }
  }

  /** Draws the samples with the checkpoint (and erasure) asked for and scores them, in the engine. */
  async score(params: z.output<typeof AttributesParams>): Promise<AttributesResult> {
    const classifier = await this.classifierOf(params.run.id)
    if (!classifier) {
      throw new StudioError('bad_request', `Run ${params.run.id} has no face-attribute classifier, so its samples cannot be scored by attribute.`)
    }
    const { source, model, step } = await this.exploration.models(params.run)
    const flat = new Float32Array(params.z.length * model.zDim)
    params.z.forEach((spec, i) => flat.set(this.exploration.resolveZ(spec, model), i * model.zDim))
    const { probabilities } = await this.engine.request('classifySamples', {
      generator: source,
      classifierDir: classifier.dir,
      z: flat,
      count: params.z.length
    })
    return { classifier: classifier.id, probabilities, step }
  }
}
