/**
 * A failure of a whole import (as opposed to one file being skipped, which is recorded in the manifest).
 * `code` is for programs, `message` is for the user: it names the file and says what to do. It maps onto the
 * Studio API's `{ code, message, details }` error shape.
 */
export type ImportErrorCode =
  | 'SOURCE_NOT_FOUND'
  | 'SOURCE_NOT_A_FOLDER'
  | 'SOURCE_NOT_A_FILE'
  | 'SOURCE_UNREADABLE'
  | 'NO_IMAGES'
  | 'NO_CLASSES'
  | 'IDX_INVALID'
  | 'IDX_MISMATCH'
  /** A CIFAR batch, MATLAB or numpy file that is damaged or not what it should be. */
  | 'FILE_INVALID'
  /** Labels that do not belong to the images (another count). */
  | 'LABELS_MISMATCH'

export class ImportError extends Error {
  override readonly name = 'ImportError'

  constructor(
    readonly code: ImportErrorCode,
    message: string,
    readonly details?: unknown
  ) {
    super(message)
  }
}
