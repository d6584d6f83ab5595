import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { Rng } from '../../shared/latent/random'
import {
  DATASET_FILES,
  DATASET_FORMAT_VERSION,
  DatasetManifest,
  type DatasetChannels,
  thumbLayout
} from '../../shared/formats/dataset'

/**
 * Small generated datasets in the real on-disk format, for the engine's tests: the trainer reads them through
 * the same reader, manifest validation and all, as a dataset the importer made.
 */

/** Writes `images` (count × size × size × channels bytes) and a valid manifest into `dir`. */
export async function writeDataset(
  dir: string,
  { size, channels, images, name = 'generated' }: { size: number; channels: DatasetChannels; images: Uint8Array; name?: string }
): Promise<DatasetManifest> {
  const count = images.length / (size * size * channels)
  if (!Number.isInteger(count) || count < 1) throw new Error(`${images.length} bytes are not whole ${size}×${size}×${channels} images`)
  const { rows: _rows, ...thumbs } = thumbLayout(count, size)
  const manifest = DatasetManifest.parse({
    formatVersion: DATASET_FORMAT_VERSION,
    id: path.basename(dir).toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/^-+/, '') || 'generated',
    name,
    createdAt: new Date().toISOString(),
    source: { kind: 'idx', imagesPath: 'generated' },
    size,
    channels,
    count,
    preprocess: { fit: 'none', background: 'black', grayscale: channels === 1 },
    thumbs: { file: DATASET_FILES.thumbs, ...thumbs },
    files: [],
    summary: { seen: count, imported: count, skipped: 0, duplicate: 0, hiddenIgnored: 0 }
  })
  await mkdir(dir, { recursive: true })
  await writeFile(path.join(dir, DATASET_FILES.images), images)
  await writeFile(path.join(dir, DATASET_FILES.manifest), JSON.stringify(manifest, null, 2))
  return manifest
}

/**
 * Bright discs of random radius and position on a dark background (a little noise on both), coloured at
 * random when `channels` is 3. Simple enough that a tiny DCGAN visibly learns it in a hundred steps.
 */
export function discImages(count: number, size: number, channels: DatasetChannels, seed: number): Uint8Array {
  const rng = new Rng(seed)
  const out = new Uint8Array(count * size * size * channels)
  for (let n = 0; n < count; n++) {
    const radius = size * (0.15 + 0.15 * rng.next())
    const cx = radius + (size - 2 * radius) * rng.next()
    const cy = radius + (size - 2 * radius) * rng.next()
    const colour = Array.from({ length: channels }, () => (channels === 1 ? 255 : 128 + Math.floor(127 * rng.next())))
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const inside = (x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 <= radius ** 2
        for (let c = 0; c < channels; c++) {
          const base = inside ? (colour[c] as number) - 20 : 0
          out[((n * size + y) * size + x) * channels + c] = base + Math.floor(20 * rng.next())
        }
      }
    }
  }
  return out
}
