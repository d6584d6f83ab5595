import { Fragment } from 'react'
import type { CudaFinding, CudaReport } from '../../../shared/api/cuda-doctor'
import type { EngineStatus } from '../../../shared/api/engine'

const MARK: Record<CudaFinding['level'], string> = { problem: '✗', warning: '!', info: 'i', ok: '✓' }
const LEVEL_WORD: Record<CudaFinding['level'], string> = { problem: 'Problem', warning: 'Warning', info: 'Note', ok: 'Fine' }
const ORDER: CudaFinding['level'][] = ['problem', 'warning', 'info', 'ok']

/** Whether the card should explain the GPU rung: it was tried and failed, or it runs with a warning (JIT). */
export function showCudaFindings(status: EngineStatus): status is EngineStatus & { cuda: CudaReport } {
  if (!status.cuda) return false
  const gpuAttempt = status.attempts.find((a) => a.backend === 'tensorflow-gpu')
  return gpuAttempt?.ok === false || status.cuda.findings.some((f) => f.level === 'warning')
}

/** The GPU line of the card: the reason, unless the findings below spell it out one by one. */
export function gpuLine(status: EngineStatus): string {
  const use = status.gpu.available ? 'in use' : 'not used'
  if (!status.gpu.available && showCudaFindings(status)) {
    return status.cuda.hasNvidia
      ? `${use} — the tensorflow-gpu rung is not ready; the checks below say why and what to do`
      : `${use} — no NVIDIA GPU on this machine for the tensorflow-gpu rung (below)`
  }
  return `${use} — ${status.gpu.reason}`
}

/** A finding reads as a sentence in the list ("no NVIDIA GPU" → "No NVIDIA GPU"); names (cuDNN, libcudart…) stay as spelled. */
function sentence(text: string): string {
  return /^[a-z]+\b(?![.\-_])/.test(text) ? text.charAt(0).toUpperCase() + text.slice(1) : text
}

/** `npm install x` in a doctor's text becomes code, the rest stays text. */
function withCode(text: string) {
  return text.split('`').map((part, i) => (i % 2 === 1 ? <code key={i}>{part}</code> : <Fragment key={i}>{part}</Fragment>))
}

function FindingItem({ finding }: { finding: CudaFinding }) {
  return (
    <li className={`finding finding-${finding.level}`} data-testid="cuda-finding" data-id={finding.id} data-level={finding.level}>
      <span className="finding-mark" role="img" aria-label={LEVEL_WORD[finding.level]}>
        {MARK[finding.level]}
      </span>
      <div>
        <div className="finding-message">{withCode(sentence(finding.message))}</div>
        {finding.action && <div className="finding-action">{withCode(finding.action)}</div>}
      </div>
    </li>
  )
}

/** The CUDA doctor's findings on the tensorflow-gpu rung: what stands in the way first, each with what to do. */
export function CudaFindings({ report }: { report: CudaReport }) {
  const sorted = [...report.findings].sort((a, b) => ORDER.indexOf(a.level) - ORDER.indexOf(b.level))
  const open = sorted.filter((f) => f.level !== 'ok')
  const passed = sorted.filter((f) => f.level === 'ok')
  return (
    <section className="cuda-findings" data-testid="cuda-findings" aria-labelledby="cuda-findings-title">
      <h3 id="cuda-findings-title">NVIDIA GPU (tensorflow-gpu): {report.ready ? 'ready' : report.hasNvidia ? 'not ready' : 'no NVIDIA GPU on this machine'}</h3>
      <ul className="findings">
        {open.map((f) => (
          <FindingItem key={f.id} finding={f} />
        ))}
      </ul>
      {passed.length > 0 && (
        <details>
          <summary>
            {passed.length} check{passed.length === 1 ? '' : 's'} passed
          </summary>
          <ul className="findings">
            {passed.map((f) => (
              <FindingItem key={f.id} finding={f} />
            ))}
          </ul>
        </details>
      )}
      <p className="muted">
        <code>dcgan-studio doctor</code> lists every library it looked for and runs one op on the GPU to prove it works.
      </p>
    </section>
  )
}
