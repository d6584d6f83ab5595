import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'

// The layering of ARCHITECTURE.md, enforced: shared ← everyone; node (Node-only code) ← main and engine; engine
// and renderer never import each other or main; main reaches engines only by spawning them; only src/main/ipc
// touches ipcMain.
const SRC = path.resolve(__dirname, '../../src')

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) return sourceFiles(full)
    return /\.(ts|tsx)$/.test(entry.name) ? [full] : []
  })
}

function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8')
  const specifiers = [...text.matchAll(/(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g)]
  return specifiers.map((m) => (m[1] ?? m[2] ?? m[3]) as string)
}

/** Which top-level area (shared, node, engine, main, preload, renderer) a relative import lands in. */
function areaOf(file: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null
  const target = path.relative(SRC, path.resolve(path.dirname(file), specifier))
  return target.split(path.sep)[0] ?? null
}

const rules: Record<string, { areas: string[]; packages: RegExp[] }> = {
  shared: {
    areas: ['node', 'engine', 'main', 'preload', 'renderer'],
    packages: [/^node:/, /^electron$/, /^react/, /^@tensorflow\//, /^ws$/, /^sharp$/, /^three/]
  },
  node: { areas: ['engine', 'main', 'preload', 'renderer'], packages: [/^electron$/, /^react/, /^three/, /^@tensorflow\//, /^ws$/] },
  engine: { areas: ['main', 'preload', 'renderer'], packages: [/^electron$/, /^react/, /^three/, /^ws$/] },
  renderer: { areas: ['node', 'engine', 'main', 'preload'], packages: [/^node:/, /^electron$/, /^@tensorflow\//, /^ws$/, /^sharp$/] },
  main: { areas: ['engine', 'renderer', 'preload'], packages: [/^@tensorflow\//, /^react/, /^three/] },
  preload: { areas: ['node', 'engine', 'main', 'renderer'], packages: [/^node:/, /^@tensorflow\//, /^react/] }
}

describe('import boundaries', () => {
  for (const [area, rule] of Object.entries(rules)) {
    it(`src/${area} imports only what its runtime allows`, () => {
      const violations: string[] = []
      for (const file of sourceFiles(path.join(SRC, area))) {
        for (const specifier of importsOf(file)) {
          const target = areaOf(file, specifier)
          if ((target && rule.areas.includes(target)) || rule.packages.some((re) => re.test(specifier))) {
            violations.push(`${path.relative(SRC, file)} imports ${specifier}`)
          }
        }
      }
      expect(violations).toEqual([])
    })
  }

  it('only src/main/ipc touches ipcMain, and only the preload touches ipcRenderer and contextBridge', () => {
    const violations: string[] = []
    for (const file of sourceFiles(SRC)) {
      const rel = path.relative(SRC, file)
      const text = fs.readFileSync(file, 'utf8')
      if (/\bipcMain\b/.test(text) && !rel.startsWith(`main${path.sep}ipc${path.sep}`)) violations.push(`${rel} uses ipcMain`)
      if (/\b(ipcRenderer|contextBridge)\b/.test(text) && !rel.startsWith(`preload${path.sep}`)) violations.push(`${rel} uses ipcRenderer/contextBridge`)
    }
    expect(violations).toEqual([])
  })
})
