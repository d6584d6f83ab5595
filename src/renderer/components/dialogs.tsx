import { type ReactNode, createContext, useCallback, useContext, useEffect, useId, useMemo, useRef, useState } from 'react'

/**
 * The app's own prompt and confirm: window.prompt throws in Electron and window.confirm blocks the page, so
 * every question the UI asks goes through here (tests/static/no-native-dialogs.test.ts keeps it that way).
 * A modal <dialog> (the page behind is inert), focus on open, Enter answers, Escape cancels, focus goes
 * back where it was; a prompt checks its answer and says what is wrong without closing.
 */
export interface PromptOptions {
  title: string
  label: string
  initial?: string
  placeholder?: string
  confirmLabel?: string
  /** Several lines (e.g. a pasted vector); Enter still answers, Shift+Enter starts a new line. */
  multiline?: boolean
  /** What is wrong with the answer, or null when it will do. Runs on submit and again as the user edits. */
  validate?: (value: string) => string | null
}

export interface ConfirmOptions {
  title: string
  message: string
  confirmLabel?: string
  /** A destructive action: the button is marked, and Cancel gets the focus so Enter does no harm. */
  danger?: boolean
}

export interface Dialogs {
  /** The answer, or null when cancelled. */
  prompt: (options: PromptOptions) => Promise<string | null>
  confirm: (options: ConfirmOptions) => Promise<boolean>
}

type Pending = { id: number } & (
  { kind: 'prompt'; options: PromptOptions; resolve(value: string | null): void } | { kind: 'confirm'; options: ConfirmOptions; resolve(value: boolean): void }
)

const DialogContext = createContext<Dialogs | null>(null)

export function useDialogs(): Dialogs {
  const dialogs = useContext(DialogContext)
  if (!dialogs) throw new Error('useDialogs() needs a <DialogProvider> above it.')
  return dialogs
}

/** Holds the one open question (a second one waits for the first) and renders it. */
export function DialogProvider({ children }: { children: ReactNode }) {
  const [queue, setQueue] = useState<Pending[]>([])
  const nextId = useRef(0)
  const dialogs = useMemo<Dialogs>(
    () => ({
      prompt: (options) => new Promise((resolve) => setQueue((q) => [...q, { id: ++nextId.current, kind: 'prompt', options, resolve }])),
      confirm: (options) => new Promise((resolve) => setQueue((q) => [...q, { id: ++nextId.current, kind: 'confirm', options, resolve }]))
    }),
    []
  )
  const current = queue[0] ?? null
  const finish = useCallback((answer: string | boolean | null) => {
    setQueue(([first, ...rest]) => {
      if (first?.kind === 'prompt') first.resolve(typeof answer === 'string' ? answer : null)
      if (first?.kind === 'confirm') first.resolve(answer === true)
      return rest
    })
  }, [])
  return (
    <DialogContext.Provider value={dialogs}>
      {children}
      {current && <ModalDialog key={current.id} pending={current} onFinish={finish} />}
    </DialogContext.Provider>
  )
}

function ModalDialog({ pending, onFinish }: { pending: Pending; onFinish: (answer: string | boolean | null) => void }) {
  const ref = useRef<HTMLDialogElement>(null)
  const field = useRef<HTMLInputElement & HTMLTextAreaElement>(null)
  const cancelButton = useRef<HTMLButtonElement>(null)
  const okButton = useRef<HTMLButtonElement>(null)
  const [value, setValue] = useState(pending.kind === 'prompt' ? (pending.options.initial ?? '') : '')
  const [error, setError] = useState<string | null>(null)
  const [tried, setTried] = useState(false)
  const ids = { title: useId(), body: useId(), error: useId() }

  useEffect(() => {
    const dialog = ref.current
    if (!dialog) return
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null
    if (!dialog.open) dialog.showModal()
    if (pending.kind === 'prompt') {
      field.current?.focus()
      field.current?.select()
    } else if (pending.options.danger) {
      cancelButton.current?.focus()
    } else {
      okButton.current?.focus()
    }
    return () => {
      if (dialog.open) dialog.close()
      // Back to where the user was, if that is still on the page.
      if (opener?.isConnected) opener.focus()
    }
  }, [pending])

  const validate = pending.kind === 'prompt' ? pending.options.validate : undefined
  const submit = (): void => {
    if (pending.kind === 'confirm') {
      onFinish(true)
      return
    }
    const problem = validate?.(value) ?? null
    setTried(true)
    setError(problem)
    if (problem) {
      field.current?.focus()
      return
    }
    onFinish(value)
  }
  const edit = (next: string): void => {
    setValue(next)
    // Once an answer was refused, say as soon as it is right (or what is still wrong).
    if (tried) setError(validate?.(next) ?? null)
  }

  const o = pending.options
  return (
    <dialog
      ref={ref}
      className="modal card"
      role="dialog"
      aria-modal="true"
      aria-labelledby={ids.title}
      aria-describedby={ids.body}
      data-testid="dialog"
      onCancel={(e) => {
        // Escape: our own close, so the answer and the focus are handled in one place.
        e.preventDefault()
        onFinish(null)
      }}
    >
      <form
        onSubmit={(e) => {
          e.preventDefault()
          submit()
        }}
      >
        <h2 id={ids.title}>{o.title}</h2>
        {pending.kind === 'confirm' ? (
          <p id={ids.body}>{pending.options.message}</p>
        ) : (
          <label id={ids.body} className="modal-field">
            {pending.options.label}
            {pending.options.multiline ? (
              <textarea
                ref={field}
                value={value}
                rows={4}
                placeholder={pending.options.placeholder}
                spellCheck={false}
                aria-invalid={error ? true : undefined}
                aria-describedby={error ? ids.error : undefined}
                onChange={(e) => edit(e.target.value)}
                onKeyDown={(e) => {
                  if (e.key === 'Enter' && !e.shiftKey) {
                    e.preventDefault()
                    submit()
                  }
                }}
                data-testid="dialog-input"
              />
            ) : (
              <input
                ref={field}
                type="text"
                value={value}
                placeholder={pending.options.placeholder}
                aria-invalid={error ? true : undefined}
                aria-describedby={error ? ids.error : undefined}
                onChange={(e) => edit(e.target.value)}
                data-testid="dialog-input"
              />
            )}
          </label>
        )}
        {error && (
          <p className="error" id={ids.error} role="alert" data-testid="dialog-error">
            {error}
          </p>
        )}
        <div className="row modal-buttons">
          <button ref={cancelButton} type="button" onClick={() => onFinish(null)} data-testid="dialog-cancel">
            Cancel
          </button>
          <button ref={okButton} type="submit" className={pending.kind === 'confirm' && pending.options.danger ? 'danger' : ''} data-testid="dialog-ok">
            {o.confirmLabel ?? 'OK'}
          </button>
        </div>
      </form>
    </dialog>
  )
}
