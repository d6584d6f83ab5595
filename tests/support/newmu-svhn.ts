import { execFile } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { promisify } from 'node:util'
import { requireSystemPackage } from './system-packages'

/**
 * The paper authors' SVHN DCGAN (Newmu/dcgan_code, epoch 200) and the numpy forward pass of their Theano code
 * (tests/support/python/newmu_svhn.py) that the studio's import of it is checked against.
 */

/**
 * The released files, as the authors published them (MIT, LICENSE beside them), in tests/fixtures so a clean
 * checkout tests its import without anything beside it; NEWMU_SVHN_DIR points elsewhere.
 */
export function newmuSvhnDir(): string {
  const dir = process.env.NEWMU_SVHN_DIR ?? path.resolve(__dirname, '..', 'fixtures', 'newmu-svhn-dcgan')
  if (!fs.existsSync(path.join(dir, '200_gen_params.jl'))) {
    throw new Error(`The authors' SVHN DCGAN is not at ${dir} (200_gen_params.jl and its .npy files); set NEWMU_SVHN_DIR to the folder holding it.`)
  }
  return dir
}

export interface NumpyForward {
  /** G(z) for the batch, NCHW flattened per sample, with the batch's own batch-norm statistics (as Theano ran it). */
  images: number[][]
  /** D on those images as one batch, likewise. */
  d: number[]
}

export async function numpyForward(z: number[][], workDir: string): Promise<NumpyForward> {
  requireSystemPackage('python3-numpy')
  const zFile = path.join(workDir, 'z.json')
  const out = path.join(workDir, 'numpy-forward.json')
  fs.writeFileSync(zFile, JSON.stringify(z))
  await promisify(execFile)('/usr/bin/python3', [path.join(__dirname, 'python', 'newmu_svhn.py'), 'forward', newmuSvhnDir(), '--z', zFile, '--out', out], {
    maxBuffer: 16 * 1024 * 1024
  })
  return JSON.parse(fs.readFileSync(out, 'utf8')) as NumpyForward
}
