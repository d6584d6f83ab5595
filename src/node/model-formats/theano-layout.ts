import * as fs from 'node:fs'
import path from 'node:path'
import type { NetName } from '../../shared/formats/model-import'
import type { LayerOptions } from '../../shared/formats/model'
import { layoutProblem, type NetworkShape } from './dcgan-weights'
import { ModelFileError } from './model-file-error'
import { readNpy } from './npy'
import { PickleDict, type PickleValue, describePickle, unpickle } from './pickle'
import { numel, type StoredTensor } from './tensor'

/**
 * The paper authors' released models (Newmu/dcgan_code): `EPOCH_gen_params.jl` and `EPOCH_discrim_params.jl`,
 * joblib pickles of a list of parameter arrays, each stored beside the pickle as `….jl_NN.npy`. Their Theano
 * code computes differently from the studio's defaults, and the mapping here makes the studio's layers compute
 * the same (checked against a numpy forward pass of their code, tests/support/python/newmu_svhn.py):
 * - its convolutions are true convolutions (cuDNN conv_mode 'conv'): kernels are flipped in both spatial axes;
 * - it pads 2 on every side of a 5×5 stride-2 conv, and its "deconv" is that conv's gradient (ModelConfig
 *   padding 'symmetric');
 * - G's first batch norm is per unit of the dense output (projectionNorm 'unit'), with eps 1e-8;
 * - it is channels first: the dense output is reshaped as (256, 4, 4) and D's last map flattened that way, so
 *   those units are permuted to the studio's channels-last order;
 * - it keeps no population statistics (every batch is normalised by its own), so they are estimated at import.
 * The layer plan is the svhn models' (32 px: dense, 2 deconvs, output deconv; 3 convs and a dense in D).
 */

export const THEANO_LAYER_OPTIONS: LayerOptions = { padding: 'symmetric', projectionNorm: 'unit', batchNormEpsilon: 1e-8 }

const PARAMS_FILE = /^(\d+)_(gen|discrim)_params\.jl$/

export interface TheanoNetwork {
  readonly net: NetName
  readonly shape: NetworkShape
  readonly weights: ReadonlyMap<string, StoredTensor>
  readonly epoch: number
  /** The pickle and the .npy files it lists, in order. */
  readonly files: readonly string[]
}

/** The newest epoch's gen/discrim .jl files in a folder listing (empty when it holds none). */
export function theanoParamFiles(names: readonly string[]): string[] {
  const found = names.map((name) => ({ name, match: PARAMS_FILE.exec(name) })).filter((f) => f.match !== null)
  const picked: string[] = []
  for (const kind of ['gen', 'discrim']) {
    const newest = found.filter((f) => f.match?.[2] === kind).sort((a, b) => Number(b.match?.[1]) - Number(a.match?.[1]))[0]
    if (newest) picked.push(newest.name)
  }
  return picked
}

export function isTheanoParamFile(file: string): boolean {
  return PARAMS_FILE.test(path.basename(file))
}

/** Reads one `EPOCH_gen_params.jl` or `EPOCH_discrim_params.jl` and the arrays it lists. */
export async function readTheanoNetwork(file: string): Promise<TheanoNetwork> {
  const match = PARAMS_FILE.exec(path.basename(file))
  if (!match) throw new ModelFileError(file, `${file} is not named as Newmu/dcgan_code saves parameters (EPOCH_gen_params.jl, EPOCH_discrim_params.jl).`)
  const net: NetName = match[2] === 'gen' ? 'G' : 'D'
  const arrays = await listedArrays(file)
  const dir = path.dirname(file)
  const tensors: StoredTensor[] = []
  for (const name of arrays) {
    const npy = path.join(dir, name)
    const buffer = await fs.promises.readFile(npy).catch(() => {
      throw new ModelFileError(npy, `${file} lists ${name}, which is not beside it; joblib stores each array as its own .npy file next to the pickle.`)
    })
    tensors.push(readNpy(new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength), npy))
  }
  const { shape, weights } = net === 'G' ? generatorWeights(tensors, file) : discriminatorWeights(tensors, file)
  const problem = layoutProblem(net, shape, weights)
  if (problem) throw new ModelFileError(file, `${file} does not map onto the studio's ${net === 'G' ? 'generator' : 'discriminator'}: ${problem}.`)
  return { net, shape, weights, epoch: Number(match[1]), files: [file, ...arrays.map((name) => path.join(dir, name))] }
}

/** The .npy names the joblib pickle lists: a list of NDArrayWrapper records, each naming its file. */
async function listedArrays(file: string): Promise<string[]> {
  const bytes = new Uint8Array(await fs.promises.readFile(file))
  const wrapper = { call: () => new PickleDict() }
  const { value } = unpickle(bytes, {
    file,
    what: file,
    globals: {
      'sklearn.externals.joblib.numpy_pickle.NDArrayWrapper': wrapper,
      'joblib.numpy_pickle.NDArrayWrapper': wrapper,
      'numpy.ndarray': {}
    }
  })
  const items: readonly PickleValue[] = Array.isArray(value) ? value : []
  const names = items.map((item) => (item instanceof PickleDict ? item.attributes.get('filename') : undefined))
  if (items.length === 0 || names.some((name) => typeof name !== 'string' || path.basename(name) !== name)) {
    throw new ModelFileError(
      file,
      `${file} holds ${describePickle(value)}, not joblib's list of arrays stored beside it (NDArrayWrapper records naming .npy files).`
    )
  }
  return names as string[]
}

type Mapped = { shape: NetworkShape; weights: Map<string, StoredTensor> }

/** [zDim, 4096] dense; BN scale, shift per unit; three deconvs (in, out, 5, 5) with BN between. */
function generatorWeights(t: readonly StoredTensor[], file: string): Mapped {
  const [project, gamma0, beta0, ...rest] = expectCount(t, 10, file, 'G: a dense kernel, its batch norm, and three deconvs with batch norm between') as [
    StoredTensor,
    StoredTensor,
    StoredTensor,
    ...StoredTensor[]
  ]
  const deconvs = [rest[0], rest[3], rest[6]] as StoredTensor[]
  const [channels, width] = [dim(deconvs[2], 1, file), dim(deconvs[2], 0, file)]
  const base = dim(deconvs[0], 0, file)
  if (project.shape.length !== 2 || project.shape[1] !== 16 * base)
    fail(file, `its first array is [${project.shape.join(', ')}], expected [nz, ${16 * base}] (a dense layer onto ${base} × 4 × 4)`)
  const shape: NetworkShape = {
    imageSize: 32,
    channels: channelsOf(channels, file),
    zDim: project.shape[0] as number,
    kernelSize: 5,
    width,
    projectionNorm: 'unit'
  }
  const units = 16 * base
  const weights = new Map<string, StoredTensor>([
    ['g_project/kernel', float([project.shape[0] as number, units], permuteColumns(project.values, project.shape[0] as number, base))],
    ...unitBatchNorm('g_bn0', gamma0, beta0, base)
  ])
  deconvs.forEach((kernel, i) => {
    const name = i === 2 ? 'g_out' : `g_deconv${i + 1}`
    weights.set(`${name}/kernel`, studioKernel(kernel, file))
    if (i < 2) for (const [key, value] of batchNorm(`g_bn${i + 1}`, rest[3 * i + 1] as StoredTensor, rest[3 * i + 2] as StoredTensor)) weights.set(key, value)
  })
  return { shape, weights }
}

/** A conv without batch norm, two convs with it, and a dense [4096, 1] onto the verdict. */
function discriminatorWeights(t: readonly StoredTensor[], file: string): Mapped {
  const [conv0, conv1, gamma1, beta1, conv2, gamma2, beta2, logit] = expectCount(
    t,
    8,
    file,
    'D: three convs (batch norm after the second and third) and a dense layer'
  ) as [StoredTensor, StoredTensor, StoredTensor, StoredTensor, StoredTensor, StoredTensor, StoredTensor, StoredTensor]
  const last = dim(conv2, 0, file)
  if (logit.shape.length !== 2 || logit.shape[0] !== 16 * last || logit.shape[1] !== 1)
    fail(file, `its last array is [${logit.shape.join(', ')}], expected [${16 * last}, 1]`)
  const shape: NetworkShape = { imageSize: 32, channels: channelsOf(dim(conv0, 1, file), file), zDim: 0, kernelSize: 5, width: dim(conv0, 0, file) }
  const weights = new Map<string, StoredTensor>([
    ['d_conv0/kernel', studioKernel(conv0, file)],
    ['d_conv1/kernel', studioKernel(conv1, file)],
    ...batchNorm('d_bn1', gamma1, beta1),
    ['d_conv2/kernel', studioKernel(conv2, file)],
    ...batchNorm('d_bn2', gamma2, beta2),
    ['d_logit/kernel', float([16 * last, 1], permuteColumns(logit.values, 1, last, true))]
  ])
  return { shape, weights }
}

/**
 * Theano kernels to tfjs's [k, k, ·, ·], flipped in both spatial axes (true convolution → cross-correlation).
 * A conv's (out, in, k, k) becomes [k, k, in, out]; a deconv's (in, out, k, k) — the kernel of the conv it is
 * the gradient of — becomes conv2dTranspose's [k, k, out, in].
 */
function studioKernel(kernel: StoredTensor, file: string): StoredTensor {
  if (kernel.shape.length !== 4 || kernel.shape[2] !== 5 || kernel.shape[3] !== 5) fail(file, `a kernel is [${kernel.shape.join(', ')}], expected [·, ·, 5, 5]`)
  const [a, b] = kernel.shape as [number, number, number, number]
  const out = new Float32Array(kernel.values.length)
  for (let i = 0; i < a; i++) {
    for (let j = 0; j < b; j++) {
      for (let y = 0; y < 5; y++) {
        for (let x = 0; x < 5; x++) {
          const value = kernel.values[((i * b + j) * 5 + y) * 5 + x] as number
          // conv: [y, x, in = j, out = i]; deconv: [y, x, out = j, in = i]; both are [y, x, j, i], flipped.
          out[(((4 - y) * 5 + (4 - x)) * b + j) * a + i] = value
        }
      }
    }
  }
  return float([5, 5, b, a], out)
}

/**
 * Channels-first units (c·16 + y·4 + x, Theano's reshape to (C, 4, 4) and its flatten) to channels-last
 * ((y·4 + x)·C + c, tfjs's): the columns of a [rows, 16·C] matrix, or with `rowsAreUnits` the rows of [16·C, cols].
 */
function permuteColumns(values: Float32Array, other: number, channels: number, rowsAreUnits = false): Float32Array {
  const units = 16 * channels
  const out = new Float32Array(values.length)
  for (let c = 0; c < channels; c++) {
    for (let p = 0; p < 16; p++) {
      const [from, to] = [c * 16 + p, p * channels + c]
      for (let r = 0; r < other; r++) {
        if (rowsAreUnits) out[to * other + r] = values[from * other + r] as number
        else out[r * units + to] = values[r * units + from] as number
      }
    }
  }
  return out
}

function batchNorm(layer: string, gamma: StoredTensor, beta: StoredTensor): [string, StoredTensor][] {
  const width = gamma.values.length
  return [
    [`${layer}/gamma`, float([width], gamma.values)],
    [`${layer}/beta`, float([beta.values.length], beta.values)],
    // Placeholders: the file has no population statistics; the importer estimates them (populationStatistics).
    [`${layer}/moving_mean`, float([width], new Float32Array(width))],
    [`${layer}/moving_variance`, float([width], new Float32Array(width).fill(1))]
  ]
}

function unitBatchNorm(layer: string, gamma: StoredTensor, beta: StoredTensor, channels: number): [string, StoredTensor][] {
  const permuted = (t: StoredTensor): StoredTensor => float([t.values.length], permuteColumns(t.values, 1, channels))
  return batchNorm(layer, permuted(gamma), permuted(beta))
}

function float(shape: readonly number[], values: Float32Array): StoredTensor {
  if (numel(shape) !== values.length) throw new Error(`theano-layout: ${values.length} values for [${shape.join(', ')}]`)
  return { dtype: 'float32', shape, values }
}

function expectCount(t: readonly StoredTensor[], count: number, file: string, expected: string): StoredTensor[] {
  if (t.length !== count)
    fail(file, `it lists ${t.length} arrays (${t.map((x) => `[${x.shape.join(', ')}]`).join(', ')}); the SVHN DCGAN's ${expected} are ${count}`)
  return [...t]
}

function dim(t: StoredTensor | undefined, axis: number, file: string): number {
  const value = t?.shape[axis]
  if (value === undefined) fail(file, `an array has the shape [${t?.shape.join(', ') ?? ''}], too few dimensions for a kernel`)
  return value
}

function channelsOf(value: number, file: string): 1 | 3 {
  return value === 1 || value === 3 ? value : fail(file, `its images have ${value} channels, not 1 or 3`)
}

function fail(file: string, reason: string): never {
  throw new ModelFileError(file, `${file} is not a DCGAN of Newmu/dcgan_code's SVHN layout: ${reason}.`)
}
