import * as fs from 'node:fs'
import type { z } from 'zod'
import type { ExportConceptParams, ExportVectorsParams, ExportedFile } from '../../../shared/api/export'
import type { Concepts } from '../concepts'
import type { Explorer } from '../explorer'
import type { RunStore } from '../run-store'
import { plainJson } from './export-record'
import { PendingOutput, jsonOutPath, resolveOutPath } from './output-path'

export interface VectorDeps {
  exploration: Explorer
  runs: RunStore
  concepts: Concepts
  exportsDir: string
}

/**
 * z vectors and concepts as JSON files. They describe themselves (which run, which noise distribution, how
 * each vector was named), so they need no sidecar; a concept file is the library's own record, and can be
 * copied into another library's concepts/ folder as it is.
 */
export class VectorExports {
  constructor(private readonly deps: VectorDeps) {}

  async vectors(params: z.output<typeof ExportVectorsParams>): Promise<ExportedFile> {
    const { model, step } = await this.deps.exploration.models(params.run)
    const run = await this.deps.runs.read(params.run.id)
    const vectors = params.z.map((spec) => ({
      from: spec.kind === 'seed' ? { seed: spec.seed, index: spec.index } : 'given',
      z: this.deps.exploration.resolveZ(spec, model)
    }))
    const document = {
      formatVersion: 1,
      kind: 'dcgan-studio-vectors',
      createdAt: new Date().toISOString(),
      run: { id: run.id, name: run.name, checkpointStep: step },
      zDim: model.zDim,
      noise: model.noise,
      vectors
    }
    return writeJson(resolveOutPath(params.out, this.deps.exportsDir), plainJson(document), params.overwrite)
  }

  async concept(params: z.output<typeof ExportConceptParams>): Promise<ExportedFile> {
    const concept = await this.deps.concepts.get(params.id)
    return writeJson(resolveOutPath(params.out, this.deps.exportsDir), concept, params.overwrite)
  }
}

async function writeJson(target: string, value: unknown, overwrite: boolean): Promise<ExportedFile> {
  const final = jsonOutPath(target)
  const text = `${JSON.stringify(value, null, 2)}\n`
  const output = await PendingOutput.prepare(final, 'file', overwrite)
  try {
    await fs.promises.writeFile(output.temp, text)
    await output.commit()
  } catch (err) {
    await output.discard()
    throw err
  }
  return { file: final, sidecar: null, width: null, height: null, bytes: Buffer.byteLength(text) }
}
