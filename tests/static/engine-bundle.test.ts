import * as fs from 'node:fs'
import { createRequire } from 'node:module'
import * as path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { ensureBuilt } from '../support/build'

// The Electron app runs the engine bundle (out/main/engine.js) in a utilityProcess. Dawn's addon (dawn.node in
// the `webgpu` package) can only be loaded from a real file: the bundle must require the optional native
// packages at run time from node_modules — which a packaged app keeps outside its asar archive (README,
// "Packaging") — instead of inlining their JavaScript, which would look for dawn.node next to the bundle.
const ROOT = path.resolve(__dirname, '../..')
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { optionalDependencies: Record<string, string> }

function bundleText(): string {
  const dir = path.join(ROOT, 'out', 'main')
  const files = [path.join(dir, 'engine.js'), ...fs.readdirSync(path.join(dir, 'chunks')).map((f) => path.join(dir, 'chunks', f))]
  return files.map((file) => fs.readFileSync(file, 'utf8')).join('\n')
}

beforeAll(() => ensureBuilt(), 300_000)

describe('the engine bundle and Dawn', () => {
  it('requires webgpu and tfjs-backend-webgpu at run time instead of bundling them', () => {
    const text = bundleText()
    expect(text).toContain('require("webgpu")')
    expect(text).toContain('require("@tensorflow/tfjs-backend-webgpu")')
    // Nothing of either package's own code is inlined (their sources name these).
    expect(text).not.toMatch(/node_modules\/webgpu\/|node_modules\/@tensorflow\/tfjs-backend-webgpu\//)
    expect(text).not.toContain('deviceDestroyUnmapsBuffers')
    expect(text).not.toContain('WebGPUBackend.nextDataId')
  })

  it('keeps every optional dependency external (they are native, or load native code)', () => {
    const text = bundleText()
    for (const name of Object.keys(pkg.optionalDependencies)) {
      expect(text, name).not.toContain(`node_modules/${name}/`)
    }
  })

  it("ships dawn.node as a Node-API addon, which Electron's Node loads without a rebuild", () => {
    const require = createRequire(path.join(ROOT, 'package.json'))
    const dir = path.dirname(require.resolve('webgpu/package.json'))
    for (const platform of ['linux-x64', 'linux-arm64', 'darwin-universal', 'win32-x64', 'win32-arm64']) {
      const addon = path.join(dir, 'dist', platform, 'dawn.node')
      expect(fs.existsSync(addon), addon).toBe(true)
    }
    const linux = fs.readFileSync(path.join(dir, 'dist', 'linux-x64', 'dawn.node'))
    expect(linux.includes('napi_register_module_v1')).toBe(true)
  })
})
