/** CLI output: human text on stdout, or with --json one JSON object per line. */
export interface Output {
  json: boolean
  /** A human line (suppressed in --json mode). */
  say(text: string): void
  /** A machine-readable object (printed only in --json mode). */
  emit(value: unknown): void
}

export function makeOutput(json: boolean): Output {
  return {
    json,
    say: (text) => {
      if (!json) process.stdout.write(`${text}\n`)
    },
    emit: (value) => {
      if (json) process.stdout.write(`${JSON.stringify(value)}\n`)
    }
  }
}
