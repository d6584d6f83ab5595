import * as fs from 'node:fs'
import * as path from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

// Comments and docs that name a file (`src/engine/backend/select.ts`, `wasm-kernels/threads.ts`, `boxes.ts`)
// must name one that exists, so a reader who follows them is not sent nowhere after a file moves or goes.
const root = path.resolve(__dirname, '../..')
// The design documents beside the repository (ARCHITECTURE.md, PAPER.md, the PyTorch reference); where a
// checkout has no such folder, references into it cannot be checked and are left alone.
const shared = path.resolve(root, '..', 'shared')
const SCANNED = ['src', 'tests', 'scripts', 'bin', 'docs']
const CODE = /\.(ts|tsx|mts|mjs|cjs|js)$/

// A file name with an extension of ours, optionally after folders (`../x/`, `@scope/package/`). Bare `.js`,
// `.css` and `.html` names are left out: "three.js" and "TensorFlow.js" are libraries, not files; so are
// patterns (`*.webgpu.test.ts`).
const REFERENCE = /(?<![\w/.@*-])((?:\.\.?\/)*(?:@[\w.-]+\/)?[\w.-]+(?:\/[\w.-]+)*\.(?:ts|tsx|mts|mjs|cjs|js|md|sh|css|html))(?![\w/-])/g
const BARE_LIBRARY_NAME = /^[^/]+\.(js|css|html)$/

function filesUnder(dir: string, prefix: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => `${prefix}${path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/')}`)
}

/** The repository's own files, and those of the shared folder beside it (as `../shared/…`) when it is there. */
interface FileIndex {
  ours: string[]
  all: string[]
  known: Set<string>
  folders: Set<string>
}

function listFiles(): FileIndex {
  const ours = fs
    .readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => e.name)
  for (const dir of SCANNED) ours.push(...filesUnder(path.join(root, dir), `${dir}/`))
  const known = [...ours, ...(fs.existsSync(shared) ? filesUnder(shared, '../shared/') : [])]
  const folders = known.flatMap((f) =>
    f
      .split('/')
      .slice(0, -1)
      .map((_, i, parts) => parts.slice(0, i + 1).join('/'))
  )
  return { ours, all: known, known: new Set(known), folders: new Set(folders) }
}

/** Every comment of a source file, with the line it starts on. */
function commentsOf(file: string, text: string): Array<{ line: number; text: string }> {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS)
  const seen = new Map<number, { line: number; text: string }>()
  const collect = (ranges: readonly ts.CommentRange[] | undefined): void => {
    for (const range of ranges ?? []) {
      if (seen.has(range.pos)) continue
      seen.set(range.pos, { line: source.getLineAndCharacterOfPosition(range.pos).line + 1, text: text.slice(range.pos, range.end) })
    }
  }
  const visit = (node: ts.Node): void => {
    collect(ts.getLeadingCommentRanges(text, node.pos))
    collect(ts.getTrailingCommentRanges(text, node.end))
    ts.forEachChild(node, visit)
  }
  visit(source)
  collect(ts.getLeadingCommentRanges(text, source.endOfFileToken.pos))
  return [...seen.values()]
}

function textsOf(file: string): Array<{ line: number; text: string }> {
  const text = fs.readFileSync(path.join(root, file), 'utf8')
  if (file.endsWith('.md')) return text.split('\n').map((line, i) => ({ line: i + 1, text: line }))
  return commentsOf(file, text)
}

// What the builds write (electron-vite's out/, the GPU kit's .gpu-kit/): named in docs and tests, there only after a build.
const BUILD_OUTPUT = /^(out|\.gpu-kit)\//

function exists(reference: string, from: string, { known, folders, all }: FileIndex): boolean {
  if (BUILD_OUTPUT.test(reference)) return true
  const candidates = [path.posix.normalize(reference), path.posix.join(path.posix.dirname(from), reference)]
  if (reference.startsWith('shared/')) candidates.push(`../${reference}`)
  if (candidates.some((c) => known.has(c) || folders.has(c))) return true
  const sharedPresent = fs.existsSync(shared)
  if (!sharedPresent && candidates.some((c) => c.startsWith('../shared/'))) return true
  // A bare name: a file of that name here or in the shared folder (the text around it says which one).
  if (!reference.includes('/')) return all.some((f) => f === reference || f.endsWith(`/${reference}`)) || (!sharedPresent && !CODE.test(reference))
  // A path written from a folder the reader can tell (`wasm-kernels/threads.ts`), or inside a package.
  return all.some((f) => f.endsWith(`/${reference}`)) || fs.existsSync(path.join(root, 'node_modules', reference))
}

describe('file references', () => {
  it('comments and docs name only files that exist', () => {
    const index = listFiles()
    const missing: string[] = []
    for (const file of index.ours.filter((f) => CODE.test(f) || f.endsWith('.md'))) {
      for (const { line, text } of textsOf(file)) {
        for (const match of text.matchAll(REFERENCE)) {
          const reference = match[1] as string
          if (BARE_LIBRARY_NAME.test(reference)) continue
          const at = line + (text.slice(0, match.index).match(/\n/g)?.length ?? 0)
          if (!exists(reference, file, index)) missing.push(`${file}:${at} names ${reference}, which does not exist`)
        }
      }
    }
    expect(missing).toEqual([])
  })

  it("the README's tables are not split by blank lines", () => {
    const lines = fs.readFileSync(path.join(root, 'README.md'), 'utf8').split('\n')
    // A blank line before a table of its own (a header, then its `| --- |` row) ends one table and starts the next.
    const delimiterRow = /^\|(\s*:?-+:?\s*\|)+\s*$/
    const splits = lines.flatMap((line, i) =>
      line === '' && lines[i - 1]?.startsWith('|') && lines[i + 1]?.startsWith('|') && !delimiterRow.test(lines[i + 2] ?? '') ? [`README.md:${i + 1}`] : []
    )
    expect(splits).toEqual([])
  })
})
