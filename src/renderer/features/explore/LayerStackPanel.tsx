import { useEffect, useRef, useState } from 'react'
import type { FeaturesResult, RunCheckpointRef } from '../../../shared/api/explore'
import type { MethodParams } from '../../../shared/api/contract'
import { studio } from '../../api/client'
import { errorText } from '../../api/hooks'
import { LayerStack } from '../../three/LayerStack'
import { useExploreState } from './explore-state'
import { runKey, useRunRef } from './model-ref'
import { type Sample, zSpecOf } from './selection'

export type StackNet = 'G' | 'D'

export interface LayerStackPanelProps {
  run: RunCheckpointRef
  sample: Sample | null
}

/** Maps per layer in the stack: enough to see what a layer does, few enough to see through the stack. */
export const STACK_MAPS_PER_LAYER = 8

/** What the panel asks the studio for: one forward pass of `sample` through G or D, every layer. */
export function stackRequest(run: RunCheckpointRef, net: StackNet, sample: Sample): MethodParams<'explore.features'> {
  return { run, net, input: { kind: 'sample', z: zSpecOf(sample) }, layer: null, maxMapsPerLayer: STACK_MAPS_PER_LAYER }
}

/**
 * One forward pass in 3D: the selected sample through the generator (z to image, small to large) or the
 * discriminator (image to verdict, large to small), every layer's strongest maps as a stack of planes.
 */
export function LayerStackPanel({ run: given, sample }: LayerStackPanelProps) {
  const run = useRunRef(given)
  const [net, setNet] = useExploreState<StackNet>(run.id, 'stack.net', 'G')
  // The last pass, with what it was asked for: coming back to the screen shows it without computing it again.
  const [shown, setShown] = useExploreState<{ key: string; result: FeaturesResult & { step: number } } | null>(run.id, 'stack.result', null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  // Latest request wins: selecting another sample while one is computing drops the older answer.
  const ticket = useRef(0)
  const requestKey = JSON.stringify([runKey(run), net, sample?.key ?? null])
  const result = shown?.key === requestKey ? shown.result : null
  const shownKey = shown?.key

  useEffect(() => {
    const mine = ++ticket.current
    if (!sample) {
      setError(null)
      setBusy(false)
      return
    }
    if (shownKey === requestKey) return
    setBusy(true)
    setError(null)
    studio.call('explore.features', stackRequest(run, net, sample)).then(
      (answer) => {
        if (mine !== ticket.current) return
        setShown({ key: requestKey, result: answer })
        setBusy(false)
      },
      (err: unknown) => {
        if (mine !== ticket.current) return
        setError(errorText(err))
        setBusy(false)
      }
    )
  }, [requestKey, shownKey, run, net, sample, setShown])

  return (
    <section className="card grow" data-testid="layer-stack-panel">
      <h2>Layer stack</h2>
      <div className="toolbar">
        <div className="segmented" role="group" aria-label="Network">
          {(
            [
              ['G', 'generator: z → image'],
              ['D', 'discriminator: image → real or fake']
            ] as const
          ).map(([value, label]) => (
            <button
              key={value}
              type="button"
              className={net === value ? 'on' : ''}
              aria-pressed={net === value}
              onClick={() => setNet(value)}
              data-testid={`stack-net-${value}`}
            >
              {label}
            </button>
          ))}
        </div>
      </div>
      {!sample && <p className="muted">Select a sample (from the samples, the map or the tray) to see its forward pass.</p>}
      {busy && <p className="muted">Running the sample through {net === 'G' ? 'the generator' : 'the discriminator'}…</p>}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {sample && result && (
        <>
          <LayerStack layers={result.layers} maxMapsPerLayer={STACK_MAPS_PER_LAYER} />
          <p className="muted">
            {result.layers.length} layers of {net === 'G' ? 'the generator' : 'the discriminator'} at step {result.step}, input on the left; each shows its{' '}
            {STACK_MAPS_PER_LAYER} strongest feature maps. Drag to turn, wheel to zoom.
          </p>
        </>
      )}
    </section>
  )
}
