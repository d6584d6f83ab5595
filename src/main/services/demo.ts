import * as fs from 'node:fs'
import * as path from 'node:path'
import { z } from 'zod'
import { RunId, RunRecord } from '../../shared/formats/run'
import { appRoot } from './app-paths'
import type { Library } from './library'
import type { RunStore } from './run-store'

/**
 * The demo that makes the studio worth opening before a user has trained anything: a DCGAN trained with our
 * own engine on procedural faces, shipped in resources/demo/, with its run record and the attribute
 * classifier that checks its face arithmetic; beside it the paper's own SVHN DCGAN (the authors' released
 * model, imported). They are copied into a library once, the first time the library has no runs; a marker
 * file keeps a deleted demo from coming back.
 */
export const DemoManifest = z.object({
  formatVersion: z.literal(1),
  runId: RunId,
  /** Folder (under resources/demo/) of the classifier trained on the faces' labels. */
  classifier: z.string().min(1),
  description: z.string(),
  /**
   * Runs shipped beside it (under runs/) and installed with it: the paper's own SVHN DCGAN, imported from the
   * authors' released Theano parameters (scripts/package-svhn-demo.mjs).
   */
  moreRuns: z.array(RunId).default([])
})
export type DemoManifest = z.infer<typeof DemoManifest>

const MARKER = '.demo-installed'
/** The library's folder of face-attribute classifiers; a run names its own by folder (RunRecord.classifier). */
export const CLASSIFIERS_DIR = 'classifiers'
/**
 * The demo's classifier in the library (classifiers/demo-faces). The shipped run record names it, so Explore
 * can score the demo's samples by attribute; scripts/package-demo.mjs writes the same name.
 */
export const DEMO_CLASSIFIER = 'demo-faces'
/** Folder (under resources/demo/) of erasure records fitted on the demo run. */
const DEMO_ERASURES = 'erasures'

export function demoDir(): string {
  return path.join(appRoot(), 'resources', 'demo')
}

export function readDemoManifest(dir = demoDir()): DemoManifest | null {
  try {
    return DemoManifest.parse(JSON.parse(fs.readFileSync(path.join(dir, 'demo.json'), 'utf8')))
  } catch {
    return null
  }
}

/**
 * A demo installed by an older studio gets what its shipped record carries now: the dataset's recipe (so
 * "Train further" can make the 12,000 faces again) and the link to its face-attribute classifier (so Explore
 * can score its samples). Only those fields are added, only to the same run on the same dataset, and only
 * when the classifier is really in the library. Returns whether the record changed.
 */
export async function upgradeInstalledDemo(runs: RunStore, library: Library, dir = demoDir()): Promise<boolean> {
  const manifest = readDemoManifest(dir)
  if (!manifest || !(await runs.ids()).includes(manifest.runId)) return false
  const shipped = RunRecord.safeParse(JSON.parse(await fs.promises.readFile(path.join(dir, 'runs', manifest.runId, 'run.json'), 'utf8').catch(() => 'null')))
  if (!shipped.success) return false
  const classifierInstalled = fs.existsSync(library.path(CLASSIFIERS_DIR, DEMO_CLASSIFIER, 'classifier.json'))
  const updated = await runs.update(manifest.runId, (installed) => {
    const [was, is] = [shipped.data.dataset, installed.dataset]
    if (!was || !is || was.id !== is.id) return null
    const recipe = is.recipe ?? was.recipe
    const classifier = installed.classifier ?? (classifierInstalled ? shipped.data.classifier : undefined)
    if (recipe === is.recipe && classifier === installed.classifier) return null
    return {
      ...installed,
      dataset: { ...is, ...(recipe ? { recipe } : {}) },
      ...(classifier ? { classifier } : {})
    }
  })
  return updated !== null
}

/**
 * Copies the demo run, the runs shipped beside it, its classifier and its erasures into an empty library;
 * returns the (faces) demo's run id, or null when not installed.
 */
export async function installDemoIfEmpty(library: Library, dir = demoDir()): Promise<string | null> {
  const manifest = readDemoManifest(dir)
  if (!manifest) return null
  if (fs.existsSync(library.path(MARKER))) return null
  const runsDir = library.path('runs')
  const existing = (await fs.promises.readdir(runsDir).catch(() => [] as string[])).filter((name) => !name.startsWith('.'))
  if (existing.length > 0) return null
  for (const runId of [manifest.runId, ...manifest.moreRuns]) {
    // Copy into a staging folder and rename, so a crash never leaves half a demo that looks like a run.
    const staging = path.join(runsDir, `.tmp-demo-${process.pid}`)
    await fs.promises.rm(staging, { recursive: true, force: true })
    await fs.promises.cp(path.join(dir, 'runs', runId), staging, { recursive: true })
    await fs.promises.rename(staging, path.join(runsDir, runId))
  }
  const classifierTarget = library.path(CLASSIFIERS_DIR, DEMO_CLASSIFIER)
  await fs.promises.rm(classifierTarget, { recursive: true, force: true })
  await fs.promises.mkdir(path.dirname(classifierTarget), { recursive: true })
  await fs.promises.cp(path.join(dir, manifest.classifier), classifierTarget, { recursive: true })
  // Erasures fitted on the demo (forgetting to draw glasses), ready in Explore's Erasure choice.
  const erasures = path.join(dir, DEMO_ERASURES)
  for (const name of (await fs.promises.readdir(erasures).catch(() => [] as string[])).filter((n) => n.endsWith('.json'))) {
    await fs.promises.mkdir(library.path('erasures'), { recursive: true })
    await fs.promises.copyFile(path.join(erasures, name), library.path('erasures', name))
  }
  await fs.promises.writeFile(library.path(MARKER), `${new Date().toISOString()}\n`)
  return manifest.runId
}
