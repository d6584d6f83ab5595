import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'

// window.prompt throws in Electron, and alert/confirm block the page: the renderer asks its questions with
// its own dialogs (src/renderer/components/dialogs.tsx). This keeps every native one out of src/renderer.
const RENDERER = path.resolve(__dirname, '../../src/renderer')

/**
 * A call of the browser's prompt, alert or confirm: `window.prompt(`, `globalThis.alert (`, or a bare
 * `confirm(`. Not a method of something else (`dialogs.confirm(`) and not a longer name (`confirmDelete(`,
 * `onConfirm(`).
 */
const NATIVE_DIALOG = /(?:\b(?:window|globalThis|self)\s*\.\s*|(?<![\w$.]))(prompt|alert|confirm)\s*\(/g

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) return sourceFiles(full)
    return /\.(ts|tsx|js|jsx|html)$/.test(entry.name) ? [full] : []
  })
}

function nativeDialogCalls(text: string): string[] {
  return [...text.matchAll(NATIVE_DIALOG)].map((m) => m[0])
}

describe('native dialogs', () => {
  it('the pattern finds native calls and nothing else', () => {
    expect(nativeDialogCalls('const t = window.prompt("Paste")')).toEqual(['window.prompt('])
    expect(nativeDialogCalls('if (!window .confirm (`Delete?`)) return')).toEqual(['window .confirm ('])
    expect(nativeDialogCalls('alert("x"); x = confirm("y") || prompt("z")')).toEqual(['alert(', 'confirm(', 'prompt('])
    expect(nativeDialogCalls('globalThis.alert(1)')).toEqual(['globalThis.alert('])
    expect(nativeDialogCalls('await dialogs.confirm({ title }); dialogs.prompt({})')).toEqual([])
    expect(nativeDialogCalls('confirmDelete(); onConfirm(); promptText(x); myalert(); $confirm()')).toEqual([])
  })

  it('src/renderer never calls prompt, alert or confirm', () => {
    const files = sourceFiles(RENDERER)
    expect(files.length).toBeGreaterThan(20)
    const found = files.flatMap((file) => {
      const lines = fs.readFileSync(file, 'utf8').split('\n')
      return lines.flatMap((line, i) => nativeDialogCalls(line).map((call) => `${path.relative(RENDERER, file)}:${i + 1}: ${call}`))
    })
    expect(found).toEqual([])
  })
})
