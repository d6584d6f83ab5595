/** The explorer's engine methods (render, canvas, features, filters, guided, embed, generate, directions) over one model cache. */
export { canvas } from './canvas'
export { findDirections } from './directions'
export { embed } from './embed'
export { features } from './features'
export { filters } from './filters'
export { generate, render } from './generate'
export { guided } from './guided'
export { ModelCache } from './models'
