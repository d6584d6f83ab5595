import * as fs from 'node:fs'
import * as path from 'node:path'
import type { FaceProbabilitiesData } from '../../shared/api/explore'
import type { RgbaImage } from '../../shared/api/image'
import { CLASSIFIER_FILE, ClassifierInfo } from '../../shared/faces'
import { applyDirection, combine, difference, meanVector, noiseFan } from '../../shared/latent/arithmetic'
import { keyframePath } from '../../shared/latent/interpolate'
import { Rng, noiseForSeed } from '../../shared/latent/random'
import type { Studio } from './studio'

/**
 * What `passed` requires, per arithmetic case, over the draws (see checkDemo): A − B + C gives at least 7 of
 * the 9 images with the expected attributes on average, and every baseline at most 3 of 9 on average. The
 * paper shows its Fig. 7 results without a number; both thresholds are ours. 3 of 9 sits above every baseline
 * mean measured on the shipped demo (at most 2.4 over 20 draws; README, "The demo model"), and 7 of 9 is what
 * a direction that transfers gives on most draws (glasses: 8.6).
 */
export const DEMO_CRITERIA = { arithmeticMean: 7, baselineMean: 3 } as const

/** Draws by default: the counts of one draw swing between 0 and 9, so the mean needs this many to settle. */
export const DEFAULT_DRAWS = 20

/**
 * The first draw's pool seed by default (draws 100, 101, …). The shipped demo's checkpoint was chosen on the
 * draws of seeds 0–19 (--seed 0), so the default measures on draws that chose nothing.
 */
export const DEFAULT_SEED = 100

/** The four things measured per case: the arithmetic and the three baselines it must beat. */
export const MEASURES = ['arithmetic', 'swapped', 'cAlone', 'cPlusRandom'] as const
export type Measure = (typeof MEASURES)[number]

export interface DemoCheckOptions {
  runId: string
  step?: number | null
  classifierDir: string
  /** Samples per draw's pool, the exemplars are picked among. */
  samples?: number
  /** Seed of the first draw's pool; draw k uses seed + k. */
  seed?: number
  /** Independent draws (pools, noise fans and random directions). */
  draws?: number
  /** Uniform noise of the 8 neighbours (paper: 0.25). */
  noise?: number
  walks?: number
  onProgress?: (message: string) => void
}

type Predicate = (p: FaceProbabilitiesData) => boolean
type Score = (p: FaceProbabilitiesData) => number

/** Counts of one measure over the draws (each 0–9), and their mean, range and standard deviation. */
export interface CountSummary {
  counts: number[]
  mean: number
  min: number
  max: number
  std: number
}

export interface CaseDraw {
  /** The seed of the pool of samples the exemplars were picked from. */
  poolSeed: number
  /** The seed of the ±noise fan (the same 8 offsets for every measure of this draw) and of the random direction. */
  fanSeed: number
  /** Indices into the pool of the 3 exemplars per slot. */
  exemplars: { a: number[]; b: number[]; c: number[] }
  /** |mean A − mean B|: the random direction of cPlusRandom has this length. */
  directionNorm: number
  /** Of the 9 images (the centre and its 8 neighbours), how many the classifier finds with the expected attributes. */
  counts: Record<Measure, number>
  /** The classifier's mean probabilities over each measure's 9 images: which attribute is missing when a count is low. */
  attributes: Record<Measure, { smiling: number; masculine: number; glasses: number }>
  /** The classifier on each slot's mean z: does averaging keep the attribute? */
  means: { a: FaceProbabilitiesData; b: FaceProbabilitiesData; c: FaceProbabilitiesData }
}

export interface CaseReport {
  /** The operation, in words. */
  operation: string
  /** What the 9 images are counted for. */
  expected: string
  measures: Record<Measure, CountSummary>
  draws: CaseDraw[]
  passed: boolean
}

export interface DemoReport {
  run: string
  step: number
  /** Samples per pool. */
  samples: number
  draws: number
  noise: number
  cases: { smilingMan: CaseReport; womanWithGlasses: CaseReport }
  criteria: typeof DEMO_CRITERIA
  /** Why it did not pass, one sentence per unmet criterion (empty when passed). */
  failures: string[]
  classifierAccuracy: ClassifierInfo['accuracy']
  /** Share of the generated samples (all pools) the classifier finds smiling, masculine, with glasses: does G make them at all? */
  sampleAttributes: { smiling: number; masculine: number; glasses: number }
  walkSmoothness: { meanStepChange: number; meanEndpointChange: number; ratio: number; walks: number; framesPerWalk: number }
  passed: boolean
}

const smiling = (p: FaceProbabilitiesData): number => p.smiling
const masculine = (p: FaceProbabilitiesData): number => p.masculine
const glasses = (p: FaceProbabilitiesData): number => p.glasses
const not =
  (f: Score): Score =>
  (p) =>
    1 - f(p)
const all =
  (...fs: Score[]): Score =>
  (p) =>
    fs.reduce((product, f) => product * f(p), 1)

interface CaseSpec {
  key: keyof DemoReport['cases']
  /** 1 or 2: keeps each case's fan seeds apart. */
  number: number
  operation: string
  expected: string
  a: Score
  b: Score
  c: Score
  is: Predicate
}

// Exemplars face the camera, so the slots differ in the named attributes rather than in head turn too.
const frontal: Score = (p) => p.pose.frontal
const CASES: CaseSpec[] = [
  {
    key: 'smilingMan',
    number: 1,
    operation: 'smiling woman − neutral woman + neutral man',
    expected: 'smiling and masculine',
    a: all(smiling, not(masculine), not(glasses), frontal),
    b: all(not(smiling), not(masculine), not(glasses), frontal),
    c: all(not(smiling), masculine, not(glasses), frontal),
    is: (p) => p.smiling > 0.5 && p.masculine > 0.5
  },
  {
    key: 'womanWithGlasses',
    number: 2,
    operation: 'man with glasses − man without glasses + woman without glasses',
    expected: 'feminine with glasses',
    a: all(masculine, glasses, frontal),
    b: all(masculine, not(glasses), frontal),
    c: all(not(masculine), not(glasses), frontal),
    is: (p) => p.masculine < 0.5 && p.glasses > 0.5
  }
]

/**
 * Measures, with the attribute classifier, what the paper shows in Fig. 7 on the demo model: smiling woman −
 * neutral woman + neutral man → smiling man, and man with glasses − man without + woman without → woman with
 * glasses. A draw is one pool of `samples` generated samples (seed + k), the 3 exemplars per slot the
 * classifier picks in it, and one fan of 8 neighbours at ±noise (and one random direction). Per draw each case
 * counts, of 9 images (the centre and its 8 neighbours, the same offsets for every centre), those with the
 * expected attributes for four centres: A − B + C; B − A + C (A and B swapped); C alone; and C plus a random
 * direction as long as A − B. The baselines say what C, the model's bias and any push of that size give
 * without the concept. Also walk smoothness and the classifier's own held-out accuracy.
 */
export async function checkDemo(studio: Studio, options: DemoCheckOptions): Promise<DemoReport> {
  const say = options.onProgress ?? (() => {})
  const samples = options.samples ?? 1500
  const seed = options.seed ?? DEFAULT_SEED
  const drawCount = options.draws ?? DEFAULT_DRAWS
  const noise = options.noise ?? 0.25
  const walkCount = options.walks ?? 6
  if (!Number.isInteger(drawCount) || drawCount < 1) throw new RangeError(`The check needs at least one draw (--draws), not ${drawCount}.`)
  // 9 distinct exemplars per case, and two samples per walk.
  if (samples < Math.max(9, 2 * walkCount))
    throw new RangeError(`The check needs at least ${Math.max(9, 2 * walkCount)} samples per draw (--samples), not ${samples}.`)
  const info = ClassifierInfo.parse(JSON.parse(fs.readFileSync(path.join(options.classifierDir, CLASSIFIER_FILE), 'utf8')))
  const { source, model, step } = await studio.exploration.models({ id: options.runId, step: options.step ?? null, erasure: null })
  if (info.size !== model.imageSize) {
    throw new Error(`The classifier sees ${info.size}px faces but the model makes ${model.imageSize}px ones; train a classifier at ${model.imageSize}px.`)
  }
  const classify = async (vectors: Float32Array[]): Promise<FaceProbabilitiesData[]> => {
    const flat = new Float32Array(vectors.length * model.zDim)
    vectors.forEach((v, i) => flat.set(v, i * model.zDim))
    const result = await studio.explorer.request('classifySamples', { generator: source, classifierDir: options.classifierDir, z: flat, count: vectors.length })
    return result.probabilities
  }

  const perCase = new Map<CaseSpec, CaseDraw[]>(CASES.map((c) => [c, []]))
  const seen: FaceProbabilitiesData[] = []
  let firstPool: Float32Array[] = []
  for (let k = 0; k < drawCount; k++) {
    const poolSeed = seed + k
    say(`Draw ${k + 1} of ${drawCount}: classifying ${samples} samples of seed ${poolSeed} (step ${step})…`)
    const zs = Array.from({ length: samples }, (_, i) => noiseForSeed(poolSeed, i, model.zDim, model.noise))
    if (k === 0) firstPool = zs
    const probabilities = await classify(zs)
    seen.push(...probabilities)
    for (const spec of CASES) {
      ;(perCase.get(spec) as CaseDraw[]).push(await measureDraw(spec, zs, probabilities, poolSeed, noise, model.zDim, classify))
    }
  }

  const cases = Object.fromEntries(CASES.map((spec) => [spec.key, summarise(spec, perCase.get(spec) as CaseDraw[])])) as DemoReport['cases']
  const failures = CASES.flatMap((spec) => caseFailures(spec, cases[spec.key]))

  say('Walk smoothness…')
  const framesPerSegment = 16
  let stepChange = 0
  let endpointChange = 0
  for (let w = 0; w < walkCount; w++) {
    const keys = [firstPool[2 * w] as Float32Array, firstPool[2 * w + 1] as Float32Array]
    const frames = keyframePath(keys, { mode: 'slerp', stepsPerSegment: framesPerSegment, loop: false, easing: 'linear' })
    const images = await studio.exploration.renderVectors(
      source,
      frames.map((f) => f.z),
      model.zDim
    )
    let steps = 0
    for (let i = 1; i < images.length; i++) steps += meanAbsDifference(images[i - 1] as RgbaImage, images[i] as RgbaImage)
    stepChange += steps / (images.length - 1)
    endpointChange += meanAbsDifference(images[0] as RgbaImage, images[images.length - 1] as RgbaImage)
  }
  const meanStepChange = stepChange / walkCount
  const meanEndpointChange = endpointChange / walkCount

  return {
    run: options.runId,
    step,
    samples,
    draws: drawCount,
    noise,
    cases,
    criteria: DEMO_CRITERIA,
    failures,
    classifierAccuracy: info.accuracy,
    sampleAttributes: {
      smiling: seen.filter((p) => p.smiling > 0.5).length / seen.length,
      masculine: seen.filter((p) => p.masculine > 0.5).length / seen.length,
      glasses: seen.filter((p) => p.glasses > 0.5).length / seen.length
    },
    walkSmoothness: {
      meanStepChange,
      meanEndpointChange,
      ratio: meanStepChange / Math.max(1e-9, meanEndpointChange),
      walks: walkCount,
      framesPerWalk: framesPerSegment + 1
    },
    passed: failures.length === 0
  }
}

/** One draw of one case: its exemplars, and the 9-image count of each measure around its centre. */
async function measureDraw(
  spec: CaseSpec,
  zs: Float32Array[],
  probabilities: FaceProbabilitiesData[],
  poolSeed: number,
  noise: number,
  zDim: number,
  classify: (vectors: Float32Array[]) => Promise<FaceProbabilitiesData[]>
): Promise<CaseDraw> {
  const used = new Set<number>()
  const pick = (score: Score): number[] => {
    const chosen = probabilities
      .map((p, i) => ({ i, s: score(p) }))
      .filter(({ i }) => !used.has(i))
      .sort((x, y) => y.s - x.s)
      .slice(0, 3)
      .map(({ i }) => i)
    for (const i of chosen) used.add(i)
    return chosen
  }
  const exemplars = { a: pick(spec.a), b: pick(spec.b), c: pick(spec.c) }
  const mean = (indices: number[]): Float32Array => meanVector(indices.map((i) => zs[i] as Float32Array))
  const [ma, mb, mc] = [mean(exemplars.a), mean(exemplars.b), mean(exemplars.c)] as const
  const direction = difference(ma, mb)
  const directionNorm = norm(direction)
  // Seed 0's fans are the ones the check used before it had draws (1 and 2), so its first draw reads the same.
  const fanSeed = 2 * poolSeed + spec.number
  const centres: Record<Measure, Float32Array> = {
    arithmetic: combine(ma, mb, mc),
    swapped: combine(mb, ma, mc),
    cAlone: mc,
    cPlusRandom: applyDirection(mc, randomUnitVector(zDim, new Rng(fanSeed + 1_000_003)), directionNorm)
  }
  const nines = MEASURES.map((m) => [centres[m], ...noiseFan(centres[m], 8, noise, fanSeed)])
  const found = await classify([...nines.flat(), ma, mb, mc])
  const nine = (j: number): FaceProbabilitiesData[] => found.slice(9 * j, 9 * j + 9)
  const counts = Object.fromEntries(MEASURES.map((m, j) => [m, nine(j).filter(spec.is).length])) as Record<Measure, number>
  const average = (ps: FaceProbabilitiesData[], f: Score): number => ps.reduce((sum, p) => sum + f(p), 0) / ps.length
  const attributes = Object.fromEntries(
    MEASURES.map((m, j) => [m, { smiling: average(nine(j), smiling), masculine: average(nine(j), masculine), glasses: average(nine(j), glasses) }])
  ) as CaseDraw['attributes']
  const [pa, pb, pc] = found.slice(9 * MEASURES.length) as [FaceProbabilitiesData, FaceProbabilitiesData, FaceProbabilitiesData]
  return { poolSeed, fanSeed, exemplars, directionNorm, counts, attributes, means: { a: pa, b: pb, c: pc } }
}

function summarise(spec: CaseSpec, draws: CaseDraw[]): CaseReport {
  const measures = Object.fromEntries(MEASURES.map((m) => [m, countSummary(draws.map((d) => d.counts[m]))])) as Record<Measure, CountSummary>
  const report: CaseReport = { operation: spec.operation, expected: spec.expected, measures, draws, passed: false }
  report.passed = caseFailures(spec, report).length === 0
  return report
}

const MEASURE_NAMES: Record<Measure, string> = {
  arithmetic: 'A − B + C',
  swapped: 'the A↔B swap',
  cAlone: 'C alone',
  cPlusRandom: 'C plus a random direction'
}

function caseFailures(spec: CaseSpec, report: Pick<CaseReport, 'measures'>): string[] {
  const failures: string[] = []
  const { arithmetic } = report.measures
  if (arithmetic.mean < DEMO_CRITERIA.arithmeticMean) {
    failures.push(
      `${spec.operation}: A − B + C gives ${arithmetic.mean.toFixed(1)} of 9 ${spec.expected} on average; at least ${DEMO_CRITERIA.arithmeticMean} are needed.`
    )
  }
  for (const m of MEASURES.filter((x) => x !== 'arithmetic')) {
    const { mean } = report.measures[m]
    if (mean > DEMO_CRITERIA.baselineMean) {
      failures.push(
        `${spec.operation}: ${MEASURE_NAMES[m]} gives ${mean.toFixed(1)} of 9 ${spec.expected} on average; a baseline may give at most ${DEMO_CRITERIA.baselineMean}.`
      )
    }
  }
  return failures
}

function countSummary(counts: number[]): CountSummary {
  const mean = counts.reduce((s, c) => s + c, 0) / counts.length
  const std = Math.sqrt(counts.reduce((s, c) => s + (c - mean) ** 2, 0) / counts.length)
  return { counts, mean, min: Math.min(...counts), max: Math.max(...counts), std }
}

function norm(v: Float32Array): number {
  let sum = 0
  for (const x of v) sum += x * x
  return Math.sqrt(sum)
}

/** A direction drawn uniformly on the unit sphere (a normalised standard normal vector). */
function randomUnitVector(length: number, rng: Rng): Float32Array {
  const v = Float32Array.from({ length }, () => rng.normal())
  const n = norm(v) || 1
  return v.map((x) => x / n)
}

/** Mean absolute difference of two images' RGB values (0–255). */
function meanAbsDifference(a: RgbaImage, b: RgbaImage): number {
  let sum = 0
  let n = 0
  for (let i = 0; i < a.data.length; i++) {
    if (i % 4 === 3) continue
    sum += Math.abs((a.data[i] as number) - (b.data[i] as number))
    n++
  }
  return sum / n
}
