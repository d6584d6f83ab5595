import * as fs from 'node:fs'
import * as path from 'node:path'
import type { DatasetListing, DatasetPreview, ImportRequest } from '../../shared/api/datasets'
import { StudioError, fieldError } from '../../shared/api/errors'
import type { RgbaImage } from '../../shared/api/image'
import type { Job } from '../../shared/api/jobs'
import { DatasetId, type DatasetManifest } from '../../shared/formats/dataset'
import {
  DatasetFileError,
  type ImportResult,
  ImportError,
  checkIdxPath,
  checkNpyPath,
  checkSvhnPath,
  importCifar,
  importFolder,
  importNpy,
  importSvhn,
  selectCifarFiles,
  resolveSourceFolder,
  importIdx,
  openDataset,
  readDatasetManifest,
  removeAbandonedDrafts
} from './import'
import type { Jobs } from './jobs'
import type { Library } from './library'

/** The file or folder an import reads (the first, for CIFAR's batches), for its job's title. */
function importedPath(request: ImportRequest): string {
  switch (request.kind) {
    case 'idx':
      return request.imagesPath
    case 'cifar':
      return request.paths[0] as string
    default:
      return request.path
  }
}

type Common = { datasetsDir: string; signal: AbortSignal; onProgress: (p: { done: number; total: number; message: string }) => void }

/** The options each importer takes, from the request: only what the request says, so defaults stay the importer's. */
function runImport(request: ImportRequest, common: Common): Promise<ImportResult> {
  const optional = <K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> =>
    value === undefined || value === '' ? {} : ({ [key]: value } as Record<K, V>)
  const shared = { ...common, ...optional('size', request.size), ...optional('name', request.name) }
  switch (request.kind) {
    case 'folder':
      return importFolder({
        source: request.path,
        grayscale: request.grayscale,
        fit: request.fit,
        classFolders: request.classFolders,
        ...shared,
        size: request.size
      })
    case 'idx':
      return importIdx({ imagesPath: request.imagesPath, ...optional('labelsPath', request.labelsPath), ...optional('limit', request.limit), ...shared })
    case 'cifar':
      return importCifar({
        paths: request.paths,
        split: request.split,
        labels: request.labels,
        ...optional('variant', request.variant),
        ...optional('limit', request.limit),
        ...shared
      })
    case 'svhn':
      return importSvhn({ path: request.path, ...optional('limit', request.limit), ...shared })
    case 'npy':
      return importNpy({
        path: request.path,
        ...optional('imagesKey', request.imagesKey),
        ...optional('labelsKey', request.labelsKey),
        ...optional('labelsPath', request.labelsPath),
        ...optional('layout', request.layout),
        ...optional('range', request.range),
        ...optional('limit', request.limit),
        ...shared
      })
  }
}

/** Datasets in the library: listing, importing (as jobs), previewing and deleting. */
export class Datasets {
  constructor(
    private readonly library: Library,
    private readonly jobs: Jobs
  ) {}

  get dir(): string {
    return this.library.path('datasets')
  }

  folder(id: string): string {
    const parsed = DatasetId.safeParse(id)
    if (!parsed.success) throw new StudioError('bad_request', `"${id}" is not a dataset id.`)
    return path.join(this.dir, parsed.data)
  }

  async list(): Promise<DatasetListing[]> {
    const entries = await fs.promises.readdir(this.dir, { withFileTypes: true }).catch(() => [])
    const listings: DatasetListing[] = []
    for (const entry of entries) {
      if (!entry.isDirectory() || entry.name.startsWith('.')) continue
      try {
        listings.push(toListing(await readDatasetManifest(path.join(this.dir, entry.name))))
      } catch {
        // A damaged dataset is left out of the list rather than breaking it; opening it says what is wrong.
      }
    }
    return listings.sort((a, b) => b.createdAt.localeCompare(a.createdAt))
  }

  async get(id: string): Promise<DatasetManifest> {
    return translate(() => readDatasetManifest(this.folder(id)))
  }

  async preview(id: string, start: number, count: number): Promise<DatasetPreview> {
    const dataset = await translate(() => openDataset(this.folder(id)))
    try {
      const { size, channels, count: total } = dataset.manifest
      const first = Math.min(start, total)
      const n = Math.min(count, total - first)
      const pixels = n > 0 ? dataset.readImages(first, n) : new Uint8Array()
      const images: RgbaImage[] = []
      for (let i = 0; i < n; i++) images.push(toRgba(pixels.subarray(i * size * size * channels, (i + 1) * size * size * channels), size, channels))
      return { images, total }
    } finally {
      dataset.close()
    }
  }

  /**
   * Checks the paths of an import before its job starts, so a form can mark the field that names a missing
   * folder, or a folder where an IDX file belongs, instead of reporting it on a failed job.
   */
  async checkSource(request: ImportRequest): Promise<void> {
    const check = async (field: string, work: () => Promise<unknown>): Promise<void> => {
      try {
        await work()
      } catch (err) {
        if (err instanceof ImportError) throw fieldError([field], err.message)
        throw err
      }
    }
    switch (request.kind) {
      case 'folder':
        return check('path', () => resolveSourceFolder(path.resolve(request.path)))
      case 'idx':
        await check('imagesPath', () => checkIdxPath(path.resolve(request.imagesPath), 'images'))
        if (request.labelsPath) await check('labelsPath', () => checkIdxPath(path.resolve(request.labelsPath as string), 'labels'))
        return
      case 'cifar':
        return check('paths', () => selectCifarFiles(request.paths, request.split, request.variant))
      case 'svhn':
        return check('path', () => checkSvhnPath(path.resolve(request.path)))
      case 'npy':
        await check('path', () => checkNpyPath(path.resolve(request.path)))
        if (request.labelsPath) await check('labelsPath', () => checkNpyPath(path.resolve(request.labelsPath as string)))
    }
  }

  /** Starts an import job; the dataset appears in the library when it completes. */
  startImport(request: ImportRequest): { job: Job; done: Promise<ImportResult> } {
    return this.jobs.start({
      kind: 'import',
      title: `Import ${path.basename(importedPath(request))}`,
      run: async ({ signal, report }) => {
        await removeAbandonedDrafts(this.dir).catch(() => [])
        const onProgress = (p: { done: number; total: number; message: string }): void => report(p.total > 0 ? Math.min(1, p.done / p.total) : null, p.message)
        return translate(() => runImport(request, { datasetsDir: this.dir, signal, onProgress }))
      },
      doneMessage: ({ manifest }) => {
        const { imported, skipped, duplicate } = manifest.summary
        return `Imported ${imported} image${imported === 1 ? '' : 's'}${skipped ? `, skipped ${skipped}` : ''}${duplicate ? `, ${duplicate} duplicate${duplicate === 1 ? '' : 's'}` : ''}.`
      }
    })
  }

  async delete(id: string): Promise<void> {
    const dir = this.folder(id)
    if (!fs.existsSync(dir)) throw new StudioError('not_found', `There is no dataset ${id}.`)
    // Rename first so a half-deleted folder never looks like a dataset.
    const trash = path.join(this.dir, `.deleting-${id}-${Date.now()}`)
    await fs.promises.rename(dir, trash)
    await fs.promises.rm(trash, { recursive: true, force: true })
  }
}

function toListing(m: DatasetManifest): DatasetListing {
  return {
    id: m.id,
    name: m.name,
    createdAt: m.createdAt,
    size: m.size,
    channels: m.channels,
    count: m.count,
    source: m.source,
    summary: m.summary,
    labelled: m.labels !== undefined
  }
}

function toRgba(pixels: Uint8Array, size: number, channels: 1 | 3): RgbaImage {
  const data = new Uint8Array(size * size * 4)
  for (let p = 0; p < size * size; p++) {
    const r = pixels[p * channels] ?? 0
    data[p * 4] = r
    data[p * 4 + 1] = channels === 3 ? (pixels[p * channels + 1] ?? 0) : r
    data[p * 4 + 2] = channels === 3 ? (pixels[p * channels + 2] ?? 0) : r
    data[p * 4 + 3] = 255
  }
  return { width: size, height: size, data }
}

/** Import and dataset file errors carry messages written for people; give them the Studio API's error shape. */
async function translate<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (err) {
    if (err instanceof ImportError) {
      throw new StudioError(err.code === 'SOURCE_NOT_FOUND' ? 'not_found' : 'bad_request', err.message, { importCode: err.code })
    }
    // A dataset in the library that is missing, damaged or unreadable: the request was fine, the files are not.
    if (err instanceof DatasetFileError) throw new StudioError('io_error', err.message, { file: err.file })
    if ((err as { name?: string }).name === 'AbortError') throw new StudioError('cancelled', 'Import cancelled; nothing was written.')
    throw err
  }
}
