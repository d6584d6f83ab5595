import { readFile } from 'node:fs/promises'
import path from 'node:path'
import type * as tf from '@tensorflow/tfjs'
import { z } from 'zod'
import { writeJsonAtomic } from '../../node/atomic-files'
import { CLASSIFIER_FILE, ClassifierInfo } from '../../shared/faces'
import { ModelFileError, loadModel, saveModel } from '../model/io'
import { ATTRIBUTES_OUTPUT, POSE_OUTPUT } from './model'

/**
 * A classifier on disk: the tfjs `model.json` + `weights.bin` (see model/io.ts) and `classifier.json`
 * (ClassifierInfo). classifier.json is written last, so its presence marks a complete save.
 */
export async function saveClassifier(model: tf.LayersModel, dir: string, info: ClassifierInfo): Promise<void> {
  await saveModel(model, dir)
  await writeJsonAtomic(path.join(dir, CLASSIFIER_FILE), ClassifierInfo.parse(info))
}

export async function loadClassifier(dir: string): Promise<{ model: tf.LayersModel; info: ClassifierInfo }> {
  const infoPath = path.join(dir, CLASSIFIER_FILE)
  const info = await readInfo(infoPath)
  const model = await loadModel(dir)
  const [input] = model.inputs
  const outputs = model.outputNames
  const shapeOk = input?.shape.slice(1).join('x') === `${info.size}x${info.size}x${info.channels}`
  if (!shapeOk || outputs.length !== 2 || !outputs[0]?.startsWith(ATTRIBUTES_OUTPUT) || !outputs[1]?.startsWith(POSE_OUTPUT)) {
    model.dispose()
    throw new ModelFileError(
      path.join(dir, 'model.json'),
      `${dir} does not hold the face classifier ${infoPath} describes (${info.size}×${info.size}×${info.channels} in, attributes and pose out). Train and save the classifier again.`
    )
  }
  return { model, info }
}

async function readInfo(file: string): Promise<ClassifierInfo> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    throw new ModelFileError(file, `No face classifier at ${path.dirname(file)}: ${file} cannot be read (${(error as Error).message}).`, { cause: error })
  }
  try {
    return ClassifierInfo.parse(JSON.parse(text))
  } catch (error) {
    const reason = error instanceof z.ZodError ? z.prettifyError(error) : (error as Error).message
    throw new ModelFileError(file, `${file} is not a face classifier description: ${reason}`, { cause: error })
  }
}
