// `npm start`: build when needed, then start the studio — Electron when its binary and a display are
// available, otherwise web mode (the CLI's `start` verb decides and says why). Arguments after `--` pass on,
// e.g. `npm start -- --web --port 8080`.
import { spawn } from 'node:child_process'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildIfNeeded } from './build-if-needed.mjs'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
try {
  buildIfNeeded()
} catch (err) {
  process.stderr.write(`${err.message}\n`)
  process.exit(1)
}
const child = spawn(process.execPath, [path.join(root, 'out', 'main', 'cli.js'), 'start', ...process.argv.slice(2)], {
  stdio: 'inherit'
})
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal))
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
