import { paperModelConfig } from '../../shared/formats/model'
import { buildDiscriminator, buildGenerator } from '../model'
import { createAdam } from '../train/adam'
import { type GanPair, logitsOf, trainableVariables } from '../train/gan-step'
import type { BenchConfig } from './configs'

/** The paper's networks at a bench config's size and width (RGB, z of 100, kernel 4), seeded. */
export function benchModelConfig(config: BenchConfig) {
  return paperModelConfig({ imageSize: config.imageSize, channels: 3, genWidth: config.width, discWidth: config.width })
}

/** G and D with Adam(2e-4, β1 0.5) each (the studio's, train/adam.ts), as the engine's trainer and the PyTorch reference set them up. */
export function buildGanPair(config: BenchConfig): { pair: GanPair; dispose: () => void } {
  const model = benchModelConfig(config)
  const generator = buildGenerator(model, 1)
  const discriminator = buildDiscriminator(model, 2)
  const pair: GanPair = {
    generator,
    discriminatorLogits: logitsOf(discriminator),
    generatorOptimizer: createAdam(2e-4, 0.5),
    discriminatorOptimizer: createAdam(2e-4, 0.5),
    generatorVariables: trainableVariables(generator),
    discriminatorVariables: trainableVariables(discriminator)
  }
  return {
    pair,
    dispose: () => {
      generator.dispose()
      discriminator.dispose()
      pair.generatorOptimizer.dispose()
      pair.discriminatorOptimizer.dispose()
    }
  }
}

/** Uniform in [-1, 1], as the reference draws both its images and its z. */
export function uniformNoise(length: number): Float32Array {
  const values = new Float32Array(length)
  for (let i = 0; i < length; i++) values[i] = Math.random() * 2 - 1
  return values
}
