import { spawn } from 'node:child_process'
import * as path from 'node:path'
import { appRoot } from '../../services/app-paths'

export const benchHelp = `dcgan-studio bench [--quick] [--json] [--backend NAME] [--only a,b] [--threads N] [--no-reference] [--profile CONFIG]
  Training and generation speed (train-32-w16, train-32-w64, train-64-w64, generate-64-b1, generate-64-b64) on the
  engine's backend, then the PyTorch reference in the same command, with the ratio for each; the same as
  "npm run bench". See docs/performance.md.`

/** The benchmark runs in its own process (scripts/bench.mjs), exactly as `npm run bench` does. */
export function benchCommand(argv: string[]): Promise<number> {
  const args = argv.filter((a) => !a.startsWith('--library'))
  const child = spawn(process.execPath, [path.join(appRoot(), 'scripts', 'bench.mjs'), ...args], { stdio: 'inherit' })
  return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 1)))
}
