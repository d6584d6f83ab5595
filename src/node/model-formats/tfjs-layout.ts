import path from 'node:path'
import { type LayerOptions, symmetricPadding } from '../../shared/formats/model'
import type { NetName } from '../../shared/formats/model-import'
import { blocksFor, layoutProblem, type NetworkShape } from './dcgan-weights'
import { ModelFileError } from './model-file-error'
import type { StoredTensor } from './tensor'
import { MODEL_JSON, readTfjsModelFiles, tfjsWeights } from './tfjs-files'

/**
 * A TensorFlow.js layers model the studio saved (a checkpoint's generator/ or discriminator/, or an export's):
 * recognised by its layers — names, classes and the settings that change what it computes — and read in the
 * studio's own layout, which is tfjs's. A model with other layers is refused with what it has.
 */

export interface TfjsNetwork {
  readonly net: NetName
  readonly shape: NetworkShape
  readonly weights: ReadonlyMap<string, StoredTensor>
  /** D's LeakyReLU slope (0.2 in the paper); null for G. */
  readonly leakySlope: number | null
  /** How its layers compute (ModelConfig's padding, batchNormEpsilon and G's projectionNorm), read from the topology. */
  readonly layerOptions: Partial<LayerOptions>
  readonly files: readonly string[]
}

interface TopologyLayer {
  class_name?: unknown
  name?: unknown
  config?: Record<string, unknown>
}

export async function readStudioTfjsModel(dir: string): Promise<TfjsNetwork> {
  const jsonPath = path.join(dir, MODEL_JSON)
  const files = await readTfjsModelFiles(dir)
  const config = files.json.modelTopology.config
  const layers = (Array.isArray(config.layers) ? config.layers : []) as TopologyLayer[]
  const names = layers.map((layer) => String(layer.name))
  const fail = (reason: string): never => {
    throw new ModelFileError(
      jsonPath,
      `${jsonPath} is not a generator or discriminator the studio saved: ${reason}. Its layers are ${names.slice(0, 12).join(', ') || 'none'}${names.length > 12 ? ', …' : ''}.`
    )
  }
  const net: NetName | null = names[0] === 'g_z' ? 'G' : names[0] === 'd_image' ? 'D' : null
  if (net === null) return fail('its first layer is neither g_z (a generator) nor d_image (a discriminator)')
  const weights = tfjsWeights(files, dir)
  const kernel = (name: string): readonly number[] => weights.get(name)?.shape ?? fail(`it has no ${name}`)
  const blocks = net === 'G' ? names.filter((n) => /^g_deconv\d+$/.test(n)).length + 1 : names.filter((n) => /^d_conv\d+$/.test(n)).length
  const imageSize = 4 * 2 ** blocks
  if (imageSize !== 32 && imageSize !== 64 && imageSize !== 128) fail(`its ${blocks} blocks make ${imageSize} px images, not 32, 64 or 128`)
  const size = imageSize as 32 | 64 | 128
  let shape: NetworkShape
  if (net === 'G') {
    const out = kernel('g_out/kernel')
    const project = kernel('g_project/kernel')
    shape = { imageSize: size, channels: channelsOf(out[2], fail), zDim: project[0] as number, kernelSize: kernelOf(out[0], fail), width: out[3] as number }
  } else {
    const first = kernel('d_conv0/kernel')
    shape = { imageSize: size, channels: channelsOf(first[2], fail), zDim: 0, kernelSize: kernelOf(first[0], fail), width: first[3] as number }
  }
  const bnConfigs = layers.filter((layer) => layer.class_name === 'BatchNormalization').map((layer) => Number(layer.config?.epsilon))
  const layerOptions: LayerOptions = {
    padding: names.some((n) => n.endsWith('_pad') || n.endsWith('_crop')) ? 'symmetric' : 'same',
    projectionNorm: net === 'G' && names.indexOf('g_bn0') < names.indexOf('g_reshape') ? 'unit' : 'channel',
    batchNormEpsilon: bnConfigs[0] ?? 1e-5
  }
  shape = { ...shape, projectionNorm: layerOptions.projectionNorm }
  const expected = expectedLayers(net, blocksFor(size), layerOptions)
  // D has no projection: it says nothing about G's.
  const { projectionNorm, ...common } = layerOptions
  if (layers.length !== expected.length)
    fail(`it has ${layers.length} layers where the studio's ${net === 'G' ? 'generator' : 'discriminator'} of this size has ${expected.length}`)
  let leakySlope: number | null = null
  expected.forEach(([name, className, activation], i) => {
    const layer = layers[i] as TopologyLayer
    if (layer.name !== name || layer.class_name !== className)
      fail(`layer ${i} is ${String(layer.name)} (${String(layer.class_name)}), expected ${name} (${className})`)
    const settings = layer.config ?? {}
    if (activation !== undefined && settings.activation !== activation)
      fail(`${name} uses the activation ${String(settings.activation)}, expected ${activation}`)
    if (className === 'Conv2D' || className === 'Conv2DTranspose') {
      const padding = layerOptions.padding === 'symmetric' ? 'valid' : 'same'
      if (settings.padding !== padding || JSON.stringify(settings.strides) !== '[2,2]' || settings.use_bias !== false)
        fail(`${name} is not a stride-2 '${padding}' convolution without bias`)
    }
    if (
      (className === 'ZeroPadding2D' || className === 'Cropping2D') &&
      JSON.stringify(settings.padding ?? settings.cropping) !== JSON.stringify(symmetricLayerPadding(shape.kernelSize, className))
    ) {
      fail(
        `${name} pads or crops ${JSON.stringify(settings.padding ?? settings.cropping)}, not the symmetric padding of a ${shape.kernelSize}×${shape.kernelSize} kernel`
      )
    }
    if (className === 'Dense' && settings.use_bias !== false) fail(`${name} has a bias`)
    if (className === 'BatchNormalization' && Number(settings.epsilon) !== layerOptions.batchNormEpsilon)
      fail(`${name} has epsilon ${String(settings.epsilon)}, other batch norms ${layerOptions.batchNormEpsilon}`)
    if (className === 'LeakyReLU') {
      const alpha = Number(settings.alpha)
      if (!Number.isFinite(alpha) || (leakySlope !== null && alpha !== leakySlope)) fail(`${name} has slope ${String(settings.alpha)}`)
      leakySlope = alpha
    }
  })
  const problem = layoutProblem(net, shape, weights)
  if (problem) fail(problem)
  return {
    net,
    shape,
    weights,
    leakySlope,
    layerOptions: net === 'G' ? { ...common, projectionNorm } : common,
    files: files.json.weightsManifest.flatMap((group) => group.paths.map((p) => path.resolve(dir, p)))
  }
}

/** [layer name, tfjs class, activation] of the studio's networks (src/engine/model/layers.ts and build.ts, as saved). */
type Expected = [string, string, string?]

function expectedLayers(net: NetName, n: number, options: LayerOptions): Expected[] {
  const symmetric = options.padding === 'symmetric'
  const deconv = (name: string): Expected[] => [[name, 'Conv2DTranspose', 'linear'], ...(symmetric ? [[`${name}_crop`, 'Cropping2D'] satisfies Expected] : [])]
  const conv = (name: string): Expected[] => [...(symmetric ? [[`${name}_pad`, 'ZeroPadding2D'] satisfies Expected] : []), [name, 'Conv2D', 'linear']]
  if (net === 'G') {
    const reshape: Expected = ['g_reshape', 'Reshape']
    const bn: Expected = ['g_bn0', 'BatchNormalization']
    const layers: Expected[] = [
      ['g_z', 'InputLayer'],
      ['g_project', 'Dense', 'linear'],
      ...(options.projectionNorm === 'unit' ? [bn, reshape] : [reshape, bn]),
      ['g_relu0', 'Activation', 'relu']
    ]
    for (let i = 1; i < n; i++) layers.push(...deconv(`g_deconv${i}`), [`g_bn${i}`, 'BatchNormalization'], [`g_relu${i}`, 'Activation', 'relu'])
    layers.push(...deconv('g_out'), ['g_tanh', 'Activation', 'tanh'])
    return layers
  }
  const layers: Expected[] = [['d_image', 'InputLayer'], ...conv('d_conv0'), ['d_lrelu0', 'LeakyReLU']]
  for (let i = 1; i < n; i++) layers.push(...conv(`d_conv${i}`), [`d_bn${i}`, 'BatchNormalization'], [`d_lrelu${i}`, 'LeakyReLU'])
  layers.push(['d_flatten', 'Flatten'], ['d_logit', 'Dense', 'linear'], ['d_sigmoid', 'Activation', 'sigmoid'])
  return layers
}

/** The padding (ZeroPadding2D) or cropping (Cropping2D) src/engine/model/build.ts puts around a symmetric conv. */
function symmetricLayerPadding(kernelSize: number, className: string): number[][] {
  const { pad, cropAfter } = symmetricPadding(kernelSize)
  const after = className === 'ZeroPadding2D' ? pad : cropAfter
  return [
    [pad, after],
    [pad, after]
  ]
}

function channelsOf(value: number | undefined, fail: (reason: string) => never): 1 | 3 {
  return value === 1 || value === 3 ? value : fail(`it has ${String(value)} image channels, not 1 or 3`)
}

function kernelOf(value: number | undefined, fail: (reason: string) => never): 4 | 5 {
  return value === 4 || value === 5 ? value : fail(`its kernels are ${String(value)}×${String(value)}, not 4×4 or 5×5`)
}
