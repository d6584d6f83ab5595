import type { z } from 'zod'
import { ConceptRecord, type SaveConceptParams } from '../../shared/api/explore'
import { RecordStore } from './record-store'

/** Named latent vectors in the library (`concepts/<id>.json`), with how they were made. */
export class Concepts extends RecordStore<ConceptRecord> {
  constructor(dir: string) {
    super(dir, ConceptRecord, 'concept')
  }

  save(params: z.output<typeof SaveConceptParams>): Promise<ConceptRecord> {
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
