import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import type { Box } from '../../../shared/api/forget'
import { errorText } from '../../api/hooks'
import type { ModelChoice } from '../explore/RunPicker'
import { type Sample, zSpecOf } from '../explore/selection'
import { type BoxMap, NO_BOXES, addBox, parseBoxesFile, removeBox } from './boxes'
import { type History, commit, redo, startHistory, undo } from './history'
import { renderSamples, seedSpecs } from './forget-actions'

/** Samples added to the page at a time ("more samples"). */
export const PAGE = 16

/**
 * The labelling sheet of the "Forget to draw" panel: the page of samples of one seed, the boxes drawn on them
 * (with undo and redo), which sample is enlarged and which box is selected. Boxed samples stay on the sheet
 * when the page moves to another seed, so boxes can be collected across seeds.
 */
export function useBoxSheet(model: ModelChoice) {
  const [history, setHistory] = useState<History<BoxMap>>(() => startHistory(NO_BOXES))
  const [page, setPage] = useState<Sample[]>([])
  const [seed, setSeed] = useState(0)
  // Every sample rendered for this model, so a boxed sample of another seed can still be shown (e.g. after undo).
  const known = useRef(new Map<string, Sample>())
  const [activeKey, setActiveKey] = useState<string | null>(null)
  const [selectedBox, setSelectedBox] = useState<number | null>(null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  // Only the newest render may change the page: a slow answer for an older seed is dropped.
  const ticket = useRef(0)
  const run = useMemo(() => ({ id: model.id, step: model.step, erasure: null }), [model.id, model.step])
  const boxes = history.present

  const remember = useCallback((samples: Sample[]): void => {
    for (const s of samples) known.current.set(s.key, s)
  }, [])

  /** Boxed samples that are not on the page (another seed's, or imported), then the page. */
  const grid = useMemo(() => {
    const onPage = new Set(page.map((s) => s.key))
    const elsewhere = Object.keys(boxes)
      .filter((key) => !onPage.has(key))
      .flatMap((key) => {
        const sample = known.current.get(key)
        return sample ? [sample] : []
      })
    return [...elsewhere, ...page]
  }, [boxes, page])
  const active = grid.find((s) => s.key === activeKey) ?? grid[0] ?? null

  const load = useCallback(async (work: () => Promise<void>): Promise<void> => {
    setBusy(true)
    setError(null)
    try {
      await work()
    } catch (err) {
      setError(errorText(err))
    } finally {
      setBusy(false)
    }
  }, [])

  const showSeed = useCallback(
    (next: number): Promise<void> =>
      load(async () => {
        const mine = ++ticket.current
        const { samples } = await renderSamples(run, seedSpecs(next, 0, PAGE))
        if (mine !== ticket.current) return
        remember(samples)
        setSeed(next)
        setPage(samples)
      }),
    [load, run, remember]
  )

  const more = (): Promise<void> =>
    load(async () => {
      const mine = ++ticket.current
      const { samples } = await renderSamples(run, seedSpecs(seed, page.length, PAGE))
      if (mine !== ticket.current) return
      remember(samples)
      setPage((current) => [...current, ...samples])
    })

  // A new model starts a new sheet (its samples are other images); another checkpoint of the same run keeps
  // the boxes (seeds name the same z) and redraws the samples, so the user sees whether they still fit.
  const shownModel = useRef<string | null>(null)
  useEffect(() => {
    if (shownModel.current !== model.id) {
      shownModel.current = model.id
      known.current.clear()
      setPage([])
      setHistory(startHistory(NO_BOXES))
      setActiveKey(null)
      setSelectedBox(null)
      setNotice(null)
      void showSeed(0)
      return
    }
    void load(async () => {
      const specs = [...known.current.values()].map(zSpecOf)
      if (specs.length === 0) return
      const mine = ++ticket.current
      const { samples } = await renderSamples(run, specs)
      if (mine !== ticket.current) return
      remember(samples)
      setPage((current) => current.map((s) => known.current.get(s.key) ?? s))
    })
  }, [model.id, run, showSeed, load, remember])

  const edit = (change: (map: BoxMap) => BoxMap): void => {
    setHistory((h) => commit(h, change(h.present)))
    setSelectedBox(null)
  }

  const importText = (text: string): Promise<void> =>
    load(async () => {
      const file = parseBoxesFile(text)
      const mine = ++ticket.current
      const { samples } = await renderSamples(
        run,
        file.samples.map((s) => s.z)
      )
      if (mine !== ticket.current) return
      remember(samples)
      const map: Record<string, Box[]> = {}
      samples.forEach((sample, i) => {
        const drawn = file.samples[i]?.boxes ?? []
        if (drawn.length > 0) map[sample.key] = [...(map[sample.key] ?? []), ...drawn]
      })
      const unboxed = samples.filter((s) => !map[s.key])
      // The file's samples without boxes were someone's "no object here" examples: they become the page.
      if (unboxed.length > 0) setPage(unboxed)
      setHistory((h) => commit(h, map))
      setActiveKey(samples.find((s) => map[s.key])?.key ?? null)
      setSelectedBox(null)
      const other = file.runId && file.runId !== model.id ? ` They were drawn on run ${file.runId}; seeds name the same z here, but the images may differ.` : ''
      setNotice(`Imported ${Object.keys(map).length} boxed and ${unboxed.length} unboxed samples (undo with Ctrl+Z).${other}`)
    })

  return {
    boxes,
    grid,
    page,
    seed,
    active,
    selectedBox,
    busy,
    error,
    notice,
    canUndo: history.past.length > 0,
    canRedo: history.future.length > 0,
    showSeed,
    more,
    importText,
    pick: (key: string) => {
      setActiveKey(key)
      setSelectedBox(null)
    },
    /** Moves the enlarged sample by `delta` places in the grid (wrapping), for ← and →. */
    step: (delta: number) => {
      if (grid.length === 0) return
      const at = Math.max(
        0,
        grid.findIndex((s) => s.key === active?.key)
      )
      setActiveKey((grid[(at + delta + grid.length) % grid.length] as Sample).key)
      setSelectedBox(null)
    },
    selectBox: setSelectedBox,
    add: (key: string, box: Box) => {
      edit((map) => addBox(map, key, box))
      setActiveKey(key)
    },
    remove: (key: string, index: number) => edit((map) => removeBox(map, key, index)),
    clearSample: (key: string) =>
      edit((map) => {
        if (!map[key]) return map
        const { [key]: _gone, ...rest } = map
        return rest
      }),
    clearAll: () => edit(() => NO_BOXES),
    undo: () => {
      setHistory(undo)
      setSelectedBox(null)
    },
    redo: () => {
      setHistory(redo)
      setSelectedBox(null)
    }
  }
}

export type BoxSheet = ReturnType<typeof useBoxSheet>
