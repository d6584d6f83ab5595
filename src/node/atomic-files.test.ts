import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { syncDirectory, syncFile, writeAndSync, writeFileAtomic, writeJsonAtomic } from './atomic-files'

let root: string
let folders = 0

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'dcgan-atomic-'))
})

afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

async function freshFolder(): Promise<string> {
  const dir = path.join(root, `case-${(folders += 1)}`)
  await mkdir(dir)
  return dir
}

describe('writeFileAtomic', () => {
  it('replaces a file with the new content and leaves no temporary file behind', async () => {
    const dir = await freshFolder()
    const file = path.join(dir, 'latest.json')
    await writeFile(file, 'old')
    await writeFileAtomic(file, 'new')
    await writeFileAtomic(path.join(dir, 'bytes.bin'), Uint8Array.from([1, 2, 3]))
    expect(await readFile(file, 'utf8')).toBe('new')
    expect([...(await readFile(path.join(dir, 'bytes.bin')))]).toEqual([1, 2, 3])
    expect((await readdir(dir)).sort()).toEqual(['bytes.bin', 'latest.json'])
  })

  it('keeps two concurrent writers of the same file out of each other’s temporary file', async () => {
    const dir = await freshFolder()
    const file = path.join(dir, 'run.json')
    const contents = Array.from({ length: 8 }, (_, i) => `writer ${i} `.repeat(10_000))
    await Promise.all(contents.map((text) => writeFileAtomic(file, text)))
    // Whichever rename came last wins, whole.
    expect(contents).toContain(await readFile(file, 'utf8'))
    expect(await readdir(dir)).toEqual(['run.json'])
  })

  it('removes its temporary file and keeps the old content when the rename fails', async () => {
    const dir = await freshFolder()
    // A non-empty folder cannot be replaced by a file, so the rename fails after the temporary file is written.
    const blocked = path.join(dir, 'blocked')
    await mkdir(blocked)
    await writeFile(path.join(blocked, 'inside'), 'kept')
    await expect(writeFileAtomic(blocked, 'new')).rejects.toThrow()
    expect(await readdir(dir)).toEqual(['blocked'])
    expect(await readFile(path.join(blocked, 'inside'), 'utf8')).toBe('kept')
  })

  it('fails, naming the cause, when the folder does not exist', async () => {
    await expect(writeFileAtomic(path.join(root, 'no-such-folder', 'a.json'), '{}')).rejects.toMatchObject({ code: 'ENOENT' })
  })
})

describe('writeJsonAtomic', () => {
  it('writes indented JSON with a final newline', async () => {
    const file = path.join(await freshFolder(), 'settings.json')
    await writeJsonAtomic(file, { backend: 'wasm', threads: 2 })
    expect(await readFile(file, 'utf8')).toBe('{\n  "backend": "wasm",\n  "threads": 2\n}\n')
  })
})

describe('writeAndSync', () => {
  it('writes a new file, and with exclusive refuses to replace one that exists', async () => {
    const file = path.join(await freshFolder(), 'checkpoint.json')
    await writeAndSync(file, 'first')
    await writeAndSync(file, 'second')
    expect(await readFile(file, 'utf8')).toBe('second')
    await expect(writeAndSync(file, 'third', { exclusive: true })).rejects.toMatchObject({ code: 'EEXIST' })
    expect(await readFile(file, 'utf8')).toBe('second')
  })
})

describe('syncFile and syncDirectory', () => {
  it('flush what exists, treat a missing file as nothing to flush, and fail on a missing folder', async () => {
    const dir = await freshFolder()
    await writeFile(path.join(dir, 'metrics.jsonl'), '{}\n')
    await syncFile(path.join(dir, 'metrics.jsonl'))
    await syncFile(path.join(dir, 'not-yet.jsonl'))
    await syncDirectory(dir)
    if (process.platform !== 'win32') {
      await expect(syncDirectory(path.join(dir, 'gone'))).rejects.toMatchObject({ code: 'ENOENT' })
    }
  })
})
