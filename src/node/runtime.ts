/**
 * Electron's version when this process runs inside Electron, null under plain Node (the CLI, web mode, a
 * forked engine). Electron's type declarations say `process.versions.electron` is always there.
 */
export function electronVersion(): string | null {
  const versions: NodeJS.Dict<string> = process.versions
  return versions['electron'] ?? null
}
