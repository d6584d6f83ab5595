import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { DEFAULT_DRAWS, DEFAULT_SEED, DEMO_CRITERIA, MEASURES, type Measure, checkDemo } from '../../services/demo-check'
import { CLASSIFIERS_DIR, DEMO_CLASSIFIER, installDemoIfEmpty, readDemoManifest } from '../../services/demo'
import { UsageError, parseBackend, parseVerbArgs } from '../args'
import { makeOutput } from '../output'
import { parseIntOption, parseNumberOption, withCliStudio } from '../studio-session'

export const trainClassifierHelp = `dcgan-studio train-classifier --size 32 --out DIR [--train 8000] [--test 2000] [--epochs 6] [--batch 64] [--seed 1] [--json]
  Trains the face-attribute classifier (smiling, masculine, glasses, pose) on procedural faces and saves it
  with its held-out accuracy per attribute.`

export const verifyDemoHelp = `dcgan-studio verify-demo [--run R --classifier DIR] [--checkpoint STEP] [--samples 1500] [--draws ${DEFAULT_DRAWS}] [--seed ${DEFAULT_SEED}] [--noise 0.25] [--json]
  Checks face vector arithmetic on the demo model with the attribute classifier (npm run verify:demo): for
  smiling woman − neutral woman + neutral man, how many of the 9 result images are classified smiling and
  masculine; for man with glasses − man without + woman without, how many are feminine with glasses. Beside
  each, three baselines: A and B swapped, C alone, and C plus a random direction as long as A − B. Each is
  measured on --draws independent draws (a pool of --samples samples of seed, seed + 1, …, the exemplars
  picked in it, a ±noise fan and a random direction) and reported per draw with mean and range. Passes (exit
  0) when A − B + C averages at least ${DEMO_CRITERIA.arithmeticMean} of 9 for both and every baseline at most ${DEMO_CRITERIA.baselineMean}. Also walk
  smoothness and the classifier's held-out accuracy. Without --run it checks the demo shipped in resources/demo.
  The default seeds (${DEFAULT_SEED}–${DEFAULT_SEED + DEFAULT_DRAWS - 1}) chose nothing: the demo's checkpoint was chosen with --seed 0. To choose
  a checkpoint of your own, choose on one set of seeds and report on another.`

export async function trainClassifierCommand(argv: string[]): Promise<number> {
  const { values } = parseVerbArgs(argv, {
    size: { type: 'string' },
    out: { type: 'string' },
    train: { type: 'string' },
    test: { type: 'string' },
    epochs: { type: 'string' },
    batch: { type: 'string' },
    seed: { type: 'string' }
  })
  if (!values.out) throw new UsageError('--out DIR is required.')
  const out = makeOutput(values.json)
  const dir = path.resolve(values.out)
  return withCliStudio(values.library, parseBackend(values.backend), async (studio, interrupted) => {
    const cancel = new AbortController()
    void interrupted.then(() => cancel.abort())
    let last = 0
    const result = await studio.explorer.request(
      'trainClassifier',
      {
        size: parseIntOption('size', values.size) ?? 32,
        trainCount: parseIntOption('train', values.train) ?? 8000,
        testCount: parseIntOption('test', values.test) ?? 2000,
        epochs: parseIntOption('epochs', values.epochs) ?? 6,
        batchSize: parseIntOption('batch', values.batch) ?? 64,
        seed: parseIntOption('seed', values.seed) ?? 1,
        outDir: dir
      },
      {
        signal: cancel.signal,
        onProgress: (progress, message) => {
          out.emit({ event: 'progress', progress, message })
          if (Date.now() - last > 2000) {
            last = Date.now()
            out.say(`${Math.round(progress * 100)}% ${message}`)
          }
        }
      }
    )
    out.emit({ event: 'done', ...result })
    const a = result.accuracy
    out.say(
      `Saved to ${dir}. Held-out accuracy: smiling ${pct(a.smiling)}, masculine ${pct(a.masculine)}, glasses ${pct(a.glasses)}, pose ${pct(a.pose)} (${Math.round(result.seconds)} s).`
    )
    return 0
  })
}

export async function verifyDemoCommand(argv: string[]): Promise<number> {
  const { values } = parseVerbArgs(argv, {
    run: { type: 'string' },
    checkpoint: { type: 'string' },
    classifier: { type: 'string' },
    samples: { type: 'string' },
    noise: { type: 'string' },
    seed: { type: 'string' },
    draws: { type: 'string' }
  })
  const out = makeOutput(values.json)
  let library = values.library
  let runId = values.run
  let classifierDir = values.classifier ? path.resolve(values.classifier) : undefined
  if (!runId) {
    // The shipped demo, checked in a throw-away library so the user's own is left alone.
    if (!readDemoManifest()) throw new UsageError('No demo model is shipped in resources/demo; give --run R --classifier DIR.')
    library = fs.mkdtempSync(path.join(os.tmpdir(), 'dcgan-verify-demo-'))
  } else if (!classifierDir) {
    throw new UsageError('--classifier DIR is required with --run.')
  }
  try {
    return await withCliStudio(library, parseBackend(values.backend), async (studio) => {
      if (!runId) {
        // Opening the fresh library installed the demo already; installing again is a no-op then.
        await installDemoIfEmpty(studio.library)
        const demo = readDemoManifest()
        if (demo && (await studio.runs.store.ids()).includes(demo.runId)) runId = demo.runId
        classifierDir = studio.library.path(CLASSIFIERS_DIR, DEMO_CLASSIFIER)
      }
      if (!runId || !classifierDir) throw new UsageError('The demo could not be installed into a fresh library.')
      // A RangeError names a bad option (--draws, --samples): a usage error, not a failed check (exit 1).
      const report = await checkDemo(studio, {
        runId,
        step: parseIntOption('checkpoint', values.checkpoint) ?? null,
        classifierDir,
        samples: parseIntOption('samples', values.samples) ?? 1500,
        noise: parseNumberOption('noise', values.noise) ?? 0.25,
        seed: parseIntOption('seed', values.seed) ?? DEFAULT_SEED,
        draws: parseIntOption('draws', values.draws) ?? DEFAULT_DRAWS,
        onProgress: (message) => out.say(message)
      }).catch((err: unknown) => {
        throw err instanceof RangeError ? new UsageError(err.message) : err
      })
      // One JSON object: every measure's counts per draw with their summary, and each draw's exemplars.
      out.emit(report)
      const a = report.classifierAccuracy
      out.say(`Run ${report.run} at step ${report.step}; ${report.draws} draws, each exemplars from ${report.samples} samples and a ±${report.noise} fan:`)
      for (const c of Object.values(report.cases)) {
        out.say(`  ${c.operation} (of 9, ${c.expected}):`)
        for (const m of MEASURES) {
          const s = c.measures[m]
          out.say(`    ${MEASURE_LABELS[m].padEnd(28)} mean ${s.mean.toFixed(1)} (${s.min}–${s.max}, sd ${s.std.toFixed(1)}); per draw ${s.counts.join(' ')}`)
        }
      }
      out.say(
        `  walk smoothness: mean change between frames ${report.walkSmoothness.meanStepChange.toFixed(2)} vs ${report.walkSmoothness.meanEndpointChange.toFixed(2)} between endpoints (ratio ${report.walkSmoothness.ratio.toFixed(3)})`
      )
      const f = report.sampleAttributes
      out.say(`  generated samples classified smiling ${pct(f.smiling)}, masculine ${pct(f.masculine)}, with glasses ${pct(f.glasses)}`)
      out.say(`  classifier held-out accuracy: smiling ${pct(a.smiling)}, masculine ${pct(a.masculine)}, glasses ${pct(a.glasses)}, pose ${pct(a.pose)}`)
      const rule = `A − B + C ≥ ${DEMO_CRITERIA.arithmeticMean} of 9 on average for both, every baseline ≤ ${DEMO_CRITERIA.baselineMean}`
      if (report.passed) out.say(`Passed (${rule}).`)
      else for (const failure of [`Not passed (${rule}):`, ...report.failures]) out.say(failure)
      return report.passed ? 0 : 1
    })
  } finally {
    if (!values.run && library) fs.rmSync(library, { recursive: true, force: true })
  }
}

const MEASURE_LABELS: Record<Measure, string> = {
  arithmetic: 'A − B + C',
  swapped: 'baseline: A and B swapped',
  cAlone: 'baseline: C alone',
  cPlusRandom: 'baseline: C + random direction'
}

function pct(x: number): string {
  return `${(100 * x).toFixed(1)}%`
}
