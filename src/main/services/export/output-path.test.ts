import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ExportRecord } from '../../../shared/api/export'
import type { RunRecord } from '../../../shared/formats/run'
import { exportRecord } from './export-record'
import { PendingOutput, placeByReservation } from './output-path'

// The commit of an export on real folders. Between prepare() and commit() is where an export does its work
// (renders, encodes into output.temp); the destination is changed there, as another program would meanwhile.
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dcgan-output-path-'))
afterAll(() => fs.rmSync(root, { recursive: true, force: true }))

let cases = 0
function folder(): string {
  const dir = path.join(root, `case-${(cases += 1)}`)
  fs.mkdirSync(dir)
  return dir
}

const run = JSON.parse(fs.readFileSync(path.resolve('resources/demo/runs/procedural-faces-demo-dbd50b/run.json'), 'utf8')) as RunRecord
function record(file: string, note: string): ExportRecord {
  return exportRecord({ operation: 'image', file, run, step: 0, erase: null, request: { note }, latent: {}, output: {} })
}

const read = (file: string): string => fs.readFileSync(file, 'utf8')
const requestOf = (file: string): unknown => ExportRecord.parse(JSON.parse(read(file))).request

/** prepare(), the export's work, then whatever happens meanwhile, then commit(); on failure, discard() as every export does. */
async function exportFile(final: string, options: { overwrite: boolean; meanwhile?: () => void; kind?: 'file' | 'folder' }): Promise<unknown> {
  const kind = options.kind ?? 'file'
  const output = await PendingOutput.prepare(final, kind, options.overwrite, { record: true })
  if (kind === 'file') fs.writeFileSync(output.temp, 'the new export')
  else fs.writeFileSync(path.join(output.temp, 'frame-0000.png'), 'the new frame')
  options.meanwhile?.()
  try {
    await output.commit(record(final, 'new'))
    return null
  } catch (err) {
    await output.discard()
    return err
  }
}

describe('committing an export to a file', () => {
  it('refuses at commit a file that appeared after the export started, and leaves it as it is', async () => {
    const dir = folder()
    const final = path.join(dir, 'walk.mp4')
    const error = await exportFile(final, { overwrite: false, meanwhile: () => fs.writeFileSync(final, 'made meanwhile') })
    expect(String(error)).toContain(`${final} already exists; tick "replace" or choose another name. Nothing was written.`)
    expect(read(final)).toBe('made meanwhile')
    expect(fs.readdirSync(dir)).toEqual(['walk.mp4'])
  })

  it('refuses at commit a record that appeared meanwhile, and then does not commit the export either', async () => {
    const dir = folder()
    const final = path.join(dir, 'walk.mp4')
    const error = await exportFile(final, { overwrite: false, meanwhile: () => fs.writeFileSync(`${final}.json`, 'notes of mine') })
    expect(String(error)).toContain(`${final}.json already exists; tick "replace" or choose another name.`)
    expect(read(`${final}.json`)).toBe('notes of mine')
    expect(fs.readdirSync(dir)).toEqual(['walk.mp4.json'])
  })

  it('refuses before any work a record that is there already, unless replacing was asked for', async () => {
    const dir = folder()
    const final = path.join(dir, 'fig.png')
    fs.writeFileSync(`${final}.json`, 'notes of mine')
    await expect(PendingOutput.prepare(final, 'file', false, { record: true })).rejects.toThrow(
      `${final}.json, where the record of fig.png goes, already exists; tick "replace" or choose another name.`
    )
    fs.rmSync(`${final}.json`)
    fs.mkdirSync(`${final}.json`)
    await expect(PendingOutput.prepare(final, 'file', true, { record: true })).rejects.toThrow(`${final}.json, where the record of fig.png goes, is a folder.`)
    expect(fs.readdirSync(dir)).toEqual(['fig.png.json'])
  })

  it('keeps the earlier file, and its record, when the record cannot take its name', async () => {
    const dir = folder()
    const final = path.join(dir, 'fig.png')
    fs.writeFileSync(final, 'the earlier export')
    // The record's name becomes a folder while the export runs: the new file was already renamed over the earlier
    // one when that is found, and must be taken back.
    const error = await exportFile(final, { overwrite: true, meanwhile: () => fs.mkdirSync(`${final}.json`) })
    expect(String(error)).toContain(`${final}.json is a folder, so the record of fig.png cannot be written there.`)
    expect(String(error)).toContain('Nothing was written; the earlier fig.png is as it was.')
    expect(read(final)).toBe('the earlier export')
    expect(fs.readdirSync(dir).sort()).toEqual(['fig.png', 'fig.png.json'])
  })

  it('leaves no export when there was none before and the record cannot be written', async () => {
    const dir = folder()
    const final = path.join(dir, 'fig.png')
    const error = await exportFile(final, { overwrite: true, meanwhile: () => fs.mkdirSync(`${final}.json`) })
    expect(String(error)).toMatch(/is a folder/)
    expect(fs.readdirSync(dir)).toEqual(['fig.png.json'])
  })

  it('replaces both the file and its record when replacing was asked for, and leaves nothing else', async () => {
    const dir = folder()
    const final = path.join(dir, 'fig.png')
    fs.writeFileSync(final, 'the earlier export')
    fs.writeFileSync(`${final}.json`, JSON.stringify(record(final, 'earlier')))
    expect(await exportFile(final, { overwrite: true })).toBeNull()
    expect(read(final)).toBe('the new export')
    expect(requestOf(`${final}.json`)).toEqual({ note: 'new' })
    expect(fs.readdirSync(dir).sort()).toEqual(['fig.png', 'fig.png.json'])
  })

  it('writes a new file and its record, and nothing else', async () => {
    const dir = folder()
    const final = path.join(dir, 'new.png')
    expect(await exportFile(final, { overwrite: false })).toBeNull()
    expect(read(final)).toBe('the new export')
    expect(requestOf(`${final}.json`)).toEqual({ note: 'new' })
    expect(fs.readdirSync(dir).sort()).toEqual(['new.png', 'new.png.json'])
  })
})

describe('committing a folder of frames', () => {
  it('refuses at commit a folder that was filled after the export started', async () => {
    const dir = folder()
    const final = path.join(dir, 'frames')
    const error = await exportFile(final, {
      kind: 'folder',
      overwrite: false,
      meanwhile: () => {
        fs.mkdirSync(final)
        fs.writeFileSync(path.join(final, 'notes.txt'), 'mine')
      }
    })
    expect(String(error)).toContain(`The folder ${final} already holds other files.`)
    expect(fs.readdirSync(final)).toEqual(['notes.txt'])
    expect(fs.readdirSync(dir)).toEqual(['frames'])
  })

  it('refuses at commit an earlier frame export that appeared meanwhile, unless replacing was asked for', async () => {
    const dir = folder()
    const final = path.join(dir, 'frames')
    const earlier = (): void => {
      fs.mkdirSync(final)
      fs.writeFileSync(path.join(final, 'export.json'), JSON.stringify(record(final, 'earlier')))
    }
    const error = await exportFile(final, { kind: 'folder', overwrite: false, meanwhile: earlier })
    expect(String(error)).toContain(`${final} already holds exported frames; tick "replace" or choose another folder.`)
    expect(requestOf(path.join(final, 'export.json'))).toEqual({ note: 'earlier' })
    fs.rmSync(final, { recursive: true })
    expect(await exportFile(final, { kind: 'folder', overwrite: true, meanwhile: earlier })).toBeNull()
    expect(fs.readdirSync(final).sort()).toEqual(['export.json', 'frame-0000.png'])
    expect(requestOf(path.join(final, 'export.json'))).toEqual({ note: 'new' })
    expect(fs.readdirSync(dir)).toEqual(['frames'])
  })

  it('fills an empty folder made for the frames', async () => {
    const dir = folder()
    const final = path.join(dir, 'frames')
    expect(await exportFile(final, { kind: 'folder', overwrite: false, meanwhile: () => fs.mkdirSync(final) })).toBeNull()
    expect(fs.readdirSync(final).sort()).toEqual(['export.json', 'frame-0000.png'])
  })
})

describe('placing a file where the file system has no hard links', () => {
  it('takes a free name, and fails on a taken one leaving both files as they were', async () => {
    const dir = folder()
    fs.writeFileSync(path.join(dir, 'temp'), 'new')
    await placeByReservation(path.join(dir, 'temp'), path.join(dir, 'free.json'))
    expect(fs.readdirSync(dir)).toEqual(['free.json'])
    expect(read(path.join(dir, 'free.json'))).toBe('new')
    fs.writeFileSync(path.join(dir, 'temp'), 'newer')
    await expect(placeByReservation(path.join(dir, 'temp'), path.join(dir, 'free.json'))).rejects.toMatchObject({ code: 'EEXIST' })
    expect(read(path.join(dir, 'free.json'))).toBe('new')
    expect(read(path.join(dir, 'temp'))).toBe('newer')
  })
})
