/** The explorer's engine methods (render, features, filters, guided, embed, generate) over one model cache. */
export { embed } from './embed'
export { features } from './features'
export { filters } from './filters'
export { generate, render } from './generate'
export { guided } from './guided'
export { ModelCache } from './models'
