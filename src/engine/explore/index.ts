/** The explorer's engine methods (render, canvas, features, filters, guided, embed, generate) over one model cache. */
export { canvas } from './canvas'
export { embed } from './embed'
export { features } from './features'
export { filters } from './filters'
export { generate, render } from './generate'
export { guided } from './guided'
export { ModelCache } from './models'
