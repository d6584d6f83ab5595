import type { z } from 'zod'
import { ErasureRecord, type SaveErasureParams } from '../../shared/api/forget'
import { RecordStore } from './record-store'

/** Saved erasures in the library (`erasures/<id>.json`): maps to drop from a run's G (paper Fig. 6). */
export class Erasures extends RecordStore<ErasureRecord> {
  constructor(dir: string) {
    super(dir, ErasureRecord, 'erasure')
  }

  save(params: z.output<typeof SaveErasureParams>): Promise<ErasureRecord> {
    return this.put({
      formatVersion: 1,
      id: this.newId(params.name),
      name: params.name,
      runId: params.runId,
      step: params.step,
      erase: params.erase,
      maps: params.maps,
      boxes: { samples: params.fittedFrom.samples.length, boxes: params.fittedFrom.samples.reduce((n, s) => n + s.boxes.length, 0) },
      fittedFrom: {
        samples: params.fittedFrom.samples.map((s) => ({ z: s.z.kind === 'z' ? { kind: 'z', z: Array.from(s.z.z) } : s.z, boxes: s.boxes })),
        settings: params.fittedFrom.settings
      },
      createdAt: new Date().toISOString()
    })
  }
}
