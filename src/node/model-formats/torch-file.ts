import { ModelFileError } from './model-file-error'
import { type AllowedGlobal, describePickle, PickleDict, PickleGlobal, type PickleValue, PickleTuple, unpickle } from './pickle'
import { DTYPE_BYTES, type StoredTensor, type TensorDtype, type WritableTensor, decodeValues, numel, readOne } from './tensor'
import { looksLikeZip, writeZip, ZipArchive } from './zip'

/**
 * Files torch.save writes — the zip format (PyTorch 1.6 and later) and the legacy format before it — read
 * without Python and without running anything: the pickle inside may name only the globals a state dict
 * needs (OrderedDict, the tensor rebuild functions, the storage types), each handled here. A state dict comes
 * back as a PickleDict whose values are StoredTensors (and nested dicts, for files that bundle several).
 * `writeTorchStateDict` writes a zip file of float32/int64 tensors that torch.load (weights_only or not) reads.
 */

/** The storage types a tensor's data may have, by the name torch.save pickles them under. */
const STORAGE_TYPES: Readonly<Record<string, TensorDtype>> = {
  FloatStorage: 'float32',
  DoubleStorage: 'float64',
  HalfStorage: 'float16',
  BFloat16Storage: 'bfloat16',
  LongStorage: 'int64',
  IntStorage: 'int32',
  ShortStorage: 'int16',
  CharStorage: 'int8',
  ByteStorage: 'uint8',
  BoolStorage: 'bool'
}

/** The legacy format's first pickle: torch.serialization.MAGIC_NUMBER. */
const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn
const LEGACY_PROTOCOL = 1001
const MAX_PICKLE_BYTES = 256 * 1024 ** 2

interface StorageRef {
  readonly kind: 'storage'
  readonly dtype: TensorDtype
  readonly key: string
  readonly numel: number
}

/** A tensor as the pickle describes it: a view of a storage not necessarily read yet. */
class TensorView {
  constructor(
    readonly storage: StorageRef,
    readonly offset: number,
    readonly shape: readonly number[],
    readonly stride: readonly number[]
  ) {}
}

/** Whether the bytes start like a file torch.save wrote (a zip archive, or the legacy format's pickle). */
export function looksLikeTorchFile(bytes: Uint8Array): boolean {
  return looksLikeZip(bytes) || (bytes.byteLength > 2 && bytes[0] === 0x80 && bytes[1] === 0x02 && bytes[2] === 0x8a)
}

/** Reads a torch.save file. The result is what was saved: for main.py's netG.pth, an OrderedDict of tensors. */
export function readTorchFile(bytes: Uint8Array, file: string): PickleValue {
  if (looksLikeZip(bytes)) return readZipFormat(bytes, file)
  if (bytes.byteLength > 2 && bytes[0] === 0x80) return readLegacyFormat(bytes, file)
  throw new ModelFileError(file, `${file} is not a file torch.save wrote: it is neither a zip archive nor a pickle.`)
}

function readZipFormat(bytes: Uint8Array, file: string): PickleValue {
  const archive = ZipArchive.open(bytes, file)
  const pickles = archive.entries.filter((entry) => /^[^/]+\/data\.pkl$/.test(entry.name))
  if (pickles.length !== 1) {
    const names = archive.entries.map((entry) => entry.name)
    const torchScript = names.some((name) => /\/constants\.pkl$/.test(name)) && names.some((name) => /\/code\//.test(name))
    const listed = names.slice(0, 8).join(', ') + (names.length > 8 ? ` and ${names.length - 8} more` : '')
    throw new ModelFileError(
      file,
      torchScript
        ? `${file} is a TorchScript model (torch.jit.save), not a state dict. Save the weights with torch.save(netG.state_dict(), "netG.pth") and import that.`
        : `${file} is a zip archive but not one torch.save wrote: it has ${pickles.length === 0 ? 'no' : 'more than one'} data.pkl (it holds ${listed || 'nothing'}).`
    )
  }
  const prefix = (pickles[0] as { name: string }).name.slice(0, -'data.pkl'.length)
  const what = `the pickle ${prefix}data.pkl`
  const { value } = unpickle(archive.read(`${prefix}data.pkl`, MAX_PICKLE_BYTES), {
    file,
    what,
    globals: torchGlobals(file),
    persistentLoad: (id) => storageRef(id, file, what)
  })
  const storages = new Map<string, Uint8Array>()
  return resolveTensors(value, file, (ref) => {
    let data = storages.get(ref.key)
    if (!data) {
      const name = `${prefix}data/${ref.key}`
      if (!archive.has(name)) throw new ModelFileError(file, `${file} is damaged: a tensor's data (${name}) is missing from the archive.`)
      data = archive.read(name)
      storages.set(ref.key, data)
    }
    return data
  })
}

function readLegacyFormat(bytes: Uint8Array, file: string): PickleValue {
  const plain = (what: string, start: number): { value: PickleValue; end: number } => unpickle(bytes, { file, what, globals: {} }, start)
  const magic = plain('the legacy header', 0)
  if (magic.value !== LEGACY_MAGIC)
    throw new ModelFileError(file, `${file} is a pickle, but not a file torch.save wrote (it has no torch header). Only PyTorch state dicts are read.`)
  const protocol = plain('the legacy header', magic.end)
  if (protocol.value !== LEGACY_PROTOCOL)
    throw new ModelFileError(file, `${file} is a legacy torch file of protocol ${describePickle(protocol.value)}; only ${LEGACY_PROTOCOL} is read.`)
  const info = plain('the legacy system info', protocol.end)
  if (info.value instanceof PickleDict && info.value.entries.get('little_endian') === false) {
    throw new ModelFileError(file, `${file} was saved on a big-endian machine; load it in PyTorch and save it again there with torch.save.`)
  }
  const what = 'the legacy pickle'
  const main = unpickle(bytes, { file, what, globals: torchGlobals(file), persistentLoad: (id) => storageRef(id, file, what) }, info.end)
  const keys = plain('the legacy storage list', main.end)
  if (!Array.isArray(keys.value) || !keys.value.every((key) => typeof key === 'string'))
    throw new ModelFileError(file, `${file} is damaged: its list of tensor storages is not a list of names.`)
  // Each storage: its element count as int64, then its bytes, in the order of the list.
  const refs = new Map<string, StorageRef>()
  collectStorages(main.value, refs)
  const storages = new Map<string, Uint8Array>()
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let at = keys.end
  for (const key of keys.value as string[]) {
    if (at + 8 > bytes.byteLength) throw new ModelFileError(file, `${file} is cut short: the data of storage ${key} is missing.`)
    const count = Number(view.getBigInt64(at, true))
    const ref = refs.get(key)
    const size = count * (ref ? DTYPE_BYTES[ref.dtype] : 1)
    if (!ref || count < 0 || at + 8 + size > bytes.byteLength) throw new ModelFileError(file, `${file} is damaged or cut short at the data of storage ${key}.`)
    storages.set(key, bytes.subarray(at + 8, at + 8 + size))
    at += 8 + size
  }
  return resolveTensors(main.value, file, (ref) => {
    const data = storages.get(ref.key)
    if (!data) throw new ModelFileError(file, `${file} is damaged: the data of storage ${ref.key} is missing.`)
    return data
  })
}

function torchGlobals(file: string): Record<string, AllowedGlobal> {
  const rebuild = (args: readonly PickleValue[]): PickleValue => rebuildTensor(args, file)
  const globals: Record<string, AllowedGlobal> = {
    'collections.OrderedDict': { call: () => new PickleDict() },
    'torch._utils._rebuild_tensor_v2': { call: rebuild },
    'torch._utils._rebuild_tensor': { call: rebuild },
    'torch._utils._rebuild_parameter': { call: (args) => args[0] as PickleValue },
    'torch._utils._rebuild_parameter_with_state': { call: (args) => args[0] as PickleValue }
  }
  for (const name of Object.keys(STORAGE_TYPES)) globals[`torch.${name}`] = {}
  return globals
}

/** _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata]). */
function rebuildTensor(args: readonly PickleValue[], file: string): PickleValue {
  const [storage, offset, size, stride] = args
  const ints = (value: PickleValue | undefined): number[] | null =>
    value instanceof PickleTuple && value.items.every((item) => typeof item === 'number' && Number.isSafeInteger(item) && item >= 0)
      ? (value.items as number[])
      : null
  const shape = ints(size)
  const strides = ints(stride)
  if (!isStorageRef(storage) || typeof offset !== 'number' || !shape || !strides || shape.length !== strides.length || offset < 0) {
    throw new ModelFileError(file, `${file} describes a tensor with arguments torch.save never writes for a state dict.`)
  }
  return new TensorView(storage, offset, shape, strides)
}

function storageRef(id: PickleValue, file: string, what: string): StorageRef {
  // ('storage', storage_type, key, location, numel[, view_metadata])
  const items = id instanceof PickleTuple ? id.items : []
  const [tag, type, key, , count, view] = items
  const dtype = type instanceof PickleGlobal && type.module === 'torch' ? STORAGE_TYPES[type.name] : undefined
  if (tag !== 'storage' || !dtype || typeof key !== 'string' || typeof count !== 'number' || count < 0 || (view !== undefined && view !== null)) {
    throw new ModelFileError(file, `${file}: ${what} refers to data in a way torch.save never writes for a state dict.`)
  }
  return { kind: 'storage', dtype, key, numel: count }
}

function isStorageRef(value: PickleValue | undefined): value is StorageRef {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'storage'
}

/** Every storage the tensors in `value` use, by key (legacy files give only the key list). */
function collectStorages(value: PickleValue, into: Map<string, StorageRef>, depth = 0): void {
  if (depth > 16) return
  if (value instanceof TensorView) into.set(value.storage.key, value.storage)
  else if (value instanceof PickleDict) for (const child of value.entries.values()) collectStorages(child, into, depth + 1)
  else if (value instanceof PickleTuple) for (const child of value.items) collectStorages(child, into, depth + 1)
  else if (Array.isArray(value)) for (const child of value as PickleValue[]) collectStorages(child, into, depth + 1)
}

/** `value` with every tensor view replaced by its values (dicts, lists and tuples rebuilt; nested at most 16 deep). */
function resolveTensors(value: PickleValue, file: string, dataOf: (ref: StorageRef) => Uint8Array, depth = 0): PickleValue {
  if (depth > 16) throw new ModelFileError(file, `${file} nests its data more than 16 levels deep; a state dict is one or two.`)
  if (value instanceof TensorView) return materialize(value, dataOf(value.storage), file)
  if (value instanceof PickleDict) {
    const out = new PickleDict()
    for (const [key, child] of value.entries) out.entries.set(key, resolveTensors(child, file, dataOf, depth + 1))
    for (const [key, child] of value.attributes) out.attributes.set(key, child)
    return out
  }
  if (value instanceof PickleTuple) return new PickleTuple(value.items.map((child) => resolveTensors(child, file, dataOf, depth + 1)))
  if (Array.isArray(value)) return (value as PickleValue[]).map((child) => resolveTensors(child, file, dataOf, depth + 1))
  return value
}

function materialize(view: TensorView, data: Uint8Array, file: string): StoredTensor {
  const { storage, offset, shape, stride } = view
  const size = DTYPE_BYTES[storage.dtype]
  const count = numel(shape)
  if (data.byteLength < storage.numel * size)
    throw new ModelFileError(
      file,
      `${file} is damaged: storage ${storage.key} holds ${data.byteLength} bytes, not the ${storage.numel * size} its tensors need.`
    )
  if (count === 0) return { dtype: storage.dtype, shape, values: new Float32Array(0) }
  const last = offset + shape.reduce((sum, dim, i) => sum + (dim - 1) * (stride[i] as number), 0)
  if (last >= storage.numel) throw new ModelFileError(file, `${file} is damaged: a tensor of shape [${shape.join(', ')}] reaches past the end of its storage.`)
  const contiguous = shape.every((_, i) => (stride[i] as number) === numel(shape.slice(i + 1)) || (shape[i] as number) === 1)
  if (contiguous) return { dtype: storage.dtype, shape, values: decodeValues(data, storage.dtype, count, offset) }
  // A strided view (a transposed tensor, say): gather it into row-major order.
  const values = new Float32Array(count)
  const dataView = new DataView(data.buffer, data.byteOffset, data.byteLength)
  const index = new Array<number>(shape.length).fill(0)
  for (let i = 0; i < count; i++) {
    let element = offset
    for (let d = 0; d < shape.length; d++) element += (index[d] as number) * (stride[d] as number)
    values[i] = readOne(dataView, element * size, storage.dtype)
    for (let d = shape.length - 1; d >= 0; d--) {
      index[d] = (index[d] as number) + 1
      if ((index[d] as number) < (shape[d] as number)) break
      index[d] = 0
    }
  }
  return { dtype: storage.dtype, shape, values }
}

export function isStoredTensor(value: unknown): value is StoredTensor {
  return typeof value === 'object' && value !== null && 'values' in value && (value as StoredTensor).values instanceof Float32Array && 'shape' in value
}

/**
 * A state dict as torch.save writes it (zip format, the archive named `archive/` as PyTorch 2 names it): an
 * OrderedDict of tensors, with the `_metadata` attribute load_state_dict reads module versions from (BatchNorm
 * is version 2: it has num_batches_tracked). Only float32 and int64 tensors are written.
 */
export function writeTorchStateDict(entries: readonly (readonly [string, WritableTensor])[], metadata: readonly (readonly [string, number])[]): Uint8Array {
  const pickle = new PickleWriter()
  pickle.proto()
  pickle.orderedDict()
  pickle.mark()
  entries.forEach(([key, tensor], index) => {
    pickle.string(key)
    pickle.global('torch._utils', '_rebuild_tensor_v2')
    pickle.mark()
    pickle.mark()
    pickle.string('storage')
    pickle.global('torch', tensor.dtype === 'float32' ? 'FloatStorage' : 'LongStorage')
    pickle.string(String(index))
    pickle.string('cpu')
    pickle.int(numel(tensor.shape))
    pickle.op(0x74)
    pickle.op(0x51)
    pickle.int(0)
    pickle.intTuple(tensor.shape)
    pickle.intTuple(tensor.shape.map((_, i) => numel(tensor.shape.slice(i + 1))))
    pickle.op(0x89)
    pickle.orderedDict()
    pickle.op(0x74)
    pickle.op(0x52)
  })
  pickle.op(0x75)
  // BUILD with {'_metadata': OrderedDict((prefix, {'version': v}), …)}, as nn.Module.state_dict() leaves it.
  pickle.op(0x7d)
  pickle.string('_metadata')
  pickle.orderedDict()
  pickle.mark()
  for (const [prefix, version] of metadata) {
    pickle.string(prefix)
    pickle.op(0x7d)
    pickle.string('version')
    pickle.int(version)
    pickle.op(0x73)
  }
  pickle.op(0x75)
  pickle.op(0x73)
  pickle.op(0x62)
  pickle.op(0x2e)
  const text = (value: string): Uint8Array => new TextEncoder().encode(value)
  return writeZip([
    { name: 'archive/data.pkl', data: pickle.bytes() },
    { name: 'archive/byteorder', data: text('little') },
    ...entries.map(([, tensor], index) => ({ name: `archive/data/${index}`, data: tensor.bytes })),
    { name: 'archive/version', data: text('3\n') }
  ])
}

/** Just the opcodes writeTorchStateDict needs (protocol 2, no memo). */
class PickleWriter {
  private readonly chunks: number[] = []

  op(code: number): void {
    this.chunks.push(code)
  }

  proto(): void {
    this.chunks.push(0x80, 2)
  }

  mark(): void {
    this.op(0x28)
  }

  string(value: string): void {
    const encoded = new TextEncoder().encode(value)
    this.op(0x58)
    this.u32(encoded.byteLength)
    this.chunks.push(...encoded)
  }

  global(module: string, name: string): void {
    this.op(0x63)
    this.chunks.push(...new TextEncoder().encode(`${module}\n${name}\n`))
  }

  orderedDict(): void {
    this.global('collections', 'OrderedDict')
    this.op(0x29)
    this.op(0x52)
  }

  int(value: number): void {
    if (value >= 0 && value < 256) this.chunks.push(0x4b, value)
    else if (value >= 0 && value < 65536) this.chunks.push(0x4d, value & 0xff, value >> 8)
    else if (value >= -(2 ** 31) && value < 2 ** 31) {
      this.op(0x4a)
      this.u32(value >>> 0)
    } else {
      // LONG1: 8 bytes of two's complement.
      const bytes = new Uint8Array(8)
      new DataView(bytes.buffer).setBigInt64(0, BigInt(value), true)
      this.chunks.push(0x8a, 8, ...bytes)
    }
  }

  intTuple(values: readonly number[]): void {
    if (values.length === 0) {
      this.op(0x29)
      return
    }
    this.mark()
    for (const value of values) this.int(value)
    this.op(0x74)
  }

  bytes(): Uint8Array {
    return Uint8Array.from(this.chunks)
  }

  private u32(value: number): void {
    this.chunks.push(value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff)
  }
}
