import type { FavouriteSample } from '../../../shared/formats/run'
import { studio } from '../../api/client'
import { type ModelChoice, runRef } from './model-ref'
import { type Sample, sampleKey } from './selection'

/**
 * Favourite samples (the tray's ★) live in the run's folder, so they are the same in the desktop app, in any
 * browser and after web mode comes back on another port. Earlier versions kept them in the browser's storage;
 * those are moved into the run the first time the run is opened.
 */

/** The most z vectors one render request takes. */
const RENDER_LIMIT = 256

/** The run's favourites, drawn with the chosen checkpoint and erasure. */
export async function loadFavourites(model: ModelChoice): Promise<Sample[]> {
  const stored = await adoptBrowserFavourites(model.id, await studio.call('runs.favourites', { id: model.id }))
  const samples: Sample[] = []
  for (let from = 0; from < stored.length; from += RENDER_LIMIT) {
    const chunk = stored.slice(from, from + RENDER_LIMIT)
    const z = chunk.map((f) => (f.seed === null ? { kind: 'z' as const, z: new Float32Array(f.z) } : { kind: 'seed' as const, seed: f.seed, index: f.index }))
    const rendered = await studio.call('explore.render', { run: runRef(model), z })
    rendered.samples.forEach((r, i) => {
      const f = chunk[i] as FavouriteSample
      samples.push({ key: sampleKey(f.seed, f.index, r.z), seed: f.seed, index: f.index, z: r.z, image: r.image })
    })
  }
  return samples
}

export async function saveFavourites(runId: string, samples: readonly Sample[]): Promise<void> {
  await studio.call('runs.saveFavourites', { id: runId, samples: samples.map((s) => ({ seed: s.seed, index: s.index, z: Array.from(s.z) })) })
}

/** Moves favourites an earlier version kept in this browser into the run (once; the run's own list wins). */
async function adoptBrowserFavourites(runId: string, stored: FavouriteSample[]): Promise<FavouriteSample[]> {
  const key = `dcgan-studio:pins:${runId}`
  const text = localStorage.getItem(key)
  if (text === null) return stored
  let adopted = stored
  if (stored.length === 0) {
    try {
      const raw = JSON.parse(text) as { seed: number | null; index: number; z: number[] }[]
      adopted = raw.map((p) => ({ seed: p.seed, index: p.index, z: p.z }))
      await studio.call('runs.saveFavourites', { id: runId, samples: adopted })
    } catch {
      // Unreadable old storage is not worth failing the screen over; it is dropped below.
      adopted = stored
    }
  }
  localStorage.removeItem(key)
  return adopted
}
