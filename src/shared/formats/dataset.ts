import { z } from 'zod'

/**
 * A dataset on disk: `datasets/<id>/` holding
 * - `manifest.json`: this file's `DatasetManifest`;
 * - `images.u8`: `count` images packed back to back, each `size`×`size`×`channels` uint8, row-major, channels
 *   interleaved, no header (so image i starts at byte i × imageByteLength);
 * - `labels.u8` (optional): one uint8 class label per image, in the same order;
 * - `thumbs.png`: a contact sheet of the first images (see `thumbLayout`).
 * Bump `formatVersion` for any change an older reader would misread.
 */
export const DATASET_FORMAT_VERSION = 1

export const DATASET_FILES = {
  manifest: 'manifest.json',
  images: 'images.u8',
  labels: 'labels.u8',
  thumbs: 'thumbs.png'
} as const

/** Contact sheet geometry: the first up to 64 images, 8 to a row, each at its own size but at most 64 px. */
export const THUMBS_MAX_COUNT = 64
export const THUMBS_COLUMNS = 8
export const THUMBS_MAX_CELL = 64

/** Dataset ids are folder names, so they are kept to characters that are safe in a path on every OS. */
export const DatasetId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,79}$/, 'a dataset id is 1–80 lowercase letters, digits and dashes')
export type DatasetId = z.infer<typeof DatasetId>

/** Square side in pixels. The model sizes are 32, 64 and 128; IDX data is 28 unless resized. */
export const DatasetImageSize = z.number().int().min(8).max(256)
export const DatasetChannels = z.union([z.literal(1), z.literal(3)])
export type DatasetChannels = z.infer<typeof DatasetChannels>

/**
 * A path relative to the import source, with `/` separators. Never absolute and never stepping outside the
 * source, so anything that later joins it to the source folder stays inside it.
 */
export const SourceRelativePath = z
  .string()
  .min(1)
  .refine(
    (p) => !p.startsWith('/') && p.split('/').every((part) => part !== '..' && part !== '.' && part !== ''),
    'a path relative to the source folder, without "..", "." or empty parts'
  )

export const DatasetSource = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('folder'),
    path: z.string().min(1),
    /** Labelled folder-per-class: each top-level subfolder is a class, named by the folder (see DatasetLabels.names). */
    classFolders: z.literal(true).optional()
  }),
  z.object({ kind: z.literal('idx'), imagesPath: z.string().min(1), labelsPath: z.string().min(1).optional() }),
  z.object({
    kind: z.literal('cifar'),
    /** The binary batch files, in the order their records were packed. */
    paths: z.array(z.string().min(1)).min(1),
    variant: z.enum(['cifar10', 'cifar100']),
    /** CIFAR-100's fine (100 classes) or coarse (20 superclasses) labels; CIFAR-10 has one kind. */
    labels: z.enum(['fine', 'coarse'])
  }),
  /** SVHN's cropped digits (train_32x32.mat, …): MATLAB arrays X and y, y's 10 meaning the digit 0. */
  z.object({ kind: z.literal('svhn'), path: z.string().min(1) }),
  z.object({
    kind: z.literal('npy'),
    /** A .npy file, or a .npz archive of them. */
    path: z.string().min(1),
    /** The array of images inside a .npz. */
    imagesKey: z.string().min(1).optional(),
    /** Labels: an array inside the .npz, or a .npy file of their own. */
    labelsKey: z.string().min(1).optional(),
    labelsPath: z.string().min(1).optional(),
    /** How the array's axes were read: images × height × width (× channels), or channels first. */
    layout: z.enum(['nhw', 'nhwc', 'nchw']),
    /** How values became bytes: uint8 as they are, or floats from this range. */
    range: z.enum(['uint8', '0-1', '0-255', '-1-1'])
  })
])
export type DatasetSource = z.infer<typeof DatasetSource>

/** Where a dataset was imported from, for people: the folder, or the file(s). */
export function sourceLocation(source: DatasetSource): string {
  switch (source.kind) {
    case 'folder':
    case 'svhn':
    case 'npy':
      return source.path
    case 'idx':
      return source.imagesPath
    case 'cifar':
      return source.paths.join(', ')
  }
}

/** What happened to one file of a folder import. Every regular file the importer saw gets one entry. */
export const FileOutcome = z.discriminatedUnion('status', [
  z.object({
    path: SourceRelativePath,
    status: z.literal('imported'),
    /** Position of this image in images.u8. */
    index: z.number().int().min(0)
  }),
  z.object({
    path: SourceRelativePath,
    status: z.literal('skipped'),
    /** Why, in words for the user: 'zero-byte file', 'not an image (text file)', … */
    reason: z.string().min(1)
  }),
  z.object({
    path: SourceRelativePath,
    status: z.literal('duplicate'),
    /** The imported file with exactly the same bytes. */
    duplicateOf: SourceRelativePath
  })
])
export type FileOutcome = z.infer<typeof FileOutcome>
export type FileStatus = FileOutcome['status']

export const DatasetSummary = z.object({
  /** Files looked at (one outcome each for a folder import; the image count for IDX). */
  seen: z.number().int().min(0),
  imported: z.number().int().min(0),
  skipped: z.number().int().min(0),
  duplicate: z.number().int().min(0),
  /** Hidden files and folders (names starting with '.') passed over without being read. */
  hiddenIgnored: z.number().int().min(0)
})
export type DatasetSummary = z.infer<typeof DatasetSummary>

/** How source images were made square and uniform; recorded so a dataset can be re-made the same way. */
export const DatasetPreprocess = z.object({
  /** crop: centre square cut out; pad: whole image letterboxed; none: already square at the source (IDX). */
  fit: z.enum(['crop', 'pad', 'none']),
  /** Colour transparent pixels and padding were filled with. */
  background: z.enum(['white', 'black']),
  /** Converted to one channel of luminance. */
  grayscale: z.boolean()
})
export type DatasetPreprocess = z.infer<typeof DatasetPreprocess>

/** A class name as a folder-per-class import takes it from the folder (any file name is one). */
export const ClassName = z.string().min(1).max(255)

export const DatasetLabels = z
  .object({
    file: z.literal(DATASET_FILES.labels),
    /** Labels are 0 … classes−1. */
    classes: z.number().int().min(1).max(256),
    /**
     * Label k's name, for every k (a folder-per-class import: the class folders' names, sorted). Absent for IDX
     * files, which carry numbers only. Optional, so manifests written before it still read; no version bump.
     */
    names: z.array(ClassName).optional()
  })
  .refine((l) => l.names === undefined || l.names.length === l.classes, { error: 'names must give one name per class', path: ['names'] })

export const DatasetThumbs = z.object({
  file: z.literal(DATASET_FILES.thumbs),
  count: z.number().int().min(1).max(THUMBS_MAX_COUNT),
  columns: z.number().int().min(1).max(THUMBS_COLUMNS),
  /** Side of one cell in pixels; cell i is at column i % columns, row ⌊i / columns⌋. */
  cellSize: z.number().int().min(1).max(THUMBS_MAX_CELL)
})
export type DatasetThumbs = z.infer<typeof DatasetThumbs>

export const DATASET_NAME_MAX = 200

export const DatasetManifest = z
  .object({
    formatVersion: z.literal(DATASET_FORMAT_VERSION),
    id: DatasetId,
    name: z.string().min(1).max(DATASET_NAME_MAX),
    createdAt: z.iso.datetime(),
    source: DatasetSource,
    size: DatasetImageSize,
    channels: DatasetChannels,
    /** Images packed in images.u8. */
    count: z.number().int().min(1),
    preprocess: DatasetPreprocess,
    labels: DatasetLabels.optional(),
    thumbs: DatasetThumbs,
    /** Per-file outcomes of a folder import, in the order the files were read; empty for IDX. */
    files: z.array(FileOutcome),
    summary: DatasetSummary
  })
  .superRefine((m, ctx) => {
    if (m.summary.imported !== m.count) {
      ctx.addIssue({ code: 'custom', path: ['summary', 'imported'], message: `is ${m.summary.imported} but count is ${m.count}` })
    }
    if (m.summary.imported + m.summary.skipped + m.summary.duplicate !== m.summary.seen) {
      ctx.addIssue({ code: 'custom', path: ['summary'], message: 'imported + skipped + duplicate must equal seen' })
    }
    const expectedThumbs = thumbLayout(m.count, m.size)
    if (m.thumbs.count !== expectedThumbs.count || m.thumbs.columns !== expectedThumbs.columns || m.thumbs.cellSize !== expectedThumbs.cellSize) {
      ctx.addIssue({ code: 'custom', path: ['thumbs'], message: `does not match ${m.count} images of ${m.size} px` })
    }
    if (m.source.kind !== 'folder') return
    if (m.source.classFolders && !m.labels?.names) {
      ctx.addIssue({ code: 'custom', path: ['labels'], message: 'a folder-per-class import must name its classes' })
    }
    const counted = summarizeOutcomes(m.files, m.summary.hiddenIgnored)
    for (const key of ['seen', 'imported', 'skipped', 'duplicate'] as const) {
      if (counted[key] !== m.summary[key]) {
        ctx.addIssue({ code: 'custom', path: ['summary', key], message: `is ${m.summary[key]} but the files list has ${counted[key]}` })
      }
    }
    // Each image in images.u8 must be claimed by exactly one imported file.
    const claimed = new Uint8Array(m.count)
    m.files.forEach((f, i) => {
      if (f.status !== 'imported') return
      if (f.index >= m.count || claimed[f.index]) {
        ctx.addIssue({ code: 'custom', path: ['files', i, 'index'], message: `index ${f.index} is out of range or used twice` })
      } else {
        claimed[f.index] = 1
      }
    })
  })
export type DatasetManifest = z.infer<typeof DatasetManifest>

/** Bytes of one packed image. */
export function imageByteLength(m: Pick<DatasetManifest, 'size' | 'channels'>): number {
  return m.size * m.size * m.channels
}

/** Expected length of images.u8. */
export function datasetByteLength(m: Pick<DatasetManifest, 'size' | 'channels' | 'count'>): number {
  return m.count * imageByteLength(m)
}

/** Byte offset of image `index` in images.u8. */
export function imageOffset(m: Pick<DatasetManifest, 'size' | 'channels'>, index: number): number {
  return index * imageByteLength(m)
}

/** The contact sheet's geometry for a dataset of `count` images of `size` px. */
export function thumbLayout(count: number, size: number): Omit<DatasetThumbs, 'file'> & { rows: number } {
  const shown = Math.min(count, THUMBS_MAX_COUNT)
  const columns = Math.min(shown, THUMBS_COLUMNS)
  return { count: shown, columns, cellSize: Math.min(size, THUMBS_MAX_CELL), rows: Math.ceil(shown / THUMBS_COLUMNS) }
}

/** Summary counts from a folder import's outcomes. */
export function summarizeOutcomes(files: readonly FileOutcome[], hiddenIgnored = 0): DatasetSummary {
  const summary: DatasetSummary = { seen: files.length, imported: 0, skipped: 0, duplicate: 0, hiddenIgnored }
  for (const f of files) summary[f.status] += 1
  return summary
}
