import { useEffect } from 'react'

export type ExploreTab = 'walk' | 'arithmetic' | 'directions' | 'grid' | 'features' | 'map' | 'stack' | 'canvas'

export interface TourStep {
  tab: ExploreTab
  title: string
  text: string
  /** The controls the step describes (their data-testid): outlined while the step is shown, never covered. */
  targets: string[]
}

/** The first-start tour of the demo model: sample grid → walk → arithmetic → filters → an erasure → the artists' tools. */
export const TOUR_STEPS: TourStep[] = [
  {
    tab: 'walk',
    title: '1 · A sample grid',
    text: 'This model was trained by this studio on procedural faces. Press "Show samples" for a grid; a seed always gives the same faces. Click faces to select them.',
    targets: ['explore-generate']
  },
  {
    tab: 'walk',
    title: '2 · A latent walk',
    text: 'Select two or more faces and press "Use as walk keyframes", then "Render walk": linear and spherical interpolation side by side. Drag the scrubber to move along the path.',
    targets: ['use-keyframes', 'walk-render']
  },
  {
    tab: 'arithmetic',
    title: '3 · Face arithmetic',
    text: 'Add three smiling women to A, three neutral women to B and three neutral men to C, then "Compute A − B + C": the paper\'s smiling man, with 8 neighbours and the same sum in pixels for contrast.',
    targets: ['add-a', 'add-b', 'add-c', 'arithmetic-run']
  },
  {
    tab: 'features',
    title: '4 · What the discriminator learned',
    text: "Show D's first-layer filters, the feature maps of a face, and guided backpropagation for the trained D next to a random one.",
    targets: ['features-panel']
  },
  {
    tab: 'walk',
    title: '5 · Forgetting to draw',
    text: 'Choose "glasses" under Erasure, beside the checkpoint: faces drawn without the 4 feature maps that draw glasses (the paper\'s Fig. 6), at step 4250, the checkpoint the erasure was fitted on. Box an object on the Experiments screen to fit your own.',
    targets: ['explore-erasure']
  },
  {
    tab: 'directions',
    title: '6 · Directions without labels',
    text: 'Press "Find": the directions G\'s first layer varies most along, found from 10,000 samples with no labels. On the demo, component 1 makes faces more feminine and component 4 turns the head. Slide them, then save one as a concept.',
    targets: ['directions-find']
  },
  {
    tab: 'grid',
    title: '7 · A latent grid',
    text: 'Select four faces and press "Use as grid corners": every cell between them is drawn, by linear or spherical interpolation. Click a cell to select it; "Export video…" sweeps through the grid.',
    targets: ['use-grid-corners', 'grid-corners']
  },
  {
    tab: 'canvas',
    title: '8 · A big canvas',
    text: 'One picture far larger than the model was trained on: a grid of latent vectors whose projections overlap, so neighbouring cells blend into each other. Tick "seamless tiling" for a texture that repeats.',
    targets: ['canvas-view', 'canvas-tile']
  }
]

/**
 * The tour, as a strip above the Explore screen (in the page's flow, so it can never sit on top of the
 * controls it talks about); the controls of the current step are outlined and scrolled into view.
 */
export function Tour({ step, onStep, onClose }: { step: number; onStep: (step: number) => void; onClose: () => void }) {
  const current = TOUR_STEPS[step]
  const targets = current?.targets.join(' ') ?? ''
  useEffect(() => {
    // On <body>, not on the controls: React owns their attributes, and they may mount after this step shows.
    document.body.dataset.tourTargets = targets
    const first = targets.split(' ')[0]
    const timer = window.setTimeout(() => document.querySelector(`[data-testid="${first}"]`)?.scrollIntoView({ block: 'nearest' }), 50)
    return () => {
      window.clearTimeout(timer)
      delete document.body.dataset.tourTargets
    }
  }, [targets])
  if (!current) return null
  return (
    <aside className="tour card" aria-label="Tour" data-testid="tour">
      <div className="tour-text">
        <h2>{current.title}</h2>
        <p>{current.text}</p>
      </div>
      <div className="row tour-buttons">
        <button type="button" disabled={step === 0} onClick={() => onStep(step - 1)}>
          Back
        </button>
        {step < TOUR_STEPS.length - 1 ? (
          <button type="button" onClick={() => onStep(step + 1)} data-testid="tour-next">
            Next
          </button>
        ) : (
          <button type="button" onClick={onClose}>
            Done
          </button>
        )}
        <button type="button" className="link" onClick={onClose}>
          Close tour
        </button>
      </div>
    </aside>
  )
}
