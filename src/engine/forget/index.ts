/** Forgetting to draw (paper Fig. 6): fit which of G's feature maps draw a boxed object. */
export { erasableLayers, fitErasure } from './fit'
export { cellsIn, pickLocations } from './locations'
