import { z } from 'zod'
import { BackendName } from '../api/engine'

/** `settings.json` in the library: the user's preferences, kept with their work. */
export const StudioSettings = z.object({
  /** null: walk the backend ladder (tensorflow-gpu → tensorflow → wasm → cpu). */
  backend: BackendName.nullable().default(null)
})
export type StudioSettings = z.infer<typeof StudioSettings>
export const SETTINGS_FILE = 'settings.json'
