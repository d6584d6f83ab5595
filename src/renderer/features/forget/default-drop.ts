import type { ErasureRecord, ForgetFitReport } from '../../../shared/api/forget'

/**
 * How many of a fit's maps to drop to start with, and why. The paper drops every map with a positive weight;
 * on a small layer that is about half the maps and it wrecks the whole image (README, "Forgetting to draw":
 * on the demo's 32 maps the paper's 18 turned every face into a grey checkerboard, while the top 4 removed the
 * glasses and left the faces). So the panel starts on
 * - the N of an erasure already saved for this model's layer (what someone checked on this very model), else
 * - one map in eight of the layer (the measured 4 of 32), never more than the positive ones.
 */
export const MEASURED_FRACTION = 1 / 8

export interface DropChoice {
  drop: number
  why: string
}

export function defaultDrop(report: Pick<ForgetFitReport, 'layer' | 'maps' | 'dropped' | 'step'>, saved: readonly ErasureRecord[], runId: string): DropChoice {
  const depth = report.maps.length
  const paper = report.dropped.length
  const paperSays = `the paper's rule, every map with a positive weight, would drop ${paper} of the ${depth}`
  const known = saved
    .filter((e) => e.runId === runId && e.erase.layer === report.layer && e.erase.channels.length > 0)
    .sort((a, b) => (a.step === report.step ? 0 : 1) - (b.step === report.step ? 0 : 1) || b.createdAt.localeCompare(a.createdAt))[0]
  if (known) {
    const drop = Math.min(depth, known.erase.channels.length)
    return {
      drop,
      why: `Starting on the top ${drop}, as the saved erasure “${known.name}” of this model does; ${paperSays}, which on a layer this small blurs the whole image.`
    }
  }
  const drop = Math.min(paper, Math.max(1, Math.round(depth * MEASURED_FRACTION)))
  if (drop === paper)
    return {
      drop,
      why: `Starting on the paper's rule: the ${paper} map${paper === 1 ? '' : 's'} with a positive weight (no more than one in eight of the ${depth}).`
    }
  return {
    drop,
    why: `Starting on the top ${drop} of ${depth} maps (one in eight: on the demo model the top 4 of 32 removed the glasses and kept the faces); ${paperSays}, which on a layer this small blurs the whole image.`
  }
}
