/** The paper's generator and discriminator, their layer plans, and saving/loading them in tfjs format. */
export { buildGenerator } from './generator'
export { buildDiscriminator } from './discriminator'
export { BASE_SIZE, countTrainableParams, describeDiscriminator, describeGenerator, describeLayers, doublings } from './layers'
export type { LayerKind, LayerSpec, ModelLayers } from './layers'
export { BATCH_NORM_MOMENTUM } from './init'
export { isPaddingLayer, layersOf } from './build'
export { loadModel, MODEL_JSON, ModelFileError, saveModel, WEIGHTS_BIN } from './io'
