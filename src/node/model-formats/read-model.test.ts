import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { saveMainPyNets } from '../../../tests/support/dcgan-main-py'
import { tempDir } from '../../../tests/support/fixtures'
import { studioWeightSpecs } from './dcgan-weights'
import { ModelFileError } from './model-file-error'
import { readModel } from './read-model'
import { readSafetensors, writeSafetensors } from './safetensors'
import { float32Tensor } from './tensor'
import { readTorchFile } from './torch-file'

// Files written by PyTorch itself (Debian's python3-torch running main.py's networks), read without Python.

const SHAPE = { size: 32, nz: 8, ngf: 4, ndf: 6, nc: 3 } as const

describe('reading the model files dcgan/main.py saves', () => {
  it('reads netG.pth and netD.pth (torch.save zip format) and infers nz, ngf, ndf, nc and the size', async () => {
    const dir = tempDir('torch-zip')
    await saveMainPyNets(dir, SHAPE)
    const model = await readModel(dir)
    expect(model.format).toBe('pytorch')
    const w = model.weights
    expect({ imageSize: w.imageSize, channels: w.channels, zDim: w.zDim, genWidth: w.genWidth, discWidth: w.discWidth, kernelSize: w.kernelSize }).toEqual({
      imageSize: 32,
      channels: 3,
      zDim: 8,
      genWidth: 4,
      discWidth: 6,
      kernelSize: 4
    })
    const gSpecs = studioWeightSpecs('G', { imageSize: 32, channels: 3, zDim: 8, kernelSize: 4, width: 4 })
    expect([...(w.generator as Map<string, unknown>).keys()].sort()).toEqual(gSpecs.map((s) => s.name).sort())
    expect(model.files.map((f) => [f.name, f.network])).toEqual([
      ['netG.pth', 'G'],
      ['netD.pth', 'D']
    ])
    expect(model.files.every((f) => /^[0-9a-f]{64}$/.test(f.sha256) && f.bytes > 0)).toBe(true)
    // BatchNorm's running statistics are PyTorch's (trained a few steps, so not the initial 0 and 1).
    const mean = w.generator?.get('g_bn0/moving_mean')?.values as Float32Array
    expect(mean.some((v) => Math.abs(v) > 1e-6)).toBe(true)
  })

  it('reads the legacy torch.save format, keys without "main." and keys under "module.main."', async () => {
    for (const options of [{ legacy: true }, { prefix: 'none' as const }, { prefix: 'module.main.' as const, legacy: true }]) {
      const dir = tempDir('torch-variants')
      await saveMainPyNets(dir, SHAPE, options)
      const zip = await readModel(dir)
      expect(zip.weights.genWidth).toBe(4)
      expect(zip.weights.discWidth).toBe(6)
      expect(zip.files).toHaveLength(2)
    }
  })

  it('gives the same weights from safetensors as from the .pth of the same network', async () => {
    const pth = tempDir('pth')
    const st = tempDir('safetensors')
    await saveMainPyNets(pth, SHAPE, { seed: 5 })
    await saveMainPyNets(st, SHAPE, { seed: 5, safetensors: true })
    const a = await readModel(pth)
    const b = await readModel(st, 'safetensors')
    expect(b.format).toBe('safetensors')
    for (const [name, tensor] of a.weights.generator ?? []) expect(Array.from(b.weights.generator?.get(name)?.values ?? [])).toEqual(Array.from(tensor.values))
    for (const [name, tensor] of a.weights.discriminator ?? [])
      expect(Array.from(b.weights.discriminator?.get(name)?.values ?? [])).toEqual(Array.from(tensor.values))
  })

  it('imports one file alone, as the network its tensors show (whatever its name)', async () => {
    const dir = tempDir('only-d')
    await saveMainPyNets(dir, { ...SHAPE, size: 64, nc: 1 }, { only: 'D' })
    const renamed = path.join(dir, 'my-model.pth')
    fs.renameSync(path.join(dir, 'netD.pth'), renamed)
    const model = await readModel(renamed)
    expect(model.weights.generator).toBeNull()
    expect(model.weights.discWidth).toBe(6)
    expect(model.weights.imageSize).toBe(64)
    expect(model.weights.channels).toBe(1)
  })

  it('writes safetensors files it reads back with their metadata', async () => {
    const dir = tempDir('write')
    const entries = [['main.0.weight', float32Tensor([2, 3], Float32Array.from([1, 2, 3, 4, 5, 6]))] as const]
    const bytes = writeSafetensors(entries, { format: 'pt' })
    const back = readSafetensors(bytes, 'x.safetensors')
    expect(back.metadata).toEqual({ format: 'pt' })
    expect(Array.from(back.tensors.get('main.0.weight')?.values ?? [])).toEqual([1, 2, 3, 4, 5, 6])
    expect(back.tensors.get('main.0.weight')?.shape).toEqual([2, 3])
    fs.writeFileSync(path.join(dir, 'x.safetensors'), bytes)
  })

  it('refuses what is not a DCGAN, saying what the file holds and what was expected; refuses damaged files', async () => {
    const dir = tempDir('not-dcgan')
    const other = writeSafetensors([['encoder.layer.0.weight', float32Tensor([3, 4], new Float32Array(12))]])
    fs.writeFileSync(path.join(dir, 'netG.safetensors'), other)
    const error = await readModel(path.join(dir, 'netG.safetensors')).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ModelFileError)
    expect((error as Error).message).toContain('encoder.layer.0.weight [3, 4]')
    expect((error as Error).message).toContain('main.0.weight [nz, 8·ngf, 4, 4]')

    const pth = tempDir('cut')
    await saveMainPyNets(pth, SHAPE, { only: 'G' })
    const full = fs.readFileSync(path.join(pth, 'netG.pth'))
    fs.writeFileSync(path.join(pth, 'netG.pth'), full.subarray(0, full.byteLength - 200))
    await expect(readModel(path.join(pth, 'netG.pth'))).rejects.toThrow(/netG\.pth/)
    expect(() => readTorchFile(new TextEncoder().encode('hello world'), 'hello.pth')).toThrow(ModelFileError)
    await expect(readModel(path.join(dir, 'nothing-here'))).rejects.toThrow(/There is no file or folder/)
  })
})
