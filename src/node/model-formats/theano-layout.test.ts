import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { tempDir } from '../../../tests/support/fixtures'
import { newmuSvhnDir } from '../../../tests/support/newmu-svhn'
import { ModelFileError } from './model-file-error'
import { readNpy } from './npy'
import { readModel } from './read-model'

// The paper authors' released SVHN model (Newmu/dcgan_code), read without Python: what lands where in the
// studio's layout, and what a folder that is not such a model is told.

const npy = (dir: string, name: string) => readNpy(new Uint8Array(fs.readFileSync(path.join(dir, name))), name)

describe("reading Newmu/dcgan_code's Theano parameters", () => {
  it('finds both networks in the folder, flips the kernels and puts channels-first units in channels-last order', async () => {
    const dir = newmuSvhnDir()
    const model = await readModel(dir)
    expect(model.format).toBe('theano')
    const w = model.weights
    expect({ imageSize: w.imageSize, channels: w.channels, zDim: w.zDim, genWidth: w.genWidth, discWidth: w.discWidth, kernelSize: w.kernelSize }).toEqual({
      imageSize: 32,
      channels: 3,
      zDim: 100,
      genWidth: 64,
      discWidth: 64,
      kernelSize: 5
    })
    expect(w.layerOptions).toEqual({ padding: 'symmetric', projectionNorm: 'unit', batchNormEpsilon: 1e-8 })
    expect(w.populationStatistics).toBe('estimate')
    expect(model.licence?.file).toBe('LICENSE')
    // D's first kernel (64, 3, 5, 5), true convolution: tfjs's [y, x, in, out] is Theano's [out, in, 4 − y, 4 − x].
    const theirs = npy(dir, '200_discrim_params.jl_01.npy')
    const ours = w.discriminator?.get('d_conv0/kernel')
    expect(ours?.shape).toEqual([5, 5, 3, 64])
    for (const [o, c, y, x] of [
      [0, 0, 0, 0],
      [5, 2, 1, 3],
      [63, 1, 4, 0]
    ] as const) {
      expect(ours?.values[((y * 5 + x) * 3 + c) * 64 + o]).toBe(theirs.values[((o * 3 + c) * 5 + (4 - y)) * 5 + (4 - x)])
    }
    // G's dense column for channel c at (y, x) is Theano's unit c·16 + y·4 + x; its batch norm scale likewise.
    const dense = npy(dir, '200_gen_params.jl_01.npy')
    const gamma = npy(dir, '200_gen_params.jl_02.npy')
    for (const [row, c, y, x] of [
      [0, 0, 0, 0],
      [7, 100, 2, 3],
      [99, 255, 3, 3]
    ] as const) {
      expect(w.generator?.get('g_project/kernel')?.values[row * 4096 + (y * 4 + x) * 256 + c]).toBe(dense.values[row * 4096 + c * 16 + y * 4 + x])
      expect(w.generator?.get('g_bn0/gamma')?.values[(y * 4 + x) * 256 + c]).toBe(gamma.values[c * 16 + y * 4 + x])
    }
  })

  it('reads one .jl alone as that network, and says what is wrong with a folder that is not the SVHN layout', async () => {
    const dir = newmuSvhnDir()
    const alone = await readModel(path.join(dir, '200_discrim_params.jl'))
    expect([alone.format, alone.weights.generator, alone.files.map((f) => f.name)]).toEqual(['theano', null, ['200_discrim_params.jl']])

    const broken = tempDir('theano-broken')
    for (const name of fs.readdirSync(dir)) fs.copyFileSync(path.join(dir, name), path.join(broken, name))
    // G's dense kernel replaced by D's last array.
    fs.copyFileSync(path.join(dir, '200_discrim_params.jl_08.npy'), path.join(broken, '200_gen_params.jl_01.npy'))
    await expect(readModel(broken)).rejects.toThrow(
      /200_gen_params\.jl is not a DCGAN of Newmu\/dcgan_code's SVHN layout: its first array is \[4096, 1\], expected \[nz, 4096\]/
    )
    fs.rmSync(path.join(broken, '200_gen_params.jl_01.npy'))
    const missing = await readModel(broken).catch((error: unknown) => error)
    expect(missing).toBeInstanceOf(ModelFileError)
    expect((missing as Error).message).toMatch(/lists 200_gen_params\.jl_01\.npy, which is not beside it/)
    fs.writeFileSync(path.join(broken, '200_gen_params.jl_01.npy'), 'not numpy')
    await expect(readModel(broken)).rejects.toThrow(/is not a numpy \.npy file/)
  })
})
