import { useState } from 'react'
import { type ModelChoice, RunPicker } from '../explore/RunPicker'
import { ForgetPanel } from '../forget/ForgetPanel'
import { ProbePanel } from './ProbePanel'
import { ProjectionPanel } from './ProjectionPanel'

/**
 * The paper's other experiments on one trained model: the linear probe on D's features (Section 5), projecting
 * an image into z, and forgetting to draw (Fig. 6). The probe and the projection run as jobs in an engine of
 * their own, so exploring stays responsive; fitting an erasure is quick and runs in the explorer.
 */
export function ExperimentsScreen() {
  const [model, setModel] = useState<ModelChoice | null>(null)
  return (
    <div className="screen experiments">
      <RunPicker value={model} onChange={setModel} />
      {model && (
        <>
          <div className="home">
            <ProbePanel model={model} />
            <ProjectionPanel model={model} />
          </div>
          <ForgetPanel model={model} />
        </>
      )}
    </div>
  )
}
