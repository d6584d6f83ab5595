import { spawnSync } from 'node:child_process'
import ffmpegInstaller from '@ffmpeg-installer/ffmpeg'

// What the exports wrote is checked by decoding it with the same bundled ffmpeg a user has (there is no
// ffprobe): `ffmpeg -i` describes the stream, decoding to null counts the frames and measures the duration.
export const FFMPEG = process.env.FFMPEG_PATH ?? ffmpegInstaller.path

export interface Probe {
  codec: string
  pixelFormat: string
  width: number
  height: number
  fps: number
  frames: number
  seconds: number
}

export function probe(file: string): Probe {
  const info = spawnSync(FFMPEG, ['-hide_banner', '-i', file], { encoding: 'utf8' }).stderr
  const stream = /Video: (\w+)[^,]*, (\w+)(?:\([^)]*\))?, (\d+)x(\d+)/.exec(info)
  const fps = /([\d.]+) fps/.exec(info)
  if (!stream || !fps) throw new Error(`ffmpeg does not describe a video stream in ${file}:\n${info}`)
  const decoded = spawnSync(FFMPEG, ['-hide_banner', '-i', file, '-f', 'null', '-'], { encoding: 'utf8' }).stderr
  const frames = [...decoded.matchAll(/frame=\s*(\d+)/g)].at(-1)?.[1]
  const time = [...decoded.matchAll(/time=(\d+):(\d+):([\d.]+)/g)].at(-1)
  if (!frames || !time) throw new Error(`ffmpeg could not decode ${file}:\n${decoded}`)
  return {
    codec: stream[1] as string,
    pixelFormat: stream[2] as string,
    width: Number(stream[3]),
    height: Number(stream[4]),
    fps: Number(fps[1]),
    frames: Number(frames),
    seconds: Number(time[1]) * 3600 + Number(time[2]) * 60 + Number(time[3])
  }
}
