import * as fs from 'node:fs'
import * as path from 'node:path'
import { gridImage, writePng } from '../../services/image-files'
import { UsageError, parseBackend, parseVerbArgs } from '../args'
import { makeOutput } from '../output'
import { callStudio, parseIntOption, parseNumberOption, parseRunRef, RUN_OPTIONS, withCliStudio } from '../studio-session'

export const walkHelp = `dcgan-studio walk --run R --seeds 1,2,3 [--steps 8] [--mode lerp|slerp] [--easing linear|ease-in-out] [--loop]
                  [--checkpoint STEP] [--erasure ID] --out strip.png [--frames DIR] [--scale K] [--json]
  A latent walk through the samples the seeds name (seed S is sample 0 of grid seed S; the same seed always
  gives the same z). --steps frames from one keyframe to the next (paper Fig. 4: 8, so two seeds give 9
  images); an open walk ends on its last keyframe, a --loop returns to the first. --frames writes every frame
  as DIR/frame-0000.png ….`

export const arithmeticHelp = `dcgan-studio arithmetic --run R --a 1,2,3 --b 4,5,6 --c 7,8,9 [--noise 0.25] [--neighbours 8] [--seed S]
                        [--checkpoint STEP] [--erasure ID] --out result.png [--scale K] [--json]
  Vector arithmetic (paper Fig. 7): mean(A) − mean(B) + mean(C), shown as a 3×3 grid with the result in the
  centre and 8 neighbours made with uniform noise of ±noise. --json includes the vectors.`

export const featuresHelp = `dcgan-studio features --run R --seed S --net D|G --layer K [--maps N] [--checkpoint STEP] [--erasure ID] --out maps.png [--json]
  The feature maps of one layer for the sample seed S names, strongest first. --layer is a layer name
  (e.g. d_lrelu2, g_relu1) or a number K: D's K-th conv block (d_lreluK) or G's K-th block (g_reluK).`

export const guidedHelp = `dcgan-studio guided --run R --seed S --layer K [--channel C] [--checkpoint STEP] --out guided.png [--json]
  Guided backpropagation of a D feature (paper Fig. 5) for the sample seed S names: the image, then the
  trained D's guided backprop, a random-init D's, and the plain gradient, side by side. --layer is a D conv
  layer name (d_conv2) or its number K; --channel picks the feature (default: the one that fires most).`

function parseSeeds(name: string, value: string | undefined, min = 1): { kind: 'seed'; seed: number; index: number }[] {
  if (!value) throw new UsageError(`--${name} needs a comma-separated list of seeds, e.g. --${name} 1,2,3`)
  const seeds = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number)
  if (seeds.length < min || seeds.some((s) => !Number.isInteger(s) || s < 0)) {
    throw new UsageError(`--${name} must be ${min > 1 ? `at least ${min} ` : ''}whole numbers ≥ 0 separated by commas, got "${value}"`)
  }
  return seeds.map((seed) => ({ kind: 'seed', seed, index: 0 }))
}

function requireOut(value: string | undefined): string {
  if (!value) throw new UsageError('--out FILE.png is required.')
  return path.resolve(value)
}

const runOptions = { ...RUN_OPTIONS, out: { type: 'string' }, scale: { type: 'string' } } as const

export async function walkCommand(argv: string[]): Promise<number> {
  const { values } = parseVerbArgs(argv, {
    ...runOptions,
    seeds: { type: 'string' },
    steps: { type: 'string' },
    mode: { type: 'string' },
    easing: { type: 'string' },
    loop: { type: 'boolean', default: false },
    frames: { type: 'string' }
  })
  const out = makeOutput(values.json)
  const file = requireOut(values.out)
  const keyframes = parseSeeds('seeds', values.seeds, 2)
  return withCliStudio(values.library, parseBackend(values.backend), async (studio) => {
    const walk = await callStudio(studio, 'explore.walk', {
      run: parseRunRef(values),
      keyframes,
      stepsPerSegment: parseIntOption('steps', values.steps) ?? 8,
      // The dispatcher validates these and names a bad value.
      mode: (values.mode ?? 'slerp') as 'lerp' | 'slerp',
      easing: (values.easing ?? 'linear') as 'linear',
      loop: values.loop
    })
    const scale = parseIntOption('scale', values.scale) ?? 1
    await writePng(
      file,
      gridImage(
        walk.frames.map((f) => f.image),
        walk.frames.length
      ),
      scale
    )
    if (values.frames) {
      const dir = path.resolve(values.frames)
      fs.mkdirSync(dir, { recursive: true })
      for (const [i, frame] of walk.frames.entries()) await writePng(path.join(dir, `frame-${String(i).padStart(4, '0')}.png`), frame.image, scale)
    }
    out.emit({
      out: file,
      frames: walk.frames.length,
      framesDir: values.frames ? path.resolve(values.frames) : null,
      step: walk.step,
      t: walk.frames.map((f) => f.t)
    })
    out.say(`Wrote a ${walk.frames.length}-frame walk (checkpoint step ${walk.step}) to ${file}${values.frames ? ` and its frames to ${values.frames}` : ''}.`)
    return 0
  })
}

export async function arithmeticCommand(argv: string[]): Promise<number> {
  const { values } = parseVerbArgs(argv, {
    ...runOptions,
    a: { type: 'string' },
    b: { type: 'string' },
    c: { type: 'string' },
    noise: { type: 'string' },
    neighbours: { type: 'string' },
    seed: { type: 'string' }
  })
  const out = makeOutput(values.json)
  const file = requireOut(values.out)
  return withCliStudio(values.library, parseBackend(values.backend), async (studio) => {
    const r = await callStudio(studio, 'explore.arithmetic', {
      run: parseRunRef(values),
      a: parseSeeds('a', values.a),
      b: parseSeeds('b', values.b),
      c: parseSeeds('c', values.c),
      noise: parseNumberOption('noise', values.noise) ?? 0.25,
      neighbours: parseIntOption('neighbours', values.neighbours) ?? 8,
      seed: parseIntOption('seed', values.seed) ?? 0
    })
    // The paper's 3×3: the result in the centre, its noisy neighbours around it.
    const around = r.neighbours.map((n) => n.image)
    const grid = around.length === 8 ? [...around.slice(0, 4), r.result.image, ...around.slice(4)] : [r.result.image, ...around]
    await writePng(file, gridImage(grid, 3), parseIntOption('scale', values.scale) ?? 1)
    out.emit({
      out: file,
      step: r.step,
      result: Array.from(r.result.z),
      means: { a: Array.from(r.a.mean), b: Array.from(r.b.mean), c: Array.from(r.c.mean) },
      neighbours: r.neighbours.map((n) => Array.from(n.z))
    })
    out.say(`Wrote mean(A) − mean(B) + mean(C) and ${r.neighbours.length} neighbours (checkpoint step ${r.step}) to ${file}.`)
    return 0
  })
}

function layerName(net: 'G' | 'D', value: string | undefined, conv: boolean): string {
  if (!value) throw new UsageError('--layer is required: a layer name or number.')
  if (!/^\d+$/.test(value)) return value
  const k = Number(value)
  if (net === 'D') return conv ? `d_conv${k}` : `d_lrelu${k}`
  return `g_relu${k}`
}

export async function featuresCommand(argv: string[]): Promise<number> {
  const { values } = parseVerbArgs(argv, {
    ...runOptions,
    seed: { type: 'string' },
    net: { type: 'string' },
    layer: { type: 'string' },
    maps: { type: 'string' }
  })
  const out = makeOutput(values.json)
  const file = requireOut(values.out)
  const net = values.net === 'G' || values.net === 'D' ? values.net : null
  if (!net) throw new UsageError('--net must be D or G.')
  const seed = parseIntOption('seed', values.seed) ?? 0
  return withCliStudio(values.library, parseBackend(values.backend), async (studio) => {
    const layer = layerName(net, values.layer, false)
    const result = await callStudio(studio, 'explore.features', {
      run: parseRunRef(values),
      net,
      input: { kind: 'sample', z: { kind: 'seed', seed, index: 0 } },
      layer,
      maxMapsPerLayer: parseIntOption('maps', values.maps) ?? 64
    })
    const found = result.layers[0]
    if (!found) throw new UsageError(`The ${net} has no layer "${layer}".`)
    const scale = Math.max(1, Math.round(32 / (found.shape[0] ?? 32)))
    await writePng(
      file,
      gridImage(
        found.maps.map((m) => m.image),
        Math.ceil(Math.sqrt(found.maps.length))
      ),
      scale
    )
    out.emit({
      out: file,
      layer: found.name,
      shape: found.shape,
      maps: found.maps.map((m) => ({ channel: m.channel, strength: m.strength })),
      step: result.step
    })
    out.say(`Wrote the ${found.maps.length} strongest feature maps of ${found.name} (${found.shape.join('×')}) to ${file}.`)
    return 0
  })
}

export async function guidedCommand(argv: string[]): Promise<number> {
  const { values } = parseVerbArgs(argv, { ...runOptions, seed: { type: 'string' }, layer: { type: 'string' }, channel: { type: 'string' } })
  const out = makeOutput(values.json)
  const file = requireOut(values.out)
  const seed = parseIntOption('seed', values.seed) ?? 0
  return withCliStudio(values.library, parseBackend(values.backend), async (studio) => {
    const g = await callStudio(studio, 'explore.guided', {
      run: parseRunRef(values),
      input: { kind: 'sample', z: { kind: 'seed', seed, index: 0 } },
      layer: layerName('D', values.layer, true),
      channel: parseIntOption('channel', values.channel) ?? null
    })
    await writePng(file, gridImage([g.image, g.trained, g.random, g.plain], 4), parseIntOption('scale', values.scale) ?? 2)
    out.emit({ out: file, layer: g.layer, channel: g.channel, step: g.step, order: ['image', 'trained', 'random', 'plain'] })
    out.say(`Wrote guided backprop of ${g.layer} feature ${g.channel}: image | trained D | random-init D | plain gradient → ${file}.`)
    return 0
  })
}
