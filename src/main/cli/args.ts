import { type ParseArgsConfig, parseArgs } from 'node:util'
import { BackendName } from '../../shared/api/engine'

/** Options every verb accepts. */
export const COMMON_OPTIONS = {
  library: { type: 'string' },
  json: { type: 'boolean', default: false },
  backend: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false }
} as const

export class UsageError extends Error {}

type OptionSpec = NonNullable<ParseArgsConfig['options']>
type Parsed<O extends OptionSpec> = ReturnType<
  typeof parseArgs<{ args: string[]; options: typeof COMMON_OPTIONS & O; allowPositionals: boolean; strict: true }>
>

/** Parses a verb's arguments strictly: an unknown flag is a usage error that names it. */
export function parseVerbArgs<O extends OptionSpec>(argv: string[], options: O, allowPositionals = false): Parsed<O> {
  try {
    return parseArgs({ args: argv, options: { ...COMMON_OPTIONS, ...options }, allowPositionals, strict: true })
  } catch (err) {
    throw new UsageError((err as Error).message)
  }
}

export function parseBackend(value: string | undefined): BackendName | null {
  if (value === undefined) {
    const env = process.env.DCGAN_STUDIO_BACKEND
    if (!env) return null
    value = env
  }
  const parsed = BackendName.safeParse(value)
  if (!parsed.success) {
    throw new UsageError(`Unknown backend "${value}". Choose one of: ${BackendName.options.join(', ')}.`)
  }
  return parsed.data
}

export function parsePort(value: string | undefined): number {
  if (value === undefined) return 0
  const port = Number(value)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0…65535, got "${value}"`)
  return port
}
