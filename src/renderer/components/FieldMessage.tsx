/** A field's error under it: what is wrong and what is allowed. Pair with invalidProps() on the input. */
export function FieldMessage({ id, error }: { id: string; error: string | undefined }) {
  if (!error) return null
  return (
    <span className="field-error" id={id} data-testid="field-error">
      {error}
    </span>
  )
}
