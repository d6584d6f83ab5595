/** The linear probe on D's features (paper Section 5): split, features, classifier, and the whole experiment. */
export { probe } from './probe'
export { probeProtocol } from './protocol'
