import * as fs from 'node:fs'
import * as path from 'node:path'
import { StudioError } from '../../shared/api/errors'
import { type Job, isFinished } from '../../shared/api/jobs'
import type { RecreatedDataset } from '../../shared/api/runs'
import type { Datasets } from './datasets'
import { makeFaces } from './faces'
import { importFolder } from './import'
import type { Jobs } from './jobs'
import type { Runs } from './runs'

/** Share of the progress bar for drawing the faces; importing them is the rest. */
const DRAWING = 0.75

/**
 * Makes a run's missing dataset again from the recipe its record carries — the same `make-faces` and folder
 * import a user would run — under the id and name the run records, so the run resumes on it as if it had
 * never left. A job (progress, ETA, cancel); a cancelled or failed one leaves no dataset and no faces behind.
 * Then, unless asked not to, training resumes from the run's last checkpoint.
 */
export async function startRecreateDataset(
  deps: { runs: Runs; datasets: Datasets; jobs: Jobs },
  runId: string,
  resume: boolean
): Promise<{ job: Job; done: Promise<RecreatedDataset> }> {
  const run = await deps.runs.store.read(runId)
  const recipe = run.dataset?.recipe
  if (!run.dataset || !recipe) {
    const which = run.dataset ? `its dataset "${run.dataset.name}"` : 'a dataset (it was imported without one)'
    throw new StudioError('bad_request', `The run "${run.name}" does not record how ${which} was made; import those images again to train it further.`)
  }
  const record = { ...run, dataset: run.dataset }
  const target = deps.datasets.folder(record.dataset.id)
  if (fs.existsSync(target)) throw new StudioError('bad_request', `The dataset "${record.dataset.name}" of this run is in the library already.`)
  if (deps.jobs.list().some((j) => j.kind === 'import' && j.target?.id === runId && !isFinished(j.state))) {
    throw new StudioError('bad_request', `The dataset "${record.dataset.name}" is being recreated already.`)
  }
  // Hidden inside datasets/, so the library never lists it, and away from imports' own .tmp- drafts.
  const faces = path.join(deps.datasets.dir, `.recipe-${record.dataset.id}`)
  const started = Date.now()
  return deps.jobs.start<RecreatedDataset>({
    kind: 'import',
    title: `Recreate ${record.dataset.name} for ${record.name}`,
    target: { kind: 'run', id: runId },
    run: async ({ signal, report }) => {
      const eta = (progress: number): number | null => (progress > 0.02 ? ((Date.now() - started) / 1000) * ((1 - progress) / progress) : null)
      await fs.promises.rm(faces, { recursive: true, force: true })
      try {
        report(0, `Drawing ${recipe.count.toLocaleString('en-US')} procedural faces (${recipe.size} px, seed ${recipe.seed})…`)
        await makeFaces({
          count: recipe.count,
          size: recipe.size,
          seed: recipe.seed,
          out: faces,
          signal,
          onProgress: (done, total) => {
            const progress = DRAWING * (done / total)
            report(progress, `Drawing faces: ${done.toLocaleString('en-US')} of ${total.toLocaleString('en-US')}`, eta(progress))
          }
        })
        const { manifest } = await importFolder({
          source: faces,
          datasetsDir: deps.datasets.dir,
          size: record.dataset.size,
          grayscale: record.dataset.channels === 1,
          fit: 'crop',
          name: record.dataset.name,
          id: record.dataset.id,
          signal,
          onProgress: (p) => {
            const progress = DRAWING + (1 - DRAWING) * (p.total > 0 ? p.done / p.total : 0)
            report(progress, `Importing: ${p.message}`, eta(progress))
          }
        })
        if (manifest.count !== record.dataset.count) {
          await deps.datasets.delete(manifest.id)
          throw new StudioError(
            'internal',
            `The recipe made ${manifest.count} images, but the run was trained on ${record.dataset.count}; the dataset was not kept.`
          )
        }
        const train = resume ? await deps.runs.start(runId) : null
        return { datasetId: manifest.id, count: manifest.count, trainJobId: train?.id ?? null }
      } catch (err) {
        if ((err as { name?: string }).name === 'AbortError' || (err instanceof StudioError && err.code === 'cancelled')) {
          throw new StudioError('cancelled', `Recreating ${record.dataset.name} was cancelled; nothing was kept.`)
        }
        throw err
      } finally {
        await fs.promises.rm(faces, { recursive: true, force: true })
      }
    },
    doneMessage: (r) => `Recreated ${record.dataset.name} (${r.count.toLocaleString('en-US')} images)${r.trainJobId ? '; training resumed.' : '.'}`
  })
}
