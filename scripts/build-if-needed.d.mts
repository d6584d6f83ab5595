export function buildIsStale(): boolean
export function buildIfNeeded(options?: { quiet?: boolean }): boolean
