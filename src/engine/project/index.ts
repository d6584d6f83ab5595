/** Projection: the z whose generated image best matches a given image. */
export { project } from './project'
