import type { z } from 'zod'
import type { EngineFiltersParams, FiltersResult } from '../../shared/api/explore'
import { filterTile } from './display'
import type { ModelCache } from './models'

/** The first conv layer of D: the only one whose kernels live in pixel space, so they can be shown as images. */
export const FIRST_CONV = 'd_conv0'

/** D's first-layer kernels ([k, k, inChannels, outChannels]) as `outChannels` k×k tiles, each scaled to 0…255. */
export async function filters(models: ModelCache, params: z.output<typeof EngineFiltersParams>): Promise<FiltersResult> {
  return models.use(params.models, async (pair) => {
    const discriminator = await pair.network('D')
    const layer = discriminator.model.getLayer(FIRST_CONV)
    const kernel = layer.weights.find((w) => w.originalName.endsWith('/kernel'))
    if (!kernel) throw new Error(`D's layer ${FIRST_CONV} has no kernel`)
    // read() is the variable itself, not a copy: nothing to dispose.
    const variable = kernel.read()
    const [size, , inChannels, outChannels] = variable.shape as [number, number, number, number]
    const values = await variable.data()
    const tiles = Array.from({ length: outChannels }, (_, o) => filterTile(values, size, inChannels, outChannels, o))
    return { filters: tiles, kernelSize: size, count: outChannels }
  })
}
