import { describe, expect, it } from 'vitest'
import { Rng } from '../latent/random'
import { BACKGROUNDS, BINARY_ATTRIBUTES, HAIR_COLOURS, POSES, SKIN_TONES } from './attributes'
import { FacesLabelsFile, faceFileName } from './labels-file'
import { type FaceSpec, faceSeed, faceSpecAt, labelsOf, randomFaceSpec, withLabels } from './spec'

const N = 1000
const specs: FaceSpec[] = Array.from({ length: N }, (_, i) => faceSpecAt(2024, i))
const share = (test: (s: FaceSpec) => boolean, among: readonly FaceSpec[] = specs): number => among.filter(test).length / among.length

describe('face specs', () => {
  it('draws each binary attribute as a fair coin', () => {
    for (const attribute of BINARY_ATTRIBUTES) expect(share((s) => s[attribute])).toBeGreaterThan(0.45)
    for (const attribute of BINARY_ATTRIBUTES) expect(share((s) => s[attribute])).toBeLessThan(0.55)
  })

  it('draws the attributes independently of each other', () => {
    // Every pair of binary attributes: each of the four combinations about a quarter of the time.
    for (const a of BINARY_ATTRIBUTES) {
      for (const b of BINARY_ATTRIBUTES) {
        if (a >= b) continue
        for (const [va, vb] of [
          [true, true],
          [true, false],
          [false, true],
          [false, false]
        ]) {
          expect(Math.abs(share((s) => s[a] === va && s[b] === vb) - 0.25)).toBeLessThan(0.045)
        }
      }
    }
    // Within each pose, each binary attribute is still a fair coin.
    for (const pose of POSES) {
      const posed = specs.filter((s) => s.pose === pose)
      for (const attribute of BINARY_ATTRIBUTES) expect(Math.abs(share((s) => s[attribute], posed) - 0.5)).toBeLessThan(0.09)
    }
  })

  it('draws pose, hair, skin and background uniformly over their classes', () => {
    for (const [key, classes] of [
      ['pose', POSES],
      ['hair', HAIR_COLOURS],
      ['skin', SKIN_TONES],
      ['background', BACKGROUNDS]
    ] as const) {
      for (const value of classes) expect(Math.abs(share((s) => s[key] === value) - 1 / classes.length)).toBeLessThan(0.05)
    }
  })

  it('keeps everything unlabelled when a label changes', () => {
    const spec = faceSpecAt(1, 0)
    const changed = withLabels(spec, { smiling: !spec.smiling, pose: 'left' })
    expect({ ...changed, smiling: spec.smiling, pose: spec.pose }).toEqual(spec)
    expect(labelsOf(changed)).toMatchObject({ smiling: !spec.smiling, pose: 'left' })
  })

  it('gives every face of a set its own seed, the same however large the set', () => {
    const seeds = new Set(Array.from({ length: N }, (_, i) => faceSeed(2024, i)))
    expect(seeds.size).toBe(N)
    expect(faceSpecAt(2024, 17)).toEqual(randomFaceSpec(new Rng(faceSeed(2024, 17))))
  })

  it('validates a labels file', () => {
    const faces = specs.slice(0, 2).map((s, i) => ({ file: faceFileName(i), seed: faceSeed(2024, i), labels: labelsOf(s) }))
    const file = { format: 'dcgan-studio/faces-labels', version: 1, size: 64, seed: 2024, count: 2, faces }
    expect(FacesLabelsFile.parse(file)).toEqual(file)
    expect(FacesLabelsFile.safeParse({ ...file, count: 3 }).success).toBe(false)
    expect(FacesLabelsFile.safeParse({ ...file, faces: [{ ...faces[0], labels: { ...faces[0]?.labels, pose: 'up' } }, faces[1]] }).success).toBe(false)
    expect(faceFileName(12)).toBe('face-000012.png')
  })
})
