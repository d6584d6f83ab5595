import { useEffect, useMemo, useRef, useState } from 'react'
import type { WalkResult } from '../../../shared/api/explore'
import type { RgbaImage } from '../../../shared/api/image'
import { studio } from '../../api/client'
import { errorText } from '../../api/hooks'
import { ImageTile } from '../../components/ImageTile'
import { ExportWalkButton } from '../export/ExportWalkButton'
import { useExploreState } from './explore-state'
import { type ModelChoice, runRef, useRunRef } from './model-ref'
import { type Sample, zSpecOf } from './selection'
import { EasingSelect } from '../../components/EasingSelect'
import { frameT, scrubLabel, segmentGeometry, walkFrameCount } from './walk-geometry'

import type { Easing } from '../../../shared/latent/interpolate'

/**
 * Latent walks (paper Fig. 4) through 2…N keyframes: linear and spherical interpolation side by side, the
 * whole path as frames, a scrubber over the same frames that renders while dragging (the newest position
 * wins), and a random walk.
 */
export function WalkPanel({ model, keyframes, onClearKeyframes }: { model: ModelChoice; keyframes: Sample[]; onClearKeyframes: () => void }) {
  const scope = model.id
  const [steps, setSteps] = useExploreState(scope, 'walk.steps', 8)
  const [loop, setLoop] = useExploreState(scope, 'walk.loop', false)
  const [easing, setEasing] = useExploreState<Easing>(scope, 'walk.easing', 'linear')
  const [walks, setWalks] = useExploreState<{ lerp: WalkResult; slerp: WalkResult } | null>(scope, 'walk.walks', null)
  const [wander, setWander] = useExploreState<WalkResult | null>(scope, 'walk.wander', null)
  /** The scrubber's frame (0-based), on the same frames as the strips. */
  const [scrubFrame, setScrubFrame] = useExploreState(scope, 'walk.scrub', 0)
  const [scrubImage, setScrubImage] = useExploreState<RgbaImage | null>(scope, 'walk.scrubImage', null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const run = useRunRef(runRef(model))
  const keys = useMemo(() => keyframes.map(zSpecOf), [keyframes])
  const latestScrub = useRef(0)
  const frames = walkFrameCount(keyframes.length, steps, loop)
  const scrub = Math.min(scrubFrame, Math.max(0, frames - 1))
  const scrubT = frameT(scrub, keyframes.length, steps, loop)

  const render = async (): Promise<void> => {
    setBusy(true)
    setError(null)
    try {
      const common = { run, keyframes: keys, stepsPerSegment: steps, loop, easing }
      const [lerp, slerp] = await Promise.all([
        studio.call('explore.walk', { ...common, mode: 'lerp' }),
        studio.call('explore.walk', { ...common, mode: 'slerp' })
      ])
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
      .call('explore.walkPoint', { run, keyframes: keys, mode: 'slerp', loop, easing, t: scrubT, channel: 'walk-scrub' })
      .then((r) => {
        if (ticket === latestScrub.current && r.samples[0]) setScrubImage(r.samples[0].image)
      })
      .catch((err: unknown) => {
        if ((err as { code?: string }).code !== 'superseded') setError(errorText(err))
      })
  }, [scrubT, keys, loop, easing, run, setScrubImage])

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
          <input
            type="range"
            min={0}
            max={frames - 1}
            step={1}
            value={scrub}
            onChange={(e) => setScrubFrame(Number(e.target.value))}
            aria-label="Walk position (frame)"
            aria-valuetext={scrubLabel(scrub, frames, scrubT)}
            data-testid="walk-scrubber"
          />
          {scrubImage && (
            <figure className="scrub-preview">
              <ImageTile image={scrubImage} size={96} label="walk position" testId="walk-scrub-image" />
              <figcaption data-testid="walk-scrub-label">{scrubLabel(scrub, frames, scrubT)} (slerp)</figcaption>
            </figure>
          )}
        </div>
      )}
      {walks && (
        <div className="strips">
          {(['lerp', 'slerp'] as const).map((mode) => (
            <div key={mode}>
              <h3>{mode === 'lerp' ? 'Linear (lerp)' : 'Spherical (slerp)'}</h3>
              <div className="walk-frames" data-testid={`walk-strip-${mode}`} data-frames={walks[mode].frames.length}>
                {walks[mode].frames.map((f, i) => (
                  <ImageTile key={i} image={f.image} size={48} label={`${mode} frame ${i + 1}, t = ${f.t.toFixed(2)}`} />
                ))}
              </div>
            </div>
          ))}
          <LerpSlerpNote keyframes={keyframes} zDim={model.zDim} />
        </div>
      )}
      {wander && (
        <>
          <h3>Random walk</h3>
          <div className="walk-frames" data-testid="walk-strip-random">
            {wander.frames.map((f, i) => (
              <ImageTile key={i} image={f.image} size={48} label={`random walk frame ${i + 1}`} />
            ))}
          </div>
        </>
      )}
    </section>
  )
}

/** Why the two strips look nearly the same, with the numbers of the first two keyframes. */
function LerpSlerpNote({ keyframes, zDim }: { keyframes: Sample[]; zDim: number }) {
  const [a, b] = keyframes
  if (!a || !b) return null
  const g = segmentGeometry(a.z, b.z)
  return (
    <p className="muted walk-note" data-testid="lerp-slerp-note">
      Why lerp and slerp look alike: independent {zDim}-dimensional z are nearly orthogonal and nearly equally long, so both paths pass through nearly the same
      directions and differ mainly in length — lerp's midpoint is shorter (about 0.71× for orthogonal keyframes of equal length), slerp keeps the length.
      Keyframes 1 → 2 here: {Math.round(g.angle)}° apart, lengths {g.lengths[0].toFixed(1)} and {g.lengths[1].toFixed(1)}; midpoint length lerp{' '}
      {g.lerpMidpoint.toFixed(2)}×, slerp {g.slerpMidpoint.toFixed(2)}×.
    </p>
  )
}
