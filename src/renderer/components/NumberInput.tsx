import { useId } from 'react'
import { invalidProps } from '../api/field-errors'
import { FieldMessage } from './FieldMessage'

interface NumberInputProps {
  label: string
  value: number
  onChange: (value: number) => void
  min?: number
  max?: number
  step?: number
  /** What is wrong with the value (e.g. from schemaErrors), shown under the field and marked on it. */
  error?: string | undefined
  testId?: string
}

/** A labelled number field; an empty field is NaN (so the schema says "must be a number", not "0 is too small"). */
export function NumberInput({ label, value, onChange, min, max, step, error, testId }: NumberInputProps) {
  const errorId = useId()
  return (
    <label>
      {label}
      <input
        type="number"
        min={min}
        max={max}
        step={step}
        value={Number.isNaN(value) ? '' : value}
        onChange={(e) => onChange(e.target.value === '' ? Number.NaN : Number(e.target.value))}
        data-testid={testId}
        {...invalidProps(error, errorId)}
      />
      <FieldMessage id={errorId} error={error} />
    </label>
  )
}
