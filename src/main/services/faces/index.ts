export { MAX_FACE_COUNT, type MadeFaces, type MakeFacesOptions, makeFaces } from './make-faces'
