import * as fs from 'node:fs'
import { it } from 'vitest'
import { selectBackend } from '../backend/select'
import { ModelCache } from '../explore/models'
import { probe } from './probe'

const RUN = '/tmp/exp-lib/runs/fashion-mnist-train-32px-2b071d'
const DATA = '/tmp/exp-lib/datasets/fashion-mnist-train-349565'

it('scratch', async () => {
  await selectBackend('wasm')
  const models = new ModelCache()
  const model = JSON.parse(fs.readFileSync(`${RUN}/run.json`, 'utf8')).model
  const configs = JSON.parse(process.env.SCRATCH ?? '[]')
  for (const c of configs) {
    const t = performance.now()
    const r = await probe(models, { models: { kind: 'checkpoint', model, dir: `${RUN}/checkpoints/${c.ckpt}` }, randomSeed: c.rs ?? 1, datasetDir: DATA, perClass: c.pc, validationPerClass: c.pc, maxTest: 1000, seed: c.seed ?? 0, weightDecays: c.wd, iterations: c.it })
    const f = (s: { testAccuracy: number; weightDecay: number; validation: { accuracy: number }[] }) => `${(s.testAccuracy * 100).toFixed(1)} (λ ${s.weightDecay}; val ${s.validation.map((v) => (v.accuracy * 100).toFixed(0)).join('/')})`
    console.log(JSON.stringify(c), 'trained', f(r.trainedD), 'random', f(r.randomD), 'pixels', f(r.pixels), ((performance.now() - t) / 1000).toFixed(0), 's')
  }
}, 1_000_000)
