import { useEffect, useMemo, useRef, useState } from 'react'
import type { WalkResult } from '../../../shared/api/explore'
import type { RgbaImage } from '../../../shared/api/image'
import { studio } from '../../api/client'
import { errorText } from '../../api/hooks'
import { ImageTile } from '../../components/ImageTile'
import { ExportWalkButton } from '../export/ExportWalkButton'
import { type ModelChoice, runRef, useRunRef } from './model-ref'
import { type Sample, zSpecOf } from './selection'
import { EasingSelect } from '../../components/EasingSelect'

import type { Easing } from '../../../shared/latent/interpolate'

/**
 * Latent walks (paper Fig. 4) through 2…N keyframes: linear and spherical interpolation side by side, the
 * whole path as a strip, a scrubber that renders while dragging (the newest position wins), and a random walk.
 */
export function WalkPanel({ model, keyframes, onClearKeyframes }: { model: ModelChoice; keyframes: Sample[]; onClearKeyframes: () => void }) {
  const [steps, setSteps] = useState(8)
  const [loop, setLoop] = useState(false)
  const [easing, setEasing] = useState<Easing>('linear')
  const [walks, setWalks] = useState<{ lerp: WalkResult; slerp: WalkResult } | null>(null)
  const [wander, setWander] = useState<WalkResult | null>(null)
  const [scrub, setScrub] = useState(0)
  const [scrubImage, setScrubImage] = useState<RgbaImage | null>(null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const run = useRunRef(runRef(model))
  const keys = useMemo(() => keyframes.map(zSpecOf), [keyframes])
  const latestScrub = useRef(0)

  const render = async (): Promise<void> => {
    setBusy(true)
    setError(null)
    try {
      const common = { run, keyframes: keys, stepsPerSegment: steps, loop, easing }
      const [lerp, slerp] = await Promise.all([studio.call('explore.walk', { ...common, mode: 'lerp' }), studio.call('explore.walk', { ...common, mode: 'slerp' })])
      setWalks({ lerp, slerp })
    } catch (err) {
      setError(errorText(err))
    } finally {
      setBusy(false)
    }
  }

  // The scrubber asks for every position it passes; the studio renders the newest and answers older ones
  // 'superseded', which are simply ignored here.
  useEffect(() => {
    if (keys.length < 2) return
    const ticket = ++latestScrub.current
    studio
      .call('explore.walkPoint', { run, keyframes: keys, mode: 'slerp', loop, easing, t: scrub / 1000, channel: 'walk-scrub' })
      .then((r) => {
        if (ticket === latestScrub.current && r.samples[0]) setScrubImage(r.samples[0].image)
      })
      .catch((err: unknown) => {
        if ((err as { code?: string }).code !== 'superseded') setError(errorText(err))
      })
  }, [scrub, keys, loop, easing, run])

  const randomWalk = async (): Promise<void> => {
    const start = keys[0]
    if (!start) return
    setBusy(true)
    try {
      setWander(await studio.call('explore.randomWalk', { run, start, steps: 24, seed: Math.floor(Math.random() * 1e6) }))
    } catch (err) {
      setError(errorText(err))
    } finally {
      setBusy(false)
    }
  }

  return (
    <section className="card grow" data-testid="walk-panel">
      <h2>Latent walk</h2>
      <div className="tiles row">
        {keyframes.map((k, i) => (
          <ImageTile key={`${k.key}-${i}`} image={k.image} size={48} label={`keyframe ${i + 1}`} />
        ))}
        {keyframes.length < 2 && <span className="muted">Select two or more samples and press "Use as walk keyframes".</span>}
      </div>
      <div className="toolbar">
        <label>
          Frames per segment
          <input type="number" min={1} max={120} value={steps} onChange={(e) => setSteps(Math.max(1, Math.floor(Number(e.target.value) || 1)))} />
        </label>
        <EasingSelect value={easing} onChange={setEasing} />
        <label className="check">
          <input type="checkbox" checked={loop} onChange={(e) => setLoop(e.target.checked)} /> closed loop
        </label>
        <button type="button" disabled={keyframes.length < 2 || busy} onClick={() => void render()} data-testid="walk-render">
          Render walk
        </button>
        <button type="button" disabled={keyframes.length < 1 || busy} onClick={() => void randomWalk()} title="Wander from the first keyframe">
          Random walk
        </button>
        <button type="button" disabled={keyframes.length === 0} onClick={onClearKeyframes}>
          Clear keyframes
        </button>
        <ExportWalkButton walk={{ run, keyframes: keys, loop, easing }} />
      </div>
      {error && <p className="error">{error}</p>}
      {keyframes.length >= 2 && (
        <div className="row scrubber">
          <input type="range" min={0} max={1000} value={scrub} onChange={(e) => setScrub(Number(e.target.value))} aria-label="Walk position" data-testid="walk-scrubber" />
          {scrubImage && <ImageTile image={scrubImage} size={96} label="walk position" testId="walk-scrub-image" />}
        </div>
      )}
      {walks && (
        <div className="strips">
          {(['lerp', 'slerp'] as const).map((mode) => (
            <div key={mode}>
              <h3>{mode === 'lerp' ? 'Linear (lerp)' : 'Spherical (slerp)'}</h3>
              <div className="tiles strip" data-testid={`walk-strip-${mode}`} data-frames={walks[mode].frames.length}>
                {walks[mode].frames.map((f, i) => (
                  <ImageTile key={i} image={f.image} size={48} label={`${mode} frame ${i}`} />
                ))}
              </div>
            </div>
          ))}
        </div>
      )}
      {wander && (
        <>
          <h3>Random walk</h3>
          <div className="tiles strip">
            {wander.frames.map((f, i) => (
              <ImageTile key={i} image={f.image} size={48} label={`random walk frame ${i}`} />
            ))}
          </div>
        </>
      )}
    </section>
  )
}
