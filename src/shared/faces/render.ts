import { Rng } from '../latent/random'
import { Canvas } from './canvas'
import { facePainter } from './painter'
import { paintBackdrop } from './parts/backdrop'
import { paintBeard } from './parts/beard'
import { paintBody } from './parts/body'
import { paintBrows, paintEyes } from './parts/eyes'
import { paintGlasses } from './parts/glasses'
import { paintLongHairBehind, paintLongHairFront, paintShortHair } from './parts/hair'
import { paintEars, paintSkin } from './parts/head'
import { paintMouth } from './parts/mouth'
import { paintNose } from './parts/nose'
import { type FaceSpec, faceSpecAt, randomFaceSpec } from './spec'

export const DEFAULT_FACE_SIZE = 64
export const MIN_FACE_SIZE = 8
export const MAX_FACE_SIZE = 256

/**
 * Draws a face as RGB bytes (row-major, `size`×`size`×3). The geometry is in fractions of the image, so the
 * same spec gives the same face at every size; each size is drawn supersampled (4× at 32 px, 3× at 64, 2× from
 * 128) and box-filtered down, so edges are anti-aliased and thin parts fade rather than vanish.
 */
export function renderFace(spec: FaceSpec, size = DEFAULT_FACE_SIZE): Uint8Array<ArrayBuffer> {
  if (!Number.isInteger(size) || size < MIN_FACE_SIZE || size > MAX_FACE_SIZE) {
    throw new RangeError(`A face is drawn at ${MIN_FACE_SIZE}–${MAX_FACE_SIZE} px, got ${size}.`)
  }
  const canvas = new Canvas(size, size <= 32 ? 4 : size <= 64 ? 3 : 2)
  paintBackdrop(canvas, spec)
  const p = facePainter(canvas, spec)
  // Back to front: hair behind the head, body, skin, then what lies on the skin, then what lies over it.
  if (!spec.masculine) paintLongHairBehind(p)
  paintBody(p)
  paintSkin(p)
  if (spec.masculine) {
    paintShortHair(p)
    paintBeard(p)
  }
  paintEars(p)
  paintEyes(p)
  paintBrows(p)
  paintNose(p)
  paintMouth(p)
  // Glasses before the long hair's front, so their arms run under the hair to the ears.
  if (spec.glasses) paintGlasses(p)
  if (!spec.masculine) paintLongHairFront(p)
  return canvas.toRgb(spec.finish)
}

/** The face a seed names. */
export function faceForSeed(seed: number, size = DEFAULT_FACE_SIZE): { spec: FaceSpec; image: Uint8Array<ArrayBuffer> } {
  const spec = randomFaceSpec(new Rng(seed))
  return { spec, image: renderFace(spec, size) }
}

/** Face `index` of the set drawn with `seed` (see `faceSeed`). */
export function faceAt(seed: number, index: number, size = DEFAULT_FACE_SIZE): { spec: FaceSpec; image: Uint8Array<ArrayBuffer> } {
  const spec = faceSpecAt(seed, index)
  return { spec, image: renderFace(spec, size) }
}
