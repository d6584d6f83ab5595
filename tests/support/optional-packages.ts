import { createRequire } from 'node:module'

/** Whether an optional package is installed here (an online machine installs tfjs-node(-gpu)). */
export function installed(name: string): boolean {
  try {
    createRequire(import.meta.url).resolve(name)
    return true
  } catch {
    return false
  }
}
