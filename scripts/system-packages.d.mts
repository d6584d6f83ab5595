export interface SystemPackage {
  name: string
  probe: string
  why: string
}
export const SYSTEM_PACKAGES: SystemPackage[]
export function systemPackage(name: string): SystemPackage
export function isInstalled(pkg: SystemPackage): boolean
export function installHint(pkg: SystemPackage): string
export function ensureSystemPackages(options?: { log?: (line: string) => void }): SystemPackage[]
