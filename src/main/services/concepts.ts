import type { z } from 'zod'
import { StudioError } from '../../shared/api/errors'
import { ConceptRecord, type SaveConceptParams } from '../../shared/api/explore'
import { RecordStore } from './record-store'
import type { RunStore } from './run-store'

/** Named latent vectors in the library (`concepts/<id>.json`), with how they were made. */
export class Concepts extends RecordStore<ConceptRecord> {
  constructor(
    dir: string,
    private readonly runs: Pick<RunStore, 'read'>
  ) {
    super(dir, ConceptRecord, 'concept')
  }

  /** Saves a concept for a run that exists and whose z it fits, so a saved concept can always be applied. */
  async save(params: z.output<typeof SaveConceptParams>): Promise<ConceptRecord> {
    const run = await this.runs.read(params.runId)
    if (params.vector.length !== run.model.zDim) {
      throw new StudioError(
        'bad_request',
        `The concept "${params.name}" has ${params.vector.length} dimensions, but the z of run "${run.name}" has ${run.model.zDim}: save a vector made from this run's samples.`
      )
    }
    return this.put({
      formatVersion: 1,
      id: this.newId(params.name),
      name: params.name,
      kind: params.kind,
      runId: params.runId,
      zDim: params.vector.length,
      vector: Array.from(params.vector),
      provenance: params.provenance,
      createdAt: new Date().toISOString()
    })
  }
}
