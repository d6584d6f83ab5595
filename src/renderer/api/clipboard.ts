/**
 * Puts text on the clipboard; false when the page may not (the caller then shows the text to copy by hand).
 * The Clipboard API exists only in secure contexts — the app (granted `clipboard-sanitized-write`, see
 * src/main/security/permissions.ts) and web mode on localhost — so web mode opened over plain http from
 * another machine falls back to the copy command, which works there during the click.
 */
export async function copyText(text: string): Promise<boolean> {
  // lib.dom types navigator.clipboard as always there; a page that is not a secure context has none.
  const clipboard = (navigator as { clipboard?: Clipboard }).clipboard
  if (typeof clipboard?.writeText === 'function') {
    try {
      await clipboard.writeText(text)
      return true
    } catch {
      // Refused (no focus, no permission): the copy command may still be allowed.
    }
  }
  return copyWithCommand(text)
}

function copyWithCommand(text: string): boolean {
  const focused = document.activeElement instanceof HTMLElement ? document.activeElement : null
  const area = document.createElement('textarea')
  area.value = text
  area.setAttribute('readonly', '')
  area.style.position = 'fixed'
  area.style.opacity = '0'
  document.body.append(area)
  area.select()
  try {
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- deprecated, but the only clipboard access an insecure page has
    return document.execCommand('copy')
  } catch {
    return false
  } finally {
    area.remove()
    focused?.focus()
  }
}
