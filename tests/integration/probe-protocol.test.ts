import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { builtPaths } from '../../src/main/services/app-paths'
import { PAPER_SVM_CS, type ProtocolProbeReport } from '../../src/shared/api/experiments'
import { ensureBuilt } from '../support/build'
import { runCli } from '../support/cli'
import { tempDir } from '../support/fixtures'
import { runPython } from '../support/python'
import { requireSystemPackage } from '../support/system-packages'

beforeAll(() => ensureBuilt(), 300_000)

/** The shipped Fashion-MNIST run (see experiments-probe.test.ts): a 32×32 grayscale DCGAN whose D is worth probing. */
const FIXTURE = path.resolve(__dirname, '..', 'fixtures', 'fashion-mnist-run')
const RUN = 'fm-w32-740695'

/**
 * Fashion-MNIST's t10k images written as SVHN's cropped-digit files are (scipy.io.savemat; X 32×32×3×N
 * uint8, padded from 28 px and repeated into RGB; y 1–10 with 10 for class 0), so the svhn protocol reads
 * real labelled images through its own --data import: 1,500 to train and validate, the next 500 to test.
 */
const WRITE_SVHN_FORMAT = String.raw`
import sys, gzip, numpy as np, scipy.io
src, out = sys.argv[1], sys.argv[2]
images = np.frombuffer(gzip.open(src + '/t10k-images-idx3-ubyte.gz').read(), np.uint8, offset=16).reshape(-1, 28, 28)
labels = np.frombuffer(gzip.open(src + '/t10k-labels-idx1-ubyte.gz').read(), np.uint8, offset=8)
def write(name, lo, hi):
    x = np.pad(images[lo:hi], ((0, 0), (2, 2), (2, 2)))
    X = np.ascontiguousarray(np.repeat(x[:, :, :, None], 3, axis=3).transpose(1, 2, 3, 0))
    y = labels[lo:hi].astype(np.uint8)[:, None]
    y[y == 0] = 10
    scipy.io.savemat(out + '/' + name, dict(X=X, y=y))
write('train_32x32.mat', 0, 1500)
write('test_32x32.mat', 1500, 2000)
`

/** The same images as CIFAR-10 binary batches (label byte, then the red, green and blue planes), 500 to train and 300 to test. */
const WRITE_CIFAR_FORMAT = String.raw`
import sys, os, gzip, numpy as np
src, out = sys.argv[1], sys.argv[2]
images = np.frombuffer(gzip.open(src + '/t10k-images-idx3-ubyte.gz').read(), np.uint8, offset=16).reshape(-1, 28, 28)
labels = np.frombuffer(gzip.open(src + '/t10k-labels-idx1-ubyte.gz').read(), np.uint8, offset=8)
os.makedirs(out)
def write(name, lo, hi):
    x = np.pad(images[lo:hi], ((0, 0), (2, 2), (2, 2))).reshape(hi - lo, 1, 1024)
    records = np.concatenate([labels[lo:hi, None], np.repeat(x, 3, axis=1).reshape(hi - lo, -1)], axis=1)
    open(out + '/' + name, 'wb').write(records.astype(np.uint8).tobytes())
write('data_batch_1.bin', 2000, 2500)
write('test_batch.bin', 2500, 2800)
`

describe('dcgan-studio probe --protocol svhn', () => {
  const work = tempDir('probe-protocol')
  const library = path.join(work, 'library')
  const data = path.join(work, 'svhn')
  let report: ProtocolProbeReport
  let imported: string[] = []

  beforeAll(async () => {
    requireSystemPackage('dataset-fashion-mnist')
    fs.mkdirSync(data)
    runPython(WRITE_SVHN_FORMAT, ['/usr/share/datasets/fashion-mnist', data], ['numpy', 'scipy'])
    fs.cpSync(path.join(FIXTURE, 'runs', RUN), path.join(library, 'runs', RUN), { recursive: true })
    // A quick look at the protocol: 20 labels per class, 300 validation images, 1 draw per C, 3 test draws.
    const result = await runCli([
      'probe',
      '--protocol',
      'svhn',
      '--run',
      RUN,
      '--data',
      data,
      '--per-class',
      '20',
      '--validation',
      '300',
      '--draws',
      '1',
      '--test-draws',
      '3',
      '--library',
      library
    ])
    expect(result.code, `${result.stderr}\n${JSON.stringify(result.lines.at(-1))}`).toBe(0)
    imported = result.lines.filter((l) => l.event === 'imported').map((l) => String(l.datasetId))
    report = result.lines.at(-1) as unknown as ProtocolProbeReport
  })

  it("imports the .mat files, chooses C from the authors' grid on validation and reports the test error over the draws", () => {
    expect(imported).toHaveLength(2)
    expect(report).toMatchObject({
      event: 'done',
      protocol: 'svhn',
      run: RUN,
      train: { id: imported[0], name: 'SVHN train' },
      test: { id: imported[1], name: 'SVHN test' },
      classes: 10,
      classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
      counts: { pool: 1200, validation: 300, perDraw: 200, test: 500 },
      draws: { selection: 1, test: 3 },
      features: (32 + 64 + 128) * 16,
      paper: { metric: 'error', value: 0.2248 }
    })
    expect(report.validation.map((v) => v.c)).toEqual([...PAPER_SVM_CS])
    expect(PAPER_SVM_CS).toContain(report.chosenC)
    const best = Math.max(...report.validation.map((v) => v.accuracy.mean))
    expect(report.validation.find((v) => v.c === report.chosenC)?.accuracy.mean).toBe(best)
    // Ten Fashion-MNIST classes from 20 labels each: far above chance (10%) with the trained D's features.
    expect(report.testAccuracy.mean).toBeGreaterThan(0.55)
    expect(report.testError.mean).toBeCloseTo(1 - report.testAccuracy.mean, 10)
    expect(report.testError.halfWidth).toBeGreaterThan(0)
    expect(report.testError.halfWidth).toBeLessThan(0.1)
    expect(report.departures).toEqual([
      '300 validation images (the preset: 10,000)',
      '20 labels per class (the preset: 100)',
      '1 draw per C (the preset: 10)',
      '3 test draws (the preset: 100)'
    ])
  })

  it("prints the paper's number beside ours, on datasets already in the library", () => {
    const result = spawnSync(
      process.execPath,
      [
        builtPaths.cli(),
        'probe',
        '--protocol',
        'svhn',
        '--run',
        RUN,
        '--labelled',
        imported[0]!,
        '--test-set',
        imported[1]!,
        '--per-class',
        '10',
        '--validation',
        '300',
        '--draws',
        '1',
        '--test-draws',
        '2',
        '--library',
        library
      ],
      { encoding: 'utf8' }
    )
    expect(result.status, result.stderr).toBe(0)
    expect(result.stdout).toMatch(
      /Test error over 2 draws \(mean ± 1\.96σ\): ours \d+\.\d\d% ± \d+\.\d\d {3}the paper: 22\.48% test error \(the same architecture trained supervised: 28\.87%\)\./
    )
    expect(result.stdout).toMatch(/C = 0\.0001 +\d+\.\d\d%/)
    expect(result.stdout).toContain('← chosen')
  })

  it('the cifar10 preset trains one SVM on as many training images as fit, after the validation split', async () => {
    const cifar = path.join(work, 'cifar-10-batches-bin')
    runPython(WRITE_CIFAR_FORMAT, ['/usr/share/datasets/fashion-mnist', cifar])
    const result = await runCli(['probe', '--protocol', 'cifar10', '--run', RUN, '--data', cifar, '--validation', '300', '--library', library])
    expect(result.code, `${result.stderr}\n${JSON.stringify(result.lines.at(-1))}`).toBe(0)
    const cifarReport = result.lines.at(-1) as unknown as ProtocolProbeReport
    expect(cifarReport).toMatchObject({
      protocol: 'cifar10',
      train: { name: 'CIFAR-10 data_batch_1' },
      test: { name: 'CIFAR-10 test_batch' },
      counts: { pool: 200, validation: 300, test: 300 },
      draws: { selection: 1, test: 1 },
      paper: { metric: 'accuracy', value: 0.828 },
      departures: ['300 validation images (the preset: 5,000)']
    })
    // All of the 200 left after validation that every class can give as many of: the smallest class sets the count.
    expect(cifarReport.counts.perDraw % 10).toBe(0)
    expect(cifarReport.counts.perDraw).toBeGreaterThanOrEqual(80)
    expect(cifarReport.counts.perDraw).toBeLessThanOrEqual(200)
    expect(cifarReport.testAccuracy).toEqual({ mean: expect.any(Number), halfWidth: 0 })
    expect(cifarReport.testAccuracy.mean).toBeGreaterThan(0.5)
  })

  it('refuses a test set that is the training set, and flags that belong to the other probe', async () => {
    const same = await runCli(['probe', '--protocol', 'svhn', '--run', RUN, '--labelled', imported[0]!, '--test-set', imported[0]!, '--library', library])
    expect(same.lines.at(-1)).toMatchObject({ error: { message: expect.stringContaining('is the training set; choose its test set') } })
    const mixed = await runCli(['probe', '--protocol', 'cifar10', '--run', RUN, '--data', data, '--test', '100', '--library', library])
    expect(mixed.lines.at(-1)).toMatchObject({ error: { code: 'usage', message: expect.stringContaining('--test is not an option of --protocol') } })
  })
})
