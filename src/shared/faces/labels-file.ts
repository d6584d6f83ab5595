import { z } from 'zod'
import { FaceLabels } from './attributes'

/**
 * `labels.json` beside a folder of procedural faces (written by `dcgan-studio make-faces`): which face each
 * PNG is, by its seed, and its labels. The importer skips it (not an image); concept tools can read it to pick
 * exemplars by label. Bump `version` for any change an older reader would misread.
 */
export const FACES_LABELS_FILE = 'labels.json'
export const FACES_LABELS_VERSION = 1

export const FaceEntry = z.object({
  file: z.string().regex(/^face-\d{6,}\.png$/, 'a file name like face-000000.png'),
  /** `faceForSeed(seed, size)` draws this face again. */
  seed: z.number().int().nonnegative().max(0xffffffff),
  labels: FaceLabels
})
export type FaceEntry = z.infer<typeof FaceEntry>

export const FacesLabelsFile = z
  .object({
    format: z.literal('dcgan-studio/faces-labels'),
    version: z.literal(FACES_LABELS_VERSION),
    size: z.number().int().min(8).max(256),
    /** The set's seed: face i has seed `faceSeed(seed, i)`. */
    seed: z.number().int().nonnegative().max(0xffffffff),
    count: z.number().int().nonnegative(),
    faces: z.array(FaceEntry)
  })
  .refine((file) => file.faces.length === file.count, { error: 'count must equal the number of faces listed' })
export type FacesLabelsFile = z.infer<typeof FacesLabelsFile>

/** The file name of face `index`: six digits, more when a set holds a million faces or more. */
export function faceFileName(index: number): string {
  return `face-${String(index).padStart(6, '0')}.png`
}
