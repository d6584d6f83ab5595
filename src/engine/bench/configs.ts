/**
 * The configurations `npm run bench` measures, each with the arguments that make the PyTorch reference
 * (../shared/bench/torch_dcgan.py) measure the same thing. Plain data: the bench script reads it too.
 */
export interface BenchConfig {
  name: string
  kind: 'train' | 'generate'
  imageSize: 32 | 64
  /** Base width of both networks (ngf = ndf). */
  width: number
  batch: number
  /** img/s: higher is better. ms/frame: lower is better, so its ratio is reference / ours. */
  unit: 'img/s' | 'ms/frame'
  referenceArgs: string[]
}

function train(imageSize: 32 | 64, width: number, batch: number): BenchConfig {
  const size = String(imageSize)
  return {
    name: `train-${imageSize}-w${width}`,
    kind: 'train',
    imageSize,
    width,
    batch,
    unit: 'img/s',
    referenceArgs: ['train', '--size', size, '--ngf', String(width), '--ndf', String(width), '--batch', String(batch)]
  }
}

function generate(imageSize: 32 | 64, width: number, batch: number): BenchConfig {
  return {
    name: `generate-${imageSize}-b${batch}`,
    kind: 'generate',
    imageSize,
    width,
    batch,
    // One frame at a time is what a latent-walk slider asks for: its latency is what matters.
    unit: batch === 1 ? 'ms/frame' : 'img/s',
    referenceArgs: ['infer', '--size', String(imageSize), '--ngf', String(width), '--batch', String(batch)]
  }
}

export const BENCH_CONFIGS: readonly BenchConfig[] = [train(32, 16, 64), train(32, 64, 64), train(64, 64, 64), generate(64, 64, 1), generate(64, 64, 64)]

/** How long to measure: iterations after warm-up until both minimums are met (as the reference does). */
export interface MeasurePolicy {
  warmup: number
  minIterations: number
  minSeconds: number
  maxIterations: number
}

export const FULL_RUN: MeasurePolicy = { warmup: 2, minIterations: 5, minSeconds: 5, maxIterations: 200 }
export const QUICK_RUN: MeasurePolicy = { warmup: 1, minIterations: 3, minSeconds: 1, maxIterations: 50 }

/** The reference's flags for the same policy (torch_dcgan.py's --warmup, --min-iters, …). */
export function referencePolicyArgs(policy: MeasurePolicy): string[] {
  return [
    '--warmup',
    String(policy.warmup),
    '--min-iters',
    String(policy.minIterations),
    '--min-seconds',
    String(policy.minSeconds),
    '--max-iters',
    String(policy.maxIterations)
  ]
}
