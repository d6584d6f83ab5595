import { useState } from 'react'
import type { BackendName, EngineStatus, WebGpuAdapter } from '../../../shared/api/engine'
import { adapterName, BACKEND_LABELS, BACKEND_LADDER, webGpuLimitsText } from '../../../shared/api/engine'
import { studio } from '../../api/client'
import { errorText, useStudioData } from '../../api/hooks'
import { CudaFindings, gpuLine, showCudaFindings } from './CudaFindings'

/** The saved backend preference: the ladder, or one backend for the explorer and every trainer. */
function BackendSetting() {
  const settings = useStudioData(() => studio.call('settings.get'), [])
  const [error, setError] = useState<string | null>(null)
  if (!settings.data) return null
  const change = async (value: string): Promise<void> => {
    setError(null)
    try {
      await studio.call('settings.update', { backend: value === 'auto' ? null : (value as BackendName) })
      settings.reload()
    } catch (err) {
      setError(errorText(err))
    }
  }
  return (
    <label className="row">
      Use
      <select value={settings.data.backend ?? 'auto'} onChange={(e) => void change(e.target.value)} data-testid="backend-setting">
        <option value="auto">the best available (ladder)</option>
        {BACKEND_LADDER.map((b) => (
          <option key={b} value={b}>
            {b} only
          </option>
        ))}
      </select>
      {error && <span className="error">{error}</span>}
    </label>
  )
}

/** The WebGPU adapter Dawn offered: what it is, whether it is a GPU or a software renderer, and its limits. */
function WebGpuAdapterFacts({ adapter, inUse }: { adapter: WebGpuAdapter; inUse: boolean }) {
  return (
    <>
      <dt>WebGPU</dt>
      <dd data-testid="engine-webgpu">
        {adapterName(adapter)}
        {adapter.device && adapter.device !== adapter.description ? `, device ${adapter.device}` : ''} —{' '}
        {adapter.software ? `a software adapter: ${adapter.software}` : 'a GPU'}; {inUse ? 'in use' : 'not used'}
        <div className="muted">Limits: {webGpuLimitsText(adapter.limits)}</div>
      </dd>
    </>
  )
}

interface EngineStatusCardProps {
  status: EngineStatus | null
  error: string | null
  onRestart: () => void
}

/** What the engine runs on and why — including why a GPU is or is not used. */
export function EngineStatusCard({ status, error, onRestart }: EngineStatusCardProps) {
  if (error) {
    return (
      <section className="card" data-testid="engine-status" data-state="error">
        <h2>Engine</h2>
        <p className="error">{error}</p>
      </section>
    )
  }
  if (!status) {
    return (
      <section className="card" data-testid="engine-status" data-state="loading">
        <h2>Engine</h2>
        <p className="muted">Asking the engine…</p>
      </section>
    )
  }
  return (
    <section className="card" data-testid="engine-status" data-state={status.state}>
      <h2>
        Engine <span className={`pill pill-${status.state}`}>{status.state}</span>
      </h2>
      <dl className="facts">
        <dt>Backend</dt>
        <dd data-testid="engine-backend">{status.backend ? `${status.backend} — ${BACKEND_LABELS[status.backend]}` : '—'}</dd>
        <dt>Why</dt>
        <dd>{status.backendReason}</dd>
        <dt>GPU</dt>
        <dd data-testid="engine-gpu">{gpuLine(status)}</dd>
        {status.webgpuAdapter && <WebGpuAdapterFacts adapter={status.webgpuAdapter} inUse={status.backend === 'webgpu'} />}
        <dt>Versions</dt>
        <dd>
          TensorFlow.js {status.versions.tfjs} · Node {status.versions.node}
          {status.versions.electron ? ` · Electron ${status.versions.electron}` : ''}
        </dd>
        {status.restarts > 0 && (
          <>
            <dt>Restarts</dt>
            <dd>{status.restarts}</dd>
          </>
        )}
      </dl>
      {status.attempts.length > 0 && (
        <details>
          <summary>Backends tried</summary>
          <ul className="attempts">
            {status.attempts.map((a) => (
              <li key={a.backend}>
                {a.ok ? '✓' : '✗'} <b>{a.backend}</b>: {a.reason}
              </li>
            ))}
          </ul>
        </details>
      )}
      {showCudaFindings(status) && <CudaFindings report={status.cuda} />}
      {status.lastError && <p className="error">{status.lastError}</p>}
      <div className="row">
        <BackendSetting />
        <button type="button" onClick={onRestart}>
          Restart engine
        </button>
      </div>
    </section>
  )
}
