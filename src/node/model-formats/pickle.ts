import { ByteReader, ModelFileError } from './model-file-error'

/**
 * A pickle reader that runs nothing. Python's own unpickler calls any function a file names, so a "model" can
 * run any code on the machine that loads it; this one knows the opcodes plain data uses (protocols 2–5: numbers,
 * strings, bytes, lists, tuples, dicts, the memo) and calls only the globals its caller allows, each through a
 * JavaScript function the caller supplies. Any other global, and any opcode outside that set, stops the read
 * with an error that names it; nothing from the file is ever looked up by name outside the allowlist.
 */

/** A global the data named and the caller allowed: pushed by GLOBAL, called by REDUCE / NEWOBJ. */
export class PickleGlobal {
  constructor(
    readonly module: string,
    readonly name: string
  ) {}

  get qualifiedName(): string {
    return `${this.module}.${this.name}`
  }
}

export class PickleTuple {
  constructor(readonly items: readonly PickleValue[]) {}
}

/** A dict or OrderedDict: entries in insertion order, plus the attributes BUILD gave it (a state dict's _metadata). */
export class PickleDict {
  readonly entries = new Map<PickleKey, PickleValue>()
  readonly attributes = new Map<string, PickleValue>()
}

/** What an allowed callable returns when its object takes BUILD's state afterwards (numpy arrays do). */
export interface PickleBuildable {
  setState(state: PickleValue): void
}

export type PickleKey = string | number | bigint | boolean | null
export type PickleValue = PickleKey | Uint8Array | PickleValue[] | PickleTuple | PickleDict | PickleGlobal | object

export interface AllowedGlobal {
  /** What calling it (REDUCE or NEWOBJ with these arguments) makes; absent for a global only passed around as a value. */
  call?: (args: readonly PickleValue[]) => PickleValue
}

export interface UnpickleOptions {
  /** The file the pickle came from, for messages. */
  file: string
  /** What the pickle is, for messages: "data.pkl in netG.pth". */
  what: string
  /** The globals the data may name, keyed "module.name". */
  globals: Readonly<Record<string, AllowedGlobal>>
  /** BINPERSID: what a persistent id stands for (a tensor's storage). Without it persistent ids are refused. */
  persistentLoad?: (id: PickleValue) => PickleValue
}

export interface Unpickled {
  value: PickleValue
  /** Where the pickle ended (the byte after STOP): legacy torch files hold several pickles in a row. */
  end: number
}

const MARK = Symbol('mark')
type StackItem = PickleValue | typeof MARK

/** Bounds on what a hostile pickle can make this do: far above any model's needs. */
const MAX_MEMO = 1_000_000
const MAX_STACK = 1_000_000
const MAX_LONG_BYTES = 64

const OPCODE_NAMES: Record<number, string> = {
  0x63: 'GLOBAL',
  0x93: 'STACK_GLOBAL',
  0x52: 'REDUCE',
  0x62: 'BUILD',
  0x81: 'NEWOBJ',
  0x92: 'NEWOBJ_EX',
  0x69: 'INST',
  0x6f: 'OBJ',
  0x82: 'EXT1',
  0x83: 'EXT2',
  0x84: 'EXT4',
  0x50: 'PERSID',
  0x8f: 'EMPTY_SET',
  0x90: 'ADDITEMS',
  0x91: 'FROZENSET',
  0x96: 'BYTEARRAY8',
  0x97: 'NEXT_BUFFER',
  0x98: 'READONLY_BUFFER',
  0x49: 'INT',
  0x4c: 'LONG',
  0x46: 'FLOAT',
  0x53: 'STRING',
  0x56: 'UNICODE',
  0x70: 'PUT',
  0x67: 'GET'
}

export function unpickle(bytes: Uint8Array, options: UnpickleOptions, start = 0): Unpickled {
  const { file, what } = options
  const reader = new ByteReader(bytes, file, what)
  const stack: StackItem[] = []
  const marks: number[] = []
  const memo = new Map<number, PickleValue>()
  let at = start

  const fail = (message: string): never => {
    throw new ModelFileError(file, `${file}: ${what} ${message}`)
  }
  const push = (value: StackItem): void => {
    if (stack.length >= MAX_STACK) fail('builds more values than any model file holds; it is refused.')
    stack.push(value)
  }
  const pop = (): PickleValue => {
    const value = stack.pop()
    if (value === undefined || value === MARK) fail(`is malformed: an opcode at byte ${at} takes a value that is not there.`)
    return value as PickleValue
  }
  const top = (): PickleValue => {
    const value = stack[stack.length - 1]
    if (value === undefined || value === MARK) fail(`is malformed: an opcode at byte ${at} needs a value that is not there.`)
    return value as PickleValue
  }
  const popMark = (): PickleValue[] => {
    const mark = marks.pop()
    if (mark === undefined) fail(`is malformed: an opcode at byte ${at} needs a MARK that is not there.`)
    const items = stack.splice(mark as number)
    items.shift()
    return items as PickleValue[]
  }
  const text = (length: number, encoding: 'utf-8' | 'latin1'): string => {
    const slice = reader.slice(at, length)
    at += length
    return encoding === 'latin1' ? Buffer.from(slice).toString('latin1') : new TextDecoder('utf-8', { fatal: true }).decode(slice)
  }
  const line = (): string => {
    const end = bytes.indexOf(0x0a, at)
    if (end < 0 || end - at > 1000) fail(`is malformed: a global's name at byte ${at} does not end.`)
    const value = Buffer.from(bytes.subarray(at, end)).toString('latin1')
    at = end + 1
    return value
  }
  const global = (module: string, name: string): PickleGlobal => {
    const qualified = `${module}.${name}`
    if (!Object.hasOwn(options.globals, qualified)) {
      const allowed = Object.keys(options.globals).join(', ')
      fail(
        `names the Python global "${qualified}", which this kind of file never needs, so it is refused and nothing in it is run. (A model file may name: ${allowed}.)`
      )
    }
    return new PickleGlobal(module, name)
  }
  const call = (callee: PickleValue, args: PickleValue, opcode: string): PickleValue => {
    if (!(callee instanceof PickleGlobal)) return fail(`calls something that is not an allowed global (${opcode} at byte ${at}).`)
    if (!(args instanceof PickleTuple)) return fail(`calls ${callee.qualifiedName} with arguments that are not a tuple (${opcode} at byte ${at}).`)
    const allowed = options.globals[callee.qualifiedName]
    if (!allowed?.call) return fail(`calls ${callee.qualifiedName}, which a model file only ever passes as a value.`)
    return allowed.call(args.items)
  }
  const setItem = (dict: PickleValue, key: PickleValue, value: PickleValue): void => {
    if (!(dict instanceof PickleDict)) fail(`is malformed: SETITEM at byte ${at} on something that is not a dict.`)
    if (!isKey(key)) fail(`uses a dict key that is not a string or number (byte ${at}).`)
    ;(dict as PickleDict).entries.set(key as PickleKey, value)
  }
  const integer = (value: bigint): number | bigint =>
    value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value

  for (;;) {
    const opcodeAt = at
    const op = reader.u8(at)
    at += 1
    switch (op) {
      case 0x80: {
        const protocol = reader.u8(at)
        at += 1
        if (protocol < 2 || protocol > 5) fail(`uses pickle protocol ${protocol}; protocols 2 to 5 are read.`)
        break
      }
      case 0x95:
        reader.u64(at)
        at += 8
        break
      case 0x2e:
        if (stack.length !== 1 || marks.length !== 0) fail(`is malformed: it ends with ${stack.length} values on its stack instead of one.`)
        return { value: pop(), end: at }
      case 0x28:
        marks.push(stack.length)
        push(MARK)
        break
      case 0x30:
        pop()
        break
      case 0x31:
        popMark()
        break
      case 0x32:
        push(top())
        break
      case 0x4e:
        push(null)
        break
      case 0x88:
        push(true)
        break
      case 0x89:
        push(false)
        break
      case 0x4a:
        push(reader.i32(at))
        at += 4
        break
      case 0x4b:
        push(reader.u8(at))
        at += 1
        break
      case 0x4d:
        push(reader.u16(at))
        at += 2
        break
      case 0x8a:
      case 0x8b: {
        const length = op === 0x8a ? reader.u8(at) : reader.u32(at)
        at += op === 0x8a ? 1 : 4
        if (length > MAX_LONG_BYTES) fail(`holds a ${length}-byte integer; model files hold small ones.`)
        push(integer(littleEndianSigned(reader.slice(at, length))))
        at += length
        break
      }
      case 0x47:
        push(reader.f64be(at))
        at += 8
        break
      case 0x58:
      case 0x8c:
      case 0x8d:
      case 0x54:
      case 0x55: {
        const length = op === 0x8c || op === 0x55 ? reader.u8(at) : op === 0x8d ? reader.u64(at) : op === 0x58 ? reader.u32(at) : reader.i32(at)
        at += op === 0x8c || op === 0x55 ? 1 : op === 0x8d ? 8 : 4
        push(text(length, op === 0x54 || op === 0x55 ? 'latin1' : 'utf-8'))
        break
      }
      case 0x42:
      case 0x43:
      case 0x8e: {
        const length = op === 0x43 ? reader.u8(at) : op === 0x42 ? reader.u32(at) : reader.u64(at)
        at += op === 0x43 ? 1 : op === 0x42 ? 4 : 8
        push(reader.slice(at, length))
        at += length
        break
      }
      case 0x7d:
        push(new PickleDict())
        break
      case 0x5d:
        push([])
        break
      case 0x29:
        push(new PickleTuple([]))
        break
      case 0x64: {
        const items = popMark()
        const dict = new PickleDict()
        for (let i = 0; i + 1 < items.length; i += 2) setItem(dict, items[i] as PickleValue, items[i + 1] as PickleValue)
        push(dict)
        break
      }
      case 0x6c:
        push(popMark())
        break
      case 0x74:
        push(new PickleTuple(popMark()))
        break
      case 0x85:
      case 0x86:
      case 0x87: {
        const count = op - 0x84
        const items: PickleValue[] = []
        for (let i = 0; i < count; i++) items.unshift(pop())
        push(new PickleTuple(items))
        break
      }
      case 0x61: {
        const value = pop()
        const list = top()
        if (!Array.isArray(list)) fail(`is malformed: APPEND at byte ${opcodeAt} on something that is not a list.`)
        ;(list as PickleValue[]).push(value)
        break
      }
      case 0x65: {
        const items = popMark()
        const list = top()
        if (!Array.isArray(list)) fail(`is malformed: APPENDS at byte ${opcodeAt} on something that is not a list.`)
        ;(list as PickleValue[]).push(...items)
        break
      }
      case 0x73: {
        const value = pop()
        const key = pop()
        setItem(top(), key, value)
        break
      }
      case 0x75: {
        const items = popMark()
        const dict = top()
        for (let i = 0; i + 1 < items.length; i += 2) setItem(dict, items[i] as PickleValue, items[i + 1] as PickleValue)
        break
      }
      case 0x71:
      case 0x72:
      case 0x94: {
        const index = op === 0x94 ? memo.size : op === 0x71 ? reader.u8(at) : reader.u32(at)
        at += op === 0x71 ? 1 : op === 0x72 ? 4 : 0
        if (index >= MAX_MEMO) fail(`keeps more values than any model file does; it is refused.`)
        memo.set(index, top())
        break
      }
      case 0x68:
      case 0x6a: {
        const index = op === 0x68 ? reader.u8(at) : reader.u32(at)
        at += op === 0x68 ? 1 : 4
        if (!memo.has(index)) fail(`is malformed: it refers to memo entry ${index} before making it.`)
        push(memo.get(index) as PickleValue)
        break
      }
      case 0x63: {
        const module = line()
        push(global(module, line()))
        break
      }
      case 0x93: {
        const name = pop()
        const module = pop()
        if (typeof module !== 'string' || typeof name !== 'string') fail(`is malformed: STACK_GLOBAL at byte ${opcodeAt} without two names.`)
        push(global(module as string, name as string))
        break
      }
      case 0x52:
      case 0x81: {
        const args = pop()
        const callee = pop()
        push(call(callee, args, op === 0x52 ? 'REDUCE' : 'NEWOBJ'))
        break
      }
      case 0x62: {
        const state = pop()
        const target = top()
        if (target instanceof PickleDict) {
          if (!(state instanceof PickleDict)) fail(`sets the attributes of a dict from something that is not a dict (BUILD at byte ${opcodeAt}).`)
          for (const [key, value] of (state as PickleDict).entries) {
            if (typeof key === 'string') target.attributes.set(key, value)
          }
        } else if (isBuildable(target)) {
          target.setState(state)
        } else {
          fail(`sets the state of an object (BUILD at byte ${opcodeAt}) that this reader does not make.`)
        }
        break
      }
      case 0x51: {
        const id = pop()
        if (!options.persistentLoad) fail(`refers to data outside itself (BINPERSID at byte ${opcodeAt}), which this kind of file never does.`)
        push((options.persistentLoad as (id: PickleValue) => PickleValue)(id))
        break
      }
      default: {
        const name = OPCODE_NAMES[op]
        fail(
          `uses the pickle opcode 0x${op.toString(16).padStart(2, '0')}${name ? ` (${name})` : ''} at byte ${opcodeAt}, which model files never use; it is refused and nothing in it is run.`
        )
      }
    }
  }
}

function isKey(value: PickleValue): value is PickleKey {
  return value === null || ['string', 'number', 'bigint', 'boolean'].includes(typeof value)
}

function isBuildable(value: PickleValue): value is PickleBuildable {
  return typeof value === 'object' && value !== null && typeof (value as Partial<PickleBuildable>).setState === 'function'
}

/** Pickle's LONG1/LONG4: two's complement, little-endian. */
function littleEndianSigned(bytes: Uint8Array): bigint {
  if (bytes.byteLength === 0) return 0n
  let value = 0n
  for (let i = bytes.byteLength - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i] as number)
  if ((bytes[bytes.byteLength - 1] as number) & 0x80) value -= 1n << BigInt(8 * bytes.byteLength)
  return value
}

/** A short description of a pickled value, for messages that say what a file holds. */
export function describePickle(value: PickleValue): string {
  if (value === null) return 'None'
  if (Array.isArray(value)) return `a list of ${value.length}`
  if (value instanceof PickleTuple) return `a tuple of ${value.items.length}`
  if (value instanceof PickleDict) return `a dict of ${value.entries.size}`
  if (value instanceof Uint8Array) return `${value.byteLength} bytes`
  if (value instanceof PickleGlobal) return value.qualifiedName
  if (typeof value === 'object') return 'an object'
  return typeof value === 'string' ? `the string "${value.slice(0, 40)}"` : String(value)
}
