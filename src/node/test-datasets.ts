import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { DATASET_FILES, DATASET_FORMAT_VERSION, DatasetManifest, type DatasetChannels, thumbLayout } from '../shared/formats/dataset'

/**
 * Small generated datasets in the real on-disk format, for tests on both sides: they are read through the same
 * opener, manifest validation and all, as a dataset the importer made.
 */

/**
 * Writes `images` (count × size × size × channels bytes), `labels` if given (one byte per image) and a valid
 * manifest into `dir`.
 */
export async function writeDataset(
  dir: string,
  { size, channels, images, labels, name = 'generated' }: { size: number; channels: DatasetChannels; images: Uint8Array; labels?: Uint8Array; name?: string }
): Promise<DatasetManifest> {
  const count = images.length / (size * size * channels)
  if (!Number.isInteger(count) || count < 1) throw new Error(`${images.length} bytes are not whole ${size}×${size}×${channels} images`)
  if (labels && labels.length !== count) throw new Error(`${labels.length} labels for ${count} images`)
  const { rows: _rows, ...thumbs } = thumbLayout(count, size)
  const manifest = DatasetManifest.parse({
    formatVersion: DATASET_FORMAT_VERSION,
    id:
      path
        .basename(dir)
        .toLowerCase()
        .replace(/[^a-z0-9-]/g, '-')
        .replace(/^-+/, '') || 'generated',
    name,
    createdAt: new Date().toISOString(),
    source: { kind: 'idx', imagesPath: 'generated' },
    size,
    channels,
    count,
    preprocess: { fit: 'none', background: 'black', grayscale: channels === 1 },
    ...(labels && { labels: { file: DATASET_FILES.labels, classes: Math.max(...labels) + 1 } }),
    thumbs: { file: DATASET_FILES.thumbs, ...thumbs },
    files: [],
    summary: { seen: count, imported: count, skipped: 0, duplicate: 0, hiddenIgnored: 0 }
  })
  await mkdir(dir, { recursive: true })
  await writeFile(path.join(dir, DATASET_FILES.images), images)
  if (labels) await writeFile(path.join(dir, DATASET_FILES.labels), labels)
  await writeFile(path.join(dir, DATASET_FILES.manifest), JSON.stringify(manifest, null, 2))
  return manifest
}
