/** Ends every switch over a union: the compiler fails here when a new case is not handled. */
export function assertNever(value: never): never {
  throw new Error(`Unexpected value: ${JSON.stringify(value)}`)
}
