import { ImageTile } from '../../components/ImageTile'
import type { Sample } from '../explore/selection'
import type { BoxMap } from './boxes'

/** The samples to label; a badge counts each sample's boxes. Clicking a sample enlarges it for drawing. */
export function SampleGrid({
  samples,
  boxes,
  activeKey,
  onPick
}: {
  samples: Sample[]
  boxes: BoxMap
  activeKey: string | null
  onPick: (key: string) => void
}) {
  return (
    <div className="forget-grid" data-testid="forget-samples" data-count={samples.length}>
      {samples.map((s) => {
        const count = boxes[s.key]?.length ?? 0
        const name = s.seed === null ? 'imported sample' : `sample ${s.index} of seed ${s.seed}`
        return (
          <button
            key={s.key}
            type="button"
            className={`tile forget-tile${s.key === activeKey ? ' selected' : ''}${count > 0 ? ' boxed' : ''}`}
            aria-pressed={s.key === activeKey}
            aria-label={`${name}${count > 0 ? `, ${count} box${count > 1 ? 'es' : ''}` : ''}`}
            title={count > 0 ? `${name}: ${count} box${count > 1 ? 'es' : ''}` : name}
            onClick={() => onPick(s.key)}
            data-testid="forget-sample"
            data-boxes={count}
          >
            <ImageTile image={s.image} size={Math.max(48, Math.min(64, s.image.width * 2))} label={name} />
            {count > 0 && <span className="box-badge">{count}</span>}
          </button>
        )
      })}
    </div>
  )
}
