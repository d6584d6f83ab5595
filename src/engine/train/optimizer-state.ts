import { readFile } from 'node:fs/promises'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { z } from 'zod'
import { RUN_FILES } from '../../shared/formats/run'
import { writeAndSync } from '../../node/atomic-files'
import { variableOf } from './gan-step'

/**
 * Adam's state for both networks, saved beside a checkpoint's models so a resumed run continues exactly:
 * `optimizers.bin` holds every first (m) and second (v) moment as float32, `optimizers.json` says where each
 * one is, which weight it belongs to and how many updates each optimizer has made.
 *
 * Moments are matched to weights by the weight's original name (`g_bn1/gamma`), never by tfjs's variable name:
 * that one gets `_1`, `_2` … suffixes when several models live in one process, so it differs between the run
 * that saved and the run that loads.
 */
export const OPTIMIZER_STATE_VERSION = 1

export type NetworkName = 'generator' | 'discriminator'

/** What Optimizer.getWeights() lists (tfjs does not export the type from its main entry). */
type NamedTensor = Awaited<ReturnType<tf.Optimizer['getWeights']>>[number]

export interface OptimizedNetwork {
  name: NetworkName
  model: tf.LayersModel
  optimizer: tf.Optimizer
  /** The variables the optimizer updates, in the order it keeps their moments. */
  variables: tf.Variable[]
}

const MomentEntry = z.object({
  /** The weight's original name, e.g. `g_deconv1/kernel`. */
  weight: z.string().min(1),
  shape: z.array(z.number().int().min(0)),
  /** Byte offsets of m and v in optimizers.bin. */
  m: z.number().int().min(0),
  v: z.number().int().min(0)
})

const NetworkState = z.object({
  network: z.enum(['generator', 'discriminator']),
  /** Updates made so far; Adam's bias correction depends on it. */
  iterations: z.number().int().min(0),
  /** Empty before the first update (Adam creates its moments lazily). */
  moments: z.array(MomentEntry)
})

export const OptimizerStateIndex = z.object({
  formatVersion: z.literal(OPTIMIZER_STATE_VERSION),
  optimizer: z.literal('adam'),
  dtype: z.literal('float32'),
  byteLength: z.number().int().min(0),
  networks: z.array(NetworkState)
})
export type OptimizerStateIndex = z.infer<typeof OptimizerStateIndex>

/** Writes optimizers.bin and optimizers.json into `dir` (a checkpoint folder being assembled), fsynced. */
export async function saveOptimizerStates(dir: string, networks: readonly OptimizedNetwork[]): Promise<void> {
  const index: OptimizerStateIndex = { formatVersion: OPTIMIZER_STATE_VERSION, optimizer: 'adam', dtype: 'float32', byteLength: 0, networks: [] }
  const chunks: Float32Array[] = []
  let offset = 0
  for (const network of networks) {
    const [iterationsWeight, ...moments] = await network.optimizer.getWeights()
    if (!iterationsWeight) throw new Error(`The ${network.name}'s optimizer reported no iteration count.`)
    const iterations = (await iterationsWeight.tensor.data())[0] ?? 0
    // getWeights() makes a fresh tensor for the count; the moments are the optimizer's own variables.
    iterationsWeight.tensor.dispose()
    const originalNames = originalNamesByVariable(network.model)
    const count = moments.length / 2
    const state: z.infer<typeof NetworkState> = { network: network.name, iterations, moments: [] }
    for (let i = 0; i < count; i++) {
      const m = moments[i] as NamedTensor
      const v = moments[count + i] as NamedTensor
      const variableName = m.name.replace(/\/m$/, '')
      const weight = originalNames.get(variableName)
      if (weight === undefined) {
        throw new Error(`The ${network.name}'s optimizer holds state for '${variableName}', which is not one of its weights.`)
      }
      const entry = { weight, shape: [...m.tensor.shape], m: offset, v: offset + m.tensor.size * 4 }
      chunks.push((await m.tensor.data()) as Float32Array, (await v.tensor.data()) as Float32Array)
      offset += (m.tensor.size + v.tensor.size) * 4
      state.moments.push(entry)
    }
    index.networks.push(state)
  }
  index.byteLength = offset
  const bytes = new Uint8Array(offset)
  let at = 0
  for (const chunk of chunks) {
    bytes.set(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength), at)
    at += chunk.byteLength
  }
  await writeAndSync(path.join(dir, RUN_FILES.optimizers), bytes)
  await writeAndSync(path.join(dir, RUN_FILES.optimizersIndex), JSON.stringify(index, null, 2))
}

/**
 * Loads the state saved by `saveOptimizerStates` into freshly made optimizers (ones that have not yet taken a
 * step: tfjs's setWeights replaces the moment variables without freeing old ones).
 */
export async function loadOptimizerStates(dir: string, networks: readonly OptimizedNetwork[]): Promise<void> {
  const indexPath = path.join(dir, RUN_FILES.optimizersIndex)
  const binPath = path.join(dir, RUN_FILES.optimizers)
  const index = await readIndex(indexPath)
  let bytes: Uint8Array
  try {
    bytes = await readFile(binPath)
  } catch (error) {
    throw new Error(`Cannot read the optimizer state ${binPath}: ${messageOf(error)}. Resume from an earlier checkpoint.`, { cause: error })
  }
  if (bytes.byteLength !== index.byteLength) {
    throw new Error(
      `${binPath} holds ${bytes.byteLength} bytes but ${indexPath} describes ${index.byteLength}: the checkpoint is damaged. ` +
        'Resume or branch from an earlier checkpoint.'
    )
  }
  // A copy into a fresh, 4-byte-aligned buffer: file buffers may start at any offset.
  const floats = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength))
  for (const network of networks) {
    const state = index.networks.find((candidate) => candidate.network === network.name)
    if (!state) throw new Error(`${indexPath} has no optimizer state for the ${network.name}.`)
    if (state.moments.length === 0) continue
    const byWeight = new Map(state.moments.map((entry) => [entry.weight, entry]))
    const originalNames = originalNamesByVariable(network.model)
    const entries = network.variables.map((variable) => {
      const weight = originalNames.get(variable.name) ?? variable.name
      const entry = byWeight.get(weight)
      if (!entry || !sameShape(entry.shape, variable.shape)) {
        throw new Error(
          `${indexPath} does not match the ${network.name}: ` +
            (entry ? `'${weight}' is [${entry.shape.join(', ')}] there but [${variable.shape.join(', ')}] in the model` : `it has no state for '${weight}'`) +
            '. The checkpoint belongs to a different architecture.'
        )
      }
      return { variable, entry }
    })
    if (entries.length !== state.moments.length) {
      throw new Error(`${indexPath} holds state for ${state.moments.length} ${network.name} weights but the model has ${entries.length}.`)
    }
    const slice = (byteOffset: number, shape: number[]): tf.Tensor => {
      const size = shape.reduce((product, dim) => product * dim, 1)
      return tf.tensor(floats.subarray(byteOffset / 4, byteOffset / 4 + size), shape, 'float32')
    }
    const iterations = tf.scalar(state.iterations, 'int32')
    const ms = entries.map(({ variable, entry }) => ({ name: `${variable.name}/m`, tensor: slice(entry.m, entry.shape) }))
    const vs = entries.map(({ variable, entry }) => ({ name: `${variable.name}/v`, tensor: slice(entry.v, entry.shape) }))
    try {
      // Adam keeps [iterations, m of each variable, v of each variable], in the order of its variable list.
      await network.optimizer.setWeights([{ name: 'iter', tensor: iterations }, ...ms, ...vs])
    } finally {
      // The optimizer made its own variables from these (sharing their data), so ours can go.
      tf.dispose([iterations, ...ms.map((m) => m.tensor), ...vs.map((v) => v.tensor)])
    }
  }
}

/** tfjs variable name (`g_bn1/gamma_3`) → the weight's original name (`g_bn1/gamma`) for a model's weights. */
function originalNamesByVariable(model: tf.LayersModel): Map<string, string> {
  return new Map(model.trainableWeights.map((weight) => [variableOf(weight).name, weight.originalName]))
}

async function readIndex(file: string): Promise<OptimizerStateIndex> {
  let data: unknown
  try {
    data = JSON.parse(await readFile(file, 'utf8'))
  } catch (error) {
    throw new Error(`Cannot read the optimizer state index ${file}: ${messageOf(error)}. Resume from an earlier checkpoint.`, { cause: error })
  }
  const parsed = OptimizerStateIndex.safeParse(data)
  if (!parsed.success) throw new Error(`${file} is not a valid optimizer state: ${z.prettifyError(parsed.error)}`)
  return parsed.data
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((dim, i) => dim === b[i])
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
