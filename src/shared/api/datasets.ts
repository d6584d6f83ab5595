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
  }),
  z.object({
    kind: z.literal('cifar'),
    /** CIFAR binary batch files (data_batch_1.bin …, test_batch.bin; CIFAR-100's train.bin, test.bin), or the folder holding them. */
    paths: z.array(z.string().min(1)).min(1, 'choose the CIFAR batch files or their folder'),
    /** From a folder: its training batches or its test batch. */
    split: z.enum(['train', 'test']).default('train'),
    /** CIFAR-100's fine (100 classes) or coarse (20 superclasses) labels. */
    labels: z.enum(['fine', 'coarse']).default('fine'),
    /** Taken from the file names or record sizes unless given. */
    variant: z.enum(['cifar10', 'cifar100']).optional(),
    size: z.number().int().min(8).max(256).optional(),
    name: z.string().max(200).optional(),
    limit: z.number().int().min(1).optional()
  }),
  z.object({
    kind: z.literal('svhn'),
    /** SVHN's cropped digits: train_32x32.mat, test_32x32.mat or extra_32x32.mat. */
    path: z.string().min(1, 'choose an SVHN .mat file'),
    size: z.number().int().min(8).max(256).optional(),
    name: z.string().max(200).optional(),
    limit: z.number().int().min(1).optional()
  }),
  z.object({
    kind: z.literal('npy'),
    /** A .npy of images or an .npz holding them. */
    path: z.string().min(1, 'choose a .npy or .npz file'),
    imagesKey: z.string().min(1).optional(),
    labelsKey: z.string().min(1).optional(),
    /** Labels in a .npy of their own. */
    labelsPath: z.string().min(1).optional(),
    layout: z.enum(['nhw', 'nhwc', 'nchw']).optional(),
    range: z.enum(['uint8', '0-1', '0-255', '-1-1']).optional(),
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
