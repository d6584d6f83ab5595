// The Debian packages the test suite needs, installed once and one at a time by `npm test` before any test
// worker starts. Tests never install anything themselves (two apt-get runs at once die on dpkg's lock); they
// call `requireSystemPackage` (tests/support/system-packages.ts), which only looks and explains.
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

/** Every Debian package a test needs: the file that proves it is installed, and what the tests use it for. */
export const SYSTEM_PACKAGES = [
  { name: 'chromium', probe: '/usr/bin/chromium', why: 'headless browser for the UI tests' },
  {
    name: 'dataset-fashion-mnist',
    probe: '/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz',
    why: 'real labelled images for the IDX import and the linear probe'
  },
  {
    name: 'chromium-common',
    probe: '/usr/lib/chromium/vk_swiftshader_icd.json',
    why: "SwiftShader (Chromium's software Vulkan driver) and a Vulkan loader, for the WebGPU backend's tests"
  },
  {
    name: 'python3-torch',
    probe: '/usr/lib/python3/dist-packages/torch/__init__.py',
    why: "PyTorch, to write and read back the model files of pytorch/examples' dcgan/main.py (model import and export)"
  },
  {
    name: 'python3-numpy',
    probe: '/usr/lib/python3/dist-packages/numpy/__init__.py',
    why: "writes .npy/.npz and CIFAR test files, and runs the forward pass of the paper authors' Theano SVHN DCGAN that its import is checked against"
  },
  { name: 'python3-scipy', probe: '/usr/lib/python3/dist-packages/scipy/__init__.py', why: 'writes SVHN-style MATLAB files with scipy.io.savemat' },
  { name: 'binutils', probe: '/usr/bin/strip', why: "strip, which the GPU measuring kit (scripts/gpu-kit.mjs) takes Node's and Dawn's debug symbols off with" },
  { name: 'xz-utils', probe: '/usr/bin/xz', why: 'xz, which compresses the GPU measuring kit to fit what travels to a lent GPU machine' }
]

export function systemPackage(name) {
  const pkg = SYSTEM_PACKAGES.find((p) => p.name === name)
  if (!pkg) throw new Error(`${name} is not in scripts/system-packages.mjs; add it there so npm test installs it`)
  return pkg
}

export function isInstalled(pkg) {
  return fs.existsSync(pkg.probe)
}

/** What to tell someone who has to install a package by hand. */
export function installHint(pkg) {
  return `sudo apt-get install -y ${pkg.name}`
}

// dpkg allows one apt-get at a time; wait for another one (e.g. unattended upgrades) instead of failing.
const APT_OPTIONS = ['-o', 'DPkg::Lock::Timeout=600', '-qq']

function apt(args, log) {
  const result = spawnSync('apt-get', [...APT_OPTIONS, ...args], {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe']
  })
  if (result.error) return `apt-get could not be run (${result.error.message})`
  if (result.status !== 0) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-5).join('\n')
    log(output)
    return `apt-get ${args.join(' ')} exited with ${result.status}`
  }
  return null
}

/**
 * Installs what is missing, serially, with one line per package. As root it uses apt-get; otherwise it says
 * what to install and returns the missing packages (the tests that need them then fail saying the same).
 * Returns the packages still missing.
 */
export function ensureSystemPackages({ log = (line) => process.stderr.write(`${line}\n`) } = {}) {
  const missing = SYSTEM_PACKAGES.filter((pkg) => !isInstalled(pkg))
  for (const pkg of SYSTEM_PACKAGES) {
    if (isInstalled(pkg)) log(`System package ${pkg.name} (${pkg.why}): installed.`)
  }
  if (missing.length === 0) return []
  const isRoot = process.getuid?.() === 0
  if (!isRoot || process.platform !== 'linux') {
    for (const pkg of missing) {
      log(`System package ${pkg.name} (${pkg.why}): MISSING. Install it with "${installHint(pkg)}"; the tests that need it fail until then.`)
    }
    return missing
  }
  log('Updating the Debian package lists (apt-get update)…')
  const updateError = apt(['update'], log)
  if (updateError) log(`  ${updateError}; trying the install anyway.`)
  const stillMissing = []
  for (const pkg of missing) {
    const started = Date.now()
    log(`System package ${pkg.name} (${pkg.why}): installing with apt-get…`)
    const error = apt(['install', '-y', pkg.name], log)
    if (error || !isInstalled(pkg)) {
      log(`  ${pkg.name} could not be installed: ${error ?? `${pkg.probe} is still missing`}. The tests that need it will fail.`)
      stillMissing.push(pkg)
    } else {
      log(`  ${pkg.name} installed in ${((Date.now() - started) / 1000).toFixed(0)} s.`)
    }
  }
  return stillMissing
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  process.exit(ensureSystemPackages().length === 0 ? 0 : 1)
}
