import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import path from 'node:path'
import type { LayerOptions } from '../../shared/formats/model'
import { type ImportedFile, LICENCE_MAX_CHARS, type ModelFileFormat, type ModelFormatChoice, type NetName } from '../../shared/formats/model-import'
import type { DcganWeights, NetworkShape } from './dcgan-weights'
import { MAX_MODEL_FILE_BYTES, ModelFileError } from './model-file-error'
import { PickleDict, type PickleValue, describePickle } from './pickle'
import { fromMainPyStateDict, type StateDict } from './pytorch-layout'
import { looksLikeSafetensors, readSafetensors } from './safetensors'
import type { StoredTensor } from './tensor'
import { readStudioTfjsModel } from './tfjs-layout'
import { isTheanoParamFile, readTheanoNetwork, THEANO_LAYER_OPTIONS, theanoParamFiles } from './theano-layout'
import { MODEL_JSON } from './tfjs-files'
import { isStoredTensor, looksLikeTorchFile, readTorchFile } from './torch-file'

/**
 * A DCGAN from a path the user gave: one file (netG.pth, netD.safetensors) or a folder holding G and D (the
 * folder main.py writes to, a studio export). Which network a file holds is read from its tensors, not its
 * name. What comes back is in the studio's layout, with the facts an import records.
 */

export interface ReadModel {
  readonly format: ModelFileFormat
  readonly weights: DcganWeights
  /** D's LeakyReLU slope when the file says (a studio tfjs model); main.py's is 0.2. */
  readonly leakySlope: number
  readonly files: ImportedFile[]
  readonly notes: string[]
  /** The licence file beside the model's files, if there is one. */
  readonly licence?: { file: string; text: string }
}

const TORCH_FILE = /\.(pth|pt|pkl|bin|ckpt)$/i
const SAFETENSORS_FILE = /\.safetensors$/i

export async function readModel(source: string, choice: ModelFormatChoice = 'auto'): Promise<ReadModel> {
  const read = await readModelFiles(source, choice)
  const licence = await licenceBeside(fs.statSync(source).isDirectory() ? source : path.dirname(source))
  return licence ? { ...read, licence } : read
}

const LICENCE_FILE = /^(licen[cs]e|copying)(\.(txt|md))?$/i

/** A model's licence file in its folder (LICENSE, LICENSE.txt, COPYING …), kept with the imported run. */
async function licenceBeside(dir: string): Promise<{ file: string; text: string } | null> {
  const name = (await fs.promises.readdir(dir)).sort().find((n) => LICENCE_FILE.test(n))
  if (!name) return null
  const text = await fs.promises.readFile(path.join(dir, name), 'utf8')
  if (text.length > LICENCE_MAX_CHARS)
    throw new ModelFileError(
      path.join(dir, name),
      `${path.join(dir, name)} is ${text.length} characters; a licence the studio keeps with a model is at most ${LICENCE_MAX_CHARS}.`
    )
  return { file: name, text }
}

async function readModelFiles(source: string, choice: ModelFormatChoice): Promise<ReadModel> {
  const stat = await fs.promises.stat(source).catch((error: unknown) => {
    const { code, message } = error as NodeJS.ErrnoException
    throw new ModelFileError(source, code === 'ENOENT' ? `There is no file or folder ${source}.` : `Cannot read ${source}: ${message}`)
  })
  if (stat.isDirectory()) return readFolder(source, choice)
  if (path.basename(source) === MODEL_JSON) return readFolder(path.dirname(source), choice === 'auto' ? 'tfjs' : choice)
  if (choice === 'theano' || (choice === 'auto' && isTheanoParamFile(source))) return assemble('theano', [await readTheanoFile(source)], [])
  const bytes = await readBounded(source)
  const format = choice === 'auto' ? sniff(bytes, source) : choice
  if (format === 'tfjs')
    throw new ModelFileError(source, `${source} is one file; a TensorFlow.js model is a folder holding model.json and its weights. Give the folder.`)
  const network = readNetworkFile(bytes, source, format)
  return assemble(format, [network], [])
}

interface NetworkRead {
  readonly net: NetName
  readonly shape: NetworkShape
  readonly weights: ReadonlyMap<string, StoredTensor>
  readonly leakySlope: number | null
  readonly file: ImportedFile
  readonly notes: string[]
  /** How the file's framework computes, where it differs from the studio's defaults (a tfjs model says). */
  readonly layerOptions?: Partial<LayerOptions>
  readonly epoch?: number
}

/**
 * A Newmu/dcgan_code parameter file and its arrays, as one imported file: its size and SHA-256 are over the
 * pickle and the .npy files it lists, in order.
 */
async function readTheanoFile(file: string): Promise<NetworkRead> {
  const network = await readTheanoNetwork(file)
  const hash = createHash('sha256')
  let bytes = 0
  for (const part of network.files) {
    const data = await readBounded(part)
    hash.update(data)
    bytes += data.byteLength
  }
  return {
    net: network.net,
    shape: network.shape,
    weights: network.weights,
    leakySlope: 0.2,
    file: { name: path.basename(file), path: path.resolve(file), network: network.net, bytes, sha256: hash.digest('hex') },
    notes: [`${path.basename(file)}: ${network.files.length - 1} arrays (.npy beside it); size and SHA-256 are over the pickle and those files in order.`],
    layerOptions: THEANO_LAYER_OPTIONS,
    epoch: network.epoch
  }
}

function sniff(bytes: Uint8Array, file: string): ModelFileFormat {
  if (looksLikeSafetensors(bytes)) return 'safetensors'
  if (looksLikeTorchFile(bytes)) return 'pytorch'
  throw new ModelFileError(
    file,
    `${file} is neither a PyTorch file (torch.save's zip or legacy format) nor a safetensors file. The studio imports the state dicts pytorch/examples' dcgan/main.py saves (netG.pth, netD.pth), the same tensors as safetensors, and TensorFlow.js models the studio exported (a folder with model.json).`
  )
}

function readNetworkFile(bytes: Uint8Array, file: string, format: ModelFileFormat): NetworkRead {
  const notes: string[] = []
  let dict: StateDict
  if (format === 'safetensors') {
    if (!looksLikeSafetensors(bytes))
      throw new ModelFileError(file, `${file} is not a safetensors file (it does not start with a header length and a JSON header).`)
    dict = readSafetensors(bytes, file).tensors
  } else {
    if (!looksLikeTorchFile(bytes)) throw new ModelFileError(file, `${file} is not a file torch.save wrote (neither its zip format nor its legacy one).`)
    dict = stateDictOf(readTorchFile(bytes, file), file, notes)
  }
  const network = fromMainPyStateDict(dict, file)
  if (network.prefix !== 'main.')
    notes.push(
      network.prefix === ''
        ? `${path.basename(file)}: keys without "main." (a bare Sequential's state dict).`
        : `${path.basename(file)}: keys under "${network.prefix}" (saved from a wrapped model).`
    )
  return { net: network.net, shape: network.shape, weights: network.weights, leakySlope: null, file: describeFile(file, bytes, network.net), notes }
}

/** The state dict in what torch.load returns: the dict itself, or one under a key such as "state_dict". */
function stateDictOf(value: PickleValue, file: string, notes: string[]): StateDict {
  if (!(value instanceof PickleDict))
    throw new ModelFileError(
      file,
      `${file} holds ${describePickle(value)}, not a state dict (a dict of tensors). Save it with torch.save(netG.state_dict(), "netG.pth").`
    )
  const tensorsOf = (dict: PickleDict): Map<string, StoredTensor> | null => {
    const out = new Map<string, StoredTensor>()
    for (const [key, child] of dict.entries) {
      if (typeof key !== 'string' || !isStoredTensor(child)) return null
      out.set(key, child)
    }
    return out.size > 0 ? out : null
  }
  const direct = tensorsOf(value)
  if (direct) return direct
  for (const key of ['state_dict', 'model', 'netG', 'netD'] as const) {
    const child = value.entries.get(key)
    if (child instanceof PickleDict) {
      const nested = tensorsOf(child)
      if (nested) {
        notes.push(`${path.basename(file)}: the state dict under "${key}".`)
        return nested
      }
    }
  }
  const keys = [...value.entries.keys()].slice(0, 10).map(String)
  throw new ModelFileError(
    file,
    `${file} holds a dict of ${value.entries.size} entries (${keys.join(', ')}) that is not a state dict of tensors. Save the network's state_dict() alone.`
  )
}

async function readFolder(dir: string, choice: ModelFormatChoice): Promise<ReadModel> {
  const names = (await fs.promises.readdir(dir)).sort()
  const tfjsDirs = [dir, path.join(dir, 'generator'), path.join(dir, 'discriminator')].filter((d) => fs.existsSync(path.join(d, MODEL_JSON)))
  if (choice === 'tfjs' || (choice === 'auto' && tfjsDirs.length > 0)) {
    if (tfjsDirs.length === 0) throw new ModelFileError(dir, `${dir} holds no TensorFlow.js model: no model.json in it or in generator/ or discriminator/.`)
    const networks: NetworkRead[] = []
    for (const modelDir of tfjsDirs) {
      const model = await readStudioTfjsModel(modelDir)
      const jsonPath = path.join(modelDir, MODEL_JSON)
      const bytes = await fs.promises.readFile(jsonPath)
      networks.push({
        net: model.net,
        shape: model.shape,
        weights: model.weights,
        leakySlope: model.leakySlope,
        file: describeFile(jsonPath, bytes, model.net),
        notes: [],
        layerOptions: model.layerOptions
      })
    }
    return assemble('tfjs', networks, [])
  }
  const theanoFiles = theanoParamFiles(names)
  if (choice === 'theano' || (choice === 'auto' && theanoFiles.length > 0)) {
    if (theanoFiles.length === 0)
      throw new ModelFileError(
        dir,
        `${dir} holds no Newmu/dcgan_code parameters: no EPOCH_gen_params.jl or EPOCH_discrim_params.jl (${names.slice(0, 12).join(', ') || 'it is empty'}).`
      )
    const networks = await Promise.all(theanoFiles.map((name) => readTheanoFile(path.join(dir, name))))
    const epochs = [...new Set(networks.map((n) => n.epoch))]
    if (epochs.length > 1)
      throw new ModelFileError(
        dir,
        `${dir} holds G of epoch ${networks[0]?.epoch} and D of epoch ${networks[1]?.epoch}; give one epoch's pair (or one .jl file).`
      )
    return assemble('theano', networks, [`Epoch ${epochs[0]} of Newmu/dcgan_code's parameters.`])
  }
  const wanted = (name: string): boolean =>
    choice === 'safetensors' ? SAFETENSORS_FILE.test(name) : choice === 'pytorch' ? TORCH_FILE.test(name) : SAFETENSORS_FILE.test(name) || TORCH_FILE.test(name)
  const candidates = names.filter((name) => wanted(name) && /^net[GD]/i.test(name))
  const notes: string[] = []
  const picked = pickPair(candidates, notes)
  if (picked.length === 0) {
    throw new ModelFileError(
      dir,
      `${dir} holds no netG/netD model files (${names.slice(0, 12).join(', ') || 'it is empty'}). Give the folder main.py saved into (netG.pth and netD.pth, or netG_epoch_N.pth), one of those files, or a TensorFlow.js model folder.`
    )
  }
  const networks: NetworkRead[] = []
  let format: ModelFileFormat | null = null
  for (const name of picked) {
    const file = path.join(dir, name)
    const bytes = await readBounded(file)
    const fileFormat = choice === 'auto' ? sniff(bytes, file) : choice
    if (format !== null && fileFormat !== format) throw new ModelFileError(file, `${dir} mixes formats (${format} and ${fileFormat}); give one file at a time.`)
    format = fileFormat
    networks.push(readNetworkFile(bytes, file, fileFormat))
  }
  return assemble(format as ModelFileFormat, networks, notes)
}

/**
 * netG.pth and netD.pth, or the newest epoch's pair of main.py's netG_epoch_N.pth files (noted). Names with
 * neither pattern are left alone.
 */
function pickPair(names: readonly string[], notes: string[]): string[] {
  const picked: string[] = []
  for (const net of ['G', 'D']) {
    const plain = names.find((name) => new RegExp(`^net${net}\\.[a-z]+$`, 'i').test(name))
    if (plain) {
      picked.push(plain)
      continue
    }
    const epochs = names
      .map((name) => ({ name, epoch: new RegExp(`^net${net}_epoch_(\\d+)\\.[a-z]+$`, 'i').exec(name)?.[1] }))
      .filter((entry): entry is { name: string; epoch: string } => entry.epoch !== undefined)
      .sort((a, b) => Number(b.epoch) - Number(a.epoch))
    const newest = epochs[0]
    if (newest) {
      picked.push(newest.name)
      if (epochs.length > 1) notes.push(`Picked ${newest.name}, the newest of ${epochs.length} epochs of net${net}.`)
    }
  }
  return picked
}

function assemble(format: ModelFileFormat, networks: readonly NetworkRead[], notes: string[]): ReadModel {
  const byNet = new Map<NetName, NetworkRead>()
  for (const network of networks) {
    const other = byNet.get(network.net)
    if (other)
      throw new ModelFileError(
        network.file.path,
        `${other.file.path} and ${network.file.path} both hold a ${network.net === 'G' ? 'generator' : 'discriminator'}; give one generator and one discriminator.`
      )
    byNet.set(network.net, network)
  }
  const g = byNet.get('G')
  const d = byNet.get('D')
  const base = (g ?? d) as NetworkRead
  if (g && d && (g.shape.imageSize !== d.shape.imageSize || g.shape.channels !== d.shape.channels || g.shape.kernelSize !== d.shape.kernelSize)) {
    throw new ModelFileError(
      d.file.path,
      `${g.file.path} draws ${g.shape.imageSize} px ${g.shape.channels}-channel images (kernel ${g.shape.kernelSize}) but ${d.file.path} judges ${d.shape.imageSize} px ${d.shape.channels}-channel ones (kernel ${d.shape.kernelSize}): they are not one DCGAN.`
    )
  }
  const layerOptions: Partial<LayerOptions> = {}
  for (const network of networks) {
    for (const [key, value] of Object.entries(network.layerOptions ?? {}) as [keyof LayerOptions, never][]) {
      if (layerOptions[key] !== undefined && layerOptions[key] !== value) {
        throw new ModelFileError(
          network.file.path,
          `${networks.map((n) => n.file.path).join(' and ')} compute differently (${key} ${String(layerOptions[key])} against ${String(value)}): they are not one DCGAN.`
        )
      }
      layerOptions[key] = value
    }
  }
  const weights: DcganWeights = {
    imageSize: base.shape.imageSize,
    channels: base.shape.channels,
    // Without a generator no z is read; main.py's 100 keeps the record valid (nothing samples without G).
    zDim: g ? g.shape.zDim : 100,
    kernelSize: base.shape.kernelSize,
    genWidth: g ? g.shape.width : null,
    discWidth: d ? d.shape.width : null,
    generator: g ? g.weights : null,
    discriminator: d ? d.weights : null,
    ...(Object.keys(layerOptions).length > 0 ? { layerOptions } : {}),
    // Theano's batch norm keeps no population statistics: the importer estimates them.
    populationStatistics: format === 'theano' ? 'estimate' : 'stored'
  }
  return {
    format,
    weights,
    leakySlope: d?.leakySlope ?? 0.2,
    files: networks.map((n) => n.file),
    notes: [...notes, ...networks.flatMap((n) => n.notes)]
  }
}

async function readBounded(file: string): Promise<Uint8Array> {
  const stat = await fs.promises.stat(file)
  if (stat.size > MAX_MODEL_FILE_BYTES)
    throw new ModelFileError(
      file,
      `${file} is ${(stat.size / 1024 ** 3).toFixed(1)} GB; a DCGAN's weights are far smaller. It is not a model the studio imports.`
    )
  const buffer = await fs.promises.readFile(file)
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)
}

function describeFile(file: string, bytes: Uint8Array, net: NetName): ImportedFile {
  return {
    name: path.basename(file),
    path: path.resolve(file),
    network: net,
    bytes: bytes.byteLength,
    sha256: createHash('sha256').update(bytes).digest('hex')
  }
}
