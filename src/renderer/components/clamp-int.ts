/** A number field's text as a whole number within [min, max] (min for anything that is not a number). */
export function clampInt(text: string, min: number, max: number): number {
  const n = Math.floor(Number(text))
  return Number.isFinite(n) ? Math.min(max, Math.max(min, n)) : min
}
