import * as fs from 'node:fs'
import * as path from 'node:path'
import { SETTINGS_FILE, StudioSettings } from '../../shared/formats/settings'
import { writeJsonAtomic } from '../../node/atomic-files'

/** Reads the library's settings; a missing or damaged file gives the defaults (and a damaged one is kept aside). */
export async function readSettings(root: string): Promise<StudioSettings> {
  const file = path.join(root, SETTINGS_FILE)
  let text: string
  try {
    text = await fs.promises.readFile(file, 'utf8')
  } catch {
    return StudioSettings.parse({})
  }
  try {
    return StudioSettings.parse(JSON.parse(text))
  } catch {
    await fs.promises.rename(file, `${file}.damaged-${Date.now()}`).catch(() => undefined)
    return StudioSettings.parse({})
  }
}

export async function writeSettings(root: string, settings: StudioSettings): Promise<void> {
  await writeJsonAtomic(path.join(root, SETTINGS_FILE), settings)
}
