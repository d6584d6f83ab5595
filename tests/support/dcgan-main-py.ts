import { execFile } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { promisify } from 'node:util'
import { requireSystemPackage } from './system-packages'

/**
 * pytorch/examples' dcgan/main.py networks in Debian's PyTorch (tests/support/python/dcgan_main.py): writes
 * the files main.py saves, and loads files back into its networks, for the model import and export tests.
 */

const SCRIPT = path.join(__dirname, 'python', 'dcgan_main.py')
/** Debian's python3, which has python3-torch (the python3 on PATH may be another one). */
const PYTHON = '/usr/bin/python3'

export interface MainPyShape {
  size: 32 | 64 | 128
  nz: number
  ngf: number
  ndf: number
  nc: 1 | 3
}

/** What dcgan_main.py writes to outputs.json / check.json: z, G(z) (NCHW, flattened per sample), D's outputs. */
export interface MainPyOutputs {
  z: number[][]
  images: number[][]
  dOnImages: number[]
  random?: number[][]
  dOnRandom?: number[]
}

async function run(args: string[]): Promise<void> {
  requireSystemPackage('python3-torch')
  await promisify(execFile)(PYTHON, [SCRIPT, ...args], { maxBuffer: 64 * 1024 * 1024 })
}

const shapeArgs = (s: MainPyShape): string[] => [
  '--size',
  String(s.size),
  '--nz',
  String(s.nz),
  '--ngf',
  String(s.ngf),
  '--ndf',
  String(s.ndf),
  '--nc',
  String(s.nc)
]

/** Trains main.py's nets `steps` steps and saves them into `dir` as netG.pth/netD.pth (or as the options say). */
export async function saveMainPyNets(
  dir: string,
  shape: MainPyShape,
  options: {
    seed?: number
    steps?: number
    samples?: number
    initStd?: number
    prefix?: 'main.' | 'none' | 'module.main.'
    legacy?: boolean
    safetensors?: boolean
    only?: 'G' | 'D'
  } = {}
): Promise<MainPyOutputs> {
  const args = [
    'save',
    dir,
    ...shapeArgs(shape),
    '--seed',
    String(options.seed ?? 1),
    '--steps',
    String(options.steps ?? 3),
    '--samples',
    String(options.samples ?? 4)
  ]
  if (options.initStd) args.push('--init-std', String(options.initStd))
  if (options.prefix) args.push('--prefix', options.prefix)
  if (options.legacy) args.push('--legacy')
  if (options.safetensors) args.push('--safetensors')
  if (options.only) args.push('--only', options.only)
  await run(args)
  return JSON.parse(fs.readFileSync(path.join(dir, 'outputs.json'), 'utf8')) as MainPyOutputs
}

/** Saves the state dict of a small classifier (not a DCGAN) as `file`. */
export async function saveOtherNetwork(file: string): Promise<void> {
  await run(['other', file, '--size', '32', '--nz', '1', '--ngf', '1', '--ndf', '1', '--nc', '1'])
}

/** Loads dir/netG.pth and dir/netD.pth into main.py's nets (strict) and runs them on the given z. */
export async function checkMainPyNets(dir: string, shape: MainPyShape, z: number[][]): Promise<MainPyOutputs> {
  const zFile = path.join(dir, 'z-for-check.json')
  fs.writeFileSync(zFile, JSON.stringify(z))
  await run(['check', dir, ...shapeArgs(shape), '--z', zFile])
  return JSON.parse(fs.readFileSync(path.join(dir, 'check.json'), 'utf8')) as MainPyOutputs
}

/** NCHW (PyTorch) to NHWC (the studio), one sample's flat values. */
export function nchwToNhwc(values: readonly number[], channels: number, size: number): Float32Array {
  const out = new Float32Array(values.length)
  for (let c = 0; c < channels; c++)
    for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) out[(y * size + x) * channels + c] = values[(c * size + y) * size + x] as number
  return out
}

/** The largest absolute difference between two equally long arrays (the faithfulness tests' measure). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`maxAbsDiff: ${a.length} values against ${b.length}`)
  let max = 0
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs((a[i] as number) - (b[i] as number)))
  return max
}
