import { spawnSync } from 'node:child_process'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'

// Both runtimes' TypeScript configs, strict, as part of the suite: the Electron main/preload/engine side
// (tsconfig.node.json) and the renderer (tsconfig.web.json). This is also what proves the Electron path
// type-checks on machines that cannot launch Electron.
const root = path.resolve(__dirname, '../..')
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc')

describe('type check', () => {
  for (const config of ['tsconfig.node.json', 'tsconfig.web.json']) {
    it(`${config} has no type errors`, () => {
      const result = spawnSync(process.execPath, [tsc, '--noEmit', '-p', config], { cwd: root, encoding: 'utf8' })
      expect(`${result.stdout}${result.stderr}`.trim()).toBe('')
      expect(result.status).toBe(0)
    })
  }
})
