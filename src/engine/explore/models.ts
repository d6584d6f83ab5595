import * as fs from 'node:fs'
import * as path from 'node:path'
import type * as tf from '@tensorflow/tfjs'
import type { ErasureSpec, ModelSource } from '../../shared/api/explore'
import { StudioError } from '../../shared/api/errors'
import type { ModelConfig } from '../../shared/formats/model'
import { missingNetworkMessage } from '../../shared/formats/model-import'
import { RUN_FILES } from '../../shared/formats/run'
import { buildDiscriminator, buildGenerator, describeLayers, isPaddingLayer, type LayerSpec, layersOf, loadModel, MODEL_JSON, ModelFileError } from '../model'

/**
 * The explorer's models: G and D of each `ModelSource`, built or loaded once and kept in a small LRU cache, so
 * a dragged slider or a second feature view neither rebuilds millions of weights nor rereads a checkpoint.
 *
 * Requests run concurrently (each awaits downloads), so a model one request is using must not be freed
 * because another request pushed it out of the cache: `use` pins a source for the duration of its callback,
 * and an evicted source is freed when its last user is done.
 */

export type NetName = 'G' | 'D'

/** One network ready to run, with what the forward pass needs to know about it. */
export interface Network {
  readonly net: NetName
  readonly model: tf.LayersModel
  /** The layer plan (describeLayers), input layer first; the model's layers match it name for name. */
  readonly plan: readonly LayerSpec[]
  readonly config: ModelConfig
  /**
   * Normalise BatchNorm with the batch's own statistics. True for untrained networks: their moving statistics
   * are still the initial 0 and 1, which shrink every activation towards flat grey (the paper's Torch code and
   * PyTorch's DCGAN example sample the same way). A checkpoint uses its moving statistics, so an image does not
   * depend on what else is in the batch.
   */
  readonly batchStats: boolean
  /** G only: feature maps the forward pass drops at every location (forgetting to draw), or null. */
  readonly erase: ErasureSpec | null
}

/** The networks of one source, loaded on first use. */
export interface ModelPair {
  readonly source: ModelSource
  network(net: NetName): Promise<Network>
}

interface Entry {
  readonly source: ModelSource
  readonly models: Map<NetName, Promise<tf.LayersModel>>
  users: number
  evicted: boolean
}

export class ModelCache {
  private readonly entries = new Map<string, Entry>()

  /** `capacity` sources stay cached; guided backprop alone needs two (the trained D and a random-init one). */
  constructor(private readonly capacity = 4) {}

  /** Runs `fn` with the source's networks pinned in memory. */
  async use<T>(source: ModelSource, fn: (pair: ModelPair) => Promise<T>): Promise<T> {
    const entry = this.acquire(source)
    try {
      return await fn({ source, network: (net) => this.network(entry, net, source.erase) })
    } finally {
      entry.users -= 1
      if (entry.evicted && entry.users === 0) disposeEntry(entry)
    }
  }

  /** Frees every cached model (the engine is shutting down). */
  dispose(): void {
    for (const entry of this.entries.values()) disposeEntry(entry)
    this.entries.clear()
  }

  private acquire(source: ModelSource): Entry {
    const key = sourceKey(source)
    let entry = this.entries.get(key)
    if (entry) this.entries.delete(key)
    else entry = { source, models: new Map(), users: 0, evicted: false }
    // Re-inserting moves the source to the most recently used end of the map's order.
    this.entries.set(key, entry)
    entry.users += 1
    for (const [oldKey, old] of this.entries) {
      if (this.entries.size <= this.capacity) break
      this.entries.delete(oldKey)
      old.evicted = true
      if (old.users === 0) disposeEntry(old)
    }
    return entry
  }

  /** The cached network; an erasure belongs to the request's source, not to the cached weights. */
  private async network(entry: Entry, net: NetName, erase: ErasureSpec | undefined): Promise<Network> {
    let pending = entry.models.get(net)
    if (!pending) {
      pending = createModel(entry.source, net)
      entry.models.set(net, pending)
      // A failed load is not cached: the next request tries again (the file may have been fixed or finished).
      pending.catch(() => {
        if (entry.models.get(net) === pending) entry.models.delete(net)
      })
    }
    const model = await pending
    const config = entry.source.model
    const plans = describeLayers(config)
    const plan = net === 'G' ? plans.generator : plans.discriminator
    return {
      net,
      model,
      plan,
      config,
      batchStats: entry.source.kind === 'untrained',
      erase: net === 'G' && erase && erase.channels.length > 0 ? checkErasure(erase, plan) : null
    }
  }
}

/** The erasure, if its layer is in G's plan and its channels exist there; a clear error otherwise. */
function checkErasure(erase: ErasureSpec, plan: readonly LayerSpec[]): ErasureSpec {
  const spec = plan.find((layer) => layer.name === erase.layer)
  if (!spec) {
    const layers = plan.filter((layer) => layer.kind === 'relu').map((layer) => layer.name)
    throw new StudioError('bad_request', `This generator has no layer '${erase.layer}' to erase maps from; it has ${layers.join(', ')}.`)
  }
  const channels = spec.outputShape[spec.outputShape.length - 1] as number
  const outside = erase.channels.find((channel) => channel >= channels)
  if (outside !== undefined) {
    throw new StudioError('bad_request', `The erasure drops map ${outside} of ${erase.layer}, which has only ${channels} maps (0…${channels - 1}).`)
  }
  return erase
}

function sourceKey(source: ModelSource): string {
  return source.kind === 'untrained'
    ? `untrained:${JSON.stringify(source.model)}#${source.weightSeed}`
    : `checkpoint:${JSON.stringify(source.model)}@${source.dir}`
}

function disposeEntry(entry: Entry): void {
  for (const pending of entry.models.values()) {
    pending.then(
      (model) => model.dispose(),
      () => undefined
    )
  }
}

async function createModel(source: ModelSource, net: NetName): Promise<tf.LayersModel> {
  if (source.kind === 'untrained') {
    return net === 'G' ? buildGenerator(source.model, source.weightSeed) : buildDiscriminator(source.model, source.weightSeed)
  }
  const dir = path.join(source.dir, net === 'G' ? RUN_FILES.generator : RUN_FILES.discriminator)
  const other = path.join(source.dir, net === 'G' ? RUN_FILES.discriminator : RUN_FILES.generator)
  // A model imported from one file (netG.pth alone) has only that network: say so, not "file missing".
  if (!fs.existsSync(dir) && fs.existsSync(path.join(other, MODEL_JSON))) throw new StudioError('bad_request', missingNetworkMessage(net))
  let model: tf.LayersModel
  try {
    model = await loadModel(dir)
  } catch (error) {
    if (error instanceof ModelFileError) throw new StudioError('io_error', error.message, { file: error.file })
    throw error
  }
  const mismatch = architectureMismatch(model, net, source.model)
  if (mismatch !== null) {
    model.dispose()
    throw new StudioError(
      'bad_request',
      `The ${net === 'G' ? 'generator' : 'discriminator'} in ${dir} does not match the run's architecture: ${mismatch}. ` +
        'The run settings and this checkpoint disagree; open the checkpoint with the settings it was trained with.'
    )
  }
  return model
}

/** Why a loaded model's layers differ from the plan of `config` (names and output shapes), or null. */
function architectureMismatch(model: tf.LayersModel, net: NetName, config: ModelConfig): string | null {
  const plans = describeLayers(config)
  const plan = net === 'G' ? plans.generator : plans.discriminator
  const layers = model.layers.filter((layer) => !isPaddingLayer(layer.name))
  if (layers.length !== plan.length) return `it has ${layers.length} layers where ${plan.length} were expected`
  for (let i = 0; i < plan.length; i++) {
    const spec = plan[i] as LayerSpec
    const layer = layers[i] as tf.layers.Layer
    if (layer.name !== spec.name) return `layer ${i} is '${layer.name}', expected '${spec.name}'`
    // A symmetric conv's planned output is after its cropping (a deconv's 'valid' output is larger).
    const shape = ((layersOf(model, spec.name).at(-1) ?? layer).outputShape as (number | null)[]).slice(1)
    if (shape.join('×') !== spec.outputShape.join('×')) {
      return `layer '${spec.name}' outputs ${shape.join('×')}, expected ${spec.outputShape.join('×')}`
    }
  }
  return null
}
