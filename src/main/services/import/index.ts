// Dataset import (folders of images, IDX files) and reading packed datasets. See README.md.
export { importFolder, resolveSourceFolder, DEFAULT_LIMITS, IMPORT_BACKGROUND } from './import-folder'
export { checkIdxPath } from './idx-file'
export type { ImportFolderOptions, ImportLimits, ImportResult } from './import-folder'
export { importIdx } from './import-idx'
export type { ImportIdxOptions } from './import-idx'
// Reading packed datasets is shared with the trainer engines, so it lives in src/node/dataset-files.ts.
export { DatasetFileError, openDataset, readDatasetManifest } from '../../../node/dataset-files'
export type { OpenedDataset } from '../../../node/dataset-files'
export { ImportError } from './import-error'
export type { ImportErrorCode } from './import-error'
export type { ImportPhase, ImportProgress } from './import-progress'
export { DRAFT_PREFIX, removeAbandonedDrafts } from './dataset-draft'
