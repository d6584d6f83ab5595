import * as fs from 'node:fs'
import type { Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { installDemoIfEmpty, readDemoManifest } from '../../src/main/services/demo'
import { Library } from '../../src/main/services/library'
import { ensureBuilt } from '../support/build'
import { tempDir } from '../support/fixtures'
import { openStudioPage, type StudioPage } from '../support/studio-page'

beforeAll(() => ensureBuilt(), 300_000)

interface Box {
  x: number
  y: number
  width: number
  height: number
}

async function boxOf(locator: Locator): Promise<Box> {
  const box = await locator.boundingBox()
  if (!box) throw new Error('not on screen')
  return box
}

/** What callbacks run in the page use of its globals (this file is compiled without the DOM's). */
interface PageGlobals {
  getComputedStyle(element: unknown): { imageRendering: string; visibility: string }
  document: { elementFromPoint(x: number, y: number): unknown }
}

/** What callbacks run in the page use of its elements. */
interface PageElement {
  getBoundingClientRect(): Box & { toJSON(): Box }
  getAttribute(name: string): string | null
  contains(other: unknown): boolean
  textContent: string | null
}

const inside = (inner: Box, outer: Box): boolean =>
  inner.x >= outer.x - 0.5 &&
  inner.y >= outer.y - 0.5 &&
  inner.x + inner.width <= outer.x + outer.width + 0.5 &&
  inner.y + inner.height <= outer.y + outer.height + 0.5
const overlap = (a: Box, b: Box): boolean => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height

/** Draws a grid of `count` samples of seed 0 and waits for it (and, on the demo, for its attribute scores). */
async function showSamples(page: Page, count: number): Promise<Locator> {
  const grid = page.getByTestId('explore-samples')
  await page.getByTestId('explore-count').selectOption(String(count))
  // Seed 0 always draws the same samples: a grid already showing them is not drawn again.
  if ((await grid.getAttribute('data-count')) !== String(count)) await page.getByTestId('explore-generate').click()
  await expect.poll(() => grid.getAttribute('data-count')).toBe(String(count))
  await expect.poll(() => page.getByTestId('attribute-count').textContent()).toContain('scored by')
  return grid
}

// The Explore screen on the demo model (procedural faces, with its face-attribute classifier), in web mode and
// headless Chromium at 1400×900 and 760×900: the sample grid fits its card and every tile can be clicked,
// samples are shown large on hover and focus and can be filtered and sorted by attribute, what the user did
// survives a visit to another screen (per run), the walk, the feature view and the layer stack show what
// they should.
describe('the Explore screen', () => {
  let studio: StudioPage
  let page: Page
  const demoRun = readDemoManifest()?.runId ?? ''
  const copyRun = 'faces-copy-0a1b2c'

  beforeAll(async () => {
    const root = tempDir('explore-screen')
    const library = Library.open(root)
    expect(await installDemoIfEmpty(library)).toBe(demoRun)
    // A second run (a copy of the demo under another name, without a classifier), to see that state is kept
    // per run and that the attribute filter is offered only where there is a classifier.
    fs.cpSync(library.path('runs', demoRun), library.path('runs', copyRun), { recursive: true })
    const record = JSON.parse(fs.readFileSync(library.path('runs', copyRun, 'run.json'), 'utf8')) as Record<string, unknown>
    delete record.classifier
    fs.writeFileSync(library.path('runs', copyRun, 'run.json'), JSON.stringify({ ...record, id: copyRun, name: 'Faces (a copy, no classifier)' }))
    studio = await openStudioPage(root, { width: 1400, height: 900 })
    page = studio.page
    await page.getByTestId('nav-explore').click()
    await page.getByTestId('explore-run').selectOption(demoRun)
  })

  afterAll(async () => {
    await studio?.close()
  })

  it("shows the model's samples as soon as it is opened, without asking", async () => {
    await expect.poll(() => page.getByTestId('explore-samples').getAttribute('data-count')).toBe('16')
  })

  for (const width of [1400, 760]) {
    for (const count of [36, 64]) {
      it(`fits a grid of ${count} samples inside its card at ${width}×900, and every tile of the last column can be clicked`, async () => {
        await page.setViewportSize({ width, height: 900 })
        const grid = await showSamples(page, count)
        const card = await boxOf(page.getByTestId('samples-panel'))
        const tiles = grid.getByRole('button')
        expect(await tiles.count()).toBe(count)
        const boxes = await tiles.evaluateAll((els: PageElement[]) => els.map((el) => el.getBoundingClientRect().toJSON()))
        for (const box of boxes) expect(inside(box, card), JSON.stringify({ box, card })).toBe(true)
        const columns = Math.round(Math.sqrt(count))
        for (let row = 0; row < columns; row++) {
          const tile = tiles.nth(row * columns + columns - 1)
          await tile.scrollIntoViewIfNeeded()
          // What is under the tile's centre is the tile itself (its canvas), not a panel lying over it.
          const hit = await tile.evaluate((el: PageElement) => {
            const r = el.getBoundingClientRect()
            const under = (globalThis as unknown as PageGlobals).document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2)
            return under !== null && el.contains(under)
          })
          expect(hit, `tile ${row * columns + columns - 1}`).toBe(true)
          await tile.click()
          expect(await tile.getAttribute('aria-pressed')).toBe('true')
          await tile.click()
          expect(await tile.getAttribute('aria-pressed')).toBe('false')
        }
      })
    }
  }

  it('shows a sample large, with its seed and scores, on hover and on keyboard focus, beside the grid', async () => {
    await page.setViewportSize({ width: 1400, height: 900 })
    const grid = await showSamples(page, 64)
    const tiles = grid.getByRole('button')
    await tiles.nth(9).hover()
    const preview = page.getByTestId('sample-preview')
    await preview.waitFor()
    expect(await preview.textContent()).toMatch(/sample 9 of seed 0.*smiling \d\.\d\d · masculine \d\.\d\d · glasses \d\.\d\d · (left|frontal|right) \d\.\d\d/)
    // 32-px faces at 6× their pixels, crisp, and never over the grid it belongs to.
    expect((await boxOf(preview.locator('canvas'))).width).toBe(192)
    expect(await preview.locator('canvas').evaluate((c) => (globalThis as unknown as PageGlobals).getComputedStyle(c).imageRendering)).toBe('pixelated')
    expect(overlap(await boxOf(preview), await boxOf(grid))).toBe(false)
    await page.mouse.move(2, 2)
    await expect.poll(() => preview.count()).toBe(0)

    await tiles.nth(20).focus()
    await page.keyboard.press('Tab')
    await preview.waitFor()
    expect(await preview.textContent()).toContain('sample 21 of seed 0')
    await page.keyboard.press('Escape')
    await expect.poll(() => preview.count()).toBe(0)
  })

  it('filters and sorts the samples by what the face classifier sees in them', async () => {
    const grid = await showSamples(page, 64)
    const cells = grid.locator('.sample-cell')
    const scores = (attribute: string): Promise<number[]> =>
      cells.evaluateAll((els: PageElement[], a: string) => els.map((el) => Number(el.getAttribute(`data-${a}`))), attribute)
    const smiling = await scores('smiling')
    expect(smiling).toHaveLength(64)
    const expected = smiling.filter((p) => p > 0.5).length
    expect(expected).toBeGreaterThan(3)

    await page.getByTestId('chip-smiling').click()
    await expect.poll(() => grid.getAttribute('data-shown')).toBe(String(expected))
    for (const p of await scores('smiling')) expect(p).toBeGreaterThan(0.5)
    await page.getByTestId('chip-not-masculine').click()
    const kept = await scores('masculine')
    expect(kept.length).toBeLessThan(expected)
    for (const p of kept) expect(p).toBeLessThan(0.5)
    expect(await page.getByTestId('attribute-count').textContent()).toBe(`${kept.length} of 64 samples match`)

    await page.getByTestId('samples-sort').selectOption('smiling-desc')
    const sorted = await scores('smiling')
    expect(sorted).toEqual([...sorted].sort((a, b) => b - a))
    // Three smiling women, picked from the filtered grid, go to slot A as they are.
    const first = await cells.evaluateAll((els: PageElement[]) => els.slice(0, 3).map((el) => Number(el.getAttribute('data-index'))))
    for (let i = 0; i < 3; i++) await cells.nth(i).getByRole('button').click()
    expect(await page.getByTestId('selection-tray').locator('.tray-item').count()).toBe(3)

    // Pressing a pressed chip lets its attribute go; "show all" clears every filter.
    await page.getByTestId('chip-smiling').click()
    expect(await page.getByTestId('chip-smiling').getAttribute('aria-pressed')).toBe('false')
    await page.getByRole('button', { name: 'show all' }).click()
    await expect.poll(() => grid.getAttribute('data-shown')).toBe('64')
    await page.getByTestId('samples-sort').selectOption('index')
    for (const index of first) expect(await grid.locator(`.sample-cell[data-index="${index}"] button`).getAttribute('aria-pressed')).toBe('true')
    await page.getByTestId('add-a').click()
  })

  it('keeps the selection, slots, walk and results when another screen is visited, per run', async () => {
    const grid = page.getByTestId('explore-samples')
    const tiles = grid.getByRole('button')
    for (const [slot, first] of [
      ['b', 10],
      ['c', 20]
    ] as const) {
      for (let i = first; i < first + 3; i++) await tiles.nth(i).click()
      await page.getByTestId(`add-${slot}`).click()
    }
    await tiles.nth(30).click()
    await tiles.nth(40).click()
    await page.getByTestId('use-keyframes').click()
    await page.getByTestId('walk-render').click()
    await page.getByTestId('walk-strip-slerp').waitFor()
    await page.getByTestId('selection-tray').getByRole('button', { name: 'Clear', exact: true }).click()
    await tiles.nth(50).click()
    await page.getByTestId('explore-tab-arithmetic').click()
    await page.getByTestId('arithmetic-run').click()
    await page.getByTestId('arithmetic-grid').waitFor()
    await page.getByTestId('explore-tab-walk').click()

    const snapshot = async () => ({
      selected: await page.getByTestId('selection-tray').locator('.tray-item').count(),
      grid: await grid.getAttribute('data-count'),
      frames: await page.getByTestId('walk-strip-lerp').getAttribute('data-frames'),
      pressed: await grid.locator('button[aria-pressed="true"]').count()
    })
    const before = await snapshot()
    expect(before).toEqual({ selected: 1, grid: '64', frames: '9', pressed: 1 })

    for (const other of ['home', 'datasets', 'runs']) {
      await page.getByTestId(`nav-${other}`).click()
      await expect.poll(() => page.getByTestId('explore-samples').count()).toBe(0)
      await page.getByTestId('nav-explore').click()
      await grid.waitFor()
      expect(await snapshot()).toEqual(before)
    }
    await page.getByTestId('explore-tab-arithmetic').click()
    for (const slot of ['a', 'b', 'c']) expect(await page.getByTestId(`slot-${slot}`).getAttribute('data-count')).toBe('3')
    expect(await page.getByTestId('arithmetic-grid').locator('canvas').count()).toBe(9)

    // Another run has its own (empty) state; the first run's comes back when it is chosen again.
    await page.getByTestId('explore-run').selectOption(copyRun)
    await expect.poll(() => page.getByTestId('slot-a').getAttribute('data-count')).toBe('0')
    expect(await page.getByTestId('selection-tray').locator('.tray-item').count()).toBe(0)
    await page.getByTestId('explore-tab-walk').click()
    expect(await page.getByTestId('walk-strip-lerp').count()).toBe(0)
    // A run opened for the first time draws its samples by itself, and settings are per run too: this run's grid
    // has the default 16 samples, none of them selected. (Polled: the draw may land before or after the switch.)
    await expect.poll(() => grid.getAttribute('data-count')).toBe('16')
    expect(await grid.locator('button[aria-pressed="true"]').count()).toBe(0)
    // No classifier for this run: its grid comes without attribute chips or sort.
    expect(await page.getByTestId('attribute-controls').count()).toBe(0)
    expect(await grid.locator('.sample-cell[data-smiling]').count()).toBe(0)
    await page.getByTestId('explore-run').selectOption(demoRun)
    await page.getByTestId('explore-tab-arithmetic').click()
    await expect.poll(() => page.getByTestId('slot-a').getAttribute('data-count')).toBe('3')
    await page.getByTestId('explore-tab-walk').click()
    expect(await snapshot()).toEqual(before)
    expect(studio.problems).toEqual([])
  })

  it('labels the scrubber with its frame, shows every walk frame whole, and says why lerp and slerp look alike', async () => {
    const scrubber = page.getByTestId('walk-scrubber')
    await scrubber.focus()
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight')
    await expect.poll(() => page.getByTestId('walk-scrub-label').textContent()).toBe('frame 4 / 9, t = 0.38 (slerp)')
    const card = await boxOf(page.getByTestId('walk-panel'))
    for (const mode of ['lerp', 'slerp']) {
      const frames = page.getByTestId(`walk-strip-${mode}`).locator('canvas')
      expect(await frames.count()).toBe(9)
      const last = await boxOf(frames.last())
      expect(inside(last, card)).toBe(true)
      const strip = await boxOf(page.getByTestId(`walk-strip-${mode}`))
      expect(inside(last, strip)).toBe(true)
    }
    expect(await page.getByTestId('lerp-slerp-note').textContent()).toMatch(/100-dimensional z are nearly orthogonal.*lerp \d\.\d\d×, slerp 1\.00×/)

    // The selected samples' buttons stay with their sample: the trays' items do not touch.
    const items = await page
      .getByTestId('selection-tray')
      .locator('.tray-item')
      .evaluateAll((els: PageElement[]) => els.map((el) => el.getBoundingClientRect().toJSON()))
    for (let i = 1; i < items.length; i++) expect(overlap(items[i - 1] as Box, items[i] as Box)).toBe(false)
  })

  it("shows D's logit and sigmoid as numbers, how many maps of how many, and lets guided backprop's feature be chosen", async () => {
    await page.getByTestId('explore-tab-features').click()
    const panel = page.getByTestId('features-panel')
    await panel.getByTestId('features-run').click()
    const result = panel.getByTestId('features-result')
    await result.waitFor()
    expect(await result.getAttribute('data-net')).toBe('D')
    expect(await panel.getByTestId('value-d_logit').textContent()).toMatch(/^-?\d+\.\d{3} the logit/)
    expect(await panel.getByTestId('value-d_sigmoid').textContent()).toMatch(/^0\.\d{3} D's probability that this image is real/)
    expect(await panel.getByTestId('layer-d_conv1').getByTestId('maps-count').textContent()).toContain('top 16 of 64 maps')
    await panel.getByTestId('layer-d_conv1').getByRole('button', { name: 'show all 64' }).click()
    await expect.poll(() => panel.getByTestId('layer-d_conv1').locator('canvas').count()).toBe(64)
    expect(await panel.getByTestId('layer-d_conv1').getByTestId('maps-count').textContent()).toContain('all 64 maps')

    // The feature to explain: from the list ranked for this input (the strongest by default) …
    const choice = panel.getByTestId('guided-channel')
    await expect.poll(() => choice.locator('option').count()).toBeGreaterThan(60)
    const strongest = Number(/#(\d+)/.exec((await choice.locator('option').nth(0).textContent()) ?? '')?.[1])
    const fifth = await choice.locator('option').nth(5).getAttribute('value')
    await panel.getByTestId('guided-run').click()
    const guided = panel.getByTestId('guided-result')
    await guided.waitFor()
    expect(await guided.getAttribute('data-channel')).toBe(String(strongest))
    expect(await guided.textContent()).toContain('(the strongest for this input)')
    await choice.selectOption(fifth ?? '')
    await panel.getByTestId('guided-run').click()
    await expect.poll(() => guided.getAttribute('data-channel')).toBe(fifth)
    // … or by clicking one of its maps in the feature view.
    await panel.getByTestId('features-run').click()
    await result.waitFor()
    expect(await guided.count()).toBe(0)
    const map = panel.getByTestId('layer-d_conv2').getByRole('button').nth(2)
    const channel = /map (\d+)/.exec((await map.getAttribute('aria-label')) ?? '')?.[1]
    await map.click()
    await expect.poll(() => guided.getAttribute('data-channel')).toBe(channel)
    expect(await guided.getAttribute('data-layer')).toBe('d_conv2')

    // A new request replaces what an earlier one showed: G's maps never sit under D's old results.
    await panel.getByTestId('features-net').selectOption('G')
    await panel.getByTestId('features-run').click()
    await expect.poll(() => result.getAttribute('data-net')).toBe('G')
    expect(await guided.count()).toBe(0)
    expect(await panel.getByTestId('filters-result').count()).toBe(0)
  })

  for (const width of [1400, 760]) {
    it(`draws the layer stack whole at ${width}×900, its labels apart and inside the view`, async () => {
      await page.setViewportSize({ width, height: 900 })
      await page.getByTestId('explore-tab-stack').click()
      for (const net of ['G', 'D']) {
        await page.getByTestId(`stack-net-${net}`).click()
        const stack = page.getByTestId('layer-stack')
        await stack.waitFor()
        await stack.scrollIntoViewIfNeeded()
        await expect.poll(() => stack.getAttribute('data-layers')).toBe(net === 'G' ? '12' : '11')
        await expect.poll(async () => Number(await stack.getAttribute('data-frames'))).toBeGreaterThan(0)
        await page.waitForTimeout(300)
        const view = await boxOf(stack)
        const labels = await stack
          .locator('div')
          .evaluateAll((els: PageElement[]) =>
            els
              .filter((el) => (globalThis as unknown as PageGlobals).getComputedStyle(el).visibility === 'visible')
              .map((el) => ({ text: el.textContent, box: el.getBoundingClientRect().toJSON() }))
          )
        // Every layer's label shows (none hidden for want of room), none overlaps another, all inside the view.
        expect(labels.length, JSON.stringify(labels.map((l) => l.text))).toBe(net === 'G' ? 12 : 11)
        for (const [i, a] of labels.entries()) {
          expect(inside(a.box, view), a.text ?? '').toBe(true)
          for (const b of labels.slice(i + 1)) expect(overlap(a.box, b.box), `${a.text} / ${b.text}`).toBe(false)
        }
        // Nothing drawn touches the view's edges: the first and last planes are whole.
        const edges = await stack.locator('canvas').evaluate((canvas) => {
          // The view's own WebGL 2 context (it keeps its drawing buffer), typed here for the Node-side compiler.
          interface Gl {
            drawingBufferWidth: number
            drawingBufferHeight: number
            RGBA: number
            UNSIGNED_BYTE: number
            readPixels(x: number, y: number, w: number, h: number, format: number, type: number, pixels: Uint8Array): void
          }
          const gl = (canvas as unknown as { getContext(kind: string): Gl }).getContext('webgl2')
          const w = gl.drawingBufferWidth
          const h = gl.drawingBufferHeight
          const pixels = new Uint8Array(w * h * 4)
          gl.readPixels(0, 0, w, h, gl.RGBA, gl.UNSIGNED_BYTE, pixels)
          const background = [pixels[0], pixels[1], pixels[2]]
          const differs = (x: number, y: number): boolean => {
            const i = (y * w + x) * 4
            return (
              Math.abs((pixels[i] as number) - (background[0] as number)) +
                Math.abs((pixels[i + 1] as number) - (background[1] as number)) +
                Math.abs((pixels[i + 2] as number) - (background[2] as number)) >
              6
            )
          }
          let drawn = 0
          let onEdge = 0
          for (let y = 0; y < h; y++) {
            for (let x = 0; x < w; x++) {
              if (!differs(x, y)) continue
              drawn++
              if (x < 3 || x >= w - 3 || y < 3 || y >= h - 3) onEdge++
            }
          }
          return { drawn, onEdge }
        })
        expect(edges.drawn).toBeGreaterThan(1000)
        expect(edges.onEdge).toBe(0)
      }
      expect(studio.problems).toEqual([])
    })
  }
})
