import { useId } from 'react'
import { studio } from '../api/client'
import { invalidProps } from '../api/field-errors'
import { FieldMessage } from './FieldMessage'

interface PathFieldProps {
  label: string
  value: string
  onChange: (value: string) => void
  /** An existing folder or file, or where to save a new file. */
  kind: 'folder' | 'file' | 'save'
  placeholder?: string
  testId?: string
  /** What is wrong with the path (e.g. a folder where a file belongs), shown under it. */
  error?: string | undefined
}

/**
 * A path on the machine running the studio. The desktop app offers its native picker; in web mode the path
 * is typed (it names a folder on the server, which may not be the browser's machine).
 */
export function PathField({ label, value, onChange, kind, placeholder, testId, error }: PathFieldProps) {
  const errorId = useId()
  const browse = async (): Promise<void> => {
    const picked = await studio.call('system.pickPath', { kind, title: label, ...(kind === 'save' && value ? { defaultPath: value } : {}) })
    if (picked.path) onChange(picked.path)
  }
  return (
    <label className="path-field">
      {label}
      <span className="row">
        <input
          type="text"
          value={value}
          placeholder={placeholder}
          onChange={(e) => onChange(e.target.value)}
          data-testid={testId}
          spellCheck={false}
          {...invalidProps(error, errorId)}
        />
        {window.studio && (
          <button type="button" onClick={() => void browse()}>
            Browse…
          </button>
        )}
      </span>
      <FieldMessage id={errorId} error={error} />
    </label>
  )
}
