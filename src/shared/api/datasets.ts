import { z } from 'zod'
import { DatasetManifest } from '../formats/dataset'
import { RgbaImage } from './image'

/** A dataset as the library lists it (the manifest without its per-file list). */
export const DatasetListing = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: z.string(),
  size: z.number().int(),
  channels: z.union([z.literal(1), z.literal(3)]),
  count: z.number().int(),
  source: DatasetManifest.shape.source,
  summary: DatasetManifest.shape.summary,
  labelled: z.boolean()
})
export type DatasetListing = z.infer<typeof DatasetListing>

export const ImportRequest = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('folder'),
    /** A folder on the machine running the studio (in web mode: the server's machine). */
    path: z.string().min(1, 'choose a folder to import'),
    size: z.number().int().min(8).max(256).default(64),
    grayscale: z.boolean().default(false),
    fit: z.enum(['crop', 'pad']).default('crop'),
    /** Labels from the folder layout: each top-level subfolder is a class, named by the folder. */
    classFolders: z.boolean().default(false),
    name: z.string().max(200).optional()
  }),
  z.object({
    kind: z.literal('idx'),
    imagesPath: z.string().min(1, 'choose an IDX images file'),
    labelsPath: z.string().min(1).optional(),
    size: z.number().int().min(8).max(256).optional(),
    name: z.string().max(200).optional(),
    limit: z.number().int().min(1).optional()
  })
])
export type ImportRequest = z.infer<typeof ImportRequest>
export type ImportRequestInput = z.input<typeof ImportRequest>

export const DatasetPreviewParams = z.object({
  id: z.string(),
  start: z.number().int().min(0).default(0),
  count: z.number().int().min(1).max(256).default(64)
})
export const DatasetPreview = z.object({ images: z.array(RgbaImage), total: z.number().int() })
export type DatasetPreview = z.infer<typeof DatasetPreview>
