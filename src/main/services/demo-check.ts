import * as fs from 'node:fs'
import * as path from 'node:path'
import type { FaceProbabilitiesData } from '../../shared/api/explore'
import type { RgbaImage } from '../../shared/api/image'
import { CLASSIFIER_FILE, ClassifierInfo } from '../../shared/faces'
import { combine, meanVector, noiseFan } from '../../shared/latent/arithmetic'
import { keyframePath } from '../../shared/latent/interpolate'
import { noiseForSeed } from '../../shared/latent/random'
import type { Studio } from './studio'

/** The paper's target for the demo: at least 7 of the 9 result images show the expected attributes. */
export const DEMO_TARGET = 7

export interface DemoCheckOptions {
  runId: string
  step?: number | null
  classifierDir: string
  /** Samples drawn to find exemplars among. */
  samples?: number
  seed?: number
  /** Uniform noise of the 8 neighbours (paper: 0.25). */
  noise?: number
  walks?: number
  onProgress?: (message: string) => void
}

type Predicate = (p: FaceProbabilitiesData) => boolean
type Score = (p: FaceProbabilitiesData) => number

export interface ArithmeticCheck {
  /** Of the 9 images (the result and its 8 neighbours), how many the classifier finds with the expected attributes. */
  count: number
  exemplars: { a: number[]; b: number[]; c: number[] }
  /** The classifier on each slot's mean z: does averaging keep the attribute? */
  means: { a: FaceProbabilitiesData; b: FaceProbabilitiesData; c: FaceProbabilitiesData }
  probabilities: FaceProbabilitiesData[]
}

export interface DemoReport {
  run: string
  step: number
  samples: number
  smilingMan: number
  womanWithGlasses: number
  /** The same operations with the A and B slots swapped: what chance and the model's bias alone give. */
  controls: { smilingMan: number; womanWithGlasses: number }
  details: { smilingMan: ArithmeticCheck; womanWithGlasses: ArithmeticCheck }
  classifierAccuracy: ClassifierInfo['accuracy']
  /** Share of the generated samples the classifier finds smiling, masculine, with glasses: does G make them at all? */
  sampleAttributes: { smiling: number; masculine: number; glasses: number }
  walkSmoothness: { meanStepChange: number; meanEndpointChange: number; ratio: number; walks: number; framesPerWalk: number }
  target: number
  passed: boolean
}

const smiling = (p: FaceProbabilitiesData): number => p.smiling
const masculine = (p: FaceProbabilitiesData): number => p.masculine
const glasses = (p: FaceProbabilitiesData): number => p.glasses
const not = (f: Score): Score => (p) => 1 - f(p)
const all = (...fs: Score[]): Score => (p) => fs.reduce((product, f) => product * f(p), 1)

/**
 * Measures, with the attribute classifier, what the paper shows in Fig. 7 on the demo model:
 * smiling woman − neutral woman + neutral man → smiling man, and man with glasses − man without + woman
 * without → woman with glasses; 3 exemplars per slot, chosen by the classifier among generated samples; the
 * 9 images are the result and 8 neighbours with ±noise. Also the slot-swapped controls, walk smoothness and
 * the classifier's own held-out accuracy.
 */
export async function checkDemo(studio: Studio, options: DemoCheckOptions): Promise<DemoReport> {
  const say = options.onProgress ?? (() => {})
  const samples = options.samples ?? 1500
  const seed = options.seed ?? 0
  const noise = options.noise ?? 0.25
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

  say(`Classifying ${samples} samples of the model at step ${step}…`)
  const zs = Array.from({ length: samples }, (_, i) => noiseForSeed(seed, i, model.zDim, model.noise))
  const probabilities = await classify(zs)

  const top3 = (score: Score, exclude: Set<number>): number[] =>
    probabilities
      .map((p, i) => ({ i, s: score(p) }))
      .filter(({ i }) => !exclude.has(i))
      .sort((x, y) => y.s - x.s)
      .slice(0, 3)
      .map(({ i }) => i)
  const arithmetic = async (a: Score, b: Score, c: Score, expected: Predicate, fanSeed: number): Promise<ArithmeticCheck> => {
    const used = new Set<number>()
    const pick = (score: Score): number[] => {
      const chosen = top3(score, used)
      for (const i of chosen) used.add(i)
      return chosen
    }
    const exemplars = { a: pick(a), b: pick(b), c: pick(c) }
    const mean = (indices: number[]): Float32Array => meanVector(indices.map((i) => zs[i] as Float32Array))
    const means = [mean(exemplars.a), mean(exemplars.b), mean(exemplars.c)] as const
    const result = combine(...means)
    const nine = [result, ...noiseFan(result, 8, noise, fanSeed)]
    const found = await classify([...nine, ...means])
    const [ma, mb, mc] = found.slice(9) as [FaceProbabilitiesData, FaceProbabilitiesData, FaceProbabilitiesData]
    const results = found.slice(0, 9)
    return { count: results.filter(expected).length, exemplars, means: { a: ma, b: mb, c: mc }, probabilities: results }
  }

  // Exemplars face the camera, so the slots differ in the named attributes rather than in head turn too.
  const frontal: Score = (p) => p.pose.frontal
  const smilingWoman = all(smiling, not(masculine), not(glasses), frontal)
  const neutralWoman = all(not(smiling), not(masculine), not(glasses), frontal)
  const neutralMan = all(not(smiling), masculine, not(glasses), frontal)
  const isSmilingMan: Predicate = (p) => p.smiling > 0.5 && p.masculine > 0.5
  const manWithGlasses = all(masculine, glasses, frontal)
  const manWithout = all(masculine, not(glasses), frontal)
  const womanWithout = all(not(masculine), not(glasses), frontal)
  const isWomanWithGlasses: Predicate = (p) => p.masculine < 0.5 && p.glasses > 0.5

  say('Smiling woman − neutral woman + neutral man…')
  const smilingMan = await arithmetic(smilingWoman, neutralWoman, neutralMan, isSmilingMan, 1)
  say('Man with glasses − man without glasses + woman without glasses…')
  const womanWithGlasses = await arithmetic(manWithGlasses, manWithout, womanWithout, isWomanWithGlasses, 2)
  say('Controls (A and B swapped)…')
  const controlSmile = await arithmetic(neutralWoman, smilingWoman, neutralMan, isSmilingMan, 1)
  const controlGlasses = await arithmetic(manWithout, manWithGlasses, womanWithout, isWomanWithGlasses, 2)

  say('Walk smoothness…')
  const walkCount = options.walks ?? 6
  const framesPerSegment = 16
  let stepChange = 0
  let endpointChange = 0
  for (let w = 0; w < walkCount; w++) {
    const keys = [zs[2 * w] as Float32Array, zs[2 * w + 1] as Float32Array]
    const frames = keyframePath(keys, { mode: 'slerp', stepsPerSegment: framesPerSegment, loop: false, easing: 'linear' })
    const images = await studio.exploration.renderVectors(source, frames.map((f) => f.z), model.zDim)
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
    smilingMan: smilingMan.count,
    womanWithGlasses: womanWithGlasses.count,
    controls: { smilingMan: controlSmile.count, womanWithGlasses: controlGlasses.count },
    details: { smilingMan, womanWithGlasses },
    classifierAccuracy: info.accuracy,
    sampleAttributes: {
      smiling: probabilities.filter((p) => p.smiling > 0.5).length / samples,
      masculine: probabilities.filter((p) => p.masculine > 0.5).length / samples,
      glasses: probabilities.filter((p) => p.glasses > 0.5).length / samples
    },
    walkSmoothness: { meanStepChange, meanEndpointChange, ratio: meanStepChange / Math.max(1e-9, meanEndpointChange), walks: walkCount, framesPerWalk: framesPerSegment + 1 },
    target: DEMO_TARGET,
    passed: smilingMan.count >= DEMO_TARGET && womanWithGlasses.count >= DEMO_TARGET
  }
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
