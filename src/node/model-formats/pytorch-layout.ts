import type { ImageSize } from '../../shared/formats/model'
import type { NetName } from '../../shared/formats/model-import'
import { blocksFor, type NetworkShape, type WeightSpec, studioWeightSpecs } from './dcgan-weights'
import { ModelFileError } from './model-file-error'
import { float32Tensor, int64Scalar, numel, type StoredTensor, type WritableTensor } from './tensor'

/**
 * pytorch/examples' dcgan/main.py as state dict keys, both ways. Its networks are nn.Sequential stacks named
 * `main`, so a 64 px generator's keys are
 *   main.0.weight [nz, 8·ngf, 4, 4]   ConvTranspose2d(nz, 8·ngf, 4, 1, 0) on z as a 1×1 image
 *   main.1.{weight, bias, running_mean, running_var, num_batches_tracked}   BatchNorm2d(8·ngf)   (main.2 ReLU)
 *   main.3.weight [8·ngf, 4·ngf, 4, 4] … main.12.weight [ngf, nc, 4, 4]      stride-2 ConvTranspose2d, then Tanh
 * and a discriminator's
 *   main.0.weight [ndf, nc, 4, 4] (main.1 LeakyReLU) · main.2.weight [2·ndf, ndf, 4, 4] · main.3.* BatchNorm2d …
 *   main.11.weight [1, 8·ndf, 4, 4]   Conv2d(8·ndf, 1, 4, 1, 0): the logit (then Sigmoid)
 * with no biases anywhere. 32 and 128 px have one block fewer or more, numbered the same way. Keys may come
 * without `main.` (a bare Sequential's state dict) or with `module.` before it (DistributedDataParallel).
 *
 * PyTorch is NCHW, the studio NHWC: a ConvTranspose2d weight [in, out, kh, kw] becomes a conv2dTranspose kernel
 * [kh, kw, out, in], a Conv2d weight [out, in, kh, kw] a conv2d kernel [kh, kw, in, out]; G's first layer (a
 * transposed conv on 1×1) is a dense layer whose output is reshaped NHWC ([4, 4, w0]), and D's last (a 4×4
 * valid conv) a dense layer on the NHWC map flattened. Both conv paddings agree: PyTorch's padding 1 for a
 * 4×4 stride-2 kernel is exactly tfjs's 'same'.
 */

const PARAM = /^(.*?)(\d+)\.(weight|bias|running_mean|running_var|num_batches_tracked)$/
const BN_PARAMS = ['weight', 'bias', 'running_mean', 'running_var'] as const

/** A state dict read from a file: key → tensor, in the file's order. */
export type StateDict = ReadonlyMap<string, StoredTensor>

export interface MainPyNetwork {
  readonly net: NetName
  readonly shape: NetworkShape
  /** The studio's weights (names and NHWC layouts of src/engine/model). */
  readonly weights: Map<string, StoredTensor>
  /** The prefix before the layer numbers ("main.", "module.main." or ""). */
  readonly prefix: string
}

interface Module {
  readonly index: number
  readonly kind: 'conv' | 'bn'
  readonly params: ReadonlyMap<string, StoredTensor>
}

/**
 * Recognises main.py's generator or discriminator in a state dict and converts it. Anything else — another
 * network, other shapes, biases, a missing layer — is a ModelFileError that lists what the file holds and
 * what main.py's networks hold.
 */
export function fromMainPyStateDict(dict: StateDict, file: string): MainPyNetwork {
  const notDcgan = (reason: string): never => {
    throw new ModelFileError(
      file,
      `${file} is not a DCGAN generator or discriminator as pytorch/examples' dcgan/main.py builds it: ${reason}. It holds ${describeStateDict(dict)}. ${EXPECTED}`
    )
  }
  if (dict.size === 0) notDcgan('it holds no tensors')
  const prefixes = new Set<string>()
  const modules = new Map<number, Map<string, StoredTensor>>()
  for (const [key, tensor] of dict) {
    const match = PARAM.exec(key)
    if (!match) return notDcgan(`"${key}" is not a layer's weight, bias or BatchNorm statistic`)
    const [, prefix, index, param] = match as unknown as [string, string, string, string]
    prefixes.add(prefix)
    const params = modules.get(Number(index)) ?? new Map<string, StoredTensor>()
    params.set(param, tensor)
    modules.set(Number(index), params)
  }
  if (prefixes.size > 1) notDcgan(`its keys have different prefixes (${[...prefixes].map((p) => `"${p}"`).join(', ')})`)
  const prefix = [...prefixes][0] as string
  if (prefix !== '' && !/^(module\.)?(main\.)?$/.test(prefix)) notDcgan(`its layers are under "${prefix}", not main.py's "main."`)
  const layers: Module[] = [...modules.entries()]
    .sort(([a], [b]) => a - b)
    .map(([index, params]) => {
      const name = `${prefix}${index}`
      if (params.has('weight') && params.get('weight')?.shape.length === 4) {
        if (params.has('bias')) notDcgan(`${name} has a bias; main.py's convolutions have none (bias=False)`)
        if (params.size !== 1) notDcgan(`${name} has ${[...params.keys()].join(', ')}; a convolution has only a weight`)
        return { index, kind: 'conv', params }
      }
      const missing = BN_PARAMS.filter((p) => !params.has(p))
      if (missing.length > 0)
        notDcgan(`${name} has ${[...params.keys()].join(', ')} but no ${missing.join(', ')}; main.py's BatchNorm2d layers keep running statistics`)
      const width = params.get('weight')?.shape
      if (width?.length !== 1 || BN_PARAMS.some((p) => params.get(p)?.shape.join() !== width.join()))
        notDcgan(`${name} is not a BatchNorm layer (its tensors are not all one vector of one length)`)
      return { index, kind: 'bn', params }
    })
  const pattern = layers.map((m) => (m.kind === 'conv' ? 'C' : 'B')).join('')
  if (/^C(BC)+$/.test(pattern)) return generatorFrom(layers, prefix, file, notDcgan)
  if (/^CC(BC)+$/.test(pattern)) return discriminatorFrom(layers, prefix, file, notDcgan)
  return notDcgan(
    `its layers are ${describePattern(layers, prefix)}, which is neither main.py's generator (convolution, then BatchNorm and convolution in turn) nor its discriminator (two convolutions, then BatchNorm and convolution in turn)`
  )
}

const EXPECTED =
  "main.py's generator holds main.0.weight [nz, 8·ngf, 4, 4], main.1.{weight, bias, running_mean, running_var} [8·ngf], main.3.weight [8·ngf, 4·ngf, 4, 4], …, main.12.weight [ngf, nc, 4, 4] " +
  '(at 64 px; one block fewer at 32, one more at 128); its discriminator main.0.weight [ndf, nc, 4, 4], main.2.weight [2·ndf, ndf, 4, 4], main.3.* [2·ndf], …, main.11.weight [1, 8·ndf, 4, 4]; ' +
  'nc is 1 or 3, every kernel 4×4, no biases.'

function generatorFrom(layers: Module[], prefix: string, file: string, notDcgan: (reason: string) => never): MainPyNetwork {
  const convs = layers.filter((m) => m.kind === 'conv')
  const n = convs.length - 1
  const imageSize = sizeFor(n, 'generator', notDcgan)
  layers.forEach((m, i) => {
    const expected = i === 0 ? 0 : i % 2 === 1 ? 3 * ((i - 1) / 2) + 1 : 3 * (i / 2)
    if (m.index !== expected)
      notDcgan(
        `its layers are numbered ${describePattern(layers, prefix)}, where main.py's generator numbers them ${prefix}0, ${prefix}1, ${prefix}3, ${prefix}4, … (a ReLU after each BatchNorm): its activations are elsewhere`
      )
  })
  const weight = (m: Module): StoredTensor => m.params.get('weight') as StoredTensor
  const first = weight(convs[0] as Module).shape
  checkKernel(first, `${prefix}0`, notDcgan)
  const [zDim, w0] = first as [number, number]
  let inWidth = w0
  for (let i = 1; i <= n; i++) {
    const shape = weight(convs[i] as Module).shape
    const name = `${prefix}${(convs[i] as Module).index}`
    checkKernel(shape, name, notDcgan)
    const outWidth = i === n ? (shape[1] as number) : inWidth / 2
    if (shape[0] !== inWidth || shape[1] !== outWidth)
      notDcgan(`${name}.weight is [${shape.join(', ')}] where main.py's generator has [${inWidth}, ${i === n ? 'nc' : outWidth}, 4, 4]`)
    inWidth = outWidth
  }
  const channels = weight(convs[n] as Module).shape[1] as number
  if (channels !== 1 && channels !== 3) notDcgan(`it draws ${channels}-channel images; the studio's images have 1 (grayscale) or 3 (RGB) channels`)
  const ngf = weight(convs[n] as Module).shape[0] as number
  if (!Number.isInteger(ngf) || ngf * 2 ** (n - 1) !== w0) notDcgan(`its widths do not halve from ${w0} down to ngf`)
  const shape: NetworkShape = { imageSize, channels, zDim, kernelSize: 4, width: ngf }
  const weights = new Map<string, StoredTensor>()
  const bns = layers.filter((m) => m.kind === 'bn')
  weights.set('g_project/kernel', projectionFromTorch(weight(convs[0] as Module)))
  bns.forEach((m, i) => setBatchNorm(weights, `g_bn${i}`, m))
  for (let i = 1; i < n; i++) weights.set(`g_deconv${i}/kernel`, transposedKernelFromTorch(weight(convs[i] as Module)))
  weights.set('g_out/kernel', transposedKernelFromTorch(weight(convs[n] as Module)))
  checkAgainstStudio('G', shape, weights, file)
  return { net: 'G', shape, weights, prefix }
}

function discriminatorFrom(layers: Module[], prefix: string, file: string, notDcgan: (reason: string) => never): MainPyNetwork {
  const convs = layers.filter((m) => m.kind === 'conv')
  const n = convs.length - 1
  const imageSize = sizeFor(n, 'discriminator', notDcgan)
  layers.forEach((m, i) => {
    const expected = i === 0 ? 0 : i % 2 === 1 ? 3 * ((i + 1) / 2) - 1 : 3 * (i / 2)
    if (m.index !== expected)
      notDcgan(
        `its layers are numbered ${describePattern(layers, prefix)}, where main.py's discriminator numbers them ${prefix}0, ${prefix}2, ${prefix}3, ${prefix}5, … (a LeakyReLU after each): its activations are elsewhere`
      )
  })
  const weight = (m: Module): StoredTensor => m.params.get('weight') as StoredTensor
  const first = weight(convs[0] as Module).shape
  checkKernel(first, `${prefix}0`, notDcgan)
  const [ndf, channels] = first as [number, number]
  if (channels !== 1 && channels !== 3) notDcgan(`it judges ${channels}-channel images; the studio's images have 1 (grayscale) or 3 (RGB) channels`)
  let inWidth = ndf
  for (let i = 1; i <= n; i++) {
    const shape = weight(convs[i] as Module).shape
    const name = `${prefix}${(convs[i] as Module).index}`
    checkKernel(shape, name, notDcgan)
    const outWidth = i === n ? 1 : inWidth * 2
    if (shape[0] !== outWidth || shape[1] !== inWidth)
      notDcgan(`${name}.weight is [${shape.join(', ')}] where main.py's discriminator has [${outWidth}, ${inWidth}, 4, 4]`)
    inWidth = outWidth
  }
  // D has no z; zDim is G's business.
  const shape: NetworkShape = { imageSize, channels, zDim: 0, kernelSize: 4, width: ndf }
  const weights = new Map<string, StoredTensor>()
  weights.set('d_conv0/kernel', convKernelFromTorch(weight(convs[0] as Module)))
  for (let i = 1; i < n; i++) weights.set(`d_conv${i}/kernel`, convKernelFromTorch(weight(convs[i] as Module)))
  layers.filter((m) => m.kind === 'bn').forEach((m, i) => setBatchNorm(weights, `d_bn${i + 1}`, m))
  weights.set('d_logit/kernel', logitFromTorch(weight(convs[n] as Module)))
  checkAgainstStudio('D', shape, weights, file)
  return { net: 'D', shape, weights, prefix }
}

function sizeFor(blocks: number, what: string, notDcgan: (reason: string) => never): ImageSize {
  const size = 4 * 2 ** blocks
  if (size !== 32 && size !== 64 && size !== 128)
    notDcgan(`a ${what} of ${blocks + 1} convolutions makes ${size}×${size} images; the studio's DCGANs are 32, 64 or 128 px`)
  return size
}

function checkKernel(shape: readonly number[], name: string, notDcgan: (reason: string) => never): void {
  if (shape[2] !== 4 || shape[3] !== 4) notDcgan(`${name}.weight has a ${shape[2]}×${shape[3]} kernel; main.py's are 4×4`)
}

function setBatchNorm(weights: Map<string, StoredTensor>, layer: string, m: Module): void {
  const names = { weight: 'gamma', bias: 'beta', running_mean: 'moving_mean', running_var: 'moving_variance' } as const
  for (const param of BN_PARAMS) {
    const tensor = m.params.get(param) as StoredTensor
    weights.set(`${layer}/${names[param]}`, { dtype: 'float32', shape: tensor.shape, values: tensor.values })
  }
}

function checkAgainstStudio(net: NetName, shape: NetworkShape, weights: Map<string, StoredTensor>, file: string): void {
  const specs = studioWeightSpecs(net, shape)
  for (const spec of specs) {
    const found = weights.get(spec.name)
    if (!found || found.shape.join() !== spec.shape.join()) {
      throw new ModelFileError(
        file,
        `${file}: the ${net === 'G' ? 'generator' : 'discriminator'} maps to ${spec.name} [${found?.shape.join(', ') ?? 'missing'}], not the [${spec.shape.join(', ')}] the studio builds. This is a bug in the importer; please report it with the file.`
      )
    }
  }
}

// The layout conversions, one per kind of layer, and their inverses for export.

/** ConvTranspose2d weight [in, out, kh, kw] → conv2dTranspose kernel [kh, kw, out, in]. */
export function transposedKernelFromTorch(w: StoredTensor): StoredTensor {
  const [cin, cout, kh, kw] = w.shape as [number, number, number, number]
  return { dtype: 'float32', shape: [kh, kw, cout, cin], values: permute(w.values, [cin, cout, kh, kw], [2, 3, 1, 0]) }
}

/** Conv2d weight [out, in, kh, kw] → conv2d kernel [kh, kw, in, out]. */
export function convKernelFromTorch(w: StoredTensor): StoredTensor {
  const [cout, cin, kh, kw] = w.shape as [number, number, number, number]
  return { dtype: 'float32', shape: [kh, kw, cin, cout], values: permute(w.values, [cout, cin, kh, kw], [2, 3, 1, 0]) }
}

/** G's first layer: ConvTranspose2d weight [nz, w0, 4, 4] on a 1×1 input → dense kernel [nz, 16·w0], columns in NHWC order (y, x, channel). */
export function projectionFromTorch(w: StoredTensor): StoredTensor {
  const [nz, w0, kh, kw] = w.shape as [number, number, number, number]
  return { dtype: 'float32', shape: [nz, kh * kw * w0], values: permute(w.values, [nz, w0, kh, kw], [0, 2, 3, 1]) }
}

/** D's last layer: Conv2d weight [1, w, 4, 4] on a 4×4 map → dense kernel [16·w, 1] over the NHWC map flattened. */
export function logitFromTorch(w: StoredTensor): StoredTensor {
  const [, width, kh, kw] = w.shape as [number, number, number, number]
  return { dtype: 'float32', shape: [kh * kw * width, 1], values: permute(w.values, [width, kh, kw], [1, 2, 0]) }
}

/**
 * Row-major `values` of shape `shape` with their axes reordered: axis i of the result is axis `order[i]` of
 * the input (numpy's transpose(order)).
 */
export function permute(values: Float32Array, shape: readonly number[], order: readonly number[]): Float32Array {
  const out = new Float32Array(values.length)
  const outShape = order.map((axis) => shape[axis] as number)
  const inStrides = shape.map((_, i) => numel(shape.slice(i + 1)))
  const strides = order.map((axis) => inStrides[axis] as number)
  const index = new Array<number>(outShape.length).fill(0)
  for (let i = 0; i < out.length; i++) {
    let source = 0
    for (let d = 0; d < index.length; d++) source += (index[d] as number) * (strides[d] as number)
    out[i] = values[source] as number
    for (let d = index.length - 1; d >= 0; d--) {
      index[d] = (index[d] as number) + 1
      if ((index[d] as number) < (outShape[d] as number)) break
      index[d] = 0
    }
  }
  return out
}

/**
 * The studio's weights of one network as main.py's state dict: keys `main.N.…` in main.py's order, every
 * BatchNorm with num_batches_tracked (`batchesTracked`, e.g. the checkpoint's step) so that
 * `Generator(ngpu).load_state_dict(torch.load(...))` accepts it as it is (strict).
 */
export function toMainPyStateDict(
  net: NetName,
  shape: NetworkShape,
  weights: ReadonlyMap<string, StoredTensor>,
  batchesTracked: number
): [string, WritableTensor][] {
  const n = blocksFor(shape.imageSize)
  const get = (name: string): StoredTensor => {
    const tensor = weights.get(name)
    if (!tensor) throw new Error(`toMainPyStateDict: the ${net} has no ${name}`)
    return tensor
  }
  const entries: [string, WritableTensor][] = []
  const conv = (index: number, shape4: readonly number[], values: Float32Array): void => {
    entries.push([`main.${index}.weight`, float32Tensor(shape4, values)])
  }
  const bn = (index: number, layer: string): void => {
    const names = [
      ['weight', 'gamma'],
      ['bias', 'beta'],
      ['running_mean', 'moving_mean'],
      ['running_var', 'moving_variance']
    ] as const
    for (const [torchName, studioName] of names) {
      const tensor = get(`${layer}/${studioName}`)
      entries.push([`main.${index}.${torchName}`, float32Tensor(tensor.shape, tensor.values)])
    }
    entries.push([`main.${index}.num_batches_tracked`, int64Scalar(batchesTracked)])
  }
  if (net === 'G') {
    const project = get('g_project/kernel')
    const [nz, units] = project.shape as [number, number]
    const w0 = units / 16
    conv(0, [nz, w0, 4, 4], permute(project.values, [nz, 4, 4, w0], [0, 3, 1, 2]))
    bn(1, 'g_bn0')
    for (let i = 1; i < n; i++) {
      conv(3 * i, ...transposedKernelToTorch(get(`g_deconv${i}/kernel`)))
      bn(3 * i + 1, `g_bn${i}`)
    }
    conv(3 * n, ...transposedKernelToTorch(get('g_out/kernel')))
  } else {
    conv(0, ...convKernelToTorch(get('d_conv0/kernel')))
    for (let i = 1; i < n; i++) {
      conv(3 * i - 1, ...convKernelToTorch(get(`d_conv${i}/kernel`)))
      bn(3 * i, `d_bn${i}`)
    }
    const logit = get('d_logit/kernel')
    const width = (logit.shape[0] as number) / 16
    conv(3 * n - 1, [1, width, 4, 4], permute(logit.values, [4, 4, width], [2, 0, 1]))
  }
  return entries
}

/** The `_metadata` versions nn.Module.state_dict() records for main.py's network: BatchNorm2d is version 2. */
export function mainPyModuleVersions(net: NetName, imageSize: number): [string, number][] {
  const n = blocksFor(imageSize)
  const modules = net === 'G' ? 3 * n + 2 : 3 * n + 1
  const bnIndices = new Set(net === 'G' ? Array.from({ length: n }, (_, i) => 3 * i + 1) : Array.from({ length: n - 1 }, (_, i) => 3 * (i + 1)))
  return [['', 1], ['main', 1], ...Array.from({ length: modules }, (_, i): [string, number] => [`main.${i}`, bnIndices.has(i) ? 2 : 1])]
}

function transposedKernelToTorch(k: StoredTensor): [number[], Float32Array] {
  const [kh, kw, cout, cin] = k.shape as [number, number, number, number]
  return [[cin, cout, kh, kw], permute(k.values, [kh, kw, cout, cin], [3, 2, 0, 1])]
}

function convKernelToTorch(k: StoredTensor): [number[], Float32Array] {
  const [kh, kw, cin, cout] = k.shape as [number, number, number, number]
  return [[cout, cin, kh, kw], permute(k.values, [kh, kw, cin, cout], [3, 2, 0, 1])]
}

function describePattern(layers: readonly Module[], prefix: string): string {
  return layers.map((m) => `${prefix}${m.index} (${m.kind === 'conv' ? 'convolution' : 'BatchNorm'})`).join(', ')
}

/** "main.0.weight [100, 512, 4, 4], main.1.weight [512], … (16 tensors)": what a file holds, for messages. */
export function describeStateDict(dict: StateDict, limit = 10): string {
  const shown = [...dict.entries()].slice(0, limit).map(([key, tensor]) => `${key} [${tensor.shape.join(', ')}]`)
  return `${shown.join(', ')}${dict.size > limit ? `, … (${dict.size} tensors)` : ''}`
}

export type { WeightSpec }
