import { randomBytes } from 'node:crypto'
import { mkdir, readdir, rename, rm, rmdir, stat } from 'node:fs/promises'
import path from 'node:path'
import sharp from 'sharp'
import { syncDirectory, writeAndSync } from '../../../node/atomic-files'
import { StudioError } from '../../../shared/api/errors'
import {
  FACES_LABELS_FILE,
  FACES_LABELS_VERSION,
  type FaceEntry,
  FacesLabelsFile,
  MAX_FACE_SIZE,
  MIN_FACE_SIZE,
  faceFileName,
  faceSeed,
  faceSpecAt,
  labelsOf,
  renderFace
} from '../../../shared/faces'

export interface MakeFacesOptions {
  count: number
  size: number
  seed: number
  /** The folder to create; it must not exist yet, or be empty. */
  out: string
  onProgress?: (done: number, total: number) => void
  signal?: AbortSignal
}

export interface MadeFaces {
  out: string
  count: number
  size: number
  seed: number
  labelsFile: string
}

export const MAX_FACE_COUNT = 1_000_000

/** Encodes run concurrently with drawing the next faces (sharp works on its own threads). */
const IN_FLIGHT = 4

/**
 * Draws `count` procedural faces into `out` as face-000000.png … plus labels.json (the labels and seed of each).
 * Everything is written into a hidden sibling folder and renamed into place when complete, so a cancelled or
 * failed run leaves no half-made set behind, and the folder, once there, is whole.
 */
export async function makeFaces(options: MakeFacesOptions): Promise<MadeFaces> {
  const { count, size, seed, onProgress, signal } = options
  checkOptions(options)
  const out = path.resolve(options.out)
  await checkTarget(out)
  const parent = path.dirname(out)
  await mkdir(parent, { recursive: true })
  const staging = path.join(parent, `.${path.basename(out)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`)
  await mkdir(staging)
  const pending = new Set<Promise<void>>()
  try {
    const faces = new Array<FaceEntry>(count)
    let done = 0
    for (let i = 0; i < count; i++) {
      if (signal?.aborted) throw cancelled(out)
      const spec = faceSpecAt(seed, i)
      const file = faceFileName(i)
      faces[i] = { file, seed: faceSeed(seed, i), labels: labelsOf(spec) }
      const write = writePng(path.join(staging, file), renderFace(spec, size), size).then(() => {
        pending.delete(write)
        onProgress?.(++done, count)
      })
      pending.add(write)
      if (pending.size >= IN_FLIGHT) await Promise.race(pending)
    }
    await Promise.all(pending)
    if (signal?.aborted) throw cancelled(out)
    const labels = FacesLabelsFile.parse({ format: 'dcgan-studio/faces-labels', version: FACES_LABELS_VERSION, size, seed, count, faces })
    await writeAndSync(path.join(staging, FACES_LABELS_FILE), `${JSON.stringify(labels, null, 1)}\n`)
    await syncDirectory(staging)
    // An empty folder the user made for us is replaced; anything else was refused by checkTarget.
    await rmdir(out).catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    })
    await rename(staging, out)
    await syncDirectory(parent)
  } catch (error) {
    // Let the writes still in flight finish (or fail) before their folder goes.
    await Promise.allSettled(pending)
    await rm(staging, { recursive: true, force: true })
    throw error
  }
  return { out, count, size, seed, labelsFile: path.join(out, FACES_LABELS_FILE) }
}

async function writePng(file: string, rgb: Uint8Array<ArrayBuffer>, size: number): Promise<void> {
  const png = await sharp(Buffer.from(rgb.buffer, rgb.byteOffset, rgb.length), { raw: { width: size, height: size, channels: 3 } })
    .png()
    .toBuffer()
  await writeAndSync(file, png)
}

function checkOptions({ count, size, seed }: MakeFacesOptions): void {
  if (!Number.isInteger(count) || count < 1 || count > MAX_FACE_COUNT) {
    throw new StudioError('bad_request', `The number of faces must be a whole number from 1 to ${MAX_FACE_COUNT.toLocaleString('en')}, got ${count}.`)
  }
  if (!Number.isInteger(size) || size < MIN_FACE_SIZE || size > MAX_FACE_SIZE) {
    throw new StudioError(
      'bad_request',
      `The face size must be a whole number of pixels from ${MIN_FACE_SIZE} to ${MAX_FACE_SIZE} (the models use 32, 64 or 128), got ${size}.`
    )
  }
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new StudioError('bad_request', `The seed must be a whole number from 0 to 4294967295, got ${seed}.`)
  }
}

/** The output folder must be new (or empty): mixing two face sets would make labels.json lie. */
async function checkTarget(out: string): Promise<void> {
  let info
  try {
    info = await stat(out)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return
    throw new StudioError('io_error', `Cannot use ${out} for the faces: ${(error as Error).message}`)
  }
  if (!info.isDirectory()) throw new StudioError('bad_request', `${out} is a file. Name a new folder for the faces.`)
  const entries = await readdir(out)
  if (entries.length > 0) {
    throw new StudioError(
      'bad_request',
      `${out} already holds ${entries.length} item(s). Name a new or empty folder for the faces, so no older images mix with the new set.`
    )
  }
}

function cancelled(out: string): StudioError {
  return new StudioError('cancelled', `Making faces was cancelled; nothing was written to ${out}.`)
}
